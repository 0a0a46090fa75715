"""Envelopes, derived event ids, the record codec and the short memory for redeliveries."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from clearway import events
from clearway.v1 import case_pb2, determination_pb2, envelope_pb2

CAUSE_ID = "0b7d3c1e-5f2a-4c8e-9d6b-1a2b3c4d5e6f"
OCCURRED = datetime(2026, 11, 20, 12, 30, tzinfo=timezone.utc)


def _cause() -> envelope_pb2.Envelope:
    return events.new_envelope(
        tenant="demo-coalition",
        jurisdiction="ca/sacramento",
        case_id="case-42",
        batch_id="batch-7",
        event_id=CAUSE_ID,
        occurred_at=OCCURRED,
    )


def _case(event_id: str = CAUSE_ID) -> case_pb2.CaseSubmitted:
    case = case_pb2.CaseSubmitted(
        person=case_pb2.Person(
            person_id="p_opaque",
            name=case_pb2.Name(recorded="QUILLFEATHER,MARISOL T"),
            contact=case_pb2.Contact(email="marisol@example.org", phone="+19165550123"),
            identifiers=[case_pb2.Identifier(scheme="ca-doj-subject-id", value="18675309")],
        ),
    )
    case.envelope.CopyFrom(_cause())
    case.envelope.event_id = event_id
    return case


# --- derived ids ---------------------------------------------------------------


def test_derived_event_id_is_the_same_for_the_same_cause_and_purpose():
    first = events.derived_event_id(CAUSE_ID, "petition")
    assert first == events.derived_event_id(CAUSE_ID, "petition")
    assert uuid.UUID(first).version == 5


def test_derived_event_id_differs_by_purpose():
    assert events.derived_event_id(CAUSE_ID, "petition") != events.derived_event_id(
        CAUSE_ID, "notification")


def test_derived_event_id_differs_by_cause():
    other = "0b7d3c1e-5f2a-4c8e-9d6b-1a2b3c4d5e70"
    assert events.derived_event_id(CAUSE_ID, "petition") != events.derived_event_id(other, "petition")


def test_derived_event_id_is_not_the_cause_id():
    assert events.derived_event_id(CAUSE_ID, "petition") != CAUSE_ID


def test_new_event_ids_are_fresh_each_time():
    assert events.new_event_id() != events.new_event_id()


# --- envelopes -----------------------------------------------------------------


def test_follow_on_envelope_keeps_tenant_jurisdiction_case_and_batch():
    cause = _cause()
    follow = events.follow_on_envelope(cause, "petition", occurred_at=OCCURRED)
    assert follow.tenant == "demo-coalition"
    assert follow.jurisdiction == "ca/sacramento"
    assert follow.case_id == "case-42"
    assert follow.batch_id == "batch-7"
    assert follow.schema_version == events.SCHEMA_VERSION


def test_follow_on_envelope_sets_causation_id_and_a_derived_event_id():
    follow = events.follow_on_envelope(_cause(), "petition")
    assert follow.causation_id == CAUSE_ID
    assert follow.event_id == events.derived_event_id(CAUSE_ID, "petition")
    assert follow.event_id != CAUSE_ID


def test_follow_on_envelope_with_a_fixed_time_is_byte_identical_on_replay():
    cause = _cause()
    first = events.follow_on_envelope(cause, "petition", occurred_at=OCCURRED)
    again = events.follow_on_envelope(cause, "petition", occurred_at=OCCURRED)
    assert first.SerializeToString(deterministic=True) == again.SerializeToString(deterministic=True)
    assert first.occurred_at.ToDatetime(tzinfo=timezone.utc) == OCCURRED


# --- decode --------------------------------------------------------------------


def test_decode_accepts_a_good_record_with_its_type_header():
    case = _case()
    value = case.SerializeToString()
    decoded = events.decode(case_pb2.CaseSubmitted, value, events.record_headers(case))
    assert decoded == case


def test_decode_accepts_a_good_record_with_headers_as_a_dict_or_none():
    case = _case()
    value = case.SerializeToString()
    assert events.decode(case_pb2.CaseSubmitted, value, dict(events.record_headers(case))) == case
    assert events.decode(case_pb2.CaseSubmitted, value, None) == case


def test_decode_rejects_a_wrong_ce_type_header_naming_both_types():
    case = _case()
    headers = [(events.TYPE_HEADER, b"clearway.v1.DeterminationMade")]
    with pytest.raises(events.UndecodableRecord) as raised:
        events.decode(case_pb2.CaseSubmitted, case.SerializeToString(), headers)
    assert "clearway.v1.DeterminationMade" in str(raised.value)
    assert "clearway.v1.CaseSubmitted" in str(raised.value)


def test_decode_rejects_a_record_of_another_type_by_its_header_before_parsing():
    made = determination_pb2.DeterminationMade(envelope=_cause(), person_id="p_opaque")
    with pytest.raises(events.UndecodableRecord):
        events.decode(case_pb2.CaseSubmitted, made.SerializeToString(), events.record_headers(made))


def test_decode_rejects_garbage_bytes():
    with pytest.raises(events.UndecodableRecord, match="not a valid clearway.v1.CaseSubmitted"):
        events.decode(case_pb2.CaseSubmitted, b"\xff\xff\xff\xff garbage \x00\x01")


def test_decode_rejects_a_record_without_a_value():
    with pytest.raises(events.UndecodableRecord, match="no value"):
        events.decode(case_pb2.CaseSubmitted, None)


def test_decode_rejects_a_message_without_an_envelope_event_id():
    case = _case(event_id="")
    with pytest.raises(events.UndecodableRecord, match="envelope.event_id"):
        events.decode(case_pb2.CaseSubmitted, case.SerializeToString())


def test_decode_rejects_a_message_with_no_envelope_at_all():
    bare = case_pb2.CaseSubmitted(person=case_pb2.Person(person_id="p_opaque"))
    with pytest.raises(events.UndecodableRecord, match="envelope.event_id"):
        events.decode(case_pb2.CaseSubmitted, bare.SerializeToString())


def test_undecodable_record_is_a_value_error():
    assert issubclass(events.UndecodableRecord, ValueError)


# --- headers -------------------------------------------------------------------


def test_record_headers_carry_the_type_and_the_event_id():
    case = _case()
    headers = dict(events.record_headers(case))
    assert headers[events.TYPE_HEADER] == b"clearway.v1.CaseSubmitted"
    assert headers[events.ID_HEADER] == CAUSE_ID.encode()
    assert headers["content-type"] == events.CONTENT_TYPE


def test_record_headers_carry_no_personal_data():
    case = _case()
    headers = events.record_headers(case)
    assert {name for name, _ in headers} == {"content-type", events.TYPE_HEADER, events.ID_HEADER}
    blob = b"".join(value for _, value in headers)
    for personal in (b"QUILLFEATHER", b"MARISOL", b"marisol@example.org", b"+19165550123",
                     b"18675309", b"p_opaque", b"case-42"):
        assert personal not in blob


# --- RecentIds ------------------------------------------------------------------


def test_recent_ids_remember_what_was_added():
    recent = events.RecentIds(3)
    recent.add("a")
    assert "a" in recent
    assert "b" not in recent
    assert len(recent) == 1


def test_recent_ids_evict_the_oldest_beyond_capacity():
    recent = events.RecentIds(3)
    for event_id in ("a", "b", "c", "d"):
        recent.add(event_id)
    assert "a" not in recent
    assert all(event_id in recent for event_id in ("b", "c", "d"))
    assert len(recent) == 3


def test_recent_ids_re_adding_refreshes_recency():
    recent = events.RecentIds(3)
    for event_id in ("a", "b", "c"):
        recent.add(event_id)
    recent.add("a")  # a is now the newest; b is the oldest
    recent.add("d")
    assert "a" in recent
    assert "b" not in recent
    assert "c" in recent and "d" in recent
    assert len(recent) == 3


def test_recent_ids_adding_the_same_id_twice_does_not_grow():
    recent = events.RecentIds(3)
    recent.add("a")
    recent.add("a")
    assert len(recent) == 1


# --- new ids -------------------------------------------------------------------------


def test_new_ids_are_distinct_random_version_4_uuids_across_pool_refills():
    ids = [events.new_id() for _ in range(3 * events._RandomIds._POOL_BYTES // 16 + 5)]
    assert len(set(ids)) == len(ids)
    parsed = [uuid.UUID(i) for i in ids]
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 and str(u) == i
               for u, i in zip(parsed, ids))
    assert events.new_event_id() not in ids


def test_a_forked_child_does_not_repeat_the_parents_ids():
    import os

    events.new_id()  # the pool holds bytes the child must not reuse
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        os.write(write, events.new_id().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 100).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert child != events.new_id()


def test_a_type_header_that_is_not_utf8_is_refused_not_a_crash():
    with pytest.raises(events.UndecodableRecord, match="record type is"):
        events.decode(case_pb2.CaseSubmitted, _case().SerializeToString(), [("ce_type", b"\x80\xff")])


# --- dead letters ----------------------------------------------------------------


def test_a_dead_letter_of_a_small_original_keeps_it_whole_and_says_so():
    letter = events.dead_letter(source="intake", reason="expected 95 fields", original=b"a,b,c")
    assert letter.original == b"a,b,c"
    assert letter.original_size == 5 and not letter.original_truncated


def test_a_dead_letter_of_an_oversized_original_is_cut_to_fit_its_topic():
    from clearway import topics

    original = b"x" * (topics.MAX_MESSAGE_BYTES + 1000)
    letter = events.dead_letter(source="intake", reason="r" * 100_000, original=original,
                                cause=_cause(), source_file="f" * 10_000, line=7)
    assert letter.original_truncated and letter.original_size == len(original)
    assert original.startswith(letter.original) and len(letter.original) > topics.MAX_MESSAGE_BYTES // 2
    assert letter.ByteSize() <= topics.MAX_MESSAGE_BYTES - events.DEAD_LETTER_HEADROOM
    assert len(letter.reason) <= 4096 and letter.reason.startswith("rrr")
    assert letter.envelope.case_id == "case-42" and letter.line == 7


def test_a_dead_letter_just_within_the_limit_is_not_cut():
    from clearway import topics

    empty = events.dead_letter(source="eligibility", reason="why", original=b"", cause=_cause())
    # Near the largest original that fits: the letter without it, less its tag, length and size.
    fits = topics.MAX_MESSAGE_BYTES - events.DEAD_LETTER_HEADROOM - empty.ByteSize() - 32
    letter = events.dead_letter(source="eligibility", reason="why", original=b"y" * fits,
                                cause=_cause())
    assert not letter.original_truncated and len(letter.original) == fits
    assert letter.ByteSize() <= topics.MAX_MESSAGE_BYTES - events.DEAD_LETTER_HEADROOM
