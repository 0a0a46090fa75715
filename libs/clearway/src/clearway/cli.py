"""The ``clearway`` command: what an operator runs by hand.

    clearway submit FILE... [--contacts CSV] [--rule-version V] [--compute-at YYYY-MM-DD]
                    [--on-bad-row skip-row|reject-file]
                                            stream CA DOJ research files into the pipeline (one batch)
    clearway generate --people N --seed S   write a seeded synthetic DOJ file (fabricated people)
    clearway topics                         create the pipeline's topics (idempotent)
    clearway trace ID                       print the trace of a case or batch as a tree

Exit statuses (clearway.exitcodes): 0 done; 1 a file was rejected whole, as gogen
rejects one, and the rest was done; 2 bad arguments or settings (an unknown
jurisdiction, county or rule version); 3 an input file or the contacts file
cannot be its format at all, and nothing was published or written; 4 Kafka could
not be reached or did not acknowledge; 74 a file could not be read or written;
130 interrupted; 70 a bug: one line names the error's type and the crash file
that holds where it happened (CLEARWAY_DEBUG=1 prints the whole traceback
instead). No input gives a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from clearway import exitcodes
from clearway.private_files import restrict_new_files
from clearway.settings import BusSettings, SettingError, env_str


class UserError(Exception):
    """A refusal the user can act on: printed as one line, with its exit status."""

    def __init__(self, message: str, status: int = exitcodes.USAGE) -> None:
        super().__init__(message)
        self.status = status


def cmd_submit(args) -> int:
    from clearway import jurisdictions, topics
    from clearway.logs import setup_logging
    from clearway.tracing import setup_tracing, shutdown_tracing
    from clearway_intake.bulk import submit_files, unusable_files
    from clearway_intake.config import IntakeSettings
    from clearway_intake.domain.ca_doj import load_contacts
    from clearway_intake.domain.identity import PersonIds
    from clearway_intake.publisher import CasePublisher

    for path in args.files:
        if not path.is_file():
            print(f"error: {path}: no such file", file=sys.stderr)
            return exitcodes.USAGE
    names = [p.name for p in args.files]
    if len(set(names)) != len(names):
        print("error: two files have the same name; rows and reports name files by base name",
              file=sys.stderr)
        return exitcodes.USAGE
    rule_version = _known_rule_version(args.rule_version)
    settings = IntakeSettings.from_env()
    jurisdiction = args.jurisdiction or settings.default_jurisdiction
    problem = jurisdictions.problem(jurisdiction)
    if problem is not None:
        source = "--jurisdiction" if args.jurisdiction else "$CLEARWAY_JURISDICTION"
        raise UserError(f"{source}: {problem}")
    # Everything that can be refused is refused before the broker is reached.
    gogen_reading = not rule_version.corrected  # intake reads files as gogen does for its version
    unusable = unusable_files(args.files, gogen_reading=gogen_reading)
    if unusable:
        for file in unusable:
            print(f"error: {file}", file=sys.stderr)
        return exitcodes.UNUSABLE_INPUT
    contacts = load_contacts(args.contacts) if args.contacts else {}

    setup_logging("intake-submit", level="WARNING")
    setup_tracing("intake")
    topics.ensure_topics(settings.bus.bootstrap_servers)
    publisher = CasePublisher(settings.bus.bootstrap_servers, PersonIds(settings.person_id_key),
                              client_id="intake-submit")
    progress = _progress(args.files)
    try:
        report = submit_files(args.files, publisher, tenant=args.tenant or settings.bus.tenant,
                              jurisdiction=jurisdiction, contacts=contacts,
                              batch_id=args.batch_id or None,
                              evaluation=_evaluation(args.rule_version, args.compute_at),
                              on_row=progress.update, on_bad_row=args.on_bad_row,
                              gogen_reading=gogen_reading)
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
    # As `clearway evaluate`: the batch lacks a file.
    return exitcodes.FILE_REJECTED if report.file_errors else exitcodes.OK


def _known_rule_version(name: str | None):
    """The rule version ``--rule-version`` names (the default one when absent); else UserError.

    Refused here, before anything is published: eligibility would dead-letter
    every case of the batch and the batch would never complete.
    """
    from clearway_eligibility.domain import prop64

    try:
        return prop64.version(name or "")
    except prop64.UnknownRuleVersion as error:
        raise UserError(f"--rule-version: {error}") from None


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


def _count(text: str) -> int:
    """argparse type for a number of things: a whole number, 0 or more."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a whole number, 0 or more")
    return int(text)


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
    try:
        spans = tracetree.load_spans(folder)
    except tracetree.SpanFileError as error:
        raise UserError(str(error), exitcodes.UNUSABLE_INPUT) from None
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
    p.add_argument("--people", type=_count, default=100)
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
    restrict_new_files()  # bundles, reports and spools hold personal data
    return _run_guarded(args)


DEBUG_VARIABLE = "CLEARWAY_DEBUG"
CRASH_FILE = "clearway-crash.log"


def _raised(error: BaseException, module: str, *names: str) -> bool:
    """Whether ``error`` is one of ``module``'s exception classes ``names``.

    Looked up among the modules already imported, never imported here: an
    error of a module nobody imported cannot have been raised, and importing
    intake and Kafka would cost every subcommand most of a second.
    """
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(error, tuple(getattr(loaded, name) for name in names))


def _run_guarded(args: argparse.Namespace) -> int:
    """Run a subcommand; every error it can meet ends in one line on stderr and its exit status."""
    try:
        return args.run(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.status
    except SettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return exitcodes.USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return exitcodes.INTERRUPTED
    except OSError as error:
        if os.environ.get(DEBUG_VARIABLE) == "1":
            raise
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or type(error).__name__}", file=sys.stderr)
        return exitcodes.IO_ERROR
    except Exception as error:
        if _raised(error, "clearway_intake.bulk", "UnusableInput"):
            for file in error.files:
                print(f"error: {file}", file=sys.stderr)
            return exitcodes.UNUSABLE_INPUT
        if _raised(error, "clearway_intake.domain.ca_doj.cases", "ContactsError"):
            print(f"error: {error}", file=sys.stderr)
            return exitcodes.UNUSABLE_INPUT
        if os.environ.get(DEBUG_VARIABLE) == "1":
            raise
        if (_raised(error, "kafka.errors", "KafkaError")
                or _raised(error, "clearway_intake.publisher", "DeliveryError")):
            bootstrap = env_str("CLEARWAY_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
            print(f"error: Kafka at {bootstrap} ($CLEARWAY_KAFKA_BOOTSTRAP) could not be reached or "
                  "did not answer in time; nothing more was sent", file=sys.stderr)
            return exitcodes.UNAVAILABLE
        # A bug: said in one line, the traceback kept aside.
        crash_file = _write_crash_file(args.command, error)
        kept = f"where it happened is in {crash_file}" if crash_file else "no crash file could be written"
        print(f"error: internal error ({type(error).__name__}) in clearway {args.command}: this is a "
              f"bug; {kept}; {DEBUG_VARIABLE}=1 prints the traceback", file=sys.stderr)
        return exitcodes.INTERNAL_ERROR


def _write_crash_file(command: str, error: BaseException) -> Path | None:
    """Append the error's type and stack to $CLEARWAY_HOME/logs/clearway-crash.log (0600).

    Frames only (file, line, function, source line), never the exception's
    message or local values: those may hold a record's personal data.
    """
    import datetime
    import traceback

    from clearway.settings import local_state_dir

    frames = traceback.extract_tb(error.__traceback__)
    lines = [f"{datetime.datetime.now(datetime.timezone.utc).isoformat()} clearway {command}: "
             f"{type(error).__module__}.{type(error).__qualname__}\n"]
    lines += [f"  {frame.filename}:{frame.lineno} in {frame.name}: {frame.line or ''}\n" for frame in frames]
    try:
        path = local_state_dir() / "logs" / CRASH_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as fh:
            fh.writelines(lines)
    except OSError:
        return None
    return path


if __name__ == "__main__":
    sys.exit(main())
