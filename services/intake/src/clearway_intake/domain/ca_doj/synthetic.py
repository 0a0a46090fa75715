"""Seeded generator of fabricated CA DOJ research files (and a contacts.csv).

Why this exists: intake, the rules and load tests need realistic DOJ-shaped
data without real people in it. gogen's own generator (§6 of
shared/domain/ca-doj-prop64.md) is seeded from the clock; this one is seeded,
so the same seed always gives byte-identical files, and tests can rely on it.

Shape (like gogen's, but smaller histories and more plausible):

* SUBJECT_IDs count up from 10000001; a person's rows are contiguous (unless
  ``scatter`` or ``files`` ask otherwise, see below).
* Each person has 1-3 Prop 64 conviction cases, 0-3 other conviction cases and
  0-2 cases without a conviction. Cycle numbers 101, 102, ... follow date order.
* Per count: an ARREST/DETAINED/CITED row (CNT_ORDER ``CCC001NNN000``) and a
  COURT ACTION row (``CCC002NNN000``, 2-13 weeks later); a convicted count may
  repeat its court row as sentence parts (same CNT_ORDER, other sentence).
* Dates lie between 1975-01-01 and 2016-11-08 and never before age 14.
* Most Prop 64 cases are in the target county; other cases sometimes elsewhere.

Everything here is invented: names come from short lists, numbers are random,
emails use example.org and phones the fictional +1 555 range.

Size and layout (for load tests; none of it changes the people themselves):

* ``rows=N`` instead of ``people=N`` generates whole people until at least N data
  rows are written, so it overshoots by less than one person's history (like
  gogen's ``--target-size``).
* ``scatter=True`` passes the rows through a seeded shuffle window of
  ``window`` rows (constant memory), so one SUBJECT_ID's rows end up far apart.
* ``files=K`` spreads the rows over ``doj_research_file_1.csv`` ...
  ``doj_research_file_K.csv`` (each with the header), drawing each row's file at
  random, so one person's rows are split across files.

The rows are the same whatever the layout: scatter and files only reorder and
split them (their own random streams are separate from the people's). With
``files=1`` and no scatter the output is the plain, contiguous file.

Usage::

    python -m clearway_intake.domain.ca_doj.synthetic --people 100 --seed 7 --out /tmp/doj
    python -m clearway_intake.domain.ca_doj.synthetic --rows 1000000 --scatter --files 3 --seed 7 --out /tmp/doj
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
from bisect import bisect
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Callable, Sequence

from clearway.ca_doj import columns as col
from .cases import CONTACT_COLUMNS
from clearway.ca_doj.columns import COLUMNS, NUM_COLUMNS

__all__ = [
    "DOJ_FILE_NAME", "CONTACTS_FILE_NAME", "FIRST_SUBJECT_ID", "SCATTER_WINDOW", "GeneratedFiles",
    "doj_file_names", "generate", "main",
]

DOJ_FILE_NAME = "doj_research_file.csv"
CONTACTS_FILE_NAME = "contacts.csv"
FIRST_SUBJECT_ID = 10000001
# Rows held by the scatter shuffle; a row stays in it for about this many rows.
SCATTER_WINDOW = 4096

_EARLIEST = date(1975, 1, 1)
_LATEST = date(2016, 11, 8)  # the day before Prop 64 took effect
_LATEST_ARREST = _LATEST - timedelta(days=91)  # leaves room for the court date
_DOB_RANGE = (date(1950, 1, 1), date(1996, 12, 31))

# (charge text, probability the count is a felony)
_PROP64_OFFENSES: tuple[tuple[str, float], ...] = (
    ("11357(A)HS-POSSESS CONCENTRATED CANNABIS", 0.5),
    ("11357(B)HS-POSSESS MARIJUANA 28.5 GRAMS OR LESS", 0.0),
    ("11357(C)HS-POSSESS MARIJUANA", 0.0),
    ("11358 HS-CULTIVATE MARIJUANA", 0.6),
    ("11358 HS-CULTIVATE MARIJUANA", 0.6),
    ("11359 HS-POSSESS MARIJUANA FOR SALE", 0.7),
    ("11359 HS-POSSESS MARIJUANA FOR SALE", 0.7),
    ("11360(A) HS-SELL/TRANSPORT MARIJUANA", 0.7),
    ("11360(A) HS-SELL/TRANSPORT MARIJUANA", 0.7),
    ("11360(B) HS-GIVE/TRANSPORT 28.5 GRAMS OR LESS MARIJUANA", 0.0),
)

# (charge text, probability of felony, relative weight)
_OTHER_OFFENSES: tuple[tuple[str, float, float], ...] = (
    ("459 PC-BURGLARY", 0.6, 10),
    ("484(A) PC-PETTY THEFT", 0.0, 10),
    ("23152(A) VC-DUI ALCOHOL", 0.1, 12),
    ("23152(B) VC-DUI ALCOHOL/0.08 PERCENT", 0.1, 8),
    ("245(A)(1) PC-ASSAULT WITH DEADLY WEAPON", 0.8, 4),
    ("273.5(A) PC-INFLICT CORPORAL INJURY ON SPOUSE", 0.5, 4),
    ("10851(A) VC-TAKE VEHICLE W/O OWNER CONSENT", 0.6, 5),
    ("11350(A) HS-POSSESS NARCOTIC CONTROLLED SUBSTANCE", 0.5, 8),
    ("11377(A) HS-POSSESS CONTROLLED SUBSTANCE", 0.4, 8),
    ("11364 HS-POSSESS DRUG PARAPHERNALIA", 0.0, 6),
    ("148(A)(1) PC-OBSTRUCT/RESIST PUBLIC OFFICER", 0.0, 6),
    ("647(F) PC-DISORDERLY CONDUCT:INTOXICATED", 0.0, 6),
    ("12500(A) VC-DRIVE WITHOUT LICENSE", 0.0, 6),
    ("211 PC-ROBBERY", 1.0, 2),
    ("187 PC-MURDER", 1.0, 0.3),
)
_OTHER_WEIGHTS = tuple(w for _, _, w in _OTHER_OFFENSES)

_NON_CONVICTION_DISPOSITIONS = (
    "DISMISSED/CHARGE DROPPED",
    "DISMISSED/CHARGE DROPPED",
    "DISMISSED-FURTHERANCE OF JUSTICE",
    "ACQUITTED",
)

_LAST_NAMES = (
    "ALVAREZ", "BAKER", "CHEN", "DIAZ", "EVANS", "FLORES", "GARCIA", "HARRIS",
    "JOHNSON", "KIM", "LOPEZ", "MARTIN", "NGUYEN", "ORTIZ", "PATEL", "QUINN",
    "REYES", "SMITH", "TORRES", "WALKER", "WILLIAMS", "YOUNG",
)
_FIRST_NAMES = (
    ("ANA", "F"), ("BRIAN", "M"), ("CARLOS", "M"), ("DANA", "F"), ("ELENA", "F"),
    ("FRANK", "M"), ("GLORIA", "F"), ("HECTOR", "M"), ("IRENE", "F"), ("JAMES", "M"),
    ("KAREN", "F"), ("LUIS", "M"), ("MARIA", "F"), ("NATHAN", "M"), ("OLIVIA", "F"),
    ("PAUL", "M"), ("ROSA", "F"), ("SAMUEL", "M"), ("TERESA", "F"), ("VICTOR", "M"),
)
_RACES = (
    ("W", "WHITE"), ("B", "BLACK"), ("H", "HISPANIC"), ("A", "OTHER ASIAN"),
    ("C", "CHINESE"), ("O", "OTHER"),
)

# California's 58 counties; the generator's county code is the alphabetical position.
_CA_COUNTIES = (
    "ALAMEDA", "ALPINE", "AMADOR", "BUTTE", "CALAVERAS", "COLUSA", "CONTRA COSTA",
    "DEL NORTE", "EL DORADO", "FRESNO", "GLENN", "HUMBOLDT", "IMPERIAL", "INYO",
    "KERN", "KINGS", "LAKE", "LASSEN", "LOS ANGELES", "MADERA", "MARIN", "MARIPOSA",
    "MENDOCINO", "MERCED", "MODOC", "MONO", "MONTEREY", "NAPA", "NEVADA", "ORANGE",
    "PLACER", "PLUMAS", "RIVERSIDE", "SACRAMENTO", "SAN BENITO", "SAN BERNARDINO",
    "SAN DIEGO", "SAN FRANCISCO", "SAN JOAQUIN", "SAN LUIS OBISPO", "SAN MATEO",
    "SANTA BARBARA", "SANTA CLARA", "SANTA CRUZ", "SHASTA", "SIERRA", "SISKIYOU",
    "SOLANO", "SONOMA", "STANISLAUS", "SUTTER", "TEHAMA", "TRINITY", "TULARE",
    "TUOLUMNE", "VENTURA", "YOLO", "YUBA",
)
_OTHER_COUNTIES = ("YOLO", "PLACER", "SAN JOAQUIN", "LOS ANGELES", "ALAMEDA", "EL DORADO", "SACRAMENTO")

_TIME_DESCR = {"D": "DAYS", "M": "MONTHS", "Y": "YEARS"}
_SEPARATOR_COLUMNS = tuple(
    COLUMNS.index(name)
    for name in ("REQ_SEG_SEP", "PII_SEG_SEP", "PDR_SEG_SEP", "CYC_SEG_SEP", "STP_SEG_SEP",
                 "CNT_SEG_SEP", "SENT_SEG_SEP", "END_OF_REC")
)


_REQ_CII_NUMBER = COLUMNS.index("REQ_CII_NUMBER")
_DISPOSITIONS = {"PRISON": "CONVICTED-PRISON", "JAIL": "CONVICTED-JAIL", "PROBATION": "CONVICTED-PROBATION"}

# How the rows are written (speed): each row is joined into one CSV line by hand
# and written in batches. That is byte for byte what csv.writer (excel dialect,
# "\n" line ends) writes: values made only of ASCII letters and digits (ids,
# dates, codes, "FELONY") never need quotes, and every other value goes through
# _field(), which asks csv.writer itself how to write it (once per value).
#
# How the random numbers are drawn (speed): random.Random's choice(seq) is
# seq[_randbelow(len(seq))], randint(a, b) is a + _randbelow(b - a + 1) and
# choices(pop, weights=w)[0] is pop[bisect(cumulative w, random() * total, 0,
# n - 1)]. The generator calls those steps directly, in the same order, which
# draws exactly the same numbers without the argument checking. The golden
# hashes in services/intake/tests/test_synthetic.py pin the output, so a Python
# whose random module works differently is noticed.

_QUOTED: dict[str, str] = {}


def _field(value: str) -> str:
    """`value` as csv.writer writes it inside a row (quoted only if it must be)."""
    quoted = _QUOTED.get(value)
    if quoted is None:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([value, ""])
        quoted = _QUOTED[value] = buf.getvalue()[:-2]  # drop the trailing ",\n"
    return quoted


_ROW_TEMPLATE = [""] * NUM_COLUMNS
for _i in _SEPARATOR_COLUMNS:
    _ROW_TEMPLATE[_i] = _field("#")
del _i


@dataclass(frozen=True, slots=True)
class _Weights:
    """Cumulative weights, worked out once, as random.choices works them out."""

    cumulative: list[float]
    total: float
    hi: int

    @classmethod
    def of(cls, weights: Sequence[float]) -> "_Weights":
        cumulative = list(accumulate(weights))
        return cls(cumulative, cumulative[-1] + 0.0, len(cumulative) - 1)

    def pick(self, rng: random.Random) -> int:
        """Index drawn with these weights; same draw as rng.choices(range(n), weights)[0]."""
        return bisect(self.cumulative, rng.random() * self.total, 0, self.hi)


_P64_CASES = _Weights.of((0.8, 0.15, 0.05))
_OTHER_CASES = _Weights.of((0.4, 0.3, 0.2, 0.1))
_NONE_CASES = _Weights.of((0.5, 0.35, 0.15))
_EXTRA_COUNTS = _Weights.of((0.6, 0.3, 0.1))
_EXTRA_SENTENCE_PARTS = _Weights.of((0.7, 0.25, 0.05))
_OTHER_OFFENSE_WEIGHTS = _Weights.of(_OTHER_WEIGHTS)

# The module's constants as CSV fields: (charge, probability of felony) and so on.
_PROP64_CHOICES = tuple((_field(c), p) for c, p in _PROP64_OFFENSES)
_OTHER_CHOICES = tuple((_field(c), p) for c, p, _ in _OTHER_OFFENSES)
_NON_CONVICTION_FIELDS = tuple(_field(d) for d in _NON_CONVICTION_DISPOSITIONS)
_RACE_FIELDS = tuple((_field(code), _field(descr)) for code, descr in _RACES)
_DISPOSITION_FIELDS = {loc: _field(d) for loc, d in _DISPOSITIONS.items()}
_CONVICTED = _field("CONVICTED")
_TIME_DESCR_FIELDS = {code: _field(text.ljust(10)) for code, text in _TIME_DESCR.items()}
_NO_TIME_DESCR = _field("".ljust(10))
_SEE_COMMENT = _field("SEE COMMENT FOR CHARGE")
_ARREST = _field("ARREST/DETAINED/CITED")
_COURT = _field("COURT ACTION")
_FELONY = _field("FELONY")
_MISDEMEANOR = _field("MISDEMEANOR")


@dataclass(frozen=True, slots=True)
class GeneratedFiles:
    # The first (or only) DOJ file.
    doj_csv: Path
    contacts_csv: Path
    # Data rows written to all DOJ files together (headers excluded).
    rows: int
    people: int
    # Every DOJ file written, in order: (doj_csv,) or doj_research_file_1.csv ... _K.csv.
    doj_csvs: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class _Person:
    subject_id: str
    cii: str
    last: str
    first: str
    initial: str
    gender: str
    dob: date
    cdl: str
    race: tuple[str, str]


_YMD: dict[date, str] = {}


def _ymd(d: date) -> str:
    text = _YMD.get(d)
    if text is None:
        text = _YMD[d] = d.strftime("%Y%m%d")
    return text


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return date(d.year + years, 3, 1)


def _age_on(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _digits(rng: random.Random, n: int) -> str:
    below = rng._randbelow  # = rng.choice("0123456789") per digit
    return "".join(["0123456789"[below(10)] for _ in range(n)])


def _randint(rng: random.Random, lo: int, hi: int) -> int:
    return lo + rng._randbelow(hi - lo + 1)  # = rng.randint(lo, hi)


def _choice(rng: random.Random, seq: Sequence):
    return seq[rng._randbelow(len(seq))]  # = rng.choice(seq)


def _random_date(rng: random.Random, lo: date, hi: date) -> date:
    return date.fromordinal(_randint(rng, lo.toordinal(), hi.toordinal()))


def _county_code(county: str) -> str:
    return f"{_CA_COUNTIES.index(county) + 1:02d}" if county in _CA_COUNTIES else ""


def _sentence_parts(rng: random.Random, felony: bool) -> list[tuple[str, str, str, str]]:
    """(location code, location, length, time code) for each sentence part.

    Every alternative's length is drawn before the choice, as the tuple is built first.
    """
    if felony:
        main = _choice(rng, (
            ("S", "PRISON", str(_randint(rng, 16, 48)), "M"),
            ("S", "PRISON", str(_randint(rng, 2, 6)), "Y"),
            ("J", "JAIL", str(_randint(rng, 30, 365)), "D"),
            ("P", "PROBATION", str(_randint(rng, 3, 5)), "Y"),
        ))
    else:
        main = _choice(rng, (
            ("P", "PROBATION", str(_randint(rng, 12, 36)), "M"),
            ("J", "JAIL", str(_randint(rng, 1, 180)), "D"),
            ("P", "PROBATION", str(_randint(rng, 1, 3)), "Y"),
        ))
    parts = [main]
    for _ in range(_EXTRA_SENTENCE_PARTS.pick(rng)):
        parts.append(_choice(rng, (
            ("J", "JAIL", str(_randint(rng, 1, 90)), "D"),
            ("F", "FINE", "", ""),
            ("P", "PROBATION", str(_randint(rng, 12, 36)), "M"),
        )))
    return parts


def _disposition_for(location: str) -> str:
    """DISP_DESCR of a conviction whose main sentence is served at `location`, as a CSV field."""
    return _DISPOSITION_FIELDS.get(location, _CONVICTED)


class _Writer:
    """Builds one person's rows, in order, as CSV lines."""

    def __init__(self, rng: random.Random, county: str) -> None:
        self.rng = rng
        self.county = county
        self.other_counties = tuple(c for c in _OTHER_COUNTIES if c != county)
        self.rows = 0
        self._county_fields: dict[str, tuple[str, str, dict[str, str], str]] = {}

    def _county(self, county: str) -> tuple[str, str, dict[str, str], str]:
        """(code, name, police agency by prefix, court agency) of a county, as CSV fields."""
        fields = self._county_fields.get(county)
        if fields is None:
            fields = self._county_fields[county] = (
                _county_code(county), _field(county),
                {police: _field(police + county) for police in ("CAPD", "CASO")},
                _field("CASC" + county))
        return fields

    def _base(self, p: _Person) -> list[str]:
        f = _ROW_TEMPLATE.copy()
        f[col.SUBJECT_ID] = p.subject_id
        f[_REQ_CII_NUMBER] = p.cii
        f[col.CII_NUMBER] = p.cii
        f[col.PRI_NAME] = _field(f"{p.last},{p.first} {p.initial}")
        f[col.GENDER] = p.gender
        f[col.PRI_DOB] = _ymd(p.dob)
        f[col.PRI_CDL] = p.cdl
        f[col.RACE_CODE], f[col.RACE_DESCR] = _RACE_FIELDS[_RACES.index(p.race)]
        return f

    def person(self, p: _Person) -> list[str]:
        """The person's rows as CSV lines ("\\n"-terminated), in order."""
        rng = self.rng
        kinds = (
            ["p64"] * (1 + _P64_CASES.pick(rng))
            + ["other"] * _OTHER_CASES.pick(rng)
            + ["none"] * _NONE_CASES.pick(rng)
        )
        rng.shuffle(kinds)
        earliest = max(_EARLIEST, _add_years(p.dob, 14))
        dates = sorted(_random_date(rng, earliest, _LATEST_ARREST) for _ in kinds)
        base = self._base(p)
        lines: list[str] = []
        for n, (kind, arrested) in enumerate(zip(kinds, dates)):
            self._case(p, base, 101 + n, kind, arrested, lines.append)
        self.rows += len(lines)
        return lines

    def _case(self, p: _Person, base: list[str], cycle: int, kind: str, arrested: date,
              emit: Callable[[str], None]) -> None:
        rng = self.rng
        random_ = rng.random
        in_county = random_() < (0.85 if kind == "p64" else 0.7)
        county = self.county if in_county else _choice(rng, self.other_counties)
        county_code, county_name, police_agencies, court_agency = self._county(county)
        court_date = arrested + timedelta(days=_randint(rng, 14, 90))
        case_number = _digits(rng, 8)
        police_agency = police_agencies[_choice(rng, ("CAPD", "CASO"))]
        arrested_ymd = _ymd(arrested)
        court_ymd = _ymd(court_date)
        age = str(_age_on(p.dob, arrested))
        for count in range(1, 1 + 1 + _EXTRA_COUNTS.pick(rng)):
            if kind == "p64":
                charge, p_felony = _choice(rng, _PROP64_CHOICES)
            else:
                charge, p_felony = _OTHER_CHOICES[_OTHER_OFFENSE_WEIGHTS.pick(rng)]
            felony = random_() < p_felony
            see_comment = kind == "p64" and random_() < 0.03
            convicted = kind != "none" and (count == 1 or random_() < 0.7)

            f = base.copy()
            f[col.CYC_DATE] = arrested_ymd
            f[col.CYC_AGE] = age
            f[col.STP_ORI_CNTY_CODE] = county_code
            f[col.STP_ORI_CNTY_NAME] = county_name
            f[col.OFFENSE_DESCR] = _SEE_COMMENT if see_comment else charge
            f[col.COMMENT_TEXT] = charge if see_comment else ""
            f[col.OFFENSE_TOC] = "F" if felony else "M"

            arrest = f.copy()
            arrest[col.STP_EVENT_DATE] = arrested_ymd
            arrest[col.STP_TYPE_DESCR] = _ARREST
            arrest[col.STP_ORI_DESCR] = police_agency
            arrest[col.CNT_ORDER] = f"{cycle:03d}001{count:03d}000"
            emit(",".join(arrest) + "\n")

            court = f  # f is not needed any more
            court[col.STP_EVENT_DATE] = court_ymd
            court[col.STP_TYPE_DESCR] = _COURT
            court[col.STP_ORI_DESCR] = court_agency
            court[col.CNT_ORDER] = f"{cycle:03d}002{count:03d}000"
            court[col.DISP_DATE] = court_ymd
            court[col.OFN] = case_number
            if not convicted:
                court[col.DISP_DESCR] = _choice(rng, _NON_CONVICTION_FIELDS)
                emit(",".join(court) + "\n")
                continue
            court[col.CONV_STAT_DESCR] = _FELONY if felony else _MISDEMEANOR
            parts = _sentence_parts(rng, felony)
            court[col.DISP_DESCR] = _disposition_for(parts[0][1])
            for order, (loc_code, loc, length, time_code) in enumerate(parts, start=1):
                # Each sentence part overwrites the same six columns, so one list serves all.
                court[col.SENT_ORDER] = str(order)
                court[col.SENT_LOC_CODE] = loc_code
                court[col.SENT_LOC_DESCR] = _field(loc)
                court[col.SENT_LENGTH] = length
                court[col.SENT_TIME_CODE] = time_code
                # DOJ pads this column; kept so consumers never rely on trimmed values.
                court[col.SENT_TIME_DESCR] = (_TIME_DESCR_FIELDS.get(time_code, _NO_TIME_DESCR)
                                              if time_code else "")
                emit(",".join(court) + "\n")


def _new_person(rng: random.Random, number: int) -> _Person:
    first, gender = _choice(rng, _FIRST_NAMES)
    return _Person(
        subject_id=str(FIRST_SUBJECT_ID + number),
        cii=str(_randint(rng, 1, 9)) + _digits(rng, 9),
        last=_choice(rng, _LAST_NAMES),
        first=first,
        initial=_choice(rng, "ABCDEFGHJKLMNPRSTW"),
        gender=gender,
        dob=_random_date(rng, *_DOB_RANGE),
        cdl=_choice(rng, "ABCDEFGNY") + _digits(rng, 7),
        race=_choice(rng, _RACES),
    )


def _contact_row(rng: random.Random, p: _Person, number: int) -> list[str]:
    email = f"{p.first.lower()}.{p.last.lower()}.{number}@example.org"
    phone = "+1555" + _digits(rng, 7)
    language = "es" if rng.random() < 0.15 else "en"
    if rng.random() < 0.05:
        consent = (False, False, False)
    else:
        consent = (rng.random() < 0.95, rng.random() < 0.6, rng.random() < 0.7)
    return [p.subject_id, email, phone, language, *("true" if c else "false" for c in consent)]


def doj_file_names(files: int) -> list[str]:
    """The DOJ file names for `files` files: the plain name for one, numbered ones for more."""
    if files == 1:
        return [DOJ_FILE_NAME]
    stem, suffix = DOJ_FILE_NAME.rsplit(".", 1)
    return [f"{stem}_{k}.{suffix}" for k in range(1, files + 1)]


class _Sink:
    """Where finished lines go: straight on, or through a seeded shuffle window; into one file
    or into K files with each line's file drawn at random. Memory: the window plus a batch."""

    _BATCH = 2048  # lines held (all files together) before they are written

    def __init__(self, handles: list, seed: int, scatter: bool, window: int) -> None:
        self.handles = handles
        self.pending: list[list[str]] = [[] for _ in handles]
        self.held = 0
        self.scatter_rng = random.Random(f"clearway-scatter-{seed}") if scatter else None
        self.file_rng = random.Random(f"clearway-files-{seed}") if len(handles) > 1 else None
        self.window = window
        self.shuffle: list[str] = []

    def write(self, lines: list[str]) -> None:
        if self.scatter_rng is not None:
            lines = self._through_window(lines)
        if self.file_rng is None:
            self.pending[0].extend(lines)
        else:
            below, pending, k = self.file_rng._randbelow, self.pending, len(self.pending)
            for line in lines:
                pending[below(k)].append(line)
        self.held += len(lines)
        if self.held >= self._BATCH:
            self.flush()

    def _through_window(self, lines: list[str]) -> list[str]:
        """Lines in, lines out: each new line takes the place of a random one in the window."""
        window, size, below = self.shuffle, self.window, self.scatter_rng._randbelow
        out: list[str] = []
        for line in lines:
            if len(window) < size:
                window.append(line)
            else:
                j = below(size)
                out.append(window[j])
                window[j] = line
        return out

    def flush(self) -> None:
        for k, lines in enumerate(self.pending):
            if lines:
                self.handles[k].write("".join(lines))
                lines.clear()
        self.held = 0

    def finish(self) -> None:
        if self.scatter_rng is not None:
            rest, self.shuffle = self.shuffle, []
            self.scatter_rng.shuffle(rest)
            self.scatter_rng = None  # the window is drained; the rest goes straight on
            self.write(rest)
        self.flush()


def generate(
    out_dir: str | os.PathLike[str],
    people: int | None = None,
    seed: int | None = None,
    county: str = "SACRAMENTO",
    *,
    rows: int | None = None,
    scatter: bool = False,
    files: int = 1,
    window: int = SCATTER_WINDOW,
) -> GeneratedFiles:
    """Write the DOJ research file(s) and contacts.csv for fabricated people.

    Give either `people` (that many people) or `rows` (whole people until at
    least that many data rows). `scatter` shuffles the rows within a window of
    `window` rows; `files` > 1 spreads them over numbered files (see the module
    docstring). Same arguments, same bytes. Streams person by person, so memory
    does not grow with the size.
    """
    if (people is None) == (rows is None):
        raise ValueError("give either people or rows")
    if seed is None:
        raise ValueError("seed is required (same seed, same bytes)")
    if people is not None and people < 0:
        raise ValueError("people must be zero or more")
    if rows is not None and rows < 0:
        raise ValueError("rows must be zero or more")
    if files < 1:
        raise ValueError("files must be one or more")
    if window < 1:
        raise ValueError("window must be one or more")
    county = county.strip().upper()
    if not county:
        raise ValueError("county must not be empty")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    doj_paths = tuple(out / name for name in doj_file_names(files))
    contacts_path = out / CONTACTS_FILE_NAME

    rng = random.Random(seed)
    contact_rng = random.Random(f"clearway-contacts-{seed}")
    header = ",".join(_field(name) for name in COLUMNS) + "\n"
    with ExitStack() as opened:
        handles = [opened.enter_context(open(path, "w", newline="", encoding="utf-8", buffering=1 << 20))
                   for path in doj_paths]
        contacts_fh = opened.enter_context(open(contacts_path, "w", newline="", encoding="utf-8"))
        for fh in handles:
            fh.write(header)
        contacts = csv.writer(contacts_fh, lineterminator="\n")
        contacts.writerow(CONTACT_COLUMNS)
        sink = _Sink(handles, seed, scatter, window)
        writer = _Writer(rng, county)
        number = 0
        while number < people if people is not None else writer.rows < rows:
            person = _new_person(rng, number)
            sink.write(writer.person(person))
            contacts.writerow(_contact_row(contact_rng, person, number + 1))
            number += 1
        sink.finish()
    return GeneratedFiles(doj_csv=doj_paths[0], contacts_csv=contacts_path, rows=writer.rows,
                          people=number, doj_csvs=doj_paths)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clearway_intake.domain.ca_doj.synthetic",
        description="Write fabricated, reproducible CA DOJ research-file data.",
    )
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--people", type=int, help="number of people to fabricate")
    size.add_argument("--rows", type=int,
                      help="fabricate whole people until at least this many data rows are written")
    parser.add_argument("--seed", type=int, required=True, help="same seed, same bytes")
    parser.add_argument("--out", required=True, help="output folder (created if missing)")
    parser.add_argument("--county", default="SACRAMENTO", help="target county (default SACRAMENTO)")
    parser.add_argument("--scatter", action="store_true",
                        help="shuffle rows within a window so a person's rows are far apart")
    parser.add_argument("--files", type=int, default=1,
                        help="spread rows at random over this many files (default 1)")
    parser.add_argument("--window", type=int, default=SCATTER_WINDOW,
                        help=f"rows in the scatter window (default {SCATTER_WINDOW})")
    args = parser.parse_args(argv)
    if args.people is not None and args.people < 0:
        parser.error("--people must be zero or more")
    if args.rows is not None and args.rows < 0:
        parser.error("--rows must be zero or more")
    if args.files < 1:
        parser.error("--files must be one or more")
    if args.window < 1:
        parser.error("--window must be one or more")
    result = generate(args.out, args.people, args.seed, args.county, rows=args.rows,
                      scatter=args.scatter, files=args.files, window=args.window)
    print(f"{result.rows} rows for {result.people} people: "
          f"{', '.join(str(p) for p in result.doj_csvs)}, {result.contacts_csv}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
