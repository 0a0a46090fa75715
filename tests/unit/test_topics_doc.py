"""docs/topics.md states every topic's partitions and retention as the code sets them."""

from __future__ import annotations

import re
from pathlib import Path

from clearway import topics

DOC = Path(__file__).resolve().parents[2] / "docs" / "topics.md"
FEED_ROW = "clearway.determinations.v1.<state>.<county>"


def _rows() -> dict[str, tuple[int, int]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `([^`]+)` \|.*\| (\d+) \| (\d+) days \|$", line)
        if match:
            rows[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    return rows


def test_every_topic_is_documented_with_its_partitions_and_retention():
    rows = _rows()
    feeds = {topics.court_feed(j) for j in topics.DEFAULT_COURT_FEEDS}
    for spec in topics.all_topics():
        name = FEED_ROW if spec.name in feeds else spec.name
        assert name in rows, f"{name} is not in docs/topics.md"
        assert rows[name] == (spec.partitions, spec.retention_days), name


def test_the_doc_lists_no_topic_the_code_does_not_have():
    names = {spec.name for spec in topics.all_topics()} | {FEED_ROW}
    assert set(_rows()) <= names
