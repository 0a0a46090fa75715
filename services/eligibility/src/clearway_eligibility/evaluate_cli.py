"""`clearway evaluate`: judge CA DOJ files offline and write gogen's bundle.

    clearway evaluate --format ca-doj --county SACRAMENTO --compute-at 2019-11-11 \\
        --policy eligibility_options.json [--compat gogen] --out DIR FILE...

Exit status (clearway.exitcodes): 0 done; 1 a file was rejected whole
(--on-bad-row reject-file, or as gogen rejects a file it cannot read); 2 bad
arguments, an unknown county or an unusable policy; 3 an input file cannot be
a CA DOJ research file at all (empty, binary, another delimiter, columns
missing): nothing is written.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from clearway import exitcodes, jurisdictions

from clearway_eligibility.domain import prop64
from clearway_eligibility.domain.model import Policy, PolicyError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="DOJ research files (one run)")
    parser.add_argument("--format", default="ca-doj", choices=["ca-doj"], help="input format")
    parser.add_argument("--county", required=True,
                        help="county to judge, as in STP_ORI_CNTY_NAME (e.g. SACRAMENTO, 'SAN JOAQUIN')")
    parser.add_argument("--compute-at", required=True, metavar="YYYY-MM-DD",
                        help="the date the law is applied as of")
    parser.add_argument("--policy", required=True, type=Path, metavar="OPTIONS.json",
                        help="the county's choices, in gogen's eligibility options format")
    parser.add_argument("--compat", choices=["gogen"],
                        help="reproduce gogen 0.2.13 exactly, quirks included "
                             f"(rule version {prop64.GOGEN.version}); default: the corrected "
                             f"version {prop64.CORRECTED.version}")
    parser.add_argument("--on-bad-row", choices=["skip-row", "reject-file"], default="skip-row",
                        help="skip-row: report the row in Rejected_Rows.csv and go on (default); "
                             "reject-file: reject the whole file, as gogen does")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    parser.add_argument("--workers", type=_workers, default=0, help="worker processes (default: one per CPU)")
    parser.set_defaults(run=run)


def _workers(text: str) -> int:
    """argparse type for --workers: 0 (one per CPU) or more."""
    try:
        workers = int(text)
    except ValueError:
        workers = -1
    if workers < 0:
        raise argparse.ArgumentTypeError("must be a whole number, 0 (one per CPU) or more")
    return workers


def run(args: argparse.Namespace) -> int:
    from clearway_eligibility import offline

    try:
        compute_date = datetime.date.fromisoformat(args.compute_at)
    except ValueError:
        return _usage("--compute-at must be a valid date in the format YYYY-MM-DD")
    county = args.county
    problem = jurisdictions.county_name_problem("ca", county)
    if problem is not None:
        return _usage(f"--county: {problem}")
    try:
        policy = Policy.from_json(args.policy.read_bytes())
    except OSError as error:
        return _usage(f"--policy {args.policy}: {error.strerror}")
    except PolicyError as error:
        return _usage(f"--policy {args.policy}: {error}")
    rules = prop64.GOGEN if args.compat == "gogen" else prop64.CORRECTED
    options = offline.Options(
        county=county,
        compute_date=compute_date,
        policy=policy,
        rules=rules,
        on_bad_row=args.on_bad_row,
        workers=args.workers,
        policy_name=args.policy.name,
    )
    bars = _ProgressBars()
    try:
        result = offline.evaluate_files(args.files, args.out, options, progress=bars.update)
    except offline.UnusableInput as error:
        for unusable in error.files:
            print(f"error: {unusable}", file=sys.stderr)
        return exitcodes.UNUSABLE_INPUT
    except offline.EvaluateError as error:
        print(f"error: {error}", file=sys.stderr)
        return exitcodes.USAGE
    finally:
        bars.close()

    for path in sorted(result.file_errors):
        print(f"{path}: {result.file_errors[path]['errorMessage']}", file=sys.stderr)
    for problem in result.problems[:20]:
        where = f"{problem.file}:{problem.line}" + (f" {problem.field}" if problem.field else "")
        print(f"rejected row {where}: {problem.reason}", file=sys.stderr)
    if result.rows_rejected > 20:
        print(f"... and {result.rows_rejected - 20} more rows in {offline.REJECTED_ROWS}", file=sys.stderr)
    outcomes = result.tally.outcomes
    print(
        f"{result.rows} rows, {result.people} people, {result.judged} Prop 64 convictions judged in "
        f"{county} ({outcomes.get('dismiss', 0)} dismiss, {outcomes.get('reduce', 0)} reduce, "
        f"{outcomes.get('needs_review', 0)} needs review, {outcomes.get('not_eligible', 0)} no relief) "
        f"with {prop64.PACK_ID} {rules.version} in {result.seconds:.1f} s; "
        f"{result.rows_rejected} rows rejected"
    )
    if result.identity_conflicts:
        held = ("their convictions are held for review" if rules.corrected
                else "gogen's version judges each as one person, as gogen does")
        print(f"{result.identity_conflicts} SUBJECT_IDs hold rows of different people (CII or name "
              f"and date of birth differ): {held}")
    print(f"results in {args.out}: " + ", ".join(p.name for p in result.outputs))
    return exitcodes.FILE_REJECTED if result.file_errors else exitcodes.OK


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return exitcodes.USAGE


class _ProgressBars:
    """One bar per phase on a terminal; silent otherwise."""

    _UNITS = {"read": ("reading", "B"), "judge": ("judging", "partitions"), "write": ("writing", "chunks")}

    def __init__(self) -> None:
        self._enabled = sys.stderr.isatty()
        self._phase = ""
        self._bar = None

    def update(self, phase: str, done: int, total: int) -> None:
        if not self._enabled:
            return
        from tqdm import tqdm

        if phase != self._phase:
            self.close()
            label, unit = self._UNITS[phase]
            self._bar = tqdm(total=total, desc=label, unit=unit, unit_scale=unit == "B", leave=False)
            self._phase = phase
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
