"""What a DeterminationMade grants, as every service reads it (clearway.determinations)."""

from __future__ import annotations

from clearway.ca_doj import CII_SCHEME, SUBJECT_ID_SCHEME
from clearway.determinations import names_one_person
from clearway.v1 import case_pb2, determination_pb2


def _made(subject_id: str = "10000001") -> determination_pb2.DeterminationMade:
    person = case_pb2.Person(identifiers=[case_pb2.Identifier(scheme=SUBJECT_ID_SCHEME, value=subject_id),
                                          case_pb2.Identifier(scheme=CII_SCHEME, value="A123456781")])
    return determination_pb2.DeterminationMade(person=person)


def test_one_subject_id_with_agreeing_rows_names_one_person():
    assert names_one_person(_made())


def test_conflicting_identities_name_more_than_one_person():
    made = _made()
    made.identity_conflicts.add(field="PRI_NAME/PRI_DOB", distinct_values=2)
    assert not names_one_person(made)


def test_gogens_empty_subject_id_names_nobody_in_particular():
    assert not names_one_person(_made(""))
    assert not names_one_person(_made("  "))
