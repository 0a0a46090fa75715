"""The Kubernetes manifests grant and declare what the code uses.

Why: in production no service may create topics (kafka-users.yaml), so a topic
the code adds but deploy/k8s/kafka.yaml lacks, or a right a principal lacks,
only shows when a service crash-loops at startup. clearway.batches.v1 did.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from clearway import topics
from clearway_eligibility.worker import GROUP as ELIGIBILITY_GROUP
from clearway_petitions.__main__ import BUNDLES_GROUP, FILINGS_GROUP

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"


def _documents(name: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")) if doc]


def _declared_topics() -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc["spec"]
            for doc in _documents("kafka.yaml") if doc["kind"] == "KafkaTopic"}


def _acls(user: str) -> list[dict]:
    (doc,) = [d for d in _documents("kafka-users.yaml")
              if d["kind"] == "KafkaUser" and d["metadata"]["name"] == user]
    return doc["spec"]["authorization"]["acls"]


def _allowed(user: str, topic: str, operation: str, kind: str = "topic") -> bool:
    for acl in _acls(user):
        resource = acl["resource"]
        if resource["type"] != kind or operation not in acl["operations"]:
            continue
        name, pattern = resource["name"], resource.get("patternType", "literal")
        if (pattern == "literal" and name == topic) or (pattern == "prefix" and topic.startswith(name)):
            return True
    return False


def test_every_topic_of_the_code_is_declared_with_its_partitions_and_retention():
    declared = _declared_topics()
    for spec in topics.all_topics():
        assert spec.name in declared, f"{spec.name} is missing from deploy/k8s/kafka.yaml"
        assert declared[spec.name]["partitions"] == spec.partitions, spec.name
        assert str(declared[spec.name]["config"]["retention.ms"]) == spec.config()["retention.ms"], spec.name
        assert declared[spec.name]["config"]["cleanup.policy"] == spec.cleanup_policy, spec.name


def test_no_topic_is_declared_that_the_code_does_not_use():
    assert set(_declared_topics()) == {spec.name for spec in topics.all_topics()}


# What each service reads and writes, and its consumer groups (see each service's
# __main__ and the intake publisher; intake's read model follows its topics without a group).
USES = {
    "clearway-intake": {
        "Write": (topics.CASES, topics.BATCHES, topics.INTAKE_REJECTED, topics.INTAKE_REQUESTS),
        "Read": (topics.DETERMINATIONS, topics.PETITIONS, topics.NOTIFICATIONS,
                 topics.INTAKE_REQUESTS),
    },
    "clearway-eligibility": {
        "Write": (topics.DETERMINATIONS, topics.ELIGIBILITY_REJECTED,
                  *(topics.court_feed(j) for j in topics.DEFAULT_COURT_FEEDS)),
        "Read": (topics.CASES,),
        "groups": (ELIGIBILITY_GROUP,),
    },
    "clearway-petitions": {
        "Write": (topics.PETITIONS, topics.PETITIONS_REJECTED),
        "Read": (topics.DETERMINATIONS, topics.BATCHES, topics.PETITIONS),
        "groups": (FILINGS_GROUP, BUNDLES_GROUP),
    },
    "clearway-notifications": {
        "Write": (topics.NOTIFICATIONS, topics.NOTIFICATIONS_REJECTED, topics.NOTIFICATIONS_RETRY),
        "Read": (topics.DETERMINATIONS, topics.PETITIONS, topics.NOTIFICATIONS,
                 topics.NOTIFICATIONS_RETRY),
        "groups": ("clearway-notifications", "clearway-notifications-retry"),
    },
}


@pytest.mark.parametrize("user", sorted(USES))
def test_each_service_may_use_its_topics_and_describe_all(user):
    for operation in ("Read", "Write"):
        for topic in USES[user][operation]:
            assert _allowed(user, topic, operation), f"{user} may not {operation} {topic}"
    for group in USES[user].get("groups", ()):
        assert _allowed(user, group, "Read", kind="group"), f"{user} may not join group {group}"
    for spec in topics.all_topics():  # ensure_topics checks at startup that all exist
        assert _allowed(user, spec.name, "Describe"), f"{user} may not Describe {spec.name}"


@pytest.mark.parametrize("user", sorted(USES))
def test_no_service_may_create_topics(user):
    assert not any("Create" in acl["operations"] or "All" in acl["operations"] for acl in _acls(user))


def test_a_court_reads_only_its_own_feed():
    feed = topics.court_feed("ca/sacramento")
    assert _allowed("court-ca-sacramento", feed, "Read")
    assert not _allowed("court-ca-sacramento", topics.court_feed("ca/los-angeles"), "Read")
    assert not _allowed("court-ca-sacramento", topics.DETERMINATIONS, "Read")


def test_every_broker_takes_the_largest_record_the_code_sends():
    """One size for broker, topics, producers and consumers: clearway.topics.MAX_MESSAGE_BYTES.

    The Kubernetes topics declare no size of their own, so the cluster's is theirs."""
    (cluster,) = [d for d in _documents("kafka.yaml") if d["kind"] == "Kafka"]
    config = cluster["spec"]["kafka"]["config"]
    assert config["message.max.bytes"] == topics.MAX_MESSAGE_BYTES
    assert config["replica.fetch.max.bytes"] >= topics.MAX_MESSAGE_BYTES
    assert not any("max.message.bytes" in spec.get("config", {}) for spec in _declared_topics().values())
    compose = yaml.safe_load((K8S.parents[1] / "docker-compose.yml").read_text(encoding="utf-8"))
    assert compose["services"]["kafka"]["environment"]["KAFKA_MESSAGE_MAX_BYTES"] == topics.MAX_MESSAGE_BYTES
    local = (K8S.parent / "local" / "kafka" / "server.properties.in").read_text(encoding="utf-8")
    assert f"message.max.bytes={topics.MAX_MESSAGE_BYTES}\n" in local


def test_every_kafka_python_consumer_and_producer_takes_the_largest_record():
    from clearway.bus import consumer_settings

    assert consumer_settings(5)["max_partition_fetch_bytes"] >= topics.MAX_MESSAGE_BYTES
    assert consumer_settings(5)["fetch_max_bytes"] >= topics.MAX_MESSAGE_BYTES
    from clearway_eligibility.worker import CONSUMER_FETCH_BYTES

    assert CONSUMER_FETCH_BYTES >= topics.MAX_MESSAGE_BYTES
