"""The local stack's ports and processes: every process it starts gets its own port, the broker two in a row."""

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


def test_a_second_eligibility_worker_is_the_same_service_with_its_own_port_log_and_instance(tmp_path) -> None:
    stack = LocalStack(tmp_path, kafka_port=0, eligibility_workers=2)
    assert stack.service_names == ("intake", "eligibility", "petitions", "notifications", "eligibility-2")
    first, second = stack.service("eligibility"), stack.service("eligibility-2")
    assert first.argv == second.argv and first.argv[-1] == "clearway_eligibility"
    ports = {int(s.env["CLEARWAY_ELIGIBILITY_HEALTH_PORT"]) for s in (first, second)}
    assert ports == {stack.health_ports["eligibility"], stack.health_ports["eligibility-2"]}
    assert len(ports) == 2 and second.health_address.endswith(f":{stack.health_ports['eligibility-2']}")
    assert second.log_path.name == "eligibility-2.log"
    assert second.env["OTEL_RESOURCE_ATTRIBUTES"].endswith("service.instance.id=eligibility-2")
    assert (first.nice, second.nice, stack.service("petitions").nice) == (0, 0, 10)


def test_a_case_counts_as_notified_once_its_notice_has_ended() -> None:
    from clearway.devstack import BatchOutcome
    from clearway.v1 import notification_pb2 as n

    def notice(status):
        return n.NotificationSent(status=status)

    outcome = BatchOutcome(notifications={
        "pending": [notice(n.NOTIFICATION_STATUS_PENDING_RETRY)],
        "sent-after-retry": [notice(n.NOTIFICATION_STATUS_PENDING_RETRY), notice(n.NOTIFICATION_STATUS_SENT)],
        "failed": [notice(n.NOTIFICATION_STATUS_FAILED)],
        "withheld": [notice(n.NOTIFICATION_STATUS_WITHHELD)],
    })
    assert outcome.notified_cases() == {"sent-after-retry", "failed", "withheld"}
