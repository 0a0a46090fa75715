#!/usr/bin/env python3
"""The main job, end to end: ``make demo``.

Starts a Kafka broker of its own (free ports, its own folder and cluster id under
.local/demo, so it never joins a broker started by hand), an SMTP sink and the
four services as real processes; generates a seeded synthetic CA DOJ research file of fabricated people;
submits it with ``clearway submit``; waits until every case has its determination,
every eligible person a petition and every person a notification; prints what
happened and where the filings, emails and traces are; stops everything (also on
failure) and exits 0.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections import Counter

from clearway import tracetree
from clearway.devstack import REPO, BatchWatcher, LocalStack, StackRefused
from clearway.v1 import determination_pb2, notification_pb2

OUTCOME_NAMES = {v.number: v.name.removeprefix("OUTCOME_").lower().replace("_", " ")
                 for v in determination_pb2.Outcome.DESCRIPTOR.values}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--kafka-port", type=int, default=0,
                        help="the demo broker's port (default: a free one)")
    args = parser.parse_args()

    home = REPO / ".local" / "demo"
    shutil.rmtree(home, ignore_errors=True)  # the previous run's outputs and broker
    began = time.monotonic()
    print("Starting Kafka, the SMTP sink and the four services ...", flush=True)
    with LocalStack(home, kafka_port=args.kafka_port, broker_home=home / "kafka",
                    compute_date="2026-11-20") as stack:
        print(f"  broker ready in {stack.broker.start_seconds:.1f}s on {stack.broker.bootstrap}; "
              f"services healthy after {time.monotonic() - began:.1f}s", flush=True)
        sample = home / "sample"
        print(stack.clearway("generate", "--people", str(args.people), "--seed", str(args.seed),
                             "--out", str(sample)).stdout.strip())
        submitted = stack.submit(sample / "doj_research_file.csv", sample / "contacts.csv")
        print(submitted.report)
        watcher = BatchWatcher(stack.broker.bootstrap, submitted.batch_id)
        try:
            outcome = watcher.wait(submitted.cases, timeout_s=300,
                                   on_progress=_progress(submitted.cases))
        finally:
            watcher.close()
        print()
        _report(stack, outcome, submitted.batch_id)
    print(f"\nEverything stopped. The demo took {time.monotonic() - began:.1f}s.")
    return 0


def _progress(cases: int):
    last = [0.0]

    def show(out) -> None:
        if time.monotonic() - last[0] > 1:
            last[0] = time.monotonic()
            print(f"\r  determined {len(out.determinations)}/{cases}, petitions {len(out.petitions)}, "
                  f"notified {len(out.notifications)}/{cases}", end="", flush=True)

    return show


def _report(stack: LocalStack, outcome, batch_id: str) -> None:
    by_outcome = Counter(OUTCOME_NAMES[c.outcome] for made in outcome.determinations.values()
                         for c in made[0].convictions)
    reasons = Counter(c.reason or "(no relief)" for made in outcome.determinations.values()
                      for c in made[0].convictions)
    # The last notice of a case is how it ended (a PENDING_RETRY is followed by SENT or FAILED).
    statuses = Counter((notification_pb2.Channel.Name(n[-1].channel).removeprefix("CHANNEL_").lower(),
                        notification_pb2.NotificationStatus.Name(n[-1].status)
                        .removeprefix("NOTIFICATION_STATUS_").lower())
                       for n in outcome.notifications.values())
    print(f"Batch {batch_id}")
    print(f"  people (cases): {len(outcome.determinations)}; Prop 64 convictions judged: "
          f"{sum(by_outcome.values())}")
    print("  convictions by outcome: " + ", ".join(f"{k} {v}" for k, v in sorted(by_outcome.items())))
    for reason, n in reasons.most_common():
        print(f"      {n:5d}  {reason}")
    print(f"  people with a petition: {len(outcome.petitions)} "
          f"({sum(len(p[0].documents) for p in outcome.petitions.values())} PDFs)")
    print("  notifications: " + ", ".join(f"{ch} {st} {n}" for (ch, st), n in sorted(statuses.items())))
    print(f"  rows dead-lettered by intake: {len(outcome.dead_letters)}")
    print(f"\n  petitions and orders (PDF): {stack.documents_dir}")
    print(f"  emails (.eml):              {stack.email_dir} ({len(list(stack.email_dir.glob('*.eml')))} files)")
    print(f"  traces (JSON lines):        {stack.trace_dir}   (clearway trace <case-or-batch-id>)")
    print(f"  service logs:               {stack.home / 'logs'}")
    time.sleep(1.0)  # let the services' span processors flush their last spans
    with_petition = next(iter(sorted(outcome.petitions)), None) or next(iter(outcome.determinations))
    spans = tracetree.load_spans(stack.trace_dir)
    trace_ids = tracetree.traces_for(spans, with_petition)
    if trace_ids:
        print(f"\nTrace of case {with_petition}:")
        print(tracetree.render_tree(spans, trace_ids[0]))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StackRefused as refused:
        print(f"\nerror: {refused}", file=sys.stderr)
        sys.exit(1)
