"""Whether the rows of one SUBJECT_ID describe one person.

Why: a SUBJECT_ID is the person key of a DOJ research file, but ids from two
extracts may overlap, and a file may carry an id twice by mistake. Rows whose
CII number, or whose name and date of birth, differ are not one person's:
merging them would file for one person on another's convictions. This module
only detects it (format knowledge); eligibility decides what follows
(clause ca-prop64/identity-conflict), intake reports it.

Values are compared trimmed; a blank value says nothing and is ignored. The
conflicts name fields and count distinct values, never the values.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from clearway.ca_doj import columns as col

CII_NUMBER = "CII_NUMBER"
NAME_AND_DOB = "PRI_NAME/PRI_DOB"

# A row's identity fields, as read: (CII_NUMBER, PRI_NAME, PRI_DOB).
Identity = tuple[str, str, str]

# The identity fields of a DOJ row (the list of its 95 fields), in one C-level call.
identity_of = operator.itemgetter(col.CII_NUMBER, col.PRI_NAME, col.PRI_DOB)


class Conflict(NamedTuple):
    """One identity fact that differs between rows of a SUBJECT_ID."""

    field: str  # CII_NUMBER or NAME_AND_DOB
    distinct_values: int


def conflicts(identities: Iterable[Identity]) -> tuple[Conflict, ...]:
    """What differs between the rows of one SUBJECT_ID, given each row's identity fields.

    * CII_NUMBER: more than one distinct non-blank CII number.
    * PRI_NAME/PRI_DOB: more than one (name, date of birth): the count is the
      largest of the distinct names, the distinct dates of birth and the
      distinct pairs with both present, so a row missing its date of birth
      agrees with any row of the same name.

    Empty when the rows are one person's (the usual case, and cheap: raw
    duplicates are dropped first).
    """
    distinct = set(identities)
    if len(distinct) < 2:
        return ()
    ciis: set[str] = set()
    names: set[str] = set()
    dobs: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for cii, name, dob in distinct:
        cii, name, dob = cii.strip(), name.strip(), dob.strip()
        if cii:
            ciis.add(cii)
        if name:
            names.add(name)
        if dob:
            dobs.add(dob)
        if name and dob:
            pairs.add((name, dob))
    found = []
    if len(ciis) > 1:
        found.append(Conflict(CII_NUMBER, len(ciis)))
    people = max(len(names), len(dobs), len(pairs))
    if people > 1:
        found.append(Conflict(NAME_AND_DOB, people))
    return tuple(found)


def row_conflicts(rows: Iterable[Sequence[str]]) -> tuple[Conflict, ...]:
    """conflicts() of DOJ rows given as their fields."""
    return conflicts(map(identity_of, rows))
