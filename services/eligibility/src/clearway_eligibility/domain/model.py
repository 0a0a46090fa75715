"""Plain values the eligibility rules work on.

The rules never see protobuf: `from_case` turns a CaseSubmitted into these
plain values, so a rule pack can be read and tested as ordinary Python.
Conviction, Subject and Determination are NamedTuples, not frozen dataclasses:
as immutable, but made about 4x as fast, and a run makes millions of them. The
shapes follow what Code for America's gogen 0.2.13 reads from a CA DOJ
research file (see the CA DOJ / gogen specification, ca-doj-prop64.md §1.3-§1.6).
"""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from clearway.ca_doj.identity import Conflict

from clearway_eligibility.domain import sections as section_matchers

# gogen switches the charge source to COMMENT_TEXT when OFFENSE_DESCR says this.
SEE_COMMENT_FOR_CHARGE = section_matchers.SEE_COMMENT_FOR_CHARGE


class Conviction(NamedTuple):
    """One conviction: the first CONVICTED count of a subject per count order."""

    # cycle_order/step_order/count_order of the count that introduced it.
    conviction_id: str
    # Extracted per §1.4 (see sections.extract_code_section); every matcher reads this.
    code_section: str
    # Raw OFFENSE_DESCR and COMMENT_TEXT, kept for review and reporting.
    offense_text: str
    comment_text: str
    # CONV_STAT_DESCR, e.g. "FELONY", "MISDEMEANOR" or "" (untrimmed).
    conviction_status: str
    # OFFENSE_TOC, e.g. "F", "M" (untrimmed).
    type_of_charge: str
    # Step event date; None when the source date is not a valid calendar date.
    date: datetime.date | None
    date_raw: str
    # STP_ORI_CNTY_NAME, compared by exact string equality.
    county: str
    # OFNs of COURT ACTION steps sharing count_order[0:6], first-seen order.
    case_numbers: tuple[str, ...] = ()
    # Index into the case's CriminalRecord.source_rows.
    source_row_index: int = 0


class Subject(NamedTuple):
    """A person as the rules see them: person-level facts plus convictions."""

    person_id: str
    dob: datetime.date | None
    dob_raw: str
    # All convictions in source order, every county and every section.
    convictions: tuple[Conviction, ...] = ()
    deceased: bool = False
    # Informational only in gogen 0.2.13; no rule reads it.
    pc290_registration: bool = False
    # The subject's rows name different people (clearway.ca_doj.identity):
    # clause ca-prop64/identity-conflict.
    identity_conflicts: tuple[Conflict, ...] = ()


class Outcome(enum.StrEnum):
    """What a rule pack decided for one conviction."""

    DISMISS = "dismiss"
    REDUCE = "reduce"
    SEAL = "seal"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_REVIEW = "needs_review"


class Determination(NamedTuple):
    """The decision for one conviction, with the clause and law it rests on."""

    conviction_id: str
    code_section: str
    outcome: Outcome
    # Exact gogen reason text ("" where gogen leaves it empty).
    reason: str
    rule_id: str
    statute_citation: str
    rule_pack_id: str
    rule_pack_version: str


# --------------------------------------------------------------------------
# County policy (gogen's eligibility options JSON, §3.2)
# --------------------------------------------------------------------------

# The only section names gogen knows; anything else panics in gogen (§1.8).
PROP64_SECTION_NAMES = ("11357", "11358", "11359", "11360")


class PolicyError(ValueError):
    """The county policy (options JSON) is unusable."""


def _check_range(value: int, low: int, high: int, message: str) -> None:
    if value != 0 and not low <= value <= high:
        raise PolicyError(message)


@dataclass(frozen=True)
class Policy:
    """A county's choices for the Prop 64 decision list.

    Field meanings mirror gogen's options file; the range checks and their
    messages are gogen's own. Unlike gogen, unknown section names fail here,
    at load time, instead of panicking mid-run.
    """

    dismiss_sections: tuple[str, ...] = ()
    reduce_sections: tuple[str, ...] = ()
    subject_under_21_at_conviction: bool = False
    subject_age_threshold: int = 0
    years_since_conviction_threshold: int = 0
    years_crime_free_threshold: int = 0
    subject_has_only_prop64_charges: bool = False
    subject_is_deceased: bool = False

    def __post_init__(self) -> None:
        # Accept any iterable of names but keep the value immutable.
        object.__setattr__(self, "dismiss_sections", tuple(self.dismiss_sections))
        object.__setattr__(self, "reduce_sections", tuple(self.reduce_sections))
        # Same order and messages as gogen's options validation.
        _check_range(
            self.subject_age_threshold,
            40,
            65,
            "SubjectAgeThreshold should be between 40 and 65, or 0",
        )
        _check_range(
            self.years_since_conviction_threshold,
            1,
            15,
            "YearsSinceConvictionThreshold should be between 1 and 15, or 0",
        )
        _check_range(
            self.years_crime_free_threshold,
            1,
            15,
            "YearsCrimeFreeThreshold should be between 1 and 15, or 0",
        )
        for list_name, sections in (
            ("baselineEligibility.dismiss", self.dismiss_sections),
            ("baselineEligibility.reduce", self.reduce_sections),
        ):
            for section in sections:
                if section not in PROP64_SECTION_NAMES:
                    raise PolicyError(
                        f"{list_name}: unknown section {section!r}; "
                        f"expected one of {', '.join(PROP64_SECTION_NAMES)}"
                    )

    @classmethod
    def from_json(cls, source: str | bytes | Mapping[str, Any]) -> Policy:
        """Read gogen's options JSON (text or an already-decoded mapping).

        As in gogen, missing keys mean false/0 and unknown keys are ignored.
        Deliberate differences: the top level must be an object (gogen would
        accept `null` as "all off"), and key names must match exactly (Go's
        decoder would also accept other letter cases).
        """
        if isinstance(source, Mapping):
            document: Any = source
        else:
            try:
                document = json.loads(source)
            except (ValueError, TypeError) as error:
                raise PolicyError(f"policy is not valid JSON: {error}") from None
        if not isinstance(document, Mapping):
            raise PolicyError("policy must be a JSON object")

        baseline = _object(document, "baselineEligibility")
        relief = _object(document, "additionalRelief")
        return cls(
            dismiss_sections=_sections(baseline, "baselineEligibility", "dismiss"),
            reduce_sections=_sections(baseline, "baselineEligibility", "reduce"),
            subject_under_21_at_conviction=_bool(
                relief, "additionalRelief", "subjectUnder21AtConviction"
            ),
            subject_age_threshold=_int(relief, "additionalRelief", "subjectAgeThreshold"),
            years_since_conviction_threshold=_int(
                relief, "additionalRelief", "yearsSinceConvictionThreshold"
            ),
            years_crime_free_threshold=_int(
                relief, "additionalRelief", "yearsCrimeFreeThreshold"
            ),
            subject_has_only_prop64_charges=_bool(
                relief, "additionalRelief", "subjectHasOnlyProp64Charges"
            ),
            subject_is_deceased=_bool(relief, "additionalRelief", "subjectIsDeceased"),
        )


# JSON decoding helpers. A JSON null means "absent", as in Go's decoder.


def _object(document: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = document.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PolicyError(f"{key} must be an object")
    return value


def _sections(parent: Mapping[str, Any], parent_key: str, key: str) -> tuple[str, ...]:
    value = parent.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PolicyError(f"{parent_key}.{key} must be a list of section names")
    return tuple(value)


def _bool(parent: Mapping[str, Any], parent_key: str, key: str) -> bool:
    value = parent.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise PolicyError(f"{parent_key}.{key} must be true or false")
    return value


def _int(parent: Mapping[str, Any], parent_key: str, key: str) -> int:
    value = parent.get(key)
    if value is None:
        return 0
    # bool is an int in Python but not in JSON; Go also rejects 57.0 for an int.
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(f"{parent_key}.{key} must be a whole number")
    return value


__all__ = [
    "Conflict",
    "Conviction",
    "Determination",
    "Outcome",
    "Policy",
    "PolicyError",
    "PROP64_SECTION_NAMES",
    "SEE_COMMENT_FOR_CHARGE",
    "Subject",
]
