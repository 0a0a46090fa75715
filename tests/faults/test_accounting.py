"""The fault checker's audit itself: it sees a loss, a duplicate, a redelivery and a leak."""

from __future__ import annotations

import json

from accounting import BatchLedger, leaked_values, personal_values

from clearway import events
from clearway.v1 import case_pb2, determination_pb2, notification_pb2


def _case(case_id: str) -> case_pb2.CaseSubmitted:
    case = case_pb2.CaseSubmitted(person=case_pb2.Person(
        name=case_pb2.Name(recorded="QUILLFEATHER,MARISOL", family_name="QUILLFEATHER"),
        contact=case_pb2.Contact(email="marisol@example.org")))
    case.envelope.CopyFrom(events.new_envelope(tenant="t", jurisdiction="ca/yolo", case_id=case_id,
                                               batch_id="b"))
    return case


def _ledger() -> BatchLedger:
    ledger = BatchLedger("b")
    for case_id in ("c1", "c2", "c3"):
        ledger.cases[case_id] = _case(case_id)
        ledger.judged[case_id] = determination_pb2.DeterminationMade(person_id="p")
        ledger.notices[case_id]["n-" + case_id] = notification_pb2.NotificationSent(
            status=notification_pb2.NOTIFICATION_STATUS_SKIPPED_NO_CONSENT)
        ledger.notice_records[case_id] = 1
    ledger.determinations["c1"] = {"d1": 1}
    ledger.determinations["c2"] = {"d2": 2}            # redelivered: the same event twice
    ledger.determinations["c3"] = {"d3": 1, "d3b": 1}  # duplicated: two different events
    ledger.feed["c1"] = {"d1": 1}                      # c2 and c3 lost on the court feed
    return ledger


def test_the_audit_counts_delivered_duplicated_lost_and_redelivered(tmp_path):
    tallies = _ledger().tallies(tmp_path)
    judged = tallies["determinations"]
    assert (judged.expected, judged.delivered, judged.duplicated, judged.lost, judged.redelivered) == \
        (3, 3, 1, 0, 1)
    assert not judged.clean
    feed = tallies["court feed"]
    assert (feed.expected, feed.delivered, feed.lost) == (3, 1, 2) and not feed.clean
    assert tallies["notifications"].clean and tallies["petitions"].expected == 0


def test_a_settled_batch_needs_every_case_determined_and_told(tmp_path):
    ledger = _ledger()
    assert ledger.settled()
    del ledger.notices["c2"]
    assert not ledger.settled()


def test_an_email_received_twice_is_a_duplicate_and_one_never_received_is_lost(tmp_path):
    ledger = _ledger()
    for case_id, message_id in (("c1", "<a@x>"), ("c2", "<b@x>")):
        ledger.notices[case_id] = {"n": notification_pb2.NotificationSent(
            channel=notification_pb2.CHANNEL_EMAIL, status=notification_pb2.NOTIFICATION_STATUS_SENT,
            message_id=message_id)}
    for n in range(2):
        (tmp_path / f"{n}.eml").write_bytes(b"Message-ID: <a@x>\n\nhello\n")
    emails = ledger.tallies(tmp_path)["emails"]
    assert (emails.expected, emails.delivered, emails.duplicated, emails.lost) == (2, 1, 1, 1)


def test_a_name_in_a_log_line_or_a_span_is_found(tmp_path):
    private = personal_values([_case("c1")])
    assert {"QUILLFEATHER,MARISOL", "marisol@example.org"} <= private
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "petitions.log").write_text(json.dumps({"message": "ok", "case_id": "c1"}) + "\n"
                                        + json.dumps({"message": "filed for QUILLFEATHER"}) + "\n")
    (logs / "intake.log").write_text(json.dumps({"attributes": {"x": ["marisol@example.org"]}}) + "\n")
    assert leaked_values([logs], private) == {"petitions.log": 1, "intake.log": 1}
