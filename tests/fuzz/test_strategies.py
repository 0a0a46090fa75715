"""The message strategy itself: what it builds is a valid message of its type."""

from __future__ import annotations

import pytest
from hypothesis import given

from clearway.v1 import case_pb2, determination_pb2

from protobuf_strategies import messages

pytestmark = pytest.mark.fuzz


@given(messages(case_pb2.CaseSubmitted))
def test_generated_cases_serialise_and_parse_back(case):
    assert case_pb2.CaseSubmitted.FromString(case.SerializeToString()) == case


@given(messages(determination_pb2.DeterminationMade))
def test_generated_determinations_serialise_and_parse_back(made):
    assert determination_pb2.DeterminationMade.FromString(made.SerializeToString()) == made
