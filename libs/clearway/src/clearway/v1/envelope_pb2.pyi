import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Envelope(_message.Message):
    __slots__ = ("event_id", "tenant", "jurisdiction", "occurred_at", "schema_version", "batch_id", "causation_id", "case_id")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    CAUSATION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    tenant: str
    jurisdiction: str
    occurred_at: _timestamp_pb2.Timestamp
    schema_version: int
    batch_id: str
    causation_id: str
    case_id: str
    def __init__(self, event_id: _Optional[str] = ..., tenant: _Optional[str] = ..., jurisdiction: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., schema_version: _Optional[int] = ..., batch_id: _Optional[str] = ..., causation_id: _Optional[str] = ..., case_id: _Optional[str] = ...) -> None: ...

class SourceDate(_message.Message):
    __slots__ = ("year", "month", "day", "raw", "valid")
    YEAR_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    RAW_FIELD_NUMBER: _ClassVar[int]
    VALID_FIELD_NUMBER: _ClassVar[int]
    year: int
    month: int
    day: int
    raw: str
    valid: bool
    def __init__(self, year: _Optional[int] = ..., month: _Optional[int] = ..., day: _Optional[int] = ..., raw: _Optional[str] = ..., valid: _Optional[bool] = ...) -> None: ...
