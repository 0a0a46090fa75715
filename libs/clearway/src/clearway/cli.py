"""The ``clearway`` command: what an operator runs by hand.

    clearway submit FILE [--contacts CSV]   stream a CA DOJ research file into the pipeline
    clearway generate --people N --seed S   write a seeded synthetic DOJ file (fabricated people)
    clearway topics                         create the pipeline's topics (idempotent)
    clearway trace ID                       print the trace of a case or batch as a tree
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from clearway.settings import BusSettings, env_str


def cmd_submit(args) -> int:
    from clearway import topics
    from clearway.logs import setup_logging
    from clearway.tracing import setup_tracing, shutdown_tracing
    from clearway_intake.bulk import submit_file
    from clearway_intake.config import IntakeSettings
    from clearway_intake.domain.identity import PersonIds
    from clearway_intake.publisher import CasePublisher

    if not args.file.is_file():
        print(f"error: {args.file}: no such file", file=sys.stderr)
        return 2
    setup_logging("intake-submit", level="WARNING")
    setup_tracing("intake")
    settings = IntakeSettings.from_env()
    topics.ensure_topics(settings.bus.bootstrap_servers)
    publisher = CasePublisher(settings.bus.bootstrap_servers, PersonIds(settings.person_id_key),
                              client_id="intake-submit")
    progress = _progress(args.file)
    try:
        report = submit_file(args.file, publisher, tenant=args.tenant or settings.bus.tenant,
                             jurisdiction=args.jurisdiction or settings.default_jurisdiction,
                             contacts_path=args.contacts, batch_id=args.batch_id or None,
                             on_row=progress.update)
    finally:
        progress.close()
        publisher.close()
        shutdown_tracing()
    print(f"batch {report.batch_id}: {report.rows} rows, {report.cases} cases published, "
          f"{report.rejected_rows} rows dead-lettered")
    return 0


def _progress(path: Path):
    from tqdm import tqdm

    with open(path, "rb") as f:
        total_lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    return tqdm(total=total_lines, unit="rows", desc=path.name, disable=not sys.stderr.isatty())


def cmd_generate(args) -> int:
    from clearway_intake.domain.ca_doj.synthetic import generate

    files = generate(args.out, people=args.people, seed=args.seed, county=args.county)
    print(f"wrote {files.rows} rows for {files.people} fabricated people to {files.doj_csv} "
          f"(contacts: {files.contacts_csv})")
    return 0


def cmd_topics(_args) -> int:
    from clearway import topics

    created = topics.ensure_topics(BusSettings.from_env().bootstrap_servers)
    print(f"created {len(created)} topics" + (": " + ", ".join(created) if created else ""))
    return 0


def cmd_trace(args) -> int:
    from clearway import tracetree
    from clearway.tracing import trace_dir

    folder = args.dir or trace_dir()
    spans = tracetree.load_spans(folder)
    trace_ids = tracetree.traces_for(spans, args.id)
    if not trace_ids:
        print(f"no trace mentions {args.id} in {folder}", file=sys.stderr)
        return 1
    shown = trace_ids if args.all else trace_ids[:2]
    for trace_id in shown:
        print(tracetree.render_tree(spans, trace_id))
    if len(trace_ids) > len(shown):
        print(f"... and {len(trace_ids) - len(shown)} more traces (one per case); --all prints them")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clearway", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("submit", help="stream a CA DOJ research file into the pipeline")
    p.add_argument("file", type=Path)
    p.add_argument("--contacts", type=Path, help="CSV of contact details and consent per SUBJECT_ID")
    p.add_argument("--tenant", default="")
    p.add_argument("--jurisdiction", default="", help="e.g. ca/sacramento (default $CLEARWAY_JURISDICTION)")
    p.add_argument("--batch-id", default="", help="id for this batch (default: a new UUID)")
    p.set_defaults(run=cmd_submit)

    from clearway_eligibility import evaluate_cli

    p = sub.add_parser("evaluate", help="judge CA DOJ files offline and write gogen's result bundle",
                       description=evaluate_cli.__doc__.split("\n\n")[0])
    evaluate_cli.add_arguments(p)

    p = sub.add_parser("generate", help="write seeded synthetic DOJ-format data of fabricated people")
    p.add_argument("--people", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--county", default="SACRAMENTO")
    p.add_argument("--out", type=Path, default=Path(env_str("CLEARWAY_HOME", ".local")) / "sample")
    p.set_defaults(run=cmd_generate)

    p = sub.add_parser("topics", help="create the pipeline's topics (idempotent)")
    p.set_defaults(run=cmd_topics)

    p = sub.add_parser("trace", help="print the trace of a case, batch or trace id as a tree")
    p.add_argument("id")
    p.add_argument("--dir", type=Path, help="span files folder (default $CLEARWAY_TRACE_DIR)")
    p.add_argument("--all", action="store_true", help="print every matching trace")
    p.set_defaults(run=cmd_trace)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
