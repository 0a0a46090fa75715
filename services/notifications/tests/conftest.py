"""What notifications' tests share: a real SMTP server (aiosmtpd) on a free local port."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from clearway.devstack import free_port


@pytest.fixture
def start_smtp():
    """``start_smtp(handler)``: a running aiosmtpd Controller for ``handler``, stopped after the test."""
    running: list[Controller] = []

    def start(handler) -> Controller:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        running.append(controller)
        return controller

    yield start
    for controller in running:
        controller.stop()
