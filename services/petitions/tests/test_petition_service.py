"""DeterminationMade in, PetitionGenerated out: documents stored by hash, replay-identical events."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from clearway import events, topics
from clearway.bus import Rejected
from clearway.ca_doj import SUBJECT_ID_SCHEME
from clearway.v1 import batch_pb2, case_pb2, determination_pb2, envelope_pb2, petition_pb2
from clearway_petitions import service
from clearway_petitions.batch_bundle import BatchBundles
from clearway_petitions.domain.store import DocumentStore

Outcome = determination_pb2.Outcome
DETERMINATION_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
OCCURRED = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)


def _date(year: int, month: int, day: int) -> envelope_pb2.SourceDate:
    return envelope_pb2.SourceDate(year=year, month=month, day=day,
                                   raw=f"{year:04d}{month:02d}{day:02d}", valid=True)


def _conviction(conviction_id: str, section: str, outcome: int) -> determination_pb2.ConvictionDetermination:
    return determination_pb2.ConvictionDetermination(
        conviction_id=conviction_id, code_section=section, outcome=outcome,
        reason="reason", statute_citation="Cal. Health & Safety Code \u00a7 11361.8(e)",
        rule_id="ca-prop64/dismiss-by-section", county="SAN JOAQUIN",
        conviction_date=_date(1998, 6, 15), case_numbers=[f"98F{conviction_id[-1]}"], felony=True)


def _determination(*outcomes: int) -> determination_pb2.DeterminationMade:
    made = determination_pb2.DeterminationMade(
        envelope=events.new_envelope(tenant="demo-coalition", jurisdiction="ca/san-joaquin",
                                     case_id="case-9", batch_id="batch-3",
                                     event_id=DETERMINATION_ID, occurred_at=OCCURRED),
        person_id="p_opaque",
        rule_pack=determination_pb2.RulePack(id="ca-prop64", version="2026.11-gogen-0.2.13",
                                             policy_id="default"),
        compute_date=envelope_pb2.SourceDate(year=2026, month=11, day=20, raw="2026-11-20", valid=True),
        person=case_pb2.Person(
            person_id="p_opaque",
            name=case_pb2.Name(recorded="QUILLFEATHER,MARISOL T"),
            date_of_birth=_date(1971, 4, 9),
        ),
        convictions=[_conviction(f"c/{i}", "11358 HS", o) for i, o in enumerate(outcomes)],
    )
    made.computed_at.FromDatetime(OCCURRED)
    return made


def _path_of(location: str) -> Path:
    parsed = urlparse(location)
    assert parsed.scheme == "file"
    return Path(unquote(parsed.path))


@pytest.fixture
def store(tmp_path) -> DocumentStore:
    return DocumentStore(tmp_path / "documents")


@pytest.mark.parametrize("outcomes", [
    (),
    (Outcome.OUTCOME_NOT_ELIGIBLE,),
    (Outcome.OUTCOME_NOT_ELIGIBLE, Outcome.OUTCOME_NEEDS_REVIEW),
])
def test_nothing_eligible_files_nothing(store, outcomes):
    assert service.file_petition(_determination(*outcomes), store) is None
    assert not store.root.exists() or not any(store.root.rglob("*.pdf"))


def test_nothing_eligible_publishes_nothing(store, tmp_path):
    assert service.filings(store)(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_NOT_ELIGIBLE)) == []


def test_an_eligible_determination_gives_a_petition_and_an_order(store):
    event = service.file_petition(
        _determination(Outcome.OUTCOME_DISMISS, Outcome.OUTCOME_NOT_ELIGIBLE), store)
    assert event is not None
    assert [d.kind for d in event.documents] == [petition_pb2.DOCUMENT_KIND_PETITION,
                                                 petition_pb2.DOCUMENT_KIND_ORDER]
    assert all(d.media_type == "application/pdf" for d in event.documents)
    assert event.documents[0].sha256 != event.documents[1].sha256


@pytest.mark.parametrize("subject_id", ["", "   "])
def test_rows_without_a_subject_id_get_no_petition(store, tmp_path, subject_id):
    """gogen's pseudo-subject (its rule version only): the rows may be several people's.
    Its determination still goes into the batch's bundle (tests/integration/test_bundle_parity.py)."""
    made = _determination(Outcome.OUTCOME_DISMISS)
    made.person.identifiers.add(scheme=SUBJECT_ID_SCHEME, value=subject_id)
    assert service.filings(store)(topics.DETERMINATIONS, made) == []
    assert not store.root.exists() or not any(store.root.rglob("*.pdf"))
    made.person.identifiers[0].value = "10000001"
    assert service.file_petition(made, store) is not None  # the same determination, one person's


def test_rows_of_different_people_under_one_subject_id_get_no_petition(store):
    made = _determination(Outcome.OUTCOME_DISMISS)
    made.identity_conflicts.add(field="CII_NUMBER", distinct_values=2)
    assert service.filings(store)(topics.DETERMINATIONS, made) == []
    assert not store.root.exists() or not any(store.root.rglob("*.pdf"))


@pytest.mark.parametrize(("change", "field"), [
    (lambda made: made.person.ClearField("name"), "person.name"),
    (lambda made: made.ClearField("person"), "person.name"),
    (lambda made: setattr(made.envelope, "jurisdiction", "ca/atlantis"), "envelope.jurisdiction"),
    (lambda made: made.compute_date.CopyFrom(envelope_pb2.SourceDate(year=2026, month=13, day=1,
                                                                     valid=True)), "compute_date"),
])
def test_a_determination_that_cannot_be_filed_truly_is_refused_naming_the_field(store, change, field):
    """Dead-lettered by the processor (bus.Rejected), never a half-blank filing."""
    made = _determination(Outcome.OUTCOME_DISMISS)
    change(made)
    with pytest.raises(Rejected) as refused:
        service.filings(store)(topics.DETERMINATIONS, made)
    assert refused.value.field == field
    assert field in refused.value.reason and "QUILLFEATHER" not in refused.value.reason
    assert not store.root.exists() or not any(store.root.rglob("*.pdf"))


def test_documents_are_stored_under_the_store_with_matching_hash_and_size(store):
    event = service.file_petition(_determination(Outcome.OUTCOME_REDUCE), store)
    for document in event.documents:
        path = _path_of(document.location)
        assert path.is_relative_to(store.root)
        content = path.read_bytes()
        assert content.startswith(b"%PDF-")
        assert hashlib.sha256(content).hexdigest() == document.sha256
        assert document.size_bytes == len(content)
        assert store.get(document.sha256) == content


def test_the_event_names_its_determination_and_has_a_derived_id(store):
    made = _determination(Outcome.OUTCOME_DISMISS)
    event = service.file_petition(made, store)
    assert event.determination_event_id == DETERMINATION_ID
    assert event.envelope.event_id == events.derived_event_id(DETERMINATION_ID, "petition")
    assert event.envelope.causation_id == DETERMINATION_ID
    assert (event.envelope.tenant, event.envelope.jurisdiction, event.envelope.case_id,
            event.envelope.batch_id) == ("demo-coalition", "ca/san-joaquin", "case-9", "batch-3")
    assert event.envelope.occurred_at == made.envelope.occurred_at
    assert event.person_id == "p_opaque"
    assert event.determination == made


def test_the_court_is_the_superior_court_of_the_jurisdictions_county(store):
    event = service.file_petition(_determination(Outcome.OUTCOME_SEAL), store)
    assert event.court == "Superior Court of California, County of San Joaquin"


def test_county_of_reads_the_jurisdiction_path():
    assert events.county_of("ca/san-joaquin") == "SAN JOAQUIN"
    assert events.county_of("ca/sacramento") == "SACRAMENTO"


def test_the_same_determination_twice_gives_the_same_event_bytes_and_files(store, tmp_path):
    first = service.file_petition(_determination(Outcome.OUTCOME_DISMISS), store)
    files_after_first = sorted(p for p in store.root.rglob("*") if p.is_file())
    again = service.file_petition(_determination(Outcome.OUTCOME_DISMISS), store)
    files_after_again = sorted(p for p in store.root.rglob("*") if p.is_file())

    assert first.SerializeToString() == again.SerializeToString()
    assert files_after_first == files_after_again
    assert len(files_after_again) == 2


def test_a_replay_into_a_fresh_store_renders_byte_identical_documents(tmp_path):
    first = service.file_petition(_determination(Outcome.OUTCOME_DISMISS), DocumentStore(tmp_path / "a"))
    second = service.file_petition(_determination(Outcome.OUTCOME_DISMISS), DocumentStore(tmp_path / "b"))
    assert [d.sha256 for d in first.documents] == [d.sha256 for d in second.documents]
    for a, b in zip(first.documents, second.documents):
        assert _path_of(a.location).read_bytes() == _path_of(b.location).read_bytes()


def test_handle_publishes_the_petition_keyed_by_person(store, tmp_path):
    (outgoing,) = service.filings(store)(topics.DETERMINATIONS, _determination(Outcome.OUTCOME_DISMISS))
    assert outgoing.topic == topics.PETITIONS
    assert outgoing.key == "p_opaque"
    assert isinstance(outgoing.message, petition_pb2.PetitionGenerated)


def test_bundle_lines_spool_the_batch_and_complete_its_bundle_without_filing(store, tmp_path):
    """The bundle's consumer group renders nothing: filings are the other group's work."""
    made = _determination(Outcome.OUTCOME_DISMISS)
    made.prop64_report.dismiss_sections.append("11357")  # a CA determination carries its report
    bundles = BatchBundles(tmp_path / "bundles")
    handle = service.bundle_lines(bundles)
    closed = batch_pb2.BatchClosed(envelope=made.envelope, case_count=1)

    assert handle(topics.DETERMINATIONS, made) == []
    assert not (bundles.folder("batch-3") / "DONE").exists()  # the batch is not closed yet
    assert handle(topics.BATCHES, closed) == []
    assert (bundles.folder("batch-3") / "DONE").exists()
    assert (bundles.folder("batch-3") / "gogen.json").exists()
    assert not store.root.exists() or not any(store.root.rglob("*.pdf"))


def test_a_written_bundle_keeps_no_spool_and_a_redelivery_does_not_bring_it_back(store, tmp_path):
    made = _determination(Outcome.OUTCOME_DISMISS)
    made.prop64_report.dismiss_sections.append("11357")
    bundles = BatchBundles(tmp_path / "bundles")
    folder = bundles.folder("batch-3")
    bundles.add(made)
    assert (folder / "spool.pickles").stat().st_size > 0  # the people's rows, until the bundle is out
    bundles.close(batch_pb2.BatchClosed(envelope=made.envelope, case_count=1))

    assert (folder / "DONE").exists()
    assert not (folder / "spool.pickles").exists()
    assert BatchBundles(tmp_path / "bundles").add(made) is None  # redelivered after a restart
    assert not (folder / "spool.pickles").exists()
    assert (folder.stat().st_mode & 0o777) == 0o700
