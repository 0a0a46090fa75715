"""Ids derived from a client's request id, so that a retried submission is the same submission.

Why: a client that retries SubmitCase after a timeout must not file twice for
one person. Intake remembers its answer to each (tenant, request id), but a
crash can fall between publishing a case and remembering the answer; so the
case id and event id are themselves derived from the request, and the retry
republishes the same event, which every consumer deduplicates.

Everything is keyed (HMAC-SHA256 with intake's secret key, the one person ids
use): a request id is the client's, may say anything, and must not be
testable from a record key, a case id or a stored digest. The body's digest
goes into the derived ids too, so a reused id whose body differs (which
intake refuses once it has an answer) can never be mistaken downstream for the
first body's event and silently dropped.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid

from clearway_intake.domain.problem import Problem

# As intake_service.proto documents request_id.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Namespace of the uuid5 ids derived here; fixed forever.
_NAMESPACE = uuid.UUID("0c6f3b7e-51a4-4c1e-9f3e-2a8d5b7c9e10")


def request_id_problem(request_id: str) -> Problem | None:
    """Why ``request_id`` cannot be a client's request id, or None (also when it is empty)."""
    if request_id and not _REQUEST_ID.fullmatch(request_id):
        return Problem("request_id", "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'")
    return None


class RequestIds:
    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("the request key must be at least 16 bytes")
        self._key = key

    def request_key(self, tenant: str, request_id: str) -> str:
        """The opaque key of a tenant's request id: the record key of its answer."""
        digest = hmac.new(self._key, f"request\x1f{tenant}\x1f{request_id}".encode(),
                          hashlib.sha256).digest()
        return "r_" + base64.b32encode(digest[:20]).decode().lower()

    def body_digest(self) -> "hmac.HMAC":
        """A keyed hash to feed a request's bytes into; ``hexdigest()`` is the stored digest."""
        return hmac.new(self._key, b"body\x1f", hashlib.sha256)

    @staticmethod
    def case_ids(request_key: str, item: int, item_digest: str) -> tuple[str, str]:
        """(case id, event id) of the case of item ``item`` (0 for SubmitCase) of a request."""
        seed = f"{request_key}/{item}/{item_digest}"
        return (str(uuid.uuid5(_NAMESPACE, seed + "/case")),
                str(uuid.uuid5(_NAMESPACE, seed + "/event")))

    @staticmethod
    def batch_id(request_key: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, request_key + "/batch"))

    @staticmethod
    def answer_event_id(request_key: str, request_digest: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{request_key}/{request_digest}/answer"))
