"""Envelopes, event ids and the Kafka record codec.

Why: every consumer deduplicates on ``envelope.event_id``; an event that is a pure
function of another event (a determination of a case, a petition of a
determination) gets an id derived from its cause, so a redelivery or a replay
produces the same id and the duplicate is recognisable downstream.

Each record carries its message type in the ``ce_type`` header (CloudEvents Kafka
binding names), so a consumer can dead-letter a record of an unexpected type
without trying to parse it.
"""

from __future__ import annotations

import os
import threading
import uuid
from datetime import datetime, timezone

from google.protobuf.message import DecodeError, Message

from clearway import topics
from clearway.v1 import (
    case_pb2,
    dead_letter_pb2,
    determination_pb2,
    envelope_pb2,
    notification_pb2,
    petition_pb2,
)

SCHEMA_VERSION = 1
CONTENT_TYPE = b"application/x-protobuf"
TYPE_HEADER = "ce_type"
ID_HEADER = "ce_id"

# Namespace for ids derived from other ids (uuid5); fixed forever.
_DERIVED_NS = uuid.UUID("6f0c1f5e-8d7e-4a43-9a4e-3e0b1f6c2b11")

MESSAGE_OF_TOPIC: dict[str, type[Message]] = {
    topics.CASES: case_pb2.CaseSubmitted,
    topics.DETERMINATIONS: determination_pb2.DeterminationMade,
    topics.PETITIONS: petition_pb2.PetitionGenerated,
    topics.NOTIFICATIONS: notification_pb2.NotificationSent,
}


class UndecodableRecord(ValueError):
    """A record that is not the message its topic carries; the message says why."""


class RecentIds:
    """The last ``capacity`` event ids seen: a process's short memory for redeliveries."""

    def __init__(self, capacity: int):
        from collections import OrderedDict

        self.capacity = capacity
        self._ids: "OrderedDict[str, None]" = OrderedDict()

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        self._ids[event_id] = None
        self._ids.move_to_end(event_id)
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)

    def __len__(self) -> int:
        return len(self._ids)


class _RandomIds:
    """Random (version 4) UUIDs as uuid.uuid4 makes them, but from os.urandom 4 KiB at a time.

    uuid4 makes one system call per id, and each releases the GIL: with a producer's
    network thread busy, getting it back costs more than the id. A bulk submission
    mints two ids per case, so this matters there. The pool is dropped in a forked
    child, so two processes never hand out the same bytes.
    """

    _POOL_BYTES = 4096

    def __init__(self) -> None:
        self._reset()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._pool = b""
        self._at = 0

    def __call__(self) -> str:
        with self._lock:
            at = self._at
            if at >= len(self._pool):
                self._pool, at = os.urandom(self._POOL_BYTES), 0
            self._at = at + 16
            chunk = self._pool[at:at + 16]
        return str(uuid.UUID(bytes=chunk, version=4))


new_id = _RandomIds()
"""A new random id (a version 4 UUID as text): case ids, event ids."""


def new_event_id() -> str:
    return new_id()


def derived_event_id(cause_event_id: str, purpose: str) -> str:
    """Stable id of the event made for ``purpose`` from the event ``cause_event_id``."""
    return str(uuid.uuid5(_DERIVED_NS, f"{cause_event_id}/{purpose}"))


def new_envelope(*, tenant: str, jurisdiction: str, case_id: str, batch_id: str = "",
                 event_id: str | None = None, causation_id: str = "",
                 occurred_at: datetime | None = None) -> envelope_pb2.Envelope:
    env = envelope_pb2.Envelope(
        event_id=event_id or new_event_id(),
        tenant=tenant,
        jurisdiction=jurisdiction,
        schema_version=SCHEMA_VERSION,
        batch_id=batch_id,
        causation_id=causation_id,
        case_id=case_id,
    )
    env.occurred_at.FromDatetime(occurred_at or datetime.now(timezone.utc))
    return env


def follow_on_envelope(cause: envelope_pb2.Envelope, purpose: str, *,
                       occurred_at: datetime | None = None) -> envelope_pb2.Envelope:
    """Envelope of an event caused by another: same tenant, case and batch; derived id."""
    return new_envelope(
        tenant=cause.tenant,
        jurisdiction=cause.jurisdiction,
        case_id=cause.case_id,
        batch_id=cause.batch_id,
        event_id=derived_event_id(cause.event_id, purpose),
        causation_id=cause.event_id,
        occurred_at=occurred_at,
    )


def county_of(jurisdiction: str) -> str:
    """The county of a jurisdiction path as DOJ data writes it: ``ca/san-joaquin`` → ``SAN JOAQUIN``."""
    return jurisdiction.strip().partition("/")[2].replace("-", " ").upper()


def type_name(message: Message) -> str:
    return message.DESCRIPTOR.full_name


def record_headers(message: Message) -> list[tuple[str, bytes]]:
    """Headers that describe a record without opening it (no personal data)."""
    return [
        ("content-type", CONTENT_TYPE),
        (TYPE_HEADER, type_name(message).encode()),
        (ID_HEADER, message.envelope.event_id.encode()),
    ]


def decode(message_type: type[Message], value: bytes | None,
           headers: list[tuple[str, bytes]] | dict | None = None) -> Message:
    """Parse a record value, checking its declared type; raises UndecodableRecord."""
    expected = message_type.DESCRIPTOR.full_name
    declared = _header(headers, TYPE_HEADER)
    if declared is not None and declared != expected:
        raise UndecodableRecord(f"record type is {declared}, expected {expected}")
    if value is None:
        raise UndecodableRecord("record has no value")
    try:
        message = message_type.FromString(value)
    except DecodeError as exc:
        raise UndecodableRecord(f"not a valid {expected}: {exc}") from None
    if not message.envelope.event_id:
        raise UndecodableRecord(f"{expected} has no envelope.event_id")
    return message


# Room left in a dead letter's record for what is not the message: key, headers
# (type, id, trace context) and Kafka's record and batch framing, generously.
DEAD_LETTER_HEADROOM = 64 * 1024
# A reason or a source file name longer than this is cut too (they name fields and
# files; nothing needs more).
_MAX_TEXT = 4096


def dead_letter_key(letter: dead_letter_pb2.DeadLetter) -> str:
    """A dead letter's Kafka key: its case's id, else its own event id (never empty)."""
    return letter.envelope.case_id or letter.envelope.event_id


def dead_letter(*, source: str, reason: str, original: bytes,
                cause: envelope_pb2.Envelope | None = None, tenant: str = "",
                jurisdiction: str = "", batch_id: str = "", source_file: str = "", line: int = 0,
                field: str = "", original_topic: str = "", original_partition: int = -1,
                original_offset: int = -1) -> dead_letter_pb2.DeadLetter:
    """A DeadLetter; with ``cause`` (the rejected event's envelope) it keeps its tenant,
    jurisdiction, case and batch so an operator can find what it belonged to.

    It always fits its topic: an original too large for the rest of the letter
    within ``topics.MAX_MESSAGE_BYTES`` (less DEAD_LETTER_HEADROOM) keeps only its
    first part, and ``original_size`` and ``original_truncated`` say so.
    """
    if cause is not None:
        tenant, jurisdiction, batch_id = cause.tenant, cause.jurisdiction, cause.batch_id
    letter = dead_letter_pb2.DeadLetter(
        envelope=new_envelope(tenant=tenant, jurisdiction=jurisdiction,
                              case_id=cause.case_id if cause is not None else "",
                              batch_id=batch_id),
        source=source, reason=_cut_text(reason), source_file=_cut_text(source_file),
        line=line, field=_cut_text(field), original_topic=original_topic,
        original_partition=original_partition, original_offset=original_offset,
        original_size=len(original),
    )
    # The original's field costs its bytes plus a tag and a length of at most 10 bytes.
    room = topics.MAX_MESSAGE_BYTES - DEAD_LETTER_HEADROOM - letter.ByteSize() - 16
    if len(original) > room:
        letter.original_truncated = True
        original = original[:max(room, 0)]
    letter.original = bytes(original)
    return letter


def _cut_text(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT - 1] + "…"


def _header(headers, name: str) -> str | None:
    if not headers:
        return None
    items = headers.items() if isinstance(headers, dict) else headers
    for key, value in items:
        if key == name:
            # Any bytes at all may arrive: a header that is not UTF-8 reads as a type
            # no consumer expects, so the record is refused, never a crash.
            return (value.decode("utf-8", "replace") if isinstance(value, (bytes, bytearray))
                    else str(value))
    return None
