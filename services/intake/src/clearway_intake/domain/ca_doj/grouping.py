"""Group DOJ rows by SUBJECT_ID over whole files, in bounded memory.

Why: the rows of one SUBJECT_ID may be anywhere in a file, or spread over
several files, and they are still one person (but for gogen, which judges each
file alone, §1.1: for its rule version ``per_file`` groups by file and
SUBJECT_ID). Holding a whole extract in memory to group it would make memory
grow with the file, so rows are spilled to disk:

1. Stream the rows (files in the given order) and append each `Row` to one of N
   partition spool files, chosen by ``crc32(key) % N``, the key being the
   SUBJECT_ID (with the file's number first, ``per_file``). All rows of a
   subject land in the same partition, in input order. A `RowError` is yielded
   at once, so the caller can dead-letter it while the input is still read.
2. Read the partitions back one at a time; within one, collect the frame
   offsets of each subject and yield its rows (file order, then row order).

Memory is one partition (about `PARTITION_BYTES` of input) plus write buffers,
not the input. Output order is deterministic: partition order, then the
subject's first appearance within its partition.

The spool holds personal data: it lives in a private temporary directory
(mode 0700) that is removed when grouping ends, is closed early or fails. It
is made under ``spool_dir`` or else $TMPDIR; that should be a disk, not a
tmpfs, or the spool takes memory after all.

Frame layout (little-endian): payload length, line, index, file number, key
length (u32 each), payload kind (u8), then the key bytes and the payload.
The payload is the fields joined with NUL (decoding is one `split`, far faster
than unpickling 95 strings); a row with a NUL inside a field is pickled instead.
"""

from __future__ import annotations

import math
import os
import pickle
import struct
import tempfile
import zlib
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Sequence

from clearway.ca_doj.columns import SUBJECT_ID
from clearway.ca_doj.reader import Row, RowError, read_rows

__all__ = [
    "MAX_PARTITIONS",
    "PARTITION_BYTES",
    "group_files",
    "group_rows",
    "partition_count",
]

# Input bytes per partition: the most one partition holds in memory when read back.
PARTITION_BYTES = 16 * 1024 * 1024
# Spool files are open together while spilling; this stays well under the usual
# 1024 open-file limit. Beyond MAX_PARTITIONS x PARTITION_BYTES (8 GiB) of input,
# partitions grow instead.
MAX_PARTITIONS = 512
# Write buffers of all partitions together, while spilling.
_WRITE_BUFFER_BYTES = 4 * 1024 * 1024

_HEADER = struct.Struct("<IIIIIB")
_FILE_NUMBER = struct.Struct("<I")  # before the SUBJECT_ID in a per-file key
_SEP = "\x00"
_JOINED, _PICKLED = 0, 1
# Any str round-trips, lone surrogates (from undecodable bytes) included.
_ERRORS = "surrogatepass"


def partition_count(total_bytes: int, partition_bytes: int = PARTITION_BYTES) -> int:
    """Partitions for ``total_bytes`` of input: about ``partition_bytes`` each, at least 1."""
    if partition_bytes <= 0:
        raise ValueError("partition_bytes must be positive")
    return max(1, min(MAX_PARTITIONS, math.ceil(total_bytes / partition_bytes)))


def group_files(paths: Sequence[str | os.PathLike[str]], *, partitions: int | None = None,
                partition_bytes: int = PARTITION_BYTES,
                spool_dir: str | os.PathLike[str] | None = None,
                per_file: bool = False) -> Iterator[list[Row] | RowError]:
    """Read ``paths`` in order and yield each RowError, then each subject's rows.

    ``partitions`` overrides the count derived from the files' total size.
    ``per_file``: each file's subjects are its own, as gogen reads them (see group_rows).
    Close the generator (``contextlib.closing``) if you may stop before the end.
    """
    paths = [Path(p) for p in paths]
    if partitions is None:
        partitions = partition_count(sum(p.stat().st_size for p in paths), partition_bytes)

    def items() -> Iterator[Row | RowError]:
        for path in paths:
            yield from read_rows(path)

    return group_rows(items(), partitions=partitions, spool_dir=spool_dir, per_file=per_file)


def group_rows(items: Iterable[Row | RowError], *, partitions: int = 1,
               spool_dir: str | os.PathLike[str] | None = None,
               per_file: bool = False) -> Iterator[list[Row] | RowError]:
    """Yield each RowError as it is read, then the rows of each SUBJECT_ID as one list.

    A subject's rows come in input order. ``spool_dir`` is where the temporary
    spool directory is made (default: the system's temporary directory).
    ``per_file``: group by (file, SUBJECT_ID), gogen's subjects (§1.1): rows of
    one SUBJECT_ID in two files make two lists.
    """
    if partitions < 1:
        raise ValueError("partitions must be at least 1")
    with tempfile.TemporaryDirectory(prefix="clearway-spool-", dir=spool_dir) as tmp:
        files: list[str] = []
        paths = [Path(tmp) / f"part-{n:04d}" for n in range(partitions)]
        writers: list[BinaryIO] = []
        buffer = max(4096, min(256 * 1024, _WRITE_BUFFER_BYTES // partitions))
        try:
            for path in paths:
                writers.append(open(path, "wb", buffering=buffer))
            yield from _spill(items, writers, files, per_file)
        finally:
            for writer in writers:
                writer.close()
        for path in paths:
            yield from _regroup(path, files)
            path.unlink()


def _spill(items: Iterable[Row | RowError], writers: list[BinaryIO],
           files: list[str], per_file: bool) -> Iterator[RowError]:
    """Append every Row to its partition; pass RowErrors through."""
    file_numbers: dict[str, int] = {}
    count = len(writers)
    pack = _HEADER.pack
    crc32 = zlib.crc32
    for item in items:
        if not isinstance(item, Row):
            yield item
            continue
        fields = item.fields
        number = file_numbers.get(item.file)
        if number is None:
            number = file_numbers[item.file] = len(files)
            files.append(item.file)
        key = fields[SUBJECT_ID].encode("utf-8", _ERRORS)
        if per_file:
            key = _FILE_NUMBER.pack(number) + key
        joined = _SEP.join(fields)
        if joined.count(_SEP) == len(fields) - 1:
            payload, kind = joined.encode("utf-8", _ERRORS), _JOINED
        else:
            payload, kind = pickle.dumps(fields, protocol=5), _PICKLED
        writer = writers[crc32(key) % count]
        writer.write(pack(len(payload), item.line, item.index, number, len(key), kind))
        writer.write(key)
        writer.write(payload)


def _regroup(path: Path, files: list[str]) -> Iterator[list[Row]]:
    """Yield the subjects of one partition, in order of first appearance."""
    data = path.read_bytes()
    unpack = _HEADER.unpack_from
    size = _HEADER.size
    offsets: dict[bytes, list[int]] = {}
    at, end = 0, len(data)
    while at < end:
        payload_len, _, _, _, key_len, _ = unpack(data, at)
        start = at + size
        offsets.setdefault(data[start : start + key_len], []).append(at)
        at = start + key_len + payload_len
    for frames in offsets.values():
        rows = []
        for at in frames:
            payload_len, line, index, number, key_len, kind = unpack(data, at)
            start = at + size + key_len
            raw = data[start : start + payload_len]
            if kind == _JOINED:
                fields = raw.decode("utf-8", _ERRORS).split(_SEP)
            else:
                fields = pickle.loads(raw)
            rows.append(Row(files[number], line, index, fields))
        yield rows
