"""The limits of a case in bulk intake: long fields, and a person too large for one case."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from intake_testing import StandInProducer, gogen_shaped_fields

from clearway import topics
from clearway.ca_doj import columns as col
from clearway.ca_doj.columns import COLUMNS
from clearway_intake import bulk
from clearway_intake.bulk import REJECT_FILE, submit_files
from clearway_intake.domain.identity import PersonIds
from clearway_intake.domain.limits import MAX_CASE_BYTES
from clearway_intake.publisher import CasePublisher

KEY = b"0123456789abcdef-test-key"


def write_doj(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="") as fh:
        fh.write(",".join(COLUMNS) + "\n")
        # Every field quoted, as gogen's CSV writer quotes its fillers.
        csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return path


def submit(paths, **options):
    producer = StandInProducer()
    publisher = CasePublisher("unused", PersonIds(KEY), producer=producer)
    report = submit_files(paths, publisher, tenant="coalition-a", jurisdiction="ca/sacramento",
                          batch_id="batch-1", **options)
    return report, producer


def wide_fields(index: int, subject_id: str, width: int) -> list[str]:
    """A gogen-shaped row whose 15 free columns hold ``width`` characters each."""
    fields = gogen_shaped_fields(index, subject_id)
    first = COLUMNS.index("FE_NUM_ORDER")  # 12 FE_NUM_* columns
    for column in range(first, first + 12):
        fields[column] = "W" * width
    fields[col.COMMENT_TEXT] = "C" * width
    fields[col.OFFENSE_QUAL_LST] = fields[COLUMNS.index("DISP_OFFENSE_QUAL_LST")] = "Q" * width
    return fields


def test_a_person_with_10000_gogen_shaped_rows_flows_as_one_case(tmp_path):
    rows = [gogen_shaped_fields(i) for i in range(10_000)] + [gogen_shaped_fields(0, "10000002")]
    path = write_doj(tmp_path / "big.csv", rows)
    assert 780 < path.stat().st_size / len(rows) < 900  # bytes per row, as gogen writes them
    report, producer = submit([path])
    assert (report.cases, report.rejected_rows) == (2, 0)
    largest = max(producer.of(topics.CASES), key=lambda case: case.ByteSize())
    assert len(largest.record.source_rows) == 10_000
    assert 10_000_000 < largest.ByteSize() < MAX_CASE_BYTES


def test_a_person_whose_case_is_over_the_budget_is_dead_lettered_with_files_and_lines(tmp_path):
    # 900 rows of 15 fields of 1,000 characters: a case of about 14 MB of text and more.
    big = [wide_fields(i, "10000001", 1_000) for i in range(900)]
    first = write_doj(tmp_path / "north.csv", [gogen_shaped_fields(0, "10000002")] + big[:600])
    second = write_doj(tmp_path / "south.csv", big[600:])
    report, producer = submit([first, second])
    (letter,) = producer.of(topics.INTAKE_REJECTED)
    assert letter.reason.startswith(
        "north.csv lines 3-602 (600 rows), south.csv lines 2-301 (300 rows): one person's rows "
        "make a case of ")
    assert f"more than the {MAX_CASE_BYTES:,} allowed" in letter.reason
    assert (letter.source_file, letter.line) == ("north.csv", 3)
    assert letter.original_size > MAX_CASE_BYTES and letter.original_truncated
    assert letter.ByteSize() < 4096  # the rows stay in the file, not in the dead letter
    (case,) = producer.of(topics.CASES)
    assert case.person.identifiers[0].value == "10000002"
    (closed,) = producer.of(topics.BATCHES)
    assert (closed.case_count, closed.row_count, closed.rejected_row_count) == (1, 901, 900)


def test_a_person_with_far_too_much_text_is_refused_before_the_case_is_built(tmp_path, monkeypatch):
    built = []
    real_fill = bulk.fill_case_from_rows
    monkeypatch.setattr(bulk, "fill_case_from_rows",
                        lambda rows, *a, **k: built.append(len(rows)) or real_fill(rows, *a, **k))
    rows = [wide_fields(i, "10000001", 1_000) for i in range(1_100)]  # 17 MB of text
    report, producer = submit([write_doj(tmp_path / "wide.csv", rows)])
    (letter,) = producer.of(topics.INTAKE_REJECTED)
    assert letter.reason.startswith("wide.csv lines 2-1101 (1,100 rows): one person's rows hold ")
    assert built == [] and report.cases == 0


def test_a_person_with_more_rows_than_a_case_may_hold_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_ROWS_PER_CASE", 50)
    rows = [gogen_shaped_fields(i) for i in range(51)] + [gogen_shaped_fields(0, "10000002")]
    report, producer = submit([write_doj(tmp_path / "many.csv", rows)])
    (letter,) = producer.of(topics.INTAKE_REJECTED)
    assert letter.reason == ("many.csv lines 2-52 (51 rows): one person's 51 rows, more than the "
                             "50 a case may hold")
    assert report.cases == 1


def test_a_row_with_a_field_over_its_limit_is_dead_lettered_by_column(tmp_path):
    rows = [gogen_shaped_fields(i) for i in range(3)]
    rows[1][col.PRI_NAME] = "QUILLFEATHER" * 100  # (the reader refuses a field over 128 KiB)
    rows[2][col.COMMENT_TEXT] = "C" * 1_001
    report, producer = submit([write_doj(tmp_path / "long.csv", rows)])
    reasons = [letter.reason for letter in producer.of(topics.INTAKE_REJECTED)]
    assert reasons == ["long.csv:3 field PRI_NAME: PRI_NAME: longer than 200 characters",
                       "long.csv:4 field COMMENT_TEXT: COMMENT_TEXT: longer than 1,000 characters"]
    assert "QUILLFEATHER" not in "".join(reasons)
    (case,) = producer.of(topics.CASES)
    assert len(case.record.source_rows) == 1


def test_reject_file_rejects_a_file_with_a_field_over_its_limit_whole(tmp_path):
    rows = [gogen_shaped_fields(i) for i in range(3)]
    rows[2][col.OFN] = "9" * 1_001
    report, producer = submit([write_doj(tmp_path / "long.csv", rows)], on_bad_row=REJECT_FILE)
    assert producer.of(topics.CASES) == []
    (error,) = report.file_errors
    assert error.source_file == "long.csv" and error.withheld_row_count == 2


@pytest.mark.parametrize("width", [200, 1_000])
def test_fields_at_their_limits_pass(tmp_path, width):
    rows = [wide_fields(i, "10000001", width) for i in range(3)]
    rows[0][col.PRI_NAME] = "N" * 200
    report, _ = submit([write_doj(tmp_path / "edge.csv", rows)])
    assert (report.cases, report.rejected_rows) == (1, 0)
