"""Through the real broker: filings and the court feed name one person, and only what a court needs.

* Two extracts whose SUBJECT_IDs overlap (21 ids carry two people each, with
  other names, dates of birth and CII numbers) are one batch: those ids'
  determinations are needs-review with identity_conflicts, and no petition
  lists another person's case numbers.
* The court feed carries no Person.
* A determination whose person has no name is dead-lettered by petitions,
  naming the field, instead of becoming a petition "for (name not recorded)".
"""

from __future__ import annotations

import csv
import time
import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from pypdf import PdfReader

from clearway import events, topics
from clearway.ca_doj import columns as col
from clearway.determinations import eligible_count, names_one_person
from clearway.devstack import BatchWatcher, Submission
from clearway.v1 import dead_letter_pb2, determination_pb2, envelope_pb2, notification_pb2, petition_pb2
from clearway_intake.domain.ca_doj.synthetic import generate

pytestmark = pytest.mark.broker

OVERLAP = 21


def _rows(paths: list[Path]) -> list[list[str]]:
    rows = []
    for path in paths:
        with path.open(newline="", encoding="utf-8") as fh:
            rows += list(csv.reader(fh))[1:]
    return rows


def _read(bootstrap: str, topic: str, message_type, keep) -> list:
    """Every committed record of `topic` that `keep` accepts, from the start to the current end."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             isolation_level="read_committed")
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        found = []
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=500).values():
                found += [m for m in (message_type.FromString(r.value) for r in records) if keep(m)]
        return found
    finally:
        consumer.close()


@pytest.fixture(scope="module")
def two_extracts(stack, tmp_path_factory):
    """The finding's batch, submitted once: (stdout, batch outcome, the input rows)."""
    folder = tmp_path_factory.mktemp("extracts")
    county = generate(folder / "county", people=30, seed=31)
    state = generate(folder / "state", people=OVERLAP, seed=32)
    files = [county.doj_csv.rename(folder / "county.csv"), state.doj_csv.rename(folder / "state.csv")]
    result = stack.clearway("submit", *map(str, files), "--contacts", str(county.contacts_csv),
                            "--jurisdiction", "ca/sacramento")
    submitted = Submission.parse(result.stdout)
    assert stack.wait_for_bundle(submitted.batch_id) is not None, "no bundle after 180 s"
    watcher = BatchWatcher(stack.broker.bootstrap, submitted.batch_id)
    try:
        deadline = time.monotonic() + 120
        while True:
            out = watcher.poll()
            made = [m[0] for m in out.determinations.values()]
            filed = {m.envelope.case_id for m in made if eligible_count(m) and names_one_person(m)}
            told = {m.envelope.case_id for m in made if names_one_person(m)}
            if (len(made) == submitted.cases and filed <= set(out.petitions)
                    and told <= set(out.notifications)):
                break
            assert time.monotonic() < deadline, "the batch's petitions and notices did not all come"
        time.sleep(2)  # anything late for the conflicting cases would show now
        out = watcher.poll()
    finally:
        watcher.close()
    return result.stdout, submitted, out, _rows(files)


def test_overlapping_subject_ids_are_held_for_review_and_reported(two_extracts):
    stdout, submitted, out, _ = two_extracts
    assert submitted.cases == 30, "one case per SUBJECT_ID, as the corrected version merges files"
    assert (f"{OVERLAP} SUBJECT_IDs hold rows of different people (CII or name and date of birth "
            "differ): their convictions go to review, nobody is filed for or told") in stdout
    made = {case_id: m[0] for case_id, m in out.determinations.items()}
    assert all(len(m) == 1 for m in out.determinations.values())
    conflicting = {case_id for case_id, m in made.items() if m.identity_conflicts}
    assert len(conflicting) == OVERLAP
    for case_id in conflicting:
        m = made[case_id]
        assert [(c.field, c.distinct_values) for c in m.identity_conflicts] == [
            ("CII_NUMBER", 2), ("PRI_NAME/PRI_DOB", 2)]
        assert all(c.outcome == determination_pb2.OUTCOME_NEEDS_REVIEW
                   and c.rule_id == "ca-prop64/identity-conflict" for c in m.convictions)
    assert any(made[case_id].convictions for case_id in conflicting)
    # Nobody is filed for or told on them; the other nine people are, as usual.
    assert not conflicting & set(out.petitions)
    told = [n for case_id in conflicting for n in out.notifications.get(case_id, [])]
    assert all(n.status != notification_pb2.NOTIFICATION_STATUS_SENT for n in told)
    assert set(out.petitions), "the people who are one person still get their petitions"


def test_no_petition_lists_another_persons_case_numbers(two_extracts):
    _, _, out, rows = two_extracts
    names_of_case_number: dict[str, set[str]] = {}
    for fields in rows:
        if fields[col.OFN].strip():
            names_of_case_number.setdefault(fields[col.OFN], set()).add(fields[col.PRI_NAME])
    checked = 0
    for petitions in out.petitions.values():
        (petition,) = petitions
        person = petition.determination.person.name.recorded
        listed = {n for c in petition.determination.convictions for n in c.case_numbers}
        assert listed and all(names_of_case_number[n] == {person} for n in listed), person
        others = {n for n, names in names_of_case_number.items() if person not in names}
        for document in petition.documents:
            reader = PdfReader(document.location.removeprefix("file://"))
            text = " ".join(page.extract_text() for page in reader.pages)
            assert person in text
            assert not [n for n in others if n in text]
            checked += 1
    assert checked >= 2


def test_the_court_feed_carries_no_person(stack, two_extracts):
    _, submitted, out, _ = two_extracts
    feed = _read(stack.broker.bootstrap, topics.court_feed("ca/sacramento"),
                 determination_pb2.DeterminationMade,
                 lambda m: m.envelope.batch_id == submitted.batch_id)
    assert len(feed) >= submitted.cases
    for record in feed:
        assert not record.HasField("person") and not record.HasField("prop64_report")
        assert record.person_id and record.court == "Superior Court of California, County of Sacramento"
    made = {m[0].envelope.event_id: m[0] for m in out.determinations.values()}
    assert {r.envelope.event_id for r in feed} == set(made)
    assert all(list(r.convictions) == list(made[r.envelope.event_id].convictions) for r in feed)


def test_a_determination_without_a_name_is_dead_lettered_by_petitions_naming_the_field(stack):
    case_id = f"case-{uuid.uuid4()}"
    made = determination_pb2.DeterminationMade(
        envelope=events.new_envelope(tenant="t", jurisdiction="ca/sacramento", case_id=case_id,
                                     batch_id=f"batch-{uuid.uuid4()}"),
        person_id="p-nameless",
        rule_pack=determination_pb2.RulePack(id="ca-prop64", version="2026.11", policy_id="default"),
        compute_date=envelope_pb2.SourceDate(year=2026, month=11, day=20, raw="2026-11-20", valid=True),
        court="Superior Court of California, County of Sacramento",
        convictions=[determination_pb2.ConvictionDetermination(
            conviction_id="101002001000", code_section="11358 HS",
            outcome=determination_pb2.OUTCOME_DISMISS, reason="Dismiss all HS 11358 convictions",
            statute_citation="Cal. Health & Safety Code § 11361.8(e)",
            rule_id="ca-prop64/dismiss-by-section", case_numbers=["98F04417"])],
    )
    producer = KafkaProducer(bootstrap_servers=stack.broker.bootstrap, acks="all")
    try:
        producer.send(topics.DETERMINATIONS, key=b"p-nameless", value=made.SerializeToString(),
                      headers=events.record_headers(made)).get(timeout=30)
    finally:
        producer.close()
    deadline = time.monotonic() + 60
    letters = []
    while not letters:
        assert time.monotonic() < deadline, "petitions did not dead-letter the determination"
        letters = _read(stack.broker.bootstrap, topics.PETITIONS_REJECTED, dead_letter_pb2.DeadLetter,
                        lambda d: d.envelope.case_id == case_id and d.source == "petitions")
        time.sleep(0.5)
    (letter,) = letters
    assert letter.field == "person.name"
    assert "person.name" in letter.reason and "no name" in letter.reason
    assert _read(stack.broker.bootstrap, topics.PETITIONS, petition_pb2.PetitionGenerated,
                 lambda p: p.envelope.case_id == case_id) == []
