"""A fault checker, in the way Jepsen tests databases: faults while a batch flows, then an audit.

A real broker and the services as real processes run a batch of CLEARWAY_FAULTS_PEOPLE
people (10,000 by default). While it flows, a nemesis kill -9s each service in turn at
random moments (and starts it again, as a supervisor would), stops the broker and
starts it again, and takes the SMTP server away for a while. Then every case is
accounted for: determinations, court-feed records, petitions, notifications and the
emails in the mailbox, each expected, delivered, duplicated and lost. Any loss or
duplicate fails the test.

The faults' moments come from CLEARWAY_FAULTS_SEED (printed, so a failure can be
replayed). Run alone with ``make test-faults``.
"""

from __future__ import annotations

import os
import random
import subprocess
import threading
import time
from dataclasses import dataclass, field

import pytest

from clearway.devstack import REPO, LocalStack, Submission

from accounting import BatchReader, leaked_values, personal_values, render

pytestmark = [pytest.mark.broker, pytest.mark.faults, pytest.mark.timeout(1800)]

PEOPLE = int(os.environ.get("CLEARWAY_FAULTS_PEOPLE", "10000"))
SEED = int(os.environ.get("CLEARWAY_FAULTS_SEED", str(random.SystemRandom().randrange(1 << 30))))
# After the last fault, how long the pipeline may take to settle every case.
SETTLE_TIMEOUT_S = float(os.environ.get("CLEARWAY_FAULTS_SETTLE_TIMEOUT_S", "900"))
# Once settled, keep reading this long: a late duplicate must be seen too.
QUIET_S = 5.0


@dataclass
class Nemesis:
    """Injects the faults, one after another, and records what it did and when."""

    stack: LocalStack
    rng: random.Random
    began: float = field(default_factory=time.monotonic)
    log: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        line = f"{time.monotonic() - self.began:7.1f}s  {what}"
        self.log.append(line)
        print(line, flush=True)

    def pause(self, low: float, high: float) -> None:
        time.sleep(self.rng.uniform(low, high))

    def kill_and_restart(self, name: str) -> None:
        self.note(f"kill -9 {name}")
        self.stack.services[name].kill()
        self.pause(0.5, 3.0)
        self.stack.restart_service(name)
        self.note(f"{name} running again")

    def restart_broker(self) -> None:
        self.note("broker stopped")
        self.stack.stop_broker()
        self.pause(10.0, 20.0)
        self.stack.start_broker()
        self.note("broker running again")

    def smtp_outage(self) -> None:
        self.note("SMTP server stopped")
        self.stack.stop_smtp()
        self.pause(15.0, 30.0)
        self.stack.start_smtp()
        self.note("SMTP server running again")

    def run(self, names: list[str]) -> None:
        """Each service killed once, in a random order, with the broker and SMTP faults among them."""
        faults = [lambda n=name: self.kill_and_restart(n) for name in names]
        faults += [self.restart_broker, self.smtp_outage]
        self.rng.shuffle(faults)
        for fault in faults:
            self.pause(1.0, 6.0)
            fault()


def test_a_batch_under_faults_loses_and_duplicates_nothing(tmp_path):
    print(f"\nfault checker: {PEOPLE} people, seed {SEED} (CLEARWAY_FAULTS_SEED to replay)")
    home = tmp_path / "clearway"
    with LocalStack(home, kafka_port=0, broker_home=home / "kafka", compute_date="2026-11-20",
                    eligibility_workers=2) as stack:
        sample = tmp_path / "sample"
        stack.clearway("generate", "--people", str(PEOPLE), "--seed", str(SEED % 10_000),
                       "--out", str(sample))
        submit = subprocess.Popen(
            stack.submit_command(sample / "doj_research_file.csv", sample / "contacts.csv"),
            env=stack.env(), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        nemesis = Nemesis(stack, random.Random(SEED))
        faults = threading.Thread(target=nemesis.run, args=(list(stack.service_names),))
        try:
            faults.start()
            out, err = submit.communicate(timeout=600)
            assert submit.returncode == 0, f"clearway submit failed ({submit.returncode}): {err[-2000:]}"
            submission = Submission.parse(out)
            faults.join()
        finally:
            if submit.poll() is None:
                submit.kill()
            faults.join()
        nemesis.note(f"all faults done; batch {submission.batch_id}: {submission.cases} cases")

        reader = BatchReader(stack.broker.bootstrap, submission.batch_id)
        try:
            deadline = time.monotonic() + SETTLE_TIMEOUT_S
            ledger = reader.poll()
            while not ledger.settled() and time.monotonic() < deadline:
                ledger = reader.poll()
            settled = ledger.settled()
            quiet_until = time.monotonic() + QUIET_S
            while time.monotonic() < quiet_until:
                ledger = reader.poll()
        finally:
            reader.close()
        nemesis.note("settled" if settled else f"not settled after {SETTLE_TIMEOUT_S:.0f}s")
        tallies = ledger.tallies(stack.email_dir)
        report = render(tallies)
        print(report, flush=True)
        (tmp_path / "fault-report.txt").write_text("\n".join(nemesis.log) + "\n" + report + "\n")

        assert len(ledger.cases) == submission.cases == PEOPLE
        assert settled, f"not every case settled:\n{report}"
        dirty = {name: t for name, t in tallies.items() if not t.clean}
        assert not dirty, f"lost or duplicated outcomes (seed {SEED}):\n{report}"
        assert tallies["petitions"].expected > 0 and tallies["emails"].expected > 0

        # Faults make services log more than ever: none of it may name anyone.
        private = personal_values(ledger.cases.values())
        leaks = leaked_values([stack.home / "logs", stack.trace_dir], private)
        print(f"searched logs and spans for {len(private)} personal values: {sum(leaks.values())} hits",
              flush=True)
        assert not leaks, f"personal data in logs or spans: {leaks}"
