"""Checks a case must pass before it enters the pipeline.

Each problem names the field by its path in the request and never quotes its
value (problems reach gRPC statuses and dead letters). A structured case is held
to more than a DOJ file is: a file's invalid dates are kept raw and judged by
the rules, as gogen does, but a client building a case must send real dates or
leave them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from clearway import addresses, jurisdictions
from clearway.ca_doj.reader import Row, validate_row
from clearway.v1 import case_pb2, envelope_pb2, intake_service_pb2

from clearway_intake.domain.limits import limit_problems
from clearway_intake.domain.problem import Problem

__all__ = ["Problem", "validate_case", "validate_tenant"]

# Tenants are names of coalition members, e.g. "demo-coalition".
MAX_TENANT_CHARACTERS = 64


def validate_tenant(tenant: str) -> list[Problem]:
    if not tenant:
        return [Problem("tenant", "is required")]
    if len(tenant) > MAX_TENANT_CHARACTERS or not tenant.isprintable() or tenant != tenant.strip():
        return [Problem("tenant", f"must be 1-{MAX_TENANT_CHARACTERS} printable characters")]
    return []


def validate_case(tenant: str, jurisdiction: str, case: intake_service_pb2.CaseInput) -> list[Problem]:
    problems = validate_tenant(tenant)
    # An unknown county would match none of the record's convictions and be
    # told "nothing qualified"; only the catalogue's jurisdictions are judged.
    if (reason := jurisdictions.problem(jurisdiction)) is not None:
        problems.append(Problem("jurisdiction", reason))
    over_limits = limit_problems(case)
    if over_limits:
        # Nothing else is read of a case that breaks its limits: it may be huge.
        return problems + over_limits
    if not case.source_person_key:
        problems.append(Problem("case.source_person_key", "is required (the source's person id)"))
    if not _has_name(case.person.name):
        problems.append(Problem("case.person.name",
                                "is required (recorded, or family or given names)"))
    if not case.record.cycles:
        problems.append(Problem("case.record.cycles", "must hold at least one cycle"))
    for c, cycle in enumerate(case.record.cycles):
        for s, step in enumerate(cycle.steps):
            for n, count in enumerate(step.counts):
                if not count.count_order:
                    problems.append(Problem(f"case.record.cycles[{c}].steps[{s}].counts[{n}].count_order",
                                            "is required"))
    problems += _contact_problems(case.person)
    for path, date in _dates(case):
        if (reason := _date_problem(date)) is not None:
            problems.append(Problem(path, reason))
    for index, row in enumerate(case.record.source_rows):
        for problem in validate_row(Row(row.file, row.line, row.index, list(row.fields))):
            column = f" ({problem.field})" if problem.field else ""
            problems.append(Problem(f"case.record.source_rows[{index}].fields",
                                    f"{problem.reason}{column}"))
    return problems


def _has_name(name: case_pb2.Name) -> bool:
    """Whether a petition could name the person (see petitions' petitioner_name)."""
    return bool(name.recorded.strip() or name.family_name.strip() or name.given_names.strip())


def _contact_problems(person: case_pb2.Person) -> list[Problem]:
    problems = []
    contact, consent = person.contact, person.consent
    checks = (("case.person.contact.email", contact.email, addresses.email_problem),
              ("case.person.contact.phone", contact.phone, addresses.phone_problem),
              ("case.person.preferred_language", person.preferred_language,
               addresses.language_problem))
    for path, value, problem_of in checks:
        if value and (reason := problem_of(value)) is not None:
            problems.append(Problem(path, reason))
    if consent.email and not contact.email:
        problems.append(Problem("case.person.consent.email", "consent given but no email address"))
    if consent.sms and not contact.phone:
        problems.append(Problem("case.person.consent.sms", "consent given but no phone number"))
    if consent.postal_mail and not contact.postal_address.lines:
        problems.append(Problem("case.person.consent.postal_mail",
                                "consent given but no postal address"))
    return problems


def _dates(case: intake_service_pb2.CaseInput) -> Iterator[tuple[str, envelope_pb2.SourceDate]]:
    """(path, date) of every date the case holds."""
    if case.person.HasField("date_of_birth"):
        yield "case.person.date_of_birth", case.person.date_of_birth
    for c, cycle in enumerate(case.record.cycles):
        if cycle.HasField("date"):
            yield f"case.record.cycles[{c}].date", cycle.date
        for s, step in enumerate(cycle.steps):
            if step.HasField("event_date"):
                yield f"case.record.cycles[{c}].steps[{s}].event_date", step.event_date
            for n, count in enumerate(step.counts):
                if count.disposition.HasField("date"):
                    yield (f"case.record.cycles[{c}].steps[{s}].counts[{n}].disposition.date",
                           count.disposition.date)


def _date_problem(date: envelope_pb2.SourceDate) -> str | None:
    """Why a structured case's date cannot be used, or None (also when it is left empty)."""
    if not date.valid:
        if date.raw or date.year or date.month or date.day:
            return ("is not a valid date: send year, month and day with valid set, "
                    "or leave the date out")
        return None
    try:
        parsed = dt.date(date.year, date.month, date.day)
    except ValueError:
        return "year, month and day are not a calendar date"
    compact = f"{parsed.year:04d}{parsed.month:02d}{parsed.day:02d}"
    if date.raw and date.raw not in (compact, parsed.isoformat()):
        return "raw does not agree with year, month and day (write YYYYMMDD or YYYY-MM-DD)"
    return None
