"""SMTP away for a while: the batch flows on, and every email arrives once when it is back."""

from __future__ import annotations

import email
import stat
import time
import uuid
from collections import Counter

import grpc
import pytest

from clearway.devstack import BatchWatcher
from clearway.v1 import intake_service_pb2, intake_service_pb2_grpc, notification_pb2

pytestmark = pytest.mark.broker

N = notification_pb2


def _case_status(stack, case_id: str) -> intake_service_pb2.GetCaseStatusResponse:
    with grpc.insecure_channel(stack.intake_address) as channel:
        stub = intake_service_pb2_grpc.IntakeServiceStub(channel)
        return stub.GetCaseStatus(intake_service_pb2.GetCaseStatusRequest(case_id=case_id), timeout=10)


def _wait(probe, done, timeout_s: float, what: str):
    """probe() until done(its result); that result."""
    deadline = time.monotonic() + timeout_s
    while not done(found := probe()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)
    return found


@pytest.mark.timeout(420)
def test_with_smtp_away_emails_wait_on_the_retry_topic_and_arrive_once_when_it_is_back(stack, sample):
    doj, contacts = sample(people=40, seed=31)
    watcher = BatchWatcher(stack.broker.bootstrap, batch_id := str(uuid.uuid4()))
    try:
        stack.stop_smtp()
        try:
            began = time.monotonic()
            submitted = stack.submit(doj, contacts, batch_id)
            # Every case's first notice comes while SMTP is still away: nobody waited on it.
            out = _wait(watcher.poll, lambda o: len(o.notifications) >= submitted.cases,
                        180, "every case's first notice")
            first_notices_s = time.monotonic() - began
            firsts = {case_id: notices[0] for case_id, notices in out.notifications.items()}
            emailed = {case_id for case_id, n in firsts.items() if n.channel == N.CHANNEL_EMAIL}
            assert emailed, "the sample should have people who consented to email"
            assert {firsts[c].status for c in emailed} == {N.NOTIFICATION_STATUS_PENDING_RETRY}
            assert all(n.status != N.NOTIFICATION_STATUS_PENDING_RETRY
                       for c, n in firsts.items() if c not in emailed)
            pending_case = sorted(emailed)[0]
            status = _wait(lambda: _case_status(stack, pending_case),
                           lambda s: s.notification_status == N.NOTIFICATION_STATUS_PENDING_RETRY,
                           30, "GetCaseStatus to show the pending notice")
            assert status.stage != intake_service_pb2.CASE_STAGE_NOTIFIED
            time.sleep(4)  # retries (1-2 s apart) meet no server either
            assert not _received(stack, firsts, emailed), "an email arrived with SMTP away"
        finally:
            stack.start_smtp()
        watcher.wait(submitted.cases, timeout_s=120)
        time.sleep(2)  # anything late, e.g. a duplicate, is counted too
        out = watcher.poll()
    finally:
        watcher.close()

    for case_id in emailed:
        statuses = [n.status for n in out.notifications[case_id]]
        assert statuses == [N.NOTIFICATION_STATUS_PENDING_RETRY, N.NOTIFICATION_STATUS_SENT], statuses
    assert all(len(out.notifications[c]) == 1 for c in set(out.notifications) - emailed)
    received = _received(stack, firsts, emailed)
    assert set(received) == {firsts[c].message_id for c in emailed}
    assert max(received.values()) == 1, "an email was delivered twice"
    for path in stack.email_dir.glob("*.eml"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    status = _wait(lambda: _case_status(stack, pending_case),
                   lambda s: s.stage == intake_service_pb2.CASE_STAGE_NOTIFIED, 30, "NOTIFIED")
    assert status.notification_status == N.NOTIFICATION_STATUS_SENT
    print(f"{len(emailed)} of {submitted.cases} cases by email; every first notice "
          f"{first_notices_s:.1f}s after submitting, with SMTP away")


def _received(stack, firsts, emailed) -> Counter:
    wanted = {firsts[c].message_id for c in emailed}
    found = Counter()
    for path in stack.email_dir.glob("*.eml"):
        message_id = email.message_from_bytes(path.read_bytes())["Message-ID"]
        if message_id in wanted:
            found[message_id] += 1
    return found
