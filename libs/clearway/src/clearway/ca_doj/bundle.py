"""gogen's result bundle: file names, column layouts and CSV bytes (ca-doj-prop64.md §4.1).

A county that compares our files with gogen's must see identical bytes, so the
CSV is encoded as Go's encoding/csv writes it. Go quotes a field when it holds
a comma, a quote, CR or LF, when it starts with a space (any Unicode space),
or when it is exactly ``\\.``; Python's csv module agrees on everything but the
last two, so lines are written by csv and patched only when they need it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from clearway.ca_doj.columns import COLUMNS

ALL_RESULTS = "All_Results"
CONDENSED = "All_Results_Condensed"
PROP64_RESULTS = "Prop64_Results"
SUMMARY = "gogen"

# The 18 eligibility columns after the DOJ columns, in gogen's order (§4.2).
ELIGIBILITY_COLUMNS = (
    "Case Number",
    "# of convictions on record",
    "Possible Other P64 Charges",
    "Occurred after 11/9/2016",
    "Superstrike Code Section(s)",
    "PC290 Code Section(s)",
    "PC290 Registration",
    "Date of Conviction",
    "Years Since This Conviction",
    "Years Since Any Conviction",
    "# of Prop 64 convictions",
    "# of HS 11357 convictions",
    "# of HS 11358 convictions",
    "# of HS 11359 convictions",
    "# of HS 11360 convictions",
    "Deceased",
    "Eligibility Determination",
    "Eligibility Reason",
)
# Added by the corrected rule version: every outcome names its rule, version and law.
EXPLANATION_COLUMNS = ("Rule ID", "Rule Version", "Statute Citation")

# The DOJ columns of All_Results_Condensed.csv, in order (§4.1).
CONDENSED_COLUMNS: tuple[int, ...] = tuple(
    COLUMNS.index(name)
    for name in (
        "CII_NUMBER", "PRI_NAME", "GENDER", "PRI_DOB", "RACE_DESCR", "CYC_DATE",
        "STP_EVENT_DATE", "STP_ORI_DESCR", "STP_ORI_CNTY_NAME", "DISP_DATE", "OFN",
        "OFFENSE_DESCR", "DISP_DESCR", "CONV_STAT_DESCR", "SENT_LOC_DESCR",
        "SENT_LENGTH", "SENT_TIME_CODE", "CYC_AGE", "COMMENT_TEXT", "END_OF_REC",
    )
)


def result_name(kind: str, file_number: int, file_count: int, suffix: str = "", ext: str = "csv") -> str:
    """gogen's file name: ``All_Results.csv``, or ``All_Results_2.csv`` with several inputs."""
    name = kind
    if file_count > 1 and kind != SUMMARY:
        name += f"_{file_number}"
    if suffix:
        name += f"_{suffix}"
    return f"{name}.{ext}"


def write_file_errors(folder: Path, errors: dict[str, dict[str, str]]) -> Path:
    """gogen.err: each file rejected whole -> gogen's {errorType, errorMessage}, compact Go JSON."""
    path = folder / result_name(SUMMARY, 1, 1, ext="err")
    path.write_text(json.dumps(errors, separators=(",", ":")), encoding="utf-8")
    return path


# Go's unicode.IsSpace, less LF. Spelled out: Python's \s would also match
# U+001C-U+001F, which Go does not quote.
_GO_SPACE = "\t\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# In text written by Python's csv module: a quoted field (left alone), or an
# unquoted field that Go would quote: one starting with whitespace, holding a
# CR, or exactly "\\.". Every '"' of such text belongs to a quoted field.
_GO_QUOTED = re.compile(
    r'"(?:[^"]|"")*"|(?:(?<=[,\n])|^)(?:[' + _GO_SPACE + r'][^,\n]*|[^,"\r\n]*\r[^,\n]*|\\\.(?=[,\n]|$))'
)
# ASCII whitespace that can open a field (Go's unicode.IsSpace, less CR/LF).
# Found with plain substring tests, which run at memory speed, where a regex
# search for the same thing costs a step per character.
_SPACES = (" ", "\t", "\x0b", "\x0c")
_OPENINGS = tuple((space, f",{space}", f"\n{space}") for space in _SPACES)
_UNICODE_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def _go_quote(match: re.Match[str]) -> str:
    text = match.group()
    return text if text[0] == '"' else f'"{text}"'


def is_plain(text: str) -> bool:
    """True when Go and Python's csv quote the same fields of `text`.

    That is: no CR, no ``\\.``, no Unicode space but ASCII ones, and no field
    opening with whitespace anywhere (in quoted fields too, which errs on the
    safe side).
    """
    if (
        not (text.isascii() or _UNICODE_SPACE.search(text) is None)
        or "\r" in text
        or ("\\" in text and "\\." in text)  # one character first: found at memchr speed
        or text.startswith(_SPACES)
    ):
        return False
    for space, after_comma, after_newline in _OPENINGS:
        # A one-character test first: tabs and form feeds are rarely there at all.
        if space in text and (after_comma in text or after_newline in text):
            return False
    return True


def to_go_csv(text: str) -> str:
    """Turn lines written by Python's csv.writer (QUOTE_MINIMAL, LF) into Go's bytes."""
    if is_plain(text):
        return text
    return _GO_QUOTED.sub(_go_quote, text)


def is_go_line(line: str, plain: bool = False) -> bool:
    """True when `line`, one physical line csv parsed as one record, is what
    Go's csv.Writer writes for that record, so it can be copied as it is.

    Recognises the two forms DOJ files are made of: no quotes at all, or one
    quoted field that holds a comma (the name). Anything else returns False
    and is encoded field by field. `plain`: is_plain already holds for a text
    that contains the line.
    """
    if not (plain or is_plain(line)):
        return False
    if '"' not in line:
        return True
    parts = one_quoted_field(line)
    return parts is not None and "," in parts[1]


def one_quoted_field(line: str) -> tuple[str, str, str] | None:
    """A line with exactly two quotes, around a whole field (the DOJ name, "LAST,FIRST"),
    as (the text before the opening quote, the field, the text after the closing
    quote); None for any other line. The field opens the line or follows a
    comma, and ends the line or precedes one."""
    parts = line.split('"')
    if len(parts) == 3 and parts[0][-1:] in ("", ",") and parts[2][:1] in ("", ","):
        return parts[0], parts[1], parts[2]
    return None


class LineEncoder:
    """Encodes rows as Go's csv.Writer does (LF ends lines)."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")

    def line(self, fields: Sequence[str]) -> str:
        if len(fields) > 1:
            # Most lines need no quoting at all: joining is ten times cheaper
            # than the csv writer.
            joined = ",".join(fields)
            if (
                joined.count(",") == len(fields) - 1
                and '"' not in joined
                and "\n" not in joined
                and is_plain(joined)
            ):
                return joined + "\n"
        return self.lines((fields,))

    def lines(self, rows: Iterable[Sequence[str]]) -> str:
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._writer.writerows(rows)
        return to_go_csv(buffer.getvalue())


def header_lines(eligibility_columns: Sequence[str]) -> tuple[str, str]:
    """The first line of All_Results (and Prop64_Results), and that of
    All_Results_Condensed: the DOJ columns, all or the condensed ones, then
    `eligibility_columns`. One definition for offline evaluation and petitions."""
    encoder = LineEncoder()
    return (encoder.line([*COLUMNS, *eligibility_columns]),
            encoder.line([*(COLUMNS[i] for i in CONDENSED_COLUMNS), *eligibility_columns]))
