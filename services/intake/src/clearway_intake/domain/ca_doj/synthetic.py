"""Seeded generator of fabricated CA DOJ research files (and a contacts.csv).

Why this exists: intake, the rules and load tests need realistic DOJ-shaped
data without real people in it. gogen's own generator (§6 of
shared/domain/ca-doj-prop64.md) is seeded from the clock; this one is seeded,
so the same seed always gives byte-identical files, and tests can rely on it.

Shape (like gogen's, but smaller histories and more plausible):

* SUBJECT_IDs count up from 10000001; a person's rows are contiguous.
* Each person has 1-3 Prop 64 conviction cases, 0-3 other conviction cases and
  0-2 cases without a conviction. Cycle numbers 101, 102, ... follow date order.
* Per count: an ARREST/DETAINED/CITED row (CNT_ORDER ``CCC001NNN000``) and a
  COURT ACTION row (``CCC002NNN000``, 2-13 weeks later); a convicted count may
  repeat its court row as sentence parts (same CNT_ORDER, other sentence).
* Dates lie between 1975-01-01 and 2016-11-08 and never before age 14.
* Most Prop 64 cases are in the target county; other cases sometimes elsewhere.

Everything here is invented: names come from short lists, numbers are random,
emails use example.org and phones the fictional +1 555 range.

Usage::

    python -m clearway_intake.domain.ca_doj.synthetic --people 100 --seed 7 --out /tmp/doj
"""

from __future__ import annotations

import argparse
import csv
import os
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Sequence

from clearway.ca_doj import columns as col
from .cases import CONTACT_COLUMNS
from clearway.ca_doj.columns import COLUMNS, NUM_COLUMNS

__all__ = ["DOJ_FILE_NAME", "CONTACTS_FILE_NAME", "FIRST_SUBJECT_ID", "GeneratedFiles", "generate", "main"]

DOJ_FILE_NAME = "doj_research_file.csv"
CONTACTS_FILE_NAME = "contacts.csv"
FIRST_SUBJECT_ID = 10000001

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


@dataclass(frozen=True, slots=True)
class GeneratedFiles:
    doj_csv: Path
    contacts_csv: Path
    # Data rows written to doj_csv (header excluded).
    rows: int
    people: int


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


def _ymd(d: date) -> str:
    return d.strftime("%Y%m%d")


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return date(d.year + years, 3, 1)


def _age_on(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _random_date(rng: random.Random, lo: date, hi: date) -> date:
    return date.fromordinal(rng.randint(lo.toordinal(), hi.toordinal()))


def _county_code(county: str) -> str:
    return f"{_CA_COUNTIES.index(county) + 1:02d}" if county in _CA_COUNTIES else ""


def _weighted_count(rng: random.Random, weights: Sequence[float]) -> int:
    """Index drawn with the given weights (so weights[i] is P(result == i))."""
    return rng.choices(range(len(weights)), weights=weights)[0]


def _sentence_parts(rng: random.Random, felony: bool) -> list[tuple[str, str, str, str]]:
    """(location code, location, length, time code) for each sentence part."""
    if felony:
        main = rng.choice((
            ("S", "PRISON", str(rng.randint(16, 48)), "M"),
            ("S", "PRISON", str(rng.randint(2, 6)), "Y"),
            ("J", "JAIL", str(rng.randint(30, 365)), "D"),
            ("P", "PROBATION", str(rng.randint(3, 5)), "Y"),
        ))
    else:
        main = rng.choice((
            ("P", "PROBATION", str(rng.randint(12, 36)), "M"),
            ("J", "JAIL", str(rng.randint(1, 180)), "D"),
            ("P", "PROBATION", str(rng.randint(1, 3)), "Y"),
        ))
    parts = [main]
    for _ in range(_weighted_count(rng, (0.7, 0.25, 0.05))):
        parts.append(rng.choice((
            ("J", "JAIL", str(rng.randint(1, 90)), "D"),
            ("F", "FINE", "", ""),
            ("P", "PROBATION", str(rng.randint(12, 36)), "M"),
        )))
    return parts


def _disposition_for(location: str) -> str:
    return {"PRISON": "CONVICTED-PRISON", "JAIL": "CONVICTED-JAIL", "PROBATION": "CONVICTED-PROBATION"}.get(
        location, "CONVICTED"
    )


class _Writer:
    """Builds one person's rows in order and writes them."""

    def __init__(self, out: Any, rng: random.Random, county: str) -> None:
        self.out = out
        self.rng = rng
        self.county = county
        self.other_counties = tuple(c for c in _OTHER_COUNTIES if c != county)
        self.rows = 0

    def _base(self, p: _Person) -> list[str]:
        f = [""] * NUM_COLUMNS
        for i in _SEPARATOR_COLUMNS:
            f[i] = "#"
        f[col.SUBJECT_ID] = p.subject_id
        f[COLUMNS.index("REQ_CII_NUMBER")] = p.cii
        f[col.CII_NUMBER] = p.cii
        f[col.PRI_NAME] = f"{p.last},{p.first} {p.initial}"
        f[col.GENDER] = p.gender
        f[col.PRI_DOB] = _ymd(p.dob)
        f[col.PRI_CDL] = p.cdl
        f[col.RACE_CODE], f[col.RACE_DESCR] = p.race
        return f

    def _emit(self, fields: list[str]) -> None:
        self.out.writerow(fields)
        self.rows += 1

    def person(self, p: _Person) -> None:
        rng = self.rng
        kinds = (
            ["p64"] * (1 + _weighted_count(rng, (0.8, 0.15, 0.05)))
            + ["other"] * _weighted_count(rng, (0.4, 0.3, 0.2, 0.1))
            + ["none"] * _weighted_count(rng, (0.5, 0.35, 0.15))
        )
        rng.shuffle(kinds)
        earliest = max(_EARLIEST, _add_years(p.dob, 14))
        dates = sorted(_random_date(rng, earliest, _LATEST_ARREST) for _ in kinds)
        for n, (kind, arrested) in enumerate(zip(kinds, dates)):
            self._case(p, 101 + n, kind, arrested)

    def _case(self, p: _Person, cycle: int, kind: str, arrested: date) -> None:
        rng = self.rng
        in_county = rng.random() < (0.85 if kind == "p64" else 0.7)
        county = self.county if in_county else rng.choice(self.other_counties)
        court_date = arrested + timedelta(days=rng.randint(14, 90))
        case_number = _digits(rng, 8)
        police = rng.choice(("CAPD", "CASO"))
        for count in range(1, 1 + 1 + _weighted_count(rng, (0.6, 0.3, 0.1))):
            if kind == "p64":
                charge, p_felony = rng.choice(_PROP64_OFFENSES)
            else:
                charge, p_felony, _ = rng.choices(_OTHER_OFFENSES, weights=_OTHER_WEIGHTS)[0]
            felony = rng.random() < p_felony
            see_comment = kind == "p64" and rng.random() < 0.03
            convicted = kind != "none" and (count == 1 or rng.random() < 0.7)

            f = self._base(p)
            f[col.CYC_DATE] = _ymd(arrested)
            f[col.CYC_AGE] = str(_age_on(p.dob, arrested))
            f[col.STP_ORI_CNTY_CODE] = _county_code(county)
            f[col.STP_ORI_CNTY_NAME] = county
            f[col.OFFENSE_DESCR] = "SEE COMMENT FOR CHARGE" if see_comment else charge
            f[col.COMMENT_TEXT] = charge if see_comment else ""
            f[col.OFFENSE_TOC] = "F" if felony else "M"

            arrest = list(f)
            arrest[col.STP_EVENT_DATE] = _ymd(arrested)
            arrest[col.STP_TYPE_DESCR] = "ARREST/DETAINED/CITED"
            arrest[col.STP_ORI_DESCR] = police + county
            arrest[col.CNT_ORDER] = f"{cycle:03d}001{count:03d}000"
            self._emit(arrest)

            court = list(f)
            court[col.STP_EVENT_DATE] = _ymd(court_date)
            court[col.STP_TYPE_DESCR] = "COURT ACTION"
            court[col.STP_ORI_DESCR] = "CASC" + county
            court[col.CNT_ORDER] = f"{cycle:03d}002{count:03d}000"
            court[col.DISP_DATE] = _ymd(court_date)
            court[col.OFN] = case_number
            if not convicted:
                court[col.DISP_DESCR] = rng.choice(_NON_CONVICTION_DISPOSITIONS)
                self._emit(court)
                continue
            court[col.CONV_STAT_DESCR] = "FELONY" if felony else "MISDEMEANOR"
            parts = _sentence_parts(rng, felony)
            court[col.DISP_DESCR] = _disposition_for(parts[0][1])
            for order, (loc_code, loc, length, time_code) in enumerate(parts, start=1):
                part = list(court)
                part[col.SENT_ORDER] = str(order)
                part[col.SENT_LOC_CODE] = loc_code
                part[col.SENT_LOC_DESCR] = loc
                part[col.SENT_LENGTH] = length
                part[col.SENT_TIME_CODE] = time_code
                # DOJ pads this column; kept so consumers never rely on trimmed values.
                part[col.SENT_TIME_DESCR] = _TIME_DESCR.get(time_code, "").ljust(10) if time_code else ""
                self._emit(part)


def _new_person(rng: random.Random, number: int) -> _Person:
    first, gender = rng.choice(_FIRST_NAMES)
    return _Person(
        subject_id=str(FIRST_SUBJECT_ID + number),
        cii=str(rng.randint(1, 9)) + _digits(rng, 9),
        last=rng.choice(_LAST_NAMES),
        first=first,
        initial=rng.choice("ABCDEFGHJKLMNPRSTW"),
        gender=gender,
        dob=_random_date(rng, *_DOB_RANGE),
        cdl=rng.choice("ABCDEFGNY") + _digits(rng, 7),
        race=rng.choice(_RACES),
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


def generate(
    out_dir: str | os.PathLike[str],
    people: int,
    seed: int,
    county: str = "SACRAMENTO",
) -> GeneratedFiles:
    """Write doj_research_file.csv and contacts.csv for `people` fabricated people.

    Same arguments, same bytes. Streams person by person, so memory does not
    grow with `people`.
    """
    if people < 0:
        raise ValueError("people must be zero or more")
    county = county.strip().upper()
    if not county:
        raise ValueError("county must not be empty")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    doj_path = out / DOJ_FILE_NAME
    contacts_path = out / CONTACTS_FILE_NAME

    rng = random.Random(seed)
    contact_rng = random.Random(f"clearway-contacts-{seed}")
    with open(doj_path, "w", newline="", encoding="utf-8") as doj_fh, open(
        contacts_path, "w", newline="", encoding="utf-8"
    ) as contacts_fh:
        doj = csv.writer(doj_fh, lineterminator="\n")
        contacts = csv.writer(contacts_fh, lineterminator="\n")
        doj.writerow(COLUMNS)
        contacts.writerow(CONTACT_COLUMNS)
        writer = _Writer(doj, rng, county)
        for number in range(people):
            person = _new_person(rng, number)
            writer.person(person)
            contacts.writerow(_contact_row(contact_rng, person, number + 1))
    return GeneratedFiles(doj_csv=doj_path, contacts_csv=contacts_path, rows=writer.rows, people=people)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clearway_intake.domain.ca_doj.synthetic",
        description="Write fabricated, reproducible CA DOJ research-file data.",
    )
    parser.add_argument("--people", type=int, required=True, help="number of people to fabricate")
    parser.add_argument("--seed", type=int, required=True, help="same seed, same bytes")
    parser.add_argument("--out", required=True, help="output folder (created if missing)")
    parser.add_argument("--county", default="SACRAMENTO", help="target county (default SACRAMENTO)")
    args = parser.parse_args(argv)
    if args.people < 0:
        parser.error("--people must be zero or more")
    result = generate(args.out, args.people, args.seed, args.county)
    print(f"{result.rows} rows for {result.people} people: {result.doj_csv}, {result.contacts_csv}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
