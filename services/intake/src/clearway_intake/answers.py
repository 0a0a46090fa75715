"""The answers intake gave to client request ids: the memory that makes a retried call safe.

Why: the same tenant and request id must get the same answer and publish
nothing more, also after intake restarts. Each answer is published to the
compacted topic clearway.intake.requests.v1 (the latest per request key) and
read back from it at start, before intake serves.

Memory is bounded: at most ``max_bytes`` of answers are kept, the oldest
forgotten first. A retry of a forgotten request publishes its case again
under the same derived ids (domain/requests.py), and downstream drops the
duplicate event; only the record on the cases topic is repeated.
"""

from __future__ import annotations

import collections
import threading
from contextlib import contextmanager
from typing import Iterator

from clearway import bus, topics
from clearway.v1 import intake_request_pb2

# Enough for about a million single-case answers.
MAX_ANSWER_BYTES = 128 * 1024 * 1024
# Calls on different request keys proceed in parallel; equal keys wait for each other.
_LOCK_STRIPES = 64


class RequestAnswers:
    def __init__(self, max_bytes: int = MAX_ANSWER_BYTES):
        self.max_bytes = max_bytes
        # request key -> serialized IntakeRequestAnswered, oldest first.
        self._answers: "collections.OrderedDict[str, bytes]" = collections.OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._stripes = [threading.Lock() for _ in range(_LOCK_STRIPES)]

    def __len__(self) -> int:
        return len(self._answers)

    @contextmanager
    def held(self, request_key: str) -> Iterator[None]:
        """Hold off other calls with the same request key (a retry racing the first call)."""
        with self._stripes[hash(request_key) % _LOCK_STRIPES]:
            yield

    def get(self, request_key: str) -> intake_request_pb2.IntakeRequestAnswered | None:
        with self._lock:
            value = self._answers.get(request_key)
        return None if value is None else intake_request_pb2.IntakeRequestAnswered.FromString(value)

    def remember(self, answer: intake_request_pb2.IntakeRequestAnswered) -> None:
        value = answer.SerializeToString()
        with self._lock:
            previous = self._answers.pop(answer.request_key, None)
            if previous is not None:
                self._bytes -= len(previous)
            self._answers[answer.request_key] = value
            self._bytes += len(value)
            while self._bytes > self.max_bytes and len(self._answers) > 1:
                _, oldest = self._answers.popitem(last=False)
                self._bytes -= len(oldest)

    @classmethod
    def from_topic(cls, bootstrap_servers: str, timeout_s: float = 60.0,
                   max_bytes: int = MAX_ANSWER_BYTES) -> "RequestAnswers":
        """Every answer on the topic, read to its end (within ``timeout_s``, else TimeoutError)."""
        answers = cls(max_bytes)
        for answer in bus.read_topic(bootstrap_servers, topics.INTAKE_REQUESTS,
                                     intake_request_pb2.IntakeRequestAnswered, timeout_s=timeout_s):
            answers.remember(answer)
        return answers
