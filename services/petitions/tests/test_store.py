"""The document store names content by its SHA-256 and stores each content once."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from clearway_petitions.domain.store import DocumentStore, StoredDocument

CONTENT = b"%PDF-1.4\n% not a real petition, just bytes\n%%EOF\n"


def test_put_then_read_back(tmp_path: Path):
    store = DocumentStore(tmp_path)

    stored = store.put(CONTENT)

    sha256 = hashlib.sha256(CONTENT).hexdigest()
    assert stored.sha256 == sha256
    assert stored.size_bytes == len(CONTENT)
    assert stored.path == tmp_path.resolve() / sha256[:2] / f"{sha256}.pdf"
    assert stored.location == stored.path.as_uri()
    assert stored.location.startswith("file:///")
    assert stored.path.read_bytes() == CONTENT
    assert store.get(sha256) == CONTENT


def test_putting_the_same_bytes_twice_is_a_no_op(tmp_path: Path):
    store = DocumentStore(tmp_path)
    first = store.put(CONTENT)
    written_at = first.path.stat().st_mtime_ns
    os.utime(first.path, ns=(written_at - 10**9, written_at - 10**9))

    second = store.put(CONTENT)

    assert second == first
    assert second.path.stat().st_mtime_ns == written_at - 10**9  # not rewritten
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [first.path]  # no temp files left behind


def test_different_content_gets_a_different_location(tmp_path: Path):
    store = DocumentStore(tmp_path)

    assert store.put(CONTENT).location != store.put(CONTENT + b" ").location


def test_suffix_names_the_file(tmp_path: Path):
    content = b"a,b\n"

    stored = DocumentStore(tmp_path).put(content, suffix=".csv")

    assert stored.path.name == hashlib.sha256(content).hexdigest() + ".csv"


@pytest.mark.parametrize("suffix", ["pdf", "../x", ".p/df", ""])
def test_unsafe_suffixes_are_refused(tmp_path: Path, suffix: str):
    with pytest.raises(ValueError):
        DocumentStore(tmp_path).put(CONTENT, suffix=suffix)


def test_get_refuses_corrupt_content(tmp_path: Path):
    store = DocumentStore(tmp_path)
    stored = store.put(CONTENT)
    stored.path.write_bytes(b"tampered")

    with pytest.raises(ValueError):
        store.get(stored.sha256)


def test_stored_document_is_a_value():
    assert StoredDocument("a", "file:///a", 1, Path("/a")) == StoredDocument("a", "file:///a", 1, Path("/a"))
