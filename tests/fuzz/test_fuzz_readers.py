"""The DOJ reader and the contacts reader, on any bytes: rows or explained errors, never a crash.

Properties, not examples: a file of well-formed rows reads back exactly as it
was written; any file at all yields only 95-field rows and errors that name a
line and say why without quoting the file; the screen of a file's first bytes
answers for any bytes; the contacts file loads or is refused naming file, line
and column, never a value.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearway.ca_doj import screen
from clearway.ca_doj.columns import COLUMNS, NUM_COLUMNS
from clearway.ca_doj.reader import Row, RowError, read_rows
from clearway_intake.domain.ca_doj.cases import CONTACT_COLUMNS, ContactsError, load_contacts

pytestmark = pytest.mark.fuzz

WORK = Path(tempfile.mkdtemp(prefix="clearway-fuzz-readers-"))
# Marks values of a file's rows: no message may ever show one (headers may be named).
CANARY = "Qz\u2603"
_TEXT = st.text(st.characters(exclude_characters="\r", exclude_categories=("Cs",)), max_size=20)
# Field text as a DOJ file may hold it (no CR: Go's reader turns CRLF into LF, see reader.py).
FIELD = st.one_of(st.sampled_from(["", "  -  ", "19900413", "CONVICTED", "11357 HS", 'A "B"', "a,b",
                                   "x\ny"]),
                  _TEXT, _TEXT.map(lambda text: CANARY + text))
def _row(changes) -> list[str]:
    fields = ["  -  "] * NUM_COLUMNS  # as DOJ files fill most columns
    for column, value in changes:
        fields[column] = value
    return fields


# A DOJ row: filler, with some columns of any text (cheap to draw, so a long run is long).
ROW = st.lists(st.tuples(st.integers(0, NUM_COLUMNS - 1), FIELD), max_size=12).map(_row)


def _file(content: bytes, name: str = "doj.csv") -> Path:
    path = WORK / name
    path.write_bytes(content)
    return path


def _csv(rows, header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


@given(rows=st.lists(ROW, max_size=5), header=st.booleans())
def test_well_formed_rows_read_back_exactly_as_written(rows, header):
    path = _file(_csv(rows, COLUMNS if header else None))
    read = list(read_rows(path))
    assert all(isinstance(item, Row) for item in read), [i for i in read if isinstance(i, RowError)]
    assert [item.fields for item in read] == rows
    assert [item.index for item in read] == list(range(len(read)))


LINES = st.lists(st.one_of(
    ROW.map(lambda r: _csv([r])),
    st.lists(FIELD, max_size=100).map(lambda r: _csv([r])),
    st.binary(max_size=200),
    st.binary(max_size=60).map(lambda b: CANARY.encode() + b),
    st.sampled_from([b"\n", b"\r\n", b'"unclosed,\n', b"a;b;c\n", b"\x00\x01\x02\n",
                     b"\xef\xbb\xbf" + ",".join(COLUMNS).encode() + b"\n"]),
), max_size=8)


@given(lines=LINES)
def test_any_file_yields_only_rows_and_errors_that_name_a_line_without_quoting_it(lines):
    content = b"".join(lines)
    path = _file(content)
    index = 0
    for item in read_rows(path):
        assert item.line >= 1
        if isinstance(item, Row):
            assert len(item.fields) == NUM_COLUMNS
            assert item.index == index
        else:
            assert isinstance(item, RowError) and item.reason
            assert CANARY not in item.reason
            assert len(item.raw) <= 1 << 20
        index += 1
    problem = screen.screen_prefix(content[:64 * 1024], whole=len(content) <= 64 * 1024)
    assert problem is None or (isinstance(problem, str) and problem)


@given(content=st.binary(max_size=3000))
def test_the_screen_and_the_reader_take_any_bytes(content):
    path = _file(content)
    problem = screen.screen_file(path)
    assert problem is None or isinstance(problem, str)
    for item in read_rows(path):
        assert isinstance(item, (Row, RowError))


CELL = st.one_of(st.sampled_from(["", "true", "false", "yes", "maybe", "en", "es-MX", "english!",
                                  "+15555550123", "555", "a@example.org", "x@",
                                  "a@example.org\r\nBcc: b@example.org"]),
                 st.text(max_size=15), st.text(max_size=15).map(lambda text: CANARY + text))


@given(header=st.one_of(st.just(list(CONTACT_COLUMNS)), st.permutations(list(CONTACT_COLUMNS)),
                        st.lists(st.sampled_from([*CONTACT_COLUMNS, "x", ""]), max_size=9)),
       rows=st.lists(st.lists(CELL, min_size=0, max_size=9), max_size=5),
       noise=st.binary(max_size=40))
def test_a_contacts_file_loads_or_is_refused_naming_file_line_and_column_never_a_value(header, rows, noise):
    content = _csv(rows, header) + (noise if rows and len(rows) % 2 else b"")
    path = _file(content, "contacts.csv")
    try:
        contacts = load_contacts(path)
    except ContactsError as refused:
        message = str(refused)
        assert message.startswith("contacts.csv: ")
        assert CANARY not in message, message
        return
    assert all(info.email == "" or "@" in info.email for info in contacts.values())


@given(content=st.binary(max_size=2000))
def test_a_contacts_file_of_any_bytes_loads_or_is_refused(content):
    try:
        load_contacts(_file(content, "contacts.csv"))
    except ContactsError as refused:
        assert str(refused).startswith("contacts.csv: ")
