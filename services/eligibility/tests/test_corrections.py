"""The corrected version's clauses (prop64.CORRECTIONS), one by one.

Each clause fixes a gogen defect listed in ca-doj-prop64.md §7. Every test here
shows both sides: `prop64.GOGEN` still behaves as gogen 0.2.13 does, and
`prop64.CORRECTED` behaves as the clause says. Clauses that live in the rules
are tested on the rules (evaluate, report.assess); clauses that live in how
rows become people (people-across-files, short-count-order, empty-subject-id)
are tested through `offline.evaluate_files` on small hand-made files.

`test_every_correction_has_its_own_test` keeps it that way: a clause added to
CORRECTIONS without a test named after it (or naming it in its docstring)
fails the suite.
"""

from __future__ import annotations

import csv
import datetime
import inspect
import json
import sys
from pathlib import Path

import pytest

from clearway.ca_doj import bundle
from clearway.ca_doj.columns import COLUMNS, NUM_COLUMNS
from clearway.ca_doj.identity import Conflict
from clearway.ca_doj.reader import count_order_problem
from clearway_eligibility import offline
from clearway_eligibility.domain import doj_rows, prop64, report, sections
from clearway_eligibility.domain.model import Outcome, Policy, Subject
from clearway_eligibility.domain.prop64 import CORRECTED, CORRECTIONS, GOGEN, STATUTES
from clearway_intake.domain.ca_doj import synthetic
from prop64_builders import COMPUTE_DATE, COUNTY, conviction, judge_one, other, subject

NOW = datetime.datetime(2019, 11, 11, 12, 0, tzinfo=datetime.timezone.utc)

# Column positions in All_Results.csv / Prop64_Results.csv.
CONVICTIONS_ON_RECORD = NUM_COLUMNS + 1
SUPERSTRIKES = NUM_COLUMNS + 4
PC290 = NUM_COLUMNS + 5
DATE_OF_CONVICTION = NUM_COLUMNS + 7
YEARS_SINCE = NUM_COLUMNS + 8
YEARS_SINCE_ANY = NUM_COLUMNS + 9
DETERMINATION = NUM_COLUMNS + 16
REASON = NUM_COLUMNS + 17
RULE_ID = NUM_COLUMNS + 18
CASE_NUMBER = NUM_COLUMNS


def assess(person: Subject, rules: prop64.RuleVersion, policy: Policy = Policy(),
           now: datetime.datetime = NOW) -> report.Assessment:
    return report.assess(person, policy, COUNTY, COMPUTE_DATE, rules, now)


def column(assessment: report.Assessment, position: int, ref: int = 0) -> str:
    """One eligibility column of a judged row (position as in All_Results)."""
    return assessment.columns[ref][position - NUM_COLUMNS]


def run(paths: list[Path], out: Path, rules: prop64.RuleVersion, policy: Policy = Policy(),
        **options: object) -> offline.RunResult:
    settings = {"county": COUNTY, "compute_date": COMPUTE_DATE, "policy": policy, "rules": rules,
                "workers": 1, "now": NOW, **options}
    return offline.evaluate_files(paths, out, offline.Options(**settings))  # type: ignore[arg-type]


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


# --------------------------------------------------------------------------
# ca-prop64/anchored-sections
# --------------------------------------------------------------------------


@pytest.mark.parametrize("section", ["11357.5 HS", "11359.5 HS", "113600 HS", "211357 HS"])
def test_anchored_sections_is_prop64(section: str) -> None:
    assert prop64.is_prop64(section, GOGEN)
    assert not prop64.is_prop64(section, CORRECTED)


def test_anchored_sections_synthetic_cannabinoids_are_judged_only_by_gogen() -> None:
    person = subject(conviction(code_section="11357.5 HS", offense_text="11357.5 HS-SYNTH"))
    policy = Policy(dismiss_sections=("11357",))
    (result,) = prop64.evaluate(person, policy, COUNTY, COMPUTE_DATE, GOGEN)
    assert result.reason == "Dismiss all HS 11357 convictions"
    assert prop64.evaluate(person, policy, COUNTY, COMPUTE_DATE, CORRECTED) == []


def test_anchored_sections_only_prop64_sees_11357_5_as_another_offence() -> None:
    person = subject(conviction(), other(code_section="11357.5 HS", county="YOLO"))
    policy = Policy(subject_has_only_prop64_charges=True)
    assert judge_one(person, policy, GOGEN).reason == "Only has 11357-60 charges"
    assert judge_one(person, policy, CORRECTED).outcome is Outcome.NOT_ELIGIBLE


def test_anchored_sections_dismiss_list_matches_whole_numbers() -> None:
    # "113580" contains "11358" (gogen dismisses by it); corrected: only 11359 is here.
    person = subject(conviction(code_section="11359/113580 HS"))
    policy = Policy(dismiss_sections=("11358",), reduce_sections=("11359",))
    assert judge_one(person, policy, GOGEN).reason == "Dismiss all HS 11358 convictions"
    assert judge_one(person, policy, CORRECTED).reason == "Reduce all HS 11359 convictions"


def test_anchored_sections_per_section_counts() -> None:
    person = subject(conviction(), other(code_section="11357.5 HS", county="YOLO"))
    gogen, corrected = assess(person, GOGEN), assess(person, CORRECTED)
    # "# of Prop 64 convictions" and "# of HS 11357 convictions"
    assert column(gogen, NUM_COLUMNS + 10) == "2" and column(gogen, NUM_COLUMNS + 11) == "1"
    assert column(corrected, NUM_COLUMNS + 10) == "1" and column(corrected, NUM_COLUMNS + 11) == "0"


# --------------------------------------------------------------------------
# ca-prop64/attempts-664
# --------------------------------------------------------------------------


@pytest.mark.parametrize("offense", ["664-11357(A) HS-ATTEMPT POSSESS", "664 - 11357(A) HS-ATTEMPT"])
def test_attempts_664_keep_their_section(make_doj_row, offense: str) -> None:
    facts = [doj_rows.facts_of(0, make_doj_row(OFFENSE_DESCR=offense))]
    policy = Policy(dismiss_sections=("11357",))

    gogen = doj_rows.subject_from_facts("1001", facts, corrected=False)
    assert gogen.convictions[0].code_section.strip() == "664"
    assert prop64.evaluate(gogen, policy, COUNTY, COMPUTE_DATE, GOGEN) == []

    corrected = doj_rows.subject_from_facts("1001", facts, corrected=True)
    assert "11357(A) HS" in corrected.convictions[0].code_section
    (result,) = prop64.evaluate(corrected, policy, COUNTY, COMPUTE_DATE, CORRECTED)
    assert (result.outcome, result.reason) == (Outcome.DISMISS, "Dismiss all HS 11357 convictions")


# --------------------------------------------------------------------------
# ca-prop64/invalid-date-review
# --------------------------------------------------------------------------


def assert_review(result, reason: str) -> None:
    assert (result.outcome, result.reason, result.rule_id) == (
        Outcome.NEEDS_REVIEW, reason, prop64.RULE_INVALID_DATE)
    assert result.statute_citation == STATUTES[prop64.RULE_INVALID_DATE][0]
    assert result.rule_pack_version == CORRECTED.version


def test_invalid_date_review_age_threshold_with_an_invalid_dob() -> None:
    person = subject(dob=None)
    policy = Policy(subject_age_threshold=65)
    assert judge_one(person, policy, GOGEN).reason == "65 years or older"  # ~2000 years old
    assert_review(judge_one(person, policy, CORRECTED),
                  "Needs review: date of birth is not a valid date")


def test_invalid_date_review_years_since_an_invalid_conviction_date() -> None:
    person = subject(conviction(date=None, date_raw="19790000"))
    policy = Policy(years_since_conviction_threshold=10)
    assert judge_one(person, policy, GOGEN).reason == "Conviction occurred 10 or more years ago"
    assert_review(judge_one(person, policy, CORRECTED),
                  "Needs review: conviction date is not a valid date")


@pytest.mark.parametrize(
    ("dob", "date", "gogen_reason"),
    [
        (None, datetime.date(2010, 1, 1), ""),  # gogen: a zero DOB is never under 21
        (datetime.date(1980, 1, 1), None, "21 years or younger"),  # gogen: a zero date is
    ],
)
def test_invalid_date_review_under_21(dob, date, gogen_reason: str) -> None:
    person = subject(conviction(date=date), dob=dob)
    policy = Policy(subject_under_21_at_conviction=True)
    assert judge_one(person, policy, GOGEN).reason == gogen_reason
    assert_review(judge_one(person, policy, CORRECTED),
                  "Needs review: date of birth or conviction date is not a valid date")


@pytest.mark.parametrize("other_date", [None, datetime.date(2000, 1, 1)])
def test_invalid_date_review_years_crime_free(other_date) -> None:
    # No valid date is recent; an invalid one might be.
    person = subject(conviction(date=None), other(code_section="503 VC", date=other_date))
    policy = Policy(years_crime_free_threshold=5)
    assert judge_one(person, policy, GOGEN).reason == "No convictions in the past 5 years"
    assert_review(judge_one(person, policy, CORRECTED),
                  "Needs review: a conviction date is not a valid date")


def test_invalid_date_review_not_needed_when_the_list_dismisses_anyway() -> None:
    person = subject(dob=None, deceased=True)
    policy = Policy(subject_age_threshold=65, subject_is_deceased=True)
    assert judge_one(person, policy, GOGEN).reason == "65 years or older"
    result = judge_one(person, policy, CORRECTED)
    assert (result.outcome, result.rule_id) == (Outcome.DISMISS, "ca-prop64/deceased")


@pytest.mark.parametrize(
    ("policy", "gogen_rule"),
    [
        (Policy(subject_age_threshold=65, reduce_sections=("11358",)), "ca-prop64/age-threshold"),
        (Policy(subject_age_threshold=65), "ca-prop64/age-threshold"),
    ],
)
def test_invalid_date_review_when_the_rest_would_reduce_or_give_nothing(
    policy: Policy, gogen_rule: str
) -> None:
    person = subject(dob=None)
    assert judge_one(person, policy, GOGEN).rule_id == gogen_rule
    assert_review(judge_one(person, policy, CORRECTED),
                  "Needs review: date of birth is not a valid date")


@pytest.mark.parametrize(
    ("overrides", "policy", "rule_id"),
    [
        ({"conviction_status": "MISDEMEANOR"}, Policy(subject_age_threshold=65), "ca-prop64/misdemeanor"),
        ({}, Policy(dismiss_sections=("11358",), subject_age_threshold=65), "ca-prop64/dismiss-by-section"),
    ],
)
def test_invalid_date_review_earlier_steps_still_decide(overrides, policy, rule_id: str) -> None:
    person = subject(conviction(date=None, **overrides), dob=None)
    for rules in (GOGEN, CORRECTED):
        assert judge_one(person, policy, rules).rule_id == rule_id


def test_invalid_date_review_unused_invalid_dates_change_nothing() -> None:
    person = subject(conviction(date=None), dob=None, deceased=True)
    policy = Policy(subject_is_deceased=True)
    assert judge_one(person, policy, CORRECTED).rule_id == "ca-prop64/deceased"


def test_invalid_date_review_report_columns() -> None:
    person = subject(conviction(date=None, date_raw="19790000"), dob=None)
    policy = Policy(subject_age_threshold=65)
    gogen = assess(person, GOGEN, policy)
    assert [column(gogen, p) for p in (DATE_OF_CONVICTION, YEARS_SINCE, YEARS_SINCE_ANY)] == [
        "01/01/0001", "-1.0", "-1.0"]
    assert column(gogen, DETERMINATION) == "Eligible for Dismissal"
    corrected = assess(person, CORRECTED, policy)
    assert [column(corrected, p) for p in (DATE_OF_CONVICTION, YEARS_SINCE, YEARS_SINCE_ANY)] == [
        "", "", ""]
    assert column(corrected, DETERMINATION) == "Hand Review"
    assert column(corrected, RULE_ID) == prop64.RULE_INVALID_DATE
    assert corrected.tally.outcomes == {"needs_review": 1}
    assert corrected.tally.subjects_with_some_relief == 0
    # gogen's zero date is the earliest conviction; the corrected tally keeps it too.
    assert gogen.tally.earliest_conviction == (1, 1, 1)


@pytest.mark.parametrize("raw", ["", "        ", "19790000", "1981041 ", "1981041", "20190229",
                                 "2019-01-01", "２０１９０１０１"])
def test_invalid_date_review_what_is_an_invalid_date(raw: str) -> None:
    assert doj_rows.parse_doj_date(raw) is None


def test_valid_doj_dates() -> None:
    assert doj_rows.parse_doj_date("20200229") == datetime.date(2020, 2, 29)
    assert doj_rows.parse_doj_date("00010101") == datetime.date(1, 1, 1)


# --------------------------------------------------------------------------
# ca-prop64/window-from-compute-date
# --------------------------------------------------------------------------


def test_window_from_compute_date_not_the_wall_clock() -> None:
    # A dismissed conviction 5 years before the compute date, judged 10 years later.
    person = subject(conviction(date=datetime.date(2014, 11, 11), conviction_status="MISDEMEANOR"))
    far_now = datetime.datetime(2029, 11, 11, tzinfo=datetime.timezone.utc)

    gogen_then = assess(person, GOGEN, now=NOW).tally
    gogen_later = assess(person, GOGEN, now=far_now).tally
    assert gogen_then.relief_current.no_conviction_last_7_years == 1
    assert gogen_later.relief_current.no_conviction_last_7_years == 0  # drifts with the clock
    assert gogen_later.relief_dismiss_all.no_conviction_last_7_years == 0

    corrected_then = assess(person, CORRECTED, now=NOW).tally
    corrected_later = assess(person, CORRECTED, now=far_now).tally
    assert corrected_later.relief_current.no_conviction_last_7_years == 1
    assert corrected_later.relief_dismiss_all.no_conviction_last_7_years == 1
    assert corrected_then == corrected_later


def test_window_from_compute_date_boundary() -> None:
    # Window start: compute date - 7 years = 2012-11-11; "after" is strict.
    for date, inside in [(datetime.date(2012, 11, 11), False), (datetime.date(2012, 11, 12), True)]:
        person = subject(conviction(date=date, conviction_status="MISDEMEANOR"))
        tally = assess(person, CORRECTED, now=datetime.datetime(1990, 1, 1, tzinfo=datetime.timezone.utc)).tally
        assert tally.relief_current.no_conviction_last_7_years == int(inside)


def test_window_from_compute_date_in_the_summary_of_the_gogen_fixture(gogen_fixtures, tmp_path) -> None:
    """gogen's golden test expected 2 in 2019; run "today" (2026-11-20) gogen gives 0."""
    policy = Policy.from_json((gogen_fixtures / "eligibility_options.json").read_bytes())
    source = [gogen_fixtures / "configurable_flow" / "input.csv"]
    figures = {}
    for rules in (GOGEN, CORRECTED):
        for label, now in [("2019", NOW),
                           ("2026", datetime.datetime(2026, 11, 20, tzinfo=datetime.timezone.utc))]:
            out = tmp_path / f"{rules.version}-{label}"
            run(source, out, rules, policy, now=now)
            document = json.loads((out / "gogen.json").read_text())
            figures[rules.version, label] = document["reliefWithCurrentEligibilityChoices"][
                "CountSubjectsNoConvictionLast7Years"]
    assert figures[GOGEN.version, "2019"] == 2
    assert figures[GOGEN.version, "2026"] == 0
    assert figures[CORRECTED.version, "2019"] == figures[CORRECTED.version, "2026"] == 2


# --------------------------------------------------------------------------
# ca-prop64/people-across-files
# --------------------------------------------------------------------------


def test_people_across_files_are_one_person(tmp_path, make_doj_row, write_doj) -> None:
    first = write_doj(tmp_path / "first.csv", [
        make_doj_row(SUBJECT_ID="1001", OFFENSE_DESCR="11359 HS-SELL CANNABIS"),
        make_doj_row(SUBJECT_ID="2002", CNT_ORDER="101002001000", OFN="555"),
    ])
    second = write_doj(tmp_path / "second.csv", [
        make_doj_row(SUBJECT_ID="1001", CNT_ORDER="102002001000", OFN="777",
                     OFFENSE_DESCR="503 VC-TAKE VEHICLE", STP_ORI_CNTY_NAME="YOLO"),
    ])
    policy = Policy(subject_has_only_prop64_charges=True)

    gogen = run([first, second], tmp_path / "gogen", GOGEN, policy)
    judged = read_csv(tmp_path / "gogen" / "Prop64_Results_1.csv")[1:]
    assert gogen.people == 3  # 1001 counts once per file
    assert [(r[2], r[CONVICTIONS_ON_RECORD], r[REASON]) for r in judged] == [
        ("1001", "1", "Only has 11357-60 charges"),
        ("2002", "1", "Only has 11357-60 charges"),
    ]

    corrected = run([first, second], tmp_path / "corrected", CORRECTED, policy)
    judged = read_csv(tmp_path / "corrected" / "Prop64_Results_1.csv")[1:]
    assert corrected.people == 2
    assert [(r[2], r[CONVICTIONS_ON_RECORD], r[DETERMINATION], r[REASON]) for r in judged] == [
        ("1001", "2", "Not eligible", ""),
        ("2002", "1", "Eligible for Dismissal", "Only has 11357-60 charges"),
    ]
    # The other file's rows are still written to that file's results.
    assert len(read_csv(tmp_path / "corrected" / "All_Results_2.csv")) == 2
    summary = json.loads((tmp_path / "corrected" / "gogen.json").read_text())
    assert summary["subjectsWithProp64ConvictionCountInCounty"] == 2
    assert summary["lineCount"] == 3


def test_people_across_files_deceased_in_another_file(tmp_path, make_doj_row, write_doj) -> None:
    first = write_doj(tmp_path / "a.csv", [make_doj_row(SUBJECT_ID="1001")])
    second = write_doj(tmp_path / "b.csv", [
        make_doj_row(SUBJECT_ID="1001", CNT_ORDER="103001001000", STP_TYPE_DESCR="DECEASED",
                     DISP_DESCR="", OFN="", OFFENSE_DESCR=""),
    ])
    policy = Policy(subject_is_deceased=True)
    run([first, second], tmp_path / "g", GOGEN, policy)
    run([first, second], tmp_path / "c", CORRECTED, policy)
    (gogen_row,) = read_csv(tmp_path / "g" / "Prop64_Results_1.csv")[1:]
    (corrected_row,) = read_csv(tmp_path / "c" / "Prop64_Results_1.csv")[1:]
    assert (gogen_row[NUM_COLUMNS + 15], gogen_row[REASON]) == ("-", "")
    assert (corrected_row[NUM_COLUMNS + 15], corrected_row[REASON]) == (
        "Deceased", "Individual is deceased")


# --------------------------------------------------------------------------
# ca-prop64/identity-conflict
# --------------------------------------------------------------------------

TWO_PEOPLE = (Conflict("CII_NUMBER", 2), Conflict("PRI_NAME/PRI_DOB", 2))


def test_identity_conflict_holds_every_conviction_for_review_first() -> None:
    """Before the decision list (a misdemeanour, a dismissal by section): relief must be
    tied to one person, and these rows are two people's."""
    person = subject(conviction(), other(conviction_status="MISDEMEANOR"))._replace(
        identity_conflicts=TWO_PEOPLE)
    policy = Policy(dismiss_sections=("11358",))
    held = prop64.evaluate(person, policy, COUNTY, COMPUTE_DATE, CORRECTED)
    assert [(d.outcome, d.rule_id, d.reason) for d in held] == [
        (Outcome.NEEDS_REVIEW, prop64.RULE_IDENTITY_CONFLICT, prop64.IDENTITY_REVIEW_REASON)] * 2
    assert all(d.statute_citation == STATUTES[prop64.RULE_IDENTITY_CONFLICT][0] for d in held)
    assert all(d.rule_pack_version == CORRECTED.version for d in held)
    # gogen's version judges them as gogen does (its report must stay gogen's).
    gogen = prop64.evaluate(person, policy, COUNTY, COMPUTE_DATE, GOGEN)
    assert [d.reason for d in gogen] == ["Dismiss all HS 11358 convictions", "Misdemeanor or Infraction"]
    assert gogen == prop64.evaluate(person._replace(identity_conflicts=()), policy, COUNTY,
                                    COMPUTE_DATE, GOGEN)


def test_identity_conflict_report_columns_and_tally() -> None:
    person = subject(conviction())._replace(identity_conflicts=TWO_PEOPLE)
    policy = Policy(dismiss_sections=("11358",))
    held = assess(person, CORRECTED, policy)
    assert column(held, DETERMINATION) == "Hand Review"
    assert column(held, REASON) == prop64.IDENTITY_REVIEW_REASON
    assert column(held, RULE_ID) == prop64.RULE_IDENTITY_CONFLICT
    assert held.tally.outcomes == {"needs_review": 1} and held.tally.subjects_with_some_relief == 0
    gogen = assess(person, GOGEN, policy)
    assert gogen.columns == assess(person._replace(identity_conflicts=()), GOGEN, policy).columns
    assert column(gogen, DETERMINATION) == "Eligible for Dismissal"


def _two_extracts(tmp_path: Path) -> list[Path]:
    """Two extracts that number their people alike (the finding): 21 SUBJECT_IDs carry two
    people each, with different names, dates of birth and CII numbers."""
    first = synthetic.generate(tmp_path / "county", people=30, seed=1).doj_csv
    second = synthetic.generate(tmp_path / "state", people=21, seed=2).doj_csv
    return [first.rename(tmp_path / "county.csv"), second.rename(tmp_path / "state.csv")]


def _judged_by_subject(out: Path, names: list[str]) -> dict[str, list[list[str]]]:
    judged: dict[str, list[list[str]]] = {}
    for name in names:
        for row in read_csv(out / name)[1:]:
            judged.setdefault(row[2], []).append(row)
    return judged


def test_identity_conflict_two_extracts_with_overlapping_subject_ids(tmp_path) -> None:
    files = _two_extracts(tmp_path)
    policy = Policy(dismiss_sections=("11357", "11358"), reduce_sections=("11359", "11360"))
    results = ["Prop64_Results_1.csv", "Prop64_Results_2.csv"]

    corrected = run(files, tmp_path / "c", CORRECTED, policy)
    assert (corrected.people, corrected.identity_conflicts) == (30, 21)
    judged = _judged_by_subject(tmp_path / "c", results)
    overlapping = {str(synthetic.FIRST_SUBJECT_ID + n) for n in range(21)}
    for subject_id, rows in judged.items():
        if subject_id in overlapping:
            assert {(r[DETERMINATION], r[REASON], r[RULE_ID]) for r in rows} == {
                ("Hand Review", prop64.IDENTITY_REVIEW_REASON, prop64.RULE_IDENTITY_CONFLICT)}
        else:
            assert all(r[RULE_ID] != prop64.RULE_IDENTITY_CONFLICT for r in rows)
    assert set(judged) - overlapping, "the other nine people are judged as usual"
    facts = json.loads((tmp_path / "c" / offline.RUN_FACTS).read_text())
    assert facts["subjectsWithIdentityConflicts"] == 21
    assert prop64.RULE_IDENTITY_CONFLICT in facts["corrections"]

    # gogen judges each file alone: 51 people, none of them in conflict, none held.
    gogen = run(files, tmp_path / "g", GOGEN, policy)
    assert (gogen.people, gogen.identity_conflicts) == (51, 0)
    assert all(r[DETERMINATION] != "Hand Review"
               for rows in _judged_by_subject(tmp_path / "g", results).values() for r in rows)


def test_identity_conflict_count_in_the_printed_summary(tmp_path, gogen_fixtures, capsys) -> None:
    from clearway import cli

    files = _two_extracts(tmp_path)
    common = ["evaluate", "--county", "SACRAMENTO", "--compute-at", "2019-11-11",
              "--policy", str(gogen_fixtures / "eligibility_options.json"), "--workers", "1"]
    assert cli.main([*common, "--out", str(tmp_path / "c"), *map(str, files)]) == 0
    assert ("21 SUBJECT_IDs hold rows of different people (CII or name and date of birth differ): "
            "their convictions are held for review") in capsys.readouterr().out
    assert cli.main([*common, "--out", str(tmp_path / "one"), str(files[0])]) == 0
    assert "different people" not in capsys.readouterr().out


@pytest.mark.parametrize("rules", [GOGEN, CORRECTED], ids=["gogen", "corrected"])
def test_identity_conflict_found_wherever_the_rows_are_and_whatever_the_layout(
        tmp_path, make_doj_row, write_doj, rules) -> None:
    """A row that changes no determination (an arrest) still counts as the other person's,
    in the same chunk as the conviction or in another one, and in another file."""
    rows = [make_doj_row(SUBJECT_ID="1001")]
    rows += [make_doj_row(SUBJECT_ID=str(2000 + n), CNT_ORDER="101002001000") for n in range(60)]
    rows += [make_doj_row(SUBJECT_ID="1001", PRI_NAME="ROE,RICHARD", STP_TYPE_DESCR="ARREST/DETAINED/CITED",
                          CNT_ORDER="102001001000", DISP_DESCR="", OFN="")]
    rows += [make_doj_row(SUBJECT_ID="3003"),
             make_doj_row(SUBJECT_ID="3003", CII_NUMBER=" ", PRI_DOB="", DISP_DESCR="", OFN="")]
    one = write_doj(tmp_path / "one.csv", rows)
    layouts = [{}, {"chunk_bytes": 2048, "partition_bytes": 4096}, {"workers": 2, "chunk_bytes": 2048}]
    found = set()
    for n, layout in enumerate(layouts):
        result = run([one], tmp_path / f"o{n}", rules, Policy(dismiss_sections=("11358",)), **layout)
        judged = _judged_by_subject(tmp_path / f"o{n}", ["Prop64_Results.csv"])
        found.add((result.identity_conflicts, judged["1001"][0][DETERMINATION], judged["3003"][0][DETERMINATION]))
    expected_1001 = "Hand Review" if rules.corrected else "Eligible for Dismissal"
    assert found == {(1, expected_1001, "Eligible for Dismissal")}


# --------------------------------------------------------------------------
# ca-prop64/pc290-288
# --------------------------------------------------------------------------


@pytest.mark.parametrize("section", ["288(A) PC", "288(B)(1) PC", "664/288(A) PC"])
def test_pc290_288_with_a_subdivision_is_registrable(section: str) -> None:
    person = subject(conviction(), other(code_section=section, county="YOLO"))
    assert column(assess(person, GOGEN), PC290) == "-"
    assert column(assess(person, CORRECTED), PC290) == section


def test_pc290_288_plain_is_registrable_in_both() -> None:
    person = subject(conviction(), other(code_section="288 PC"))
    assert column(assess(person, GOGEN), PC290) == "288 PC"
    assert column(assess(person, CORRECTED), PC290) == "288 PC"


# --------------------------------------------------------------------------
# ca-prop64/related-647f (the hypothetical "and related" flow, which writes nothing)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("section", ["647(F) PC", "647(F)PC"])
def test_related_647f_in_upper_case(section: str) -> None:
    assert not sections.is_related(section, corrected=False)
    assert sections.is_related(section, corrected=True)
    assert sections.is_related("647(f) PC", corrected=False)
    assert sections.is_related("647(f) PC", corrected=True)


# --------------------------------------------------------------------------
# ca-prop64/anchored-superstrikes
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "position"),
    [("137 PC", SUPERSTRIKES), ("1187 PC", SUPERSTRIKES), ("14500 PC", SUPERSTRIKES),
     ("1261 PC", PC290), ("2220 PC", SUPERSTRIKES)],
)
def test_anchored_superstrikes_match_whole_numbers(section: str, position: int) -> None:
    person = subject(conviction(), other(code_section=section))
    assert column(assess(person, GOGEN), position) == section
    assert column(assess(person, CORRECTED), position) == "-"


def test_anchored_superstrikes_keep_real_ones_in_conviction_order() -> None:
    person = subject(conviction(), other(code_section="664/187 PC"),
                     other(conviction_id="103", code_section="220 PC", source_row_index=2))
    for rules in (GOGEN, CORRECTED):
        assert column(assess(person, rules), SUPERSTRIKES) == "664/187 PC;220 PC"


# --------------------------------------------------------------------------
# ca-prop64/short-count-order
# --------------------------------------------------------------------------


def short_count_order_file(tmp_path: Path, make_doj_row, write_doj) -> Path:
    return write_doj(tmp_path / "short.csv", [
        make_doj_row(SUBJECT_ID="1001", CNT_ORDER="10100"),  # conviction: gogen panics
        make_doj_row(SUBJECT_ID="1002"),
        # A short CNT_ORDER on a row gogen does not index by it is fine.
        make_doj_row(SUBJECT_ID="1003", CNT_ORDER="1", STP_TYPE_DESCR="ARREST/DETAINED/CITED",
                     DISP_DESCR="", OFN=""),
        make_doj_row(SUBJECT_ID="1004", CNT_ORDER="101002"),  # exactly 6: fine
    ])


def test_short_count_order_gogen_gives_no_results_for_the_file(
    tmp_path, make_doj_row, write_doj
) -> None:
    """gogen panics on the row (exit 2, nothing written); compat + reject-file writes no results."""
    path = short_count_order_file(tmp_path, make_doj_row, write_doj)
    result = run([path], tmp_path / "out", GOGEN, on_bad_row=offline.REJECT_FILE)
    assert result.file_errors == {str(path): {
        "errorType": "PARSING",
        "errorMessage": "record on line 1: shorter than 6 characters on a conviction or court row",
    }}
    assert not (tmp_path / "out" / "All_Results.csv").exists()
    assert not (tmp_path / "out" / "gogen.json").exists()
    assert (tmp_path / "out" / "gogen.err").exists()


@pytest.mark.parametrize("rules", [GOGEN, CORRECTED], ids=["gogen", "corrected"])
def test_short_count_order_row_is_rejected_with_a_reason(
    tmp_path, make_doj_row, write_doj, rules
) -> None:
    path = short_count_order_file(tmp_path, make_doj_row, write_doj)
    result = run([path], tmp_path / "out", rules)
    assert result.file_errors == {}
    assert [(p.file, p.line, p.field) for p in result.problems] == [("short.csv", 2, "CNT_ORDER")]
    rejected = read_csv(tmp_path / "out" / offline.REJECTED_ROWS)
    assert rejected[0] == ["file", "line", "field", "reason", "record"]
    assert rejected[1][:4] == ["short.csv", "2", "CNT_ORDER",
                               "shorter than 6 characters on a conviction or court row"]
    judged = read_csv(tmp_path / "out" / "Prop64_Results.csv")[1:]
    assert [r[2] for r in judged] == ["1002", "1004"]
    assert len(read_csv(tmp_path / "out" / "All_Results.csv")) == 1 + 3


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"CNT_ORDER": "10100"}, True),  # conviction
        ({"CNT_ORDER": "", "DISP_DESCR": "CONVICTED"}, True),
        ({"CNT_ORDER": "10100", "DISP_DESCR": "DISMISSED", "OFN": "1"}, True),  # court row with OFN
        ({"CNT_ORDER": "10100", "DISP_DESCR": "DISMISSED", "OFN": " "}, True),  # whitespace OFN counts
        ({"CNT_ORDER": "10100", "DISP_DESCR": "DISMISSED", "OFN": ""}, False),
        ({"CNT_ORDER": "1", "DISP_DESCR": "", "STP_TYPE_DESCR": "ARREST/DETAINED/CITED"}, False),
        ({"CNT_ORDER": "101002"}, False),
    ],
)
def test_short_count_order_which_rows(make_doj_row, values: dict[str, str], problem: bool) -> None:
    assert (count_order_problem(make_doj_row(**values)) is not None) is problem


# --------------------------------------------------------------------------
# ca-prop64/empty-subject-id
# --------------------------------------------------------------------------


def empty_subject_file(tmp_path: Path, make_doj_row, write_doj, subject_id: str = "") -> Path:
    return write_doj(tmp_path / "nobody.csv", [
        # One count with a sentence part: the same CNT_ORDER twice.
        make_doj_row(SUBJECT_ID=subject_id, OFN="111"),
        make_doj_row(SUBJECT_ID=subject_id, OFN="222", SENT_LENGTH="6"),
        make_doj_row(SUBJECT_ID="1001", OFN="333"),
    ])


def test_empty_subject_id_gogen_counts_sentence_parts_as_convictions(
    tmp_path, make_doj_row, write_doj
) -> None:
    path = empty_subject_file(tmp_path, make_doj_row, write_doj)
    result = run([path], tmp_path / "out", GOGEN)
    assert result.problems == []
    judged = read_csv(tmp_path / "out" / "Prop64_Results.csv")[1:]
    # The pseudo-person's bookkeeping is reset on every row: both rows are
    # convictions and only the last row's case number survives.
    assert [(r[2], r[CONVICTIONS_ON_RECORD], r[CASE_NUMBER]) for r in judged] == [
        ("", "2", "222"), ("", "2", "222"), ("1001", "1", "333")]


@pytest.mark.parametrize("subject_id", ["", "   "])
def test_empty_subject_id_rows_are_rejected(tmp_path, make_doj_row, write_doj, subject_id) -> None:
    path = empty_subject_file(tmp_path, make_doj_row, write_doj, subject_id)
    result = run([path], tmp_path / "out", CORRECTED)
    assert [(p.line, p.field) for p in result.problems] == [(2, "SUBJECT_ID"), (3, "SUBJECT_ID")]
    assert all("cannot be tied to a person" in p.reason for p in result.problems)
    judged = read_csv(tmp_path / "out" / "Prop64_Results.csv")[1:]
    assert [(r[2], r[CONVICTIONS_ON_RECORD], r[CASE_NUMBER]) for r in judged] == [("1001", "1", "333")]


# --------------------------------------------------------------------------
# Every clause is tested
# --------------------------------------------------------------------------


def test_every_correction_has_its_own_test() -> None:
    """Each CORRECTIONS key is named by a test function here (name or docstring)."""
    module = sys.modules[__name__]
    tests = [
        (name, inspect.getdoc(fn) or "")
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("test_") and name != "test_every_correction_has_its_own_test"
    ]
    missing = []
    for clause in CORRECTIONS:
        slug = clause.split("/", 1)[1].replace("-", "_")
        if not any(slug in name or clause in doc for name, doc in tests):
            missing.append(clause)
    assert missing == [], f"clauses without a test in {Path(__file__).name}: {missing}"


def test_corrected_offline_report_lists_every_clause(tmp_path, make_doj_row, write_doj) -> None:
    path = write_doj(tmp_path / "one.csv", [make_doj_row()])
    run([path], tmp_path / "c", CORRECTED)
    run([path], tmp_path / "g", GOGEN)
    facts = json.loads((tmp_path / "c" / offline.RUN_FACTS).read_text())
    assert set(facts["corrections"]) == set(CORRECTIONS)
    assert "corrections" not in json.loads((tmp_path / "g" / offline.RUN_FACTS).read_text())
    assert bundle.EXPLANATION_COLUMNS == ("Rule ID", "Rule Version", "Statute Citation")
    assert COLUMNS[2] == "SUBJECT_ID"
