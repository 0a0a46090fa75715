"""County policy: gogen's eligibility options JSON (§3.2)."""

from __future__ import annotations

import json

import pytest

from clearway_eligibility.domain.model import Policy, PolicyError


def options(**relief: object) -> dict[str, object]:
    return {"baselineEligibility": {"dismiss": ["11357"], "reduce": []}, "additionalRelief": relief}


def test_reads_the_gogen_fixture_options(gogen_fixtures) -> None:
    policy = Policy.from_json((gogen_fixtures / "eligibility_options.json").read_text())
    assert policy == Policy(
        dismiss_sections=("11357", "11358"),
        reduce_sections=("11359", "11360"),
        subject_under_21_at_conviction=True,
        subject_age_threshold=57,
        years_since_conviction_threshold=10,
        years_crime_free_threshold=0,  # absent from the file: off
        subject_has_only_prop64_charges=True,
        subject_is_deceased=True,
    )


def test_missing_keys_mean_off_and_unknown_keys_are_ignored() -> None:
    policy = Policy.from_json('{"somethingElse": 1, "additionalRelief": {"colour": "red"}}')
    assert policy == Policy()
    assert policy.dismiss_sections == () and policy.subject_age_threshold == 0


def test_json_null_means_absent() -> None:
    text = (
        '{"baselineEligibility": {"dismiss": null},'
        ' "additionalRelief": {"subjectAgeThreshold": null}}'
    )
    assert Policy.from_json(text) == Policy()


def test_accepts_text_bytes_and_mappings_alike() -> None:
    document = options(subjectAgeThreshold=50, subjectIsDeceased=True)
    text = json.dumps(document)
    expected = Policy(dismiss_sections=("11357",), subject_age_threshold=50, subject_is_deceased=True)
    assert Policy.from_json(document) == expected
    assert Policy.from_json(text) == expected
    assert Policy.from_json(text.encode()) == expected


def test_keeps_list_order_and_duplicates() -> None:
    policy = Policy.from_json({"baselineEligibility": {"dismiss": ["11360", "11357", "11360"]}})
    assert policy.dismiss_sections == ("11360", "11357", "11360")


AGE_MESSAGE = "SubjectAgeThreshold should be between 40 and 65, or 0"
YEARS_SINCE_MESSAGE = "YearsSinceConvictionThreshold should be between 1 and 15, or 0"
CRIME_FREE_MESSAGE = "YearsCrimeFreeThreshold should be between 1 and 15, or 0"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("subjectAgeThreshold", 39, AGE_MESSAGE),
        ("subjectAgeThreshold", 66, AGE_MESSAGE),
        ("subjectAgeThreshold", 1, AGE_MESSAGE),
        ("subjectAgeThreshold", -40, AGE_MESSAGE),
        ("yearsSinceConvictionThreshold", 16, YEARS_SINCE_MESSAGE),
        ("yearsSinceConvictionThreshold", -1, YEARS_SINCE_MESSAGE),
        ("yearsCrimeFreeThreshold", 16, CRIME_FREE_MESSAGE),
        ("yearsCrimeFreeThreshold", -5, CRIME_FREE_MESSAGE),
    ],
)
def test_out_of_range_thresholds_fail_with_gogens_message(
    key: str, value: int, message: str
) -> None:
    with pytest.raises(PolicyError) as error:
        Policy.from_json(options(**{key: value}))
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("subjectAgeThreshold", 0),
        ("subjectAgeThreshold", 40),
        ("subjectAgeThreshold", 65),
        ("yearsSinceConvictionThreshold", 0),
        ("yearsSinceConvictionThreshold", 1),
        ("yearsSinceConvictionThreshold", 15),
        ("yearsCrimeFreeThreshold", 0),
        ("yearsCrimeFreeThreshold", 1),
        ("yearsCrimeFreeThreshold", 15),
    ],
)
def test_range_boundaries_are_accepted(key: str, value: int) -> None:
    Policy.from_json(options(**{key: value}))


def test_range_errors_are_reported_in_gogens_order() -> None:
    with pytest.raises(PolicyError, match="^SubjectAgeThreshold"):
        Policy.from_json(options(subjectAgeThreshold=1, yearsSinceConvictionThreshold=99))
    with pytest.raises(PolicyError, match="^YearsSinceConvictionThreshold"):
        Policy.from_json(options(yearsSinceConvictionThreshold=99, yearsCrimeFreeThreshold=99))


def test_constructor_applies_the_same_checks() -> None:
    with pytest.raises(PolicyError, match=AGE_MESSAGE):
        Policy(subject_age_threshold=30)
    with pytest.raises(PolicyError, match="'11361'"):
        Policy(reduce_sections=["11361"])  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["11361", "11357(C)", "HS 11358", "", "1135"])
@pytest.mark.parametrize("list_name", ["dismiss", "reduce"])
def test_unknown_section_is_a_policy_error_naming_the_value(list_name: str, bad: str) -> None:
    with pytest.raises(PolicyError) as error:
        Policy.from_json({"baselineEligibility": {list_name: ["11358", bad]}})
    assert repr(bad) in str(error.value)
    assert f"baselineEligibility.{list_name}" in str(error.value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "not json",
        "[]",
        "null",
        '"11357"',
        '{"baselineEligibility": ["11357"]}',
        '{"baselineEligibility": {"dismiss": "11357"}}',
        '{"baselineEligibility": {"dismiss": [11357]}}',
        '{"additionalRelief": []}',
        '{"additionalRelief": {"subjectAgeThreshold": "57"}}',
        '{"additionalRelief": {"subjectAgeThreshold": 57.0}}',
        '{"additionalRelief": {"subjectAgeThreshold": true}}',
        '{"additionalRelief": {"yearsSinceConvictionThreshold": true}}',
        '{"additionalRelief": {"subjectIsDeceased": 1}}',
        '{"additionalRelief": {"subjectUnder21AtConviction": "true"}}',
    ],
)
def test_malformed_policies_are_policy_errors(text: str) -> None:
    with pytest.raises(PolicyError):
        Policy.from_json(text)


def test_policy_error_is_a_value_error() -> None:
    assert issubclass(PolicyError, ValueError)
