"""Hypothesis strategies that build any message of a protobuf type, field by field.

Why: every consumer must answer any message its topic can carry (a bug upstream, a
record from another version, a hostile producer) with an output or an explained
rejection. Random bytes rarely parse into deep messages, so these strategies walk
the descriptors instead: every field, absent or present, with ordinary, empty,
long, odd-unicode and out-of-range values, nested messages and repeated fields.
"""

from __future__ import annotations

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf import message_factory
from google.protobuf.message import Message
from hypothesis import strategies as st

_INT32 = st.one_of(st.integers(-3, 100), st.integers(-(2**31), 2**31 - 1))
_INT64 = st.one_of(st.integers(-3, 10**10), st.integers(-(2**63), 2**63 - 1))
_UINT32 = st.one_of(st.integers(0, 100), st.integers(0, 2**32 - 1))
_UINT64 = st.one_of(st.integers(0, 10**10), st.integers(0, 2**64 - 1))
# Values that matter to the services, mixed in with arbitrary text.
SAMPLE_WORDS = ("", " ", "ca/sacramento", "ca/atlantis", "11357 HS", "CONVICTED", "19900413",
                "99991399", "00000000", "x@", "a@example.org\r\nBcc: b@example.org",
                "DOE,JANE", "\x00", "\ud7ff", "2026.11", "gogen-0.2.13", "9.9")
TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(SAMPLE_WORDS),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "\u00e9", ",", "\n"]),
              st.integers(200, 20_000)),
)
_SCALARS = {
    FieldDescriptor.TYPE_STRING: TEXT,
    FieldDescriptor.TYPE_BYTES: st.binary(max_size=64),
    FieldDescriptor.TYPE_BOOL: st.booleans(),
    FieldDescriptor.TYPE_INT32: _INT32,
    FieldDescriptor.TYPE_SINT32: _INT32,
    FieldDescriptor.TYPE_SFIXED32: _INT32,
    FieldDescriptor.TYPE_INT64: _INT64,
    FieldDescriptor.TYPE_SINT64: _INT64,
    FieldDescriptor.TYPE_SFIXED64: _INT64,
    FieldDescriptor.TYPE_UINT32: _UINT32,
    FieldDescriptor.TYPE_FIXED32: _UINT32,
    FieldDescriptor.TYPE_UINT64: _UINT64,
    FieldDescriptor.TYPE_FIXED64: _UINT64,
    FieldDescriptor.TYPE_DOUBLE: st.floats(allow_nan=True),
    FieldDescriptor.TYPE_FLOAT: st.floats(width=32, allow_nan=True),
}


def messages(message_type: type[Message], *, max_depth: int = 6,
             max_repeated: int = 4) -> st.SearchStrategy[Message]:
    """Messages of ``message_type`` with any subset of fields set."""
    return _message(message_type.DESCRIPTOR, message_type, max_depth, max_repeated)


def _message(descriptor, message_type, depth: int, max_repeated: int):
    if depth <= 0:
        return st.just(message_type())
    optional = {}
    for field in descriptor.fields:
        value = _value(field, depth, max_repeated)
        if field.is_repeated:
            if field.message_type is not None and field.message_type.GetOptions().map_entry:
                key = _value(field.message_type.fields_by_name["key"], depth, max_repeated)
                item = _value(field.message_type.fields_by_name["value"], depth, max_repeated)
                value = st.dictionaries(key, item, max_size=max_repeated)
            else:
                value = st.lists(value, max_size=max_repeated)
        optional[field.name] = value
    return st.fixed_dictionaries({}, optional=optional).map(lambda kwargs: message_type(**kwargs))


def _value(field, depth: int, max_repeated: int):
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        nested = message_factory.GetMessageClass(field.message_type)
        return _message(field.message_type, nested, depth - 1, max_repeated)
    if field.type == FieldDescriptor.TYPE_ENUM:
        known = [v.number for v in field.enum_type.values]
        return st.one_of(st.sampled_from(known), _INT32)
    return _SCALARS[field.type]
