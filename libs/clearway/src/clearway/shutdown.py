"""A process that was told to stop exits within its grace period, whatever is stuck.

Why: a service finishes the batch in hand on SIGTERM, and a batch waits on Kafka
(each call bounded, but a batch makes several, and recovery more). Kubernetes
SIGKILLs a pod that outlives terminationGracePeriodSeconds; better to exit on our
own first, with a log line saying so. Exiting mid-batch is safe: an open Kafka
transaction is aborted (or fenced by the next instance), so nothing half-done is
committed, and an uncommitted input is read again.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger(__name__)

# Exit status when the grace period ran out (a clean stop exits 0).
GRACE_EXCEEDED = 75

_armed: threading.Timer | None = None
_lock = threading.Lock()


def exit_within(grace_s: float) -> None:
    """Start the countdown (once; later calls keep the first deadline)."""
    global _armed
    with _lock:
        if _armed is not None:
            return
        _armed = threading.Timer(grace_s, _expire, args=(grace_s,))
        _armed.daemon = True
        _armed.start()


def _expire(grace_s: float) -> None:
    log.error("still stopping after the grace period; exiting now", extra={"grace_s": grace_s})
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed or broken stream must not keep the process alive
            pass
    os._exit(GRACE_EXCEEDED)
