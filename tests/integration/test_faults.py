"""Kafka going away, with the services as real processes: nothing hangs, nothing is lost or
doubled, health says when a service is stuck, SIGTERM ends it in time, and a local stack
never joins a broker it did not start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import grpc
import pytest
from grpc_cases import a_case
from grpc_health.v1 import health_pb2
from kafka import KafkaAdminClient

from clearway import shutdown, topics
from clearway.devstack import (KAFKA_SCRIPT, REPO, BatchWatcher, Broker, LocalStack,
                               ServiceProcess, StackRefused, free_ports, health_status)
from clearway.v1 import intake_service_pb2, intake_service_pb2_grpc, notification_pb2

pytestmark = pytest.mark.broker

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
# The hand-started stack's bounds: short, so that a stuck call outlasts the grace period.
HAND_GRACE_S, HAND_STALL_S, HAND_KAFKA_TIMEOUT_S = 5.0, 5.0, 10.0


class HandStack:
    """A stack started as the README says by hand: deploy/local/kafka.py, then services."""

    def __init__(self, home: Path):
        self.home = home
        self.port = free_ports(1, pair_first=True)[0]
        self.broker_home = home / "kafka"
        self.bootstrap = f"127.0.0.1:{self.port}"
        intake_port, eligibility_port, petitions_port = free_ports(3)
        self.intake_address = f"127.0.0.1:{intake_port}"
        self.env = {**os.environ,
                    "CLEARWAY_HOME": str(home), "CLEARWAY_KAFKA_BOOTSTRAP": self.bootstrap,
                    "CLEARWAY_INTAKE_GRPC_ADDRESS": self.intake_address,
                    "CLEARWAY_ELIGIBILITY_HEALTH_PORT": str(eligibility_port),
                    "CLEARWAY_PETITIONS_HEALTH_PORT": str(petitions_port),
                    "CLEARWAY_COMPUTE_DATE": "2026-11-20", "OTEL_TRACES_EXPORTER": "none",
                    "CLEARWAY_SHUTDOWN_GRACE_S": str(HAND_GRACE_S),
                    "CLEARWAY_STALL_S": str(HAND_STALL_S),
                    "CLEARWAY_KAFKA_TIMEOUT_S": str(HAND_KAFKA_TIMEOUT_S),
                    "PYTHONUNBUFFERED": "1"}
        self.services = {
            name: ServiceProcess(name, [sys.executable, "-m", f"clearway_{name}"], self.env,
                                 home / "logs" / f"{name}.log", address)
            for name, address in (("intake", self.intake_address),
                                  ("eligibility", f"127.0.0.1:{eligibility_port}"),
                                  ("petitions", f"127.0.0.1:{petitions_port}"))}

    def broker(self, action: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(KAFKA_SCRIPT), action, "--port", str(self.port),
                               "--home", str(self.broker_home)], capture_output=True, text=True)

    def clearway(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "clearway.cli", *args], env=self.env, cwd=REPO,
                              capture_output=True, text=True)

    def groups(self) -> dict:
        """Each consumer group's members and committed offsets."""
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=10_000)
        try:
            names = sorted(g["group_id"] for g in admin.list_groups())
            if not names:
                return {}
            members = {group_id: sorted(m["member_id"] for m in info["members"])
                       for group_id, info in admin.describe_groups(names).items()}
            offsets = admin.list_group_offsets(names)
            return {name: (members.get(name), offsets.get(name)) for name in names}
        finally:
            admin.close()

    def settled_groups(self, expected: set[str], timeout_s: float = 90.0) -> dict:
        """groups() once ``expected`` are there and two reads 2 s apart agree (work done)."""
        deadline = time.monotonic() + timeout_s
        last = None
        while True:
            now = self.groups()
            if now == last and expected <= set(now):
                return now
            assert time.monotonic() < deadline, f"groups still changing after {timeout_s}s: {now}"
            last = now
            time.sleep(2)


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    stack = HandStack(tmp_path_factory.mktemp("hand"))
    started = stack.broker("start")
    assert started.returncode == 0, started.stderr
    try:
        topics.ensure_topics(stack.bootstrap)
        for service in stack.services.values():
            service.start()
        for service in stack.services.values():
            service.wait_healthy()
        yield stack
    finally:
        for service in stack.services.values():
            service.kill()
        stack.broker("stop")


def test_a_local_stack_never_joins_a_broker_it_did_not_start_and_leaves_it_alone(hand, tmp_path):
    sample = tmp_path / "sample"
    assert hand.clearway("generate", "--people", "5", "--seed", "3", "--out", str(sample)).returncode == 0
    assert hand.clearway("submit", str(sample / "doj_research_file.csv")).returncode == 0
    before = hand.settled_groups({"clearway-eligibility", "clearway-petitions"})

    # `make demo` used to find this broker on its port, or in its folder, and join it.
    with pytest.raises(StackRefused, match=f"127.0.0.1:{hand.port} is already in use"):
        with LocalStack(tmp_path / "same-port", kafka_port=hand.port):
            pass
    with pytest.raises(StackRefused, match="did not start is running from"):
        with LocalStack(tmp_path / "same-folder", broker_home=hand.broker_home):
            pass
    # And a broker that answers where a stack's own should is recognised as another cluster's.
    stranger = Broker(tmp_path / "unused", hand.port)
    with pytest.raises(StackRefused, match="is Kafka cluster Y2xlYXJ3YXktbG9jYWwtMQ, not"):
        stranger.check_cluster()
    stranger.stop()  # it started nothing, so it stops nothing

    assert hand.broker("status").returncode == 0, "the hand-started broker was stopped"
    assert hand.groups() == before, "the hand-started stack's groups were touched"
    assert all(health_status(s.health_address) == SERVING for s in hand.services.values())
    assert not (tmp_path / "same-port" / "logs").exists()  # no service of the refused stacks ran


def test_stuck_on_a_stopped_broker_health_says_so_calls_end_in_time_and_sigterm_ends_each_service(
        hand, tmp_path):
    sample = tmp_path / "sample"
    hand.clearway("generate", "--people", "60", "--seed", "31", "--out", str(sample))
    assert hand.clearway("submit", str(sample / "doj_research_file.csv")).returncode == 0
    documents = hand.home / "documents"
    wait_until(lambda: documents.exists() and any(documents.rglob("*.pdf")), 90)
    petitions = hand.services["petitions"]
    wait_until(lambda: health_status(petitions.health_address) == SERVING, 30)

    assert hand.broker("stop").returncode == 0
    stopped_at = time.monotonic()
    # Petitions holds a batch it cannot commit: health must stop saying SERVING.
    wait_until(lambda: health_status(petitions.health_address) == NOT_SERVING, 90)
    print(f"\npetitions NOT_SERVING {time.monotonic() - stopped_at:.1f}s after the broker stopped")

    # A call made now is answered (refused), in bounded time.
    began = time.monotonic()
    with grpc.insecure_channel(hand.intake_address) as channel:
        with pytest.raises(grpc.RpcError) as refused:
            intake_service_pb2_grpc.IntakeServiceStub(channel).SubmitCase(
                a_case_request(), timeout=HAND_KAFKA_TIMEOUT_S * 4)
    answered_s = time.monotonic() - began
    assert refused.value.code() != grpc.StatusCode.DEADLINE_EXCEEDED
    assert answered_s < HAND_KAFKA_TIMEOUT_S * 3
    began = time.monotonic()
    submitted = hand.clearway("submit", str(sample / "doj_research_file.csv"))
    submit_s = time.monotonic() - began
    assert submitted.returncode != 0 and submit_s < HAND_KAFKA_TIMEOUT_S * 4
    print(f"SubmitCase refused in {answered_s:.1f}s; clearway submit failed in {submit_s:.1f}s "
          f"(status {submitted.returncode})")

    for name in ("petitions", "eligibility", "intake"):
        service = hand.services[name]
        began = time.monotonic()
        service.process.send_signal(signal.SIGTERM)
        try:
            status = service.process.wait(timeout=HAND_GRACE_S + 15)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{name} was still running {HAND_GRACE_S + 15:.0f}s after SIGTERM")
        took = time.monotonic() - began
        print(f"{name} exited {took:.1f}s after SIGTERM (status {status})")
        assert took < HAND_GRACE_S + 3, name
        assert status in (0, shutdown.GRACE_EXCEEDED), name


@pytest.mark.timeout(600)
def test_after_a_broker_restart_mid_batch_every_case_completes_once_without_help(stack, sample):
    doj, contacts = sample(people=80, seed=41)
    submitted = stack.submit(doj, contacts)
    watcher = BatchWatcher(stack.broker.bootstrap, submitted.batch_id)
    try:
        wait_until(lambda: len(watcher.poll().determinations) >= 1, 60)
    finally:
        watcher.close()
    pids = {name: service.process.pid for name, service in stack.services.items()}
    seen = {name: set() for name in stack.services}
    watching = threading.Event()

    def watch_health() -> None:
        while not watching.is_set():
            for name, service in stack.services.items():
                seen[name].add(health_status(service.health_address))
            watching.wait(0.5)

    health_thread = threading.Thread(target=watch_health, daemon=True)
    health_thread.start()
    stack.stop_broker()
    stopped_at = time.monotonic()
    # faust too ends within its grace period when SIGTERM comes while the broker is away;
    # the other worker takes its cases once the broker is back.
    time.sleep(3)
    worker = stack.services["eligibility-2"]
    worker.process.send_signal(signal.SIGTERM)
    began = time.monotonic()
    try:
        worker.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("eligibility-2 was still running 30s after SIGTERM")
    eligibility_exit_s = time.monotonic() - began
    time.sleep(max(0.0, 20 - (time.monotonic() - stopped_at)))
    start_s = stack.start_broker()
    back_at = time.monotonic()

    watcher = BatchWatcher(stack.broker.bootstrap, submitted.batch_id)
    try:
        out = watcher.wait(submitted.cases, timeout_s=300)
        complete_s = time.monotonic() - back_at
        time.sleep(2)
        out = watcher.poll()  # anything late, a duplicate say, is counted too
    finally:
        watcher.close()
        watching.set()
        health_thread.join()
    try:
        wait_until(lambda: all(health_status(s.health_address) == SERVING
                               for n, s in stack.services.items() if n != "eligibility-2"), 60)
        alive = {n: s.process.pid for n, s in stack.services.items() if s.process.poll() is None}
    finally:
        stack.restart_service("eligibility-2")  # the later tests' second worker
    print(f"\nbroker down {back_at - stopped_at - start_s:.0f}s (+{start_s:.0f}s to start); "
          f"eligibility-2 exited {eligibility_exit_s:.1f}s after SIGTERM; batch of "
          f"{submitted.cases} complete {complete_s:.0f}s after the broker was back")

    # No manual help: the same processes did it (but the worker SIGTERMed on purpose).
    del pids["eligibility-2"]
    assert alive == pids
    assert eligibility_exit_s < 8 + 3  # the session stack's CLEARWAY_SHUTDOWN_GRACE_S, and exit
    assert NOT_SERVING in seen["petitions"], "petitions held work it could not commit, yet said SERVING"
    assert len(out.determinations) == submitted.cases
    assert all(len({m.envelope.event_id for m in made}) == 1 for made in out.determinations.values())
    assert set(out.petitions) == out.eligible_cases()
    assert all(len(p) == 1 for p in out.petitions.values()), "a petition was published twice"
    final = {case_id: [n for n in notices
                       if n.status != notification_pb2.NOTIFICATION_STATUS_PENDING_RETRY]
             for case_id, notices in out.notifications.items()}
    assert set(final) == set(out.determinations)
    assert all(len(n) == 1 for n in final.values()), "a person was notified twice"
    sent = {n[0].message_id for n in final.values()
            if n[0].channel == notification_pb2.CHANNEL_EMAIL
            and n[0].status == notification_pb2.NOTIFICATION_STATUS_SENT}
    received = Counter(m for m in email_ids(stack) if m in sent)
    assert set(received) == sent and max(received.values()) == 1, "an email was sent twice"


def email_ids(stack) -> list[str]:
    import email

    return [email.message_from_bytes(p.read_bytes())["Message-ID"]
            for p in stack.email_dir.glob("*.eml")]


def a_case_request() -> intake_service_pb2.SubmitCaseRequest:
    return intake_service_pb2.SubmitCaseRequest(tenant="coalition-a", jurisdiction="ca/sacramento",
                                                 case=a_case("F-1"))


def wait_until(condition, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout_s}s"
        time.sleep(0.3)
