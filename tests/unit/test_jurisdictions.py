"""The catalogue of jurisdictions: known ones parse, anything else is refused with a reason."""

from __future__ import annotations

import pytest

from clearway import jurisdictions


def test_a_county_of_california_parses_with_its_doj_name_and_court():
    known = jurisdictions.parse("ca/san-joaquin")
    assert (known.state, known.county, known.path) == ("ca", "san-joaquin", "ca/san-joaquin")
    assert known.county_name == "SAN JOAQUIN"
    assert known.court == "Superior Court of California, County of San Joaquin"


def test_california_has_its_58_counties():
    assert len(jurisdictions.CA_COUNTIES) == 58
    assert {"los-angeles", "sacramento", "yolo", "del-norte"} <= jurisdictions.CA_COUNTIES


@pytest.mark.parametrize("text, says", [
    ("ca/atlantis", "'atlantis' is not a county of 'ca'"),
    ("ca/../../etc", "is not a jurisdiction"),
    ("ca", "is not a jurisdiction"),
    ("ca/", "is not a jurisdiction"),
    ("CA/Sacramento", "is not a jurisdiction"),
    ("ca/sacramento/", "is not a jurisdiction"),
    ("zz/sacramento", "no rule packs for state 'zz'"),
    ("", "is not a jurisdiction"),
    ("ca/sacramento\n", "is not a jurisdiction"),
])
def test_anything_else_is_refused_with_a_reason(text, says):
    with pytest.raises(jurisdictions.UnknownJurisdiction) as refused:
        jurisdictions.parse(text)
    assert says in str(refused.value)
    assert jurisdictions.problem(text) == str(refused.value)


def test_a_long_value_is_shown_cut_short():
    problem = jurisdictions.problem("x" * 10_000)
    assert problem is not None and len(problem) < 200
