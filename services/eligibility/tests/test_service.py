"""CaseSubmitted in, DeterminationMade out: derived ids, full provenance, replay-identical bytes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import clearway_eligibility
from clearway import events
from clearway.determinations import eligible_count
from clearway.ca_doj import columns as col
from clearway.ca_doj import tally_codec
from clearway.v1 import case_pb2, determination_pb2, envelope_pb2
from clearway_eligibility import service
from clearway_eligibility.domain import prop64
from clearway_eligibility.domain.model import Policy
from clearway_intake.domain.ca_doj import Row, case_input_from_rows

DEFAULT_POLICY = Path(clearway_eligibility.__file__).parent / "policies" / "default.json"
COMPUTE_DATE = dt.date(2019, 11, 11)
OCCURRED = dt.datetime(2026, 11, 20, 9, 15, tzinfo=dt.timezone.utc)
CASE_EVENT_ID = "3c9e0a4b-7d21-4f6e-8a1b-0c2d3e4f5a6b"
SUBJECT = "17954908"  # one HS 11358 dismissal and one HS 11359 reduction in Sacramento


@pytest.fixture
def policy() -> Policy:
    return Policy.from_json(DEFAULT_POLICY.read_text(encoding="utf-8"))


@pytest.fixture
def case(gogen_fixtures, load_doj_cases) -> case_pb2.CaseSubmitted:
    cases = load_doj_cases(gogen_fixtures / "configurable_flow" / "input.csv")
    submitted = cases[SUBJECT]
    submitted.envelope.CopyFrom(events.new_envelope(
        tenant="demo-coalition", jurisdiction="ca/sacramento", case_id="case-17954908",
        batch_id="batch-1", event_id=CASE_EVENT_ID, occurred_at=OCCURRED))
    submitted.person.contact.email = "person@example.org"
    return submitted


def _determine(case, policy) -> determination_pb2.DeterminationMade:
    return service.determine(case, policy, "default", COMPUTE_DATE)


def test_the_default_policy_is_readable(policy):
    assert "11358" in policy.dismiss_sections
    assert "11359" in policy.reduce_sections


def test_determination_judges_the_cases_convictions(case, policy):
    made = _determine(case, policy)
    outcomes = [c.outcome for c in made.convictions]
    assert outcomes == [determination_pb2.OUTCOME_DISMISS, determination_pb2.OUTCOME_REDUCE]
    assert eligible_count(made) == 2
    assert {c.county for c in made.convictions} == {"SACRAMENTO"}


def test_envelope_event_id_is_derived_from_the_case_event(case, policy):
    made = _determine(case, policy)
    expected = events.derived_event_id(
        CASE_EVENT_ID, f"determination/{prop64.PACK_ID}/{prop64.CORRECTED.version}")
    assert made.envelope.event_id == expected
    assert made.envelope.event_id != CASE_EVENT_ID


def test_causation_id_is_the_case_event_id_and_the_case_context_is_kept(case, policy):
    envelope = _determine(case, policy).envelope
    assert envelope.causation_id == CASE_EVENT_ID
    assert (envelope.tenant, envelope.jurisdiction, envelope.case_id, envelope.batch_id) == (
        "demo-coalition", "ca/sacramento", "case-17954908", "batch-1")


def test_the_same_case_gives_identical_bytes(case, policy):
    first = _determine(case, policy).SerializeToString()
    replay = case_pb2.CaseSubmitted.FromString(case.SerializeToString())
    again = _determine(replay, policy).SerializeToString()
    assert first == again


def test_times_come_from_the_case_not_the_wall_clock(case, policy):
    made = _determine(case, policy)
    assert made.envelope.occurred_at == case.envelope.occurred_at
    assert made.computed_at == case.envelope.occurred_at
    assert (made.compute_date.year, made.compute_date.month, made.compute_date.day) == (2019, 11, 11)
    assert made.compute_date.raw == "2019-11-11" and made.compute_date.valid


def test_a_different_case_event_gives_a_different_determination_id(case, policy):
    first = _determine(case, policy).envelope.event_id
    case.envelope.event_id = "3c9e0a4b-7d21-4f6e-8a1b-0c2d3e4f5a6c"
    assert _determine(case, policy).envelope.event_id != first


def test_every_conviction_names_its_rule_statute_and_the_pack(case, policy):
    made = _determine(case, policy)
    assert made.convictions
    for conviction in made.convictions:
        assert conviction.rule_id.startswith(prop64.PACK_ID + "/")
        assert conviction.statute_citation
        assert conviction.reason
        assert conviction.conviction_id
    assert made.rule_pack == determination_pb2.RulePack(
        id=prop64.PACK_ID, version=prop64.CORRECTED.version, policy_id="default")
    assert made.rule_pack.id == "ca-prop64"


def test_convictions_point_back_at_their_source_rows(case, policy):
    made = _determine(case, policy)
    for conviction in made.convictions:
        row = case.record.source_rows[conviction.source_row_index]
        assert row.file == "input.csv"
        assert conviction.case_numbers  # the OFN of the row
        assert conviction.conviction_date.raw


def test_the_person_is_carried(case, policy):
    made = _determine(case, policy)
    assert made.person == case.person
    assert made.person_id == case.person.person_id
    assert made.person.contact.email == "person@example.org"


@pytest.mark.parametrize("rules", [prop64.GOGEN, prop64.CORRECTED], ids=lambda r: r.version)
def test_rows_with_an_empty_subject_id_are_judged_with_gogens_quirk_in_its_version(
        make_doj_row, policy, rules):
    """gogen resets the pseudo-subject's bookkeeping on every row (§1.3): its sentence
    part is a conviction of its own, and only the last row's case number survives."""
    rows = [Row("nobody.csv", 2, 0, make_doj_row(SUBJECT_ID="", OFN="111")),
            Row("nobody.csv", 3, 1, make_doj_row(SUBJECT_ID="", OFN="222", SENT_LENGTH="6"))]
    person, record, _ = case_input_from_rows(rows, any_subject_id=True)
    nobody = case_pb2.CaseSubmitted(person=person, record=record,
                                    evaluation=case_pb2.EvaluationRequest(rule_pack_version=rules.version))
    nobody.envelope.CopyFrom(events.new_envelope(tenant="t", jurisdiction="ca/sacramento",
                                                 case_id="c", occurred_at=OCCURRED))
    made = _determine(nobody, policy)
    judged = [(c.source_row_index, list(c.case_numbers)) for c in made.convictions]
    if rules.corrected:
        assert judged == [(0, ["111", "222"])]
    else:
        assert judged == [(0, ["222"]), (1, ["222"])]


def test_jurisdiction_parse_reads_state_and_county():
    parsed = service.Jurisdiction.parse("ca/san-joaquin")
    assert (parsed.state, parsed.county) == ("ca", "SAN JOAQUIN")


@pytest.mark.parametrize("text", ["ny/kings", "ca", "ca/", "", "ca/atlantis", "ca/../../etc",
                                  "CA/Sacramento", " ca/sacramento"])
def test_jurisdiction_parse_rejects_what_has_no_rule_pack(text):
    with pytest.raises(service.NoRulePack):
        service.Jurisdiction.parse(text)


def test_no_rule_pack_names_the_jurisdiction():
    with pytest.raises(service.NoRulePack, match="ny/kings"):
        service.Jurisdiction.parse("ny/kings")


def test_determine_refuses_a_case_from_a_jurisdiction_without_a_pack(case, policy):
    case.envelope.jurisdiction = "ny/kings"
    with pytest.raises(service.NoRulePack):
        _determine(case, policy)


@pytest.mark.parametrize("text", ["ca/atlantis", "ca/../../etc"])
def test_determine_refuses_an_unknown_county_instead_of_judging_no_convictions(case, policy, text):
    case.envelope.jurisdiction = text
    with pytest.raises(service.NoRulePack, match="not"):
        _determine(case, policy)


def test_out_of_county_convictions_are_not_judged(case, policy):
    case.envelope.jurisdiction = "ca/yolo"
    assert _determine(case, policy).convictions == []


# ------------------------------------------------------------ rule versions


def test_the_default_version_is_the_corrected_one(case, policy):
    made = _determine(case, policy)
    assert made.rule_pack.version == prop64.CORRECTED.version == "2026.11"
    assert service.rules_for(case) is prop64.CORRECTED


def test_the_case_can_ask_for_gogen(case, policy):
    case.evaluation.rule_pack_version = prop64.GOGEN.version
    made = _determine(case, policy)
    assert made.rule_pack.version == "gogen-0.2.13"
    assert made.envelope.event_id == events.derived_event_id(
        CASE_EVENT_ID, f"determination/{prop64.PACK_ID}/gogen-0.2.13")
    # Same case, other version: another event.
    case.evaluation.rule_pack_version = ""
    assert _determine(case, policy).envelope.event_id != made.envelope.event_id


def test_an_unknown_version_has_no_rule_pack(case, policy):
    case.evaluation.rule_pack_version = "1999.1"
    with pytest.raises(service.NoRulePack, match="1999.1"):
        _determine(case, policy)


def test_the_case_can_name_its_compute_date(case, policy):
    case.evaluation.compute_date.CopyFrom(
        envelope_pb2.SourceDate(year=2021, month=3, day=1, raw="2021-03-01", valid=True))
    made = _determine(case, policy)
    assert made.compute_date.raw == "2021-03-01"


# ------------------------------------------------------------ gogen's report lines


@pytest.mark.parametrize("version", ["gogen-0.2.13", "2026.11"])
def test_report_has_a_line_per_source_row_as_gogen_writes_it(
    case, gogen_fixtures, load_gogen_results, version
):
    """The 18 eligibility columns equal gogen's All_Results for the person's rows."""
    policy = Policy.from_json((gogen_fixtures / "eligibility_options.json").read_text())
    case.evaluation.rule_pack_version = version
    made = _determine(case, policy)
    expected = load_gogen_results(gogen_fixtures / "configurable_flow" / "expected" / "All_Results.csv")
    lines = made.prop64_report.rows
    assert len(lines) == len(case.record.source_rows) > len(made.convictions)
    width = 18 if version.startswith("gogen") else 21
    judged_rows = set()
    for line, row in zip(lines, case.record.source_rows):
        assert line.source == row
        assert len(line.columns) == width
        gogen_row = expected[row.index]
        assert list(line.columns)[:18] == list(gogen_row.values())[-18:]
        assert line.judged is (gogen_row["# of convictions on record"] != "")
        if line.judged:
            judged_rows.add(row.index)
    assert judged_rows == {case.record.source_rows[c.source_row_index].index for c in made.convictions}
    if width == 21:
        for line in lines:
            rule_id, rule_version, citation = list(line.columns)[18:]
            assert bool(rule_id) is line.judged
            if line.judged:
                assert rule_version == "2026.11" and citation == prop64.STATUTES[rule_id][0]


def test_report_tally_and_county_lists(case, gogen_fixtures):
    policy = Policy.from_json((gogen_fixtures / "eligibility_options.json").read_text())
    report = _determine(case, policy).prop64_report
    assert list(report.dismiss_sections) == ["11357", "11358"]
    assert list(report.reduce_sections) == ["11359", "11360"]
    tally = tally_codec.from_proto(report.tally)
    assert tally.subjects == 1 and tally.subjects_with_prop64 == 1
    assert sum(tally.outcomes.values()) == 2
    assert tally.convictions_by_section == {"11357": 1, "11359": 1}
    assert tally.dismissal_by_section == {"11357": 1}
    assert tally.dismissal_by_additional_relief == {"57 years or older": 1}
    assert tally.earliest_conviction == (1979, 6, 1)


def test_a_structured_case_without_rows_has_no_report_lines(case, policy):
    del case.record.source_rows[:]
    made = _determine(case, policy)
    assert len(made.prop64_report.rows) == 0


def test_a_court_feed_carries_what_a_court_acts_on_and_no_personal_data(case, policy):
    case.envelope.case_id = "case-opaque-1"
    case.person.contact.phone = "+15555550123"
    case.person.contact.postal_address.lines.append("1 Main Street")
    case.person.identifiers.add(scheme="ca-cii", value="1008675309")
    made = service.determine(case, policy, "p", dt.date(2019, 11, 11))
    assert made.prop64_report.rows and made.person.contact.email  # the full event has them
    record = service.court_feed_record(made)
    feed = determination_pb2.DeterminationMade.FromString(record)

    assert not feed.HasField("person") and not feed.HasField("prop64_report")
    assert feed.person_id == made.person_id and feed.envelope == made.envelope
    assert feed.court == "Superior Court of California, County of Sacramento"
    assert feed.rule_pack == made.rule_pack
    assert list(feed.convictions) == list(made.convictions)
    assert all(c.case_numbers and c.code_section and c.statute_citation for c in feed.convictions)
    person = case.person
    personal = [person.name.recorded, person.name.family_name, person.date_of_birth.raw,
                person.contact.email, person.contact.phone, "1 Main Street",
                *(i.value for i in person.identifiers)]
    assert len(personal) == 8 and all(personal)  # subject id and CII among them
    for value in personal:
        assert value.encode() not in record, value
    assert len(record) < made.ByteSize() / 2


@pytest.mark.parametrize(("jurisdiction", "court"), [
    ("ca/sacramento", "Superior Court of California, County of Sacramento"),
    ("ca/yolo", "Superior Court of California, County of Yolo"),
])
def test_every_determination_names_its_court_as_petitions_does(case, policy, jurisdiction, court):
    from clearway_petitions.domain.petition import court_for

    case.envelope.jurisdiction = jurisdiction
    made = _determine(case, policy)
    assert made.court == court == court_for(jurisdiction)


def _two_people_under_one_id(rows: list[list[str]], rules: prop64.RuleVersion) -> case_pb2.CaseSubmitted:
    """One SUBJECT_ID's case whose later rows are another person's (another CII, name, DOB)."""
    for fields in rows[len(rows) // 2:]:
        fields[col.CII_NUMBER], fields[col.PRI_NAME], fields[col.PRI_DOB] = (
            "B987654321", "ROE,RICHARD", "19750505")
    person, record, _ = case_input_from_rows(
        [Row("both.csv", n + 2, n, fields) for n, fields in enumerate(rows)])
    merged = case_pb2.CaseSubmitted(person=person, record=record,
                                    evaluation=case_pb2.EvaluationRequest(rule_pack_version=rules.version))
    merged.envelope.CopyFrom(events.new_envelope(tenant="t", jurisdiction="ca/sacramento",
                                                 case_id="c", occurred_at=OCCURRED))
    return merged


@pytest.mark.parametrize("rules", [prop64.GOGEN, prop64.CORRECTED], ids=lambda r: r.version)
def test_rows_of_different_people_under_one_id_are_held_for_review_in_either_version(
        make_doj_row, gogen_fixtures, rules):
    """No conviction of such a determination is eligible, so nobody is filed for or told;
    gogen's version keeps gogen's bundle lines all the same."""
    policy = Policy.from_json((gogen_fixtures / "eligibility_options.json").read_text())
    rows = [make_doj_row(CNT_ORDER="101002001000", OFN="111"),
            make_doj_row(CNT_ORDER="102002001000", OFN="222", CONV_STAT_DESCR="MISDEMEANOR")]
    made = _determine(_two_people_under_one_id(rows, rules), policy)
    assert [(c.field, c.distinct_values) for c in made.identity_conflicts] == [
        ("CII_NUMBER", 2), ("PRI_NAME/PRI_DOB", 2)]
    assert len(made.convictions) == 2 and eligible_count(made) == 0
    for conviction in made.convictions:
        assert conviction.outcome == determination_pb2.OUTCOME_NEEDS_REVIEW
        assert (conviction.rule_id, conviction.reason) == (prop64.RULE_IDENTITY_CONFLICT,
                                                           prop64.IDENTITY_REVIEW_REASON)
        assert conviction.statute_citation == prop64.STATUTES[prop64.RULE_IDENTITY_CONFLICT][0]
    lines = [list(line.columns) for line in made.prop64_report.rows]
    if rules.corrected:
        assert [line[16:19] for line in lines] == [
            ["Hand Review", prop64.IDENTITY_REVIEW_REASON, prop64.RULE_IDENTITY_CONFLICT]] * 2
    else:
        # gogen's own lines: one person to gogen, both convictions dismissed.
        assert [line[16] for line in lines] == ["Eligible for Dismissal"] * 2
        assert "B987654321" not in str(made.identity_conflicts)


def test_one_persons_rows_have_no_identity_conflicts(case, policy):
    made = _determine(case, policy)
    assert list(made.identity_conflicts) == [] and eligible_count(made) > 0


def test_a_compute_date_or_submission_time_that_is_no_date_is_refused_naming_the_field(case, policy):
    """Found by the fuzz targets: both raised ValueError from the datetime module."""
    no_date = case_pb2.CaseSubmitted()
    no_date.CopyFrom(case)
    no_date.evaluation.compute_date.valid = True  # year, month and day 0
    with pytest.raises(service.CannotJudge, match="evaluation.compute_date"):
        _determine(no_date, policy)
    never = case_pb2.CaseSubmitted()
    never.CopyFrom(case)
    never.envelope.occurred_at.seconds = 10**15
    with pytest.raises(service.CannotJudge, match="envelope.occurred_at"):
        _determine(never, policy)
