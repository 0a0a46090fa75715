"""A content-addressed document store on the local filesystem.

Documents are named by the SHA-256 of their bytes, so a replayed event that
renders the same document finds it already stored and gets the same location;
no bookkeeping is needed to stay idempotent.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DocumentStore", "StoredDocument"]

_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,16}$")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """Where a document is and how to check it: what a petitions.v1 Document carries."""

    sha256: str
    location: str
    size_bytes: int
    path: Path


class DocumentStore:
    """Files under root/<sha[:2]>/<sha><suffix>; the two-character fan-out keeps directories small.

    Files are created owner-read/write only (0600): the documents hold personal data.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def path_for(self, sha256: str, suffix: str = ".pdf") -> Path:
        """The path a document with this hash has (or would have) in the store."""
        if not _SHA256_HEX.match(sha256):
            raise ValueError(f"not a lower-case hex SHA-256: {sha256!r}")
        _check_suffix(suffix)
        return self.root / sha256[:2] / f"{sha256}{suffix}"

    def put(self, content: bytes, suffix: str = ".pdf") -> StoredDocument:
        """Store the bytes once; storing the same bytes again returns the same document untouched."""
        sha256 = hashlib.sha256(content).hexdigest()
        path = self.path_for(sha256, suffix)
        if not (path.is_file() and path.stat().st_size == len(content)):
            _write_atomically(path, content)
        return StoredDocument(
            sha256=sha256, location=path.as_uri(), size_bytes=len(content), path=path
        )

    def get(self, sha256: str, suffix: str = ".pdf") -> bytes:
        """The stored bytes, checked against their name so corruption is not passed on."""
        content = self.path_for(sha256, suffix).read_bytes()
        actual = hashlib.sha256(content).hexdigest()
        if actual != sha256:
            raise ValueError(f"stored document {sha256} is corrupt (content hashes to {actual})")
        return content


def _check_suffix(suffix: str) -> None:
    if not _SUFFIX.match(suffix):
        raise ValueError(f"suffix must look like '.pdf', got {suffix!r}")


def _write_atomically(path: Path, content: bytes) -> None:
    """Readers see either no file or the whole file, never a partial write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as temp_file:
            temp_file.write(content)
            temp_file.flush()
            os.fsync(temp_file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; not every platform can open a directory."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
