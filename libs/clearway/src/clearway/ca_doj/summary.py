"""gogen's run summary (gogen.json) and the tallies it is the sum of.

A person's tally is computed by the rules (eligibility); here tallies are
added up and written as gogen writes them (§4.4-§4.5), so the offline command
and the petitions service write identical summaries. Events carry them in
protobuf (tally_codec), which the offline command never needs to load.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

YMD = tuple[int, int, int]
# gogen's zero date (year 1): what an unparseable date becomes (§1.6).
ZERO_DATE: YMD = (1, 1, 1)


@dataclass
class ReliefCounts:
    """§4.3 counters of one flow."""

    no_conviction: int = 0
    no_conviction_last_7_years: int = 0
    no_felony: int = 0

    def add(self, other: "ReliefCounts") -> None:
        self.no_conviction += other.no_conviction
        self.no_conviction_last_7_years += other.no_conviction_last_7_years
        self.no_felony += other.no_felony


@dataclass
class Tally:
    """A person's (or a run's) share of gogen.json plus the impact report's figures."""

    convictions_by_section: Counter = field(default_factory=Counter)
    subjects_with_prop64: int = 0
    felony_convictions: int = 0
    non_felony_convictions: int = 0
    subjects_with_some_relief: int = 0
    dismissal_by_section: Counter = field(default_factory=Counter)
    reduction_by_section: Counter = field(default_factory=Counter)
    dismissal_by_additional_relief: Counter = field(default_factory=Counter)
    relief_current: ReliefCounts = field(default_factory=ReliefCounts)
    relief_dismiss_all: ReliefCounts = field(default_factory=ReliefCounts)
    # Earliest in-county Prop 64 conviction; gogen's zero date wins (§4.4).
    earliest_conviction: YMD | None = None
    subjects: int = 0
    subjects_with_conviction: int = 0
    subjects_with_felony: int = 0
    outcomes: Counter = field(default_factory=Counter)

    def add(self, other: "Tally") -> None:
        self.convictions_by_section.update(other.convictions_by_section)
        self.subjects_with_prop64 += other.subjects_with_prop64
        self.felony_convictions += other.felony_convictions
        self.non_felony_convictions += other.non_felony_convictions
        self.subjects_with_some_relief += other.subjects_with_some_relief
        self.dismissal_by_section.update(other.dismissal_by_section)
        self.reduction_by_section.update(other.reduction_by_section)
        self.dismissal_by_additional_relief.update(other.dismissal_by_additional_relief)
        self.relief_current.add(other.relief_current)
        self.relief_dismiss_all.add(other.relief_dismiss_all)
        if other.earliest_conviction is not None and (
            self.earliest_conviction is None or other.earliest_conviction < self.earliest_conviction
        ):
            self.earliest_conviction = other.earliest_conviction
        self.subjects += other.subjects
        self.subjects_with_conviction += other.subjects_with_conviction
        self.subjects_with_felony += other.subjects_with_felony
        self.outcomes.update(other.outcomes)



def summary_document(
    tally: Tally,
    *,
    county: str,
    line_count: int,
    processing_seconds: float,
    dismiss_sections: Iterable[str],
    reduce_sections: Iterable[str],
    now: datetime.datetime,
) -> dict[str, Any]:
    """gogen.json's fields, in gogen's order (§4.4).

    `now` stands in for earliestConviction when no conviction was judged, as
    gogen does; callers wanting a reproducible file pass a fixed value.
    """
    if tally.earliest_conviction is None:
        earliest = _rfc3339_nano(now)
    else:
        year, month, day = tally.earliest_conviction
        earliest = f"{year:04d}-{month:02d}-{day:02d}T00:00:00Z"
    return {
        "county": county,
        "earliestConviction": earliest,
        "lineCount": line_count,
        "processingTimeInSeconds": processing_seconds,
        "reliefWithCurrentEligibilityChoices": _relief_document(tally.relief_current),
        "reliefWithDismissAllProp64": _relief_document(tally.relief_dismiss_all),
        "prop64ConvictionsCountInCountyByCodeSection": _sorted(tally.convictions_by_section),
        "subjectsWithProp64ConvictionCountInCounty": tally.subjects_with_prop64,
        "prop64FelonyConvictionsCountInCounty": tally.felony_convictions,
        "prop64NonFelonyConvictionsCountInCounty": tally.non_felony_convictions,
        "subjectsWithSomeReliefCount": tally.subjects_with_some_relief,
        # One key per section of the county's lists, zeros included (§4.4).
        "convictionDismissalCountByCodeSection": _sorted(
            {name: tally.dismissal_by_section.get(name, 0) for name in dismiss_sections}),
        "convictionReductionCountByCodeSection": _sorted(
            {name: tally.reduction_by_section.get(name, 0) for name in reduce_sections}),
        "convictionDismissalCountByAdditionalRelief": _sorted(
            {k: v for k, v in tally.dismissal_by_additional_relief.items() if v > 0}),
    }


def dumps(document: Mapping[str, Any]) -> str:
    """Compact JSON as Go's encoder writes it (no spaces; <, >, &, U+2028, U+2029 escaped)."""
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def impact_facts(tally: Tally) -> dict[str, Any]:
    """The impact report's figures beyond gogen.json."""
    return {
        "subjects": tally.subjects,
        "subjectsWithConviction": tally.subjects_with_conviction,
        "subjectsWithFelony": tally.subjects_with_felony,
        "outcomes": dict(sorted(tally.outcomes.items())),
    }


def report_facts(
    *,
    rule_pack: tuple[str, str],
    policy_name: str,
    compute_date: str,
    files: Iterable[str],
    rows_rejected: int,
    tally: Tally,
) -> dict[str, Any]:
    """What a run was and what it found beyond gogen.json (feeds the impact report)."""
    return {
        "rulePack": {"id": rule_pack[0], "version": rule_pack[1]},
        "policyName": policy_name,
        "computeDate": compute_date,
        "generatedFor": list(files),
        "rowsRejected": rows_rejected,
        **impact_facts(tally),
    }


def _relief_document(counts: ReliefCounts) -> dict[str, int]:
    return {
        "CountSubjectsNoConviction": counts.no_conviction,
        "CountSubjectsNoConvictionLast7Years": counts.no_conviction_last_7_years,
        "CountSubjectsNoFelony": counts.no_felony,
    }


def _sorted(counts: Mapping[str, int]) -> dict[str, int]:
    return {key: counts[key] for key in sorted(counts)}


def _rfc3339_nano(moment: datetime.datetime) -> str:
    """Go's time.Time JSON form: RFC 3339 with nanoseconds, trailing zeros cut."""
    moment = moment.astimezone(datetime.timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"
