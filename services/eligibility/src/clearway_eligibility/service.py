"""Apply the law of a case's jurisdiction: CaseSubmitted in, DeterminationMade out.

This is the seam between the wire format and the rule packs: it maps protobuf to
the domain model, picks the pack for the jurisdiction, and maps the domain's
determinations back. No Kafka here, so the whole service logic is testable alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clearway import events
from clearway.v1 import case_pb2, determination_pb2, envelope_pb2

from clearway_eligibility.domain import prop64
from clearway_eligibility.domain.from_case import subject_from_case
from clearway_eligibility.domain.model import Policy

OUTCOMES = {
    "dismiss": determination_pb2.OUTCOME_DISMISS,
    "reduce": determination_pb2.OUTCOME_REDUCE,
    "seal": determination_pb2.OUTCOME_SEAL,
    "not_eligible": determination_pb2.OUTCOME_NOT_ELIGIBLE,
    "needs_review": determination_pb2.OUTCOME_NEEDS_REVIEW,
}


class NoRulePack(ValueError):
    """The case's jurisdiction has no rule pack; the reason names the jurisdiction only."""


@dataclass(frozen=True)
class Jurisdiction:
    state: str
    county: str  # upper case as in DOJ data, e.g. "SAN JOAQUIN"

    @classmethod
    def parse(cls, text: str) -> "Jurisdiction":
        """``ca/san-joaquin`` → state ``ca``, county ``SAN JOAQUIN``."""
        state = text.strip().lower().partition("/")[0]
        county = events.county_of(text)
        if state != "ca" or not county:
            raise NoRulePack(f"no rule pack for jurisdiction {text!r} (supported: ca/<county>)")
        return cls(state, county)


def determine(case: case_pb2.CaseSubmitted, policy: Policy, policy_id: str,
              compute_date: dt.date) -> determination_pb2.DeterminationMade:
    """The determination of one case; same case, policy and date → same bytes-level content."""
    jurisdiction = Jurisdiction.parse(case.envelope.jurisdiction)
    subject = subject_from_case(case)
    results = prop64.evaluate(subject, policy, jurisdiction.county, compute_date)
    convictions = {c.conviction_id: c for c in subject.convictions}
    made = determination_pb2.DeterminationMade(
        envelope=events.follow_on_envelope(case.envelope, f"determination/{prop64.PACK_ID}/{prop64.PACK_VERSION}"),
        person_id=case.person.person_id,
        rule_pack=determination_pb2.RulePack(id=prop64.PACK_ID, version=prop64.PACK_VERSION,
                                             policy_id=policy_id),
        compute_date=envelope_pb2.SourceDate(year=compute_date.year, month=compute_date.month,
                                             day=compute_date.day, raw=compute_date.isoformat(),
                                             valid=True),
        person=case.person,
    )
    # computed_at is the case's own time, not the wall clock, so a replay is identical.
    made.computed_at.CopyFrom(case.envelope.occurred_at)
    made.envelope.occurred_at.CopyFrom(case.envelope.occurred_at)
    for result in results:
        conviction = convictions[result.conviction_id]
        entry = made.convictions.add(
            conviction_id=result.conviction_id,
            code_section=result.code_section,
            outcome=OUTCOMES[str(result.outcome)],
            reason=result.reason,
            statute_citation=result.statute_citation,
            rule_id=result.rule_id,
            county=conviction.county,
            case_numbers=list(conviction.case_numbers),
            felony=prop64.is_felony(conviction),
            source_row_index=conviction.source_row_index,
        )
        entry.conviction_date.raw = conviction.date_raw
        if conviction.date is not None:
            entry.conviction_date.year = conviction.date.year
            entry.conviction_date.month = conviction.date.month
            entry.conviction_date.day = conviction.date.day
            entry.conviction_date.valid = True
    return made
