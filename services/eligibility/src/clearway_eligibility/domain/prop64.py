"""Rule pack `ca-prop64`: California Prop 64 relief, gogen-compatible.

Reproduces the configurable decision list of Code for America's gogen 0.2.13
(ca-doj-prop64.md §3.3) row for row, including its quirks, so that a county
moving from gogen gets the same answers. The quirks are flagged below; a
later pack version can fix them deliberately.

Scope: one conviction at a time, judged only if it is in the county being
processed and its code section looks like HS 11357-11360. Person-level facts
(other convictions, death) are read from the whole subject, every county.
"""

from __future__ import annotations

import calendar
import datetime

from clearway_eligibility.domain.model import (
    PROP64_SECTION_NAMES,
    Conviction,
    Determination,
    Outcome,
    Policy,
    Subject,
)

PACK_ID = "ca-prop64"
PACK_VERSION = "2026.11-gogen-0.2.13"

# One rule id per step of the decision list, in evaluation order.
RULE_MISDEMEANOR = "ca-prop64/misdemeanor"
RULE_DISMISS_BY_SECTION = "ca-prop64/dismiss-by-section"
RULE_UNDER_21_AT_CONVICTION = "ca-prop64/under-21-at-conviction"
RULE_AGE_THRESHOLD = "ca-prop64/age-threshold"
RULE_YEARS_SINCE_CONVICTION = "ca-prop64/years-since-conviction"
RULE_YEARS_CRIME_FREE = "ca-prop64/years-crime-free"
RULE_ONLY_PROP64 = "ca-prop64/only-prop64"
RULE_DECEASED = "ca-prop64/deceased"
RULE_REDUCE_BY_SECTION = "ca-prop64/reduce-by-section"
RULE_NO_RELIEF = "ca-prop64/no-relief"

# Citations. H&S § 11361.8(e) is the application by a person who has
# completed their sentence, to have the conviction dismissed and sealed or
# redesignated as a misdemeanor or infraction (confirmed: People v. Samra
# (Cal. Ct. App. 2018) relies on "section 11361.8, subdivision (e)" for a
# completed-sentence redesignation request). We could not confirm from a
# primary text whether subdivision (f) is split into numbered paragraphs for
# dismissal vs redesignation, so no (f) pin cite is given.
# Conservative reading: gogen never checks that the sentence is completed;
# for someone still serving, § 11361.8(a) (recall/dismissal of sentence) would
# apply instead, and this pack cannot tell the two apart.
_CITE_11361_8_E = "Cal. Health & Safety Code § 11361.8(e)"
_CITE_11361_9 = "Cal. Health & Safety Code § 11361.9"
# County choices are the prosecution's review under § 11361.9 (AB 1793) of the
# convictions DOJ identified as potentially eligible under § 11361.8.
_CITE_POLICY = "Cal. Health & Safety Code §§ 11361.8(e), 11361.9"

# The law as data: rule id -> (citation, what the clause means).
STATUTES: dict[str, tuple[str, str]] = {
    RULE_MISDEMEANOR: (
        _CITE_11361_8_E,
        "Not a felony: gogen dismisses it whatever the county chose.",
    ),
    RULE_DISMISS_BY_SECTION: (
        _CITE_POLICY,
        "The county does not challenge dismissal of every conviction of this section.",
    ),
    RULE_UNDER_21_AT_CONVICTION: (
        _CITE_POLICY,
        "County choice: dismiss felonies of people under 21 on the conviction date.",
    ),
    RULE_AGE_THRESHOLD: (
        _CITE_POLICY,
        "County choice: dismiss felonies of people at or over an age on the compute date.",
    ),
    RULE_YEARS_SINCE_CONVICTION: (
        _CITE_POLICY,
        "County choice: dismiss felonies at least N years old on the compute date.",
    ),
    RULE_YEARS_CRIME_FREE: (
        _CITE_POLICY,
        "County choice: dismiss felonies of people with no conviction in the last N years.",
    ),
    RULE_ONLY_PROP64: (
        _CITE_POLICY,
        "County choice: dismiss felonies of people whose every conviction is Prop 64.",
    ),
    RULE_DECEASED: (
        _CITE_POLICY,
        "County choice: dismiss felonies of people recorded as deceased.",
    ),
    RULE_REDUCE_BY_SECTION: (
        _CITE_POLICY,
        "The county does not challenge redesignation of this section as a misdemeanor.",
    ),
    RULE_NO_RELIEF: (
        _CITE_11361_9,
        "No relief under this county's review choices. The person may still apply "
        "under § 11361.8 themselves.",
    ),
}

# gogen's zero date: what every unparseable date becomes (§1.6).
_ZERO_DATE = (1, 1, 1)

_YMD = tuple[int, int, int]


def is_prop64(section: str) -> bool:
    """True if the section contains 11357, 11358, 11359 or 11360 anywhere.

    gogen quirk kept: unanchored, so "11357.5" and "113600" also match.
    """
    return any(name in section for name in PROP64_SECTION_NAMES)


def extract_prop64_section(section: str) -> str | None:
    """The leftmost of the four Prop 64 numbers in the section, or None."""
    positions = [
        (position, name)
        for name in PROP64_SECTION_NAMES
        if (position := section.find(name)) >= 0
    ]
    if not positions:
        return None
    return min(positions)[1]


def is_felony(conviction: Conviction) -> bool:
    """gogen's felony test (§1.5): status FELONY, or no status and charge type F.

    Exact comparisons: "FELONY " (trailing space) is not a felony.
    """
    if conviction.conviction_status == "FELONY":
        return True
    return conviction.conviction_status == "" and conviction.type_of_charge == "F"


def evaluate(
    subject: Subject,
    policy: Policy,
    county: str,
    compute_date: datetime.date,
) -> list[Determination]:
    """Judge the subject's in-county Prop 64 convictions, in source order.

    Convictions outside `county` (exact, case-sensitive match) or not Prop 64
    get no determination, as in gogen.
    """
    return [
        _judge(conviction, subject, policy, compute_date)
        for conviction in subject.convictions
        if conviction.county == county and is_prop64(conviction.code_section)
    ]


def _judge(
    conviction: Conviction,
    subject: Subject,
    policy: Policy,
    compute_date: datetime.date,
) -> Determination:
    """gogen's decision list (§3.3): the first matching step decides."""

    def decided(outcome: Outcome, reason: str, rule_id: str) -> Determination:
        return Determination(
            conviction_id=conviction.conviction_id,
            code_section=conviction.code_section,
            outcome=outcome,
            reason=reason,
            rule_id=rule_id,
            statute_citation=STATUTES[rule_id][0],
            rule_pack_id=PACK_ID,
            rule_pack_version=PACK_VERSION,
        )

    section = conviction.code_section
    conviction_date = _ymd(conviction.date)
    dob = _ymd(subject.dob)
    today = _ymd(compute_date)

    # 1. Misdemeanours and infractions are always dismissed.
    if not is_felony(conviction):
        return decided(Outcome.DISMISS, "Misdemeanor or Infraction", RULE_MISDEMEANOR)

    # 2. Dismiss by section, first hit in list order. A section in both lists
    #    is dismissed because this step comes first.
    for name in policy.dismiss_sections:
        if name in section:
            return decided(
                Outcome.DISMISS, f"Dismiss all HS {name} convictions", RULE_DISMISS_BY_SECTION
            )

    # 3. Strictly under 21 on the conviction date (on the birthday: no).
    #    gogen quirk: the reason says "or younger". With a zero DOB this fails;
    #    with a zero conviction date and any DOB it passes.
    if policy.subject_under_21_at_conviction and _add_years(dob, 21) > conviction_date:
        return decided(Outcome.DISMISS, "21 years or younger", RULE_UNDER_21_AT_CONVICTION)

    # 4. At least N years old on the compute date. A zero DOB always passes.
    threshold = policy.subject_age_threshold
    if threshold and _add_years(dob, threshold) <= today:
        return decided(Outcome.DISMISS, f"{threshold} years or older", RULE_AGE_THRESHOLD)

    # 5. Conviction at least N years before the compute date. A zero
    #    conviction date always passes.
    threshold = policy.years_since_conviction_threshold
    if threshold and conviction_date <= _add_years(today, -threshold):
        return decided(
            Outcome.DISMISS,
            f"Conviction occurred {threshold} or more years ago",
            RULE_YEARS_SINCE_CONVICTION,
        )

    # 6. No conviction (any county, any section) in the last N years, strictly.
    threshold = policy.years_crime_free_threshold
    if threshold and _latest_conviction_date(subject) < _add_years(today, -threshold):
        return decided(
            Outcome.DISMISS,
            f"No convictions in the past {threshold} years",
            RULE_YEARS_CRIME_FREE,
        )

    # 7. Every conviction of the subject, any county, is Prop 64 (over-broad
    #    matcher, so "11357.5" counts).
    if policy.subject_has_only_prop64_charges and all(
        is_prop64(other.code_section) for other in subject.convictions
    ):
        return decided(Outcome.DISMISS, "Only has 11357-60 charges", RULE_ONLY_PROP64)

    # 8. The subject has a DECEASED step.
    if policy.subject_is_deceased and subject.deceased:
        return decided(Outcome.DISMISS, "Individual is deceased", RULE_DECEASED)

    # 9. Reduce by section, first hit in list order.
    for name in policy.reduce_sections:
        if name in section:
            return decided(
                Outcome.REDUCE, f"Reduce all HS {name} convictions", RULE_REDUCE_BY_SECTION
            )

    # 10. gogen emits an empty determination and reason here; we map that to
    #     "not eligible" (under this county's choices) and keep the empty reason.
    return decided(Outcome.NOT_ELIGIBLE, "", RULE_NO_RELIEF)


def _ymd(value: datetime.date | None) -> _YMD:
    """A date as (year, month, day); None becomes gogen's zero date."""
    if value is None:
        return _ZERO_DATE
    return (value.year, value.month, value.day)


def _add_years(value: _YMD, years: int) -> _YMD:
    """Calendar-year arithmetic as Go's AddDate: 29 Feb -> 1 Mar in common years.

    Works on tuples so that the zero date and far-future dates cannot overflow
    Python's date range.
    """
    year, month, day = value
    year += years
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return (year, 3, 1)
    return (year, month, day)


def _latest_conviction_date(subject: Subject) -> _YMD:
    """The latest conviction date over every county and section.

    Zero dates never win unless all are zero: the zero date is the earliest.
    """
    return max((_ymd(c.date) for c in subject.convictions), default=_ZERO_DATE)
