"""Streaming reader for CA DOJ research files: gogen's fixtures and edge cases."""

from __future__ import annotations

import csv
import io
import tracemalloc
from pathlib import Path

import pytest

from clearway.ca_doj import columns as col
from clearway.ca_doj.columns import COLUMNS, NUM_COLUMNS
from clearway.ca_doj.reader import (
    MAX_LINE_BYTES,
    RECORD_TOO_LONG,
    FieldProblem,
    Row,
    RowError,
    read_rows,
    validate_row,
)

# gogen 0.2.13's own fixtures, vendored in the repository (tests/fixtures/gogen/README.md).
GOGEN_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gogen"


def doj_fields(**values: str) -> list[str]:
    fields = [""] * NUM_COLUMNS
    fields[col.SUBJECT_ID] = "10000001"
    fields[col.CNT_ORDER] = "101001001000"
    for name, value in values.items():
        fields[COLUMNS.index(name)] = value
    return fields


def csv_text(rows: list[list[str]], header: bool = True, terminator: str = "\n") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=terminator)
    if header:
        writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buf.getvalue()


def write(tmp_path: Path, content: str | bytes, name: str = "doj.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


# --- columns -------------------------------------------------------------------


def test_columns_are_the_95_positional_names_in_order():
    assert len(COLUMNS) == NUM_COLUMNS == 95
    assert len(set(COLUMNS)) == 95
    assert COLUMNS[0] == "RECORD_ID" and COLUMNS[-1] == "END_OF_REC"
    assert COLUMNS[15:20] == ("PRI_SSN", "PRI_CDL", "PRI_IDN", "PRI_INN", "FBI_NUMBER")
    assert COLUMNS[57] == "DISP_OFFENSE_CODE" and COLUMNS[65] == "CONV_OFFENSE_QUAL_LST"
    assert COLUMNS[66] == "FE_NUM_ORDER" and COLUMNS[77] == "FE_NUM_WARRANT"


def test_columns_match_the_header_of_gogens_configurable_flow_fixture():
    with open(GOGEN_FIXTURES / "configurable_flow" / "input.csv", newline="") as fh:
        header = next(csv.reader(fh))
    assert tuple(header) == COLUMNS


def test_index_constants_point_at_their_own_names():
    constants = {
        name: value
        for name, value in vars(col).items()
        if name.isupper() and isinstance(value, int) and name != "NUM_COLUMNS"
    }
    assert len(constants) > 30
    for name, value in constants.items():
        assert COLUMNS[value] == name


# --- gogen fixtures ------------------------------------------------------------


def test_no_headers_fixture_gives_38_rows_from_line_1():
    rows = list(read_rows(GOGEN_FIXTURES / "no_headers.csv"))
    assert len(rows) == 38
    assert all(isinstance(r, Row) for r in rows)
    assert [r.line for r in rows] == list(range(1, 39))
    assert [r.index for r in rows] == list(range(38))
    assert {r.file for r in rows} == {"no_headers.csv"}
    assert all(len(r.fields) == 95 for r in rows)
    assert rows[0].subject_id == "18675309"
    # CRLF endings are not part of the last field.
    assert not any(r.fields[-1].endswith("\r") for r in rows)


def test_extra_comma_fixture_skips_its_96_field_header_unparsed():
    rows = list(read_rows(GOGEN_FIXTURES / "extra_comma.csv"))
    assert len(rows) == 38
    assert all(isinstance(r, Row) for r in rows)
    assert rows[0].line == 2 and rows[-1].line == 39
    assert rows[0].index == 0
    assert rows[0].fields[col.OFFENSE_DESCR] == "503 VC-TAKE CAR W/OUT OWNERS CONSENT"


def test_bad_fixture_gives_one_error_per_row_with_line_numbers():
    results = list(read_rows(GOGEN_FIXTURES / "bad.csv"))
    assert len(results) == 37
    assert all(isinstance(r, RowError) for r in results)
    assert [r.line for r in results] == list(range(2, 39))
    assert {r.reason for r in results} == {"expected 95 fields, found 94"}
    assert {r.field for r in results} == {None}
    physical = (GOGEN_FIXTURES / "bad.csv").read_bytes().splitlines(keepends=True)
    assert results[0].raw == physical[1]
    assert results[-1].raw == physical[37]


def test_every_fixture_row_passes_validation():
    for name in ("no_headers.csv", "extra_comma.csv", "configurable_flow/input.csv"):
        for row in read_rows(GOGEN_FIXTURES / name):
            assert isinstance(row, Row)
            assert validate_row(row) == []


# --- malformed records ---------------------------------------------------------


def test_a_bad_row_in_the_middle_yields_one_error_and_the_rest_still_come(tmp_path):
    good = [doj_fields(SUBJECT_ID=str(10000001 + i)) for i in range(5)]
    text = csv_text(good[:3])
    short = ",".join(doj_fields()[:94]) + "\n"
    text += short + csv_text(good[3:], header=False)
    results = list(read_rows(write(tmp_path, text)))

    assert [type(r).__name__ for r in results] == ["Row", "Row", "Row", "RowError", "Row", "Row"]
    error = results[3]
    assert error.line == 5
    assert error.reason == "expected 95 fields, found 94"
    assert error.raw == short.encode()
    assert error.index == 3
    assert [r.line for r in results] == [2, 3, 4, 5, 6, 7]
    assert [r.subject_id for r in results if isinstance(r, Row)] == [
        "10000001", "10000002", "10000003", "10000004", "10000005",
    ]
    # The bad record keeps its slot, so later rows keep their position.
    assert [r.index for r in results] == [0, 1, 2, 3, 4, 5]


def test_crlf_and_a_quoted_newline_keep_physical_line_numbers(tmp_path):
    rows = [
        doj_fields(SUBJECT_ID="1"),
        doj_fields(SUBJECT_ID="2", COMMENT_TEXT="FIRST LINE\r\nSECOND LINE"),
        doj_fields(SUBJECT_ID="3", END_OF_REC="#"),
    ]
    path = write(tmp_path, csv_text(rows, terminator="\r\n"))
    results = list(read_rows(path))

    assert all(isinstance(r, Row) for r in results)
    assert [r.line for r in results] == [2, 3, 5]
    assert [r.index for r in results] == [0, 1, 2]
    # As Go's csv reader (gogen): a CRLF inside a quoted field is read as LF.
    assert results[1].fields[col.COMMENT_TEXT] == "FIRST LINE\nSECOND LINE"
    assert results[2].fields[col.END_OF_REC] == "#"


def test_a_lone_carriage_return_is_data_as_in_go(tmp_path):
    """Go keeps a CR that ends no line, quoted or not; Python's csv alone would reject it unquoted."""
    rows = [
        ",".join(doj_fields(SUBJECT_ID="1", COMMENT_TEXT="A\rB")),  # unquoted
        ",".join(doj_fields(SUBJECT_ID="2", COMMENT_TEXT='"C\rD"')),  # quoted
        ",".join(doj_fields(SUBJECT_ID="3", END_OF_REC="#")),
    ]
    path = tmp_path / "cr.csv"
    path.write_bytes(("\r\n".join(rows) + "\r").encode())  # a CR as the file's last byte: dropped
    results = list(read_rows(path))
    assert all(isinstance(r, Row) for r in results), results
    assert [r.fields[col.COMMENT_TEXT] for r in results[:2]] == ["A\rB", "C\rD"]
    assert results[2].fields[col.END_OF_REC] == "#"
    assert [r.line for r in results] == [1, 2, 3]


def test_lf_file_with_quoted_newline_and_no_header(tmp_path):
    rows = [
        doj_fields(SUBJECT_ID="1", PRI_NAME="DOE,JANE Q", COMMENT_TEXT="A\nB\nC"),
        doj_fields(SUBJECT_ID="2"),
    ]
    path = write(tmp_path, csv_text(rows, header=False))
    results = list(read_rows(path))
    assert [r.line for r in results] == [1, 4]
    assert results[0].fields[col.PRI_NAME] == "DOE,JANE Q"


def test_blank_lines_are_skipped_without_taking_an_index(tmp_path):
    text = csv_text([doj_fields(SUBJECT_ID="1")]) + "\n\r\n" + csv_text(
        [doj_fields(SUBJECT_ID="2")], header=False
    )
    results = list(read_rows(write(tmp_path, text)))
    assert [(r.line, r.index, r.subject_id) for r in results] == [(2, 0, "1"), (5, 1, "2")]


def test_header_is_only_detected_at_the_very_start(tmp_path):
    text = " " + csv_text([doj_fields()])  # leading space: not a header any more
    results = list(read_rows(write(tmp_path, text)))
    assert isinstance(results[0], Row)
    assert results[0].line == 1
    assert results[0].fields[0] == " RECORD_ID"


def test_header_behind_a_utf8_bom_is_still_skipped(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf" + csv_text([doj_fields()]).encode())
    results = list(read_rows(path))
    assert len(results) == 1
    assert isinstance(results[0], Row) and results[0].line == 2


def test_unterminated_quote_in_a_quoted_field_is_a_quoting_error(tmp_path):
    fields = doj_fields(SUBJECT_ID="1")
    bad_line = ",".join(fields[:12]) + ',"DOE,JANE"Q' + "," * (95 - 13) + "\n"
    text = csv_text([]) + bad_line + csv_text([doj_fields(SUBJECT_ID="2")], header=False)
    results = list(read_rows(write(tmp_path, text)))

    assert isinstance(results[0], RowError)
    assert results[0].line == 2
    assert "quot" in results[0].reason
    assert "DOE" not in results[0].reason
    assert results[0].raw == bad_line.encode()
    assert isinstance(results[1], Row) and results[1].subject_id == "2" and results[1].line == 3


def test_bare_quote_in_an_unquoted_field_is_rejected_like_go(tmp_path):
    fields = doj_fields(SUBJECT_ID="1", PRI_NAME='DOE JANE "JJ"')
    line = ",".join(fields) + "\n"  # written by hand: csv.writer would quote it
    results = list(read_rows(write(tmp_path, csv_text([]) + line)))
    assert len(results) == 1
    error = results[0]
    assert isinstance(error, RowError)
    assert error.field == "PRI_NAME"
    assert error.reason == "bad CSV quoting: quote inside an unquoted field"
    assert "JANE" not in error.reason


def test_properly_doubled_quotes_are_accepted(tmp_path):
    path = write(tmp_path, csv_text([doj_fields(COMMENT_TEXT='SAID "HI", LEFT')]))
    (row,) = read_rows(path)
    assert isinstance(row, Row)
    assert row.fields[col.COMMENT_TEXT] == 'SAID "HI", LEFT'


def test_quote_left_open_at_end_of_file_is_an_error_and_keeps_the_bytes(tmp_path):
    good = csv_text([doj_fields(SUBJECT_ID="1")])
    tail = ',,"10000002,' + "," * 92 + "\n,,,\n"
    results = list(read_rows(write(tmp_path, good + tail)))
    assert isinstance(results[0], Row)
    error = results[1]
    assert isinstance(error, RowError)
    assert error.line == 3
    assert error.reason.startswith("bad CSV quoting")
    assert error.raw == tail.encode()


def test_invalid_utf8_is_reported_by_field_and_the_bytes_survive(tmp_path):
    good = csv_text([doj_fields(SUBJECT_ID="1")]).encode()
    parts = [value.encode() for value in doj_fields(SUBJECT_ID="2")]
    parts[col.PRI_NAME] = b'"M\xfcLLER,ANA"'  # Latin-1, not UTF-8
    raw = b",".join(parts) + b"\n"
    results = list(read_rows(write(tmp_path, good + raw)))

    assert isinstance(results[0], Row)
    error = results[1]
    assert isinstance(error, RowError)
    assert error.field == "PRI_NAME"
    assert error.reason == "not valid UTF-8"
    assert error.raw == raw
    assert error.line == 3


def test_reader_is_lazy_and_memory_does_not_grow_with_the_file(tmp_path):
    line = csv_text([doj_fields(PRI_NAME="DOE,JANE Q", OFFENSE_DESCR="11358 HS-CULTIVATE MARIJUANA")], header=False)
    path = tmp_path / "big.csv"
    with open(path, "w", newline="") as fh:
        fh.write(csv_text([]))
        for _ in range(20_000):
            fh.write(line)
    size = path.stat().st_size
    assert size > 3_000_000

    results = read_rows(path)
    assert iter(results) is results  # a generator, not a list
    tracemalloc.start()
    try:
        count = sum(1 for r in results if isinstance(r, Row))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < size / 10


@pytest.mark.parametrize("terminator", ["\n", "\r\n"])
def test_a_line_longer_than_the_limit_is_one_error_and_the_rows_after_it_are_read(tmp_path, terminator):
    """Never read whole: a bounded start is kept for the dead letter, the rest skipped."""
    long_line = (",".join(doj_fields(SUBJECT_ID="2")[:-1]) + "," + "x" * (8 * MAX_LINE_BYTES) + terminator)
    path = tmp_path / "long.csv"
    path.write_bytes((csv_text([doj_fields(SUBJECT_ID="1")], terminator=terminator) + long_line
                      + csv_text([doj_fields(SUBJECT_ID="3"), doj_fields(SUBJECT_ID="4")], header=False,
                                 terminator=terminator)).encode())
    tracemalloc.start()
    try:
        results = list(read_rows(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [type(r).__name__ for r in results] == ["Row", "RowError", "Row", "Row"]
    error = results[1]
    assert (error.line, error.field, error.reason, error.index) == (3, None, RECORD_TOO_LONG, 1)
    assert RECORD_TOO_LONG == "record longer than 1 MiB, the most one line of the file may hold"
    assert error.raw_truncated and len(error.raw) == 1 << 20 and error.size == len(long_line)
    assert error.raw == long_line.encode()[: 1 << 20]
    assert [(r.line, r.index, r.subject_id) for r in results if isinstance(r, Row)] == [
        (2, 0, "1"), (4, 2, "3"), (5, 3, "4")]
    assert peak < 5 * MAX_LINE_BYTES, "the long line was held whole"


def test_the_line_limit_counts_the_line_without_its_end(tmp_path):
    at_limit = b"," * (MAX_LINE_BYTES - 1) + b"x"
    path = tmp_path / "edge.csv"
    path.write_bytes(at_limit + b"\r\n" + at_limit + b"y\n" + at_limit + b"\n" + at_limit + b"zz")
    results = list(read_rows(path))
    at_limit_reason = f"expected 95 fields, found {MAX_LINE_BYTES}"
    assert [(r.line, r.reason) for r in results] == [
        (1, at_limit_reason), (2, RECORD_TOO_LONG), (3, at_limit_reason), (4, RECORD_TOO_LONG)]


# --- validation ----------------------------------------------------------------


def test_validate_rejects_an_empty_subject_id_by_column_name():
    row = Row("f.csv", 2, 0, doj_fields(SUBJECT_ID=""))
    assert validate_row(row) == [FieldProblem("SUBJECT_ID", "empty")]
    blank = Row("f.csv", 2, 0, doj_fields(SUBJECT_ID="   "))
    assert validate_row(blank) == [FieldProblem("SUBJECT_ID", "blank (spaces only)")]


def test_validate_rejects_a_short_count_order_only_where_gogen_needs_it():
    """Convictions and court rows with an OFN: gogen slices CNT_ORDER[:6] and stops (§1.3)."""
    conviction = Row("f.csv", 2, 0, doj_fields(CNT_ORDER="10100", DISP_DESCR="CONVICTED"))
    court = Row("f.csv", 3, 1, doj_fields(CNT_ORDER="1", STP_TYPE_DESCR="COURT ACTION", OFN="9"))
    arrest = Row("f.csv", 4, 2, doj_fields(CNT_ORDER="1", STP_TYPE_DESCR="ARREST/DETAINED/CITED"))
    reason = "shorter than 6 characters on a conviction or court row"
    for row in (conviction, court):
        for any_subject_id in (False, True):
            assert validate_row(row, any_subject_id=any_subject_id) == [FieldProblem("CNT_ORDER", reason)]
    assert validate_row(arrest) == []


def test_validate_takes_any_subject_id_when_asked_as_gogen_does():
    for subject_id in ("", "   "):
        assert validate_row(Row("f.csv", 2, 0, doj_fields(SUBJECT_ID=subject_id)),
                            any_subject_id=True) == []
    short = Row("f.csv", 2, 0, doj_fields(SUBJECT_ID="")[:-1])
    assert [p.reason for p in validate_row(short, any_subject_id=True)] == [
        "expected 95 fields, found 94"]


@pytest.mark.parametrize(
    "values",
    [
        {"PRI_DOB": "19790000"},
        {"PRI_DOB": ""},
        {"STP_EVENT_DATE": "2014021"},
        {"CYC_DATE": "x       "},
        {"CNT_ORDER": "1"},
        {"OFFENSE_DESCR": ""},
        {"CONV_STAT_DESCR": "FELONY "},
    ],
)
def test_validate_accepts_what_gogen_accepts(values):
    assert validate_row(Row("f.csv", 1, 0, doj_fields(**values))) == []
