"""Apply the law of a case's jurisdiction: CaseSubmitted in, DeterminationMade out.

This is the seam between the wire format and the rule packs: it maps protobuf to
the domain model, picks the pack for the jurisdiction, and maps the domain's
determinations back. No Kafka here, so the whole service logic is testable alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from clearway import events, jurisdictions
from clearway.ca_doj import columns as col
from clearway.ca_doj import tally_codec
from clearway.v1 import case_pb2, determination_pb2, envelope_pb2

from clearway_eligibility.domain import doj_rows, prop64, report
from clearway_eligibility.domain.from_case import subject_from_case
from clearway_eligibility.domain.model import Policy

OUTCOMES = {
    "dismiss": determination_pb2.OUTCOME_DISMISS,
    "reduce": determination_pb2.OUTCOME_REDUCE,
    "seal": determination_pb2.OUTCOME_SEAL,
    "not_eligible": determination_pb2.OUTCOME_NOT_ELIGIBLE,
    "needs_review": determination_pb2.OUTCOME_NEEDS_REVIEW,
}


class CannotJudge(ValueError):
    """A case the rules cannot be applied to; the reason names the field, never a value.

    Such a case is dead-lettered, never judged as "no convictions".
    """


class NoRulePack(CannotJudge):
    """The case's jurisdiction has no rule pack; the reason names the jurisdiction only."""


@dataclass(frozen=True)
class Jurisdiction:
    state: str
    county: str  # upper case as in DOJ data, e.g. "SAN JOAQUIN"

    @classmethod
    def parse(cls, text: str) -> "Jurisdiction":
        """``ca/san-joaquin`` → state ``ca``, county ``SAN JOAQUIN``; only a known one.

        An unknown county (``ca/atlantis``) would match none of the record's
        convictions and be judged "nothing qualified": it is refused instead.
        """
        try:
            known = jurisdictions.parse(text)
        except jurisdictions.UnknownJurisdiction as error:
            raise NoRulePack(f"no rule pack for jurisdiction {text[:40]!r}: {error}") from None
        return cls(known.state, known.county_name)


def rules_for(case: case_pb2.CaseSubmitted) -> prop64.RuleVersion:
    """The pack version the submitter asked for; the default when none was named."""
    try:
        return prop64.version(case.evaluation.rule_pack_version)
    except prop64.UnknownRuleVersion as error:
        raise NoRulePack(str(error)) from None


def subject_of(case: case_pb2.CaseSubmitted, rules: prop64.RuleVersion):
    """The rules' view of the person: from the DOJ rows when the case carries them.

    Reading the rows themselves is what offline evaluation does, so both give
    the same answer, gogen's empty-SUBJECT_ID quirk included (intake lets such
    rows through only for gogen's version, one case per file); structured cases
    (gRPC, whose source key is never empty) go through from_case.
    """
    rows = case.record.source_rows
    if rows:
        for index, row in enumerate(rows):
            if len(row.fields) != col.NUM_COLUMNS:
                raise CannotJudge(f"record.source_rows[{index}].fields: {len(row.fields)} fields, "
                                  f"a CA DOJ row has {col.NUM_COLUMNS}")
        facts = [doj_rows.facts_of(index, row.fields) for index, row in enumerate(rows)]
        reset = doj_rows.resets_each_row(rows[0].fields[col.SUBJECT_ID], corrected=rules.corrected)
        return doj_rows.subject_from_facts(case.person.person_id, facts, corrected=rules.corrected,
                                           reset_each_row=reset)
    return subject_from_case(case, corrected=rules.corrected)


def court_of(jurisdiction: str) -> str:
    """The court that acts on a jurisdiction's convictions, from the shared catalogue
    (petitions names the court of its filings from the same one)."""
    try:
        return jurisdictions.parse(jurisdiction).court
    except jurisdictions.UnknownJurisdiction as error:
        raise NoRulePack(str(error)) from None


def determine(case: case_pb2.CaseSubmitted, policy: Policy, policy_id: str,
              compute_date: dt.date) -> determination_pb2.DeterminationMade:
    """The determination of one case; same case, policy and date → same content.

    `compute_date` applies unless the case's evaluation request names one.
    Rows that name different people (the subject's identity conflicts) are
    listed, and every conviction is held for review in either version: gogen's
    keeps gogen's report lines, but nobody is filed for or told on them.
    """
    jurisdiction = Jurisdiction.parse(case.envelope.jurisdiction)
    court = court_of(case.envelope.jurisdiction)
    rules = rules_for(case)
    requested = case.evaluation.compute_date
    if requested.valid:
        try:
            compute_date = dt.date(requested.year, requested.month, requested.day)
        except ValueError:
            raise CannotJudge("evaluation.compute_date: not a calendar date") from None
    subject = subject_of(case, rules)
    # gogen's wall-clock reading (summary only) becomes the submission time, so
    # a replay gives the same event.
    try:
        now = case.envelope.occurred_at.ToDatetime(tzinfo=dt.timezone.utc)
    except (ValueError, OverflowError):
        raise CannotJudge("envelope.occurred_at: not a time a case can have been submitted at") from None
    assessment = report.assess(subject, policy, jurisdiction.county, compute_date, rules, now)
    convictions = {c.source_row_index: c for c in subject.convictions
                   if prop64.judged(c, jurisdiction.county, rules)}
    results = assessment.determinations
    if subject.identity_conflicts and not rules.corrected:
        results = [prop64.identity_review(result) for result in results]
    made = determination_pb2.DeterminationMade(
        envelope=events.follow_on_envelope(case.envelope, f"determination/{prop64.PACK_ID}/{rules.version}"),
        person_id=case.person.person_id,
        rule_pack=determination_pb2.RulePack(id=prop64.PACK_ID, version=rules.version,
                                             policy_id=policy_id),
        compute_date=envelope_pb2.SourceDate(year=compute_date.year, month=compute_date.month,
                                             day=compute_date.day, raw=compute_date.isoformat(),
                                             valid=True),
        person=case.person,
        identity_conflicts=[determination_pb2.IdentityConflict(field=c.field, distinct_values=c.distinct_values)
                            for c in subject.identity_conflicts],
        court=court,
    )
    # computed_at is the case's own time, not the wall clock, so a replay is identical.
    made.computed_at.CopyFrom(case.envelope.occurred_at)
    made.envelope.occurred_at.CopyFrom(case.envelope.occurred_at)
    for conviction, result in zip(convictions.values(), results):
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
    _add_report(made, case, assessment, rules, policy)
    return made


def court_feed_record(made: determination_pb2.DeterminationMade) -> bytes:
    """The determination as a court's feed carries it: what a court acts on, nothing personal.

    Case numbers, code sections, outcomes, reasons, citations, the rule pack and
    version, the court and the opaque person id. No Person (name, birth date,
    contact details, identifiers) and no bundle lines (the DOJ research rows):
    a court finds the person from the case numbers. Same event, same id.
    """
    feed = determination_pb2.DeterminationMade()
    feed.CopyFrom(made)
    feed.ClearField("person")
    feed.ClearField("prop64_report")
    return feed.SerializeToString()


def _add_report(made, case, assessment: report.Assessment, rules: prop64.RuleVersion,
                policy: Policy) -> None:
    """The person's lines of gogen's bundle, for the petitions service to assemble."""
    rows = case.record.source_rows
    if not rows:
        return
    out = made.prop64_report
    for index, row in enumerate(rows):
        columns = assessment.columns.get(index)
        line = out.rows.add(judged=columns is not None)
        line.source.CopyFrom(row)
        if columns is None:
            columns = report.unjudged_columns(row.fields[col.OFFENSE_DESCR], row.fields[col.COMMENT_TEXT], rules)
        line.columns.extend(columns)
    out.tally.CopyFrom(tally_codec.to_proto(assessment.tally))
    out.dismiss_sections.extend(policy.dismiss_sections)
    out.reduce_sections.extend(policy.reduce_sections)
