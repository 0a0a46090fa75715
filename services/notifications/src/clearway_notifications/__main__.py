"""Run the notifications service: ``python -m clearway_notifications``.

Consumes clearway.determinations.v1 and clearway.petitions.v1, sends email over
SMTP (letters and SMS to the outbox folder) and publishes clearway.notifications.v1.
SIGTERM: finish the batch, commit, exit.
"""

from __future__ import annotations

from clearway import topics
from clearway.bus import Ledger, TransactionalProcessor
from clearway.runner import run_service
from clearway.v1 import determination_pb2, notification_pb2, petition_pb2

from clearway_notifications.adapters import OutboxFolder, SmtpMailer
from clearway_notifications.config import NotificationSettings
from clearway_notifications.service import Notifier


def main() -> None:
    settings = NotificationSettings.from_env()

    def work(stop, ready):
        ledger = Ledger.from_topic(settings.bus.bootstrap_servers, topics.NOTIFICATIONS,
                                   notification_pb2.NotificationSent,
                                   key_of=lambda n: n.subject_event_id)
        notifier = Notifier(SmtpMailer(settings.smtp), OutboxFolder(settings.outbox_dir),
                            settings.sender)
        TransactionalProcessor(
            service="notifications",
            bootstrap_servers=settings.bus.bootstrap_servers,
            group_id="clearway-notifications",
            inputs={topics.DETERMINATIONS: determination_pb2.DeterminationMade,
                    topics.PETITIONS: petition_pb2.PetitionGenerated},
            handle=notifier.handle,
            dead_letter_topic=topics.NOTIFICATIONS_REJECTED,
            ledger=ledger,
        ).run(stop, ready)

    run_service("notifications", settings.bus, settings.health_port, work)


if __name__ == "__main__":
    main()
