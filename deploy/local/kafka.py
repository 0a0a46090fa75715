#!/usr/bin/env python3
"""Install, start and stop a genuine single-node Apache Kafka broker (KRaft) locally.

Why: the project has no Docker engine to lean on, yet the bus must be real. The
broker's jars come from Maven Central through Maven (deploy/local/kafka/pom.xml),
are cached under .local/cache keyed by the POM's hash, and run on the machine's
Java 17 bound to 127.0.0.1.

Usage:
    deploy/local/kafka.py install                 # fetch the jars (once)
    deploy/local/kafka.py start [--port 9092] [--home .local/kafka] [--cluster-id ID]
    deploy/local/kafka.py status|stop [--home ...]

``start`` formats the storage if needed (as cluster ``--cluster-id``, by default
the fixed id of a hand-run broker), starts the broker in the background, writes a
pid file and returns once the broker answers a metadata request. Storage already
formatted for another cluster is refused, never reused. ``status`` prints the
cluster id too. ``stop`` sends SIGTERM (Kafka's controlled shutdown), waits, then
SIGKILL.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONF = Path(__file__).resolve().parent / "kafka"
CACHE = REPO / ".local" / "cache"
# Fixed for a broker started by hand; clearway.devstack passes a random one per stack.
CLUSTER_ID = "Y2xlYXJ3YXktbG9jYWwtMQ"
START_TIMEOUT_S = 90


class BrokerError(RuntimeError):
    pass


def _require(tool: str, hint: str) -> str:
    path = shutil.which(tool)
    if not path:
        raise BrokerError(f"{tool} was not found on PATH. {hint}")
    return path


def java_version(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    for token in out.split():
        token = token.strip('"')
        if token[:1].isdigit():
            major = token.split(".")[0]
            return int(major) if major != "1" else int(token.split(".")[1])
    raise BrokerError(f"could not read the Java version from: {out.strip()[:200]}")


def libs_dir() -> Path:
    digest = hashlib.sha256((CONF / "pom.xml").read_bytes()).hexdigest()[:12]
    return CACHE / f"kafka-{digest}" / "libs"


def install(quiet: bool = False) -> Path:
    """Resolve the broker's runtime classpath into the cache; a no-op when cached."""
    libs = libs_dir()
    if (libs / ".complete").exists():
        return libs
    mvn = _require("mvn", "Install Maven (Debian: apt-get install maven) to fetch Kafka from Maven Central.")
    if not quiet:
        print(f"Fetching Apache Kafka from Maven Central into {libs} (once) ...", flush=True)
    tmp = libs.with_name("libs.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    result = subprocess.run(
        [mvn, "-q", "-B", "-f", str(CONF / "pom.xml"),
         "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
         "-DincludeScope=runtime", f"-DoutputDirectory={tmp}"],
        capture_output=True, text=True)
    if result.returncode != 0:
        raise BrokerError("Maven could not fetch Kafka:\n" + (result.stdout + result.stderr)[-3000:])
    shutil.rmtree(libs, ignore_errors=True)
    tmp.rename(libs)
    (libs / ".complete").write_text("ok\n")
    return libs


class Broker:
    def __init__(self, home: Path, port: int, cluster_id: str = CLUSTER_ID):
        self.home = home.resolve()
        self.port = port
        self.cluster_id = cluster_id
        self.controller_port = port + 1
        self.pid_file = self.home / "kafka.pid"
        self.log_file = self.home / "kafka.log"
        self.data_dir = self.home / "data"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def formatted_cluster_id(self) -> str | None:
        """The cluster id the storage was formatted for, if it was."""
        try:
            text = (self.data_dir / "meta.properties").read_text()
        except FileNotFoundError:
            return None
        for line in text.splitlines():
            if line.startswith("cluster.id="):
                return line.partition("=")[2].strip()
        return None

    def _write_config(self) -> Path:
        text = (CONF / "server.properties.in").read_text()
        text = (text.replace("@PORT@", str(self.port))
                    .replace("@CONTROLLER_PORT@", str(self.controller_port))
                    .replace("@DATA_DIR@", str(self.data_dir)))
        path = self.home / "server.properties"
        path.write_text(text)
        return path

    def start(self) -> float:
        """Start (or find running) and wait until it serves metadata; returns seconds taken."""
        began = time.monotonic()
        if self.pid():
            self.wait_ready(began)
            return time.monotonic() - began
        java = _require("java", "Install a Java 17 runtime (Debian: apt-get install openjdk-17-jre-headless).")
        if java_version(java) < 17:
            raise BrokerError("Apache Kafka 4.x needs Java 17 or newer; `java -version` reports older.")
        libs = install()
        for port in (self.port, self.controller_port):
            if _port_open(port):
                raise BrokerError(f"port {port} on 127.0.0.1 is already in use by another process")
        formatted = self.formatted_cluster_id()
        if formatted not in (None, self.cluster_id):
            raise BrokerError(f"{self.data_dir} holds the data of Kafka cluster {formatted}, not "
                              f"{self.cluster_id}; use another --home (or remove that folder)")
        self.home.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        classpath = f"{libs}/*"
        fmt = subprocess.run([java, "-cp", classpath, "kafka.tools.StorageTool", "format",
                              "-t", self.cluster_id, "-c", str(config), "--ignore-formatted"],
                             capture_output=True, text=True)
        if fmt.returncode != 0:
            raise BrokerError("formatting KRaft storage failed:\n" + (fmt.stdout + fmt.stderr)[-2000:])
        log = open(self.log_file, "ab")
        # TieredStopAtLevel=1: the quick (C1) JIT only. A local broker lives for one demo or
        # test run: in a 200k-row pipeline run on two cores the JIT threads took ~18 s of CPU
        # with C2 and ~0.2 s without, while request handling took ~7 s more without it.
        proc = subprocess.Popen(
            [java, "-Xms256m", "-Xmx768m", "-server", "-XX:TieredStopAtLevel=1",
             "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
             "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
             "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={CONF / 'log4j2.properties'}",
             "-cp", classpath, "kafka.Kafka", str(config)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid_file.write_text(str(proc.pid))
        try:
            self.wait_ready(began, proc)
        except BaseException:
            self.stop()
            raise
        return time.monotonic() - began

    def wait_ready(self, began: float, proc: subprocess.Popen | None = None) -> None:
        while time.monotonic() - began < START_TIMEOUT_S:
            if proc is not None and proc.poll() is not None:
                raise BrokerError(f"the broker exited with status {proc.returncode}:\n{self.log_tail()}")
            if _port_open(self.port) and _answers_metadata(self.bootstrap):
                return
            time.sleep(0.3)
        raise BrokerError(f"the broker did not answer within {START_TIMEOUT_S}s:\n{self.log_tail()}")

    def stop(self, timeout_s: float = 30.0) -> bool:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.pid() is None:
                break
            time.sleep(0.2)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no broker log)"


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _answers_metadata(bootstrap: str) -> bool:
    """A listening socket is not a ready broker; a metadata answer is."""
    try:
        from kafka import KafkaAdminClient
    except ImportError:  # before the venv exists: fall back to the log line
        return True
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000,
                                 client_id="clearway-broker-check")
        try:
            admin.describe_cluster()
            return True
        finally:
            admin.close()
    except Exception:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["install", "start", "stop", "status"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("CLEARWAY_KAFKA_PORT", 9092)))
    parser.add_argument("--home", type=Path, default=REPO / ".local" / "kafka")
    parser.add_argument("--cluster-id", default=CLUSTER_ID,
                        help="KRaft cluster id to format new storage with (22 characters, base64)")
    args = parser.parse_args(argv)
    broker = Broker(args.home, args.port, args.cluster_id)
    try:
        if args.action == "install":
            print(f"Kafka jars in {install()}")
        elif args.action == "start":
            took = broker.start()
            print(f"Kafka broker ready on {broker.bootstrap} in {took:.1f}s (log: {broker.log_file})")
        elif args.action == "stop":
            print("Kafka broker stopped" if broker.stop() else "Kafka broker was not running")
        else:
            pid = broker.pid()
            print(f"running, pid {pid}, {broker.bootstrap}, cluster {broker.formatted_cluster_id()}"
                  if pid else "not running")
            return 0 if pid else 3
    except BrokerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
