"""The topics of the pipeline and the admin step that creates them.

Why: the broker runs with ``auto.create.topics.enable=false``, so a typo in a topic
name fails loudly instead of silently creating a new topic. Partition counts and
retention are chosen here, on purpose, once:

- six partitions on the main flow: ordering is per person (the key), and six
  lets up to six workers of a service share the load;
- cases live 7 days (personal data: kept only as long as processing needs);
- determinations, court feeds, petitions and dead letters 30 days, so a court or
  an operator can replay a month;
- batches on one partition, 30 days: a handful of small events, in order;
- notifications 90 days: the topic is also the notifications service's ledger
  of what was already sent, so it must outlive every input it deduplicates;
- notification retries 7 days: a notice waiting to be tried again carries the
  event it reports (personal data), and retries give up long before that;
- intake requests compacted and kept 30 days: the answer to each client request id,
  so a retried call is answered again instead of published twice.

Message size is set here once, for broker, topics, producers and consumers:
``MAX_MESSAGE_BYTES``. A person with 10,000 DOJ rows makes a case of about
11 MB and a determination of about 9 MB, so 16 MiB lets the longest records
flow; intake refuses a case over ``MAX_CASE_BYTES`` (documented limits), which
leaves room for the envelope and headers of everything made from it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

DAY_MS = 24 * 60 * 60 * 1000

# The largest record any Clearway topic takes (broker message.max.bytes, each
# topic's max.message.bytes, producers' max request size).
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
# The largest CaseSubmitted intake publishes; what is made from a case (its
# determination, petition event, or a dead letter holding it) is no larger.
MAX_CASE_BYTES = 14 * 1024 * 1024

CASES = "clearway.cases.v1"
DETERMINATIONS = "clearway.determinations.v1"
PETITIONS = "clearway.petitions.v1"
NOTIFICATIONS = "clearway.notifications.v1"
# NotificationRetry: notices to try again after a transient delivery failure.
NOTIFICATIONS_RETRY = "clearway.notifications.retry.v1"
# Intake's answer to each client request id (compacted), for idempotent retries.
INTAKE_REQUESTS = "clearway.intake.requests.v1"
# One BatchClosed per bulk submission: how many cases make the batch complete.
BATCHES = "clearway.batches.v1"
INTAKE_REJECTED = "clearway.intake.rejected.v1"
ELIGIBILITY_REJECTED = "clearway.eligibility.rejected.v1"
PETITIONS_REJECTED = "clearway.petitions.rejected.v1"
NOTIFICATIONS_REJECTED = "clearway.notifications.rejected.v1"

# Jurisdictions with a court feed topic by default (see court_feed()).
DEFAULT_COURT_FEEDS = ("ca/sacramento", "ca/los-angeles", "ca/san-joaquin", "ca/yolo")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention_days: int
    cleanup_policy: str = "delete"

    def config(self) -> dict[str, str]:
        return {"retention.ms": str(self.retention_days * DAY_MS),
                "cleanup.policy": self.cleanup_policy,
                "max.message.bytes": str(MAX_MESSAGE_BYTES)}


MAIN_FLOW = (
    TopicSpec(CASES, 6, 7),
    TopicSpec(DETERMINATIONS, 6, 30),
    TopicSpec(PETITIONS, 6, 30),
    TopicSpec(NOTIFICATIONS, 6, 90),
)
CONTROL = (
    TopicSpec(BATCHES, 1, 30),
    TopicSpec(NOTIFICATIONS_RETRY, 6, 7),
    TopicSpec(INTAKE_REQUESTS, 3, 30, cleanup_policy="compact,delete"),
)
DEAD_LETTERS = tuple(
    TopicSpec(name, 3, 30)
    for name in (INTAKE_REJECTED, ELIGIBILITY_REJECTED, PETITIONS_REJECTED, NOTIFICATIONS_REJECTED)
)


def court_feed(jurisdiction: str) -> str:
    """Topic a court system subscribes to: ``ca/los-angeles`` → ``clearway.determinations.v1.ca.los-angeles``."""
    return f"{DETERMINATIONS}.{jurisdiction.strip('/').replace('/', '.')}"


def all_topics(court_feeds: tuple[str, ...] = DEFAULT_COURT_FEEDS) -> tuple[TopicSpec, ...]:
    feeds = tuple(TopicSpec(court_feed(j), 3, 30) for j in court_feeds)
    return MAIN_FLOW + CONTROL + DEAD_LETTERS + feeds


def ensure_topics(bootstrap_servers: str, specs: tuple[TopicSpec, ...] | None = None,
                  timeout_s: float | None = None) -> list[str]:
    """Create the topics that do not exist yet; returns the names created. Idempotent.

    Each request, and the first connection, waits at most ``timeout_s`` (default
    CLEARWAY_KAFKA_TIMEOUT_S).
    """
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    from clearway.settings import FaultSettings

    timeout_s = timeout_s or FaultSettings.from_env().kafka_timeout_s
    specs = specs if specs is not None else all_topics()
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="clearway-admin",
                             request_timeout_ms=int(timeout_s * 1000),
                             bootstrap_timeout_ms=int(timeout_s * 1000))
    try:
        existing = set(admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if missing:
            try:
                admin.create_topics(
                    [NewTopic(s.name, s.partitions, 1, topic_configs=s.config()) for s in missing],
                    timeout_ms=int(timeout_s * 1000),
                )
            except TopicAlreadyExistsError:
                pass  # another service created it between our list and create
            _wait_until_listed(admin, {s.name for s in missing}, timeout_s)
        for spec in missing:
            log.info("created topic", extra={"topic": spec.name, "partitions": spec.partitions})
        return [s.name for s in missing]
    finally:
        admin.close()


def _wait_until_listed(admin, names: set[str], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not names <= set(admin.list_topics()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"topics not visible after {timeout_s}s: {sorted(names)}")
        time.sleep(0.2)
