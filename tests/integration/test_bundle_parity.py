"""Through the real broker: a submitted batch ends in the bundle `clearway evaluate` writes.

Intake reads the files and publishes one case per person and BatchClosed;
eligibility judges each case; petitions writes the batch's bundle when the
last determination is in. The offline command, run on the same files with the
stack's policy, must give the same bytes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from clearway.ca_doj import columns as col
from clearway.devstack import Submission
from clearway_eligibility.config import DEFAULT_POLICY

pytestmark = pytest.mark.broker

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gogen"
BUNDLE = ("All_Results", "All_Results_Condensed", "Prop64_Results")


def evaluate_offline(stack, out: Path, files: list[Path], *extra: str, check: bool = True):
    return stack.clearway("evaluate", "--county", "SACRAMENTO", "--compute-at", "2019-11-11",
                          "--policy", str(DEFAULT_POLICY), "--out", str(out), *extra,
                          *map(str, files), check=check)


def summaries_match(pipeline: Path, offline: Path) -> None:
    documents = [json.loads(p.read_text()) for p in (pipeline, offline)]
    for document in documents:
        document.pop("processingTimeInSeconds")
        for block in ("reliefWithCurrentEligibilityChoices", "reliefWithDismissAllProp64"):
            document[block].pop("CountSubjectsNoConvictionLast7Years")  # gogen's wall clock
    assert documents[0] == documents[1]


def submit_in_compat_mode_as_offline(stack, tmp_path, source: Path) -> tuple[Submission, Path]:
    """Submit one file under gogen's rule version; its bundle must be `evaluate --compat gogen`'s."""
    submitted = Submission.parse(stack.clearway(
        "submit", str(source), "--jurisdiction", "ca/sacramento",
        "--rule-version", "gogen-0.2.13", "--compute-at", "2019-11-11").stdout)
    folder = stack.wait_for_bundle(submitted.batch_id)
    assert folder is not None, "no bundle after 180 s"
    evaluate_offline(stack, tmp_path / "offline", [source], "--compat", "gogen")
    for kind in BUNDLE:
        name = f"{kind}.csv"
        assert (folder / name).read_bytes() == (tmp_path / "offline" / name).read_bytes(), name
    summaries_match(folder / "gogen.json", tmp_path / "offline" / "gogen.json")
    return submitted, folder


def test_gogen_fixture_in_compat_mode_gives_the_offline_bundle(stack, tmp_path):
    submitted, folder = submit_in_compat_mode_as_offline(
        stack, tmp_path, FIXTURES / "configurable_flow" / "input.csv")
    assert submitted.rows == 38 and submitted.rejected_rows == 0
    assert (folder / "Impact_Report.html").exists()


def test_rows_without_a_subject_id_in_compat_mode_give_the_offline_bundle(stack, tmp_path):
    """gogen's pseudo-subject (§1.3) through the broker: three people's SUBJECT_IDs are
    erased, so rows of one CNT_ORDER become one subject's, each a conviction of its own."""
    with (FIXTURES / "configurable_flow" / "input.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    for row in rows[1:]:
        if row[col.SUBJECT_ID] in ("14575654", "21345614", "313456"):
            row[col.SUBJECT_ID] = ""
    source = tmp_path / "nobody.csv"
    with source.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    submitted, _ = submit_in_compat_mode_as_offline(stack, tmp_path, source)
    assert (submitted.rows, submitted.rejected_rows, submitted.cases) == (38, 0, 11)


def test_people_split_across_two_files_are_one_person_in_pipeline_and_offline(stack, sample, tmp_path):
    doj, _contacts = sample(40, 23)
    lines = doj.read_text().splitlines(keepends=True)
    files = [tmp_path / "part_a.csv", tmp_path / "part_b.csv"]
    files[0].write_text(lines[0] + "".join(lines[1::2]))
    files[1].write_text(lines[0] + "".join(lines[2::2]))
    submitted = Submission.parse(stack.clearway(
        "submit", *map(str, files), "--jurisdiction", "ca/sacramento",
        "--compute-at", "2019-11-11").stdout)
    assert submitted.cases == 40, "each person once, although their rows are in both files"
    folder = stack.wait_for_bundle(submitted.batch_id)
    assert folder is not None, "no bundle after 180 s"
    evaluate_offline(stack, tmp_path / "offline", files)
    for kind in BUNDLE:
        for number in (1, 2):
            name = f"{kind}_{number}.csv"
            assert (folder / name).read_bytes() == (tmp_path / "offline" / name).read_bytes(), name
    summaries_match(folder / "gogen.json", tmp_path / "offline" / "gogen.json")


def test_reject_file_in_compat_mode_gives_the_offline_bundle_and_error_file(stack, tmp_path):
    """gogen's whole-file rejection through the pipeline: the bad file's malformed row is
    dead-lettered, its other rows are withheld, and the bundle matches the offline one."""
    good = FIXTURES / "configurable_flow" / "input.csv"
    bad = tmp_path / "bad.csv"
    lines = good.read_text().splitlines(keepends=True)
    bad.write_text("".join(lines[:3]) + "broken,row\n" + "".join(lines[3:6]))
    result = stack.clearway(
        "submit", str(good), str(bad), "--jurisdiction", "ca/sacramento",
        "--rule-version", "gogen-0.2.13", "--compute-at", "2019-11-11", "--on-bad-row", "reject-file",
        check=False)
    assert result.returncode == 1, "a file rejected whole fails the command"
    submitted = Submission.parse(result.stdout)
    assert submitted.rejected_rows == 1
    assert "file bad.csv rejected whole (PARSING): record on line 3: wrong number of fields; " \
           "5 well-formed rows withheld" in result.stdout
    folder = stack.wait_for_bundle(submitted.batch_id)
    assert folder is not None, "no bundle after 180 s"
    offline_run = evaluate_offline(stack, tmp_path / "offline", [good, bad], "--compat", "gogen",
                                   "--on-bad-row", "reject-file", check=False)
    assert offline_run.returncode == 1, "a rejected file fails the offline run, as in gogen"
    for kind in BUNDLE:
        name = f"{kind}_1.csv"
        assert (folder / name).read_bytes() == (tmp_path / "offline" / name).read_bytes(), name
        assert not (folder / f"{kind}_2.csv").exists()
    offline_errors = json.loads((tmp_path / "offline" / "gogen.err").read_text())
    assert json.loads((folder / "gogen.err").read_text()) == {"bad.csv": offline_errors[str(bad)]}
    assert not (folder / "gogen.json").exists() and not (tmp_path / "offline" / "gogen.json").exists()
