"""The eligibility worker: a faust-streaming app around ``service.determine``.

Why faust: the design fixes it for the stream processor; we keep it thin. The agent
decodes a case, calls the service, and publishes the determination to the main topic
and to the jurisdiction's court feed (there without personal data or bundle lines:
see ``service.court_feed_record``). Guarantees:

- at-least-once (faust's default; its exactly_once mode is unreliable), with the
  offset committed only after the determination is acknowledged by the broker.
  Sends are pipelined: the agent hands a case's records to the producer, which
  batches them, and goes on to the next case; ``AckAfterSend`` acks each case
  (makes its offset committable) only once all its records are acknowledged, in
  order. A record the broker finally refuses (or does not acknowledge within
  CLEARWAY_KAFKA_DELIVERY_TIMEOUT_S) crashes the worker: the case is not
  committed, so it is read again by the next worker, which the process starts
  itself (clearway_eligibility.__main__);
- idempotent on event id: the worker remembers the case events it determined
  recently and skips a redelivered one; across a crash, a redelivered case yields a
  determination with the *same* id (derived from the case event's), which petitions
  and notifications recognise and drop.

Why no faust Table for that memory: with a changelogged table, a worker restarted
after SIGKILL left one partition stalled after table recovery (seen here with faust
0.15.3: committed offset frozen at 7 of 249 while the others finished; faust's
issue tracker has similar recovery hangs, #74, #176). Correctness does not need
the table, since the ids are derived, so we keep the worker stateless.

Trace context is extracted from and injected into record headers here, inside the
agent, so the consumer span is the child of intake's producer span.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Awaitable, Callable, Sequence

import faust
from aiokafka.errors import MessageSizeTooLargeError
from faust.exceptions import ProducerSendError
from opentelemetry.trace import Status, StatusCode

from clearway import bus, events, topics, tracing
from clearway.determinations import eligible_count
from clearway.health import Progress
from clearway.settings import FaultSettings
from clearway.v1 import case_pb2

from clearway_eligibility import service
from clearway_eligibility.config import EligibilitySettings
from clearway_eligibility.domain.model import Policy

log = logging.getLogger(__name__)
GROUP = "clearway-eligibility"
# Cases handed to the producer whose records are not all acknowledged yet, at most.
MAX_CASES_IN_FLIGHT = 2000
# A determination is several kilobytes; aiokafka's default batch (16 KiB) holds one or two.
# Nothing waits for one record's acknowledgement any more, so records may wait 50 ms to
# share a request (a record's timestamp is taken when it is handed over, not when sent).
PRODUCER_BATCH_BYTES = 512 * 1024
PRODUCER_LINGER_MS = 50
# Acks between inline commits (faust's default, stated because it matters): high
# enough that the once-a-second timer commits instead.
COMMIT_EVERY = 10_000
# Fetched bytes per partition per request (faust's default: 1 MiB). Most cases are
# ~6 KiB, but one record may be as large as a topic takes (a person with 10,000
# DOJ rows is ~11 MB): a fetch must be able to hold the largest whole.
CONSUMER_FETCH_BYTES = topics.MAX_MESSAGE_BYTES


class AckAfterSend:
    """Acks each event once every record sent for it is acknowledged by the broker.

    ``add(event, sends)`` takes the futures of the records made for one input event
    and returns at once (unless ``window`` events are already waiting: then it waits,
    which bounds memory). A task settles them in input order and acks each event
    after its last record; faust commits only acked offsets. If a record fails, no
    later event is acked and ``on_failure(exc)`` is awaited (the worker crashes),
    so the input is read again after a restart rather than lost.
    """

    def __init__(self, ack: Callable[[object], Awaitable],
                 on_failure: Callable[[BaseException], Awaitable],
                 window: int = MAX_CASES_IN_FLIGHT, progress: Progress | None = None):
        self._ack = ack
        self._on_failure = on_failure
        # For health: cases handed over and not acked are pending work; an ack is progress.
        self.progress = progress or Progress()
        self._queue: asyncio.Queue = asyncio.Queue(maxsize=window)
        self._task = asyncio.ensure_future(self._run())
        self.failure: BaseException | None = None

    async def add(self, event, sends: Sequence[Awaitable]) -> None:
        if self.failure is not None:
            raise self.failure
        self.progress.working()
        await self._queue.put((event, sends))

    async def _run(self) -> None:
        while True:
            event, sends = await self._queue.get()
            try:
                for sent in sends:
                    await sent
                await self._ack(event)
                self.progress.advanced(pending=self._queue.qsize() > 0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure stops acking: nothing after it is committed
                self.failure = exc
                log.error("a record was not acknowledged by Kafka; its case stays uncommitted",
                          extra={"reason": type(exc).__name__})
                await self._on_failure(exc)
                return
            self._queue.task_done()

    async def drain(self, timeout_s: float = 30.0) -> None:
        """Wait until every event added so far is acked (or acking has stopped)."""
        join = asyncio.ensure_future(self._queue.join())
        await asyncio.wait([join, self._task], timeout=timeout_s,
                           return_when=asyncio.FIRST_COMPLETED)
        join.cancel()

    def close(self) -> None:
        self._task.cancel()


def cases_waiting(assigned, highwater_of: Callable[[object], int | None], next_offsets: dict) -> bool:
    """Whether cases are known to wait in Kafka for this worker (health: lag).

    Known: the last fetch of an assigned partition saw a high watermark beyond the
    next offset the agent would read there.
    """
    for tp in assigned:
        highwater = highwater_of(tp)
        if highwater is not None and tp in next_offsets and highwater > next_offsets[tp]:
            return True
    return False


def create_app(settings: EligibilitySettings, on_ready=None, progress: Progress | None = None,
               faults: FaultSettings | None = None) -> faust.App:
    """Build the app; ``on_ready()`` is called once the worker has started its agents.

    ``progress`` learns of every case handed to the producer and every ack (health).
    Kafka waits are bounded by ``faults``: requests by its Kafka timeout, a record's
    delivery by its delivery timeout (after which the worker crashes and its
    supervisor, clearway_eligibility.__main__, starts another).
    """
    faults = faults or FaultSettings.from_env()
    policy = Policy.from_json(json.loads(settings.policy_path.read_text()))
    policy_id = settings.policy_path.stem
    tracer = tracing.tracer("clearway.eligibility")

    app = faust.App(
        GROUP,
        broker=[f"kafka://{server}" for server in settings.bus.bootstrap_servers.split(",")],
        store=settings.store,
        topic_partitions=settings.partitions,
        processing_guarantee="at_least_once",
        web_enabled=False,
        # A crashed worker's partitions return after this, not after faust's 60 s default.
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.session_timeout_s / 3),
        # No Kafka request waits longer than this (faust's default: 90 s); faust
        # wants it no shorter than the session timeout.
        broker_request_timeout=max(faults.kafka_timeout_s, settings.session_timeout_s),
        # A record not acknowledged by then fails (faust's default: 20 minutes).
        producer_request_timeout=faults.delivery_timeout_s,
        consumer_auto_offset_reset="earliest",
        # Offsets are committed by faust's timer, once a second. A commit every N
        # acks runs inline in the consumer's feeder and flushes the producer, which
        # waits out the linger each time: every 100 acks capped the worker near
        # 1,750 cases/s (scripts/bench_bus_floor.py). A crash redelivers what was
        # not committed (up to a second of acked cases and those still in flight);
        # their determinations keep their derived event ids, which petitions and
        # notifications recognise.
        broker_commit_every=COMMIT_EVERY,
        broker_commit_interval=1.0,
        # No leader-election topic: this app uses no tables or leader-only timers.
        # Its idle partition made aiokafka's fetcher wait out faust's 1.5 s long
        # poll between batches of input. On scripts/bench_bus_floor.py all these
        # settings together took a bare forward from 11-12 s to 4.7 s.
        topic_disable_leader=True,
        consumer_max_fetch_size=CONSUMER_FETCH_BYTES,
        producer_acks=-1,
        producer_max_batch_size=PRODUCER_BATCH_BYTES,
        producer_linger_ms=PRODUCER_LINGER_MS,
        # The largest determination is about the size of its case (clearway.topics).
        producer_max_request_size=topics.MAX_MESSAGE_BYTES,
        # faust's own logs go through our JSON handler (set up by clearway.logs).
        loghandlers=list(logging.getLogger().handlers),
    )
    raw = dict(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    cases = app.topic(topics.CASES, partitions=settings.partitions, **raw)
    determinations = app.topic(topics.DETERMINATIONS, **raw)
    rejected = app.topic(topics.ELIGIBILITY_REJECTED, **raw)
    feeds = {j: app.topic(topics.court_feed(j), **raw) for j in settings.court_feeds}
    determined = events.RecentIds(capacity=100_000)
    progress = progress or Progress()
    next_offsets: dict = {}  # partition -> offset after the last case handed to the agent

    async def send(topic: faust.TopicT, key: str, message, value: bytes | None = None):
        """Hand one record to the producer; returns the future of its acknowledgement."""
        with bus.traced_record(tracer, topic.get_topic_name(), message, value) as (record, headers):
            return await topic.send(key=key.encode(), value=record, headers=headers)

    async def crash(exc: BaseException) -> None:
        # faust's own answer to a producer that cannot deliver: the worker stops with the
        # error, uncommitted cases are read again after the restart.
        await app.crash(exc)

    @app.agent(cases)
    async def determine_cases(stream):
        manual = stream.noack()  # events are acked by AckAfterSend, not when the loop moves on
        acks = AckAfterSend(manual.ack, crash, progress=progress)
        try:
            async for event in manual.events():
                await acks.add(event, await _determine(event))
        finally:
            await acks.drain()
            acks.close()

    async def _determine(event) -> list:
        """Determine one case; returns the futures of the records sent for it."""
        message = event.message
        next_offsets[message.tp] = message.offset + 1
        with tracing.consumer_span(tracer, topics.CASES, message.headers, group=GROUP,
                                   partition=message.partition,
                                   offset=message.offset) as span:
            try:
                case = events.decode(case_pb2.CaseSubmitted, event.value, message.headers)
            except events.UndecodableRecord as exc:
                return await _reject(str(exc), message, None)
            envelope = case.envelope
            tracing.set_attributes(span, {"clearway.event_id": envelope.event_id,
                                          "clearway.case_id": envelope.case_id,
                                          "clearway.batch_id": envelope.batch_id,
                                          "clearway.person_id": case.person.person_id})
            if envelope.event_id in determined:
                tracing.set_attributes(span, {"clearway.duplicate": True})
                return []
            compute_date = settings.compute_date or dt.datetime.now(dt.timezone.utc).date()
            try:
                made = service.determine(case, policy, policy_id, compute_date)
            except service.CannotJudge as exc:
                return await _reject(str(exc), message, envelope)
            except Exception as exc:  # a bug must not stop the stream: dead-letter the case
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                log.exception("determination failed", extra={"case_id": envelope.case_id})
                return await _reject(f"{type(exc).__name__} while applying the rule pack",
                                     message, envelope)
            eligible = eligible_count(made)
            tracing.set_attributes(span, {
                "clearway.rule_pack": made.rule_pack.id,
                "clearway.rule_pack.version": made.rule_pack.version,
                "clearway.convictions": len(made.convictions),
                "clearway.convictions.eligible": eligible})
            feed = feeds.get(envelope.jurisdiction)
            try:
                sends = [await send(determinations, made.person_id, made)]
                if feed is not None:
                    sends.append(await send(feed, made.person_id, made, service.court_feed_record(made)))
            except ProducerSendError as exc:
                cause = exc.__cause__ or exc
                span.set_status(Status(StatusCode.ERROR, type(cause).__name__))
                if isinstance(cause, MessageSizeTooLargeError):
                    # Refused before sending: larger than a request may be, so it never will be.
                    return await _reject(f"{type(cause).__name__} publishing the determination",
                                         message, envelope)
                await crash(exc)  # anything else may pass: read the case again after a restart
                raise
            determined.add(envelope.event_id)
            log.info("determined", extra={"case_id": envelope.case_id,
                                          "event_id": made.envelope.event_id,
                                          "count": len(made.convictions)})
            return sends

    async def _reject(reason: str, message, envelope) -> list:
        letter = events.dead_letter(
            source="eligibility", reason=reason, original=message.value or b"",
            original_topic=message.topic, original_partition=message.partition,
            original_offset=message.offset, cause=envelope)
        log.warning("dead-lettered a case", extra={"reason": reason, "offset": message.offset})
        return [await send(rejected, events.dead_letter_key(letter), letter)]

    @app.timer(interval=1.0)
    async def report_lag() -> None:
        # Cases waiting in Kafka are pending work too: with the broker away and nothing
        # in flight, health must not say SERVING while they wait.
        try:
            waiting = cases_waiting(app.consumer.assignment(), app.consumer.highwater, next_offsets)
        except Exception:  # no consumer or assignment yet: nothing known to wait
            return
        if waiting:
            progress.working()

    if on_ready is not None:
        @app.task
        async def report_ready():
            on_ready()

    return app
