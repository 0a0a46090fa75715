"""The pipeline's services give what `clearway evaluate` gives, without a broker.

Intake's bulk submission (its producer a stand-in), eligibility's `determine`
and petitions' batch bundle are chained by hand here, on the same files the
offline command reads; the broker-backed version of this check is in
tests/integration/test_bundle_parity.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from kafka.future import Future

from clearway import topics
from clearway.ca_doj import columns as col
from clearway.ca_doj.columns import COLUMNS
from clearway.v1 import batch_pb2, case_pb2, determination_pb2, envelope_pb2
from clearway_eligibility import offline, service
from clearway_eligibility.domain import prop64
from clearway_eligibility.domain.model import Policy
from clearway_intake import bulk
from clearway_intake.domain.ca_doj.synthetic import generate
from clearway_intake.domain.identity import PersonIds
from clearway_intake.publisher import CasePublisher
from clearway_petitions.batch_bundle import BatchBundles

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gogen"
COMPUTE = dt.date(2019, 11, 11)
BUNDLE_FILES = ("All_Results.csv", "All_Results_Condensed.csv", "Prop64_Results.csv")


class _Producer:
    """What CasePublisher needs of KafkaProducer: every send kept, acknowledged at once."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    def send(self, topic, key, value, headers):
        self.sent.append((topic, value))
        return Future().success(None)

    def flush(self, timeout=None) -> None:
        pass

    def close(self, timeout=None) -> None:
        pass


def run_services(paths: list[Path], county_path: str, policy: Policy, rules: prop64.RuleVersion,
                 compute: dt.date, root: Path, on_bad_row: str = bulk.SKIP_ROW) -> tuple[Path, list]:
    """Cases → determinations → bundle, as the services do for one batch.

    Intake's own bulk submission reads the files (as `clearway submit` does for
    `rules`); its cases go through `service.determine`, and the determinations
    and BatchClosed into petitions' BatchBundles, in the order intake sent them.
    """
    evaluation = case_pb2.EvaluationRequest(
        rule_pack_version=rules.version,
        compute_date=envelope_pb2.SourceDate(year=compute.year, month=compute.month,
                                             day=compute.day, raw=compute.isoformat(), valid=True))
    producer = _Producer()
    publisher = CasePublisher("unused", PersonIds(b"parity-test-person-id-key"), producer=producer)
    bulk.submit_files(paths, publisher, tenant="test", jurisdiction=county_path,
                      evaluation=evaluation, on_bad_row=on_bad_row,
                      gogen_reading=not rules.corrected)
    bundles = BatchBundles(root)
    made_all = []
    folder = None
    for topic, value in producer.sent:
        if topic == topics.CASES:
            case = case_pb2.CaseSubmitted.FromString(value)
            made = service.determine(case, policy, "policy", dt.date(2000, 1, 1))
            made_all.append(made)
            assert bundles.add(made) is None
        elif topic == topics.BATCHES:
            folder = bundles.close(batch_pb2.BatchClosed.FromString(value))
    assert folder is not None, "the batch was complete"
    return folder, made_all


def run_offline(paths: list[Path], county: str, policy: Policy, rules: prop64.RuleVersion,
                compute: dt.date, out: Path) -> offline.RunResult:
    options = offline.Options(county=county, compute_date=compute, policy=policy, rules=rules,
                              workers=1)
    return offline.evaluate_files(paths, out, options)


def assert_same_bundle(pipeline: Path, offline_out: Path, names) -> None:
    """The result files `names` and gogen.json are the same in both folders."""
    for name in names:
        assert (pipeline / name).read_bytes() == (offline_out / name).read_bytes(), name
    documents = [json.loads((folder / "gogen.json").read_text()) for folder in (pipeline, offline_out)]
    for document in documents:
        document.pop("processingTimeInSeconds")
        # gogen's wall-clock 7-year window: each side reads its own "now".
        for block in ("reliefWithCurrentEligibilityChoices", "reliefWithDismissAllProp64"):
            document[block].pop("CountSubjectsNoConvictionLast7Years")
    assert documents[0] == documents[1]


def doj_row(subject_id: str, count_order: str, **values: str) -> list[str]:
    """A SACRAMENTO court row convicting of HS 11358, but for `values` (by column name)."""
    row = dict.fromkeys(COLUMNS, "")
    row.update(SUBJECT_ID=subject_id, CNT_ORDER=count_order, PRI_NAME="DOE,JANE", PRI_DOB="19800101",
               STP_EVENT_DATE="20100101", STP_TYPE_DESCR="COURT ACTION", STP_ORI_CNTY_NAME="SACRAMENTO",
               OFN="140193", OFFENSE_DESCR="11358 HS-CULTIVATE CANNABIS", OFFENSE_TOC="F",
               DISP_DESCR="CONVICTED-PROBATION", CONV_STAT_DESCR="FELONY", END_OF_REC="#")
    row.update(values)
    return [row[name] for name in COLUMNS]


def write_doj(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def subject_ids(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row[col.SUBJECT_ID] for row in list(csv.reader(fh))[1:]}


@pytest.mark.parametrize("rules", [prop64.GOGEN, prop64.CORRECTED], ids=lambda r: r.version)
def test_gogen_fixture_through_the_services_equals_the_offline_bundle(tmp_path, rules):
    policy = Policy.from_json((FIXTURES / "eligibility_options.json").read_bytes())
    source = [FIXTURES / "configurable_flow" / "input.csv"]
    folder, made = run_services(source, "ca/sacramento", policy, rules, COMPUTE, tmp_path / "b")
    result = run_offline(source, "SACRAMENTO", policy, rules, COMPUTE, tmp_path / "o")

    assert_same_bundle(folder, tmp_path / "o", BUNDLE_FILES)
    assert sum(len(m.convictions) for m in made) == result.judged == 18
    assert (folder / "Impact_Report.html").read_text().count("<svg") >= 3


def test_gogen_fixture_through_the_services_in_compat_mode_is_gogens_own_output(tmp_path):
    policy = Policy.from_json((FIXTURES / "eligibility_options.json").read_bytes())
    folder, _ = run_services([FIXTURES / "configurable_flow" / "input.csv"], "ca/sacramento",
                             policy, prop64.GOGEN, COMPUTE, tmp_path)
    for name in BUNDLE_FILES:
        expected = FIXTURES / "configurable_flow" / "expected" / name
        assert (folder / name).read_bytes() == expected.read_bytes(), name


@pytest.mark.parametrize("rules", [prop64.GOGEN, prop64.CORRECTED], ids=lambda r: r.version)
def test_a_file_rejected_whole_is_left_out_of_the_bundle_as_offline_leaves_it(tmp_path, rules):
    """BatchClosed's file errors: no result files for that file, gogen.err, and gogen.json
    only in the corrected version, as `clearway evaluate --on-bad-row reject-file` writes."""
    policy = Policy.from_json((FIXTURES / "eligibility_options.json").read_bytes())
    good = FIXTURES / "configurable_flow" / "input.csv"
    bad = tmp_path / "bad.csv"
    lines = good.read_text().splitlines(keepends=True)
    bad.write_text("".join(lines[:3]) + "broken,row\n" + "".join(lines[3:6]))
    options = offline.Options(county="SACRAMENTO", compute_date=COMPUTE, policy=policy, rules=rules,
                              workers=1, on_bad_row=offline.REJECT_FILE)
    result = offline.evaluate_files([good, bad], tmp_path / "o", options)
    (error,) = result.file_errors.values()
    folder, _ = run_services([good, bad], "ca/sacramento", policy, rules, COMPUTE, tmp_path / "b",
                             on_bad_row=bulk.REJECT_FILE)

    written = sorted(p.name for p in folder.iterdir() if p.suffix in (".csv", ".json", ".err"))
    # Offline lists the malformed rows in Rejected_Rows.csv; intake dead-letters them.
    offline_written = sorted(p.name for p in (tmp_path / "o").iterdir()
                             if p.suffix in (".csv", ".err", ".json") and p.name != offline.REJECTED_ROWS
                             and p.name != offline.RUN_FACTS)
    assert written == offline_written
    assert ("gogen.json" in written) is rules.corrected
    assert not any(name.endswith("_2.csv") for name in written)
    for name in (n for n in written if n.endswith(".csv")):
        assert (folder / name).read_bytes() == (tmp_path / "o" / name).read_bytes(), name
    assert json.loads((folder / "gogen.err").read_text()) == {"bad.csv": error}
    assert error == {"errorType": "PARSING", "errorMessage": "record on line 3: wrong number of fields"}
    if rules.corrected:
        summaries = [json.loads((f / "gogen.json").read_text()) for f in (folder, tmp_path / "o")]
        assert summaries[0]["lineCount"] == summaries[1]["lineCount"] == 38


@pytest.mark.parametrize("rules", [prop64.GOGEN, prop64.CORRECTED], ids=lambda r: r.version)
def test_people_split_over_two_files_give_the_same_bundle_as_offline(tmp_path, rules):
    """gogen judges each file alone (§1.1): a person with rows in both files is two
    people in its version, one in the corrected version; the pipeline as offline."""
    generated = generate(tmp_path / "in", people=60, seed=11, county="SACRAMENTO")
    lines = generated.doj_csv.read_text().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    first, second = tmp_path / "in" / "part1.csv", tmp_path / "in" / "part2.csv"
    first.write_text(header + "".join(rows[0::2]))
    second.write_text(header + "".join(rows[1::2]))
    policy = Policy.from_json((FIXTURES / "eligibility_options.json").read_bytes())
    compute = dt.date(2026, 11, 1)
    folder, made = run_services([first, second], "ca/sacramento", policy, rules, compute,
                                tmp_path / "b")
    result = run_offline([first, second], "SACRAMENTO", policy, rules, compute, tmp_path / "o")
    people = 60 if rules.corrected else len(subject_ids(first)) + len(subject_ids(second))
    assert result.people == len(made) == people
    assert people > 60 or rules.corrected, "some people have rows in both files"
    assert sum(len(m.convictions) for m in made) == result.judged
    assert_same_bundle(folder, tmp_path / "o",
                       [f"{kind}_{n}.csv" for kind in ("All_Results", "All_Results_Condensed",
                                                       "Prop64_Results") for n in (1, 2)])
    if not rules.corrected:
        cases = {(m.person_id, m.envelope.case_id) for m in made}
        assert len({person for person, _ in cases}) == len({case for _, case in cases}) == people


@pytest.mark.parametrize("rules", [prop64.GOGEN, prop64.CORRECTED], ids=lambda r: r.version)
def test_two_extracts_whose_subject_ids_overlap_give_the_same_bundle_as_offline(tmp_path, rules):
    """21 SUBJECT_IDs carry two people each (other names, dates of birth and CII numbers):
    the corrected version holds their convictions for review in the pipeline and offline
    alike; gogen's judges each file alone, so nobody conflicts."""
    first = generate(tmp_path / "in" / "a", people=30, seed=1).doj_csv.rename(tmp_path / "county.csv")
    second = generate(tmp_path / "in" / "b", people=21, seed=2).doj_csv.rename(tmp_path / "state.csv")
    policy = Policy.from_json((FIXTURES / "eligibility_options.json").read_bytes())
    compute = dt.date(2026, 11, 1)
    folder, made = run_services([first, second], "ca/sacramento", policy, rules, compute, tmp_path / "b")
    result = run_offline([first, second], "SACRAMENTO", policy, rules, compute, tmp_path / "o")
    assert_same_bundle(folder, tmp_path / "o",
                       [f"{kind}_{n}.csv" for kind in ("All_Results", "All_Results_Condensed",
                                                       "Prop64_Results") for n in (1, 2)])
    conflicting = [m for m in made if m.identity_conflicts]
    assert len(conflicting) == result.identity_conflicts == (21 if rules.corrected else 0)
    assert all(c.outcome == determination_pb2.OUTCOME_NEEDS_REVIEW and c.rule_id == prop64.RULE_IDENTITY_CONFLICT
               for m in conflicting for c in m.convictions)
    assert any(m.convictions for m in conflicting) or not rules.corrected


@pytest.mark.parametrize("rules", [prop64.GOGEN, prop64.CORRECTED], ids=lambda r: r.version)
def test_rows_with_an_empty_subject_id_give_the_same_bundle_as_offline(tmp_path, rules):
    """gogen judges them as one pseudo-subject per file whose bookkeeping resets on
    every row (§1.3), so a sentence part counts as a conviction of its own; the
    corrected version rejects them (ca-prop64/empty-subject-id), both ways alike."""
    path = write_doj(tmp_path / "in" / "nobody.csv", [
        doj_row("", "101002001000", OFN="111"),
        doj_row("1001", "101002001000"),
        doj_row("", "102001001000", STP_TYPE_DESCR="ARREST/DETAINED/CITED", DISP_DESCR="", OFN=""),
        doj_row("", "101002001000", OFN="222", SENT_LENGTH="6", SENT_TIME_CODE="M"),  # sentence part
        doj_row("   ", "101002001000"),  # spaces only: a subject like any other to gogen
        doj_row("", "101002002000", OFFENSE_DESCR="11357 HS-POSSESS MARIJUANA",
                CONV_STAT_DESCR="MISDEMEANOR", OFFENSE_TOC="M", OFN="333"),
    ])
    policy = Policy.from_json((FIXTURES / "eligibility_options.json").read_bytes())
    folder, made = run_services([path], "ca/sacramento", policy, rules, COMPUTE, tmp_path / "b")
    result = run_offline([path], "SACRAMENTO", policy, rules, COMPUTE, tmp_path / "o")
    assert_same_bundle(folder, tmp_path / "o", BUNDLE_FILES)
    assert result.people == len(made) == (1 if rules.corrected else 3)
    assert sum(len(m.convictions) for m in made) == result.judged == (1 if rules.corrected else 5)
    if not rules.corrected:
        (nobody,) = [m for m in made if not m.person.identifiers[0].value]
        # Only the last row's case number survives the resets.
        assert [list(c.case_numbers) for c in nobody.convictions] == [["333"]] * 3


@pytest.mark.parametrize("rules", [prop64.GOGEN, prop64.CORRECTED], ids=lambda r: r.version)
def test_a_short_count_order_is_rejected_by_intake_as_offline_rejects_it(tmp_path, rules):
    """gogen stops on a conviction or court row whose CNT_ORDER is under 6 characters
    (§1.3); both readers reject that row, in both versions, and judge the rest."""
    path = write_doj(tmp_path / "in" / "short.csv", [
        doj_row("1001", "101002001000"),
        doj_row("1001", "10100"),  # a conviction row: rejected
        doj_row("1002", "10100", STP_TYPE_DESCR="ARREST/DETAINED/CITED", DISP_DESCR="", OFN=""),  # kept
        doj_row("1002", "102002001000", OFN="222"),
    ])
    policy = Policy.from_json((FIXTURES / "eligibility_options.json").read_bytes())
    folder, made = run_services([path], "ca/sacramento", policy, rules, COMPUTE, tmp_path / "b")
    result = run_offline([path], "SACRAMENTO", policy, rules, COMPUTE, tmp_path / "o")
    assert_same_bundle(folder, tmp_path / "o", BUNDLE_FILES)
    assert result.rows_rejected == 1 and [p.field for p in result.problems] == ["CNT_ORDER"]
    assert sum(len(m.convictions) for m in made) == result.judged == 2


def test_the_last_row_of_an_empty_subject_id_resets_its_case_numbers_as_offline_does(tmp_path):
    path = write_doj(tmp_path / "in" / "nobody.csv", [
        doj_row("", "101002001000", OFN="111"),
        doj_row("1001", "101002001000"),
        doj_row("", "102001001000", STP_TYPE_DESCR="ARREST/DETAINED/CITED", DISP_DESCR="", OFN=""),
    ])
    policy = Policy.from_json((FIXTURES / "eligibility_options.json").read_bytes())
    folder, made = run_services([path], "ca/sacramento", policy, prop64.GOGEN, COMPUTE, tmp_path / "b")
    (nobody,) = [m for m in made if not m.person.identifiers[0].value]
    assert [list(c.case_numbers) for c in nobody.convictions] == [[]]  # gogen's reading
    run_offline([path], "SACRAMENTO", policy, prop64.GOGEN, COMPUTE, tmp_path / "o")
    assert_same_bundle(folder, tmp_path / "o", BUNDLE_FILES)


def test_a_bundle_is_not_written_until_every_case_is_in_and_a_replay_counts_once(tmp_path):
    policy = Policy.from_json((FIXTURES / "eligibility_options.json").read_bytes())
    folder, made = run_services([FIXTURES / "configurable_flow" / "input.csv"], "ca/sacramento",
                                policy, prop64.GOGEN, COMPUTE, tmp_path / "first")
    bundles = BatchBundles(tmp_path / "second")
    closed = batch_pb2.BatchClosed(envelope=made[0].envelope, case_count=len(made), row_count=38,
                                   source_files=["input.csv"])
    closed.envelope.case_id = ""
    assert bundles.close(closed) is None
    for determination in made[:-1]:
        assert bundles.add(determination) is None
        assert bundles.add(determination) is None  # redelivered: not counted twice
    done = bundles.add(made[-1])
    assert done is not None
    assert (done / "All_Results.csv").read_bytes() == (folder / "All_Results.csv").read_bytes()
