"""Every consumer, given any message its topic can carry: an output, or a rejection that says why.

A handler that raises anything but ``bus.Rejected`` has a bug: the bus would
dead-letter the record as "TypeError in petitions", which explains nothing.
These targets give each service's handler messages built field by field from
the protobuf descriptors (protobuf_strategies), well-formed but arbitrary.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearway import topics
from clearway.bus import Outgoing, Rejected
from clearway.v1 import case_pb2, determination_pb2, notification_pb2, petition_pb2
from clearway_eligibility import service as eligibility
from clearway_eligibility.config import DEFAULT_POLICY
from clearway_eligibility.domain.model import Policy
from clearway_notifications.adapters import OutboxFolder
from clearway_notifications.service import Notifier
from clearway_petitions import service as petitions
from clearway_petitions.domain.store import DocumentStore

from protobuf_strategies import messages

pytestmark = pytest.mark.fuzz

WORK = Path(tempfile.mkdtemp(prefix="clearway-fuzz-"))
POLICY = Policy.from_json(json.loads(DEFAULT_POLICY.read_text()))


def _with_event_id(strategy):
    """As decode passes them on: a message with an envelope and an event id."""
    def fill(message):
        message.envelope.event_id = message.envelope.event_id or "e-1"
        return message
    return strategy.map(fill)


class Mailbox:
    def __init__(self):
        self.sent = []

    def send(self, message, recipient):
        self.sent.append((message, recipient))


def _outputs_are_events(outputs):
    assert isinstance(outputs, list)
    for out in outputs:
        assert isinstance(out, Outgoing) and out.key
        out.message.SerializeToString()


@given(_with_event_id(messages(case_pb2.CaseSubmitted)),
       st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)))
def test_eligibility_judges_any_case_or_refuses_it_with_a_reason(case, compute_date):
    try:
        made = eligibility.determine(case, POLICY, "default", compute_date)
    except eligibility.CannotJudge as refused:
        assert str(refused)
        return
    assert made.rule_pack.id and made.rule_pack.version
    made.SerializeToString()
    eligibility.court_feed_record(made)


@given(_with_event_id(messages(determination_pb2.DeterminationMade)))
def test_petitions_files_any_determination_or_refuses_it_with_a_reason(made):
    handle = petitions.filings(DocumentStore(WORK / "documents"))
    try:
        outputs = handle(topics.DETERMINATIONS, made)
    except Rejected as refused:
        assert refused.reason
        return
    _outputs_are_events(outputs)


@given(_with_event_id(messages(determination_pb2.DeterminationMade)))
def test_the_bundle_spool_takes_any_determination_or_refuses_it(made):
    handle = petitions.bundle_lines(petitions.BatchBundles(WORK / "bundles"))
    try:
        _outputs_are_events(handle(topics.DETERMINATIONS, made))
    except Rejected as refused:
        assert refused.reason


@pytest.mark.parametrize("topic, message_type", [
    (topics.DETERMINATIONS, determination_pb2.DeterminationMade),
    (topics.PETITIONS, petition_pb2.PetitionGenerated),
], ids=["determination", "petition"])
@given(data=st.data())
def test_notifications_answer_any_event_or_refuse_it_with_a_reason(topic, message_type, data):
    message = data.draw(_with_event_id(messages(message_type)))
    notifier = Notifier(Mailbox(), OutboxFolder(WORK / "outbox"), "Clearway <noreply@example.org>")
    try:
        outputs = notifier.handle(topic, message)
    except Rejected as refused:
        assert refused.reason
        return
    _outputs_are_events(outputs)


@given(_with_event_id(messages(notification_pb2.NotificationRetry)))
def test_notification_retries_of_any_shape_are_answered_or_refused_with_a_reason(retry):
    notifier = Notifier(Mailbox(), OutboxFolder(WORK / "outbox"), "Clearway <noreply@example.org>")
    try:
        notifier.hold_until(topics.NOTIFICATIONS_RETRY, retry)
        outputs = notifier.handle_retry(topics.NOTIFICATIONS_RETRY, retry)
    except Rejected as refused:
        assert refused.reason
        return
    _outputs_are_events(outputs)
