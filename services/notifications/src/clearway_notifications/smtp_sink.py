"""A local SMTP server that writes every message it receives to an outbox folder as .eml.

Why: the demo must show real emails without a real mail provider. Run with
``python -m clearway_notifications.smtp_sink --port 8025 --dir .local/outbox/email``;
SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import hashlib
import signal
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class EmlWriter:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        # One file per delivery (not per content): a duplicate email must stay visible.
        name = f"{time.time_ns()}-{hashlib.sha256(content).hexdigest()[:16]}.eml"
        (self.folder / name).write_bytes(content)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description="SMTP sink writing .eml files")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, default=Path(".local/outbox/email"))
    args = parser.parse_args()
    controller = Controller(EmlWriter(args.dir), hostname=args.host, port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"SMTP sink on {args.host}:{args.port} writing to {args.dir}", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
