"""The local stack's ports: every process it starts gets its own, the broker two in a row."""

from __future__ import annotations

import socket

from clearway.devstack import LocalStack, free_ports


def bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_free_ports_are_distinct_and_the_first_has_a_free_successor() -> None:
    for _ in range(20):
        ports = free_ports(6, pair_first=True)
        assert len(set(ports)) == 6
        assert ports[0] + 1 not in ports
        assert bindable(ports[0]) and bindable(ports[0] + 1)


def test_a_port_in_use_is_never_handed_out() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        used = taken.getsockname()[1]
        assert all(used not in free_ports(8) for _ in range(20))


def test_local_stack_without_a_kafka_port_picks_one_clear_of_its_other_ports(tmp_path) -> None:
    stack = LocalStack(tmp_path, kafka_port=0)
    others = [stack.smtp_port, int(stack.intake_address.rsplit(":", 1)[1]), *stack.health_ports.values()]
    assert stack.kafka_port > 0 and stack.broker.port == stack.kafka_port
    assert not {stack.kafka_port, stack.kafka_port + 1} & set(others)
    assert len(set(others)) == len(others) == 5
