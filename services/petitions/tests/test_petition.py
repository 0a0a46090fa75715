"""The petition and proposed order carry the eligible convictions, and only those, byte-for-byte reproducibly."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from clearway.determinations import eligible_convictions
from clearway.v1 import case_pb2, determination_pb2, envelope_pb2
from clearway_petitions.domain.petition import NotFileable, court_for, render_order, render_petition

Outcome = determination_pb2.Outcome
COURT = "Superior Court of California, County of Sacramento"
PREPARED_ON = datetime.date(2026, 11, 20)
CITATION = "Cal. Health & Safety Code \u00a7 11361.8(e)"


def _date(year: int, month: int, day: int) -> envelope_pb2.SourceDate:
    return envelope_pb2.SourceDate(
        year=year, month=month, day=day, raw=f"{year:04d}{month:02d}{day:02d}", valid=True
    )


@pytest.fixture
def person() -> case_pb2.Person:
    return case_pb2.Person(
        person_id="p-7f3a",
        name=case_pb2.Name(recorded="QUILLFEATHER,MARISOL T", family_name="QUILLFEATHER", given_names="MARISOL T"),
        date_of_birth=_date(1971, 4, 9),
        preferred_language="en",
    )


@pytest.fixture
def determination() -> determination_pb2.DeterminationMade:
    return determination_pb2.DeterminationMade(
        envelope=envelope_pb2.Envelope(event_id="5b0c2d1e-0000-4000-8000-000000000001"),
        person_id="p-7f3a",
        rule_pack=determination_pb2.RulePack(
            id="ca-prop64", version="2026.11-gogen-0.2.13", policy_id="sacramento-2019"
        ),
        convictions=[
            determination_pb2.ConvictionDetermination(
                conviction_id="1/2/1",
                code_section="11358 HS",
                outcome=Outcome.OUTCOME_DISMISS,
                reason="Dismiss all HS 11358 convictions",
                statute_citation=CITATION,
                rule_id="ca-prop64/dismiss-by-section",
                county="SACRAMENTO",
                conviction_date=_date(1998, 6, 15),
                case_numbers=["98F04417", "98F04418"],
                felony=True,
            ),
            determination_pb2.ConvictionDetermination(
                conviction_id="2/2/1",
                code_section="11359 HS",
                outcome=Outcome.OUTCOME_REDUCE,
                reason="Reduce HS 11359 felony to misdemeanor",
                statute_citation="Cal. Health & Safety Code \u00a7 11361.8(f)",
                rule_id="ca-prop64/reduce-by-section",
                county="SACRAMENTO",
                conviction_date=_date(2004, 2, 29),
                case_numbers=["04F01234"],
                felony=True,
            ),
            determination_pb2.ConvictionDetermination(
                conviction_id="3/2/1",
                code_section="11352 HS",
                outcome=Outcome.OUTCOME_NOT_ELIGIBLE,
                reason="Not a Prop 64 code section",
                statute_citation="Cal. Health & Safety Code \u00a7 11361.8",
                rule_id="ca-prop64/not-cannabis",
                county="SACRAMENTO",
                conviction_date=_date(2009, 9, 1),
                case_numbers=["09F77777"],
            ),
        ],
    )


def _pdf_text(content: bytes) -> str:
    """All page text with line breaks folded, so wrapped cells still read as one phrase."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_eligible_convictions_keeps_dismiss_reduce_and_seal_only(determination):
    determination.convictions.add(code_section="11357 HS", outcome=Outcome.OUTCOME_SEAL)
    determination.convictions.add(code_section="11360 HS", outcome=Outcome.OUTCOME_NEEDS_REVIEW)

    kept = [c.code_section for c in eligible_convictions(determination)]

    assert kept == ["11358 HS", "11359 HS", "11357 HS"]


@pytest.mark.parametrize(
    ("jurisdiction", "court"),
    [
        ("ca/sacramento", "Superior Court of California, County of Sacramento"),
        ("ca/san-joaquin", "Superior Court of California, County of San Joaquin"),
        ("ca/san-luis-obispo", "Superior Court of California, County of San Luis Obispo"),
    ],
)
def test_court_for_names_the_superior_court_of_the_jurisdiction(jurisdiction, court):
    assert court_for(jurisdiction) == court


@pytest.mark.parametrize("jurisdiction", ["", "  ", "ca/atlantis", "ca/../../etc", "ny/kings"])
def test_court_for_refuses_a_jurisdiction_it_does_not_know(jurisdiction):
    with pytest.raises(NotFileable) as refused:
        court_for(jurisdiction)
    assert refused.value.field == "envelope.jurisdiction"


def test_petition_lists_the_eligible_convictions_only(person, determination):
    content = render_petition(person, determination, COURT, PREPARED_ON)

    assert content.startswith(b"%PDF-")
    text = _pdf_text(content)
    assert "Petition/Application for Dismissal, Sealing or Redesignation" in text
    assert "(Health and Safety Code \u00a7 11361.8)" in text
    assert "SUPERIOR COURT OF CALIFORNIA, COUNTY OF SACRAMENTO" in text
    assert "Clearway-generated filing" in text
    assert "QUILLFEATHER,MARISOL T" in text
    assert "04/09/1971" in text
    for expected in ("11358 HS", "11359 HS", "98F04417", "98F04418", "04F01234", CITATION,
                     "06/15/1998", "Dismissal", "Redesignation (reduction)",
                     "Dismiss all HS 11358 convictions"):
        assert expected in text
    assert "Determined by rule pack ca-prop64 version 2026.11-gogen-0.2.13" in text
    assert "11352" not in text
    assert "09F77777" not in text
    assert "Not a Prop 64 code section" not in text


def test_order_has_the_same_convictions_and_a_blank_judicial_signature(person, determination):
    text = _pdf_text(render_order(person, determination, COURT, PREPARED_ON))

    assert "Order" in text
    assert "QUILLFEATHER,MARISOL T" in text
    for expected in ("11358 HS", "11359 HS", "98F04417", "04F01234", CITATION):
        assert expected in text
    assert "11352" not in text and "09F77777" not in text
    assert "Judicial officer" in text
    assert "____" in text


def test_name_falls_back_to_given_and_family_names(person, determination):
    person.name.recorded = ""

    text = _pdf_text(render_petition(person, determination, COURT, PREPARED_ON))

    assert "MARISOL T QUILLFEATHER" in text


@pytest.mark.parametrize("render", [render_petition, render_order])
def test_same_input_gives_the_same_bytes(person, determination, render):
    first = render(person, determination, COURT, PREPARED_ON)
    again = render(
        case_pb2.Person.FromString(person.SerializeToString()),
        determination_pb2.DeterminationMade.FromString(determination.SerializeToString()),
        COURT,
        PREPARED_ON,
    )

    assert first == again
    assert render(person, determination, COURT, PREPARED_ON + datetime.timedelta(days=1)) != first


_RENDER_IN_A_FRESH_INTERPRETER = """
import datetime, hashlib, sys
from clearway.v1 import case_pb2, determination_pb2
from clearway_petitions.domain.petition import render_order, render_petition
person = case_pb2.Person.FromString(bytes.fromhex(sys.argv[1]))
made = determination_pb2.DeterminationMade.FromString(bytes.fromhex(sys.argv[2]))
for render in (render_petition, render_order):
    print(hashlib.sha256(render(person, made, sys.argv[3], datetime.date(2026, 11, 20))).hexdigest())
"""


def test_reportlabs_c_accelerator_renders_the_same_bytes_as_its_python_fallback(person, determination):
    """The accelerator is installed (reportlab[accel]) and changes speed only: a deployment
    without it would still store the very same documents under the same hashes."""
    import _rl_accel  # noqa: F401  (fails if the accel extra is missing)

    argv = [person.SerializeToString().hex(), determination.SerializeToString().hex(), COURT]

    def hashes(prelude: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", prelude + _RENDER_IN_A_FRESH_INTERPRETER, *argv],
                              capture_output=True, text=True, check=True)
        return done.stdout.split()

    with_c = hashes("")
    python_only = hashes("import sys; sys.modules['_rl_accel'] = None\n")
    assert len(with_c) == 2 and with_c == python_only
    assert with_c[0] == hashlib.sha256(render_petition(person, determination, COURT, PREPARED_ON)).hexdigest()


def test_nothing_to_file_without_an_eligible_conviction(person, determination):
    for conviction in determination.convictions:
        conviction.outcome = Outcome.OUTCOME_NOT_ELIGIBLE

    with pytest.raises(ValueError):
        render_petition(person, determination, COURT, PREPARED_ON)
    with pytest.raises(ValueError):
        render_order(person, determination, COURT, PREPARED_ON)


@pytest.mark.parametrize("render", [render_petition, render_order])
@pytest.mark.parametrize("name", [case_pb2.Name(), case_pb2.Name(recorded="  ", family_name=" ")])
def test_a_person_without_a_name_gets_no_filing(person, determination, render, name):
    """Not a petition "for (name not recorded)": the refusal names the missing field."""
    person.name.CopyFrom(name)
    with pytest.raises(NotFileable) as refused:
        render(person, determination, COURT, PREPARED_ON)
    assert refused.value.field == "person.name"
    with pytest.raises(NotFileable):
        render(case_pb2.Person(), determination, COURT, PREPARED_ON)  # a case with no person at all


_NOT_REAL = [
    envelope_pb2.SourceDate(year=1990, month=13, day=4, raw="19901304", valid=True),
    envelope_pb2.SourceDate(year=0, month=0, day=0, raw="00000000", valid=True),
    envelope_pb2.SourceDate(year=2001, month=2, day=29, raw="20010229", valid=True),
    envelope_pb2.SourceDate(raw="99991399", valid=False),
]


@pytest.mark.parametrize("render", [render_petition, render_order])
@pytest.mark.parametrize("date", _NOT_REAL, ids=lambda d: d.raw)
def test_a_date_prints_only_when_it_is_a_real_calendar_date(person, determination, render, date):
    person.date_of_birth.CopyFrom(date)
    determination.convictions[0].conviction_date.CopyFrom(date)

    text = _pdf_text(render(person, determination, COURT, PREPARED_ON))

    assert "Date of birth: not a valid date in the record" in text
    assert text.count("not a valid date in the record") == 2  # and the conviction's
    for wrong in ("13/04/1990", "00/00/0000", "02/29/2001", "99991399", "19901304"):
        assert wrong not in text
    assert "02/29/2004" in text  # the other conviction's date is real: a leap day


def test_an_unrecorded_date_says_so(person, determination):
    person.date_of_birth.CopyFrom(envelope_pb2.SourceDate())
    text = _pdf_text(render_petition(person, determination, COURT, PREPARED_ON))
    assert "Date of birth: (not recorded)" in text
