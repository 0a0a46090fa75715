"""Every consumer's decoding: any bytes and headers a topic may carry are a message or UndecodableRecord."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearway import events
from clearway.v1 import batch_pb2, case_pb2, determination_pb2, notification_pb2, petition_pb2

from protobuf_strategies import messages

pytestmark = pytest.mark.fuzz

CONSUMED = [case_pb2.CaseSubmitted, determination_pb2.DeterminationMade,
            petition_pb2.PetitionGenerated, notification_pb2.NotificationSent,
            notification_pb2.NotificationRetry, batch_pb2.BatchClosed]
HEADERS = st.lists(st.tuples(st.sampled_from(["ce_type", "ce_id", "content-type", "traceparent", "x"]),
                             st.one_of(st.binary(max_size=40),
                                       st.sampled_from([t.DESCRIPTOR.full_name.encode() for t in CONSUMED]))),
                   max_size=4)


@pytest.mark.parametrize("message_type", CONSUMED, ids=lambda t: t.DESCRIPTOR.name)
@given(value=st.one_of(st.none(), st.binary(max_size=2048)), headers=HEADERS)
def test_random_bytes_decode_or_are_refused_with_a_reason(message_type, value, headers):
    try:
        message = events.decode(message_type, value, headers)
    except events.UndecodableRecord as refused:
        assert str(refused)
        return
    assert isinstance(message, message_type) and message.envelope.event_id


@pytest.mark.parametrize("message_type", CONSUMED, ids=lambda t: t.DESCRIPTOR.name)
@given(data=st.data())
def test_well_formed_messages_of_another_type_are_refused_by_their_header(message_type, data):
    other = data.draw(st.sampled_from([t for t in CONSUMED if t is not message_type]))
    message = data.draw(messages(other, max_depth=3))
    headers = [("ce_type", other.DESCRIPTOR.full_name.encode())]
    with pytest.raises(events.UndecodableRecord):
        events.decode(message_type, message.SerializeToString(), headers)
