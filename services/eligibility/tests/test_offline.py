"""Offline evaluation (`clearway evaluate`): gogen's bundle, byte for byte, at any parallelism.

* compat mode (`prop64.GOGEN`) reproduces gogen 0.2.13's own outputs for its
  fixtures exactly (tests/fixtures/gogen/README.md);
* the output does not depend on workers, chunk or partition sizes;
* the corrected version adds its three explanation columns and judges a
  person whose rows are split over files as one person.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from doj_files import unusable_doj_files

from clearway import cli
from clearway.ca_doj import bundle
from clearway.ca_doj import columns as col
from clearway.ca_doj.columns import COLUMNS, NUM_COLUMNS
from clearway.ca_doj.reader import MAX_LINE_BYTES, RECORD_TOO_LONG, Row, read_rows
from clearway_eligibility import offline
from clearway_eligibility.domain import doj_rows, prop64, report
from clearway_eligibility.domain.model import Policy
from clearway_eligibility.domain.prop64 import CORRECTED, GOGEN, STATUTES
from clearway_intake.domain.ca_doj import synthetic

COMPUTE_DATE = datetime.date(2019, 11, 11)
# gogen's expected outputs were produced on this day (README); the one summary
# figure that reads the wall clock is checked loosely anyway.
NOW = datetime.datetime(2026, 11, 20, tzinfo=datetime.timezone.utc)
CSV_OUTPUTS = ("All_Results.csv", "All_Results_Condensed.csv", "Prop64_Results.csv")

GOGEN_FIXTURES = [
    pytest.param("configurable_flow/input.csv", "SACRAMENTO", "configurable_flow/expected", id="configurable_flow"),
    pytest.param("no_headers.csv", "SAN JOAQUIN", "expected_no_headers", id="no_headers"),
    pytest.param("extra_comma.csv", "SAN JOAQUIN", "expected_extra_comma", id="extra_comma"),
]


@pytest.fixture
def policy(gogen_fixtures) -> Policy:
    return Policy.from_json((gogen_fixtures / "eligibility_options.json").read_bytes())


def options(policy: Policy, rules: prop64.RuleVersion, county: str = "SACRAMENTO", **more) -> offline.Options:
    settings = {"county": county, "compute_date": COMPUTE_DATE, "policy": policy, "rules": rules,
                "workers": 1, "now": NOW, **more}
    return offline.Options(**settings)


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def outputs(out: Path) -> dict[str, bytes]:
    """Every file of a run; gogen.json without its (naturally varying) processing time."""
    files = {}
    for path in sorted(out.iterdir()):
        data = path.read_bytes()
        if path.name.startswith("gogen") and path.suffix == ".json":
            document = json.loads(data)
            document.pop("processingTimeInSeconds")
            data = json.dumps(document).encode()
        files[path.name] = data
    return files


def assert_summary_matches(got: dict, expected: dict) -> None:
    """gogen.json key by key: processing time ignored, the wall-clock figure loosely."""
    assert list(got) == list(expected)  # same keys, same order
    for key, value in expected.items():
        if key == "processingTimeInSeconds":
            assert isinstance(got[key], float) and got[key] >= 0
        elif key.startswith("relief"):
            assert list(got[key]) == list(value)
            for name, count in value.items():
                if name == "CountSubjectsNoConvictionLast7Years":
                    # Depends on the wall clock in gogen (README): only plausible bounds.
                    assert isinstance(got[key][name], int)
                    assert 0 <= got[key][name] <= got["subjectsWithProp64ConvictionCountInCounty"]
                else:
                    assert got[key][name] == count, (key, name)
        else:
            assert got[key] == value, key


# --------------------------------------------------------------------------
# gogen's fixtures, byte for byte
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("input_path", "county", "expected_dir"), GOGEN_FIXTURES)
def test_gogen_fixtures_byte_for_byte(
    gogen_fixtures, policy, tmp_path, input_path: str, county: str, expected_dir: str
) -> None:
    result = offline.evaluate_files([gogen_fixtures / input_path], tmp_path, options(policy, GOGEN, county))
    expected = gogen_fixtures / expected_dir
    for name in CSV_OUTPUTS:
        assert (tmp_path / name).read_bytes() == (expected / name).read_bytes(), name
    got = json.loads((tmp_path / "gogen.json").read_text(encoding="utf-8"))
    assert_summary_matches(got, json.loads((expected / "gogen.json").read_text(encoding="utf-8")))
    assert result.rows == 38 and result.problems == [] and result.file_errors == {}
    assert not (tmp_path / offline.REJECTED_ROWS).exists()
    assert not (tmp_path / "gogen.err").exists()


@pytest.mark.parametrize("failing", ["_splice_chunk", "_write_reports"])
def test_a_run_that_fails_leaves_no_partial_bundle(synthetic_files, policy, tmp_path, monkeypatch,
                                                  failing) -> None:
    """Outputs are appended while chunks are still being spliced, and the reports come
    last: a failure at either point leaves an earlier run's bundle as it was."""
    single, _ = synthetic_files
    offline.evaluate_files([single], tmp_path, options(policy, CORRECTED))
    before = outputs(tmp_path)
    real = getattr(offline, failing)
    calls = []

    def fail_on_the_second_call(*args):
        calls.append(args)
        if len(calls) == 2 or failing == "_write_reports":
            raise OSError("disk full")
        return real(*args)

    monkeypatch.setattr(offline, failing, fail_on_the_second_call)
    with pytest.raises(OSError, match="disk full"):
        offline.evaluate_files([single], tmp_path, options(policy, GOGEN, chunk_bytes=64 << 10))
    assert calls  # the failure happened where it was meant to
    assert outputs(tmp_path) == before  # the corrected run's files, untouched; no spool left


_KILLED_IN_THE_REPORTS = """
import os, signal, sys
from pathlib import Path
from clearway_eligibility import offline
from clearway_eligibility.domain.model import Policy
from clearway_eligibility.domain.prop64 import CORRECTED
import datetime
offline._write_reports = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
policy = Policy.from_json(Path(sys.argv[1]).read_bytes())
offline.evaluate_files([sys.argv[2]], sys.argv[3], offline.Options(
    county="SACRAMENTO", compute_date=datetime.date(2019, 11, 11), policy=policy, rules=CORRECTED, workers=1))
"""


def test_the_spool_of_a_killed_run_is_removed_by_the_next_run(gogen_fixtures, policy, tmp_path) -> None:
    """SIGKILL leaves no chance to clean up; the next run in the folder does it, and leaves
    alone the spools of runs still going or of other hosts."""
    fixture = gogen_fixtures / "configurable_flow" / "input.csv"
    killed = subprocess.Popen([sys.executable, "-c", _KILLED_IN_THE_REPORTS,
                               str(gogen_fixtures / "eligibility_options.json"), str(fixture), str(tmp_path)])
    assert killed.wait(timeout=60) == -9
    (abandoned,) = tmp_path.glob(offline.SPOOL_PREFIX + "*")
    assert abandoned.name.startswith(f"{offline.SPOOL_PREFIX}{killed.pid}@")  # named by its owner
    running = tmp_path / f"{offline.SPOOL_PREFIX}{os.getpid()}@{socket.gethostname()}-abcd1234"
    elsewhere = tmp_path / f"{offline.SPOOL_PREFIX}1@another-host-abcd1234"
    unknown = tmp_path / f"{offline.SPOOL_PREFIX}abcd1234"
    for spool in (running, elsewhere, unknown):
        spool.mkdir()

    offline.evaluate_files([fixture], tmp_path, options(policy, CORRECTED))
    assert not abandoned.exists()
    assert sorted(tmp_path.glob(offline.SPOOL_PREFIX + "*")) == sorted([running, elsewhere, unknown])
    assert (tmp_path / "gogen.json").exists()


def test_gogen_summary_is_compact_go_json(gogen_fixtures, policy, tmp_path) -> None:
    offline.evaluate_files([gogen_fixtures / "configurable_flow" / "input.csv"], tmp_path,
                           options(policy, GOGEN))
    text = (tmp_path / "gogen.json").read_text(encoding="utf-8")
    expected = (gogen_fixtures / "configurable_flow" / "expected" / "gogen.json").read_text(encoding="utf-8")
    processing = '"processingTimeInSeconds":'

    def without_time(document: str) -> str:
        start = document.index(processing)
        return document[:start] + document[document.index(",", start):]

    assert without_time(text) == without_time(expected)


def test_gogen_fixture_twice_doubles_every_count(gogen_fixtures, policy, tmp_path) -> None:
    source = gogen_fixtures / "configurable_flow" / "input.csv"
    offline.evaluate_files([source, source], tmp_path, options(policy, GOGEN))
    single = json.loads((gogen_fixtures / "configurable_flow" / "expected" / "gogen.json").read_text())
    double = json.loads((tmp_path / "gogen.json").read_text())
    assert double["lineCount"] == 76
    assert double["subjectsWithProp64ConvictionCountInCounty"] == 24
    assert double["prop64ConvictionsCountInCountyByCodeSection"] == {
        k: 2 * v for k, v in single["prop64ConvictionsCountInCountyByCodeSection"].items()}
    assert double["convictionDismissalCountByAdditionalRelief"] == {
        k: 2 * v for k, v in single["convictionDismissalCountByAdditionalRelief"].items()}
    for n in (1, 2):
        for name in CSV_OUTPUTS:
            numbered = name.replace(".csv", f"_{n}.csv")
            assert (tmp_path / numbered).read_bytes() == (
                gogen_fixtures / "configurable_flow" / "expected" / name).read_bytes()


# --------------------------------------------------------------------------
# Malformed files
# --------------------------------------------------------------------------


def test_bad_file_rejected_whole_through_the_cli(gogen_fixtures, tmp_path) -> None:
    out = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, "-c", "import sys; from clearway.cli import main; sys.exit(main())",
         "evaluate", "--county", "SAN JOAQUIN", "--compute-at", "2019-11-11",
         "--policy", "eligibility_options.json", "--compat", "gogen",
         "--on-bad-row", "reject-file", "--out", str(out), "bad.csv"],
        cwd=gogen_fixtures, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 1, completed.stderr
    expected = json.loads((gogen_fixtures / "expected_bad" / "gogen.err").read_text())
    assert json.loads((out / "gogen.err").read_text()) == expected
    assert list(expected) == ["bad.csv"]  # keyed by the path as given
    assert (gogen_fixtures / "expected_bad.stderr").read_text().strip() in completed.stderr.splitlines()
    # gogen writes no summary and no CSVs for a failed file.
    for name in (*CSV_OUTPUTS, "gogen.json"):
        assert not (out / name).exists(), name


def test_bad_file_rejected_whole_in_process(gogen_fixtures, tmp_path, monkeypatch, capsys) -> None:
    """Same through evaluate_cli in this process; the corrected version still writes its summary."""
    monkeypatch.chdir(gogen_fixtures)
    status = cli.main(["evaluate", "--county", "SAN JOAQUIN", "--compute-at", "2019-11-11",
                       "--policy", "eligibility_options.json", "--on-bad-row", "reject-file",
                       "--out", str(tmp_path), "bad.csv"])
    assert status == 1
    assert json.loads((tmp_path / "gogen.err").read_text()) == json.loads(
        (gogen_fixtures / "expected_bad" / "gogen.err").read_text())
    assert "bad.csv: record on line 1: wrong number of fields" in capsys.readouterr().err
    assert (tmp_path / "gogen.json").exists()
    assert not (tmp_path / "All_Results.csv").exists()


@pytest.mark.parametrize("rules", [GOGEN, CORRECTED], ids=["gogen", "corrected"])
def test_bad_file_rows_are_skipped_and_listed_by_default(gogen_fixtures, policy, tmp_path, rules) -> None:
    result = offline.evaluate_files([gogen_fixtures / "bad.csv"], tmp_path,
                                    options(policy, rules, "SAN JOAQUIN"))
    assert result.file_errors == {}
    assert len(result.problems) == 37
    rejected = read_csv(tmp_path / offline.REJECTED_ROWS)
    assert rejected[0] == ["file", "line", "field", "reason", "record"]
    # Physical line numbers: the header is line 1.
    assert [(r[0], int(r[1]), r[3]) for r in rejected[1:]] == [
        ("bad.csv", line, "expected 95 fields, found 94") for line in range(2, 39)]
    # The record column holds the row as one CSV line: it reads back field for field.
    with (gogen_fixtures / "bad.csv").open(newline="") as fh:
        source_rows = list(csv.reader(fh))[1:]
    assert [next(csv.reader([r[4]])) for r in rejected[1:]] == source_rows
    assert read_csv(tmp_path / "All_Results.csv") == [list(COLUMNS) + list(report.header(rules))]
    assert json.loads((tmp_path / "gogen.json").read_text())["lineCount"] == 0


def _with_a_long_line(source: Path, target: Path, after_line: int, length: int) -> int:
    """`source` with a copy of its row at `after_line` inserted after it, its COMMENT_TEXT
    grown to make the line `length` bytes long (a 95-field row but for its length); returns
    the new line's number."""
    lines = source.read_bytes().splitlines(keepends=True)
    fields = next(csv.reader([lines[after_line].decode()]))
    fields[col.COMMENT_TEXT] = ""
    short = bundle.LineEncoder().line(fields).encode()
    fields[col.COMMENT_TEXT] = "X" * (length - len(short))
    long_line = bundle.LineEncoder().line(fields).encode()
    assert len(long_line) == length and long_line.endswith(b"\n")
    target.write_bytes(b"".join(lines[:after_line] + [long_line] + lines[after_line:]))
    return after_line + 1


@pytest.mark.parametrize("rules", [GOGEN, CORRECTED], ids=["gogen", "corrected"])
@pytest.mark.parametrize(("length", "chunk_bytes"), [
    pytest.param(5 * MAX_LINE_BYTES, offline.CHUNK_BYTES, id="longer-than-a-chunk"),
    pytest.param(2 * MAX_LINE_BYTES, offline.CHUNK_BYTES, id="inside-a-chunk"),
    pytest.param(MAX_LINE_BYTES + 2, 64 << 10, id="just-over-small-chunks"),
])
def test_a_line_too_long_is_reported_as_the_reader_reports_it_and_the_rest_is_judged(
        gogen_fixtures, policy, tmp_path, rules, length, chunk_bytes) -> None:
    source = gogen_fixtures / "configurable_flow" / "input.csv"
    long_file = tmp_path / "input.csv"
    line = _with_a_long_line(source, long_file, 10, length)
    result = offline.evaluate_files([long_file], tmp_path / "long",
                                    options(policy, rules, chunk_bytes=chunk_bytes, workers=2))
    (streamed,) = [r for r in read_rows(long_file, skip_bom=rules.corrected) if not isinstance(r, Row)]
    assert [(p.file, p.line, p.field, p.reason) for p in result.problems] == [
        ("input.csv", line, "", RECORD_TOO_LONG)] == [(streamed.file, streamed.line, "", streamed.reason)]
    assert read_csv(tmp_path / "long" / offline.REJECTED_ROWS)[1:] == [
        ["input.csv", str(line), "", RECORD_TOO_LONG, ""]]
    # Every other row is judged as if the long line were not there.
    clean = offline.evaluate_files([source], tmp_path / "clean", options(policy, rules))
    assert result.rows_written == clean.rows_written == 38
    for name in CSV_OUTPUTS:
        assert (tmp_path / "long" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes(), name


@pytest.mark.parametrize("rules", [GOGEN, CORRECTED], ids=["gogen", "corrected"])
def test_a_field_over_csvs_limit_is_refused_as_the_reader_refuses_it(gogen_fixtures, policy, tmp_path,
                                                                      rules) -> None:
    """A line under the line limit whose field is longer than csv's field limit: offline's fast
    split knows no such limit, so it must not judge a row the streaming reader refuses."""
    made = synthetic.generate(tmp_path / "sample", people=20, seed=5)
    assert bundle.is_plain(made.doj_csv.read_text()), "synthetic data takes the fast path"
    long_file = tmp_path / "input.csv"
    line = _with_a_long_line(made.doj_csv, long_file, 5, csv.field_size_limit() + 5000)
    result = offline.evaluate_files([long_file], tmp_path / "out", options(policy, rules))
    (streamed,) = [r for r in read_rows(long_file) if not isinstance(r, Row)]
    assert [(p.line, p.reason) for p in result.problems] == [(line, streamed.reason)] == [
        (line, f"field longer than {csv.field_size_limit()} characters (unclosed quote?)")]
    assert result.rows_written == made.rows


def test_the_cutter_reads_a_huge_line_in_bounded_blocks(tmp_path) -> None:
    """Planning reads at most a chunk (or a line's limit) at once, however long a line is."""
    path = tmp_path / "huge.csv"
    with open(path, "wb") as fh:
        fh.write(b"a,b\n")
        fh.write(b"y" * (64 * MAX_LINE_BYTES) + b"\n")
        fh.write(b"c,d\n" * 10)
    reads = []

    class Recording:
        def __init__(self, fh):
            self._fh = fh

        def read(self, size=-1):
            reads.append(size)
            return self._fh.read(size)

        def __getattr__(self, name):
            return getattr(self._fh, name)

    size = path.stat().st_size
    with open(path, "rb") as raw:
        fh = Recording(raw)
        first = offline._cut(fh, 0, size, 1 << 16)
        second = offline._cut(fh, first[0], size, 1 << 16)
        third = offline._cut(fh, second[0], size, 1 << 16)
    assert first == (4, 1, False)
    assert second == (4 + 64 * MAX_LINE_BYTES + 1, 1, True)
    assert third == (size, 10, False)
    assert 0 < max(reads) <= 4 * MAX_LINE_BYTES and -1 not in reads


def test_rejected_rows_all_reach_the_file_but_memory_keeps_a_few(gogen_fixtures, policy, tmp_path,
                                                                  monkeypatch) -> None:
    """A file of bad rows must not fill memory: only the first few are held, every one is written."""
    monkeypatch.setattr(offline, "PROBLEMS_KEPT", 5)
    result = offline.evaluate_files([gogen_fixtures / "bad.csv"], tmp_path,
                                    options(policy, CORRECTED, "SAN JOAQUIN", chunk_bytes=4096))
    assert result.rows_rejected == 37
    assert [p.line for p in result.problems] == [2, 3, 4, 5, 6]
    assert [int(r[1]) for r in read_csv(tmp_path / offline.REJECTED_ROWS)[1:]] == list(range(2, 39))
    assert json.loads((tmp_path / offline.RUN_FACTS).read_text())["rowsRejected"] == 37


def test_cli_skip_row_exit_status_is_zero(gogen_fixtures, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(gogen_fixtures)
    status = cli.main(["evaluate", "--county", "SAN JOAQUIN", "--compute-at", "2019-11-11",
                       "--policy", "eligibility_options.json", "--compat", "gogen",
                       "--out", str(tmp_path), "bad.csv"])
    assert status == 0
    assert "rejected row bad.csv:2: expected 95 fields, found 94" in capsys.readouterr().err
    assert len(read_csv(tmp_path / offline.REJECTED_ROWS)) == 38


def _unusable_inputs(gogen_fixtures: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    """Files that cannot be DOJ files at all, each with the reason `evaluate` and `submit` give."""
    return unusable_doj_files(folder, (gogen_fixtures / "configurable_flow" / "input.csv").read_bytes())


UNUSABLE = ["semicolons", "tabs", "no-DISP_DATE", "empty", "header-only", "random-bytes"]
# gogen's rules refuse a file under 128 bytes with gogen's own EOF (exit 1), as gogen does.
UNUSABLE_IN_COMPAT = [kind for kind in UNUSABLE if kind != "empty"]


@pytest.mark.parametrize(("kind", "compat"), [(kind, []) for kind in UNUSABLE]
                         + [(kind, ["--compat", "gogen"]) for kind in UNUSABLE_IN_COMPAT])
def test_a_file_that_cannot_be_a_doj_file_stops_evaluate_with_one_message(
        gogen_fixtures, tmp_path, monkeypatch, capsys, kind, compat) -> None:
    """Exit 3 and one line naming the file and why, before anything is written (not one line per row)."""
    path, reason = _unusable_inputs(gogen_fixtures, tmp_path)[kind]
    good = gogen_fixtures / "configurable_flow" / "input.csv"
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    status = cli.main(["evaluate", "--county", "SACRAMENTO", "--compute-at", "2019-11-11",
                       "--policy", str(gogen_fixtures / "eligibility_options.json"), *compat,
                       "--out", str(out), str(good), path.name])
    err = capsys.readouterr().err
    assert status == 3
    (line,) = err.splitlines()
    assert line.startswith(f"error: {path.name}: not a usable CA DOJ research file: {reason}")
    assert not out.exists(), "nothing is written, not even for the good file"


def test_gogens_short_file_refusal_stays_in_compat_mode(tmp_path, gogen_fixtures, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.csv").write_bytes(b"")
    status = cli.main(["evaluate", "--county", "SACRAMENTO", "--compute-at", "2019-11-11",
                       "--policy", str(gogen_fixtures / "eligibility_options.json"), "--compat", "gogen",
                       "--out", "out", "empty.csv"])
    assert status == 1
    assert capsys.readouterr().err.splitlines() == ["empty.csv: EOF"]
    assert json.loads((tmp_path / "out" / "gogen.err").read_text()) == {
        "empty.csv": {"errorType": "OTHER", "errorMessage": "EOF"}}


@pytest.mark.parametrize(("county", "message"), [
    ("ATLANTIS", "--county: 'ATLANTIS' is not a county of 'ca' (e.g. SAN JOAQUIN)"),
    ("Sacramento", "--county: 'Sacramento' is written SACRAMENTO in the records"),
    ("", "--county: '' is not a county of 'ca' (e.g. SAN JOAQUIN)"),
])
def test_evaluate_refuses_a_county_that_would_match_no_conviction(gogen_fixtures, tmp_path, capsys,
                                                                 county, message) -> None:
    """gogen compares the county exactly: any other spelling judges nobody and reports 0 convictions."""
    status = cli.main(["evaluate", "--county", county, "--compute-at", "2019-11-11",
                       "--policy", str(gogen_fixtures / "eligibility_options.json"),
                       "--out", str(tmp_path / "out"), str(gogen_fixtures / "configurable_flow" / "input.csv")])
    assert status == 2
    assert capsys.readouterr().err.splitlines() == [f"error: {message}"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("rules", [GOGEN, CORRECTED], ids=["gogen", "corrected"])
def test_bare_quote_in_unquoted_field_is_rejected_as_go_does(tmp_path, policy, make_doj_row, rules) -> None:
    """Go's csv reader refuses ab"c; Python's accepts it, so the row is checked and rejected."""
    good = bundle.LineEncoder().line(make_doj_row(SUBJECT_ID="1"))
    bare = make_doj_row(SUBJECT_ID="2", PRI_NAME="DOE JANE", OFFENSE_DESCR="11357 HS-POSS 1\" PIPE")
    assert not any("," in value for value in bare)
    source = tmp_path / "quotes.csv"
    source.write_text(good + ",".join(bare) + "\n" + good, encoding="utf-8")
    result = offline.evaluate_files([source], tmp_path / "out", options(policy, rules))
    assert [(p.line, p.field, p.reason) for p in result.problems] == [
        (2, "OFFENSE_DESCR", "bad CSV quoting: quote inside an unquoted field")]
    assert result.rows_written == 2
    result = offline.evaluate_files([source], tmp_path / "whole", options(policy, rules, on_bad_row="reject-file"))
    assert result.file_errors[str(source)]["errorMessage"].startswith("record on line 2: bad CSV quoting")


@pytest.mark.parametrize("rules", [GOGEN, CORRECTED], ids=["gogen", "corrected"])
def test_lone_carriage_return_is_data_as_in_go(tmp_path, policy, make_doj_row, rules) -> None:
    """gogen reads a CR that ends no line as part of the field, quoted or not, and writes it quoted."""
    rows = [make_doj_row(SUBJECT_ID=str(n), PRI_NAME="DOE JANE", COMMENT_TEXT=text)
            for n, text in enumerate(["A\rB", "PLAIN", "C\rD"])]
    source = tmp_path / "cr.csv"
    source.write_bytes(("\r\n".join(",".join(r) for r in rows) + "\r").encode())
    result = offline.evaluate_files([source], tmp_path / "out", options(policy, rules))
    assert result.problems == [] and result.rows_written == 3
    with (tmp_path / "out" / "All_Results.csv").open(encoding="utf-8", newline="") as fh:
        written = list(csv.reader(fh))[1:]
    assert [r[col.COMMENT_TEXT] for r in written] == ["A\rB", "PLAIN", "C\rD"]
    assert [r[col.END_OF_REC] for r in written] == [rows[0][col.END_OF_REC]] * 3  # the file's last CR dropped
    assert b',"A\rB",' in (tmp_path / "out" / "All_Results.csv").read_bytes()


def test_file_shorter_than_the_header_sniff_fails_only_in_gogen(tmp_path, policy) -> None:
    """gogen needs 128 bytes to sniff the header: a shorter file fails with EOF (§1.1 quirk b)."""
    row = ["", "", "1"] + [""] * (NUM_COLUMNS - 3)  # one valid row of 94 commas
    source = tmp_path / "short.csv"
    source.write_text(",".join(row) + "\n", encoding="utf-8")
    assert source.stat().st_size < 128
    gogen = offline.evaluate_files([source], tmp_path / "gogen", options(policy, GOGEN))
    assert gogen.file_errors == {str(source): {"errorType": "OTHER", "errorMessage": "EOF"}}
    assert json.loads((tmp_path / "gogen" / "gogen.err").read_text()) == gogen.file_errors
    assert not (tmp_path / "gogen" / "All_Results.csv").exists()
    corrected = offline.evaluate_files([source], tmp_path / "corrected", options(policy, CORRECTED))
    assert corrected.file_errors == {} and corrected.rows_written == 1 and corrected.people == 1


def test_missing_input_is_reported_as_gogen_does(gogen_fixtures, policy, tmp_path) -> None:
    good = gogen_fixtures / "configurable_flow" / "input.csv"
    result = offline.evaluate_files(["missing.csv", good], tmp_path, options(policy, GOGEN))
    assert result.file_errors == {"missing.csv": {
        "errorType": "OTHER", "errorMessage": "open missing.csv: no such file or directory"}}
    # The other file is still judged and written.
    assert (tmp_path / "All_Results.csv").read_bytes() == (
        gogen_fixtures / "configurable_flow" / "expected" / "All_Results.csv").read_bytes()
    assert json.loads((tmp_path / "gogen.err").read_text()) == result.file_errors
    assert not (tmp_path / "gogen.json").exists()


def test_cli_refuses_bad_arguments(gogen_fixtures, tmp_path, capsys) -> None:
    base = ["evaluate", "--county", "SACRAMENTO", "--policy",
            str(gogen_fixtures / "eligibility_options.json"), "--out", str(tmp_path),
            str(gogen_fixtures / "no_headers.csv")]
    assert cli.main([*base, "--compute-at", "2019-13-01"]) == 2
    assert "--compute-at" in capsys.readouterr().err
    bad_policy = tmp_path / "bad.json"
    bad_policy.write_text('{"additionalRelief": {"subjectAgeThreshold": 30}}')
    assert cli.main([*base, "--compute-at", "2019-11-11", "--policy", str(bad_policy)]) == 2
    assert "SubjectAgeThreshold should be between 40 and 65, or 0" in capsys.readouterr().err


# --------------------------------------------------------------------------
# Same bytes whatever the parallelism
# --------------------------------------------------------------------------

LAYOUTS = [
    pytest.param({"workers": 1}, id="one-worker"),
    pytest.param({"workers": 2}, id="two-workers"),
    pytest.param({"workers": 1, "chunk_bytes": 256, "partition_bytes": 2048}, id="tiny-chunks"),
    pytest.param({"workers": 2, "chunk_bytes": 256, "partition_bytes": 2048}, id="tiny-chunks-two-workers"),
]


def awkward_file(path: Path, make_doj_row, write_doj) -> Path:
    """Rows whose fields need Go's quoting, split over many tiny chunks."""
    rows = []
    for n in range(12):
        rows.append(make_doj_row(
            SUBJECT_ID=str(5000 + n % 4),
            CNT_ORDER=f"10{n % 10}002001000",
            OFFENSE_DESCR=["11358 HS-CULTIVATE, \"BIG\"", " 11359 HS-LEADING SPACE",
                           "SEE COMMENT FOR CHARGE", "\\."][n % 4],
            # Quoted: a line break, a CRLF (Go reads it as LF), a lone CR (kept).
            COMMENT_TEXT=["11360 HS-MULTI\nLINE", "x\r\ny", "11358 HS-OTHER, p\rq", "\xa0NBSP"][n % 4],
            DISP_DESCR="CONVICTED" if n % 3 else "DISMISSED",
            CONV_STAT_DESCR="" if n % 5 == 0 else "FELONY",
            STP_EVENT_DATE="20100229" if n == 7 else f"20{n:02d}0101",
        ))
    return write_doj(path, rows)


@pytest.mark.parametrize("rules", [GOGEN, CORRECTED], ids=["gogen", "corrected"])
def test_same_bytes_whatever_the_parallelism(
    gogen_fixtures, policy, tmp_path, make_doj_row, write_doj, rules
) -> None:
    sources = [
        gogen_fixtures / "configurable_flow" / "input.csv",
        gogen_fixtures / "no_headers.csv",
        awkward_file(tmp_path / "awkward.csv", make_doj_row, write_doj),
    ]
    runs = []
    for n, layout in enumerate(p.values[0] for p in LAYOUTS):
        out = tmp_path / f"run{n}"
        result = offline.evaluate_files(sources, out, options(policy, rules, **layout))
        runs.append((outputs(out), result.people, result.judged, result.rows))
    first = runs[0]
    assert len(first[0]) >= 3 * 3 + 3
    for other in runs[1:]:
        assert other[1:] == first[1:]
        assert other[0].keys() == first[0].keys()
        for name in first[0]:
            assert other[0][name] == first[0][name], name


PLAIN_SHAPES = [
    {"PRI_NAME": "DOE JANE"},  # no quotes: copied
    {"PRI_NAME": "DOE,JANE"},  # one quoted field, kept by the condensed file: copied
    {"PRI_NAME": "DOE JANE", "REQ_NAME": "ROE,RICHARD"},  # quoted, dropped from condensed
    {"PRI_NAME": "DOE,JANE", "REQ_NAME": "ROE,RICHARD"},  # two quoted fields: encoded
    {"PRI_NAME": "DOE JANE", "OFFENSE_DESCR": '11357 HS-"POSSESS",'},  # quotes in a quoted field: encoded
    {"PRI_NAME": "DOE JANE", "COMMENT_TEXT": "SEE,"},  # one quoted field near the line's end: copied
    {"PRI_NAME": "DOE JANE", "SENT_LENGTH": '"'},  # a field that is one quote: encoded
]


@pytest.mark.parametrize("rules", [GOGEN, CORRECTED], ids=["gogen", "corrected"])
@pytest.mark.parametrize("shapes", [
    # A plain file is read line by line; one leading space anywhere sends it all the general way.
    pytest.param(PLAIN_SHAPES, id="plain"),
    pytest.param(PLAIN_SHAPES + [{"PRI_NAME": "DOE,JANE", "SENT_LENGTH": " 3"}], id="leading-space"),
])
def test_copied_lines_are_the_lines_go_would_write(tmp_path, policy, make_doj_row, write_doj, rules,
                                                   shapes) -> None:
    """Input lines copied as they are (not re-encoded) equal Go's encoding of their fields."""
    rows = []
    for n, shape in enumerate(shapes * 2):
        convicted = n >= len(shapes)  # a judged conviction (candidate line) of each shape too
        rows.append(make_doj_row(**{"SUBJECT_ID": str(n), "DISP_DESCR": "CONVICTED" if convicted else "DISMISSED",
                                    "OFFENSE_DESCR": "11357 HS-POSSESS", "STP_ORI_CNTY_NAME": "SACRAMENTO",
                                    **shape}))
    source = write_doj(tmp_path / "shapes.csv", rows)
    offline.evaluate_files([source], tmp_path / "out", options(policy, rules))
    encoder = bundle.LineEncoder()
    for name, pick in (("All_Results.csv", list), ("All_Results_Condensed.csv",
                                                   lambda r: [r[i] for i in bundle.CONDENSED_COLUMNS])):
        lines = (tmp_path / "out" / name).read_text(encoding="utf-8").splitlines(keepends=True)[1:]
        assert len(lines) == len(rows)
        for row, line in zip(rows, lines):
            written = next(csv.reader([line]))
            tail = written[len(pick(row)):]
            assert line == encoder.line(pick(row) + tail), name


def test_tiny_chunks_really_split_the_file(gogen_fixtures, policy) -> None:
    source = str(gogen_fixtures / "configurable_flow" / "input.csv")
    cutter, headers, total_bytes = offline._plan([source], options(policy, GOGEN, chunk_bytes=256))
    chunks = list(cutter)
    assert len(chunks) > 30 and headers == [1]
    assert total_bytes == sum(c.end - c.start for c in chunks)
    # Chunks tile the file after the header, each ending on a line end.
    data = Path(source).read_bytes()
    assert chunks[0].start == data.index(b"\n") + 1
    assert all(a.end == b.start for a, b in zip(chunks, chunks[1:]))
    assert chunks[-1].end == len(data)
    assert all(data[c.end - 1:c.end] == b"\n" for c in chunks)


@pytest.mark.parametrize("line, verbatim, column", [
    ("a,b,c", True, -1),
    ("", True, -1),
    (",,", True, -1),
    ('a,"DOE,JANE",c', True, 1),
    ('"DOE,JANE",b', True, 0),
    ('a,"DOE,JANE"', True, 1),
    ('a,"DOE, JANE M,JR",c', True, 1),
    ('a,"DOE JANE",c', False, -1),      # quoted without a comma: Go writes it unquoted
    ('a,"",c', False, -1),
    ('a,b"c",d', False, -1),            # a quote inside a field is data: csv's reading
    ('a,"x ""y"", z",c', False, -1),    # escaped quotes: csv's reading
    ('a,"p,q","r,s"', False, -1),       # two quoted fields: csv's reading
])
def test_split_plain_line_reads_as_csv(line, verbatim, column) -> None:
    fields, is_verbatim, quoted = offline._split_plain_line(line)
    assert fields == next(csv.reader([line], strict=True), [])
    assert (is_verbatim, quoted) == (verbatim, column)


@pytest.mark.parametrize("line", ['a,"DOE,JANE', 'a,"DOE"JANE,c', 'a,"b""'])
def test_split_plain_line_refuses_what_csv_refuses(line) -> None:
    """An open quote (a record over two lines) or text after a closing quote."""
    with pytest.raises(csv.Error):
        offline._split_plain_line(line)


@pytest.mark.parametrize("rules", [GOGEN, CORRECTED], ids=["gogen", "corrected"])
def test_plain_file_with_a_record_over_two_lines(tmp_path, policy, make_doj_row, rules) -> None:
    """A line break in a quoted field, in a file otherwise read line by line, is still one record."""
    rows = [make_doj_row(SUBJECT_ID=str(n), PRI_NAME="DOE,JANE", DISP_DESCR="CONVICTED",
                         STP_ORI_CNTY_NAME="SACRAMENTO", OFFENSE_DESCR="11357 HS-POSSESS",
                         COMMENT_TEXT="TWO\nLINES" if n == 1 else "ONE LINE")
            for n in range(3)]
    source = tmp_path / "broken.csv"
    source.write_text("".join(bundle.LineEncoder().line(r) for r in rows), encoding="utf-8")
    result = offline.evaluate_files([source], tmp_path / "out", options(policy, rules))
    assert result.problems == [] and result.rows_written == 3 and result.judged == 3
    written = read_csv(tmp_path / "out" / "All_Results.csv")[1:]
    assert [r[:NUM_COLUMNS] for r in written] == rows


@pytest.mark.parametrize("rules", [GOGEN, CORRECTED], ids=["gogen", "corrected"])
def test_plain_file_with_text_after_a_closing_quote(tmp_path, policy, make_doj_row, rules) -> None:
    """Go refuses "x"y; that row is rejected with its line, and the rows around it are kept."""
    lines = [",".join(make_doj_row(SUBJECT_ID=str(n), PRI_NAME="DOE JANE")) for n in range(4)]
    lines[2] = lines[2].replace("DOE JANE", '"DOE"JANE')
    source = tmp_path / "closing.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = offline.evaluate_files([source], tmp_path / "out", options(policy, rules))
    assert [(p.line, p.field) for p in result.problems] == [(3, "")]
    assert "quote" in result.problems[0].reason
    assert result.rows_written == 3
    written = read_csv(tmp_path / "out" / "All_Results.csv")[1:]
    assert [r[col.SUBJECT_ID] for r in written] == ["0", "1", "3"]


def test_quoted_line_breaks_survive_chunking(tmp_path, policy, make_doj_row, write_doj) -> None:
    source = awkward_file(tmp_path / "awkward.csv", make_doj_row, write_doj)
    offline.evaluate_files([source], tmp_path / "out", options(policy, CORRECTED, chunk_bytes=64))
    rows = read_csv(tmp_path / "out" / "All_Results.csv")[1:]
    with source.open(newline="") as fh:
        # Go's csv reader turns CRLF into LF inside quoted fields too; a lone CR stays.
        expected = [[f.replace("\r\n", "\n") for f in r] for r in list(csv.reader(fh))[1:]]
    assert [r[:NUM_COLUMNS] for r in rows] == expected
    assert any("p\rq" in f for r in rows for f in r) and any("x\ny" in f for r in rows for f in r)
    text = (tmp_path / "out" / "All_Results.csv").read_text(encoding="utf-8")
    assert ',"\\.",' in text and '," 11359 HS-LEADING SPACE",' in text and ',"\xa0NBSP",' in text


# --------------------------------------------------------------------------
# The corrected version
# --------------------------------------------------------------------------


def test_corrected_adds_rule_version_and_citation_columns(gogen_fixtures, policy, tmp_path) -> None:
    offline.evaluate_files([gogen_fixtures / "configurable_flow" / "input.csv"], tmp_path,
                           options(policy, CORRECTED))
    header, *rows = read_csv(tmp_path / "All_Results.csv")
    assert header == [*COLUMNS, *bundle.ELIGIBILITY_COLUMNS, "Rule ID", "Rule Version", "Statute Citation"]
    assert len(header) == NUM_COLUMNS + 21
    judged_header, *judged = read_csv(tmp_path / "Prop64_Results.csv")
    assert judged_header == header and len(judged) == 18
    for row in judged:
        rule_id, version, citation = row[-3:]
        assert rule_id in STATUTES and version == "2026.11" and citation == STATUTES[rule_id][0]
    judged_lines = {tuple(r) for r in judged}
    for row in rows:
        assert len(row) == len(header)
        if tuple(row) not in judged_lines:
            assert row[-3:] == ["", "", ""]
    condensed_header, *condensed = read_csv(tmp_path / "All_Results_Condensed.csv")
    assert len(condensed_header) == 20 + 21 and all(len(r) == 41 for r in condensed)


@pytest.mark.parametrize(("input_path", "county", "expected_dir"), GOGEN_FIXTURES)
def test_corrected_agrees_with_gogen_on_its_fixtures(
    gogen_fixtures, policy, tmp_path, input_path: str, county: str, expected_dir: str
) -> None:
    """The fixtures hold none of the defects §7 lists: every gogen column is the same."""
    offline.evaluate_files([gogen_fixtures / input_path], tmp_path, options(policy, CORRECTED, county))
    for name, width in (("All_Results.csv", NUM_COLUMNS + 18), ("All_Results_Condensed.csv", 38),
                        ("Prop64_Results.csv", NUM_COLUMNS + 18)):
        got = [row[:width] for row in read_csv(tmp_path / name)]
        assert got == read_csv(gogen_fixtures / expected_dir / name), name
    expected = json.loads((gogen_fixtures / expected_dir / "gogen.json").read_text())
    assert_summary_matches(json.loads((tmp_path / "gogen.json").read_text()), expected)


# --------------------------------------------------------------------------
# A larger, seeded synthetic case
# --------------------------------------------------------------------------

PEOPLE = 300


@pytest.fixture(scope="module")
def synthetic_files(tmp_path_factory) -> tuple[Path, tuple[Path, ...]]:
    base = tmp_path_factory.mktemp("synthetic")
    single = synthetic.generate(base / "single", people=PEOPLE, seed=7, county="SACRAMENTO")
    split = synthetic.generate(base / "split", people=PEOPLE, seed=7, county="SACRAMENTO", files=2)
    return single.doj_csv, split.doj_csvs


def direct_assessment(path: Path, policy: Policy, rules: prop64.RuleVersion) -> dict[int, list[str]]:
    """Each person judged on their own, as the eligibility service does: row index -> columns."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    people: dict[str, list] = {}
    for index, fields in enumerate(rows):
        people.setdefault(fields[col.SUBJECT_ID], []).append(doj_rows.facts_of(index, fields))
    columns: dict[int, list[str]] = {}
    for person_id, facts in people.items():
        person = doj_rows.subject_from_facts(person_id, facts, corrected=rules.corrected)
        assessment = report.assess(person, policy, "SACRAMENTO", COMPUTE_DATE, rules, NOW)
        assert len(assessment.columns) == len(assessment.determinations)
        columns.update(assessment.columns)
    return columns


@pytest.mark.parametrize("rules", [GOGEN, CORRECTED], ids=["gogen", "corrected"])
def test_synthetic_workers_agree_and_every_determination_is_written(
    synthetic_files, policy, tmp_path, rules
) -> None:
    source, _ = synthetic_files
    results = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        result = offline.evaluate_files([source], out, options(policy, rules, workers=workers,
                                                               chunk_bytes=64 << 10,
                                                               partition_bytes=128 << 10))
        results[workers] = (result, outputs(out))
    (one, one_files), (two, two_files) = results[1], results[2]
    assert one_files == two_files
    assert one.people == two.people == PEOPLE
    assert one.problems == []

    header, *judged = read_csv(tmp_path / "w1" / "Prop64_Results.csv")
    assert len(judged) == one.judged == sum(one.tally.outcomes.values()) > PEOPLE
    summary = json.loads((tmp_path / "w1" / "gogen.json").read_text())
    assert sum(summary["prop64ConvictionsCountInCountyByCodeSection"].values()) == len(judged)
    assert summary["prop64FelonyConvictionsCountInCounty"] + summary[
        "prop64NonFelonyConvictionsCountInCounty"] == len(judged)

    # Offline evaluation equals judging each person alone, row for row.
    expected = direct_assessment(source, policy, rules)
    assert len(expected) == len(judged)
    all_rows = read_csv(tmp_path / "w1" / "All_Results.csv")[1:]
    for index, row in enumerate(all_rows):
        if index in expected:
            assert row[NUM_COLUMNS:] == expected[index], index


def test_synthetic_person_split_over_files(synthetic_files, policy, tmp_path) -> None:
    """Corrected: the split files give the single file's judgements; gogen: people double."""
    single, split = synthetic_files
    assert len(split) == 2

    def judgements(out: Path, names: list[str]) -> dict[tuple[str, str], list[str]]:
        """(SUBJECT_ID, CNT_ORDER) -> eligibility columns of each judged conviction.

        The DOJ columns may differ: which sentence part of a count comes first
        depends on how the rows are spread over the files.
        """
        found = {}
        for name in names:
            for row in read_csv(out / name)[1:]:
                key = (row[col.SUBJECT_ID], row[col.CNT_ORDER])
                assert key not in found
                found[key] = row[NUM_COLUMNS:]
        return found

    whole = offline.evaluate_files([single], tmp_path / "whole", options(policy, CORRECTED))
    parts = offline.evaluate_files(list(split), tmp_path / "parts", options(policy, CORRECTED, workers=2))
    assert parts.people == whole.people == PEOPLE
    assert parts.judged == whole.judged
    whole_judgements = judgements(tmp_path / "whole", ["Prop64_Results.csv"])
    assert len(whole_judgements) == whole.judged
    assert judgements(tmp_path / "parts", ["Prop64_Results_1.csv", "Prop64_Results_2.csv"]) == \
        whole_judgements
    assert parts.tally == whole.tally

    gogen = offline.evaluate_files(list(split), tmp_path / "gogen", options(policy, GOGEN))
    assert gogen.people > PEOPLE  # a person with rows in both files counts twice
    assert gogen.tally.subjects == gogen.people


def test_synthetic_cli_matches_the_api(synthetic_files, gogen_fixtures, policy, tmp_path) -> None:
    source, _ = synthetic_files
    status = cli.main(["evaluate", "--county", "SACRAMENTO", "--compute-at", "2019-11-11",
                       "--policy", str(gogen_fixtures / "eligibility_options.json"),
                       "--compat", "gogen", "--workers", "2", "--out", str(tmp_path / "cli"), str(source)])
    assert status == 0
    offline.evaluate_files([source], tmp_path / "api", options(policy, GOGEN))
    for name in CSV_OUTPUTS:
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "api" / name).read_bytes()
    assert os.path.exists(tmp_path / "cli" / "gogen.json")


def test_byte_order_mark_defeats_gogens_header_detection(tmp_path, policy, make_doj_row) -> None:
    """gogen reads a BOM-prefixed header as a data row (§1.1 quirk); the corrected version skips it."""
    source = tmp_path / "bom.csv"
    source.write_text("\ufeff" + bundle.LineEncoder().lines([COLUMNS, make_doj_row()]), encoding="utf-8")
    gogen = offline.evaluate_files([source], tmp_path / "g", options(policy, GOGEN))
    corrected = offline.evaluate_files([source], tmp_path / "c", options(policy, CORRECTED))
    assert gogen.problems == corrected.problems == []
    assert (gogen.rows, gogen.people) == (2, 2)  # a bogus subject "SUBJECT_ID"
    assert json.loads((tmp_path / "g" / "gogen.json").read_text())["lineCount"] == 2
    assert read_csv(tmp_path / "g" / "All_Results.csv")[1][:3] == ["\ufeffRECORD_ID", "SUBJECT_STATUS", "SUBJECT_ID"]
    assert (corrected.rows, corrected.people) == (1, 1)
    assert json.loads((tmp_path / "c" / "gogen.json").read_text())["lineCount"] == 1


def test_every_file_evaluate_writes_is_readable_by_its_owner_only(gogen_fixtures, tmp_path) -> None:
    """The bundle repeats every person's DOJ rows: 0600 files, 0700 folders, whatever the umask."""
    out = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.umask(0o022); from clearway.cli import main; "
         "sys.exit(main())",
         "evaluate", "--county", "SAN JOAQUIN", "--compute-at", "2019-11-11",
         "--policy", "eligibility_options.json", "--out", str(out), "configurable_flow/input.csv"],
        cwd=gogen_fixtures, capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    written = list(out.rglob("*"))
    assert any(p.name == "All_Results.csv" for p in written)
    for path in written:
        expected = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == expected, path.name
    assert out.stat().st_mode & 0o777 == 0o700
