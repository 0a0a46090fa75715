"""Opaque person ids.

Why: Kafka keys and span attributes must never carry a DOJ SUBJECT_ID, a CII
number or a name. A keyed hash (HMAC-SHA256) of the tenant, the id scheme and the
source id gives every person one stable opaque id per tenant: the same person in
two files or two submissions gets the same id (so their events share a partition
and stay in order), and nobody without the key can reverse or test a guess.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


class PersonIds:
    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("the person-id key must be at least 16 bytes")
        self._key = key

    def person_id(self, tenant: str, scheme: str, source_key: str) -> str:
        digest = hmac.new(self._key, f"{tenant}\x1f{scheme}\x1f{source_key}".encode(),
                          hashlib.sha256).digest()
        return "p_" + base64.b32encode(digest[:20]).decode().lower()
