"""Bulk submission with a stand-in producer: one batch over several files, then BatchClosed."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pytest
from doj_files import unusable_doj_files
from kafka.errors import KafkaTimeoutError, NotLeaderForPartitionError
from kafka.future import Future

from clearway import events, topics
from clearway.ca_doj.reader import MAX_LINE_BYTES, RECORD_TOO_LONG
from clearway.cli import main as clearway_main
from clearway.devstack import Submission
from clearway.v1 import batch_pb2, case_pb2, dead_letter_pb2, envelope_pb2
from clearway_intake.bulk import UnusableInput, submit_file, submit_files
from clearway_intake.domain.ca_doj import COLUMNS, NUM_COLUMNS
from clearway_intake.domain.ca_doj import columns as col
from clearway_intake.domain.identity import PersonIds
from clearway_intake.publisher import CasePublisher, DeliveryError

KEY = b"0123456789abcdef-test-key"
DECODERS = {topics.CASES: case_pb2.CaseSubmitted, topics.INTAKE_REJECTED: dead_letter_pb2.DeadLetter,
            topics.BATCHES: batch_pb2.BatchClosed}


class SentFuture(Future):
    """What KafkaProducer.send returns: settled by the producer, waited for with get()."""

    def __init__(self, on_get=None):
        super().__init__()
        self.on_get = on_get

    def get(self, timeout=None):
        if self.on_get is not None:
            self.on_get(self)
        if not self.is_done:
            raise KafkaTimeoutError(f"Timeout after waiting for {timeout} secs.")
        if self.failed():
            raise self.exception
        return self.value


class RecordingProducer:
    """KafkaProducer's send/flush/close; remembers what was sent and when flush was called.

    Every send is acknowledged at once, unless ``fail_on`` (record number -> exception)
    says it fails.
    """

    def __init__(self, fail_on: dict[int, Exception] | None = None):
        self.calls: list[tuple] = []
        self.fail_on = fail_on or {}

    def send(self, topic, key, value, headers):
        self.calls.append(("send", topic, key, DECODERS[topic].FromString(value)))
        failure = self.fail_on.get(sum(c[0] == "send" for c in self.calls))
        future = SentFuture()
        return future.failure(failure) if failure is not None else future.success(None)

    def flush(self, timeout=None):
        self.calls.append(("flush",))

    def close(self, timeout=None):
        self.calls.append(("close",))

    def sent(self, topic: str) -> list:
        return [c[3] for c in self.calls if c[0] == "send" and c[1] == topic]


def doj_fields(subject: str, marker: str) -> list[str]:
    fields = [""] * NUM_COLUMNS
    fields[col.SUBJECT_ID] = subject
    fields[col.PRI_NAME] = f"PERSON,{subject}"
    fields[col.CNT_ORDER] = marker
    return fields


def write_doj(path: Path, lines: list[list[str] | str]) -> Path:
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for line in lines:
            if isinstance(line, str):
                fh.write(line)
            else:
                writer.writerow(line)
    return path


@pytest.fixture()
def files(tmp_path) -> list[Path]:
    first = write_doj(tmp_path / "north.csv", [
        doj_fields("70000001", "101001001000"),
        doj_fields("70000002", "101001001000"),
        "broken,row\n",
        doj_fields("70000001", "102001001000"),
    ])
    second = write_doj(tmp_path / "south.csv", [
        doj_fields("", "101001001000"),
        doj_fields("70000002", "103001001000"),
        doj_fields("70000003", "101001001000"),
        doj_fields("70000001", "104001001000"),
    ])
    return [first, second]


def evaluation() -> case_pb2.EvaluationRequest:
    return case_pb2.EvaluationRequest(
        rule_pack_version="gogen-0.2.13",
        compute_date=envelope_pb2.SourceDate(year=2026, month=11, day=20, raw="2026-11-20",
                                             valid=True))


def submit(files, **options):
    producer = RecordingProducer()
    publisher = CasePublisher("unused", PersonIds(KEY), producer=producer)
    report = submit_files(files, publisher, tenant="coalition-a", jurisdiction="ca/sacramento",
                          batch_id="batch-1", **options)
    return report, producer


@pytest.mark.parametrize("partitions", [None, 1, 5])
def test_several_files_are_one_batch_with_one_case_per_person(files, partitions):
    report, producer = submit(files, evaluation=evaluation(), partitions=partitions)

    assert (report.rows, report.cases, report.rejected_rows) == (8, 3, 2)
    assert report.source_files == ["north.csv", "south.csv"]
    cases = producer.sent(topics.CASES)
    by_subject = {c.person.identifiers[0].value: c for c in cases}
    assert sorted(by_subject) == ["70000001", "70000002", "70000003"]
    assert [(r.file, r.line, r.index) for r in by_subject["70000001"].record.source_rows] == [
        ("north.csv", 2, 0), ("north.csv", 5, 3), ("south.csv", 5, 3)]
    assert [(r.file, r.line) for r in by_subject["70000002"].record.source_rows] == [
        ("north.csv", 3), ("south.csv", 3)]
    assert all(c.evaluation == evaluation() for c in cases)
    assert all(c.envelope.batch_id == "batch-1" for c in cases)
    assert len({c.person.person_id for c in cases}) == 3


def test_bad_rows_are_dead_lettered_with_file_line_field_and_original_bytes(files):
    _, producer = submit(files)
    letters = producer.sent(topics.INTAKE_REJECTED)
    assert [(d.source_file, d.line, d.field) for d in letters] == [
        ("north.csv", 4, ""), ("south.csv", 2, "SUBJECT_ID")]
    assert letters[0].original == b"broken,row\n"
    assert letters[0].reason.startswith("north.csv:4: expected 95 fields")
    assert letters[1].reason == "south.csv:2 field SUBJECT_ID: SUBJECT_ID: empty"
    assert letters[1].original == ",".join(doj_fields("", "101001001000")).encode()
    assert all(d.envelope.batch_id == "batch-1" for d in letters)


def test_a_line_too_long_is_one_bounded_dead_letter_and_the_batch_goes_on(tmp_path):
    """A line over the reader's limit: its dead letter keeps 1 MiB of it and says so; the rows
    after it are published and the batch is closed."""
    long_line = ",".join(doj_fields("70000002", "101001001000")) + "x" * (6 * MAX_LINE_BYTES) + "\n"
    path = write_doj(tmp_path / "long.csv", [doj_fields("70000001", "101001001000"), long_line,
                                              doj_fields("70000003", "101001001000")])
    report, producer = submit([path])
    (letter,) = producer.sent(topics.INTAKE_REJECTED)
    assert (letter.source_file, letter.line, letter.field) == ("long.csv", 3, "")
    assert letter.reason == f"long.csv:3: {RECORD_TOO_LONG}"
    assert letter.original == long_line.encode()[:MAX_LINE_BYTES]
    assert letter.original_truncated and letter.original_size == len(long_line)
    assert letter.ByteSize() < topics.MAX_MESSAGE_BYTES
    assert sorted(c.person.identifiers[0].value for c in producer.sent(topics.CASES)) == ["70000001",
                                                                                        "70000003"]
    (closed,) = producer.sent(topics.BATCHES)
    assert (closed.case_count, closed.row_count, closed.rejected_row_count) == (2, 3, 1)


def test_batch_closed_comes_last_after_every_case_is_flushed(files):
    report, producer = submit(files, evaluation=evaluation())
    (closed,) = producer.sent(topics.BATCHES)
    assert closed.case_count == 3 and closed.row_count == 8 and closed.rejected_row_count == 2
    assert list(closed.source_files) == ["north.csv", "south.csv"]
    assert closed.evaluation == evaluation()
    env = closed.envelope
    assert (env.batch_id, env.tenant, env.jurisdiction, env.case_id) == (
        "batch-1", "coalition-a", "ca/sacramento", "")
    assert env.event_id and env.schema_version == events.SCHEMA_VERSION

    kinds = [c[1] if c[0] == "send" else c[0] for c in producer.calls]
    at = kinds.index(topics.BATCHES)
    assert topics.CASES not in kinds[at:] and topics.INTAKE_REJECTED not in kinds[at:]
    assert "flush" in kinds[kinds.index(topics.CASES):at]  # cases acknowledged first
    assert kinds[at + 1:] == ["flush"]
    (key,) = [c[2] for c in producer.calls if c[0] == "send" and c[1] == topics.BATCHES]
    assert key == b"batch-1"


def test_reject_file_withholds_every_row_of_a_file_with_a_malformed_one(files, tmp_path):
    """gogen's whole-file rejection, on request: the bad rows are dead-lettered, the rest withheld."""
    clean = write_doj(tmp_path / "west.csv", [doj_fields("70000004", "101001001000")])
    progress = []
    report, producer = submit([*files, clean], evaluation=evaluation(), on_bad_row="reject-file",
                              on_row=progress.append)
    assert sum(progress) == 9, "every row read once, rejected files' rows included"

    cases = producer.sent(topics.CASES)
    assert [c.person.identifiers[0].value for c in cases] == ["70000004"]
    assert [(d.source_file, d.line) for d in producer.sent(topics.INTAKE_REJECTED)] == [
        ("north.csv", 4), ("south.csv", 2)]
    (closed,) = producer.sent(topics.BATCHES)
    assert [(e.source_file, e.error_type, e.error_message, e.withheld_row_count)
            for e in closed.file_errors] == [
        ("north.csv", "PARSING", "record on line 3: wrong number of fields", 3),
        ("south.csv", "PARSING", "record on line 1: SUBJECT_ID: empty", 3),
    ]
    assert (closed.case_count, closed.row_count, closed.rejected_row_count) == (1, 9, 2)
    assert list(closed.source_files) == ["north.csv", "south.csv", "west.csv"]
    assert report.file_errors == list(closed.file_errors)


def test_skip_row_rejects_no_file(files):
    _, producer = submit(files)
    (closed,) = producer.sent(topics.BATCHES)
    assert list(closed.file_errors) == [] and closed.case_count == 3


def test_gogen_reading_rejects_a_file_too_short_to_sniff(tmp_path):
    fields = doj_fields("70000009", "101001001000")
    fields[col.PRI_NAME] = "P"
    short = tmp_path / "short.csv"
    short.write_text(",".join(fields) + "\n")
    assert short.stat().st_size < 128
    _, producer = submit([short], gogen_reading=True)
    (closed,) = producer.sent(topics.BATCHES)
    assert [(e.source_file, e.error_type, e.error_message) for e in closed.file_errors] == [
        ("short.csv", "OTHER", "EOF")]
    assert closed.case_count == 0 and producer.sent(topics.CASES) == []
    _, producer = submit([short])  # the corrected reading takes it
    assert len(producer.sent(topics.CASES)) == 1


def test_gogen_reading_takes_a_header_after_a_byte_order_mark_for_data(files, tmp_path):
    """A BOM defeats gogen's header detection (§1.1): the header row becomes a person."""
    marked = tmp_path / "marked.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + files[0].read_bytes())
    _, producer = submit([marked], gogen_reading=True)
    subjects = sorted(c.person.identifiers[0].value for c in producer.sent(topics.CASES))
    assert subjects == ["70000001", "70000002", "SUBJECT_ID"]
    _, producer = submit([marked])
    assert sorted(c.person.identifiers[0].value for c in producer.sent(topics.CASES)) == [
        "70000001", "70000002"]


def test_gogen_reading_makes_a_case_of_each_files_rows_of_a_subject(files, tmp_path):
    """gogen judges each file alone (§1.1): a SUBJECT_ID in two files is two people,
    with two person ids; contacts are still found by SUBJECT_ID. A file's rows with
    an empty SUBJECT_ID are a case too: gogen's rules judge them (§1.3)."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("subject_id,email,phone,language,consent_email,consent_sms,consent_mail\n"
                        "70000001,one@example.org,,en,true,false,false\n")
    report, producer = submit(files, gogen_reading=True, contacts_path=contacts)
    cases = producer.sent(topics.CASES)
    by_file_and_subject = {(c.record.source_rows[0].file, c.person.identifiers[0].value): c
                           for c in cases}
    assert sorted(by_file_and_subject) == [
        ("north.csv", "70000001"), ("north.csv", "70000002"),
        ("south.csv", ""), ("south.csv", "70000001"), ("south.csv", "70000002"),
        ("south.csv", "70000003")]
    assert (report.cases, report.rejected_rows) == (6, 1)
    assert [d.source_file for d in producer.sent(topics.INTAKE_REJECTED)] == ["north.csv"]
    assert all({r.file for r in c.record.source_rows} == {file} for (file, _), c in
               by_file_and_subject.items())
    assert [r.line for r in by_file_and_subject["north.csv", "70000001"].record.source_rows] == [2, 5]
    assert len({c.person.person_id for c in cases}) == 6
    assert {by_file_and_subject[f, "70000001"].person.contact.email
            for f in ("north.csv", "south.csv")} == {"one@example.org"}
    # The corrected reading's id for the same SUBJECT_ID is another.
    _, merged = submit(files, contacts_path=contacts)
    merged_ids = {c.person.person_id for c in merged.sent(topics.CASES)}
    assert merged_ids.isdisjoint(c.person.person_id for c in cases)


def _two_people_under_each_id(tmp_path) -> list[Path]:
    """Two extracts numbering their people alike: 70000001 and 70000002 are other people in
    the second (another CII; another name; another date of birth), 70000003 is the same."""
    def row(subject, marker, cii, name, dob):
        fields = doj_fields(subject, marker)
        fields[col.CII_NUMBER], fields[col.PRI_NAME], fields[col.PRI_DOB] = cii, name, dob
        return fields

    first = write_doj(tmp_path / "county.csv", [
        row("70000001", "101001001000", "A1", "DOE,JANE", "19800101"),
        row("70000002", "101001001000", "A2", "ROE,RICHARD", "19700101"),
        row("70000003", "101001001000", "A3", "POE,EDGAR", "19600101"),
        row("70000001", "102001001000", "A1", "DOE,JANE", "19800101"),
    ])
    second = write_doj(tmp_path / "state.csv", [
        row("70000001", "101001001000", "B1", "DOE,JANE", "19800101"),
        row("70000002", "101001001000", "A2", "ROE,RICHARD", "19911111"),
        row("70000003", "103001001000", " A3 ", "POE,EDGAR", ""),
    ])
    return [first, second]


def test_subject_ids_whose_rows_name_different_people_are_counted(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    report, producer = submit(_two_people_under_each_id(tmp_path))
    assert (report.cases, report.identity_conflicts) == (3, 2)
    (said,) = [r for r in caplog.records if "different people" in r.getMessage()]
    assert said.count == 2 and said.batch_id == "batch-1"
    text = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "7000000" not in text and "DOE" not in text and "1980" not in text


def test_gogens_reading_keeps_each_files_people_apart_so_nothing_conflicts(tmp_path):
    report, _ = submit(_two_people_under_each_id(tmp_path), gogen_reading=True)
    assert (report.cases, report.identity_conflicts) == (6, 0)


def test_an_unknown_bad_row_policy_is_refused(files):
    with pytest.raises(ValueError, match="on_bad_row"):
        submit(files, on_bad_row="ignore")


class LateProducer(RecordingProducer):
    """Sends are acknowledged only when flushed or waited for, as with a real broker."""

    def __init__(self, fail_on: dict[int, Exception] | None = None):
        super().__init__()
        self.late_failures = fail_on or {}
        self.unsettled: list[tuple[int, SentFuture]] = []
        self.waited: list[int] = []

    def send(self, topic, key, value, headers):
        self.calls.append(("send", topic, key, DECODERS[topic].FromString(value)))
        number = sum(c[0] == "send" for c in self.calls)
        future = SentFuture(on_get=lambda f, n=number: self._settle(n, f))
        self.unsettled.append((number, future))
        return future

    def _settle(self, number, future):
        self.waited.append(number)
        if not future.is_done:
            failure = self.late_failures.get(number)
            future.failure(failure) if failure is not None else future.success(None)

    def flush(self, timeout=None):
        for number, future in self.unsettled:
            if not future.is_done:
                failure = self.late_failures.get(number)
                future.failure(failure) if failure is not None else future.success(None)
        self.unsettled = []
        super().flush(timeout)


def test_a_send_that_fails_stops_the_batch_and_it_is_never_closed(files):
    # The second record (a case) is refused by the broker.
    producer = RecordingProducer(fail_on={2: NotLeaderForPartitionError()})
    publisher = CasePublisher("unused", PersonIds(KEY), producer=producer)
    with pytest.raises(DeliveryError, match="1 records were not acknowledged.*"
                                            "NotLeaderForPartitionError on clearway"):
        submit_files(files, publisher, tenant="t", jurisdiction="ca/sacramento", batch_id="b")
    assert producer.sent(topics.BATCHES) == []
    assert publisher.stats.failed == 1


def test_a_send_that_fails_after_the_last_case_is_reported_by_flush_not_lost(files):
    # Records: the two dead letters (while spilling), the three cases, then BatchClosed.
    # Every send stays in flight until flush; the last case (record 5) fails there.
    producer = LateProducer(fail_on={5: KafkaTimeoutError()})
    publisher = CasePublisher("unused", PersonIds(KEY), producer=producer)
    with pytest.raises(DeliveryError, match="1 records .* KafkaTimeoutError on clearway.cases.v1"):
        submit_files(files, publisher, tenant="t", jurisdiction="ca/sacramento", batch_id="b")
    assert [c[1] for c in producer.calls if c[0] == "send"] == [
        topics.INTAKE_REJECTED, topics.INTAKE_REJECTED, topics.CASES, topics.CASES, topics.CASES]
    assert producer.sent(topics.BATCHES) == []


def test_unacknowledged_records_are_bounded_by_waiting_for_the_oldest(files):
    producer = LateProducer()
    # Room for about one case: every further send waits for the oldest first.
    publisher = CasePublisher("unused", PersonIds(KEY), producer=producer, max_pending_bytes=1)
    report = submit_files(files, publisher, tenant="t", jurisdiction="ca/sacramento", batch_id="b")
    assert report.cases == 3
    sends = sum(c[0] == "send" for c in producer.calls)
    # Each record was waited for before the next was sent, oldest first.
    assert producer.waited == list(range(1, sends + 1))
    assert len(producer.sent(topics.BATCHES)) == 1


def test_a_failure_seen_while_waiting_for_the_oldest_stops_the_batch(files):
    producer = LateProducer(fail_on={1: NotLeaderForPartitionError()})
    publisher = CasePublisher("unused", PersonIds(KEY), producer=producer, max_pending_bytes=1)
    with pytest.raises(DeliveryError, match="NotLeaderForPartitionError"):
        submit_files(files, publisher, tenant="t", jurisdiction="ca/sacramento", batch_id="b")
    assert producer.sent(topics.BATCHES) == []
    # It stopped at once: no more than the record in hand was sent after the failure.
    assert sum(c[0] == "send" for c in producer.calls) <= 2


def test_no_evaluation_means_defaults_everywhere(files):
    _, producer = submit(files)
    assert all(not c.HasField("evaluation") or c.evaluation == case_pb2.EvaluationRequest()
               for c in producer.sent(topics.CASES))
    (closed,) = producer.sent(topics.BATCHES)
    assert closed.evaluation == case_pb2.EvaluationRequest()


def test_submit_file_is_a_batch_of_one(files):
    producer = RecordingProducer()
    publisher = CasePublisher("unused", PersonIds(KEY), producer=producer)
    report = submit_file(files[0], publisher, tenant="t", jurisdiction="ca/sacramento")
    assert (report.rows, report.cases, report.rejected_rows) == (4, 2, 1)
    (closed,) = producer.sent(topics.BATCHES)
    assert list(closed.source_files) == ["north.csv"] and closed.envelope.batch_id == report.batch_id


def test_files_with_the_same_name_are_refused(files, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    twin = write_doj(other / "north.csv", [doj_fields("70000009", "101001001000")])
    with pytest.raises(ValueError, match="same name"):
        submit([files[0], twin])


@pytest.mark.parametrize("gogen_reading", [False, True])
def test_logs_and_reasons_name_no_record_values(files, caplog, gogen_reading):
    caplog.set_level(logging.DEBUG)
    _, producer = submit(files, gogen_reading=gogen_reading)
    said = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    said += " ".join(d.reason for d in producer.sent(topics.INTAKE_REJECTED))
    assert "7000000" not in said and "PERSON," not in said


# --- the submit command's options and its one-line report ------------------------------


def test_submit_refuses_a_bad_compute_date_or_rule_version(files, capsys):
    for option, value, message in [("--compute-at", "2026-02-30", "not a calendar date"),
                                   ("--compute-at", "20261120", "YYYY-MM-DD"),
                                   ("--rule-version", "two words", "not a rule version")]:
        with pytest.raises(SystemExit) as exited:
            clearway_main(["submit", str(files[0]), option, value])
        assert exited.value.code == 2
        assert message in capsys.readouterr().err


def test_submit_refuses_missing_files(files, tmp_path, capsys):
    assert clearway_main(["submit", str(files[0]), str(tmp_path / "missing.csv")]) == 2
    assert "missing.csv: no such file" in capsys.readouterr().err


@pytest.fixture()
def cli_producer(monkeypatch) -> RecordingProducer:
    """`clearway submit` in process, its producer recording instead of reaching a broker."""
    import clearway.logs
    import clearway.topics
    import clearway.tracing
    import clearway_intake.publisher

    producer = RecordingProducer()
    monkeypatch.setattr(clearway.topics, "ensure_topics", lambda *_a, **_k: [])
    monkeypatch.setattr(clearway.logs, "setup_logging", lambda *_a, **_k: None)
    monkeypatch.setattr(clearway.tracing, "setup_tracing", lambda *_a, **_k: None)
    monkeypatch.setattr(clearway_intake.publisher, "make_producer", lambda *_a, **_k: producer)
    monkeypatch.setenv("CLEARWAY_PERSON_ID_KEY", KEY.decode())
    return producer


def test_submit_reject_file_fails_the_command_and_says_which_file(files, cli_producer, capsys):
    assert clearway_main(["submit", *map(str, files), "--rule-version", "gogen-0.2.13",
                          "--on-bad-row", "reject-file"]) == 1
    out = capsys.readouterr().out
    assert Submission.parse(out).cases == 4, "south.csv's people (its empty SUBJECT_ID is gogen's)"
    assert "file north.csv rejected whole (PARSING): record on line 3: wrong number of fields; " \
           "3 well-formed rows withheld" in out
    (closed,) = cli_producer.sent(topics.BATCHES)
    assert [e.source_file for e in closed.file_errors] == ["north.csv"]


def test_submit_says_how_many_subject_ids_hold_different_people(tmp_path, cli_producer, capsys):
    files = _two_people_under_each_id(tmp_path)
    assert clearway_main(["submit", *map(str, files)]) == 0
    out = capsys.readouterr().out
    assert Submission.parse(out).cases == 3
    assert ("2 SUBJECT_IDs hold rows of different people (CII or name and date of birth differ): "
            "their convictions go to review, nobody is filed for or told") in out
    assert clearway_main(["submit", str(files[0])]) == 0
    assert "different people" not in capsys.readouterr().out


def test_submit_reads_as_gogen_only_under_gogens_rule_version(files, cli_producer, tmp_path):
    marked = tmp_path / "marked.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + files[0].read_bytes())
    assert clearway_main(["submit", str(marked), "--rule-version", "gogen-0.2.13"]) == 0
    assert clearway_main(["submit", str(marked), "--rule-version", "2026.11"]) == 0
    cases = [c.envelope.batch_id for c in cli_producer.sent(topics.CASES)]
    per_batch = [cases.count(batch) for batch in dict.fromkeys(cases)]
    assert per_batch == [3, 2], "the header after the BOM is a person only in gogen's reading"


def test_submit_threads_every_option_into_the_batch(files, cli_producer, capsys):
    producer = cli_producer
    assert clearway_main(["submit", *map(str, files), "--batch-id", "batch-9", "--tenant", "t9",
                          "--jurisdiction", "ca/yolo", "--rule-version", "gogen-0.2.13",
                          "--compute-at", "2026-11-20"]) == 0
    submitted = Submission.parse(capsys.readouterr().out)
    # Read as gogen reads, for its rule version: each file's people are its own, and
    # rows with an empty SUBJECT_ID are one of them.
    assert (submitted.batch_id, submitted.rows, submitted.cases, submitted.rejected_rows) == (
        "batch-9", 8, 6, 1)
    (closed,) = producer.sent(topics.BATCHES)
    assert closed.evaluation == evaluation() and list(closed.source_files) == ["north.csv",
                                                                               "south.csv"]
    assert (closed.envelope.tenant, closed.envelope.jurisdiction) == ("t9", "ca/yolo")
    assert all(c.evaluation == evaluation() for c in producer.sent(topics.CASES))


# --- what `clearway submit` refuses before anything is published ----------------------


def unusable_files(folder: Path, good: Path) -> dict[str, tuple[Path, str]]:
    """Files that cannot be DOJ files at all, with the reason given for each."""
    return unusable_doj_files(folder, good.read_bytes())


@pytest.mark.parametrize("rule_version", ["2026.11", "gogen-0.2.13"])
@pytest.mark.parametrize("kind", ["semicolons", "tabs", "no-DISP_DATE", "empty", "header-only",
                                  "random-bytes"])
def test_submit_refuses_a_file_that_cannot_be_a_doj_file_before_publishing(
        files, cli_producer, tmp_path, capsys, kind, rule_version):
    path, reason = unusable_files(tmp_path, files[1])[kind]
    if kind == "empty" and rule_version == "gogen-0.2.13":
        # gogen's reading: a file under its 128-byte header sniff is rejected in the batch with EOF.
        assert clearway_main(["submit", str(files[1]), str(path), "--rule-version", rule_version]) == 1
        assert "file empty.csv rejected whole (OTHER): EOF" in capsys.readouterr().out
        return
    status = clearway_main(["submit", str(files[1]), str(path), "--rule-version", rule_version])
    captured = capsys.readouterr()
    assert status == 3
    (line,) = captured.err.splitlines()
    assert line.startswith(f"error: {path}: not a usable CA DOJ research file: {reason}")
    assert cli_producer.calls == [], "no publisher was even made"
    assert captured.out == ""


def test_submit_files_refuses_an_unusable_file_before_any_send(files, tmp_path):
    path, _ = unusable_files(tmp_path, files[1])["semicolons"]
    producer = RecordingProducer()
    with pytest.raises(UnusableInput) as refused:
        submit_files([files[1], path], CasePublisher("unused", PersonIds(KEY), producer=producer),
                     tenant="t", jurisdiction="ca/sacramento")
    assert [f.file for f in refused.value.files] == [str(path)]
    assert producer.calls == []


@pytest.mark.parametrize(("argv", "env", "message"), [
    (["--jurisdiction", "ca/atlantis"], {},
     "error: --jurisdiction: 'atlantis' is not a county of 'ca' (e.g. ca/alameda)"),
    (["--jurisdiction", "ca/../../etc"], {},
     "error: --jurisdiction: 'ca/../../etc' is not a jurisdiction: write state/county in lower case, "
     "e.g. ca/sacramento"),
    ([], {"CLEARWAY_JURISDICTION": "zz/nowhere"},
     "error: $CLEARWAY_JURISDICTION: no rule packs for state 'zz'; known: ca"),
    (["--rule-version", "9.9"], {},
     "error: --rule-version: unknown ca-prop64 version '9.9'; known: gogen-0.2.13, 2026.11"),
])
def test_submit_refuses_an_unknown_jurisdiction_or_rule_version_before_publishing(
        files, cli_producer, monkeypatch, capsys, argv, env, message):
    """Judged under no rule pack, every case would be told "no convictions", or dead-lettered."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert clearway_main(["submit", *map(str, files), *argv]) == 2
    assert capsys.readouterr().err.splitlines() == [message]
    assert cli_producer.calls == []


@pytest.mark.parametrize(("content", "message"), [
    (b"\x00\x01\x02" * 100, "error: contacts.csv: it holds binary data, not comma-separated UTF-8 text"),
    (b"subject_id;email;phone;language;consent_email;consent_sms;consent_mail\n",
     "error: contacts.csv: line 1: it is delimited by semicolons, not commas"),
    (b"subject_id,email\n70000001,a@example.org\n",
     "error: contacts.csv: line 1: missing columns phone, language, consent_email, consent_sms, consent_mail"),
    (b"subject_id,email,phone,language,consent_email,consent_sms,consent_mail\n"
     b"70000001,a@example.org,,en,true,true,true\n70000002,x@,,en,true,true,true\n",
     "error: contacts.csv: line 3, column email: is not a valid email address"),
    (b"subject_id,email,phone,language,consent_email,consent_sms,consent_mail\n"
     b"70000001,a\xff@example.org,,en,true,true,true\n",
     "error: contacts.csv: line 2, column email: is not valid UTF-8"),
])
def test_submit_refuses_a_bad_contacts_file_in_one_line_before_publishing(
        files, cli_producer, tmp_path, capsys, content, message):
    contacts = tmp_path / "contacts.csv"
    contacts.write_bytes(content)
    assert clearway_main(["submit", *map(str, files), "--contacts", str(contacts)]) == 3
    assert capsys.readouterr().err.splitlines() == [message]
    assert cli_producer.calls == []
