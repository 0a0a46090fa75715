"""The case-status read model: a case is NOTIFIED only once its notice is settled."""

from __future__ import annotations

import pytest

from clearway import topics
from clearway.v1 import determination_pb2, envelope_pb2, intake_service_pb2, notification_pb2
from clearway_intake.status import StatusBoard

N = notification_pb2
Stage = intake_service_pb2


def _notice(status: int) -> notification_pb2.NotificationSent:
    return notification_pb2.NotificationSent(envelope=envelope_pb2.Envelope(event_id="n", case_id="case-1"),
                                             status=status)


def _board_after(*statuses: int) -> StatusBoard:
    board = StatusBoard()
    made = determination_pb2.DeterminationMade(envelope=envelope_pb2.Envelope(event_id="d", case_id="case-1"))
    board.apply(topics.DETERMINATIONS, made)
    for status in statuses:
        board.apply(topics.NOTIFICATIONS, _notice(status))
    return board


@pytest.mark.parametrize("status", [N.NOTIFICATION_STATUS_SENT, N.NOTIFICATION_STATUS_SKIPPED_NO_CONSENT])
def test_a_settled_notice_makes_the_case_notified(status):
    case = _board_after(status).get("case-1")
    assert case.stage == Stage.CASE_STAGE_NOTIFIED
    assert case.notification_status == status and case.notifications == 1


@pytest.mark.parametrize("status", [N.NOTIFICATION_STATUS_PENDING_RETRY, N.NOTIFICATION_STATUS_FAILED,
                                    N.NOTIFICATION_STATUS_WITHHELD])
def test_a_pending_failed_or_withheld_notice_is_shown_as_such_and_the_case_is_not_notified(status):
    case = _board_after(status).get("case-1")
    assert case.stage == Stage.CASE_STAGE_DETERMINED
    assert case.notification_status == status and case.notifications == 0


def test_pending_then_sent_is_notified_once():
    case = _board_after(N.NOTIFICATION_STATUS_PENDING_RETRY, N.NOTIFICATION_STATUS_SENT).get("case-1")
    assert case.stage == Stage.CASE_STAGE_NOTIFIED
    assert case.notification_status == N.NOTIFICATION_STATUS_SENT and case.notifications == 1


def test_a_late_pending_never_hides_how_the_notice_ended():
    case = _board_after(N.NOTIFICATION_STATUS_FAILED, N.NOTIFICATION_STATUS_PENDING_RETRY).get("case-1")
    assert case.notification_status == N.NOTIFICATION_STATUS_FAILED


def test_get_case_status_reports_where_the_notice_stands():
    from clearway_intake.grpc_server import IntakeServicer

    servicer = IntakeServicer(publisher=None, board=_board_after(N.NOTIFICATION_STATUS_PENDING_RETRY),
                              answers=None, request_ids=None)
    request = intake_service_pb2.GetCaseStatusRequest(case_id="case-1").SerializeToString()
    reply = servicer.GetCaseStatus(request, context=None)
    assert reply.notification_status == N.NOTIFICATION_STATUS_PENDING_RETRY
    assert reply.stage == Stage.CASE_STAGE_DETERMINED
