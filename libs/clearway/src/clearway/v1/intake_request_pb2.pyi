from clearway.v1 import envelope_pb2 as _envelope_pb2
from clearway.v1 import intake_service_pb2 as _intake_service_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class IntakeRequestAnswered(_message.Message):
    __slots__ = ("envelope", "request_key", "request_digest", "case_answer", "batch_answer")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_KEY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_DIGEST_FIELD_NUMBER: _ClassVar[int]
    CASE_ANSWER_FIELD_NUMBER: _ClassVar[int]
    BATCH_ANSWER_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.Envelope
    request_key: str
    request_digest: str
    case_answer: _intake_service_pb2.SubmitCaseResponse
    batch_answer: _intake_service_pb2.SubmitBatchResponse
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.Envelope, _Mapping]] = ..., request_key: _Optional[str] = ..., request_digest: _Optional[str] = ..., case_answer: _Optional[_Union[_intake_service_pb2.SubmitCaseResponse, _Mapping]] = ..., batch_answer: _Optional[_Union[_intake_service_pb2.SubmitBatchResponse, _Mapping]] = ...) -> None: ...
