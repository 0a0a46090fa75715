"""A whole local Clearway: broker, SMTP sink and the four services as real processes.

Why this exists: ``make demo`` and the integration tests need the same thing, a
genuine pipeline on loopback that always cleans up after itself. ``LocalStack`` is
a context manager: every process it starts is stopped on exit, also when the body
raises.

A stack never touches a stack it did not start: it uses only a broker it starts
itself, on its own ports (picked free by default), from its own folder, formatted
with a cluster id of its own, and checks that the broker answering there is that
cluster. A broker already running in its folder or on its port is refused
(StackRefused, saying why), never joined, so its consumer groups and
transactional ids are left alone.
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

REPO = Path(__file__).resolve().parents[4]
KAFKA_SCRIPT = REPO / "deploy" / "local" / "kafka.py"
SERVICES = ("intake", "eligibility", "petitions", "notifications")
# CPU priority (nice) of the services that follow the determinations. On a two-core
# machine petitions (PDF rendering) and notifications otherwise take half the CPU
# from eligibility, whose determinations and court feeds are what a batch waits
# for: 200k rows were determined in 52 s at equal priority, 33-36 s with these at 10.
# Documents and messages still catch up; in Kubernetes each has its own CPU request.
FOLLOWER_NICE = {"petitions": 10, "notifications": 10}


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int, *, pair_first: bool = False) -> list[int]:
    """`count` distinct free ports on 127.0.0.1, all held until every one is found.

    `pair_first`: the first port's successor is free too (the broker's
    controller listens on port + 1) and is not among the others.
    """
    with ExitStack() as held:
        def bind(port: int) -> int | None:
            s = held.enter_context(socket.socket())
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return None
            return s.getsockname()[1]

        ports: list[int] = []
        while pair_first and not ports:
            first = bind(0)
            # 65535 has no successor (bind would raise OverflowError): draw again.
            if first < 65535 and bind(first + 1) is not None:
                ports.append(first)
        while len(ports) < count:
            ports.append(bind(0))
        return ports


def health_status(address: str, service: str = "", timeout_s: float = 1.0) -> int | None:
    try:
        with grpc.insecure_channel(address) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            return stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout_s).status
    except grpc.RpcError:
        return None


class StackRefused(RuntimeError):
    """A local stack would have had to share another stack's broker; the message says why."""


def new_cluster_id() -> str:
    """A random KRaft cluster id (a UUID, written as Kafka writes one: 22 base64url characters)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()


@dataclass
class Broker:
    """The local Kafka broker, through deploy/local/kafka.py (one script for all uses).

    Only ever one this object started: a broker already running from ``home`` or
    listening on ``port`` is refused, and after starting, the broker answering at
    ``bootstrap`` must be cluster ``cluster_id`` (formatted here, random per stack).
    """

    home: Path
    port: int
    cluster_id: str = field(default_factory=new_cluster_id)
    started_here: bool = False
    start_seconds: float = 0.0

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _run(self, action: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(KAFKA_SCRIPT), action, "--home", str(self.home),
                               "--port", str(self.port), "--cluster-id", self.cluster_id],
                              capture_output=True, text=True)

    def start(self) -> "Broker":
        if self._run("status").returncode == 0:
            raise StackRefused(
                f"a Kafka broker this stack did not start is running from {self.home}; joining it "
                f"would share its consumer groups and transactional ids, so this stack will not. "
                f"Stop it (deploy/local/kafka.py stop --home {self.home}) or use another folder.")
        for port in (self.port, self.port + 1):
            if _listening(port):
                raise StackRefused(
                    f"127.0.0.1:{port} is already in use (another broker or program); this stack "
                    f"runs only a broker it starts itself, on free ports (kafka_port=0)")
        began = time.monotonic()
        result = self._run("start")
        if result.returncode != 0:
            raise RuntimeError(f"the Kafka broker did not start:\n{result.stderr}{result.stdout}")
        self.started_here = True
        self.start_seconds = time.monotonic() - began
        try:
            self.check_cluster()
        except BaseException:
            self.stop()
            raise
        return self

    def check_cluster(self) -> None:
        """Refuse unless the broker answering at ``bootstrap`` is the cluster formatted here."""
        from kafka import KafkaAdminClient

        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, client_id="clearway-devstack",
                                 request_timeout_ms=10_000, bootstrap_timeout_ms=10_000)
        try:
            answering = admin.describe_cluster()["cluster_id"]
        finally:
            admin.close()
        if answering != self.cluster_id:
            raise StackRefused(f"the broker at {self.bootstrap} is Kafka cluster {answering}, not "
                               f"{self.cluster_id} which this stack formatted: another stack's broker")

    def stop(self) -> None:
        if self.started_here:
            self._run("stop")


@dataclass
class ServiceProcess:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    health_address: str
    nice: int = 0
    process: subprocess.Popen | None = None

    def start(self) -> "ServiceProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        # `nice` (POSIX) lowers the priority of every thread the service will start.
        argv = ["nice", "-n", str(self.nice), *self.argv] if self.nice else self.argv
        self.process = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, cwd=REPO, start_new_session=True)
        log.close()
        if self.nice:
            _set_autogroup_nice(self.process.pid, self.nice)
        return self

    def wait_healthy(self, timeout_s: float = 90.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with status {self.process.returncode}; "
                                   f"log: {self.log_path}\n{self.log_tail()}")
            if health_status(self.health_address) == health_pb2.HealthCheckResponse.SERVING:
                return
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} was not healthy after {timeout_s}s; log: {self.log_path}\n"
                           f"{self.log_tail()}")

    def stop(self, timeout_s: float = 30.0) -> int | None:
        """SIGTERM (graceful: finish, commit, exit), then SIGKILL after ``timeout_s``."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self) -> None:
        """SIGKILL: the crash a real machine can have; nothing is flushed."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


@dataclass
class LocalStack:
    home: Path
    # 0: free ports for the broker and its controller (port + 1).
    kafka_port: int = 0
    broker_home: Path | None = None
    compute_date: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)
    # Eligibility workers in its one consumer group, sharing the cases' partitions as
    # Kubernetes replicas would; the second and later are named eligibility-2, ...
    eligibility_workers: int = 1
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    smtp_sink: ServiceProcess | None = None

    def __post_init__(self):
        self.home = Path(self.home).resolve()
        self.service_names = SERVICES + tuple(
            f"eligibility-{n}" for n in range(2, self.eligibility_workers + 1))
        with_health_port = [name for name in self.service_names if name != "intake"]
        # kafka_port 0: free ports for the broker and its controller (port + 1) too.
        ports = free_ports(3 + len(with_health_port), pair_first=self.kafka_port == 0)
        if self.kafka_port == 0:
            self.kafka_port = ports[0]
        self.broker = Broker((self.broker_home or self.home / "kafka").resolve(), self.kafka_port)
        self.smtp_port = ports[1]
        self.intake_address = f"127.0.0.1:{ports[2]}"
        self.health_ports = dict(zip(with_health_port, ports[3:]))
        self._exit = ExitStack()

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"

    @property
    def email_dir(self) -> Path:
        return self.home / "outbox" / "email"

    @property
    def bundles_dir(self) -> Path:
        """Where petitions writes each batch's result bundle (a folder per batch id)."""
        return self.home / "bundles"

    def wait_for_bundle(self, batch_id: str, timeout_s: float = 180.0) -> Path | None:
        """The folder of the batch's result bundle once petitions has written it; None
        if it has not within ``timeout_s``. Its DONE marker's mtime is when it was done."""
        from clearway_petitions.batch_bundle import DONE, BatchBundles

        folder = BatchBundles(self.bundles_dir).folder(batch_id)
        deadline = time.monotonic() + timeout_s
        while not (folder / DONE).exists():
            if time.monotonic() > deadline:
                return None
            time.sleep(0.2)
        return folder

    @property
    def trace_dir(self) -> Path:
        return self.home / "traces"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "CLEARWAY_HOME": str(self.home),
            "CLEARWAY_KAFKA_BOOTSTRAP": self.broker.bootstrap,
            "CLEARWAY_INTAKE_GRPC_ADDRESS": self.intake_address,
            "CLEARWAY_SMTP_HOST": "127.0.0.1",
            "CLEARWAY_SMTP_PORT": str(self.smtp_port),
            "CLEARWAY_TRACE_DIR": str(self.trace_dir),
            "OTEL_TRACES_EXPORTER": env.get("OTEL_TRACES_EXPORTER", "file"),
            "OTEL_BSP_SCHEDULE_DELAY": "500",
            "PYTHONUNBUFFERED": "1",
        })
        if self.compute_date:
            env["CLEARWAY_COMPUTE_DATE"] = self.compute_date
        env.update(self.extra_env)
        return env

    def service(self, name: str) -> ServiceProcess:
        module = name.partition("-")[0]  # eligibility-2 is another eligibility worker
        env = self.env()
        # Spans say which process made them (the span record's "instance").
        instance = f"service.instance.id={name}"
        env["OTEL_RESOURCE_ATTRIBUTES"] = ",".join(
            a for a in (env.get("OTEL_RESOURCE_ATTRIBUTES", ""), instance) if a)
        if name == "intake":
            address = self.intake_address
        else:
            address = f"127.0.0.1:{self.health_ports[name]}"
            env[f"CLEARWAY_{module.upper()}_HEALTH_PORT"] = str(self.health_ports[name])
        return ServiceProcess(name, [sys.executable, "-m", f"clearway_{module}"], env,
                              self.home / "logs" / f"{name}.log", address,
                              nice=FOLLOWER_NICE.get(module, 0))

    def __enter__(self) -> "LocalStack":
        self._exit.__enter__()
        try:
            self.broker.start()
            self._exit.callback(self.broker.stop)
            from clearway import topics

            topics.ensure_topics(self.broker.bootstrap)
            self.start_smtp()
            self._exit.callback(self.stop_smtp)
            for name in self.service_names:
                self.start_service(name)
            for name in self.service_names:
                self.services[name].wait_healthy()
        except BaseException:
            self._exit.close()
            raise
        return self

    def start_smtp(self) -> ServiceProcess:
        """Start the SMTP sink (at enter, or again after stop_smtp) and wait until it listens."""
        sink = ServiceProcess("smtp-sink", [sys.executable, "-m", "clearway_notifications.smtp_sink",
                                            "--port", str(self.smtp_port), "--dir", str(self.email_dir)],
                              self.env(), self.home / "logs" / "smtp-sink.log", "")
        self.smtp_sink = sink.start()
        _wait_port(self.smtp_port, sink)
        return sink

    def stop_smtp(self) -> None:
        """Stop the SMTP sink: email is then undeliverable until start_smtp."""
        if self.smtp_sink is not None:
            self.smtp_sink.stop()

    def stop_broker(self) -> None:
        """Stop this stack's broker (Kafka's controlled shutdown); the services keep running."""
        self.broker.stop()

    def start_broker(self) -> float:
        """Start this stack's broker again (same folder, ports and cluster); seconds it took."""
        self.broker.start()
        return self.broker.start_seconds

    def start_service(self, name: str) -> ServiceProcess:
        proc = self.service(name).start()
        self.services[name] = proc
        self._exit.callback(lambda: self.services[name].stop())
        return proc

    def restart_service(self, name: str) -> ServiceProcess:
        proc = self.service(name).start()
        self.services[name] = proc
        proc.wait_healthy()
        return proc

    def clearway(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run the ``clearway`` command against this stack."""
        result = subprocess.run([sys.executable, "-m", "clearway.cli", *args], env=self.env(),
                                capture_output=True, text=True, cwd=REPO)
        if check and result.returncode != 0:
            raise RuntimeError(f"clearway {' '.join(args)} failed:\n{result.stderr}{result.stdout}")
        return result

    def submit_command(self, doj: Path, contacts: Path | None = None, batch_id: str = "") -> list[str]:
        argv = [sys.executable, "-m", "clearway.cli", "submit", str(doj)]
        argv += ["--contacts", str(contacts)] if contacts else []
        return argv + (["--batch-id", batch_id] if batch_id else [])

    def submit(self, doj: Path, contacts: Path | None = None, batch_id: str = "") -> "Submission":
        """Run ``clearway submit`` to completion and read its one-line report."""
        result = subprocess.run(self.submit_command(doj, contacts, batch_id), env=self.env(),
                                cwd=REPO, stdout=subprocess.PIPE, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"clearway submit failed with status {result.returncode}")
        return Submission.parse(result.stdout)

    def __exit__(self, *exc) -> None:
        self._exit.close()


def _set_autogroup_nice(pid: int, nice: int) -> None:
    """Lower the CPU share of a process's session where Linux groups by session.

    With autogrouping (sched_autogroup_enabled), each session is scheduled as one
    group with its own weight, so a thread's nice only counts against its own
    session's threads; every service runs in a session of its own. Elsewhere there
    is no such file, and the thread nice set by `nice` is what counts.
    """
    try:
        Path(f"/proc/{pid}/autogroup").write_text(f"{nice}\n")
    except OSError:
        pass


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_port(port: int, proc: ServiceProcess, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.process.poll() is not None:
            raise RuntimeError(f"{proc.name} exited: {proc.log_tail()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{proc.name} did not listen on {port}")


@dataclass(frozen=True)
class Submission:
    batch_id: str
    rows: int
    cases: int
    rejected_rows: int
    report: str

    @classmethod
    def parse(cls, stdout: str) -> "Submission":
        """Reads "batch <id>: <rows> rows, <cases> cases published, <n> rows dead-lettered"."""
        line = next(ln for ln in stdout.splitlines() if ln.startswith("batch "))
        words = line.split()
        return cls(words[1].rstrip(":"), int(words[2]), int(words[4]), int(words[7]), line)


@dataclass
class BatchOutcome:
    """What the pipeline produced for one batch, read back from the topics."""

    determinations: dict = field(default_factory=dict)   # case_id -> [DeterminationMade]
    petitions: dict = field(default_factory=dict)        # case_id -> [PetitionGenerated]
    notifications: dict = field(default_factory=dict)    # case_id -> [NotificationSent]
    dead_letters: list = field(default_factory=list)     # DeadLetter of intake for the batch
    records: dict = field(default_factory=dict)          # topic -> physical record count

    def eligible_cases(self) -> set[str]:
        from clearway.determinations import eligible_count

        return {case_id for case_id, made in self.determinations.items() if eligible_count(made[0])}

    def notified_cases(self) -> set[str]:
        """Cases whose notice has ended (anything but PENDING_RETRY, which a final one follows)."""
        from clearway.v1 import notification_pb2

        pending = notification_pb2.NOTIFICATION_STATUS_PENDING_RETRY
        return {case_id for case_id, notices in self.notifications.items()
                if any(n.status != pending for n in notices)}


class BatchWatcher:
    """Follows the output topics and gathers the events of one batch by its id."""

    def __init__(self, bootstrap: str, batch_id: str):
        from kafka import KafkaConsumer, TopicPartition

        from clearway import topics
        from clearway.v1 import dead_letter_pb2, determination_pb2, notification_pb2, petition_pb2

        self.batch_id = batch_id
        self.outcome = BatchOutcome()
        self._types = {
            topics.DETERMINATIONS: ("determinations", determination_pb2.DeterminationMade),
            topics.PETITIONS: ("petitions", petition_pb2.PetitionGenerated),
            topics.NOTIFICATIONS: ("notifications", notification_pb2.NotificationSent),
            topics.INTAKE_REJECTED: ("dead_letters", dead_letter_pb2.DeadLetter),
        }
        from clearway.bus import consumer_settings

        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                       enable_auto_commit=False, isolation_level="read_committed",
                                       **consumer_settings())
        partitions = [TopicPartition(t, p) for t in self._types
                      for p in self._consumer.partitions_for_topic(t) or ()]
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning(*partitions)

    def poll(self) -> BatchOutcome:
        for records in self._consumer.poll(timeout_ms=300, max_records=5000).values():
            for record in records:
                attr, message_type = self._types[record.topic]
                message = message_type.FromString(record.value)
                if message.envelope.batch_id != self.batch_id:
                    continue
                self.outcome.records[record.topic] = self.outcome.records.get(record.topic, 0) + 1
                if attr == "dead_letters":
                    self.outcome.dead_letters.append(message)
                else:
                    getattr(self.outcome, attr).setdefault(message.envelope.case_id, []).append(message)
        return self.outcome

    def wait(self, cases: int, timeout_s: float = 120.0, on_progress=None) -> BatchOutcome:
        """Until every case has a determination and a notification, and every eligible case a petition."""
        deadline = time.monotonic() + timeout_s
        while True:
            out = self.poll()
            if on_progress:
                on_progress(out)
            done = (len(out.determinations) >= cases and len(out.notified_cases()) >= cases
                    and out.eligible_cases() <= set(out.petitions))
            if done:
                return out
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"batch {self.batch_id} incomplete after {timeout_s}s: {len(out.determinations)}/"
                    f"{cases} determined, {len(out.petitions)} petitions, "
                    f"{len(out.notified_cases())}/{cases} notified")

    def close(self) -> None:
        self._consumer.close()
