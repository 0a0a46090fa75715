"""The sent-log: an email the SMTP server took is not sent again after a crash before the commit."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import textwrap

import pytest

from clearway import events, topics
from clearway.v1 import case_pb2, determination_pb2, notification_pb2
from clearway_notifications.adapters import OutboxFolder, SentLog, SmtpMailer
from clearway_notifications.config import SmtpSettings
from clearway_notifications.service import Notifier, SettlingLedger, notice_history

SENDER = "Clearway <notices@clearway.example>"
DETERMINATION_ID = "7b0c3e1a-5d2f-4a6b-8c9d-0e1f2a3b4c5d"


class CountingHandler:
    def __init__(self) -> None:
        self.message_ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.original_content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.message_ids.append(line.split(b":", 1)[1].strip().decode())
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(start_smtp):
    handler = CountingHandler()
    return start_smtp(handler), handler


def _determination() -> determination_pb2.DeterminationMade:
    return determination_pb2.DeterminationMade(
        envelope=events.new_envelope(tenant="demo-coalition", jurisdiction="ca/sacramento",
                                     case_id="case-9", event_id=DETERMINATION_ID),
        person_id="p_opaque",
        rule_pack=determination_pb2.RulePack(id="ca-prop64", version="2026.11"),
        convictions=[determination_pb2.ConvictionDetermination(
            conviction_id="c/1", code_section="11357 HS",
            outcome=determination_pb2.OUTCOME_NOT_ELIGIBLE, reason="r")],
        person=case_pb2.Person(person_id="p_opaque", contact=case_pb2.Contact(email="marisol@example.org"),
                               consent=case_pb2.Consent(email=True)),
    )


# Run in a child process: handle one determination, and die by SIGKILL right after the
# sent-log has recorded the email the server accepted, before anything could commit.
CRASHING_NOTIFIER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from clearway import topics
    from clearway.v1 import determination_pb2
    from clearway_notifications.adapters import OutboxFolder, SentLog, SmtpMailer
    from clearway_notifications.config import SmtpSettings
    from clearway_notifications.service import Notifier

    port, sent_log_path, made_path, outbox = sys.argv[1:]
    recorded = SentLog.record
    def record_then_die(self, *ids):
        recorded(self, *ids)
        os.kill(os.getpid(), signal.SIGKILL)
    SentLog.record = record_then_die
    made = determination_pb2.DeterminationMade.FromString(Path(made_path).read_bytes())
    notifier = Notifier(SmtpMailer(SmtpSettings(host="127.0.0.1", port=int(port), user="")),
                        OutboxFolder(Path(outbox)), "Clearway <notices@clearway.example>",
                        sent_log=SentLog(Path(sent_log_path)))
    notifier.handle(topics.DETERMINATIONS, made)
    sys.exit("survived: the sent-log never recorded the email")
""")


def test_an_email_the_server_took_before_a_crash_is_not_sent_again(smtp, tmp_path):
    controller, handler = smtp
    made = _determination()
    (tmp_path / "made.pb").write_bytes(made.SerializeToString())
    sent_log_path = tmp_path / "state" / "sent-log"

    crashed = subprocess.run([sys.executable, "-c", CRASHING_NOTIFIER, str(controller.port),
                              str(sent_log_path), str(tmp_path / "made.pb"), str(tmp_path / "outbox")],
                             capture_output=True, text=True, timeout=60)
    assert crashed.returncode == -9, crashed.stderr
    assert handler.message_ids == [f"<{DETERMINATION_ID}@clearway.invalid>"]

    # The restarted service: the determination comes again (its transaction never committed).
    sent_log = SentLog(sent_log_path)
    mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=controller.port, user=""))
    try:
        notifier = Notifier(mailer, OutboxFolder(tmp_path / "outbox"), SENDER, sent_log=sent_log)
        (out,) = notifier.handle(topics.DETERMINATIONS, made)
    finally:
        mailer.close()
    assert out.message.status == notification_pb2.NOTIFICATION_STATUS_SENT
    assert out.message.message_id == f"<{DETERMINATION_ID}@clearway.invalid>"
    assert len(handler.message_ids) == 1, "the person got the email twice"


def test_an_entry_is_settled_once_the_transaction_that_reports_it_commits(tmp_path):
    sent_log = SentLog(tmp_path / "sent-log")
    ledger = SettlingLedger((), sent_log)
    sent_log.record("retry-1", "subject-1")
    sent_log.record("subject-2", "subject-2")
    assert "subject-1" in sent_log and "subject-2" in sent_log

    ledger.add("retry-1")  # what TransactionalProcessor does after commit_transaction
    assert "subject-1" not in sent_log and "subject-2" in sent_log
    ledger.add("subject-2")
    assert len(sent_log) == 0 and "subject-2" in ledger
    assert (tmp_path / "sent-log").stat().st_size == 0, "the file keeps growing"
    sent_log.close()


def test_what_the_log_holds_survives_a_restart_and_a_torn_last_line(tmp_path):
    path = tmp_path / "sent-log"
    first = SentLog(path)
    first.record("a", "subject-a")
    first.close()
    with open(path, "ab") as torn:
        torn.write(b'["b", "subj')  # the crash came mid-write: that send was never recorded
    again = SentLog(path)
    assert "subject-a" in again and len(again) == 1
    assert [json.loads(line) for line in path.read_text().splitlines()] == [["a", "subject-a"]]
    again.close()


def test_entries_the_notifications_topic_records_as_sent_are_dropped_at_start(tmp_path):
    path = tmp_path / "sent-log"
    log = SentLog(path)
    for n in range(3):
        log.record(f"in-{n}", f"subject-{n}")
    log.close()
    notices = [notification_pb2.NotificationSent(subject_event_id="subject-0",
                                                 status=notification_pb2.NOTIFICATION_STATUS_PENDING_RETRY),
               notification_pb2.NotificationSent(subject_event_id="subject-1",
                                                 status=notification_pb2.NOTIFICATION_STATUS_SENT)]
    handled, delivered = notice_history(notices)
    assert handled == {"subject-0", "subject-1"} and delivered == {"subject-1"}

    restarted = SentLog(path)
    restarted.forget_delivered(delivered)
    assert "subject-1" not in restarted and "subject-0" in restarted and "subject-2" in restarted
    restarted.close()
    assert len(path.read_text().splitlines()) == 2


def test_the_sent_log_is_0600_in_a_0700_folder_even_if_it_was_0644(tmp_path):
    path = tmp_path / "state" / "sent-log"
    path.parent.mkdir(mode=0o755)
    path.write_text("")
    path.chmod(0o644)
    log = SentLog(path)
    log.record("a", "b")
    log.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_batch_of_entries_goes_to_disk_with_one_fsync_before_its_commit(tmp_path, monkeypatch):
    import os

    log = SentLog(tmp_path / "sent-log")
    synced = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    for n in range(5):
        log.record(f"in-{n}", f"subject-{n}")
    assert synced == []
    log.sync()
    log.sync()
    assert len(synced) == 1
    log.close()
