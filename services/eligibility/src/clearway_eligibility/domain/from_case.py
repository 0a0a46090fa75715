"""Build the rules' view of a person from a structured CaseSubmitted (gRPC).

A structured case is read as the DOJ rows it stands for: each count becomes
one row's facts, and `doj_rows.subject_from_facts` applies gogen's entity rules
(§1.3 of ca-doj-prop64.md), the same code that reads DOJ files. So a case
judges the same whichever way it arrived, under either rule version.

A structured case names one person, so only its identifiers can conflict:
more than one distinct ``ca-cii`` number is two people's records.
"""

from __future__ import annotations

import datetime

from clearway.ca_doj import CII_SCHEME, identity
from clearway.v1 import case_pb2, envelope_pb2

from clearway_eligibility.domain import doj_rows
from clearway_eligibility.domain.model import Subject


def date_from_source(source: envelope_pb2.SourceDate) -> datetime.date | None:
    """Return the calendar date, or None where gogen would use its zero date.

    gogen turns any date it cannot parse into year 1 silently (§1.6); the
    rules treat None exactly like that zero date.
    """
    if not source.valid:
        return None
    try:
        return datetime.date(source.year, source.month, source.day)
    except ValueError:
        # Marked valid but not a real date: an intake defect; judge it as gogen
        # would judge an unparseable date rather than failing the whole case.
        return None


def subject_from_case(case: case_pb2.CaseSubmitted, *, corrected: bool = False) -> Subject:
    """Build a Subject from a case's structured record.

    Counts are visited in proto order (cycles, then steps, then counts), which
    intake keeps equal to source-row order. A step without counts still counts
    as a row of its own (a DECEASED step sets the flag). Row facts carry the
    case's SourceDates, read as parsed with their raw text kept. A
    conviction's id is its count order, gogen's key for it.
    """
    person = case.person
    facts = [
        doj_rows.row_facts(
            count.source_row_index,
            dob=person.date_of_birth,
            count_order=count.count_order,
            step_type=step.type_description,
            disposition=count.disposition.description,
            ofn=count.case_number,
            offense=count.offense.description,
            comment=count.comment,
            conviction_status=count.disposition.conviction_status,
            type_of_charge=count.offense.type_of_charge,
            county=step.agency.county_name,
            date=step.event_date,
        )
        for cycle in case.record.cycles
        for step in cycle.steps
        for count in (step.counts or [case_pb2.Count()])
    ]
    conflicts = identity_conflicts(person)
    if not facts:
        return Subject(person.person_id, date_from_source(person.date_of_birth), person.date_of_birth.raw,
                       identity_conflicts=conflicts)
    return doj_rows.subject_from_facts(person.person_id, facts, corrected=corrected, read_date=_read_source_date,
                                       identity_conflicts=conflicts)


def identity_conflicts(person: case_pb2.Person) -> tuple[identity.Conflict, ...]:
    """The person's CII numbers as identity rows: more than one distinct one conflicts."""
    return identity.conflicts((i.value, "", "") for i in person.identifiers if i.scheme == CII_SCHEME)


def _read_source_date(source: envelope_pb2.SourceDate) -> tuple[datetime.date | None, str]:
    return date_from_source(source), source.raw
