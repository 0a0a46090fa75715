"""Rule pack `ca-prop64`: California Prop 64 relief, in two versions side by side.

* ``gogen-0.2.13`` reproduces the configurable decision list of Code for
  America's gogen 0.2.13 (ca-doj-prop64.md §3.3) row for row, quirks
  included, so that a county moving from gogen gets the same answers.
* ``2026.11`` (the default) is the same list with gogen's defects (§7) fixed.
  Each fix is a named clause (CORRECTIONS below) with its citation and test.

Scope: one conviction at a time, judged only if it is in the county being
processed and its code section is HS 11357-11360. Person-level facts (other
convictions, death) are read from the whole subject, every county.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from clearway.ca_doj.summary import YMD, ZERO_DATE

from clearway_eligibility.domain import sections
from clearway_eligibility.domain.model import (
    Conviction,
    Determination,
    Outcome,
    Policy,
    Subject,
)

PACK_ID = "ca-prop64"


@dataclass(frozen=True)
class RuleVersion:
    """One version of the pack: gogen's behaviour, or gogen's with §7 fixed."""

    version: str
    corrected: bool
    note: str


GOGEN = RuleVersion(
    "gogen-0.2.13",
    corrected=False,
    note="Exactly gogen 0.2.13, quirks included (ca-doj-prop64.md §1-§4).",
)
CORRECTED = RuleVersion(
    "2026.11",
    corrected=True,
    note="gogen 0.2.13's decision list with the defects of ca-doj-prop64.md §7 fixed.",
)
VERSIONS = {v.version: v for v in (GOGEN, CORRECTED)}
DEFAULT = CORRECTED


class UnknownRuleVersion(ValueError):
    """No version of the pack has this name."""


def version(name: str) -> RuleVersion:
    """The named version; an empty name means the default (corrected) version."""
    if not name:
        return DEFAULT
    try:
        return VERSIONS[name]
    except KeyError:
        raise UnknownRuleVersion(
            f"unknown {PACK_ID} version {name!r}; known: {', '.join(VERSIONS)}"
        ) from None


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
# Corrected version only: a date the decision needs is not a valid date.
RULE_INVALID_DATE = "ca-prop64/invalid-date-review"
# Before the list, corrected version: the subject's rows name different people.
# (gogen's version reports gogen's lines, but the pipeline holds its
# determinations for review by this clause all the same: identity_review.)
RULE_IDENTITY_CONFLICT = "ca-prop64/identity-conflict"
IDENTITY_REVIEW_REASON = ("Needs review: rows of this SUBJECT_ID name different people "
                          "(CII number, or name and date of birth, differ)")

_CITE_11361_8_A = "Cal. Health & Safety Code § 11361.8(a)"
_CITE_PC_664 = "Cal. Penal Code § 664; Cal. Health & Safety Code § 11361.8(a)"

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
    RULE_INVALID_DATE: (
        _CITE_11361_9,
        "A date this decision depends on is not a valid date in the DOJ record, and "
        "the outcome would differ with it: the prosecution must review the record.",
    ),
    RULE_IDENTITY_CONFLICT: (
        _CITE_11361_9,
        "Relief must be tied to one person, and the rows of this SUBJECT_ID disagree on "
        "the CII number, or on name and date of birth: which rows are this person's is "
        "for the prosecution to review, so no conviction is judged, filed or told.",
    ),
}

# The corrected version's fixes of gogen's defects (ca-doj-prop64.md §7), by
# clause id: (citation, what changes). Each has its own test in test_prop64.py
# or test_sections.py; the offline report names the clause ids in its notes.
CORRECTIONS: dict[str, tuple[str, str]] = {
    "ca-prop64/anchored-sections": (
        _CITE_11361_8_A,
        "Sections match as whole section numbers: HS 11357.5, 11359.5 (synthetic "
        "cannabinoids), 113600 or 211357 are not Prop 64 offences.",
    ),
    "ca-prop64/attempts-664": (
        _CITE_PC_664,
        "An attempt written 664-11357 keeps its section instead of becoming \"664\"; "
        "§ 11361.8(a) turns on the conduct, so an attempt is judged as its offence.",
    ),
    RULE_INVALID_DATE: STATUTES[RULE_INVALID_DATE],
    RULE_IDENTITY_CONFLICT: STATUTES[RULE_IDENTITY_CONFLICT],
    "ca-prop64/window-from-compute-date": (
        _CITE_11361_9,
        "The summary's 7-year window is measured from the compute date, not the "
        "wall clock, so the same run always gives the same summary.",
    ),
    "ca-prop64/people-across-files": (
        _CITE_11361_9,
        "Rows of one SUBJECT_ID in several files are one person, so person-level "
        "facts (other convictions, death) see the whole record.",
    ),
    "ca-prop64/pc290-288": (
        "Cal. Penal Code § 290(c)",
        "PC 288 with any subdivision, e.g. 288(A), is a registrable offence "
        "(informational column only).",
    ),
    "ca-prop64/related-647f": (
        "Cal. Penal Code § 647(f)",
        "647(F) in DOJ's upper case is the related offence 647(f) "
        "(hypothetical flow only).",
    ),
    "ca-prop64/anchored-superstrikes": (
        "Cal. Penal Code § 667(e)(2)(C)(iv)",
        "Superstrike and PC 290 sections match whole numbers: 137 PC is not 37 PC "
        "(informational columns only).",
    ),
    "ca-prop64/short-count-order": (
        _CITE_11361_9,
        "A conviction row whose CNT_ORDER is too short is rejected with a reason "
        "instead of stopping the run (gogen panics).",
    ),
    "ca-prop64/empty-subject-id": (
        _CITE_11361_9,
        "A row without SUBJECT_ID is rejected: it cannot be tied to a person "
        "(gogen merges all such rows into one pseudo-person).",
    ),
}


def is_prop64(section: str, rules: RuleVersion = GOGEN) -> bool:
    """True if the code section is one of HS 11357-11360 under this version's matcher."""
    return sections.classify(section, rules.corrected)[0] is not None


def is_felony(conviction: Conviction) -> bool:
    """gogen's felony test (§1.5): status FELONY, or no status and charge type F.

    Exact comparisons: "FELONY " (trailing space) is not a felony.
    """
    if conviction.conviction_status == "FELONY":
        return True
    return conviction.conviction_status == "" and conviction.type_of_charge == "F"


def judged(conviction: Conviction, county: str, rules: RuleVersion) -> bool:
    """Step 0: only in-county (exact, case-sensitive) Prop 64 convictions are judged."""
    return conviction.county == county and is_prop64(conviction.code_section, rules)


def evaluate(
    subject: Subject,
    policy: Policy,
    county: str,
    compute_date: datetime.date,
    rules: RuleVersion = DEFAULT,
) -> list[Determination]:
    """Judge the subject's in-county Prop 64 convictions, in source order.

    Convictions outside `county` or not Prop 64 get no determination, as in gogen.
    In the corrected version the first clause is identity-conflict: rows that
    name different people are no one person's record to judge.
    """
    candidates = [c for c in subject.convictions if judged(c, county, rules)]
    if not candidates:
        return []
    if rules.corrected and subject.identity_conflicts:
        return [identity_review(_undecided(conviction, rules)) for conviction in candidates]
    person = _person_facts(subject, compute_date, rules)
    return [_judge(conviction, subject, person, policy, rules) for conviction in candidates]


def identity_review(determination: Determination) -> Determination:
    """The determination held for review by clause identity-conflict, in either version."""
    return determination._replace(
        outcome=Outcome.NEEDS_REVIEW,
        reason=IDENTITY_REVIEW_REASON,
        rule_id=RULE_IDENTITY_CONFLICT,
        statute_citation=STATUTES[RULE_IDENTITY_CONFLICT][0],
    )


def _undecided(conviction: Conviction, rules: RuleVersion) -> Determination:
    return Determination(conviction.conviction_id, conviction.code_section, Outcome.NEEDS_REVIEW,
                         "", "", "", PACK_ID, rules.version)


class _PersonFacts(NamedTuple):
    """What the decision list reads of the person, the same for each of their convictions."""

    dob: YMD
    today: YMD
    latest: YMD  # latest_conviction_date
    any_invalid_date: bool
    only_prop64: bool  # every conviction, any county, is Prop 64


def _person_facts(subject: Subject, compute_date: datetime.date, rules: RuleVersion) -> _PersonFacts:
    convictions = subject.convictions
    return _PersonFacts(
        dob=ymd(subject.dob),
        today=ymd(compute_date),
        latest=latest_conviction_date(convictions),
        any_invalid_date=any(c.date is None for c in convictions),
        only_prop64=all(is_prop64(c.code_section, rules) for c in convictions),
    )


def _judge(
    conviction: Conviction,
    subject: Subject,
    person: _PersonFacts,
    policy: Policy,
    rules: RuleVersion,
) -> Determination:
    """gogen's decision list (§3.3): the first step that holds decides.

    A step's condition is True, False or, in the corrected version only, None:
    unknown because a date it reads is invalid. An unknown step is skipped when
    the rest of the list gives the same outcome anyway; otherwise the
    conviction needs review (clause ca-prop64/invalid-date-review).
    """

    def decided(outcome: Outcome, reason: str, rule_id: str) -> Determination:
        return Determination(
            conviction_id=conviction.conviction_id,
            code_section=conviction.code_section,
            outcome=outcome,
            reason=reason,
            rule_id=rule_id,
            statute_citation=STATUTES[rule_id][0],
            rule_pack_id=PACK_ID,
            rule_pack_version=rules.version,
        )

    steps = _steps(conviction, subject, person, policy, rules)
    unknown: str | None = None
    for holds, outcome, reason, rule_id in steps:
        if holds is None:
            unknown = unknown or rule_id
            continue
        if holds:
            break
    else:
        outcome, reason, rule_id = Outcome.NOT_ELIGIBLE, "", RULE_NO_RELIEF
    if unknown is None:
        return decided(outcome, reason, rule_id)
    # Some earlier step could not be decided. Every such step would dismiss, so
    # the answer stands only if it is a dismissal too.
    if outcome == Outcome.DISMISS:
        return decided(outcome, reason, rule_id)
    return decided(Outcome.NEEDS_REVIEW, _REVIEW_REASONS[unknown], RULE_INVALID_DATE)


_REVIEW_REASONS = {
    RULE_UNDER_21_AT_CONVICTION: "Needs review: date of birth or conviction date is not a valid date",
    RULE_AGE_THRESHOLD: "Needs review: date of birth is not a valid date",
    RULE_YEARS_SINCE_CONVICTION: "Needs review: conviction date is not a valid date",
    RULE_YEARS_CRIME_FREE: "Needs review: a conviction date is not a valid date",
}

_Step = tuple[bool | None, Outcome, str, str]


def _steps(
    conviction: Conviction,
    subject: Subject,
    person: _PersonFacts,
    policy: Policy,
    rules: RuleVersion,
) -> Iterator[_Step]:
    """The decision list for one conviction, in order, each step with its condition evaluated.

    A generator: a flat list of at most nine comparisons reads more plainly
    than nested ifs and keeps the two versions in one place, and the steps
    after the one that decides are never computed.
    """
    section = conviction.code_section
    corrected = rules.corrected
    conviction_date = ymd(conviction.date)
    dob = person.dob
    today = person.today
    # gogen compares invalid dates as its zero date (year 1); the corrected
    # version treats a comparison that reads an invalid date as unknown.
    bad_dob = corrected and subject.dob is None
    bad_date = corrected and conviction.date is None

    # 1. Misdemeanours and infractions are always dismissed.
    yield (not is_felony(conviction), Outcome.DISMISS, "Misdemeanor or Infraction",
           RULE_MISDEMEANOR)
    # 2. Dismiss by section, first hit in list order (before reduce: a section
    #    in both lists is dismissed).
    for name in policy.dismiss_sections:
        if sections.matches_section(section, name, corrected=corrected):
            yield (True, Outcome.DISMISS, f"Dismiss all HS {name} convictions",
                   RULE_DISMISS_BY_SECTION)
            break
    # 3. Strictly under 21 on the conviction date (on the birthday: no).
    #    gogen quirk kept in both versions: the reason says "or younger".
    if policy.subject_under_21_at_conviction:
        holds = None if (bad_dob or bad_date) else add_years(dob, 21) > conviction_date
        yield (holds, Outcome.DISMISS, "21 years or younger", RULE_UNDER_21_AT_CONVICTION)
    # 4. At least N years old on the compute date (gogen: a zero DOB passes).
    threshold = policy.subject_age_threshold
    if threshold:
        holds = None if bad_dob else add_years(dob, threshold) <= today
        yield (holds, Outcome.DISMISS, f"{threshold} years or older", RULE_AGE_THRESHOLD)
    # 5. Conviction at least N years before the compute date (gogen: a zero
    #    conviction date passes).
    threshold = policy.years_since_conviction_threshold
    if threshold:
        holds = None if bad_date else conviction_date <= add_years(today, -threshold)
        yield (holds, Outcome.DISMISS, f"Conviction occurred {threshold} or more years ago",
               RULE_YEARS_SINCE_CONVICTION)
    # 6. No conviction (any county, any section) in the last N years, strictly.
    threshold = policy.years_crime_free_threshold
    if threshold:
        holds: bool | None = person.latest < add_years(today, -threshold)
        # An invalid date could hide a recent conviction; a valid recent one
        # already settles it.
        if corrected and holds and person.any_invalid_date:
            holds = None
        yield (holds, Outcome.DISMISS, f"No convictions in the past {threshold} years",
               RULE_YEARS_CRIME_FREE)
    # 7. Every conviction of the subject, any county, is Prop 64.
    if policy.subject_has_only_prop64_charges:
        yield (person.only_prop64, Outcome.DISMISS, "Only has 11357-60 charges", RULE_ONLY_PROP64)
    # 8. The subject has a DECEASED step.
    if policy.subject_is_deceased:
        yield (subject.deceased, Outcome.DISMISS, "Individual is deceased", RULE_DECEASED)
    # 9. Reduce by section, first hit in list order.
    for name in policy.reduce_sections:
        if sections.matches_section(section, name, corrected=corrected):
            yield (True, Outcome.REDUCE, f"Reduce all HS {name} convictions",
                   RULE_REDUCE_BY_SECTION)
            break
    # 10. Nothing holds: gogen leaves determination and reason empty (the caller).


def ymd(value: datetime.date | None) -> YMD:
    """A date as (year, month, day); None becomes gogen's zero date."""
    if value is None:
        return ZERO_DATE
    return (value.year, value.month, value.day)


def add_years(value: YMD, years: int) -> YMD:
    """Calendar-year arithmetic as Go's AddDate: 29 Feb -> 1 Mar in common years.

    Works on tuples so that the zero date and far-future dates cannot overflow
    Python's date range.
    """
    year, month, day = value
    year += years
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return (year, 3, 1)
    return (year, month, day)


def latest_conviction_date(convictions: Iterable[Conviction]) -> YMD:
    """The latest conviction date over every county and section.

    Zero dates never win unless all are zero: the zero date is the earliest.
    """
    return max((ymd(c.date) for c in convictions), default=ZERO_DATE)
