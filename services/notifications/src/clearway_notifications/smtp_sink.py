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

from clearway.private_files import private_dir, restrict_new_files, write_private


class EmlWriter:
    """Writes each message as it came, 0600 in a 0700 folder: emails hold personal data."""

    def __init__(self, folder: Path):
        self.folder = private_dir(folder)

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        # One file per delivery (not per content): a duplicate email must stay visible.
        name = f"{time.time_ns()}-{hashlib.sha256(content).hexdigest()[:16]}.eml"
        write_private(self.folder / name, content, durable=False)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description="SMTP sink writing .eml files")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, default=Path(".local/outbox/email"))
    args = parser.parse_args()
    restrict_new_files()
    controller = Controller(EmlWriter(args.dir), hostname=args.host, port=args.port,
                            enable_SMTPUTF8=True)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"SMTP sink on {args.host}:{args.port} writing to {args.dir}", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
