"""The pipeline as a whole: real broker, the four services as real processes, real SMTP."""

from __future__ import annotations

import email
import json
import subprocess
import time
import uuid
from collections import Counter

import pytest
from pypdf import PdfReader

from clearway import tracetree
from clearway.devstack import BatchWatcher, Submission
from clearway.v1 import notification_pb2

pytestmark = pytest.mark.broker


def run_batch(stack, doj, contacts, timeout_s=180):
    submitted = stack.submit(doj, contacts)
    return (submitted.batch_id, submitted.cases, submitted.rejected_rows,
            wait_for(stack, submitted.batch_id, submitted.cases, timeout_s))


def wait_for(stack, batch_id, cases, timeout_s=180):
    watcher = BatchWatcher(stack.broker.bootstrap, batch_id)
    try:
        watcher.wait(cases, timeout_s=timeout_s)
        time.sleep(1.5)
        return watcher.poll()  # anything late, e.g. a duplicate, is counted too
    finally:
        watcher.close()


def emails_for(stack, message_ids):
    found = []
    for path in stack.email_dir.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        if message["Message-ID"] in message_ids:
            found.append(message)
    return found


def test_n_cases_in_give_n_determinations_pdfs_and_emails(stack, sample):
    doj, contacts = sample(people=40, seed=11)
    batch_id, cases, rejected, out = run_batch(stack, doj, contacts)

    assert cases == 40 and rejected == 0
    assert len(out.determinations) == 40
    assert all(len(made) == 1 for made in out.determinations.values())
    eligible = out.eligible_cases()
    assert eligible, "the seeded sample should contain eligible people"
    assert set(out.petitions) == eligible
    assert all(len(n) == 1 for n in out.notifications.values())

    for case_id in sorted(eligible)[:5]:
        petition = out.petitions[case_id][0]
        made = petition.determination
        assert {d.kind for d in petition.documents} == {1, 2}  # petition and order
        document = next(d for d in petition.documents if d.kind == 1)
        text = "".join(page.extract_text() for page in PdfReader(document.location.removeprefix("file://")).pages)
        assert made.person.name.family_name in text
        assert "11361.8" in text
        for conviction in made.convictions:
            if conviction.outcome in (1, 2, 3):
                assert conviction.code_section.strip()[:5] in text

    sent = {n[0].message_id: n[0] for n in out.notifications.values()
            if n[0].channel == notification_pb2.CHANNEL_EMAIL
            and n[0].status == notification_pb2.NOTIFICATION_STATUS_SENT}
    received = emails_for(stack, set(sent))
    assert len(received) == len(sent) > 0
    addresses = {case_id: made[0].person.contact.email for case_id, made in out.determinations.items()}
    for message in received:
        assert message["To"] in addresses.values()

    # Everything holding personal data is its owner's only: documents, bundles, emails, letters.
    assert stack.wait_for_bundle(batch_id) is not None
    for folder in (stack.documents_dir, stack.bundles_dir, stack.email_dir, stack.home / "outbox"):
        written = [folder, *folder.rglob("*")]
        assert len(written) > 1, folder
        for path in written:
            assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path


def test_two_eligibility_workers_share_a_batch_and_determine_each_case_once(stack, sample):
    doj, contacts = sample(people=60, seed=21)
    batch_id, cases, _, out = run_batch(stack, doj, contacts)

    assert len(out.determinations) == cases == 60
    assert all(len(made) == 1 for made in out.determinations.values())
    by_worker = {}
    with open(stack.trace_dir / "eligibility.jsonl", encoding="utf-8") as spans:
        for span in map(json.loads, spans):
            case_id = span["attributes"].get("clearway.case_id")
            if span["name"] == "clearway.cases.v1 process" and case_id in out.determinations:
                by_worker.setdefault(span["instance"], set()).add(case_id)
    assert set(by_worker) == {"eligibility", "eligibility-2"}, "one worker had all the partitions"
    assert not by_worker["eligibility"] & by_worker["eligibility-2"]
    assert by_worker["eligibility"] | by_worker["eligibility-2"] == set(out.determinations)


def test_one_trace_links_all_four_services_parent_to_child(stack, sample):
    doj, contacts = sample(people=5, seed=12)
    _, _, _, out = run_batch(stack, doj, contacts)
    case_id = sorted(out.petitions)[0]
    time.sleep(1.5)  # span processors flush every 500 ms
    spans = tracetree.load_spans(stack.trace_dir)
    (trace_id,) = tracetree.traces_for(spans, case_id)
    members = {s.span_id: s for s in spans if s.trace_id == trace_id}
    assert tracetree.services_in(spans, trace_id) == {"intake", "eligibility", "petitions", "notifications"}

    def parent_service(span):
        parent = members.get(span.parent_span_id)
        return (parent.service, parent.name) if parent else None

    edges = {(s.service, s.name): parent_service(s) for s in members.values()}
    assert edges[("eligibility", "clearway.cases.v1 process")] == ("intake", "clearway.cases.v1 send")
    assert edges[("petitions", "clearway.determinations.v1 process")] == \
        ("eligibility", "clearway.determinations.v1 send")
    assert edges[("notifications", "clearway.petitions.v1 process")] == \
        ("petitions", "clearway.petitions.v1 send")
    roots = [s for s in members.values() if s.parent_span_id not in members]
    assert [r.name for r in roots] == ["intake case"]


def test_malformed_row_is_dead_lettered_with_reason_and_the_rest_complete(stack, sample, tmp_path):
    doj, contacts = sample(people=8, seed=13)
    lines = doj.read_bytes().split(b"\n")
    bad_line = 5  # 1-based physical line (line 1 is the header)
    fields = lines[bad_line - 1].split(b",")
    lines[bad_line - 1] = b",".join(fields[:90])  # five fields short
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\n".join(lines))

    batch_id, cases, rejected, out = run_batch(stack, broken, contacts)

    assert rejected == 1
    (letter,) = out.dead_letters
    assert letter.source == "intake"
    assert letter.source_file == "broken.csv" and letter.line == bad_line
    assert "expected 95 fields" in letter.reason and "broken.csv:5" in letter.reason
    assert letter.original.rstrip(b"\r\n") == lines[bad_line - 1]  # the bytes as read
    assert len(out.determinations) == cases >= 7


def test_no_personal_data_in_spans_or_logs(stack, sample):
    doj, contacts = sample(people=6, seed=14)
    _, _, _, out = run_batch(stack, doj, contacts)
    time.sleep(1.5)
    people = [made[0].person for made in out.determinations.values()]
    canaries = set()
    for person in people:
        canaries |= {person.name.recorded, person.name.family_name, person.date_of_birth.raw,
                     person.contact.email}
        canaries |= {i.value for i in person.identifiers}
    canaries.discard("")
    exported = "".join(p.read_text() for p in stack.trace_dir.glob("*.jsonl"))
    logs = "".join(p.read_text(errors="replace") for p in (stack.home / "logs").glob("*.log")
                   if p.name != "smtp-sink.log")
    leaked = sorted(c for c in canaries if c in exported or c in logs)
    assert leaked == []


@pytest.mark.timeout(600)
def test_killing_services_mid_batch_loses_and_duplicates_nothing(stack, sample):
    """SIGKILL eligibility and petitions while a batch is flowing, restart them, count outcomes."""
    doj, contacts = sample(people=1500, seed=15)
    batch_id = str(uuid.uuid4())
    submitting = subprocess.Popen(stack.submit_command(doj, contacts, batch_id), env=stack.env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    watcher = BatchWatcher(stack.broker.bootstrap, batch_id)
    try:
        wait_until(lambda: len(watcher.poll().determinations) >= 50)
        stack.services["eligibility"].kill()
        determined_at_crash = len(watcher.outcome.determinations)
        wait_until(lambda: len(watcher.poll().petitions) >= 20)
        stack.services["petitions"].kill()
        petitioned_at_crash = len(watcher.outcome.petitions)
        stack.restart_service("eligibility")
        stack.restart_service("petitions")
        stdout, _ = submitting.communicate(timeout=180)
    finally:
        watcher.close()
        if submitting.poll() is None:
            submitting.kill()
    submitted = Submission.parse(stdout)
    # Each crash came mid-batch (eligibility-2 goes on determining while the first is down).
    assert determined_at_crash < submitted.cases, "the batch was determined before the crash"

    out = wait_for(stack, batch_id, submitted.cases, timeout_s=150)
    assert petitioned_at_crash < len(out.eligible_cases()), "every petition was out before the crash"

    assert len(out.determinations) == submitted.cases
    # faust is at-least-once: a redelivered determination carries the same derived id.
    assert all(len({m.envelope.event_id for m in made}) == 1 for made in out.determinations.values())
    assert set(out.petitions) == out.eligible_cases()
    assert all(len(p) == 1 for p in out.petitions.values()), "a petition was published twice"
    assert all(len(n) == 1 for n in out.notifications.values()), "a person was notified twice"
    sent = [n[0].message_id for n in out.notifications.values()
            if n[0].channel == notification_pb2.CHANNEL_EMAIL
            and n[0].status == notification_pb2.NOTIFICATION_STATUS_SENT]
    received = Counter(m["Message-ID"] for m in emails_for(stack, set(sent)))
    assert set(received) == set(sent) and max(received.values()) == 1


def wait_until(condition, timeout_s=60.0):
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
