"""What a DeterminationMade grants, read the same way by every service.

Why: whether a conviction is eligible decides if a petition is filed, what the
person is told and what a case's status reports; one definition keeps those
readings from drifting apart.
"""

from __future__ import annotations

from clearway.ca_doj import SUBJECT_ID_SCHEME
from clearway.v1 import determination_pb2

Outcome = determination_pb2.Outcome

# Outcomes that grant relief and so go to the court; not-eligible and needs-review do not.
RELIEF_OUTCOMES: frozenset[int] = frozenset(
    {Outcome.OUTCOME_DISMISS, Outcome.OUTCOME_REDUCE, Outcome.OUTCOME_SEAL})


def eligible_convictions(
    made: determination_pb2.DeterminationMade,
) -> list[determination_pb2.ConvictionDetermination]:
    """The convictions the law grants relief on (dismiss, reduce or seal), in determination order."""
    return [c for c in made.convictions if c.outcome in RELIEF_OUTCOMES]


def eligible_count(made: determination_pb2.DeterminationMade) -> int:
    return sum(1 for c in made.convictions if c.outcome in RELIEF_OUTCOMES)


def names_one_person(made: determination_pb2.DeterminationMade) -> bool:
    """False when the determination's rows cannot be tied to one person.

    * Its rows conflict (``identity_conflicts``: one SUBJECT_ID, different CII
      numbers or names and dates of birth): they are several people's.
    * gogen's rule version judges a file's rows without a SUBJECT_ID (or with a
      blank one) together, as gogen did (ca-doj-prop64.md §1.3). They may be
      different people's.

    Such a determination belongs in the batch's bundle, as in gogen's, but in no
    petition or message, which would name one of them for the others' convictions.
    """
    if made.identity_conflicts:
        return False
    return not any(i.scheme == SUBJECT_ID_SCHEME and not i.value.strip()
                   for i in made.person.identifiers)
