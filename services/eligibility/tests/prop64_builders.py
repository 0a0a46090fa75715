"""People and convictions for rule tests (test_prop64.py, test_corrections.py).

Plain functions rather than fixtures: the tests call them many times, with
overrides, inside parametrisations. Importable because pyproject.toml puts
this folder on pytest's pythonpath.
"""

from __future__ import annotations

import datetime

from clearway_eligibility.domain import prop64
from clearway_eligibility.domain.model import Conviction, Determination, Policy, Subject

COUNTY = "SACRAMENTO"
COMPUTE_DATE = datetime.date(2019, 11, 11)


def conviction(**overrides: object) -> Conviction:
    """An in-county HS 11358 felony dated 2010-01-01, unless told otherwise."""
    values: dict[str, object] = {
        "conviction_id": "101001006000",
        "code_section": "11358 HS",
        "offense_text": "11358 HS-CULTIVATE CANNABIS",
        "comment_text": "",
        "conviction_status": "FELONY",
        "type_of_charge": "F",
        "date": datetime.date(2010, 1, 1),
        "date_raw": "20100101",
        "county": COUNTY,
        "case_numbers": ("140193",),
        "source_row_index": 0,
    }
    values.update(overrides)
    return Conviction(**values)  # type: ignore[arg-type]


def other(**overrides: object) -> Conviction:
    """A second conviction (another count order and source row)."""
    values: dict[str, object] = {"conviction_id": "102001001000", "source_row_index": 1}
    values.update(overrides)
    return conviction(**values)


def subject(
    *convictions: Conviction,
    dob: datetime.date | None = datetime.date(1980, 1, 1),
    deceased: bool = False,
) -> Subject:
    return Subject(
        person_id="person-1",
        dob=dob,
        dob_raw="" if dob is None else dob.strftime("%Y%m%d"),
        convictions=convictions or (conviction(),),
        deceased=deceased,
    )


def judge_one(
    person: Subject,
    policy: Policy,
    rules: prop64.RuleVersion,
    compute_date: datetime.date = COMPUTE_DATE,
) -> Determination:
    """The determination of the person's one judged conviction."""
    determinations = prop64.evaluate(person, policy, COUNTY, compute_date, rules)
    assert len(determinations) == 1
    return determinations[0]
