"""Offline evaluation of CA DOJ research files: `clearway evaluate`.

Runs the eligibility service's own domain code (doj_rows → prop64 → report)
over whole files and writes gogen's bundle. Built for files of millions of
rows on a small machine, in memory that does not grow with the input:

1. plan: cut each file into chunks at record boundaries (quote-aware);
2. read (in parallel): parse each chunk once, write its output lines as if no
   row were judged (copying each input line Go would write back unchanged),
   and spill the few fields the rules read, partitioned by SUBJECT_ID, to disk;
3. judge (in parallel): load one partition at a time, so a person's rows meet
   wherever they were in the files, and judge every person (rows that name
   different people are held for review and counted, see doj_rows);
4. splice (in parallel): put each judged conviction's line into its chunk's
   outputs, which the main process appends in order, as they come, to
   All_Results, All_Results_Condensed and Prop64_Results.

Only a chunk (4 MB of input) or a partition (8 MB of input, as facts) is in
memory at once per worker; the main process keeps a few numbers per chunk.
A line longer than the reader's MAX_LINE_BYTES (1 MiB) is reported as the
streaming reader reports it (RECORD_TOO_LONG, same file and line); one longer
than a chunk is a chunk of its own that nobody reads, found by the cutter in
bounded reads.
"""

from __future__ import annotations

import csv
import datetime
import gc
import itertools
import json
import marshal
import math
import multiprocessing
import operator
import os
import pickle
import re
import shutil
import socket
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clearway.ca_doj import bundle, screen, summary
from clearway.ca_doj import columns as col
from clearway.ca_doj.columns import COLUMNS, NUM_COLUMNS
from clearway.ca_doj.reader import (
    CR_STANDIN,
    MAX_LINE_BYTES,
    RECORD_TOO_LONG,
    SHORT_FILE_ERROR,
    SNIFF_BYTES,
    RecordTooLong,
    count_order_problem,
    data_start,
    go_line_ends,
    gogen_parse_error,
    line_content_length,
    parse_records,
    record_problem,
    restore_cr,
    skip_line,
)

from clearway_eligibility.domain import doj_rows, prop64, report, sections
from clearway_eligibility.domain.model import Policy

CHUNK_BYTES = 4 << 20
# Input bytes per partition: bounds the memory of one judging step.
PARTITION_BYTES = 8 << 20
REJECTED_ROWS = "Rejected_Rows.csv"
IMPACT_REPORT = "Impact_Report.html"
RUN_FACTS = "clearway_run.json"
_RAW_LIMIT = 64 << 10
# Malformed rows held in memory for the caller; the rest only go to disk.
PROBLEMS_KEPT = 1000

SKIP_ROW = "skip-row"
REJECT_FILE = "reject-file"


class EvaluateError(Exception):
    """A run that cannot start (bad input path, unusable output folder)."""


class UnusableInput(EvaluateError):
    """Input files that cannot be CA DOJ research files at all: nothing is judged or written."""

    def __init__(self, files: list[screen.UnusableFile]) -> None:
        super().__init__("; ".join(map(str, files)))
        self.files = files


@dataclass(frozen=True)
class Options:
    county: str
    compute_date: datetime.date
    policy: Policy
    rules: prop64.RuleVersion
    # What a malformed row costs: just that row (dead-lettered to
    # Rejected_Rows.csv), or, as gogen, the whole file.
    on_bad_row: str = SKIP_ROW
    workers: int = 0  # 0: one per CPU
    # gogen's summary reads the wall clock in two places (§4.3-§4.4).
    now: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    chunk_bytes: int = CHUNK_BYTES
    partition_bytes: int = PARTITION_BYTES
    policy_name: str = ""


@dataclass(frozen=True)
class RowProblem:
    file: str
    line: int
    field: str  # column name, or "" for the whole record
    reason: str
    record: str = ""


@dataclass
class RunResult:
    rows: int = 0
    rows_written: int = 0
    people: int = 0
    judged: int = 0
    # People whose rows name different people (CII, or name and date of birth, differ).
    identity_conflicts: int = 0
    rows_rejected: int = 0
    # The first PROBLEMS_KEPT of them, in file order; every one is in Rejected_Rows.csv.
    problems: list[RowProblem] = field(default_factory=list)
    # Files rejected whole (REJECT_FILE): path as given -> gogen's error entry.
    file_errors: dict[str, dict[str, str]] = field(default_factory=dict)
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    tally: summary.Tally = field(default_factory=summary.Tally)


# --- 1. plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    number: int
    file_number: int
    path: str
    start: int
    end: int
    first_line: int  # physical line number of the chunk's first line
    # One line longer than MAX_LINE_BYTES and than the block the cutter reads:
    # reported as a record too long, never read.
    too_long: bool = False


def _plan(paths: Sequence[str], options: Options) -> tuple[Iterator[_Chunk], list[int], int]:
    """The chunks of every file (lazily), the header lines per file, and the bytes to read.

    A chunk is cut after a newline outside quotes. The chunks are cut as they are
    asked for: the pool's task thread cuts the rest of a large file while the
    workers read the first chunks (cutting reads the whole file once).
    """
    spans: list[tuple[int, int]] = []
    headers: list[int] = []
    for path in paths:
        with open(path, "rb") as fh:
            # gogen: a BOM defeats header detection (quirk, §1.1); corrected: ignored.
            start, header = data_start(fh, skip_bom=options.rules.corrected)
            spans.append((start, os.fstat(fh.fileno()).st_size))
            headers.append(header)
    total_bytes = sum(size - start for start, size in spans)
    return _cut_chunks(paths, spans, headers, options.chunk_bytes), headers, total_bytes


def _cut_chunks(paths: Sequence[str], spans: list[tuple[int, int]], headers: list[int],
                chunk_bytes: int) -> Iterator[_Chunk]:
    number = 0
    for file_number, (path, (start, size), header) in enumerate(zip(paths, spans, headers)):
        with open(path, "rb") as fh:
            line = 1 + header
            while start < size:
                end, newlines, too_long = _cut(fh, start, size, chunk_bytes)
                yield _Chunk(number, file_number, path, start, end, line, too_long)
                number += 1
                line += newlines
                start = end


def _cut(fh, start: int, size: int, chunk_bytes: int) -> tuple[int, int, bool]:
    """The chunk that begins at `start`: its end, after a newline with even
    quotes before it, its number of newlines (read once, for both), and
    whether it is one line too long to read.

    When no record ends within the block (at least MAX_LINE_BYTES), either its
    first line is too long, and is a chunk of its own found by skipping to its
    end in bounded reads, or a quote opened on it runs on past any record's
    limit, and the chunk ends at the block's last line end (csv reports the
    runaway field there, as the streaming reader does).
    """
    want = chunk_bytes
    while True:
        fh.seek(start)
        block = fh.read(want)
        if start + len(block) >= size:
            return size, block.count(b"\n"), False
        cut = len(block)
        while True:
            cut = block.rfind(b"\n", 0, cut)
            if cut < 0:
                break
            if block.count(b'"', 0, cut) % 2 == 0:
                return start + cut + 1, block.count(b"\n", 0, cut + 1), False
        if want > MAX_LINE_BYTES + 2:
            break
        want *= 2  # one record longer than the block: look further, as far as a line may go
    first_end = block.find(b"\n")
    if first_end < 0:
        fh.seek(start + len(block))
        return start + len(block) + skip_line(fh), 1, True
    if line_content_length(block[: first_end + 1]) > MAX_LINE_BYTES:
        return start + first_end + 1, 1, True
    last_end = block.rfind(b"\n")
    return start + last_end + 1, block.count(b"\n", 0, last_end + 1), False


# --- 2. read (worker side) -----------------------------------------------------------

_state: dict[str, Any] = {}

# The spool's bulk (facts, candidate lines, judged lines) is tuples, lists and dicts of
# str, int and bool, read back by the same interpreter in the same run: marshal
# writes it about 3x and reads it about 1.4x as fast as pickle does.
_MARSHAL_VERSION = 4


def _init_worker(options: Options, spool: str, partitions: int, files: list[str]) -> None:
    _state.update(options=options, spool=spool, partitions=partitions, files=files)


def _init_pool_worker(*args: Any) -> None:
    # A worker allocates millions of short-lived lists and tuples and makes no
    # reference cycles worth chasing: a rarer cyclic GC saves ~3% of its time.
    gc.set_threshold(50_000, 20, 20)
    _init_worker(*args)


@dataclass
class _ChunkResult:
    number: int
    rows: int
    rejected: int
    problems: list[RowProblem]  # the first PROBLEMS_KEPT; all of them are spooled
    fact_frames: list[tuple[int, int]]  # per partition: (offset, length) in the facts file
    bytes: int


def _read_chunk(chunk: _Chunk) -> _ChunkResult:
    """Parse a chunk; write its lines as if unjudged; spill the rules' facts by partition."""
    if chunk.too_long:
        return _scan(chunk, [], True, one_line_records=False, too_long=True)
    with open(chunk.path, "rb") as fh:
        fh.seek(chunk.start)
        data = fh.read(chunk.end - chunk.start)
        at_eof = chunk.end == os.fstat(fh.fileno()).st_size
    has_cr = b"\r" in data
    text = data.decode("utf-8", "surrogateescape")
    del data
    # Go's csv reader turns every CRLF into LF, inside quoted fields too, and
    # keeps a lone CR as data (here as CR_STANDIN until parsed).
    text = go_line_ends(text, at_eof)
    stood_in = has_cr and CR_STANDIN in text
    ascii_only = text.isascii()
    plain = not stood_in and bundle.is_plain(text)
    # Only the lines are kept (a StringIO would hold the chunk again, four
    # bytes per character).
    lines = text.split("\n")
    del text
    longest = max(map(len, lines))
    too_long = _too_long_lines(lines, longest)
    # str.split knows no field limit: a line that could hold a field over csv's
    # goes to csv, which refuses it as the streaming reader does.
    if plain and not too_long and longest <= csv.field_size_limit():
        try:
            return _scan(chunk, lines, ascii_only, one_line_records=True)
        except csv.Error:
            pass  # a record spans lines or is malformed: the general reader finds it and reads on
    return _scan(chunk, lines, ascii_only, one_line_records=False, plain=plain, stood_in=stood_in,
                 too_long_lines=too_long)


def _too_long_lines(lines: list[str], longest: int) -> frozenset[int]:
    """Indexes of the lines longer than MAX_LINE_BYTES in the file (nearly always none).

    A character is 1 to 4 bytes (a lone CR or an undecodable byte is one), so
    only lines longer than a quarter of the limit are measured, and a chunk
    whose `longest` line is shorter costs nothing more.
    """
    shortest_suspect = MAX_LINE_BYTES // 4
    if longest <= shortest_suspect:
        return frozenset()
    return frozenset(
        i for i, line in enumerate(lines)
        if len(line) > shortest_suspect
        and len(line.replace(CR_STANDIN, "\r").encode("utf-8", "surrogateescape")) > MAX_LINE_BYTES)


class _ChunkLines:
    """A chunk's lines for csv.reader, line ends put back; a line in `too_long`
    raises RecordTooLong in its place, as the streaming reader's line source does."""

    def __init__(self, lines: list[str], too_long: frozenset[int]) -> None:
        self._lines = lines
        self._too_long = too_long
        self.count = 0

    def __iter__(self) -> "_ChunkLines":
        return self

    def __next__(self) -> str:
        number = self.count
        if number >= len(self._lines):
            raise StopIteration
        self.count += 1
        if number in self._too_long:
            raise RecordTooLong
        return self._lines[number] + "\n"


def _records(lines: list[str], stood_in: bool, too_long: frozenset[int] = frozenset()
             ) -> Iterator[tuple[int, str, list[str] | str]]:
    """(index of first line, record as read, fields or why it cannot be parsed), any shape of record."""
    # csv reads the lines with their line ends put back, so quoted fields can span them.
    if too_long:
        source = _ChunkLines(lines, too_long)
        parsed = parse_records(csv.reader(source, strict=True), lines_read=lambda: source.count)
    else:
        parsed = parse_records(csv.reader((line + "\n" for line in lines), strict=True))
    for first, done_lines, fields in parsed:
        if stood_in and not isinstance(fields, str):
            fields = restore_cr(fields)
        yield first, lines[first] if done_lines - first == 1 else "\n".join(lines[first:done_lines]), fields


def _scan(chunk: _Chunk, lines: list[str], ascii_only: bool, *, one_line_records: bool,
          plain: bool = True, stood_in: bool = False, too_long_lines: frozenset[int] = frozenset(),
          too_long: bool = False) -> _ChunkResult:
    """Read a chunk's records; write its lines as if unjudged; spill the rules' facts by partition.

    `one_line_records`: the fast way for a plain chunk (is_plain), pairing each
    line with one record (_split_plain_line); it lets csv.Error out when a record
    spans lines after all or is malformed, so the caller reads the chunk the general way.
    The lines of candidate convictions (in-county Prop 64 CONVICTED rows) are
    kept aside with their parts, so assembly can swap in the judged version.
    A line Go would write back unchanged (nearly all) is copied, not re-encoded.
    `too_long_lines`: the lines that are records too long (_too_long_lines);
    `too_long`: the chunk is one such line, not read (`lines` is empty).
    """
    options: Options = _state["options"]
    spool = Path(_state["spool"])
    partitions: int = _state["partitions"]
    rules = options.rules
    corrected = rules.corrected
    county = options.county
    name = os.path.basename(chunk.path)
    records: Iterable[tuple[int, str, list[str] | str | None]]
    if one_line_records:
        records = zip(itertools.count(), lines, itertools.repeat(None))  # split in the loop
    else:
        records = _records(lines, stood_in, too_long_lines)

    encoder = bundle.LineEncoder()
    # Output pieces since the last candidate: input lines and shared tails, no copies.
    all_pieces: list[str] = []
    cond_pieces: list[str] = []
    all_lengths: list[int] = []
    cond_lengths: list[int] = []
    # Encoded eligibility columns of an unjudged row, by its Possible Other P64 value.
    tails: dict[str, str] = {}
    # Whether a CONVICTED row's charge is a Prop 64 section, by (offense, comment).
    prop64_charge: dict[tuple[str, str], bool] = {}
    condensed = operator.itemgetter(*bundle.CONDENSED_COLUMNS)
    condensed_columns = frozenset(bundle.CONDENSED_COLUMNS)
    # Per partition, each person's facts in row order, under their key.
    facts: list[dict[str, list]] = [{} for _ in range(partitions)]
    facts_of_person: dict[str, list] = {}  # the same lists, for every person seen in this chunk
    problems: list[RowProblem] = []
    candidates: list[tuple[int, str, str, str]] = []
    file_key = f"{chunk.file_number}\x00"
    ref_base = chunk.number << 32
    # Hoisted: this loop runs once per row, millions of times.
    is_go_line, matters, facts_of = bundle.is_go_line, doj_rows.matters, doj_rows.facts_of
    facts_without_identity = doj_rows.facts_without_identity
    cii_column, name_column, dob_column = col.CII_NUMBER, col.PRI_NAME, col.PRI_DOB
    cii_fact, name_fact, dob_fact = doj_rows.F_CII, doj_rows.F_NAME, doj_rows.F_DOB
    subject_column, count_order_column = col.SUBJECT_ID, col.CNT_ORDER
    county_column, disp_column = col.STP_ORI_CNTY_NAME, col.DISP_DESCR
    offense_column, comment_column = col.OFFENSE_DESCR, col.COMMENT_TEXT
    convicted_prefix = doj_rows.CONVICTED_PREFIX
    empty_subject_resets = doj_rows.resets_each_row("", corrected=corrected)
    empty_tail = tails[""] = encoder.line(report.unjudged_columns("", "", rules))
    local = 0
    if too_long:
        problems.append(RowProblem(name, chunk.first_line, "", RECORD_TOO_LONG, ""))
        local = 1

    with open(spool / f"a{chunk.number}", "wb") as all_out, open(spool / f"c{chunk.number}", "wb") as cond_out:
        for first, raw, fields in records:
            if fields is None:
                fields, verbatim, quoted = _split_plain_line(raw)
            if isinstance(fields, str):  # the record could not be parsed: why
                problems.append(RowProblem(name, chunk.first_line + first, "", fields, ""))
                local += 1
                continue
            if not fields:
                continue  # blank line: Go's csv skips it too
            if not one_line_records:
                verbatim = ("\n" not in raw and is_go_line(raw, plain)
                            and not (stood_in and CR_STANDIN in raw))
                quoted = raw.count(",", 0, raw.index('"')) if verbatim and '"' in raw else -1
            # The checks of _check that nearly every row passes, inline.
            if not (
                len(fields) == NUM_COLUMNS
                and verbatim
                and ascii_only
                and len(fields[count_order_column]) >= doj_rows.CASE_KEY_LENGTH
                and (not corrected or fields[subject_column].strip())
            ):
                problem = _check(fields, raw, verbatim, ascii_only, corrected)
                if problem is not None:
                    problems.append(RowProblem(name, chunk.first_line + first, problem[0], problem[1],
                                               _record_text(fields)))
                    local += 1
                    continue

            subject = fields[subject_column]
            convicted = fields[disp_column].startswith(convicted_prefix)
            # gogen judges each file alone (§1.1); the corrected version merges files.
            key = subject if corrected else file_key + subject
            known = facts_of_person.get(key)
            if known is None:
                part = zlib.crc32(key.encode("utf-8", "surrogateescape")) % partitions
                facts[part][key] = facts_of_person[key] = [facts_of(ref_base | local, fields, convicted)]
            elif ((first_fact := known[0])[dob_fact] != fields[dob_column]
                  or first_fact[cii_fact] != fields[cii_column]
                  or first_fact[name_fact] != fields[name_column]):
                # Another identity than the person's first row here: kept, with it, so the
                # judge sees every identity their rows hold (doj_rows.subject_from_facts).
                known.append(facts_of(ref_base | local, fields, convicted))
            elif convicted or matters(fields) or (subject == "" and empty_subject_resets):
                # gogen's empty-SUBJECT_ID pseudo-subject resets on every row, so each of
                # its rows matters. The first fact holds the same identity.
                known.append(facts_without_identity(ref_base | local, fields, convicted))

            offense = fields[offense_column]
            comment = fields[comment_column]
            if "1135" not in comment and "1136" not in comment:
                tail = empty_tail  # possible_other_p64's own first test, without the call
            else:
                possible = sections.possible_other_p64(offense, comment, corrected=corrected)
                tail = tails.get(possible)
                if tail is None:
                    tail = tails[possible] = encoder.line(report.unjudged_columns(offense, comment, rules))
            candidate = False
            if convicted and fields[county_column] == county:
                charge = (offense, comment)
                candidate = prop64_charge.get(charge)
                if candidate is None:
                    candidate = prop64_charge[charge] = sections.is_prop64(
                        sections.extract_code_section(offense, comment, corrected=corrected), corrected=corrected)

            if verbatim:
                all_prefix = raw
                if quoted in condensed_columns:
                    # The one quoted field (it holds a comma): quoted in condensed too.
                    fields[quoted] = f'"{fields[quoted]}"'
                cond_prefix = ",".join(condensed(fields))
            else:
                all_prefix = encoder.line(fields)[:-1]
                cond_prefix = encoder.line(condensed(fields))[:-1]
            if candidate:
                all_lengths.append(_write_segment(all_pieces, all_out))
                cond_lengths.append(_write_segment(cond_pieces, cond_out))
                candidates.append((local, all_prefix, cond_prefix, tail))
            else:
                all_pieces += (all_prefix, ",", tail)
                cond_pieces += (cond_prefix, ",", tail)
            local += 1
        all_lengths.append(_write_segment(all_pieces, all_out))
        cond_lengths.append(_write_segment(cond_pieces, cond_out))

    # The candidates and the segment lengths between them stay in the spool for
    # splicing: what the main process keeps of a chunk must not grow with it.
    with open(spool / f"k{chunk.number}", "wb") as fh:
        marshal.dump((candidates, all_lengths, cond_lengths), fh, _MARSHAL_VERSION)
    frames = []
    with open(spool / f"f{chunk.number}", "wb") as fh:
        for part in facts:
            blob = marshal.dumps(part, _MARSHAL_VERSION)
            frames.append((fh.tell(), len(blob)))
            fh.write(blob)
    if problems:
        with open(spool / f"p{chunk.number}", "wb") as fh:
            pickle.dump(problems, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return _ChunkResult(chunk.number, local, len(problems), problems[:PROBLEMS_KEPT], frames,
                        chunk.end - chunk.start)


def _split_plain_line(line: str) -> tuple[list[str] | str, bool, int]:
    """One line of a plain chunk: (its fields, whether Go writes it back as it is,
    the column of its quoted field or -1).

    The fields are what csv.reader(strict=True) reads. A DOJ line has no quotes,
    or one quoted field: the name, "LAST,FIRST M". Those two shapes are split
    with str.split, which costs less than csv's parser; any other line goes to csv. In a plain
    chunk Go copies a line with no quotes, or with one quoted field holding a
    comma (why it is quoted at all); is_go_line, known true here. A line that
    opens a quote and does not close it raises csv.Error, as csv does: its
    record spans lines, and the caller reads the chunk the general way.
    """
    if '"' not in line:
        return (line.split(",") if line else []), True, -1
    parts = bundle.one_quoted_field(line)
    if parts is None:
        return next(csv.reader((line,), strict=True)), False, -1
    before, inside, after = parts
    fields = before[:-1].split(",") if before else []
    column = len(fields)
    fields.append(inside)
    if after:
        fields += after[1:].split(",")
    if "," in inside:
        return fields, True, column
    return fields, False, -1


def _write_segment(pieces: list[str], out) -> int:
    """Write the text between two candidate lines as bytes; return its length. Empties `pieces`."""
    blob = "".join(pieces).encode("utf-8", "surrogateescape")
    pieces.clear()
    out.write(blob)
    return len(blob)


def _check(fields: list[str], raw: str, verbatim: bool, ascii_only: bool,
           corrected: bool) -> tuple[str, str] | None:
    """(column, reason) when a parsed record is not a usable row. Reasons never quote values."""
    # A line Go writes back as it is has only well-formed quotes; in an ASCII
    # chunk no field can be bad UTF-8.
    problem = record_problem(fields, None if verbatim else raw, utf8_known_good=ascii_only)
    if problem is not None:
        return problem[0] or "", problem[1]
    subject = fields[col.SUBJECT_ID]
    if corrected and not subject.strip():
        # Clause ca-prop64/empty-subject-id.
        return COLUMNS[col.SUBJECT_ID], "empty: the row cannot be tied to a person"
    count_order = count_order_problem(fields)
    if count_order is not None:
        return COLUMNS[col.CNT_ORDER], count_order
    return None


def _record_text(fields: list[str]) -> str:
    """The record as one CSV line (quoted as needed), so it can be read back field for field."""
    text = bundle.LineEncoder().line(fields)[:-1]
    return text[:_RAW_LIMIT]


# --- 3. judge (worker side) ----------------------------------------------------------


@dataclass
class _PartitionResult:
    number: int
    tally: summary.Tally
    people: int
    judged: int
    identity_conflicts: int
    # per chunk: (offset, length) of its judged-columns frame in the results file
    frames: list[tuple[int, int]]


def _judge_partition(job: tuple[int, list[tuple[int, int, int]], int, frozenset[int]]) -> _PartitionResult:
    number, frames, chunk_count, skipped_chunks = job
    options: Options = _state["options"]
    spool = Path(_state["spool"])
    rules = options.rules
    people: dict[str, list] = {}
    for chunk_number, offset, length in frames:
        if chunk_number in skipped_chunks or not length:
            continue
        with open(spool / f"f{chunk_number}", "rb") as fh:
            fh.seek(offset)
            for key, facts in marshal.loads(fh.read(length)).items():
                known = people.get(key)
                if known is None:
                    people[key] = facts
                else:
                    known.extend(facts)

    tally = summary.Tally()
    encoder = bundle.LineEncoder()
    explained: dict[tuple[str, ...], str] = {}
    # chunk number -> (row number in chunk, encoded eligibility columns)
    judged: dict[int, list[tuple[int, str]]] = {}
    count = conflicting = 0
    for key, facts in people.items():
        subject_id = key if rules.corrected else key.partition("\x00")[2]
        subject = doj_rows.subject_from_facts(
            "", facts, corrected=rules.corrected,
            reset_each_row=doj_rows.resets_each_row(subject_id, corrected=rules.corrected),
        )
        conflicting += bool(subject.identity_conflicts)
        assessment = report.assess(subject, options.policy, options.county,
                                   options.compute_date, rules, options.now, tally)
        for ref, columns in assessment.columns.items():
            judged.setdefault(ref >> 32, []).append((ref & 0xFFFFFFFF, _encode_judged(encoder, columns, explained)))
            count += 1
    result_frames = []
    with open(spool / f"r{number}", "wb") as fh:
        for chunk_number in range(chunk_count):
            rows = judged.get(chunk_number)
            if not rows:
                result_frames.append((0, 0))
                continue
            blob = marshal.dumps(rows, _MARSHAL_VERSION)
            result_frames.append((fh.tell(), len(blob)))
            fh.write(blob)
    return _PartitionResult(number, tally, len(people), count, conflicting, result_frames)


def _encode_judged(encoder: bundle.LineEncoder, columns: list[str], explained: dict) -> str:
    """A judged row's eligibility columns as Go writes them.

    The corrected version's explanation columns repeat for every conviction a
    rule decides, and a citation with a comma sends the line to the slow
    encoder; encoded once per rule, the rest of the line takes the fast path.
    """
    width = len(bundle.ELIGIBILITY_COLUMNS)
    if len(columns) == width:
        return encoder.line(columns)
    explanation = tuple(columns[width:])
    tail = explained.get(explanation)
    if tail is None:
        tail = explained[explanation] = encoder.line(explanation)
    return f"{encoder.line(columns[:width])[:-1]},{tail}"


# --- the run ------------------------------------------------------------------------------

Progress = Callable[[str, int, int], None]


def evaluate_files(
    paths: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    options: Options,
    progress: Progress | None = None,
) -> RunResult:
    """Judge the files and write the bundle into out_dir; returns what happened."""
    started = time.perf_counter()
    paths = [os.fspath(p) for p in paths]
    out = Path(out_dir)
    result = RunResult()
    readable = []
    for path in paths:
        if os.path.isfile(path) and os.access(path, os.R_OK):
            if not options.rules.corrected and os.path.getsize(path) < SNIFF_BYTES:
                # The corrected version reads a file gogen cannot sniff.
                result.file_errors[path] = dict(SHORT_FILE_ERROR)
                continue
            readable.append(path)
        else:
            # gogen's wording is Go's OS error text (§1.8): "open <path>: no such file or directory".
            reason = "no such file or directory" if not os.path.exists(path) else "not a readable file"
            result.file_errors[path] = {"errorType": "OTHER", "errorMessage": f"open {path}: {reason}"}
    unusable = screen.screen_files(readable)
    if unusable:
        raise UnusableInput(unusable)
    # Created before reading, so an error file can always be written (gogen loses it, §1.8).
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EvaluateError(f"cannot create the output folder {out}: {error.strerror}") from None

    cutter, headers, total_bytes = _plan(readable, options)
    chunks: list[_Chunk] = []  # every chunk cut, in order, for the phases after reading
    workers = options.workers or os.cpu_count() or 1
    # A multiple of the workers, so that none waits idle for the last one.
    partitions = workers * max(1, math.ceil(total_bytes / (options.partition_bytes * workers)))
    _remove_abandoned_spools(out)
    spool = Path(tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}{os.getpid()}@{socket.gethostname()}-", dir=out))
    # Every file of the bundle is written here and moved into out_dir only once all
    # are complete, so a run that fails leaves none of them, old or new, half-made.
    staged = spool / "bundle"
    staged.mkdir()
    try:
        with _pool(workers, options, str(spool), partitions, readable) as run:
            read = []
            done = 0
            for chunk_result in run(_read_chunk, _kept(cutter, chunks)):
                read.append(chunk_result)
                done += chunk_result.bytes
                if progress:
                    progress("read", done, total_bytes)
            skipped = _files_to_skip(read, chunks, headers, readable, options, result)
            skipped_chunks = frozenset(c.number for c in chunks if c.file_number in skipped)
            jobs = [
                (p, [(r.number, *r.fact_frames[p]) for r in read], len(chunks), skipped_chunks)
                for p in range(partitions)
            ]
            judged = []
            for partition_result in run(_judge_partition, jobs):
                judged.append(partition_result)
                if progress:
                    progress("judge", len(judged), partitions)
            splices = [
                (c.number, [(p.number, *p.frames[c.number]) for p in judged if p.frames[c.number][1]])
                for c in chunks if c.file_number not in skipped
            ]
            # Each spliced chunk is appended to its file's outputs as it comes
            # (in order), while the workers splice the next ones.
            with _Assembly(staged, spool, readable, skipped, options.rules) as assembly:
                for done, number in enumerate(run(_splice_chunk, splices), 1):
                    chunk_result = read[number]
                    assembly.append(chunks[number])
                    result.rows_written += chunk_result.rows - chunk_result.rejected
                    if progress:
                        progress("write", done, len(splices))
                result.outputs += assembly.finish()
        for partition_result in judged:
            result.tally.add(partition_result.tally)
            result.people += partition_result.people
            result.judged += partition_result.judged
            result.identity_conflicts += partition_result.identity_conflicts
        result.rows_rejected = sum(r.rejected for r in read)
        result.problems = [p for r in read for p in r.problems][:PROBLEMS_KEPT]
        if result.rows_rejected:
            result.outputs.append(_write_rejected(staged / REJECTED_ROWS, spool, read))
        result.rows = sum(r.rows for r in read)
        result.seconds = time.perf_counter() - started
        _write_reports(staged, readable, skipped, options, result)
        for path in staged.iterdir():
            os.replace(path, out / path.name)
        result.outputs = [out / path.name for path in result.outputs]
    finally:
        shutil.rmtree(spool, ignore_errors=True)
    return result


SPOOL_PREFIX = ".clearway-spool-"
_SPOOL_OWNER = re.compile(re.escape(SPOOL_PREFIX) + r"(\d+)@(.+)-[^-]+")


def _remove_abandoned_spools(out: Path) -> None:
    """Remove the spools that killed runs left in ``out`` (a run removes its own when it ends).

    A spool's name holds its run's process id and host; it is abandoned when that
    process no longer runs on this host. Spools of other hosts, of running
    processes and of unknown owners are left alone.
    """
    host = socket.gethostname()
    for entry in out.glob(SPOOL_PREFIX + "*"):
        owner = _SPOOL_OWNER.fullmatch(entry.name)
        if owner is None or owner[2] != host or not entry.is_dir():
            continue
        try:
            os.kill(int(owner[1]), 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            pass  # it runs, as someone else: theirs


def _kept(items: Iterable[Any], into: list) -> Iterator[Any]:
    """The items, each appended to `into` as it is handed on."""
    for item in items:
        into.append(item)
        yield item


class _pool:
    """A process pool, or the calling process when one worker is asked for."""

    def __init__(self, workers: int, *init_args: Any) -> None:
        self._workers = workers
        self._init_args = init_args
        self._pool = None

    def __enter__(self):
        if self._workers <= 1:
            _init_worker(*self._init_args)
            return lambda fn, items: map(fn, items)
        context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        self._pool = context.Pool(self._workers, _init_pool_worker, self._init_args)
        return lambda fn, items: self._pool.imap(fn, items)

    def __exit__(self, *exc: Any) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


def _files_to_skip(read, chunks, headers, paths, options: Options, result: RunResult) -> set[int]:
    """File numbers whose outputs are withheld: gogen's whole-file rejection, on request."""
    if options.on_bad_row != REJECT_FILE:
        return set()
    skipped: set[int] = set()
    for chunk_result in read:
        if chunk_result.problems:
            file_number = chunks[chunk_result.number].file_number
            if file_number in skipped:
                continue
            skipped.add(file_number)
            problem = chunk_result.problems[0]
            result.file_errors[paths[file_number]] = gogen_parse_error(
                problem.line, headers[file_number], problem.reason)
    return skipped


def _splice_chunk(job: tuple[int, list[tuple[int, int, int]]]) -> int:
    """Write a chunk's final All_Results, Condensed and Prop64 bytes (worker side).

    The chunk's pieces are copied with each candidate's line, judged or not,
    between them; the judged lines come from every partition's results.
    """
    number, frames = job
    spool = Path(_state["spool"])
    judged_lines: dict[int, str] = {}
    for partition, offset, length in frames:
        with open(spool / f"r{partition}", "rb") as fh:
            fh.seek(offset)
            judged_lines.update(marshal.loads(fh.read(length)))
    with open(spool / f"k{number}", "rb") as fh:
        # marshal.loads of the bytes: marshal.load on a file reads it object by object.
        candidates, all_segments, cond_segments = marshal.loads(fh.read())
    prop64_lines: list[str] = []
    _splice(spool / f"a{number}", spool / f"A{number}", all_segments, candidates, judged_lines,
            part=1, prop64_lines=prop64_lines)
    _splice(spool / f"c{number}", spool / f"C{number}", cond_segments, candidates, judged_lines,
            part=2, prop64_lines=None)
    with open(spool / f"P{number}", "wb") as fh:
        fh.write("".join(prop64_lines).encode("utf-8", "surrogateescape"))
    for consumed in (f"a{number}", f"c{number}", f"k{number}"):
        (spool / consumed).unlink()  # here, in parallel, rather than all at the end
    return number


def _splice(source: Path, target: Path, segments: list[int], candidates, judged_lines, *,
            part: int, prop64_lines: list[str] | None) -> None:
    """Copy the pieces of `source` to `target` with each candidate's line between them.

    `part` picks the candidate's All_Results (1) or condensed (2) prefix.
    """
    with open(source, "rb") as fh:
        data = memoryview(fh.read())
    pieces = []  # joined and written once: a write per piece costs more than the copy
    position = 0
    for length, candidate in zip(segments, candidates):
        pieces.append(data[position:position + length])
        position += length
        judged = judged_lines.get(candidate[0])
        line = f"{candidate[part]},{candidate[3] if judged is None else judged}"
        if judged is not None and prop64_lines is not None:
            prop64_lines.append(line)
        pieces.append(line.encode("utf-8", "surrogateescape"))
    pieces.append(data[position:])
    with open(target, "wb") as out:
        out.write(b"".join(pieces))


class _Assembly:
    """All_Results, Condensed and Prop64_Results of each file, from its spliced chunks in order.

    A file with no chunk left (all rejected, or only a header) still gets its headers.
    """

    def __init__(self, out: Path, spool: Path, paths: Sequence[str], skipped: set[int],
                 rules: prop64.RuleVersion) -> None:
        header, cond_header = (line.encode() for line in bundle.header_lines(report.header(rules)))
        self._headers = (header, cond_header, header)
        self._out, self._spool, self._paths = out, spool, paths
        self._to_open = [n for n in range(len(paths)) if n not in skipped]
        self._file: int | None = None
        self._targets: list[Any] = []
        self.outputs: list[Path] = []

    def __enter__(self) -> "_Assembly":
        return self

    def __exit__(self, *exc: Any) -> None:
        self._close()

    def append(self, chunk: _Chunk) -> None:
        """Append a spliced chunk to its file's outputs; its spool files are then removed."""
        while self._file != chunk.file_number:
            self._open_next()
        for target, kind in zip(self._targets, "ACP"):
            source = self._spool / f"{kind}{chunk.number}"
            _append_file(source, target)
            source.unlink()

    def finish(self) -> list[Path]:
        """Close the outputs (with headers for files still to come); returns them."""
        while self._to_open:
            self._open_next()
        self._close()
        return self.outputs

    def _open_next(self) -> None:
        self._close()
        self._file = file_number = self._to_open.pop(0)
        for kind, first_line in zip((bundle.ALL_RESULTS, bundle.CONDENSED, bundle.PROP64_RESULTS),
                                    self._headers):
            path = self._out / bundle.result_name(kind, file_number + 1, len(self._paths))
            target = open(path, "wb")
            self._targets.append(target)
            self.outputs.append(path)
            target.write(first_line)
            target.flush()  # from here on the kernel appends to the file

    def _close(self) -> None:
        for target in self._targets:
            target.close()
        self._targets = []


def _append_file(source: Path, target) -> None:
    """Append a spooled file to an open (flushed) output, copied by the kernel on Linux."""
    with open(source, "rb") as fh:
        if sys.platform != "linux":  # elsewhere sendfile may want a socket
            target.write(fh.read())
            target.flush()
            return
        size = os.fstat(fh.fileno()).st_size
        offset = 0
        while offset < size:
            sent = os.sendfile(target.fileno(), fh.fileno(), offset, size - offset)
            if sent == 0:
                raise EvaluateError(f"{source.name} shrank while being copied")
            offset += sent


def _write_rejected(path: Path, spool: Path, read: list[_ChunkResult]) -> Path:
    """Rejected_Rows.csv: every malformed row with file, line, field and reason, in file order."""
    with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["file", "line", "field", "reason", "record"])
        for chunk_result in read:
            if chunk_result.rejected:
                with open(spool / f"p{chunk_result.number}", "rb") as spooled:
                    writer.writerows((p.file, p.line, p.field, p.reason, p.record) for p in pickle.load(spooled))
    return path


def _write_reports(out: Path, paths, skipped, options: Options, result: RunResult) -> None:
    """gogen.json (or gogen.err), the run's facts and the impact report."""
    from clearway.ca_doj import impact

    if result.file_errors:
        bundle.write_file_errors(out, result.file_errors)
    document = summary.summary_document(
        result.tally,
        county=options.county,
        line_count=result.rows_written,
        processing_seconds=round(result.seconds, 9),
        dismiss_sections=options.policy.dismiss_sections,
        reduce_sections=options.policy.reduce_sections,
        now=options.now,
    )
    if not (result.file_errors and not options.rules.corrected):
        # gogen writes no summary when a file failed; we always do in the corrected version.
        path = out / bundle.result_name(bundle.SUMMARY, 1, 1, ext="json")
        path.write_text(summary.dumps(document), encoding="utf-8")
        result.outputs.append(path)
    facts = run_facts(options, paths, result)
    (out / RUN_FACTS).write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    result.outputs.append(out / RUN_FACTS)
    result.outputs.append(impact.write_impact_report(out / IMPACT_REPORT, document, facts))


def run_facts(options: Options, paths: Iterable[str], result: RunResult) -> dict[str, Any]:
    """What the run was and what it found, beyond gogen.json (feeds the impact report)."""
    facts = summary.report_facts(
        rule_pack=(prop64.PACK_ID, options.rules.version),
        policy_name=options.policy_name,
        compute_date=options.compute_date.isoformat(),
        files=[os.path.basename(p) for p in paths],
        rows_rejected=result.rows_rejected,
        tally=result.tally,
    )
    # Held for review in the corrected version; gogen's version judges them as gogen does.
    facts["subjectsWithIdentityConflicts"] = result.identity_conflicts
    if options.rules.corrected:
        facts["corrections"] = {k: {"citation": c, "note": n} for k, (c, n) in prop64.CORRECTIONS.items()}
    return facts
