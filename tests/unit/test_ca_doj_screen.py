"""Screening a file for whether it can be a CA DOJ research file at all (clearway.ca_doj.screen)."""

from __future__ import annotations

import csv
import io
import os
import random
from pathlib import Path

import pytest

from clearway import textfiles
from clearway.ca_doj import columns as col
from clearway.ca_doj.columns import COLUMNS, NUM_COLUMNS
from clearway.ca_doj.screen import screen_file, screen_files

GOGEN_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gogen"


def doj_row(subject: str) -> list[str]:
    fields = ["x"] * NUM_COLUMNS
    fields[col.SUBJECT_ID] = subject
    fields[col.PRI_NAME] = "DOE,JANE Q"
    fields[col.CNT_ORDER] = "101001001000"
    return fields


def doj_text(rows: int = 5, *, header: list[str] | None = list(COLUMNS), drop: int | None = None,
             terminator: str = "\n") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=terminator)
    if header is not None:
        writer.writerow(header)
    for n in range(rows):
        fields = doj_row(str(10000001 + n))
        if drop is not None:
            del fields[drop]
        writer.writerow(fields)
    return buf.getvalue()


def write(tmp_path: Path, content: str | bytes, name: str = "doj.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


@pytest.mark.parametrize("name", ["configurable_flow/input.csv", "no_headers.csv", "extra_comma.csv", "bad.csv"])
def test_gogens_own_fixtures_are_usable(name):
    """bad.csv is a DOJ file whose rows are malformed (reported row by row), not an unusable file."""
    assert screen_file(GOGEN_FIXTURES / name) is None


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param("", "it is empty", id="empty"),
        pytest.param("\n\r\n  \n", "it has no data rows, only blank lines", id="blank-lines"),
        pytest.param(",".join(COLUMNS) + "\r\n", "it has a header but no data rows", id="header-only"),
        pytest.param(",".join(COLUMNS) + "\n\n\n", "it has a header but no data rows", id="header-and-blanks"),
        pytest.param(doj_text().replace(",", ";"), "it is delimited by semicolons, not commas", id="semicolons"),
        pytest.param(doj_text().replace(",", "\t"), "it is delimited by tabs, not commas", id="tabs"),
        pytest.param(doj_text(header=None).replace(",", ";"), "it is delimited by semicolons, not commas",
                     id="semicolons-no-header"),
        pytest.param(doj_text(drop=col.DISP_DATE, header=[c for c in COLUMNS if c != "DISP_DATE"]),
                     "its header lacks the column DISP_DATE (the 95 columns are read by position)",
                     id="no-DISP_DATE"),
        pytest.param(doj_text(header=["RECORD_ID", "SUBJECT_ID", "NAME"]),
                     "its header lacks the columns SUBJECT_STATUS, REQ_SEG_SEP, REQ_CII_NUMBER, REQ_NAME, "
                     "REQ_GENDER and 87 more", id="other-header"),
        pytest.param(doj_text(header=[*COLUMNS[:50], COLUMNS[51], COLUMNS[50], *COLUMNS[52:]]),
                     "its header lists the columns out of order: column 51 is not CNT_ORDER", id="swapped"),
        pytest.param(doj_text(header=None, drop=col.DISP_DATE),
                     "it has no header, and none of its first 5 records has the 95 fields of a DOJ row "
                     "(the first has 94)", id="no-header-94-fields"),
        pytest.param("name,date of birth\nDOE JANE,19600314\n",
                     "it has no header, and none of its first 2 records has the 95 fields", id="another-csv"),
        pytest.param(random.Random(7).randbytes(20_000),
                     "it holds binary data, not comma-separated UTF-8 text", id="random-bytes"),
        pytest.param(random.Random(7).randbytes(20_000).replace(b"\0", b"\1"),
                     "it holds binary data, not comma-separated UTF-8 text", id="random-bytes-no-nul"),
        pytest.param(doj_text().encode("utf-16"), "it holds binary data", id="utf-16"),
    ],
)
def test_a_file_that_cannot_be_a_doj_file_gets_one_reason(tmp_path, content, reason):
    path = write(tmp_path, content)
    assert (screen_file(path) or "").startswith(reason)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(doj_text(), id="header-and-rows"),
        pytest.param(doj_text(terminator="\r\n"), id="crlf"),
        pytest.param(b"\xef\xbb\xbf" + doj_text().encode(), id="bom"),
        pytest.param(doj_text(header=None), id="no-header"),
        pytest.param(doj_text(header=[c.lower() for c in COLUMNS]), id="lower-case-names"),
        pytest.param(doj_text(header=list(COLUMNS[:-1])), id="no-END_OF_REC"),
        pytest.param(doj_text(header=[*COLUMNS, ""]), id="trailing-comma"),
        # Malformed rows under a DOJ header are reported row by row.
        pytest.param(doj_text(drop=col.DISP_DATE), id="rows-missing-a-field"),
        pytest.param(doj_text(header=None, rows=3) + "broken,row\n" * 80, id="first-rows-good"),
        pytest.param(doj_text(rows=1).encode().replace(b"DOE,JANE", b"D\xd6E,JANE"), id="latin-1-name"),
        # A stray NUL is a bad row (csv refuses it), not a binary file.
        pytest.param(doj_text(rows=3).encode().replace(b"DOE,JANE", b"DOE\x00,JANE", 1), id="one-nul"),
    ],
)
def test_a_doj_file_even_with_bad_rows_is_usable(tmp_path, content):
    assert screen_file(write(tmp_path, content)) is None


def test_only_the_first_bytes_are_read(tmp_path):
    """Garbage after the prefix is the reader's business (row by row), not the screen's."""
    good = doj_text(rows=400).encode()
    assert len(good) > textfiles.PREFIX_BYTES
    path = write(tmp_path, good + os.urandom(1 << 20))
    assert screen_file(path) is None
    # A file of blank lines beyond the prefix may still have rows further on.
    assert screen_file(write(tmp_path, ",".join(COLUMNS) + "\n" * (textfiles.PREFIX_BYTES + 10), "b.csv")) is None


def test_a_first_line_longer_than_the_prefix(tmp_path):
    """A data line that long is a record too long for the reader to report; no header is that long."""
    long_row = ",".join(doj_row("1")[:-1] + ["x" * textfiles.PREFIX_BYTES]) + "\n"
    assert screen_file(write(tmp_path, long_row + doj_text(header=None))) is None
    assert screen_file(write(tmp_path, "RECORD_ID," + long_row, "h.csv")) == "its header is longer than 64 KiB"


def test_screen_files_names_each_unusable_file_as_given(tmp_path):
    good = write(tmp_path, doj_text(), "good.csv")
    empty = write(tmp_path, "", "empty.csv")
    semi = write(tmp_path, doj_text().replace(",", ";"), "semi.csv")
    found = screen_files([good, empty, semi])
    assert [(f.file, f.reason) for f in found] == [
        (str(empty), "it is empty"), (str(semi), "it is delimited by semicolons, not commas")]
    assert str(found[0]) == f"{empty}: not a usable CA DOJ research file: it is empty"
