"""The jurisdictions Clearway knows, and the courts that act for them.

Why: a jurisdiction nobody has a rule pack for must be refused where it enters
(intake, ``clearway submit``) and again where the law is applied (eligibility),
never judged as "no convictions" and told to a person as "nothing qualified".
One catalogue gives every service the same answer.

A jurisdiction is a lower-case path: the state, then the county as a slug,
``ca/san-joaquin``. The state alone (``ca``) is not enough: a county's policy
and its court decide a case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# California's 58 counties (Cal. Gov. Code § 23100 ff.), as jurisdiction slugs.
CA_COUNTIES = frozenset({
    "alameda", "alpine", "amador", "butte", "calaveras", "colusa", "contra-costa",
    "del-norte", "el-dorado", "fresno", "glenn", "humboldt", "imperial", "inyo", "kern",
    "kings", "lake", "lassen", "los-angeles", "madera", "marin", "mariposa", "mendocino",
    "merced", "modoc", "mono", "monterey", "napa", "nevada", "orange", "placer", "plumas",
    "riverside", "sacramento", "san-benito", "san-bernardino", "san-diego",
    "san-francisco", "san-joaquin", "san-luis-obispo", "san-mateo", "santa-barbara",
    "santa-clara", "santa-cruz", "shasta", "sierra", "siskiyou", "solano", "sonoma",
    "stanislaus", "sutter", "tehama", "trinity", "tulare", "tuolumne", "ventura", "yolo",
    "yuba",
})

COUNTIES = {"ca": CA_COUNTIES}

_SHAPE = re.compile(r"[a-z]{2}/[a-z]+(?:-[a-z]+)*")
# What an error message may show of a value it refuses.
_SHOWN = 40


class UnknownJurisdiction(ValueError):
    """Not a jurisdiction Clearway has rules for; the message says why and what would be."""


@dataclass(frozen=True)
class Jurisdiction:
    state: str
    county: str  # slug, e.g. "san-joaquin"

    @property
    def path(self) -> str:
        return f"{self.state}/{self.county}"

    @property
    def county_name(self) -> str:
        """The county as CA DOJ data writes it: ``SAN JOAQUIN``."""
        return self.county.replace("-", " ").upper()

    @property
    def court(self) -> str:
        """The court that acts on this jurisdiction's convictions."""
        county = " ".join(word.capitalize() for word in self.county.split("-"))
        return f"Superior Court of California, County of {county}"


def parse(text: str) -> Jurisdiction:
    """The known jurisdiction ``text`` names; raises UnknownJurisdiction otherwise."""
    if not _SHAPE.fullmatch(text):
        raise UnknownJurisdiction(
            f"{_show(text)} is not a jurisdiction: write state/county in lower case, "
            "e.g. ca/sacramento")
    state, _, county = text.partition("/")
    counties = COUNTIES.get(state)
    if counties is None:
        raise UnknownJurisdiction(
            f"no rule packs for state {state!r}; known: {', '.join(sorted(COUNTIES))}")
    if county not in counties:
        raise UnknownJurisdiction(f"{county!r} is not a county of {state!r} "
                                  f"(e.g. {state}/{min(counties)})")
    return Jurisdiction(state, county)


def problem(text: str) -> str | None:
    """Why ``text`` is not a known jurisdiction, or None when it is."""
    try:
        parse(text)
    except UnknownJurisdiction as exc:
        return str(exc)
    return None


def _show(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")


def county_name_problem(state: str, name: str) -> str | None:
    """Why ``name`` is not a county of ``state`` as its records write it, or None.

    CA DOJ data writes counties in upper case with spaces (``SAN JOAQUIN``) and
    gogen compares them exactly: any other spelling would match no conviction
    and judge nobody, so it is refused with the spelling that would match.
    """
    counties = COUNTIES.get(state)
    if counties is None:
        return f"no rule packs for state {state!r}; known: {', '.join(sorted(COUNTIES))}"
    slug = "-".join(name.lower().split())
    if slug in counties:
        written = Jurisdiction(state, slug).county_name
        return None if name == written else f"{_show(name)} is written {written} in the records"
    example = Jurisdiction(state, "san-joaquin" if "san-joaquin" in counties else min(counties))
    return f"{_show(name)} is not a county of {state!r} (e.g. {example.county_name})"
