"""The `clearway` command ends every error in one line and an exit status, never a traceback."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from kafka.errors import KafkaTimeoutError

from clearway import cli, exitcodes

REPO = Path(__file__).resolve().parents[2]


def test_a_bug_is_one_line_naming_its_type_and_the_crash_file(tmp_path, monkeypatch, capsys):
    import clearway.tracetree

    value = "DOE,JANE Q 19600314"  # what a record's value in an exception looks like

    def broken(_folder):
        raise KeyError(value)

    monkeypatch.setenv("CLEARWAY_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CLEARWAY_DEBUG", raising=False)
    monkeypatch.setattr(clearway.tracetree, "load_spans", broken)
    assert cli.main(["trace", "some-id", "--dir", str(tmp_path)]) == exitcodes.INTERNAL_ERROR == 70
    crash_file = tmp_path / "home" / "logs" / "clearway-crash.log"
    (line,) = capsys.readouterr().err.splitlines()
    assert line == (f"error: internal error (KeyError) in clearway trace: this is a bug; where it happened "
                    f"is in {crash_file}; CLEARWAY_DEBUG=1 prints the traceback")
    kept = crash_file.read_text()
    assert "builtins.KeyError" in kept and "in broken" in kept and "cli.py" in kept
    assert "DOE" not in kept and "19600314" not in kept, "the exception's message may be personal data"
    assert stat.S_IMODE(crash_file.stat().st_mode) == 0o600


def test_clearway_debug_lets_the_traceback_through(tmp_path, monkeypatch):
    import clearway.tracetree

    def broken(_folder):
        raise KeyError("boom")

    monkeypatch.setenv("CLEARWAY_DEBUG", "1")
    monkeypatch.setattr(clearway.tracetree, "load_spans", broken)
    with pytest.raises(KeyError):
        cli.main(["trace", "some-id", "--dir", str(tmp_path)])


@pytest.mark.parametrize("content", [b'{"trace_id": 1', b'{"x": 1}\n', b"\xff\xfe\n", b"[1, 2]\n"])
def test_trace_names_the_span_file_and_line_it_cannot_read(tmp_path, capsys, content):
    (tmp_path / "spans.jsonl").write_bytes(b"\n" + content)
    assert cli.main(["trace", "some-id", "--dir", str(tmp_path)]) == exitcodes.UNUSABLE_INPUT
    assert capsys.readouterr().err.splitlines() == [
        f"error: {tmp_path / 'spans.jsonl'}: line 2: not a span as Clearway's file exporter writes one "
        "(JSON lines)"]


def test_kafka_out_of_reach_is_one_line_without_kafkas_words(monkeypatch, capsys):
    import clearway.topics

    def unreachable(*_args, **_kwargs):
        raise KafkaTimeoutError("Unable to bootstrap from 10.1.2.3")

    monkeypatch.setenv("CLEARWAY_KAFKA_BOOTSTRAP", "127.0.0.1:1")
    monkeypatch.setattr(clearway.topics, "ensure_topics", unreachable)
    assert cli.main(["topics"]) == exitcodes.UNAVAILABLE == 4
    (line,) = capsys.readouterr().err.splitlines()
    assert line == ("error: Kafka at 127.0.0.1:1 ($CLEARWAY_KAFKA_BOOTSTRAP) could not be reached or did "
                    "not answer in time; nothing more was sent")


def test_a_folder_that_cannot_be_made_is_one_line(tmp_path, capsys):
    (tmp_path / "a-file").write_text("")
    status = cli.main(["generate", "--people", "2", "--out", str(tmp_path / "a-file" / "sample")])
    assert status == exitcodes.IO_ERROR == 74
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: {tmp_path / 'a-file'}") and line.endswith("Not a directory")


@pytest.mark.parametrize("argv", [
    ["generate", "--people", "-3"],
    ["generate", "--people", "many"],
    ["evaluate", "--county", "SACRAMENTO", "--compute-at", "2019-11-11", "--policy", "p.json",
     "--workers", "-1", "--out", "out", "in.csv"],
])
def test_bad_numbers_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == exitcodes.USAGE
    assert "Traceback" not in capsys.readouterr().err


def test_no_traceback_reaches_the_terminal_from_a_real_process(tmp_path):
    """The same guard in a process of its own, as an operator runs it."""
    (tmp_path / "spans.jsonl").write_text("not json\n")
    completed = subprocess.run([sys.executable, "-m", "clearway.cli", "trace", "x", "--dir", str(tmp_path)],
                               capture_output=True, text=True, timeout=120, cwd=REPO)
    assert completed.returncode == exitcodes.UNUSABLE_INPUT
    assert "Traceback" not in completed.stderr and len(completed.stderr.splitlines()) == 1
