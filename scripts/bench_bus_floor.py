#!/usr/bin/env python3
"""What one Kafka event per case costs at least on this machine (prints figures).

The pipeline sends each case as one event through a faust agent (design.md). This
measures that transport alone, with nothing of Clearway in it: no decoding, no
rules, no tracing, no logging. On a fresh local broker it

1. produces N records of SIZE bytes with kafka-python (as intake does), and
2. runs a bare faust worker whose agent forwards every record to a second topic
   (as eligibility does), timed from its first forwarded record to its last.

Whatever the pipeline does per case comes on top of these figures, so they bound
from below how fast N cases can go from intake to their determinations.

    scripts/bench_bus_floor.py                    # 20,474 records of 3,000 bytes
    scripts/bench_bus_floor.py --records 100000 --size 500
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

from clearway import bus
from clearway.devstack import Broker, free_ports
from clearway_eligibility import worker as eligibility

PARTITIONS = 4
SOURCE, TARGET = "floor.in", "floor.out"

AGENT = textwrap.dedent('''
    import faust
    # The eligibility worker's client settings (clearway_eligibility.worker), so the two compare.
    app = faust.App("bus-floor", broker="kafka://{bootstrap}", web_enabled=False,
                    topic_partitions={partitions}, consumer_auto_offset_reset="earliest",
                    producer_acks=-1, producer_linger_ms={linger}, producer_max_batch_size={batch},
                    broker_commit_every={commit_every}, broker_commit_interval=1.0,
                    topic_disable_leader=True, consumer_max_fetch_size={fetch})
    raw = dict(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    source, target = app.topic("{source}", **raw), app.topic("{target}", **raw)

    @app.agent(source)
    async def forward(stream):
        async for event in stream.events():
            await target.send(key=event.key, value=event.value)
''')


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def produce(bootstrap: str, records: int, size: int) -> tuple[float, float]:
    payload = os.urandom(size)
    began, cpu = time.perf_counter(), time.process_time()
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=bus.LINGER_MS,
                             batch_size=bus.BATCH_BYTES)
    for n in range(records):
        producer.send(SOURCE, key=str(n).encode(), value=payload)
    producer.flush()
    producer.close()
    return time.perf_counter() - began, time.process_time() - cpu


def forward(bootstrap: str, records: int, workdir: Path, timeout_s: float) -> tuple[float, float, float]:
    """(seconds to the first forwarded record, seconds from it to the last, worker CPU seconds)."""
    (workdir / "floor_app.py").write_text(AGENT.format(
        bootstrap=bootstrap, partitions=PARTITIONS, linger=eligibility.PRODUCER_LINGER_MS,
        batch=eligibility.PRODUCER_BATCH_BYTES, commit_every=eligibility.COMMIT_EVERY,
        fetch=eligibility.CONSUMER_FETCH_BYTES, source=SOURCE, target=TARGET))
    began = time.perf_counter()
    with open(workdir / "worker.log", "wb") as log:
        worker = subprocess.Popen([sys.executable, "-m", "faust", "-A", "floor_app", "worker", "-l", "warn"],
                                  cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        parts = [TopicPartition(TARGET, p) for p in range(PARTITIONS)]
        first = None
        while True:
            if worker.poll() is not None:
                raise RuntimeError(f"the faust worker exited; see {workdir / 'worker.log'}")
            if time.perf_counter() - began > timeout_s:
                raise TimeoutError(f"not all {records:,} records forwarded after {timeout_s:.0f}s")
            forwarded = sum(consumer.end_offsets(parts).values())
            now = time.perf_counter()
            if forwarded and first is None:
                first = now
            if forwarded >= records:
                return first - began, now - first, cpu_seconds(worker.pid)
            time.sleep(0.1)
    finally:
        consumer.close()
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_474, help="records (default: the 200k benchmark's cases)")
    parser.add_argument("--size", type=int, default=3_000, help="bytes per record (about a CaseSubmitted)")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="clearway-bus-floor-"))
    broker = Broker(workdir / "kafka", free_ports(1, pair_first=True)[0])
    try:
        broker.start()
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap)
        admin.create_topics([NewTopic(SOURCE, PARTITIONS, 1), NewTopic(TARGET, PARTITIONS, 1)])
        admin.close()
        wall, cpu = produce(broker.bootstrap, args.records, args.size)
        print(f"kafka-python produces {args.records:,} records of {args.size:,} B: "
              f"{wall:.2f} s ({args.records / wall:,.0f}/s), {cpu:.2f} s CPU")
        startup, seconds, worker_cpu = forward(broker.bootstrap, args.records, workdir, args.timeout)
        print(f"bare faust agent forwards them: {seconds:.2f} s from the first to the last "
              f"({args.records / seconds:,.0f}/s; worker started in {startup:.1f} s, "
              f"{worker_cpu:.2f} s CPU including its start)")
    finally:
        broker.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
