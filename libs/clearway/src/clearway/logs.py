"""JSON logs to stdout, stamped with the current trace and span ids.

Why: operators join logs to traces by id, and a log line is the easiest place for
personal data to leak. Only the message and the ``extra`` fields named in
``ALLOWED_FIELDS`` are written; callers log opaque ids and counts, never values
from a record.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from opentelemetry import trace

ALLOWED_FIELDS = frozenset({
    "service", "topic", "partitions", "partition", "offset", "group", "batch_id", "case_id",
    "person_id", "event_id", "count", "accepted", "rejected", "duplicates", "reason", "field",
    "line", "file", "port", "address", "outcome", "channel", "status", "elapsed_s", "config",
    "documents", "bootstrap", "rule_pack", "version", "signal", "error",
    # Faults: what a loop was doing, how long it waits, which loops stalled.
    "step", "delay_s", "loops", "stall_s", "grace_s", "attempt",
})


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "severity": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            entry["trace_id"] = f"{ctx.trace_id:032x}"
            entry["span_id"] = f"{ctx.span_id:016x}"
        for name in ALLOWED_FIELDS:
            if name in record.__dict__ and name not in entry:
                entry[name] = record.__dict__[name]
        if record.exc_info:
            # The exception type only: messages of third-party exceptions may quote data.
            entry["exception"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
        return json.dumps(entry, default=str)


def setup_logging(service: str, level: str | None = None) -> None:
    """Route every logger (ours, faust's, kafka's) to one JSON stream on stdout."""
    import os

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = (level or os.environ.get("CLEARWAY_LOG_LEVEL", "INFO")).upper()
    root.setLevel(level)
    if level != "DEBUG":  # the client libraries' INFO chatter is for debugging sessions
        for noisy in ("kafka", "aiokafka", "faust", "mode"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        # kafka-python 3 warns whenever its I/O thread takes >100 ms, which a busy
        # 2-core machine does all the time; it is noise, not a fault.
        logging.getLogger("kafka.net.selector").setLevel(logging.ERROR)
