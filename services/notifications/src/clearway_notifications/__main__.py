"""Run the notifications service: ``python -m clearway_notifications``.

Consumes clearway.determinations.v1 and clearway.petitions.v1, sends email over
SMTP (letters and SMS to the outbox folder) and publishes clearway.notifications.v1.
Beside that, in a consumer group of its own, it follows
clearway.notifications.retry.v1 and tries again the notices that could not be
delivered for now, each when it is due, so they hold up no one else's message.
SIGTERM: finish the batch in hand, commit, exit.
"""

from __future__ import annotations

from clearway import topics
from clearway.bus import TransactionalProcessor, read_topic, run_side_by_side
from clearway.runner import run_service
from clearway.v1 import determination_pb2, notification_pb2, petition_pb2

from clearway_notifications.adapters import OutboxFolder, SentLog, SmtpMailer
from clearway_notifications.config import NotificationSettings
from clearway_notifications.delivery import CircuitBreaker, RetrySchedule
from clearway_notifications.service import Notifier, SettlingLedger, notice_history

NOTICES_GROUP = "clearway-notifications"
RETRIES_GROUP = "clearway-notifications-retry"


def main() -> None:
    settings = NotificationSettings.from_env()

    def work(stop, ready):
        bootstrap = settings.bus.bootstrap_servers
        handled, delivered = notice_history(
            read_topic(bootstrap, topics.NOTIFICATIONS, notification_pb2.NotificationSent))
        sent_log = SentLog(settings.sent_log)
        sent_log.forget_delivered(delivered)
        retry = settings.retry
        mailer = SmtpMailer(settings.smtp, timeout_s=retry.smtp_timeout_s)
        notifier = Notifier(
            mailer, OutboxFolder(settings.outbox_dir), settings.sender, sent_log=sent_log,
            schedule=RetrySchedule(retry.first_delay_s, retry.max_delay_s, retry.give_up_s),
            breaker=CircuitBreaker(retry.breaker_failures, retry.breaker_cooldown_s))
        common = dict(bootstrap_servers=bootstrap, dead_letter_topic=topics.NOTIFICATIONS_REJECTED,
                      before_commit=sent_log.sync)
        try:
            run_side_by_side([
                TransactionalProcessor(
                    service="notifications", group_id=NOTICES_GROUP,
                    inputs={topics.DETERMINATIONS: determination_pb2.DeterminationMade,
                            topics.PETITIONS: petition_pb2.PetitionGenerated},
                    handle=notifier.handle, ledger=SettlingLedger(handled, sent_log), **common),
                # Exactly once by its transactions (each retry is read once, with what
                # it led to); the sent-log covers the email itself across a crash.
                TransactionalProcessor(
                    service="notifications-retry", group_id=RETRIES_GROUP,
                    inputs={topics.NOTIFICATIONS_RETRY: notification_pb2.NotificationRetry},
                    handle=notifier.handle_retry, hold_until=notifier.hold_until,
                    ledger=SettlingLedger((), sent_log), **common),
            ], stop, ready)
        finally:
            mailer.close()
            sent_log.close()

    run_service("notifications", settings.bus, settings.health_port, work)


if __name__ == "__main__":
    main()
