"""Clearway's shared library: what every service needs and nothing more.

- ``clearway.v1``: generated protobuf and gRPC code (from ``protos/``; never edit).
- ``clearway.topics``: the topics, their partitions and retention, and the admin step.
- ``clearway.events``: envelopes, event ids and the Kafka record codec.
- ``clearway.bus``: kafka-python producers and a transactional consume-process-produce loop.
- ``clearway.tracing``: OpenTelemetry setup and W3C context over Kafka headers.
- ``clearway.logs``: JSON logs stamped with trace and span ids.
"""
