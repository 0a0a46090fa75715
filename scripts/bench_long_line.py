#!/usr/bin/env python3
"""Benchmark: peak memory of ``clearway evaluate`` and ``clearway submit`` on a 1 GB line (prints figures).

In a temporary folder it writes a seeded synthetic CA DOJ research file of
``--people`` fabricated people with one line of ``--line-mb`` MiB (default
1024: a row whose COMMENT_TEXT runs on) in the middle of its rows, then:

- evaluate: runs ``clearway evaluate`` on it, sampling the summed RSS of the
  whole process tree every 20 ms (bench_evaluate.TreeSampler), and reads back
  Rejected_Rows.csv and clearway_run.json;
- submit (unless ``--no-submit``): starts a LocalStack (a real Kafka broker and
  the four services, on free ports, stopped at the end), runs ``clearway
  submit`` on it with the same sampling, and waits for petitions to write the
  batch's bundle, which it does only once the batch was closed.

Both should report the long line as one rejected record (its file and line, the
reader's 1 MiB limit) and read every other row; the figures say whether they
did. They are printed and written to .local/bench/long_line.json.

    scripts/bench_long_line.py                     # 1 GB line, evaluate and submit
    scripts/bench_long_line.py --line-mb 64 --no-submit
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_evaluate import (  # noqa: E402
    BENCH,
    COMPUTE_AT,
    COUNTY,
    MB,
    POLICY,
    REPO,
    BenchLock,
    TreeSampler,
    stop_process_group,
)

RESULTS = BENCH / "long_line.json"
_BLOCK = 1 << 20


def build(folder: Path, people: int, seed: int, line_mb: int) -> dict:
    """The DOJ file with one long line halfway through its rows; what it holds."""
    from clearway.ca_doj import columns as col
    from clearway_intake.domain.ca_doj.synthetic import generate

    made = generate(folder / "sample", people=people, seed=seed, county=COUNTY)
    lines = made.doj_csv.read_bytes().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    half = len(rows) // 2
    fields = next(csv.reader([rows[half].decode()]))
    quoted = io.StringIO()
    csv.writer(quoted, lineterminator="").writerow(fields[: col.COMMENT_TEXT])
    prefix = quoted.getvalue().encode() + b","  # a 95-field row, but for its length
    path = folder / "long_line.csv"
    with open(path, "wb") as out:
        out.write(header)
        out.writelines(rows[:half])
        out.write(prefix)
        block = b"A" * _BLOCK
        for _ in range(line_mb):
            out.write(block)
        out.write(b",#\n")
        out.writelines(rows[half:])
    return {"path": path, "contacts": made.contacts_csv, "rows": made.rows, "people": made.people,
            "long_line": 1 + half + 1, "long_line_bytes": len(prefix) + line_mb * _BLOCK + 2,
            "file_bytes": path.stat().st_size}


def measured(argv: list[str], *, env=None, log: Path) -> dict:
    """Run a command in a session of its own; its exit, seconds, stdout and peak tree RSS."""
    with open(log, "wb") as err:
        began = time.monotonic()
        proc = subprocess.Popen(argv, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=err, start_new_session=True)
        try:
            with TreeSampler(proc.pid) as sampler:
                out, _ = proc.communicate()
                seconds = time.monotonic() - began
        finally:
            stop_process_group(proc)
    return {"exit": proc.returncode, "seconds": round(seconds, 2),
            "peak_mb": round(sampler.peak_bytes / MB, 1), "peak_processes": sampler.peak_procs,
            "stdout": out.decode(errors="replace").strip(), "log": str(log)}


def bench_evaluate(data: dict, folder: Path) -> dict:
    out = folder / "evaluate-out"
    argv = [sys.executable, "-m", "clearway.cli", "evaluate", "--format", "ca-doj", "--county", COUNTY,
            "--compute-at", COMPUTE_AT, "--policy", str(POLICY), "--out", str(out), str(data["path"])]
    print(f"evaluate: {data['file_bytes'] / MB:,.0f} MB file ...", flush=True)
    run = measured(argv, log=folder / "evaluate.log")
    facts_file = out / "clearway_run.json"
    facts = json.loads(facts_file.read_text()) if facts_file.is_file() else {}
    rejected = []
    if (out / "Rejected_Rows.csv").is_file():
        with open(out / "Rejected_Rows.csv", newline="") as fh:
            rejected = [r[:4] for r in list(csv.reader(fh))[1:]]
    run.update(rows_rejected=facts.get("rowsRejected"), rejected=rejected[:3],
               long_line_reported=[r[1] for r in rejected] == [str(data["long_line"])])
    return run


def bench_submit(data: dict, folder: Path) -> dict:
    from clearway.devstack import LocalStack, Submission

    home = folder / "stack"
    print("submit: starting Kafka and the four services ...", flush=True)
    with LocalStack(home, kafka_port=0, broker_home=home / "kafka", compute_date=COMPUTE_AT) as stack:
        batch_id = str(uuid.uuid4())
        argv = stack.submit_command(data["path"], data["contacts"], batch_id)
        print(f"submit: {data['file_bytes'] / MB:,.0f} MB file as batch {batch_id} ...", flush=True)
        run = measured(argv, env=stack.env(), log=folder / "submit.log")
        submission = Submission.parse(run["stdout"]) if run["exit"] == 0 else None
        began = time.monotonic()
        bundle = stack.wait_for_bundle(batch_id, timeout_s=600) if submission else None
        run.update(report=submission.report if submission else None,
                   cases=submission.cases if submission else None,
                   rows_dead_lettered=submission.rejected_rows if submission else None,
                   bundle_written=bundle is not None,
                   bundle_wait_seconds=round(time.monotonic() - began, 1))
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--line-mb", type=int, default=1024,
                        help="length of the long line in MiB (default 1024)")
    parser.add_argument("--people", type=int, default=500, help="fabricated people around it (default 500)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-submit", action="store_true", help="evaluate only (no broker)")
    parser.add_argument("--no-evaluate", action="store_true", help="submit only")
    args = parser.parse_args()
    with BenchLock(), tempfile.TemporaryDirectory(prefix="clearway-long-line-") as tmp:
        folder = Path(tmp)
        print(f"writing {args.people} people and a {args.line_mb} MiB line into {folder} ...", flush=True)
        data = build(folder, args.people, args.seed, args.line_mb)
        results = {"file": {k: (str(v) if isinstance(v, Path) else v) for k, v in data.items()}}
        if not args.no_evaluate:
            results["evaluate"] = bench_evaluate(data, folder)
        if not args.no_submit:
            results["submit"] = bench_submit(data, folder)
        for part in ("evaluate", "submit"):
            for key in ("log",):
                results.get(part, {}).pop(key, None)  # the folder is removed at the end

    print(f"\nfile: {data['rows']:,} rows of {data['people']:,} people and, at line {data['long_line']:,}, "
          f"one line of {data['long_line_bytes'] / MB:,.0f} MiB ({data['file_bytes'] / MB:,.0f} MiB in all)")
    if "evaluate" in results:
        e = results["evaluate"]
        print(f"evaluate: exit {e['exit']}, {e['seconds']:.1f} s, peak RSS {e['peak_mb']:,.1f} MB "
              f"({e['peak_processes']} processes); rows rejected {e['rows_rejected']}; "
              f"long line reported alone: {'yes' if e['long_line_reported'] else 'NO'} {e['rejected']}")
        print(f"          {e['stdout'].splitlines()[0] if e['stdout'] else ''}")
    if "submit" in results:
        s = results["submit"]
        print(f"submit:   exit {s['exit']}, {s['seconds']:.1f} s, peak RSS {s['peak_mb']:,.1f} MB "
              f"({s['peak_processes']} processes); {s['report']}")
        print(f"          batch bundle written after the close: {'yes' if s['bundle_written'] else 'NO'} "
              f"(waited {s['bundle_wait_seconds']} s)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"figures written to {RESULTS.relative_to(REPO)}")
    ok = all(results[p]["exit"] in (0,) for p in ("evaluate", "submit") if p in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
