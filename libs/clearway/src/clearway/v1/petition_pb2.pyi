from clearway.v1 import determination_pb2 as _determination_pb2
from clearway.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DocumentKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DOCUMENT_KIND_UNSPECIFIED: _ClassVar[DocumentKind]
    DOCUMENT_KIND_PETITION: _ClassVar[DocumentKind]
    DOCUMENT_KIND_ORDER: _ClassVar[DocumentKind]
    DOCUMENT_KIND_BULK_MOTION: _ClassVar[DocumentKind]
    DOCUMENT_KIND_COURT_CSV: _ClassVar[DocumentKind]
DOCUMENT_KIND_UNSPECIFIED: DocumentKind
DOCUMENT_KIND_PETITION: DocumentKind
DOCUMENT_KIND_ORDER: DocumentKind
DOCUMENT_KIND_BULK_MOTION: DocumentKind
DOCUMENT_KIND_COURT_CSV: DocumentKind

class PetitionGenerated(_message.Message):
    __slots__ = ("envelope", "person_id", "determination_event_id", "documents", "court", "determination")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    DETERMINATION_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    COURT_FIELD_NUMBER: _ClassVar[int]
    DETERMINATION_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.Envelope
    person_id: str
    determination_event_id: str
    documents: _containers.RepeatedCompositeFieldContainer[Document]
    court: str
    determination: _determination_pb2.DeterminationMade
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.Envelope, _Mapping]] = ..., person_id: _Optional[str] = ..., determination_event_id: _Optional[str] = ..., documents: _Optional[_Iterable[_Union[Document, _Mapping]]] = ..., court: _Optional[str] = ..., determination: _Optional[_Union[_determination_pb2.DeterminationMade, _Mapping]] = ...) -> None: ...

class Document(_message.Message):
    __slots__ = ("kind", "media_type", "sha256", "location", "size_bytes")
    KIND_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    kind: DocumentKind
    media_type: str
    sha256: str
    location: str
    size_bytes: int
    def __init__(self, kind: _Optional[_Union[DocumentKind, str]] = ..., media_type: _Optional[str] = ..., sha256: _Optional[str] = ..., location: _Optional[str] = ..., size_bytes: _Optional[int] = ...) -> None: ...
