"""gogen's result bundle as bytes: Go's CSV quoting, Go's JSON, and the run tally.

Expected encodings below were produced by Go's encoding/csv and encoding/json
(go1.26) on the same inputs. gogen 0.2.13 writes its CSVs with encoding/csv's
Writer (LF line ends) and its summary with encoding/json (HTML-safe escaping).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import random
from collections import Counter

import pytest

from clearway.ca_doj import bundle, summary, tally_codec
from clearway.ca_doj.columns import COLUMNS
from clearway.ca_doj.summary import ReliefCounts, Tally

# --------------------------------------------------------------------------
# Go's csv.Writer
# --------------------------------------------------------------------------

# (field, how Go writes it). Go quotes a field that holds a comma, a quote, CR
# or LF, that starts with a Unicode space (unicode.IsSpace), or that is
# exactly `\.`; an empty field is never quoted.
GO_FIELDS = [
    (" x", '" x"'),  # leading space
    ("\tx", '"\tx"'),  # leading tab
    ("\rx", '"\rx"'),
    ("a\rb", '"a\rb"'),  # CR anywhere (Python's csv would not quote it)
    ("\\.", '"\\."'),  # exactly \. (Python's csv would not quote it)
    ("a,b", '"a,b"'),
    ('q"q', '"q""q"'),
    ("", ""),
    ("\xa0x", '"\xa0x"'),  # leading NBSP: a Unicode space
    ("\u2028x", '"\u2028x"'),
    ("\x85x", '"\x85x"'),
    ("\u3000x", '"\u3000x"'),
    ("\x0bx", '"\x0bx"'),
    ("\x0cx", '"\x0cx"'),
    ("x\ny", '"x\ny"'),
    ("x\r\ny", '"x\r\ny"'),
    # Not quoted by Go.
    ("x\xa0", "x\xa0"),  # only a leading space counts
    ("x ", "x "),
    ("\x1cx", "\x1cx"),  # Python calls U+001C-U+001F spaces; Go does not
    ("\x1fx", "\x1fx"),
    ("\u200bx", "\u200bx"),  # zero-width space is not a space
    ("\\.x", "\\.x"),
    (" \\.", '" \\."'),
    ("é", "é"),
    ("\\", "\\"),
    (".", "."),
    ("  -  ", '"  -  "'),  # the synthetic generator's filler
]


@pytest.mark.parametrize(("value", "encoded"), GO_FIELDS, ids=[repr(v) for v, _ in GO_FIELDS])
def test_line_encoder_quotes_as_go_does(value: str, encoded: str) -> None:
    encoder = bundle.LineEncoder()
    assert encoder.line(["p", value, "q"]) == f"p,{encoded},q\n"  # in the middle
    assert encoder.line([value, "q"]) == f"{encoded},q\n"  # first on the line
    assert encoder.line(["q", value]) == f"q,{encoded}\n"  # last on the line


@pytest.mark.parametrize(("value", "encoded"), GO_FIELDS, ids=[repr(v) for v, _ in GO_FIELDS])
def test_to_go_csv_patches_python_csv_text(value: str, encoded: str) -> None:
    rows = [["p", value, "q"], [value, "q"], ["q", value]]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    assert bundle.to_go_csv(buffer.getvalue()) == f"p,{encoded},q\n{encoded},q\nq,{encoded}\n"


def test_to_go_csv_leaves_plain_text_alone() -> None:
    text = "a,b,c\n1,,3\n"
    assert bundle.to_go_csv(text) is text
    assert bundle.to_go_csv("") == ""


def test_line_encoder_many_lines_and_reuse() -> None:
    encoder = bundle.LineEncoder()
    assert encoder.lines([["a", " b"], ["\\.", "c,d"]]) == 'a," b"\n"\\.","c,d"\n'
    assert encoder.line(["x"]) == "x\n"  # the buffer is reset between calls


# Go's Writer.fieldNeedsQuotes, ported; checked against Go on 20 000 random
# records when these tests were written.
_GO_SPACES = frozenset("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                       "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def go_line(record: list[str]) -> str:
    def field(value: str) -> str:
        if value == "":
            return value
        if value == "\\." or any(c in value for c in ',"\r\n') or value[0] in _GO_SPACES:
            return '"' + value.replace('"', '""') + '"'
        return value

    return ",".join(field(v) for v in record) + "\n"


def test_line_encoder_matches_go_on_random_records() -> None:
    alphabet = list('ab \t\r\n",\\.#-é') + ["\xa0", "\x85", "\u2028", "\u3000", "\x1c", "\x1f",
                                          "\x0b", "\x0c", "\u200b", "\u2009"]
    rng = random.Random(20261120)
    encoder = bundle.LineEncoder()
    records = []
    for _ in range(3000):
        record = ["".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 1, 2, 3, 5])))
                  for _ in range(rng.randint(2, 5))]
        if rng.random() < 0.05:
            record[rng.randrange(len(record))] = "\\."
        records.append(record)
        assert encoder.line(record) == go_line(record), record
    # And as one block of text, as offline evaluation writes a chunk.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(records)
    assert bundle.to_go_csv(buffer.getvalue()) == "".join(go_line(r) for r in records)


def test_line_encoder_matches_go_on_mostly_plain_records() -> None:
    """Records that need no quoting take the encoder's join path; it must agree with Go too."""
    alphabet = list("abcXYZ019#-/()") + [" ", " ", ";", "\\", "."] + [",", '"', "\t", "\r", "\xa0"]
    weights = [20] * 14 + [4, 4, 4, 2, 2] + [1, 1, 1, 1, 1]
    rng = random.Random(20261121)
    encoder = bundle.LineEncoder()
    fast = 0
    for _ in range(5000):
        record = ["".join(rng.choices(alphabet, weights, k=rng.choice([0, 1, 3, 8])))
                  for _ in range(rng.randint(2, 30))]
        encoded = encoder.line(record)
        assert encoded == go_line(record), record
        fast += "".join(record) == encoded.replace(",", "")[:-1]
    assert fast > 500  # the join path was exercised, not only the csv writer


IS_GO_LINE = [
    ("a,b,,c", True),
    ('a,"SMITH,JOHN",c', True),
    ('"SMITH,JOHN",c', True),
    ('a,"SMITH,JOHN"', True),
    ('a,"SMITH",c', False),  # Go would not quote it
    ('a,"B,C","D,E"', False),  # more than one quoted field: encoded instead
    ('a,"SAY ""HI"", X",c', False),  # doubled quotes: encoded instead
    ('a,b"c,d"', False),  # a bare quote
    ("a, b", False),  # Go quotes a leading space
    ("a,\tb", False),
    (" a,b", False),
    ("a,\\.,b", False),
    ("a,b\rc", False),
    ("a,\xe9,\xa7 1", True),  # not ASCII, but no Unicode space
    ("a,\xa0b", False),  # a no-break space opens a field: Go quotes it
    ("a,b\u3000", False),  # any Unicode space sends the line to the encoder
]


@pytest.mark.parametrize(("line", "verbatim"), IS_GO_LINE, ids=[repr(line) for line, _ in IS_GO_LINE])
def test_is_go_line(line: str, verbatim: bool) -> None:
    assert bundle.is_go_line(line) is verbatim
    if verbatim:
        assert go_line(next(csv.reader([line]))) == line + "\n"


def test_is_go_line_never_vouches_for_a_line_go_would_write_otherwise() -> None:
    alphabet = list('ab ,"\t\\.') + ["\xa0", "\r"]
    rng = random.Random(7)
    vouched = 0
    for _ in range(20000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        try:
            records = list(csv.reader([line], strict=True))
        except csv.Error:
            continue
        if len(records) != 1 or not bundle.is_go_line(line):
            continue
        vouched += 1
        assert go_line(records[0]) == line + "\n", line
    assert vouched > 1000


def test_encoded_lines_read_back() -> None:
    record = [v for v, _ in GO_FIELDS]
    line = bundle.LineEncoder().line(record)
    # Python's reader keeps the CR of "x\r\ny" (Go's would drop it).
    assert next(csv.reader(io.StringIO(line, newline=""))) == record


# --------------------------------------------------------------------------
# Names and layouts
# --------------------------------------------------------------------------


def test_result_names() -> None:
    assert bundle.result_name(bundle.ALL_RESULTS, 1, 1) == "All_Results.csv"
    assert bundle.result_name(bundle.CONDENSED, 2, 3) == "All_Results_Condensed_2.csv"
    assert bundle.result_name(bundle.PROP64_RESULTS, 2, 2, suffix="run") == "Prop64_Results_2_run.csv"
    assert bundle.result_name(bundle.SUMMARY, 1, 3, ext="json") == "gogen.json"
    assert bundle.result_name(bundle.SUMMARY, 1, 1, suffix="x", ext="err") == "gogen_x.err"


def test_condensed_columns() -> None:
    assert [COLUMNS[i] for i in bundle.CONDENSED_COLUMNS] == [
        "CII_NUMBER", "PRI_NAME", "GENDER", "PRI_DOB", "RACE_DESCR", "CYC_DATE",
        "STP_EVENT_DATE", "STP_ORI_DESCR", "STP_ORI_CNTY_NAME", "DISP_DATE", "OFN",
        "OFFENSE_DESCR", "DISP_DESCR", "CONV_STAT_DESCR", "SENT_LOC_DESCR",
        "SENT_LENGTH", "SENT_TIME_CODE", "CYC_AGE", "COMMENT_TEXT", "END_OF_REC",
    ]
    assert len(bundle.ELIGIBILITY_COLUMNS) == 18
    assert bundle.ELIGIBILITY_COLUMNS[-2:] == ("Eligibility Determination", "Eligibility Reason")


# --------------------------------------------------------------------------
# Go's JSON (gogen.json)
# --------------------------------------------------------------------------


def test_dumps_is_compact_and_escapes_html_as_go() -> None:
    # Keys in Go's (sorted) map order, so the whole text can be compared.
    document = {"county": "SAN JOAQUIN", "reasons": {"<a> & b": 1, "x\u2028y\u2029": 3, "é": 2}}
    # Go: {"county":"SAN JOAQUIN","reasons":{"\u003ca\u003e \u0026 b":1,"x\u2028y\u2029":3,"é":2}}
    assert summary.dumps(document) == (
        '{"county":"SAN JOAQUIN","reasons":{"\\u003ca\\u003e \\u0026 b":1,'
        '"x\\u2028y\\u2029":3,"é":2}}'
    )
    assert json.loads(summary.dumps(document)) == document


def test_dumps_keeps_key_order() -> None:
    assert summary.dumps({"b": 1, "a": [1, 2]}) == '{"b":1,"a":[1,2]}'


# --------------------------------------------------------------------------
# Tally
# --------------------------------------------------------------------------


def full_tally(earliest=(1985, 4, 11), scale: int = 1) -> Tally:
    return Tally(
        convictions_by_section=Counter({"11357": 1 * scale, "11359": 2 * scale}),
        subjects_with_prop64=1 * scale,
        felony_convictions=2 * scale,
        non_felony_convictions=1 * scale,
        subjects_with_some_relief=1 * scale,
        dismissal_by_section=Counter({"11357": 1 * scale}),
        reduction_by_section=Counter({"11359": 1 * scale}),
        dismissal_by_additional_relief=Counter({"57 years or older": 1 * scale}),
        relief_current=ReliefCounts(1 * scale, 0, 1 * scale),
        relief_dismiss_all=ReliefCounts(1 * scale, 1 * scale, 1 * scale),
        earliest_conviction=earliest,
        subjects=1 * scale,
        subjects_with_conviction=1 * scale,
        subjects_with_felony=1 * scale,
        outcomes=Counter({"dismiss": 2 * scale, "reduce": 1 * scale}),
    )


def test_tally_add_sums_every_field() -> None:
    total = Tally()
    total.add(full_tally())
    total.add(full_tally((1990, 1, 1), scale=2))
    assert total == full_tally((1985, 4, 11), scale=3)


def test_tally_add_other_keys_are_added() -> None:
    total = full_tally()
    total.add(Tally(convictions_by_section=Counter({"11360": 4}),
                    dismissal_by_additional_relief=Counter({"Individual is deceased": 1})))
    assert total.convictions_by_section == {"11357": 1, "11359": 2, "11360": 4}
    assert total.dismissal_by_additional_relief == {"57 years or older": 1, "Individual is deceased": 1}


@pytest.mark.parametrize(
    ("running", "other", "earliest"),
    [
        (None, None, None),
        (None, (2010, 1, 1), (2010, 1, 1)),  # an empty running value is ignored
        ((2010, 1, 1), None, (2010, 1, 1)),
        ((2010, 1, 1), (2009, 12, 31), (2009, 12, 31)),
        ((2009, 12, 31), (2010, 1, 1), (2009, 12, 31)),
        ((2010, 1, 1), (1, 1, 1), (1, 1, 1)),  # gogen's zero date wins
        ((1, 1, 1), (1979, 6, 1), (1, 1, 1)),
    ],
)
def test_tally_add_keeps_the_earliest_conviction(running, other, earliest) -> None:
    total = Tally(earliest_conviction=running)
    total.add(Tally(earliest_conviction=other))
    assert total.earliest_conviction == earliest


def test_tally_to_proto_and_back() -> None:
    for tally in (full_tally(), full_tally((1, 1, 1), scale=7), Tally(), full_tally(None)):
        message = tally_codec.to_proto(tally)
        assert tally_codec.from_proto(message) == tally
        again = type(message).FromString(message.SerializeToString())
        assert tally_codec.from_proto(again) == tally
    assert tally_codec.to_proto(full_tally()).earliest_conviction.raw == "19850411"
    assert not tally_codec.to_proto(Tally()).HasField("earliest_conviction")


NOW = datetime.datetime(2026, 11, 20, 9, 15, 30, 123000, tzinfo=datetime.timezone.utc)


def summary_of(tally: Tally, **more) -> dict:
    arguments = {"county": "SACRAMENTO", "line_count": 38, "processing_seconds": 0.5,
                 "dismiss_sections": ("11357", "11358"), "reduce_sections": ("11359", "11360"),
                 "now": NOW, **more}
    return summary.summary_document(tally, **arguments)


def test_summary_document_fields_in_gogens_order() -> None:
    document = summary_of(full_tally())
    assert list(document) == [
        "county", "earliestConviction", "lineCount", "processingTimeInSeconds",
        "reliefWithCurrentEligibilityChoices", "reliefWithDismissAllProp64",
        "prop64ConvictionsCountInCountyByCodeSection", "subjectsWithProp64ConvictionCountInCounty",
        "prop64FelonyConvictionsCountInCounty", "prop64NonFelonyConvictionsCountInCounty",
        "subjectsWithSomeReliefCount", "convictionDismissalCountByCodeSection",
        "convictionReductionCountByCodeSection", "convictionDismissalCountByAdditionalRelief",
    ]
    assert document["earliestConviction"] == "1985-04-11T00:00:00Z"
    assert document["reliefWithCurrentEligibilityChoices"] == {
        "CountSubjectsNoConviction": 1, "CountSubjectsNoConvictionLast7Years": 0,
        "CountSubjectsNoFelony": 1}
    # One key per listed section, zeros included; additional relief only when > 0.
    assert document["convictionDismissalCountByCodeSection"] == {"11357": 1, "11358": 0}
    assert document["convictionReductionCountByCodeSection"] == {"11359": 1, "11360": 0}
    tally = full_tally()
    tally.dismissal_by_additional_relief["Individual is deceased"] = 0
    assert summary_of(tally)["convictionDismissalCountByAdditionalRelief"] == {"57 years or older": 1}


def test_summary_document_earliest_conviction() -> None:
    assert summary_of(full_tally((1, 1, 1)))["earliestConviction"] == "0001-01-01T00:00:00Z"
    # No conviction judged: gogen writes the wall-clock time, with its fraction.
    assert summary_of(Tally())["earliestConviction"] == "2026-11-20T09:15:30.123Z"
    whole_second = NOW.replace(microsecond=0)
    assert summary_of(Tally(), now=whole_second)["earliestConviction"] == "2026-11-20T09:15:30Z"
