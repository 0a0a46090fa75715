"""The documented limits on a case: every field and collection, and the whole case's size."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from intake_testing import gogen_shaped_fields

from clearway import topics
from clearway.ca_doj.reader import Row
from clearway.v1 import case_pb2, intake_service_pb2
from clearway_intake.domain.ca_doj import NUM_COLUMNS, case_input_from_rows
from clearway_intake.domain.limits import (
    CHARACTERS,
    DEFAULT_CHARACTERS,
    ENTRIES,
    LIMITS,
    MAX_CASE_BYTES,
    case_submitted_bytes,
    limit_problems,
    repeated_paths,
    string_paths,
)
from clearway_intake.domain.validation import validate_case
from clearway_intake.publisher import CasePublisher

README = Path(__file__).resolve().parents[3] / "README.md"


def a_case() -> intake_service_pb2.CaseInput:
    case = intake_service_pb2.CaseInput(source_person_key="S-1")
    case.person.name.recorded = "QUILLFEATHER,ZEPHYRA"
    step = case.record.cycles.add(cycle_order="101").steps.add(step_order="002")
    step.counts.add(count_order="101002001000")
    return case


def gogen_shaped_rows(count: int, file: str = "big.csv") -> list[Row]:
    return [Row(file, index + 2, index, gogen_shaped_fields(index)) for index in range(count)]


def _paths(problems) -> list[str]:
    return [p.field for p in problems]


def test_a_case_within_its_limits_has_no_problems():
    assert limit_problems(a_case()) == []


def test_a_name_at_its_limit_passes_and_one_character_more_is_refused_by_path():
    case = a_case()
    case.person.name.recorded = "N" * 200
    assert limit_problems(case) == []
    case.person.name.recorded = "N" * 201
    (problem,) = limit_problems(case)
    assert str(problem) == "case.person.name.recorded: longer than 200 characters"


def test_a_900_kb_name_is_refused_without_quoting_it():
    case = a_case()
    case.person.name.recorded = "QUILLFEATHER" * 75_000
    (problem,) = validate_case("t", "ca/sacramento", case)
    assert problem.field == "case.person.name.recorded"
    assert "QUILLFEATHER" not in str(problem)


def test_more_cycles_than_the_limit_are_refused_without_walking_them():
    case = a_case()
    for _ in range(LIMITS["record.cycles"].maximum):
        case.record.cycles.add(cycle_order="102")
    assert str(limit_problems(case)[0]) == "case.record.cycles: more than 10,000 entries"


def test_a_nested_field_is_named_by_its_path_with_indices():
    case = a_case()
    cycle = case.record.cycles.add(cycle_order="102")
    cycle.steps.add(step_order="001")
    count = cycle.steps.add(step_order="002").counts.add(count_order="102002001000")
    count.comment = "C" * 1_001
    count.offense.description = "D" * (DEFAULT_CHARACTERS + 1)
    assert [str(p) for p in limit_problems(case)] == [
        "case.record.cycles[1].steps[1].counts[0].offense.description: longer than 200 characters",
        "case.record.cycles[1].steps[1].counts[0].comment: longer than 1,000 characters",
    ]


def test_each_entry_of_a_repeated_string_has_its_own_limit():
    case = a_case()
    row = case.record.source_rows.add(file="a.csv", fields=["x"] * NUM_COLUMNS)
    row.fields[7] = "F" * 1_001
    case.person.contact.postal_address.lines.extend(["1 MAIN ST"] * 7)
    assert [str(p) for p in limit_problems(case)] == [
        "case.person.contact.postal_address.lines: more than 6 entries",
        "case.record.source_rows[0].fields[7]: longer than 1,000 characters",
    ]


def test_every_string_without_a_limit_of_its_own_gets_the_default():
    case = a_case()
    case.record.cycles[0].steps[0].agency.description = "A" * (DEFAULT_CHARACTERS + 1)
    assert _paths(limit_problems(case)) == ["case.record.cycles[0].steps[0].agency.description"]


def test_a_case_over_the_size_budget_is_refused_naming_its_size():
    case = a_case()
    field = "F" * 1_000
    rows = MAX_CASE_BYTES // (NUM_COLUMNS * 1_000) + 1
    for index in range(rows):
        case.record.source_rows.add(file="a.csv", line=index + 2, index=index,
                                    fields=[field] * NUM_COLUMNS)
    (problem,) = limit_problems(case)
    assert problem.field == "case"
    assert f"{MAX_CASE_BYTES:,} allowed" in problem.reason


def test_the_size_bound_is_never_below_what_intake_publishes():
    case = a_case()
    case.person.contact.email = "zephyra@example.org"
    case.record.source_rows.add(file="a.csv", fields=["x" * 100] * NUM_COLUMNS)
    message = CasePublisher.new_case(tenant="t" * 64, jurisdiction="ca/san-luis-obispo",
                                     batch_id="b" * 36,
                                     evaluation=case_pb2.EvaluationRequest(rule_pack_version="2026.11"))
    message.person.CopyFrom(case.person)
    message.person.person_id = "p_" + "x" * 32
    message.record.CopyFrom(case.record)
    assert message.ByteSize() <= case_submitted_bytes(case) <= message.ByteSize() + 1024


def test_the_number_of_problems_reported_is_bounded():
    case = a_case()
    for _ in range(500):
        case.record.cycles.add(cycle_order="X" * 201)
    assert len(limit_problems(case, max_problems=20)) == 20


def test_a_person_with_10000_gogen_shaped_doj_rows_is_within_every_limit():
    person, record, key = case_input_from_rows(gogen_shaped_rows(10_000))
    case = intake_service_pb2.CaseInput(person=person, record=record, source_person_key=key)
    assert 10_000_000 < case_submitted_bytes(case) < MAX_CASE_BYTES
    assert limit_problems(case) == []


def test_the_case_budget_is_the_topics_one_and_leaves_room_in_a_record():
    assert MAX_CASE_BYTES == topics.MAX_CASE_BYTES < topics.MAX_MESSAGE_BYTES


def test_every_repeated_field_has_a_limit_and_every_limit_names_a_real_field():
    assert set(repeated_paths()) <= set(LIMITS)
    assert set(LIMITS) <= set(repeated_paths()) | set(string_paths())
    for path, limit in LIMITS.items():
        assert limit.unit == (ENTRIES if path in repeated_paths() else CHARACTERS), path


def test_the_readme_documents_exactly_the_limits_the_code_enforces():
    text = README.read_text(encoding="utf-8")
    section = text.split("### Limits on a case", 1)[1].split("\n#", 1)[0]
    documented = {}
    for path, maximum, unit in re.findall(r"^\| `([^`]+)` \| ([\d,]+) (characters|entries|bytes) \|",
                                          section, flags=re.MULTILINE):
        documented[path] = (int(maximum.replace(",", "")), unit)
    expected = {path: (limit.maximum, limit.unit) for path, limit in LIMITS.items()}
    expected["any other string"] = (DEFAULT_CHARACTERS, CHARACTERS)
    expected["the whole case"] = (MAX_CASE_BYTES, "bytes")
    assert documented == expected


@pytest.mark.parametrize("path", sorted(LIMITS))
def test_each_limit_is_enforced_at_its_path(path):
    case = a_case()
    limit = LIMITS[path]
    _exceed(case, path.removesuffix("[]").split("."), limit.maximum + 1, limit.unit)
    assert any(p.field.replace("[0]", "") == "case." + path.removesuffix("[]")
               for p in limit_problems(case)), path


def _exceed(message, names: list[str], size: int, unit: str) -> None:
    """Set the field at ``names`` (descending through first entries) just over its limit."""
    name, rest = names[0], names[1:]
    field = message.DESCRIPTOR.fields_by_name[name]
    if rest:
        if field.is_repeated:
            child = getattr(message, name)[0] if getattr(message, name) else getattr(message, name).add()
        else:
            child = getattr(message, name)
        _exceed(child, rest, size, unit)
    elif unit == ENTRIES:
        entries = getattr(message, name)
        for _ in range(size):
            entries.append("x") if field.message_type is None else entries.add()
    elif field.is_repeated:
        getattr(message, name).append("x" * size)
    else:
        setattr(message, name, "x" * size)
