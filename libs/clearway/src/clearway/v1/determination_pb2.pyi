import datetime

from clearway.v1 import case_pb2 as _case_pb2
from clearway.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Outcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTCOME_UNSPECIFIED: _ClassVar[Outcome]
    OUTCOME_DISMISS: _ClassVar[Outcome]
    OUTCOME_REDUCE: _ClassVar[Outcome]
    OUTCOME_SEAL: _ClassVar[Outcome]
    OUTCOME_NOT_ELIGIBLE: _ClassVar[Outcome]
    OUTCOME_NEEDS_REVIEW: _ClassVar[Outcome]
OUTCOME_UNSPECIFIED: Outcome
OUTCOME_DISMISS: Outcome
OUTCOME_REDUCE: Outcome
OUTCOME_SEAL: Outcome
OUTCOME_NOT_ELIGIBLE: Outcome
OUTCOME_NEEDS_REVIEW: Outcome

class DeterminationMade(_message.Message):
    __slots__ = ("envelope", "person_id", "rule_pack", "compute_date", "computed_at", "convictions", "person")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    RULE_PACK_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_DATE_FIELD_NUMBER: _ClassVar[int]
    COMPUTED_AT_FIELD_NUMBER: _ClassVar[int]
    CONVICTIONS_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.Envelope
    person_id: str
    rule_pack: RulePack
    compute_date: _envelope_pb2.SourceDate
    computed_at: _timestamp_pb2.Timestamp
    convictions: _containers.RepeatedCompositeFieldContainer[ConvictionDetermination]
    person: _case_pb2.Person
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.Envelope, _Mapping]] = ..., person_id: _Optional[str] = ..., rule_pack: _Optional[_Union[RulePack, _Mapping]] = ..., compute_date: _Optional[_Union[_envelope_pb2.SourceDate, _Mapping]] = ..., computed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., convictions: _Optional[_Iterable[_Union[ConvictionDetermination, _Mapping]]] = ..., person: _Optional[_Union[_case_pb2.Person, _Mapping]] = ...) -> None: ...

class RulePack(_message.Message):
    __slots__ = ("id", "version", "policy_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    version: str
    policy_id: str
    def __init__(self, id: _Optional[str] = ..., version: _Optional[str] = ..., policy_id: _Optional[str] = ...) -> None: ...

class ConvictionDetermination(_message.Message):
    __slots__ = ("conviction_id", "code_section", "outcome", "reason", "statute_citation", "rule_id", "county", "conviction_date", "case_numbers", "felony", "source_row_index")
    CONVICTION_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_SECTION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATUTE_CITATION_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTY_FIELD_NUMBER: _ClassVar[int]
    CONVICTION_DATE_FIELD_NUMBER: _ClassVar[int]
    CASE_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    FELONY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ROW_INDEX_FIELD_NUMBER: _ClassVar[int]
    conviction_id: str
    code_section: str
    outcome: Outcome
    reason: str
    statute_citation: str
    rule_id: str
    county: str
    conviction_date: _envelope_pb2.SourceDate
    case_numbers: _containers.RepeatedScalarFieldContainer[str]
    felony: bool
    source_row_index: int
    def __init__(self, conviction_id: _Optional[str] = ..., code_section: _Optional[str] = ..., outcome: _Optional[_Union[Outcome, str]] = ..., reason: _Optional[str] = ..., statute_citation: _Optional[str] = ..., rule_id: _Optional[str] = ..., county: _Optional[str] = ..., conviction_date: _Optional[_Union[_envelope_pb2.SourceDate, _Mapping]] = ..., case_numbers: _Optional[_Iterable[str]] = ..., felony: _Optional[bool] = ..., source_row_index: _Optional[int] = ...) -> None: ...
