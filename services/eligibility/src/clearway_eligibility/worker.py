"""The eligibility worker: a faust-streaming app around ``service.determine``.

Why faust: the design fixes it for the stream processor; we keep it thin. The agent
decodes a case, calls the service, and publishes the determination to the main topic
and to the jurisdiction's court feed. Guarantees:

- at-least-once (faust's default; its exactly_once mode is unreliable), with the
  offset committed only after the determination is acknowledged by the broker;
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

import datetime as dt
import json
import logging

import faust
from opentelemetry.trace import Status, StatusCode

from clearway import events, topics, tracing
from clearway.determinations import eligible_count
from clearway.v1 import case_pb2

from clearway_eligibility import service
from clearway_eligibility.config import EligibilitySettings
from clearway_eligibility.domain.model import Policy

log = logging.getLogger(__name__)
GROUP = "clearway-eligibility"


def create_app(settings: EligibilitySettings, on_ready=None) -> faust.App:
    """Build the app; ``on_ready()`` is called once the worker has started its agents."""
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
        consumer_auto_offset_reset="earliest",
        broker_commit_every=100,
        broker_commit_interval=1.0,
        producer_acks=-1,
        # faust's own logs go through our JSON handler (set up by clearway.logs).
        loghandlers=list(logging.getLogger().handlers),
    )
    raw = dict(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    cases = app.topic(topics.CASES, partitions=settings.partitions, **raw)
    determinations = app.topic(topics.DETERMINATIONS, **raw)
    rejected = app.topic(topics.ELIGIBILITY_REJECTED, **raw)
    feeds = {j: app.topic(topics.court_feed(j), **raw) for j in settings.court_feeds}
    determined = events.RecentIds(capacity=100_000)

    async def send(topic: faust.TopicT, key: str, message) -> None:
        with tracing.producer_span(tracer, topic.get_topic_name()):
            headers = events.record_headers(message) + tracing.inject_headers()
            sent = await topic.send(key=key.encode(), value=message.SerializeToString(),
                                    headers=headers)
            await sent  # acknowledged before the input's offset can be committed

    @app.agent(cases)
    async def determine_cases(stream):
        async for event in stream.events():
            message = event.message
            with tracing.consumer_span(tracer, topics.CASES, message.headers, group=GROUP,
                                       partition=message.partition,
                                       offset=message.offset) as span:
                try:
                    case = events.decode(case_pb2.CaseSubmitted, event.value, message.headers)
                except events.UndecodableRecord as exc:
                    await _reject(str(exc), message, None)
                    continue
                envelope = case.envelope
                tracing.set_attributes(span, {"clearway.event_id": envelope.event_id,
                                              "clearway.case_id": envelope.case_id,
                                              "clearway.batch_id": envelope.batch_id,
                                              "clearway.person_id": case.person.person_id})
                if envelope.event_id in determined:
                    tracing.set_attributes(span, {"clearway.duplicate": True})
                    continue
                compute_date = settings.compute_date or dt.datetime.now(dt.timezone.utc).date()
                try:
                    made = service.determine(case, policy, policy_id, compute_date)
                except service.NoRulePack as exc:
                    await _reject(str(exc), message, envelope)
                    continue
                except Exception as exc:  # a bug must not stop the stream: dead-letter the case
                    span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                    log.exception("determination failed", extra={"case_id": envelope.case_id})
                    await _reject(f"{type(exc).__name__} while applying the rule pack", message, envelope)
                    continue
                eligible = eligible_count(made)
                tracing.set_attributes(span, {
                    "clearway.rule_pack": made.rule_pack.id,
                    "clearway.rule_pack.version": made.rule_pack.version,
                    "clearway.convictions": len(made.convictions),
                    "clearway.convictions.eligible": eligible})
                await send(determinations, made.person_id, made)
                feed = feeds.get(envelope.jurisdiction)
                if feed is not None:
                    await send(feed, made.person_id, made)
                determined.add(envelope.event_id)
                log.info("determined", extra={"case_id": envelope.case_id,
                                              "event_id": made.envelope.event_id,
                                              "count": len(made.convictions)})

    async def _reject(reason: str, message, envelope) -> None:
        letter = events.dead_letter(
            source="eligibility", reason=reason, original=message.value or b"",
            original_topic=message.topic, original_partition=message.partition,
            original_offset=message.offset, cause=envelope)
        log.warning("dead-lettered a case", extra={"reason": reason, "offset": message.offset})
        await send(rejected, letter.envelope.case_id or letter.envelope.event_id, letter)

    if on_ready is not None:
        @app.task
        async def report_ready():
            on_ready()

    return app
