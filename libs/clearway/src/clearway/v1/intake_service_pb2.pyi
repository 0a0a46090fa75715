from clearway.v1 import case_pb2 as _case_pb2
from clearway.v1 import notification_pb2 as _notification_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CaseStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_STAGE_UNSPECIFIED: _ClassVar[CaseStage]
    CASE_STAGE_SUBMITTED: _ClassVar[CaseStage]
    CASE_STAGE_DETERMINED: _ClassVar[CaseStage]
    CASE_STAGE_PETITION_GENERATED: _ClassVar[CaseStage]
    CASE_STAGE_NOTIFIED: _ClassVar[CaseStage]
CASE_STAGE_UNSPECIFIED: CaseStage
CASE_STAGE_SUBMITTED: CaseStage
CASE_STAGE_DETERMINED: CaseStage
CASE_STAGE_PETITION_GENERATED: CaseStage
CASE_STAGE_NOTIFIED: CaseStage

class CaseInput(_message.Message):
    __slots__ = ("person", "record", "source_person_key")
    PERSON_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    SOURCE_PERSON_KEY_FIELD_NUMBER: _ClassVar[int]
    person: _case_pb2.Person
    record: _case_pb2.CriminalRecord
    source_person_key: str
    def __init__(self, person: _Optional[_Union[_case_pb2.Person, _Mapping]] = ..., record: _Optional[_Union[_case_pb2.CriminalRecord, _Mapping]] = ..., source_person_key: _Optional[str] = ...) -> None: ...

class SubmitCaseRequest(_message.Message):
    __slots__ = ("tenant", "jurisdiction", "case", "request_id")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    jurisdiction: str
    case: CaseInput
    request_id: str
    def __init__(self, tenant: _Optional[str] = ..., jurisdiction: _Optional[str] = ..., case: _Optional[_Union[CaseInput, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class SubmitCaseResponse(_message.Message):
    __slots__ = ("case_id", "person_id", "event_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    person_id: str
    event_id: str
    def __init__(self, case_id: _Optional[str] = ..., person_id: _Optional[str] = ..., event_id: _Optional[str] = ...) -> None: ...

class SubmitBatchRequest(_message.Message):
    __slots__ = ("tenant", "jurisdiction", "case", "request_id")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    JURISDICTION_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    jurisdiction: str
    case: CaseInput
    request_id: str
    def __init__(self, tenant: _Optional[str] = ..., jurisdiction: _Optional[str] = ..., case: _Optional[_Union[CaseInput, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class SubmitBatchResponse(_message.Message):
    __slots__ = ("batch_id", "accepted", "rejected", "case_ids")
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    batch_id: str
    accepted: int
    rejected: int
    case_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, batch_id: _Optional[str] = ..., accepted: _Optional[int] = ..., rejected: _Optional[int] = ..., case_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetCaseStatusRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class GetCaseStatusResponse(_message.Message):
    __slots__ = ("case_id", "stage", "convictions_determined", "convictions_eligible", "documents", "notifications", "notification_status")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    CONVICTIONS_DETERMINED_FIELD_NUMBER: _ClassVar[int]
    CONVICTIONS_ELIGIBLE_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_STATUS_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    stage: CaseStage
    convictions_determined: int
    convictions_eligible: int
    documents: int
    notifications: int
    notification_status: _notification_pb2.NotificationStatus
    def __init__(self, case_id: _Optional[str] = ..., stage: _Optional[_Union[CaseStage, str]] = ..., convictions_determined: _Optional[int] = ..., convictions_eligible: _Optional[int] = ..., documents: _Optional[int] = ..., notifications: _Optional[int] = ..., notification_status: _Optional[_Union[_notification_pb2.NotificationStatus, str]] = ...) -> None: ...
