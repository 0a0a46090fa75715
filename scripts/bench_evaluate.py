#!/usr/bin/env python3
"""Benchmark of offline ``clearway evaluate`` and of the running pipeline (prints figures).

Offline part (default, or ``--offline``): for each size (default 200,000 and
1,000,000 rows) it runs

    clearway evaluate --format ca-doj --county SACRAMENTO --compute-at 2026-11-01
        --policy tests/fixtures/gogen/eligibility_options.json --out DIR FILE... [--compat gogen]

on seeded synthetic DOJ data (scattered rows, cached under .local/bench/<rows>-<seed>/
so reruns skip generation) and reports rows, wall seconds, rows per second and
the peak memory of the whole process tree (the summed RSS of the command and all
its descendants, sampled every 20 ms), and whether the peak is flat from the
smallest to the largest size.

Pipeline part (``--pipeline``; included in ``--all``): the smallest size through
the running pipeline (a real Kafka broker and the four services, through
clearway.devstack.LocalStack), timed from the start of ``clearway submit`` until
every case of the batch has its determination; compared with the offline time
for the same rows. It also reports when petitions had written the batch's result
bundle (petitions and notifications run at a lower CPU priority: see
clearway.devstack.FOLLOWER_NICE). Eligibility runs one worker per CPU
(``--eligibility-workers``), sharing the cases' partitions as replicas would.

Figures are printed as a table and written to .local/bench/results.json.

    scripts/bench_evaluate.py                        # offline, 200k and 1M rows
    scripts/bench_evaluate.py --all --compat gogen   # offline and pipeline
    scripts/bench_evaluate.py --pipeline --rows 20000
    scripts/bench_evaluate.py --rows 20000 --command "python -c 'import time; time.sleep(1)'"

``--command`` replaces the program (``.venv/bin/clearway``); the evaluate
arguments are still appended to it, so a stand-in can look at them or ignore them.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / ".local" / "bench"
RESULTS = BENCH / "results.json"
POLICY = REPO / "tests" / "fixtures" / "gogen" / "eligibility_options.json"
COUNTY = "SACRAMENTO"
COMPUTE_AT = "2026-11-01"
DEFAULT_SIZES = (200_000, 1_000_000)
SAMPLE_INTERVAL_S = 0.02

# Targets printed next to the figures.
TARGET_ROWS_PER_S = 100_000
TARGET_PEAK_MB = 250.0
TARGET_FLAT_RATIO = 1.2      # peak at the largest size / peak at the smallest
TARGET_PIPELINE_RATIO = 2.0  # pipeline seconds / offline seconds, same rows

MB = 1024 * 1024


# --- memory of a process tree -----------------------------------------------------------------

try:
    import psutil  # type: ignore[import-not-found]
except ImportError:  # not in the venv: read /proc
    psutil = None

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _proc_children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:  # gone meanwhile
            continue
        # pid (comm) state ppid ...; comm may contain spaces and parentheses
        ppid = int(stat[stat.rindex(b")") + 2:].split(None, 2)[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _proc_rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(root: int) -> tuple[int, int]:
    """(summed RSS in bytes, number of processes) of `root` and all its descendants."""
    if psutil is not None:
        try:
            top = psutil.Process(root)
            procs = [top, *top.children(recursive=True)]
        except psutil.Error:
            return 0, 0
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total, len(procs)
    children = _proc_children_map()
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, ()))
    return sum(_proc_rss(pid) for pid in pids), len(pids)


class TreeSampler:
    """Samples the summed RSS of a process tree every `interval` seconds in a thread."""

    def __init__(self, root: int, interval: float = SAMPLE_INTERVAL_S):
        self.root, self.interval = root, interval
        self.peak_bytes = 0
        self.peak_procs = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> "TreeSampler":
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            rss, procs = tree_rss(self.root)
            self.samples += 1
            self.peak_bytes = max(self.peak_bytes, rss)
            self.peak_procs = max(self.peak_procs, procs)
            if self._stop.wait(self.interval):
                return

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def stop_process_group(proc: subprocess.Popen, grace_s: float = 5.0) -> None:
    """SIGTERM the process's group (it was started in a session of its own), then SIGKILL."""
    if proc.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


class BenchLock:
    """One benchmark at a time: runs share .local/bench (data, pipeline home) and would skew each
    other's figures. A second run waits for the first."""

    def __init__(self, path: Path = BENCH / "bench.lock"):
        self.path = path
        self._fh = None

    def __enter__(self) -> "BenchLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+")
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._fh.seek(0)
            holder = self._fh.read().strip() or "?"
            print(f"another benchmark holds {self.path.relative_to(REPO)} (pid {holder}); waiting ...",
                  flush=True)
            fcntl.flock(self._fh, fcntl.LOCK_EX)
        self._fh.seek(0)
        self._fh.truncate()
        self._fh.write(str(os.getpid()))
        self._fh.flush()
        return self

    def __exit__(self, *exc) -> None:
        self._fh.close()  # releases the lock


# --- data ---------------------------------------------------------------------------------------


@dataclass
class Dataset:
    rows: int
    people: int
    seed: int
    scatter: bool
    files: list[str]
    contacts: str
    generate_seconds: float  # 0.0 when it came from the cache


def dataset(rows: int, seed: int, scatter: bool, files: int) -> Dataset:
    """The seeded synthetic files for `rows` rows, generated once under .local/bench/."""
    name = f"{rows}-{seed}" + ("" if scatter else "-contiguous") + (f"-f{files}" if files > 1 else "")
    folder = BENCH / name
    manifest = folder / "generated.json"
    if manifest.is_file():
        data = Dataset(**json.loads(manifest.read_text()))
        if all((REPO / f).is_file() for f in [*data.files, data.contacts]):
            return Dataset(**{**asdict(data), "generate_seconds": 0.0})
    from clearway_intake.domain.ca_doj.synthetic import generate

    print(f"generating {rows:,} rows (seed {seed}, scatter {'on' if scatter else 'off'}, "
          f"{files} file(s)) into {folder.relative_to(REPO)} ...", flush=True)
    shutil.rmtree(folder, ignore_errors=True)
    began = time.monotonic()
    made = generate(folder, rows=rows, seed=seed, county=COUNTY, scatter=scatter, files=files)
    data = Dataset(rows=made.rows, people=made.people, seed=seed, scatter=scatter,
                   files=[str(p.relative_to(REPO)) for p in made.doj_csvs],
                   contacts=str(made.contacts_csv.relative_to(REPO)),
                   generate_seconds=round(time.monotonic() - began, 2))
    manifest.write_text(json.dumps(asdict(data), indent=2) + "\n")  # written last: marks it complete
    print(f"  {data.rows:,} rows for {data.people:,} people in {data.generate_seconds:.1f}s", flush=True)
    return data


# --- offline ------------------------------------------------------------------------------------


@dataclass
class OfflineRun:
    rows: int
    people: int
    files: int
    seconds: float
    rows_per_second: float
    peak_mb: float
    peak_processes: int
    samples: int
    exit_code: int
    log: str
    meets_rows_per_second: bool = False
    meets_peak: bool = False
    # With --repeat: the seconds of every run, sorted; the row shows the median run.
    all_seconds: list[float] = field(default_factory=list)


def median_run(runs: list[OfflineRun]) -> OfflineRun:
    """The run of median time, with every run's seconds and the highest peak of them all.

    This VM's speed varies by a third from run to run; a median of several says
    more than any one run, and the peak memory reported is the worst seen.
    """
    ordered = sorted(runs, key=lambda r: (r.exit_code != 0, r.seconds))
    middle = ordered[(len(ordered) - 1) // 2]
    middle.all_seconds = [r.seconds for r in ordered]
    middle.peak_mb = max(r.peak_mb for r in runs)
    middle.meets_peak = all(r.meets_peak for r in runs)
    middle.exit_code = max(r.exit_code for r in runs)
    return middle


def default_program() -> list[str]:
    for candidate in (REPO / ".venv" / "bin" / "clearway", Path(sys.executable).parent / "clearway"):
        if candidate.is_file():
            return [str(candidate)]
    found = shutil.which("clearway")
    return [found] if found else [sys.executable, "-m", "clearway.cli"]


def evaluate_argv(program: list[str], data: Dataset, out: Path, compat: str, extra: list[str]) -> list[str]:
    argv = [*program, "evaluate", "--format", "ca-doj", "--county", COUNTY, "--compute-at", COMPUTE_AT,
            "--policy", str(POLICY.relative_to(REPO)), "--out", str(out)]
    argv += ["--compat", compat] if compat else []
    return argv + extra + data.files


def run_offline(data: Dataset, program: list[str], compat: str, extra: list[str],
                keep_output: bool) -> OfflineRun:
    out = BENCH / "out" / f"{data.rows}-{data.seed}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    log_path = BENCH / "logs" / f"evaluate-{data.rows}-{data.seed}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    argv = evaluate_argv(program, data, out, compat, extra)
    print(f"running {shlex.join(argv[:len(argv) - len(data.files)])} FILE... ({len(data.files)} file(s), "
          f"{data.rows:,} rows)", flush=True)
    with open(log_path, "wb") as log:
        began = time.monotonic()
        proc = subprocess.Popen(argv, cwd=REPO, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            with TreeSampler(proc.pid) as sampler:
                code = proc.wait()
                seconds = time.monotonic() - began
        finally:
            stop_process_group(proc)
    if not keep_output:
        shutil.rmtree(out, ignore_errors=True)
    run = OfflineRun(rows=data.rows, people=data.people, files=len(data.files), seconds=round(seconds, 3),
                     rows_per_second=round(data.rows / seconds, 1), peak_mb=round(sampler.peak_bytes / MB, 1),
                     peak_processes=sampler.peak_procs, samples=sampler.samples, exit_code=code,
                     log=str(log_path.relative_to(REPO)))
    run.meets_rows_per_second = code == 0 and run.rows_per_second >= TARGET_ROWS_PER_S
    run.meets_peak = code == 0 and run.peak_mb < TARGET_PEAK_MB
    if code != 0:
        tail = log_path.read_text(errors="replace").splitlines()[-8:]
        print(f"  exit status {code}; last lines of {run.log}:\n    " + "\n    ".join(tail), flush=True)
    return run


# --- pipeline -----------------------------------------------------------------------------------


@dataclass
class PipelineRun:
    rows: int
    people: int
    cases: int
    determinations: int
    seconds: float            # submission start -> last determination written
    submit_seconds: float     # submission start -> `clearway submit` exited
    bundle_seconds: float | None  # submission start -> petitions wrote the batch's bundle
    rows_per_second: float
    offline_seconds: float | None
    ratio_to_offline: float | None
    services_start_seconds: float
    eligibility_workers: int = 1
    meets_ratio: bool = False
    notes: list[str] = field(default_factory=list)


class DeterminationCounter:
    """Counts the distinct cases of one batch on clearway.determinations.v1 (fresh broker)."""

    def __init__(self, bootstrap: str, batch_id: str):
        from kafka import KafkaConsumer, TopicPartition

        from clearway import topics
        from clearway.v1 import determination_pb2

        self.batch_id = batch_id
        self.cases: set[str] = set()
        self.last_timestamp_ms = 0
        self._decode = determination_pb2.DeterminationMade.FromString
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                       enable_auto_commit=False, isolation_level="read_committed")
        partitions = [TopicPartition(topics.DETERMINATIONS, p)
                      for p in self._consumer.partitions_for_topic(topics.DETERMINATIONS) or ()]
        if not partitions:
            raise RuntimeError(f"topic {topics.DETERMINATIONS} has no partitions")
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning(*partitions)

    def poll(self) -> int:
        for records in self._consumer.poll(timeout_ms=200, max_records=10_000).values():
            for record in records:
                made = self._decode(record.value)
                if made.envelope.batch_id == self.batch_id and made.envelope.case_id not in self.cases:
                    self.cases.add(made.envelope.case_id)
                    self.last_timestamp_ms = max(self.last_timestamp_ms, record.timestamp)
        return len(self.cases)

    def close(self) -> None:
        self._consumer.close()


def submit_argv(stack, data: Dataset, batch_id: str, contacts: bool, extra: list[str]) -> list[str]:
    files = [REPO / f for f in data.files]
    argv = stack.submit_command(files[0], REPO / data.contacts if contacts else None, batch_id)
    at = argv.index(str(files[0])) + 1
    argv[at:at] = [str(f) for f in files[1:]]  # `clearway submit FILE [FILE ...]`
    return argv + extra


def run_pipeline(data: Dataset, offline_seconds: float | None, contacts: bool, extra: list[str],
                 timeout_s: float, stall_s: float, eligibility_workers: int = 1) -> PipelineRun:
    from clearway.devstack import LocalStack, Submission
    from clearway_petitions.batch_bundle import DONE

    home = BENCH / "pipeline"
    shutil.rmtree(home, ignore_errors=True)  # fresh broker and topics: only this batch is on them
    began = time.monotonic()
    print(f"starting Kafka and the four services ({eligibility_workers} eligibility "
          f"worker{'s' if eligibility_workers > 1 else ''}) ...", flush=True)
    with LocalStack(home, kafka_port=0, broker_home=home / "kafka", compute_date=COMPUTE_AT,
                    eligibility_workers=eligibility_workers) as stack:
        started = time.monotonic() - began
        print(f"  ready after {started:.1f}s (broker {stack.broker.bootstrap}; logs {home / 'logs'})",
              flush=True)
        batch_id = str(uuid.uuid4())
        counter = DeterminationCounter(stack.broker.bootstrap, batch_id)
        argv = submit_argv(stack, data, batch_id, contacts, extra)
        submit_log = home / "logs" / "submit.log"
        proc = None
        try:
            with open(submit_log, "wb") as err:
                t0_wall, t0 = time.time(), time.monotonic()
                proc = subprocess.Popen(argv, env=stack.env(), cwd=REPO, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=err, start_new_session=True)
                captured: list[bytes] = []  # read in a thread so a chatty stdout never blocks submit
                reader = threading.Thread(target=lambda: captured.append(proc.stdout.read()), daemon=True)
                reader.start()
                submission, submit_seconds, shown = None, None, 0.0
                tty = sys.stdout.isatty()
                last_count, last_change = 0, t0
                while True:
                    done = counter.poll()
                    now = time.monotonic()
                    if done != last_count:
                        last_count, last_change = done, now
                    if submission is None and proc.poll() is not None:
                        reader.join()
                        submit_seconds = now - t0
                        if proc.returncode != 0:
                            raise RuntimeError(f"clearway submit failed with status {proc.returncode}; "
                                               f"see {submit_log}")
                        submission = Submission.parse(b"".join(captured).decode())
                        print(("\n" if tty else "") + f"  {submission.report} ({submit_seconds:.1f}s)",
                              flush=True)
                    if submission is not None and done >= submission.cases:
                        detected = now - t0
                        break
                    stalled = submission is not None and now - max(last_change, t0 + submit_seconds) > stall_s
                    if now - t0 > timeout_s or stalled:
                        raise TimeoutError(
                            f"{done:,} determinations of {submission.cases if submission else '?'} cases "
                            f"after {now - t0:.0f}s" + (f" (none new for {stall_s:.0f}s)" if stalled else "")
                            + "".join(f"\n--- {name} log (last lines):\n{svc.log_tail(8)}"
                                      for name, svc in stack.services.items()))
                    if now - shown > (2 if tty else 10):
                        shown = now
                        line = (f"  {now - t0:6.1f}s  determined {done:,} / "
                                f"{submission.cases if submission else data.people:,}")
                        print("\r" + line if tty else line, end="" if tty else "\n", flush=True)
            bundle = stack.wait_for_bundle(batch_id, timeout_s=stall_s)
            bundle_seconds = (bundle / DONE).stat().st_mtime - t0_wall if bundle else None
        finally:
            counter.close()
            if proc is not None:
                stop_process_group(proc)
    shutil.rmtree(home / "kafka", ignore_errors=True)  # broker data (hundreds of MB); logs stay
    # The end is when the last determination was written (its record timestamp), not when this
    # benchmark happened to read it; both are on this machine's clock.
    seconds = counter.last_timestamp_ms / 1000 - t0_wall if counter.last_timestamp_ms else detected
    run = PipelineRun(rows=data.rows, people=data.people, cases=submission.cases, determinations=done,
                      seconds=round(seconds, 3), submit_seconds=round(submit_seconds, 3),
                      bundle_seconds=round(bundle_seconds, 3) if bundle_seconds else None,
                      rows_per_second=round(data.rows / seconds, 1), offline_seconds=offline_seconds,
                      ratio_to_offline=round(seconds / offline_seconds, 2) if offline_seconds else None,
                      services_start_seconds=round(started, 1),
                      eligibility_workers=eligibility_workers)
    run.meets_ratio = run.ratio_to_offline is not None and run.ratio_to_offline <= TARGET_PIPELINE_RATIO
    if submission.cases != data.people:
        run.notes.append(f"intake published {submission.cases:,} cases for {data.people:,} people "
                         "(a person's scattered rows became several cases)")
    if submission.rejected_rows:
        run.notes.append(f"{submission.rejected_rows:,} rows dead-lettered by intake")
    run.notes.append(f"last determination seen by the benchmark after {detected:.1f}s")
    return run


# --- report -------------------------------------------------------------------------------------


def _ok(flag: bool) -> str:
    return "ok" if flag else "MISS"


def print_offline(runs: list[OfflineRun], flat: float | None, argv_shown: str) -> None:
    print(f"\nOffline: {argv_shown}")
    print(f"  {'rows':>11} {'people':>9} {'files':>5} {'seconds':>9} {'rows/s':>10} {'':4} "
          f"{'peak MB':>8} {'':4} {'procs':>5} {'exit':>4}")
    for r in runs:
        print(f"  {r.rows:>11,} {r.people:>9,} {r.files:>5} {r.seconds:>9.2f} {r.rows_per_second:>10,.0f} "
              f"{_ok(r.meets_rows_per_second):4} {r.peak_mb:>8.1f} {_ok(r.meets_peak):4} "
              f"{r.peak_processes:>5} {r.exit_code:>4}")
        if len(r.all_seconds) > 1:
            print(f"  {'':>11} median of {len(r.all_seconds)} runs: "
                  + ", ".join(f"{x:.2f}" for x in r.all_seconds) + " s")
    print(f"  targets: >= {TARGET_ROWS_PER_S:,} rows/s; peak < {TARGET_PEAK_MB:.0f} MB "
          f"(summed RSS of the process tree, sampled every {SAMPLE_INTERVAL_S * 1000:.0f} ms)")
    if flat is not None:
        print(f"  flat memory: peak {runs[-1].rows:,} / {runs[0].rows:,} rows = {flat:.2f} "
              f"(target <= {TARGET_FLAT_RATIO:.2f}) {_ok(flat <= TARGET_FLAT_RATIO)}")


def print_pipeline(run: PipelineRun) -> None:
    print(f"\nPipeline (submit -> last determination): {run.rows:,} rows, {run.people:,} people, "
          f"{run.cases:,} cases, {run.eligibility_workers} eligibility worker(s)")
    print(f"  seconds {run.seconds:.2f} (submit itself {run.submit_seconds:.2f}); "
          f"{run.rows_per_second:,.0f} rows/s")
    print("  batch bundle written by petitions after "
          + (f"{run.bundle_seconds:.2f}s" if run.bundle_seconds else "- (not within the --stall time)"))
    if run.ratio_to_offline is None:
        print("  ratio to offline: n/a (no successful offline run for these rows)")
    else:
        print(f"  ratio to offline ({run.offline_seconds:.2f}s): {run.ratio_to_offline:.2f}x "
              f"(target <= {TARGET_PIPELINE_RATIO:.0f}x) {_ok(run.meets_ratio)}")
    for note in run.notes:
        print(f"  note: {note}")


def write_results(update: dict) -> None:
    """Merge this run's sections into .local/bench/results.json."""
    results = {}
    if RESULTS.is_file():
        try:
            results = json.loads(RESULTS.read_text())
        except json.JSONDecodeError:
            results = {}
    results.update(update)
    results["targets"] = {"rows_per_second": TARGET_ROWS_PER_S, "peak_mb": TARGET_PEAK_MB,
                          "flat_ratio": TARGET_FLAT_RATIO, "pipeline_ratio": TARGET_PIPELINE_RATIO}
    results["host"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "platform": platform.platform(), "rss_source": "psutil" if psutil else "/proc"}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


def _sizes(text: str) -> list[int]:
    sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    if not sizes or sizes[0] <= 0:
        raise argparse.ArgumentTypeError("sizes must be positive integers, e.g. 200000,1000000")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parts = parser.add_argument_group("what to run (default: --offline)")
    parts.add_argument("--offline", action="store_true", help="offline `clearway evaluate` at every size")
    parts.add_argument("--pipeline", action="store_true",
                       help="the smallest size through the running pipeline (with an offline run of "
                            "that size for the ratio, unless --offline covers it)")
    parts.add_argument("--all", action="store_true", help="--offline and --pipeline")
    parser.add_argument("--rows", type=_sizes, default=list(DEFAULT_SIZES), metavar="N[,N...]",
                        help="sizes in rows (default 200000,1000000); the pipeline uses the smallest")
    parser.add_argument("--seed", type=int, default=2026, help="generator seed (default 2026)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="offline runs per size; the median is reported, with all of them (default 1)")
    parser.add_argument("--files", type=int, default=1, help="spread each data set over K files (default 1)")
    parser.add_argument("--no-scatter", action="store_true", help="keep each person's rows contiguous")
    parser.add_argument("--compat", choices=("gogen",), default="", help="passed to clearway evaluate")
    parser.add_argument("--command", default="",
                        help="program to run instead of .venv/bin/clearway (evaluate arguments are appended)")
    parser.add_argument("--evaluate-args", default="", help="more arguments for evaluate, e.g. '--workers 2'")
    parser.add_argument("--submit-args", default="",
                        help="more arguments for clearway submit, e.g. '--rule-version gogen-0.2.13'")
    parser.add_argument("--no-contacts", action="store_true", help="submit without contacts.csv")
    parser.add_argument("--eligibility-workers", type=int, default=os.cpu_count() or 1,
                        help="eligibility workers sharing the cases, as replicas would "
                             "(default: one per CPU, here %(default)s)")
    parser.add_argument("--keep-output", action="store_true", help="keep evaluate's output under .local/bench/out")
    parser.add_argument("--timeout", type=float, default=3600, help="pipeline time limit in seconds")
    parser.add_argument("--stall", type=float, default=180,
                        help="give up when no new determination arrives for this many seconds after "
                             "submit has finished (default 180)")
    args = parser.parse_args(argv)
    if args.files < 1:
        parser.error("--files must be one or more")
    if args.repeat < 1:
        parser.error("--repeat must be one or more")
    if args.eligibility_workers < 1:
        parser.error("--eligibility-workers must be one or more")
    do_offline = args.offline or args.all or not args.pipeline
    do_pipeline = args.pipeline or args.all

    def terminate(signum, _frame):  # SIGTERM: unwind like Ctrl-C so every process is stopped
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, terminate)
    program = shlex.split(args.command) if args.command else default_program()
    evaluate_extra = shlex.split(args.evaluate_args)
    scatter = not args.no_scatter
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    shown = shlex.join(evaluate_argv(program, Dataset(0, 0, args.seed, scatter, ["FILE..."], "", 0.0),
                                     Path("DIR"), args.compat, evaluate_extra))
    try:
        with BenchLock():
            return _run(args, do_offline, do_pipeline, program, evaluate_extra, scatter, stamp, shown)
    except KeyboardInterrupt:
        print("\ninterrupted; every process started here has been stopped", file=sys.stderr)
        return 130


def _run(args, do_offline: bool, do_pipeline: bool, program: list[str], evaluate_extra: list[str],
         scatter: bool, stamp: str, shown: str) -> int:
    offline_runs: list[OfflineRun] = []
    if do_offline:
        datasets = [dataset(n, args.seed, scatter, args.files) for n in args.rows]
        offline_runs = [median_run([run_offline(d, program, args.compat, evaluate_extra, args.keep_output)
                                    for _ in range(args.repeat)])
                        for d in datasets]
        good = [r for r in offline_runs if r.exit_code == 0]
        flat = (round(good[-1].peak_mb / good[0].peak_mb, 3)
                if len(good) >= 2 and len(good) == len(offline_runs) and good[0].peak_mb else None)
        print_offline(offline_runs, flat, shown)
        write_results({"offline": {
            "when": stamp, "command": shown, "seed": args.seed, "scatter": scatter,
            "generate_seconds": {str(d.rows): d.generate_seconds for d in datasets},
            "runs": [asdict(r) for r in offline_runs], "flat_ratio": flat,
            "meets_flat": flat is not None and flat <= TARGET_FLAT_RATIO}})
    if do_pipeline:
        data = dataset(args.rows[0], args.seed, scatter, args.files)
        same = [r for r in offline_runs if r.rows == data.rows and r.exit_code == 0]
        if not same and not do_offline:
            print(f"offline run of {data.rows:,} rows for the ratio:", flush=True)
            single = run_offline(data, program, args.compat, evaluate_extra, args.keep_output)
            print_offline([single], None, shown)
            same = [single] if single.exit_code == 0 else []
        run = run_pipeline(data, same[0].seconds if same else None, not args.no_contacts,
                           shlex.split(args.submit_args), args.timeout, args.stall,
                           args.eligibility_workers)
        print_pipeline(run)
        write_results({"pipeline": {"when": stamp, "seed": args.seed, "scatter": scatter, **asdict(run)}})
    print(f"\nfigures written to {RESULTS.relative_to(REPO)}")
    failed = any(r.exit_code != 0 for r in offline_runs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
