"""Streaming reader for CA DOJ research files.

Why this exists: intake must read files of any size in constant memory and must
never drop a record silently. Every physical record comes out either as a `Row`
(95 fields) or as a `RowError` carrying the reason and the original bytes, so a
bad record can be dead-lettered while the rest of the file still flows.

Behaviour follows gogen (shared/domain/ca-doj-prop64.md §1.1, §1.8):

* Header: if the file's first bytes are ``RECORD_ID`` the first physical line is
  skipped without being parsed, so its field count does not matter.
* RFC 4180 quoting with strict quotes, LF or CRLF line ends, blank lines skipped
  (Go's encoding/csv skips them too), values never trimmed.
* Exactly 95 fields per data row. Unlike gogen, one bad row does not fail the
  whole file: it becomes a `RowError` and reading goes on.

Deliberate difference from gogen, by default: a UTF-8 byte-order mark before
the header is ignored. gogen's quirk (the BOM defeats header detection and the
header becomes a bogus subject called "SUBJECT_ID") would create a fake person
here; `skip_bom=False` keeps it for gogen's own rule version.

`validate_row` and `count_order_problem` say which well-formed rows cannot be
judged; offline evaluation and intake reject the same ones.

Memory is bounded, never by the file and never by a line: a physical line
longer than MAX_LINE_BYTES (1 MiB; a DOJ row is about 1 KB) is one
`RowError` (RECORD_TOO_LONG), of which only the first bytes are kept, and
the rest of it is skipped in bounded reads; reading goes on with the next
line. A record of several lines (line breaks in quoted fields) is bounded by
that per line and by csv's field limit per field.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Sequence

from .columns import (
    CNT_ORDER,
    COLUMNS,
    DISP_DESCR,
    HEADER_TOKEN,
    NUM_COLUMNS,
    OFN,
    STP_TYPE_DESCR,
    SUBJECT_ID,
    column_name,
)

__all__ = [
    "MAX_LINE_BYTES",
    "RECORD_TOO_LONG",
    "FieldProblem",
    "RecordTooLong",
    "line_content_length",
    "Row",
    "RowError",
    "count_order_problem",
    "read_rows",
    "skip_line",
    "validate_row",
]

# gogen looks for the header token in the first 128 bytes (§1.1).
SNIFF_BYTES = 128
BOM = b"\xef\xbb\xbf"
_BARE_QUOTE = "bad CSV quoting: quote inside an unquoted field"
# Go's csv reader keeps a CR that does not end a line as data, in any field;
# Python's rejects it in an unquoted field. Parsers hand Python this stand-in
# instead and put the CR back in the fields. Decoding never yields it:
# surrogateescape produces only U+DC80-U+DCFF.
CR_STANDIN = "\ud800"


def go_line_ends(text: str, at_eof: bool = False) -> str:
    """Text as Go's csv reader sees its line ends: CRLF as LF, a lone CR as data.

    A lone CR comes back as CR_STANDIN (see restore_cr). Go also drops a CR
    that is the last byte of the file (`at_eof`: `text` ends the file).
    """
    if "\r" not in text:
        return text
    text = text.replace("\r\n", "\n")
    if at_eof and text.endswith("\r"):
        text = text[:-1]
    return text.replace("\r", CR_STANDIN)


def restore_cr(fields: list[str]) -> list[str]:
    """Fields parsed from go_line_ends text, with their lone CRs back."""
    return [value.replace(CR_STANDIN, "\r") for value in fields]
# Raw bytes kept per failed record for the dead letter; a runaway quoted field
# is stopped by csv.field_size_limit, this caps what we hold on to.
_RAW_LIMIT = 1 << 20
# The longest physical line a record may have, its line end (LF or CRLF) not
# counted: far above a real row (~1 KB), and what one line may cost in memory.
MAX_LINE_BYTES = 1 << 20
RECORD_TOO_LONG = f"record longer than {MAX_LINE_BYTES >> 20} MiB, the most one line of the file may hold"
# Bytes read at a time while skipping the rest of a line that is too long.
_SKIP_BYTES = 64 << 10


class RecordTooLong(Exception):
    """Raised by the line source of a csv.reader: a line longer than MAX_LINE_BYTES
    (already skipped). The reader starts afresh with the next line."""


def line_content_length(line: bytes) -> int:
    """Bytes of a physical line without its line end (LF, CRLF, or a CR ending the file)."""
    end = len(line)
    if end and line[end - 1] == 0x0A:
        end -= 1
    if end and line[end - 1] == 0x0D:
        end -= 1
    return end


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: 95 fields exactly as read."""

    file: str
    # 1-based physical line on which the record starts (a quoted newline makes
    # a record span several lines).
    line: int
    # 0-based data-row index in the file (header excluded, blank lines not counted).
    index: int
    fields: list[str]

    @property
    def subject_id(self) -> str:
        return self.fields[SUBJECT_ID]


@dataclass(frozen=True, slots=True)
class RowError:
    """A record that could not be read as a row. `reason` never quotes a value."""

    file: str
    line: int
    # Column name when the problem is in one field; None when it is the whole record.
    field: str | None
    reason: str
    # The record's physical lines as in the file, line ends included, for dead-lettering.
    raw: bytes = b""
    # The data-row index this record occupies, so later rows keep their position.
    index: int | None = None
    # True when `raw` was cut at _RAW_LIMIT bytes, or holds only the start of a record too long.
    raw_truncated: bool = False
    # Bytes of the record in the file (more than len(raw) when raw_truncated).
    size: int = 0


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """Why a well-formed row must still be rejected. `reason` never quotes a value."""

    field: str
    reason: str


class _DojDialect(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    strict = True
    lineterminator = "\n"
    quoting = csv.QUOTE_MINIMAL


class _RawLines:
    """Feeds decoded physical lines to csv.reader and remembers their bytes.

    Lines are decoded with surrogateescape so that invalid UTF-8 never stops the
    stream; such a row is reported by field afterwards, and its bytes survive.
    A line longer than MAX_LINE_BYTES is never read whole: its first bytes are
    kept, the rest is skipped, and RecordTooLong is raised in csv.reader's place.
    """

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._buf: list[bytes] = []
        self._size = 0
        self._total = 0
        self._truncated = False
        self.stood_in = False  # a line since the last take() had a lone CR
        self.count = 0  # physical lines handed out (or skipped as too long)

    def __iter__(self) -> "_RawLines":
        return self

    def __next__(self) -> str:
        line = self._fh.readline(MAX_LINE_BYTES + 2)
        if not line:
            raise StopIteration
        self.count += 1
        self._keep(line)
        if line_content_length(line) > MAX_LINE_BYTES:
            if not line.endswith(b"\n"):
                self._total += skip_line(self._fh)
            self._truncated = True
            raise RecordTooLong
        text = go_line_ends(line.decode("utf-8", "surrogateescape"), at_eof=not line.endswith(b"\n"))
        self.stood_in = self.stood_in or CR_STANDIN in text
        return text

    def _keep(self, line: bytes) -> None:
        self._total += len(line)
        if self._size < _RAW_LIMIT:
            keep = line[: _RAW_LIMIT - self._size]
            self._buf.append(keep)
            self._size += len(keep)
            if len(keep) < len(line):
                self._truncated = True
        else:
            self._truncated = True

    def take(self) -> tuple[bytes, bool, int]:
        """Bytes of the lines read since the last call, whether they were cut, and their full size."""
        raw, truncated, total = b"".join(self._buf), self._truncated, self._total
        self._buf.clear()
        self._size = 0
        self._total = 0
        self._truncated = False
        self.stood_in = False
        return raw, truncated, total


# Python's csv messages are fixed templates (no values); we restate them in our words.
_CSV_REASONS = {
    "',' expected after '\"'": "bad CSV quoting: a quoted field must end with a quote followed by a comma",
    "unexpected end of data": "bad CSV quoting: a quoted field is not closed before the end of the file",
}


def csv_reason(exc: csv.Error) -> str:
    """Python's csv error in words that name no value."""
    message = str(exc)
    if message in _CSV_REASONS:
        return _CSV_REASONS[message]
    if message.startswith("field larger than field limit"):
        return f"field longer than {csv.field_size_limit()} characters (unclosed quote?)"
    if "new-line character seen in unquoted field" in message:
        return "bad CSV line ending: carriage return inside an unquoted field"
    return "malformed CSV record"


def skip_line(fh: BinaryIO) -> int:
    """Discard (the rest of) one physical line without holding it in memory; returns its bytes.

    Reads fixed blocks and seeks back to the line's end (readline with a limit
    would cost twice the block).
    """
    skipped = 0
    while True:
        block = fh.read(_SKIP_BYTES)
        end = block.find(b"\n")
        if end >= 0:
            fh.seek(end + 1 - len(block), os.SEEK_CUR)
            return skipped + end + 1
        skipped += len(block)
        if len(block) < _SKIP_BYTES:
            return skipped


def _bare_quote_column(text: str) -> int | None:
    """Index of the first unquoted field containing a double quote, else None.

    Go's encoding/csv (strict) rejects a bare quote in an unquoted field, e.g.
    ``ab"c`` or `` "x"`` with a leading space; Python's csv accepts them, so
    this check restores gogen's strictness. Only called on text csv already
    parsed, so quoted fields are known to be closed properly.
    """
    col = 0
    at_start = True
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if at_start and c == '"':
            i += 1
            while i < n:
                if text[i] == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        i += 2
                        continue
                    break
                i += 1
            at_start = False
        elif c == ",":
            col += 1
            at_start = True
        elif c == '"':
            return col
        elif c not in "\r\n":
            at_start = False
        i += 1
    return None


def _field_count_problem(fields: list[str]) -> str | None:
    """The reason a record does not have the 95 fields of a DOJ row, else None."""
    if len(fields) != NUM_COLUMNS:
        return f"expected {NUM_COLUMNS} fields, found {len(fields)}"
    return None


def _bad_utf8_column(fields: list[str]) -> int | None:
    """Index of the first field that was not valid UTF-8 (decoded with surrogateescape)."""
    for i, value in enumerate(fields):
        if value.isascii():
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return i
    return None


def read_rows(path: str | os.PathLike[str], *, skip_bom: bool = True) -> Iterator[Row | RowError]:
    """Yield every record of a DOJ research file, in file order, as Row or RowError.

    `skip_bom=False` reads a byte order mark as gogen does (see data_start).
    """
    path = Path(path)
    name = path.name
    with open(path, "rb") as fh:
        start, header_lines = data_start(fh, skip_bom=skip_bom)
        fh.seek(start)
        lines = _RawLines(fh)
        index = 0
        for first, _, fields in parse_records(csv.reader(lines, dialect=_DojDialect),
                                              lines_read=lambda: lines.count):
            start = header_lines + first + 1
            if isinstance(fields, str):  # the record could not be parsed: why
                raw, cut, size = lines.take()
                yield RowError(name, start, None, fields, raw, index, cut, size)
                index += 1
                continue
            if lines.stood_in:
                fields = restore_cr(fields)
            raw, cut, size = lines.take()
            if not fields:
                continue
            # An ASCII record cannot hold bad UTF-8: one test instead of one per field.
            problem = record_problem(fields, None if cut else raw,
                                     utf8_known_good=not cut and raw.isascii())
            if problem is None:
                yield Row(name, start, index, fields)
            else:
                field, reason = problem
                yield RowError(name, start, field, reason, raw, index, cut, size)
            index += 1


def data_start(fh: BinaryIO, *, skip_bom: bool = True) -> tuple[int, int]:
    """Where a DOJ file's data rows begin: (byte offset, header lines skipped).

    As gogen (§1.1): when the file's first 128 bytes begin with RECORD_ID, the
    first physical line is a header, skipped without being parsed. A UTF-8
    byte-order mark is skipped first when `skip_bom`; gogen does not, so a BOM
    hides its header (the gogen-compatible rules reproduce that).
    """
    fh.seek(0)
    head = fh.read(SNIFF_BYTES)
    start = len(BOM) if skip_bom and head.startswith(BOM) else 0
    if head[start:].startswith(HEADER_TOKEN.encode("ascii")):
        fh.seek(start)
        skip_line(fh)
        return fh.tell(), 1
    return start, 0


# gogen reads a file's first SNIFF_BYTES whole to find the header, and fails on
# a shorter file with Go's io.EOF (§1.1 quirk b): its error entry for that file.
SHORT_FILE_ERROR = {"errorType": "OTHER", "errorMessage": "EOF"}


def gogen_parse_error(line: int, header_lines: int, reason: str) -> dict[str, str]:
    """gogen's error entry for a file rejected for one malformed record (§1.8).

    `line` is the record's physical line; gogen counts lines after the header
    it discarded. `reason` is ours (record_problem's or validate_row's), which
    never quotes a value.
    """
    after_header = line - header_lines
    if reason.startswith("expected"):
        return {"errorType": "PARSING", "errorMessage": f"record on line {after_header}: wrong number of fields"}
    return {"errorType": "PARSING", "errorMessage": f"record on line {after_header}: {reason}"}


def parse_records(reader, lines_read: Callable[[], int] | None = None
                  ) -> Iterator[tuple[int, int, list[str] | str]]:
    """Each record a csv.reader reads: (lines before it, lines up to its end, its fields).

    A record Python's csv cannot parse comes as the reason instead of fields
    (a str, naming no value), and reading goes on with the next record, so a
    malformed record costs only itself. Line counts are the reader's own
    (physical lines), so a record's first line is known even when a quoted
    field spans several. A blank line comes as an empty list.
    ``lines_read``: the line source's own count, for a source that raises
    RecordTooLong (csv does not count the line it was refused).
    """
    count = lines_read if lines_read is not None else (lambda: reader.line_num)
    done = 0
    while True:
        first = done
        try:
            fields = next(reader)
        except StopIteration:
            return
        except RecordTooLong:
            done = count()
            yield first, done, RECORD_TOO_LONG
            continue
        except csv.Error as error:
            done = count()
            yield first, done, csv_reason(error)
            continue
        done = count()
        yield first, done, fields


def record_problem(fields: list[str], record: str | bytes | None, *,
                   utf8_known_good: bool = False) -> tuple[str | None, str] | None:
    """(field, reason) when parsed fields are not a DOJ row, else None; field None: the whole record.

    The checks Python's csv leaves to us: exactly 95 fields; no bare quote in an
    unquoted field (Go rejects it, Python accepts it; `record` is the record as
    read, None when it is not known whole or its quotes are known good); every
    field valid UTF-8 (skipped when `utf8_known_good`). Reasons never quote a value.
    """
    count_problem = _field_count_problem(fields)
    if count_problem is not None:
        return None, count_problem
    if record is not None and '"' in "".join(fields):
        if isinstance(record, bytes):
            record = record.decode("utf-8", "surrogateescape")
        col = _bare_quote_column(record)
        if col is not None:
            return column_name(col), _BARE_QUOTE
    if not utf8_known_good:
        bad = _bad_utf8_column(fields)
        if bad is not None:
            return column_name(bad), "not valid UTF-8"
    return None


STEP_COURT_ACTION = "COURT ACTION"
CONVICTED_PREFIX = "CONVICTED"
# gogen groups case numbers by "cycle + step": the first 6 CNT_ORDER characters.
CASE_KEY_LENGTH = 6


def count_order_problem(fields: Sequence[str]) -> str | None:
    """Why a row's CNT_ORDER cannot be used, or None.

    gogen panics (exit status 2, no output) on these rows (§1.3); we reject the
    row with a reason instead, in both rule versions, and judge the rest.
    """
    count_order = fields[CNT_ORDER]
    if len(count_order) >= CASE_KEY_LENGTH:
        return None
    convicted = fields[DISP_DESCR].startswith(CONVICTED_PREFIX)
    if convicted or (fields[STP_TYPE_DESCR] == STEP_COURT_ACTION and fields[OFN] != ""):
        return f"shorter than {CASE_KEY_LENGTH} characters on a conviction or court row"
    return None


def validate_row(row: Row, *, any_subject_id: bool = False) -> list[FieldProblem]:
    """Problems that make intake reject a well-formed row.

    Only what cannot be processed at all: an empty SUBJECT_ID would merge
    unrelated rows into one person (gogen's quirk, §1.3; reproduced only on
    request, see ``any_subject_id``), and a short CNT_ORDER
    on a conviction or court row stops gogen (count_order_problem; offline
    evaluation rejects the same rows). Anything gogen accepts, such as invalid
    dates or unknown codes, passes: the rules judge it.
    ``any_subject_id``: accept every SUBJECT_ID, empty or blank, as gogen does
    (for its rule version, which judges the rows with an empty one as gogen's
    pseudo-subject of their file).
    """
    problems: list[FieldProblem] = []
    if len(row.fields) != NUM_COLUMNS:
        problems.append(
            FieldProblem("", f"expected {NUM_COLUMNS} fields, found {len(row.fields)}")
        )
        return problems
    subject_id = row.fields[SUBJECT_ID]
    if not any_subject_id and subject_id == "":
        problems.append(FieldProblem(COLUMNS[SUBJECT_ID], "empty"))
    elif not any_subject_id and not subject_id.strip():
        # Stricter than gogen, on purpose: spaces cannot identify a person either.
        problems.append(FieldProblem(COLUMNS[SUBJECT_ID], "blank (spaces only)"))
    count_order = count_order_problem(row.fields)
    if count_order is not None:
        problems.append(FieldProblem(COLUMNS[CNT_ORDER], count_order))
    return problems
