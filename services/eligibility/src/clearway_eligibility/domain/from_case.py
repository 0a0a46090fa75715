"""Build the rules' view of a person from a CaseSubmitted event.

This is where gogen's reading of a DOJ record (§1.3 of ca-doj-prop64.md)
lives: which counts are convictions, which person-level flags are set, and
which court case numbers belong to a conviction. The rule packs then work
only on the plain dataclasses of `model`.
"""

from __future__ import annotations

import datetime

from clearway.v1 import case_pb2, envelope_pb2

from clearway_eligibility.domain.model import Conviction, Subject, extract_code_section

from clearway_eligibility.domain.doj_rows import (  # one definition of gogen's entity rules
    CASE_KEY_LENGTH,
    CONVICTED_PREFIX,
    PC290_PREFIX,
    STEP_COURT_ACTION,
    STEP_DECEASED,
    STEP_REGISTRATION,
)


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


def subject_from_case(case: case_pb2.CaseSubmitted) -> Subject:
    """Build a Subject from a case, following gogen's entity rules (§1.3).

    Counts are visited in proto order (cycles, then steps, then counts), which
    intake keeps equal to source-row order.
    """
    record = case.record

    # Person-level facts and case numbers look at every count of the subject,
    # earlier and later than a conviction, so collect them first.
    deceased = False
    pc290_registration = False
    case_numbers_by_key: dict[str, list[str]] = {}
    for cycle in record.cycles:
        for step in cycle.steps:
            if step.type_description == STEP_DECEASED:
                deceased = True
            for count in step.counts:
                if (
                    step.type_description == STEP_REGISTRATION
                    and count.offense.description.startswith(PC290_PREFIX)
                ):
                    pc290_registration = True
                # Whitespace-only and "NULL  " OFNs count as present, as in gogen.
                if step.type_description == STEP_COURT_ACTION and count.case_number != "":
                    # gogen panics on a count order shorter than 6 characters;
                    # we just use the shorter key.
                    key = count.count_order[:CASE_KEY_LENGTH]
                    numbers = case_numbers_by_key.setdefault(key, [])
                    if count.case_number not in numbers:
                        numbers.append(count.case_number)

    convictions: list[Conviction] = []
    seen_count_orders: set[str] = set()
    for cycle in record.cycles:
        for step in cycle.steps:
            for count in step.counts:
                if not count.disposition.description.startswith(CONVICTED_PREFIX):
                    continue
                # Later CONVICTED rows of the same count are sentence parts.
                if count.count_order in seen_count_orders:
                    continue
                seen_count_orders.add(count.count_order)
                convictions.append(
                    Conviction(
                        conviction_id=(
                            f"{cycle.cycle_order}/{step.step_order}/{count.count_order}"
                        ),
                        code_section=extract_code_section(
                            count.offense.description, count.comment
                        ),
                        offense_text=count.offense.description,
                        comment_text=count.comment,
                        conviction_status=count.disposition.conviction_status,
                        type_of_charge=count.offense.type_of_charge,
                        date=date_from_source(step.event_date),
                        date_raw=step.event_date.raw,
                        county=step.agency.county_name,
                        case_numbers=tuple(
                            case_numbers_by_key.get(count.count_order[:CASE_KEY_LENGTH], ())
                        ),
                        source_row_index=count.source_row_index,
                    )
                )

    person = case.person
    return Subject(
        person_id=person.person_id,
        dob=date_from_source(person.date_of_birth),
        dob_raw=person.date_of_birth.raw,
        convictions=tuple(convictions),
        deceased=deceased,
        pc290_registration=pc290_registration,
    )
