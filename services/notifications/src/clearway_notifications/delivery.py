"""When to try a delivery again, and when not to try the server at all.

Why: an SMTP server that is down must neither lose a notice nor hold up everyone
else's. A notice that fails for now is tried again later on its own schedule
(``RetrySchedule``); while the server keeps failing, the ``CircuitBreaker`` sends
the following emails straight to the retry topic instead of letting each one wait
on a connect timeout, and lets one try through every cooldown to see if it is back.

Plain Python with an injectable clock: no I/O here.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

TRIAL_WAIT_S = 1.0

@dataclass(frozen=True)
class RetrySchedule:
    first_delay_s: float = 30.0
    max_delay_s: float = 300.0
    give_up_s: float = 24 * 3600.0

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed try (1, 2, ...): doubling, capped."""
        return min(self.max_delay_s, self.first_delay_s * 2 ** max(0, attempts - 1))


class CircuitBreaker:
    """Closed (try the server), open (do not, until the cooldown ends), then one trial.

    Shared by the threads that send: ``allow()`` before a try, then ``succeeded()``
    when the server answered (even with a refusal) or ``failed()`` when it could not
    be reached.
    """

    def __init__(self, failures_to_open: int = 3, cooldown_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic):
        self.failures_to_open = failures_to_open
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until: float | None = None
        self._trial = False

    def allow(self) -> bool:
        with self._lock:
            if self._open_until is None:
                return True
            if self._trial or self._clock() < self._open_until:
                return False
            self._trial = True  # the one try that tests the server
            return True

    def succeeded(self) -> None:
        with self._lock:
            self._failures, self._open_until, self._trial = 0, None, False

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial or self._failures >= self.failures_to_open:
                self._open_until = self._clock() + self.cooldown_s
            self._trial = False

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._open_until is not None

    def seconds_until_trial(self) -> float:
        """0 when a try may go ahead now, else how long to wait before asking again."""
        with self._lock:
            if self._open_until is None:
                return 0.0
            if self._trial:  # its outcome decides; ask again shortly
                return min(TRIAL_WAIT_S, self.cooldown_s)
            return max(0.0, self._open_until - self._clock())
