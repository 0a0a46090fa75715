"""Checks a case must pass before it enters the pipeline.

Each problem names the field by its path in the message and never quotes its value.
"""

from __future__ import annotations

from dataclasses import dataclass

from clearway.v1 import intake_service_pb2

KNOWN_JURISDICTION_PREFIXES = ("ca/",)


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


def validate_case(tenant: str, jurisdiction: str, case: intake_service_pb2.CaseInput) -> list[Problem]:
    problems: list[Problem] = []
    if not tenant:
        problems.append(Problem("tenant", "is required"))
    if not jurisdiction.startswith(KNOWN_JURISDICTION_PREFIXES) or jurisdiction.endswith("/"):
        problems.append(Problem("jurisdiction", "must look like ca/<county>, e.g. ca/sacramento"))
    if not case.source_person_key:
        problems.append(Problem("case.source_person_key", "is required (the source's person id)"))
    if not case.record.cycles:
        problems.append(Problem("case.record.cycles", "must hold at least one cycle"))
    for c, cycle in enumerate(case.record.cycles):
        for s, step in enumerate(cycle.steps):
            for n, count in enumerate(step.counts):
                if not count.count_order:
                    problems.append(Problem(f"case.record.cycles[{c}].steps[{s}].counts[{n}].count_order",
                                            "is required"))
    email = case.person.contact.email
    if email and "@" not in email:
        problems.append(Problem("case.person.contact.email", "is not an email address"))
    if case.person.consent.email and not email:
        problems.append(Problem("case.person.consent.email", "consent given but no email address"))
    return problems
