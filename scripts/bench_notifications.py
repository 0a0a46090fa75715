#!/usr/bin/env python3
"""What a notice costs in notifications, with SMTP up and with SMTP down (prints figures).

Runs the Notifier as the service does (real SmtpMailer, the real SMTP sink's writer
in an aiosmtpd server on loopback, a sent-log on disk), without Kafka, for N
people who consented to email:

- SMTP up, over one reused connection with the sent-log (the service);
- SMTP up, a new connection per email (as before), and without the sent-log, to
  show what each costs;
- SMTP down (nothing listening): how long each notice takes to be routed to the
  retry topic, the breaker open after its first failures.

    scripts/bench_notifications.py              # 500 emails
    scripts/bench_notifications.py --emails 2000
"""

from __future__ import annotations

import argparse
import logging
import socket
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

from clearway import events, topics
from clearway.v1 import case_pb2, determination_pb2
from clearway_notifications.adapters import OutboxFolder, SentLog, SmtpMailer
from clearway_notifications.config import SmtpSettings
from clearway_notifications.service import Notifier
from clearway_notifications.smtp_sink import EmlWriter

SENDER = "Clearway <notices@clearway.example>"
BATCH = 200  # records per poll batch, so per transaction (TransactionalProcessor.max_records)


def determinations(count: int) -> list[determination_pb2.DeterminationMade]:
    return [determination_pb2.DeterminationMade(
        envelope=events.new_envelope(tenant="bench", jurisdiction="ca/sacramento", case_id=f"case-{n}"),
        person_id=f"p_{n}",
        rule_pack=determination_pb2.RulePack(id="ca-prop64", version="2026.11"),
        convictions=[determination_pb2.ConvictionDetermination(
            conviction_id="c/1", code_section="11357 HS",
            outcome=determination_pb2.OUTCOME_NOT_ELIGIBLE, reason="r")],
        person=case_pb2.Person(person_id=f"p_{n}", name=case_pb2.Name(given_names="ALEX"),
                               contact=case_pb2.Contact(email=f"person{n}@example.org"),
                               consent=case_pb2.Consent(email=True)),
    ) for n in range(count)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FreshConnections(SmtpMailer):
    """One connection per email: what the service did before connections were kept."""

    def send(self, message, recipient):
        try:
            super().send(message, recipient)
        finally:
            self.close()


def run(label: str, made: list, port: int, work: Path, *, mailer_type=SmtpMailer,
        sent_log: bool = True) -> None:
    mailer = mailer_type(SmtpSettings(host="127.0.0.1", port=port, user=""), timeout_s=5)
    log = SentLog(work / f"sent-log-{label}") if sent_log else None
    notifier = Notifier(mailer, OutboxFolder(work / "outbox"), SENDER, sent_log=log)
    began = time.perf_counter()
    statuses = []
    for n, determination in enumerate(made, 1):
        statuses.append(notifier.handle(topics.DETERMINATIONS, determination)[0].message.status)
        if log is not None and (n % BATCH == 0 or n == len(made)):
            log.sync()  # as the service does before each batch's transaction commits
    elapsed = time.perf_counter() - began
    mailer.close()
    if log is not None:
        log.close()
    print(f"{label:<44} {len(made) / elapsed:8.0f} notices/s  {elapsed / len(made) * 1000:7.2f} ms each"
          f"  ({len(set(statuses))} status kinds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=500)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # one line per notice not delivered; not what is measured
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        port = free_port()
        controller = Controller(EmlWriter(work / "email"), hostname="127.0.0.1", port=port)
        controller.start()
        try:
            run("SMTP up, one connection, sent-log", determinations(args.emails), port, work)
            run("SMTP up, one connection, no sent-log", determinations(args.emails), port, work,
                sent_log=False)
            run("SMTP up, a connection per email, sent-log", determinations(args.emails), port, work,
                mailer_type=FreshConnections)
        finally:
            controller.stop()
        run("SMTP down: to the retry topic", determinations(args.emails), free_port(), work)


if __name__ == "__main__":
    main()
