from clearway.v1 import case_pb2 as _case_pb2
from clearway.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BatchClosed(_message.Message):
    __slots__ = ("envelope", "case_count", "row_count", "rejected_row_count", "source_files", "evaluation", "file_errors")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    CASE_COUNT_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FILES_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_FIELD_NUMBER: _ClassVar[int]
    FILE_ERRORS_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.Envelope
    case_count: int
    row_count: int
    rejected_row_count: int
    source_files: _containers.RepeatedScalarFieldContainer[str]
    evaluation: _case_pb2.EvaluationRequest
    file_errors: _containers.RepeatedCompositeFieldContainer[FileError]
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.Envelope, _Mapping]] = ..., case_count: _Optional[int] = ..., row_count: _Optional[int] = ..., rejected_row_count: _Optional[int] = ..., source_files: _Optional[_Iterable[str]] = ..., evaluation: _Optional[_Union[_case_pb2.EvaluationRequest, _Mapping]] = ..., file_errors: _Optional[_Iterable[_Union[FileError, _Mapping]]] = ...) -> None: ...

class FileError(_message.Message):
    __slots__ = ("source_file", "error_type", "error_message", "withheld_row_count")
    SOURCE_FILE_FIELD_NUMBER: _ClassVar[int]
    ERROR_TYPE_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    WITHHELD_ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    source_file: str
    error_type: str
    error_message: str
    withheld_row_count: int
    def __init__(self, source_file: _Optional[str] = ..., error_type: _Optional[str] = ..., error_message: _Optional[str] = ..., withheld_row_count: _Optional[int] = ...) -> None: ...
