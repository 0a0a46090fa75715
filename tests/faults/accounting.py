"""Account for every case of a batch: what was expected downstream, delivered, duplicated, lost.

Why a ledger of its own: under faults the pipeline may redeliver records (eligibility is
at-least-once, with derived event ids that consumers deduplicate). A record carrying an
event id already seen is a redelivery, which every consumer drops; a second *distinct*
event for the same case and purpose is a duplicate outcome, and a missing one is a loss.
Only those two fail the check. Emails are counted where people would see them: the
SMTP server's mailbox, by Message-ID.
"""

from __future__ import annotations

import email
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from clearway import topics
from clearway.determinations import eligible_count, names_one_person
from clearway.v1 import case_pb2, determination_pb2, notification_pb2, petition_pb2

FINAL_STATUSES = frozenset({
    notification_pb2.NOTIFICATION_STATUS_SENT,
    notification_pb2.NOTIFICATION_STATUS_SKIPPED_NO_CONSENT,
    notification_pb2.NOTIFICATION_STATUS_FAILED,
    notification_pb2.NOTIFICATION_STATUS_WITHHELD,
})


@dataclass
class Tally:
    """Counts for one kind of outcome."""

    expected: int = 0
    delivered: int = 0
    duplicated: int = 0
    lost: int = 0
    redelivered: int = 0  # records repeating an event id already seen (dropped downstream)
    unexpected: int = 0   # outcomes for cases that should have none

    @property
    def clean(self) -> bool:
        return self.duplicated == 0 and self.lost == 0 and self.unexpected == 0


@dataclass
class BatchLedger:
    batch_id: str
    cases: dict[str, case_pb2.CaseSubmitted] = field(default_factory=dict)
    # case id -> event id -> records seen with that id
    determinations: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    judged: dict[str, determination_pb2.DeterminationMade] = field(default_factory=dict)
    feed: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    petitions: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    # case id -> event id -> final NotificationSent
    notices: dict[str, dict[str, notification_pb2.NotificationSent]] = field(
        default_factory=lambda: defaultdict(dict))
    notice_records: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pending: int = 0

    def settled(self) -> bool:
        """Every case has its determination and its final notice, every filable case its petition."""
        if not self.cases:
            return False
        for case_id in self.cases:
            if not self.determinations.get(case_id) or not self.notices.get(case_id):
                return False
            if self._filable(case_id) and not self.petitions.get(case_id):
                return False
        return True

    def _filable(self, case_id: str) -> bool:
        made = self.judged.get(case_id)
        return made is not None and eligible_count(made) > 0 and names_one_person(made)

    def tallies(self, mailbox: Path) -> dict[str, Tally]:
        result = {name: Tally() for name in ("determinations", "court feed", "petitions",
                                             "notifications", "emails")}
        feeds = set()
        for case_id, case in self.cases.items():
            result["determinations"].expected += 1
            _count(result["determinations"], self.determinations.get(case_id, {}))
            feed_expected = case.envelope.jurisdiction in topics.DEFAULT_COURT_FEEDS
            feeds.add(case.envelope.jurisdiction)
            if feed_expected:
                result["court feed"].expected += 1
                _count(result["court feed"], self.feed.get(case_id, {}))
            petitions = self.petitions.get(case_id, {})
            if self._filable(case_id):
                result["petitions"].expected += 1
                _count(result["petitions"], petitions)
            elif petitions:
                result["petitions"].unexpected += len(petitions)
            result["notifications"].expected += 1
            notices = self.notices.get(case_id, {})
            _count(result["notifications"], {event_id: 1 for event_id in notices})
            result["notifications"].redelivered += max(0, self.notice_records[case_id] - len(notices))

        sent = {n.message_id for by_id in self.notices.values() for n in by_id.values()
                if n.channel == notification_pb2.CHANNEL_EMAIL
                and n.status == notification_pb2.NOTIFICATION_STATUS_SENT}
        received: dict[str, int] = defaultdict(int)
        for path in mailbox.glob("*.eml"):
            message_id = email.message_from_bytes(path.read_bytes())["Message-ID"]
            if message_id:
                received[message_id] += 1
        emails = result["emails"]
        emails.expected = len(sent)
        for message_id in sent:
            copies = received.get(message_id, 0)
            emails.delivered += min(copies, 1)
            emails.duplicated += max(0, copies - 1)
            emails.lost += copies == 0
        emails.unexpected = sum(1 for message_id in received if message_id not in sent)
        return result


def _count(tally: Tally, by_event: dict[str, int]) -> None:
    distinct = len(by_event)
    tally.delivered += min(distinct, 1)
    tally.duplicated += max(0, distinct - 1)
    tally.lost += distinct == 0
    tally.redelivered += sum(by_event.values()) - distinct


class BatchReader:
    """Reads the pipeline's topics from the beginning (committed records only) into a BatchLedger."""

    def __init__(self, bootstrap: str, batch_id: str):
        self.ledger = BatchLedger(batch_id)
        self._types = {
            topics.CASES: case_pb2.CaseSubmitted,
            topics.DETERMINATIONS: determination_pb2.DeterminationMade,
            topics.PETITIONS: petition_pb2.PetitionGenerated,
            topics.NOTIFICATIONS: notification_pb2.NotificationSent,
            **{topics.court_feed(j): determination_pb2.DeterminationMade
               for j in topics.DEFAULT_COURT_FEEDS},
        }
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                       enable_auto_commit=False, isolation_level="read_committed",
                                       request_timeout_ms=20_000,
                                       max_partition_fetch_bytes=topics.MAX_MESSAGE_BYTES)
        partitions = [TopicPartition(t, p) for t in self._types
                      for p in self._consumer.partitions_for_topic(t) or ()]
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning(*partitions)

    def poll(self) -> BatchLedger:
        ledger = self.ledger
        for records in self._consumer.poll(timeout_ms=500, max_records=5000).values():
            for record in records:
                message = self._types[record.topic].FromString(record.value)
                envelope = message.envelope
                if envelope.batch_id != ledger.batch_id:
                    continue
                case_id, event_id = envelope.case_id, envelope.event_id
                if record.topic == topics.CASES:
                    ledger.cases[case_id] = message
                elif record.topic == topics.DETERMINATIONS:
                    seen = ledger.determinations[case_id]
                    seen[event_id] = seen.get(event_id, 0) + 1
                    ledger.judged.setdefault(case_id, message)
                elif record.topic == topics.PETITIONS:
                    seen = ledger.petitions[case_id]
                    seen[event_id] = seen.get(event_id, 0) + 1
                elif record.topic == topics.NOTIFICATIONS:
                    if message.status in FINAL_STATUSES:
                        ledger.notices[case_id][event_id] = message
                        ledger.notice_records[case_id] += 1
                    else:
                        ledger.pending += 1
                else:
                    seen = ledger.feed[case_id]
                    seen[event_id] = seen.get(event_id, 0) + 1
        return ledger

    def close(self) -> None:
        self._consumer.close()


def render(tallies: dict[str, Tally]) -> str:
    head = f"{'':16}{'expected':>10}{'delivered':>11}{'duplicated':>12}{'lost':>7}" \
           f"{'redelivered':>13}{'unexpected':>12}"
    lines = [head]
    for name, t in tallies.items():
        lines.append(f"{name:16}{t.expected:>10}{t.delivered:>11}{t.duplicated:>12}{t.lost:>7}"
                     f"{t.redelivered:>13}{t.unexpected:>12}")
    return "\n".join(lines)


def personal_values(cases) -> set[str]:
    """Every name, date of birth, contact detail and source identifier of the batch's people."""
    values: set[str] = set()
    for case in cases:
        person = case.person
        values |= {person.name.recorded, person.name.family_name, person.name.given_names,
                   person.date_of_birth.raw, person.contact.email, person.contact.phone,
                   *person.contact.postal_address.lines, *(i.value for i in person.identifiers)}
    return {value for value in values if len(value.strip()) >= 4}


def leaked_values(folders, private: set[str]) -> dict[str, int]:
    """How many times each private value is a whole string value in the JSON lines of
    ``folders`` (service logs and exported spans), by file name."""
    import json

    found: dict[str, int] = defaultdict(int)

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    for folder in folders:
        for path in sorted(folder.glob("*")):
            if not path.is_file() or path.name.startswith("smtp-sink"):
                continue
            for line in path.read_text(errors="replace").splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    record = line  # a line that is not JSON is searched whole
                for text in strings(record):
                    if text in private or any(word in private for word in text.split()):
                        found[path.name] += 1
    return dict(found)
