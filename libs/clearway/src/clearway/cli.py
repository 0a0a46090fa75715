"""The ``clearway`` command: what an operator runs by hand.

    clearway submit FILE... [--contacts CSV] [--rule-version V] [--compute-at YYYY-MM-DD]
                    [--on-bad-row skip-row|reject-file]
                                            stream CA DOJ research files into the pipeline (one batch)
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
    from clearway_intake.bulk import submit_files
    from clearway_intake.config import IntakeSettings
    from clearway_intake.domain.identity import PersonIds
    from clearway_intake.publisher import CasePublisher

    for path in args.files:
        if not path.is_file():
            print(f"error: {path}: no such file", file=sys.stderr)
            return 2
    names = [p.name for p in args.files]
    if len(set(names)) != len(names):
        print("error: two files have the same name; rows and reports name files by base name",
              file=sys.stderr)
        return 2
    setup_logging("intake-submit", level="WARNING")
    setup_tracing("intake")
    settings = IntakeSettings.from_env()
    topics.ensure_topics(settings.bus.bootstrap_servers)
    publisher = CasePublisher(settings.bus.bootstrap_servers, PersonIds(settings.person_id_key),
                              client_id="intake-submit")
    progress = _progress(args.files)
    try:
        report = submit_files(args.files, publisher, tenant=args.tenant or settings.bus.tenant,
                              jurisdiction=args.jurisdiction or settings.default_jurisdiction,
                              contacts_path=args.contacts, batch_id=args.batch_id or None,
                              evaluation=_evaluation(args.rule_version, args.compute_at),
                              on_row=progress.update, on_bad_row=args.on_bad_row,
                              gogen_reading=_reads_as_gogen(args.rule_version))
    finally:
        progress.close()
        publisher.close()
        shutdown_tracing()
    # One line, read by clearway.devstack.Submission.parse: keep the first ten words as they are.
    print(f"batch {report.batch_id}: {report.rows} rows, {report.cases} cases published, "
          f"{report.rejected_rows} rows dead-lettered, {len(report.source_files)} files")
    if report.identity_conflicts:
        print(f"{report.identity_conflicts} SUBJECT_IDs hold rows of different people (CII or name "
              "and date of birth differ): their convictions go to review, nobody is filed for or told")
    for error in report.file_errors:
        print(f"file {error.source_file} rejected whole ({error.error_type}): {error.error_message}; "
              f"{error.withheld_row_count} well-formed rows withheld")
    return 1 if report.file_errors else 0  # as `clearway evaluate`: the batch lacks a file


def _reads_as_gogen(rule_version: str | None) -> bool:
    """Whether intake reads files as gogen does: for gogen's own rule version."""
    from clearway_eligibility.domain import prop64

    try:
        return rule_version is not None and not prop64.version(rule_version).corrected
    except prop64.UnknownRuleVersion:
        return False  # eligibility dead-letters the batch's cases, naming the version


def _evaluation(rule_version: str | None, compute_at):
    from clearway.v1 import case_pb2, envelope_pb2

    evaluation = case_pb2.EvaluationRequest(rule_pack_version=rule_version or "")
    if compute_at is not None:
        evaluation.compute_date.CopyFrom(envelope_pb2.SourceDate(
            year=compute_at.year, month=compute_at.month, day=compute_at.day,
            raw=compute_at.isoformat(), valid=True))
    return evaluation


def _compute_date(text: str):
    """argparse type for --compute-at: a real calendar date written YYYY-MM-DD."""
    import re
    from datetime import date

    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a calendar date") from None


def _rule_version(text: str) -> str:
    """argparse type for --rule-version: a version name such as gogen-0.2.13 or 2026.11."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}", text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a rule version (letters, digits and . _ + -, e.g. gogen-0.2.13)")
    return text


def _progress(paths: list[Path]):
    from tqdm import tqdm

    total_lines = 0
    for path in paths:
        with open(path, "rb") as f:
            total_lines += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    desc = paths[0].name if len(paths) == 1 else f"{len(paths)} files"
    return tqdm(total=total_lines, unit="rows", desc=desc, disable=not sys.stderr.isatty())


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

    p = sub.add_parser("submit", help="stream CA DOJ research files into the pipeline as one batch")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE",
                   help="DOJ research files; a person's rows may be in any of them")
    p.add_argument("--contacts", type=Path, help="CSV of contact details and consent per SUBJECT_ID")
    p.add_argument("--tenant", default="")
    p.add_argument("--jurisdiction", default="", help="e.g. ca/sacramento (default $CLEARWAY_JURISDICTION)")
    p.add_argument("--batch-id", default="", help="id for this batch (default: a new UUID)")
    p.add_argument("--rule-version", type=_rule_version, metavar="VERSION",
                   help="rule pack version to judge by, e.g. gogen-0.2.13 (default: the service's)")
    p.add_argument("--compute-at", type=_compute_date, metavar="YYYY-MM-DD",
                   help="date the law is applied as of (default: the day each case is judged)")
    p.add_argument("--on-bad-row", choices=["skip-row", "reject-file"], default="skip-row",
                   help="a malformed row is dead-lettered and the rest of its file flows on (default), "
                        "or, as gogen, its whole file is rejected")
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
