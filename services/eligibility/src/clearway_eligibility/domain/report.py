"""What gogen reports about a person: the 18 eligibility columns and the summary tally.

The columns explain each determination to a prosecutor (ca-doj-prop64.md §3.4,
§4.2); the tally is the person's share of gogen.json (§4.3-§4.4). Both come
from one `assess` call, so the eligibility service and offline evaluation
report identically. Tallies add up: a run's summary is the sum of its people.
"""

from __future__ import annotations

import datetime
import functools
from collections import Counter
from dataclasses import dataclass

from clearway.ca_doj import bundle
from clearway.ca_doj.summary import YMD, ZERO_DATE, ReliefCounts, Tally

from clearway_eligibility.domain import prop64, sections
from clearway_eligibility.domain.model import Conviction, Determination, Outcome, Policy, Subject

# Column names are part of the bundle format (clearway.ca_doj.bundle).
ELIGIBILITY_COLUMNS = bundle.ELIGIBILITY_COLUMNS
EXPLANATION_COLUMNS = bundle.EXPLANATION_COLUMNS
POSSIBLE_OTHER_COLUMN = 2

DETERMINATION_TEXT = {
    Outcome.DISMISS: "Eligible for Dismissal",
    Outcome.REDUCE: "Eligible for Reduction",
    # gogen leaves these empty; the corrected version names them, using the
    # strings gogen's own code defines for them.
    Outcome.NOT_ELIGIBLE: "",
    Outcome.NEEDS_REVIEW: "Hand Review",
}
_CORRECTED_TEXT = {**DETERMINATION_TEXT, Outcome.NOT_ELIGIBLE: "Not eligible"}

_PROP64_CUTOFF = (2016, 11, 9)  # Prop 64 passed on 8 Nov 2016; gogen tests "after 11/9/2016"
_HOURS_PER_YEAR = 24 * 365.25
_RELIEF = (Outcome.DISMISS, Outcome.REDUCE)
# Reasons counted under convictionDismissalCountByAdditionalRelief: steps 3-8.
_ADDITIONAL_RELIEF_RULES = frozenset({
    prop64.RULE_UNDER_21_AT_CONVICTION,
    prop64.RULE_AGE_THRESHOLD,
    prop64.RULE_YEARS_SINCE_CONVICTION,
    prop64.RULE_YEARS_CRIME_FREE,
    prop64.RULE_ONLY_PROP64,
    prop64.RULE_DECEASED,
})

@dataclass
class Assessment:
    """Everything the rules say about one person."""

    determinations: list[Determination]
    # Row reference of each judged conviction -> its eligibility columns.
    columns: dict[int, list[str]]
    tally: Tally


def assess(
    subject: Subject,
    policy: Policy,
    county: str,
    compute_date: datetime.date,
    rules: prop64.RuleVersion,
    now: datetime.datetime,
    tally: Tally | None = None,
) -> Assessment:
    """Judge a person and explain it as gogen's report does.

    `now` only feeds the summary's 7-year window in the gogen version (a gogen
    quirk: wall-clock time); the corrected version uses the compute date.
    The person's share of the summary is added to `tally` when one is given
    (a run adding up many people), else to a new one.
    """
    corrected = rules.corrected
    if tally is None:
        tally = Tally()
    determinations = prop64.evaluate(subject, policy, county, compute_date, rules)
    if not determinations:  # most people: nothing to explain, little to count
        _add_tally(tally, subject, {}, rules, now, compute_date)
        return Assessment(determinations, {}, tally)
    by_ref = dict(zip(
        (c.source_row_index for c in subject.convictions if prop64.judged(c, county, rules)),
        determinations,
    ))
    convictions = subject.convictions
    today = prop64.ymd(compute_date)
    classes = [sections.classify(c.code_section, corrected) for c in convictions]
    per_section = Counter(name for name, _, _ in classes if name is not None)
    superstrikes = ";".join(c.code_section for c, k in zip(convictions, classes) if k[1]) or "-"
    pc290 = ";".join(c.code_section for c, k in zip(convictions, classes) if k[2]) or "-"
    latest = prop64.latest_conviction_date(convictions)
    texts = _CORRECTED_TEXT if corrected else DETERMINATION_TEXT
    # The person's columns, the same on each of their judged convictions.
    shared = [
        str(len(convictions)),
        superstrikes,
        pc290,
        "Yes" if subject.pc290_registration else "-",
    ]
    since_any = _years_between(latest, today, corrected and latest == ZERO_DATE)
    counts = [str(sum(per_section.values())), *(str(per_section[name]) for name in sections.PROP64_SECTIONS),
              "Deceased" if subject.deceased else "-"]

    columns: dict[int, list[str]] = {}
    for conviction in convictions:
        result = by_ref.get(conviction.source_row_index)
        if result is None:
            continue
        date = prop64.ymd(conviction.date)
        row = [
            "; ".join(conviction.case_numbers),
            shared[0],
            sections.possible_other_p64(conviction.offense_text, conviction.comment_text,
                                        corrected=corrected),
            "Y" if date > _PROP64_CUTOFF else "N",
            shared[1],
            shared[2],
            shared[3],
            _date_text(conviction.date, corrected),
            _years_between(date, today, corrected and conviction.date is None),
            since_any,
            *counts,
            texts[result.outcome],
            result.reason,
        ]
        if corrected:
            row += [result.rule_id, result.rule_pack_version, result.statute_citation]
        columns[conviction.source_row_index] = row

    _add_tally(tally, subject, by_ref, rules, now, compute_date)
    return Assessment(determinations, columns, tally)


def unjudged_columns(offense_text: str, comment_text: str, rules: prop64.RuleVersion) -> list[str]:
    """The eligibility columns of a row that carries no determination (§4.2)."""
    width = len(ELIGIBILITY_COLUMNS) + (len(EXPLANATION_COLUMNS) if rules.corrected else 0)
    row = [""] * width
    row[POSSIBLE_OTHER_COLUMN] = sections.possible_other_p64(
        offense_text, comment_text, corrected=rules.corrected
    )
    return row


def header(rules: prop64.RuleVersion) -> tuple[str, ...]:
    return ELIGIBILITY_COLUMNS + (EXPLANATION_COLUMNS if rules.corrected else ())


def _add_tally(
    tally: Tally,
    subject: Subject,
    by_ref: dict[int, Determination],
    rules: prop64.RuleVersion,
    now: datetime.datetime,
    compute_date: datetime.date,
) -> None:
    """Add one person's share of gogen.json (§4.3-§4.4) to `tally`."""
    corrected = rules.corrected
    convictions = subject.convictions
    tally.subjects += 1
    tally.subjects_with_conviction += bool(convictions)
    felonies = [c for c in convictions if prop64.is_felony(c)]
    tally.subjects_with_felony += bool(felonies)
    if not by_ref:
        # Nothing judged: no relief in either flow, nothing else to count.
        return
    judged = [c for c in convictions if c.source_row_index in by_ref]
    for conviction in judged:
        result = by_ref[conviction.source_row_index]
        name = sections.classify(conviction.code_section, corrected)[0]
        tally.convictions_by_section[name] += 1
        if prop64.is_felony(conviction):
            tally.felony_convictions += 1
        else:
            tally.non_felony_convictions += 1
        tally.outcomes[str(result.outcome)] += 1
        if result.rule_id == prop64.RULE_DISMISS_BY_SECTION:
            tally.dismissal_by_section[result.reason.split()[3]] += 1
        elif result.rule_id == prop64.RULE_REDUCE_BY_SECTION:
            tally.reduction_by_section[result.reason.split()[3]] += 1
        elif result.rule_id in _ADDITIONAL_RELIEF_RULES and result.outcome == Outcome.DISMISS:
            tally.dismissal_by_additional_relief[result.reason] += 1
        date = prop64.ymd(conviction.date)
        if tally.earliest_conviction is None or date < tally.earliest_conviction:
            tally.earliest_conviction = date
    tally.subjects_with_prop64 += 1
    tally.subjects_with_some_relief += any(by_ref[c.source_row_index].outcome in _RELIEF for c in judged)

    window = _seven_years_before(now, compute_date, corrected)
    # gogen: the zero date is never recent. Corrected: an unknown date might
    # be, so it must be dismissed too for the person to count.
    last7 = [c for c in convictions if (corrected if c.date is None else prop64.ymd(c.date) > window)]
    current = {c.source_row_index: by_ref[c.source_row_index].outcome for c in judged}
    dismiss_all = {c.source_row_index: Outcome.DISMISS for c in judged}
    _add_relief(tally.relief_current, convictions, felonies, last7, current)
    _add_relief(tally.relief_dismiss_all, convictions, felonies, last7, dismiss_all)


@functools.lru_cache(maxsize=64)
def _seven_years_before(now: datetime.datetime, compute_date: datetime.date, corrected: bool) -> YMD:
    """The start of the summary's 7-year window, as the UTC date a conviction must be after.

    gogen measures it from the wall clock (quirk); the corrected version from
    the compute date (clause window-from-compute-date). A conviction counts as
    recent when its midnight (UTC) is after the window start, that is when its
    date is after the start's UTC date. The same for every person of a run.
    """
    if corrected:
        now = datetime.datetime.combine(compute_date, datetime.time(), datetime.timezone.utc)
    year, month, day = prop64.add_years(prop64.ymd(now.date()), -7)
    window_start = now.replace(year=year, month=month, day=day)
    return prop64.ymd(window_start.astimezone(datetime.timezone.utc).date())


def _add_relief(
    counts: ReliefCounts,
    convictions: tuple[Conviction, ...],
    felonies: list[Conviction],
    last7: list[Conviction],
    outcomes: dict[int, Outcome],
) -> None:
    """§4.3 for one flow's outcomes (convictions without an outcome get no relief)."""

    def dismissed(c: Conviction) -> bool:
        return outcomes.get(c.source_row_index) == Outcome.DISMISS

    counts.no_conviction += bool(convictions) and all(dismissed(c) for c in convictions)
    counts.no_conviction_last_7_years += bool(last7) and all(dismissed(c) for c in last7)
    counts.no_felony += bool(felonies) and all(outcomes.get(c.source_row_index) in _RELIEF for c in felonies)


def _date_text(value: datetime.date | None, corrected: bool) -> str:
    if value is None:
        # gogen prints its zero date; the corrected version leaves it blank
        # rather than print a date that was never in the record.
        return "" if corrected else "01/01/0001"
    return f"{value.month:02d}/{value.day:02d}/{value.year:04d}"


def _years_between(then: YMD, today: YMD, unknown: bool) -> str:
    """(T - D) in hours / (24 x 365.25), one decimal; -1.0 for gogen's zero date."""
    if unknown:
        return ""
    if then == ZERO_DATE:
        return "-1.0"
    days = datetime.date(*today).toordinal() - datetime.date(*then).toordinal()
    return f"{days * 24 / _HOURS_PER_YEAR:.1f}"
