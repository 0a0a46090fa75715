from clearway.v1 import envelope_pb2 as _envelope_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CaseSubmitted(_message.Message):
    __slots__ = ("envelope", "person", "record", "evaluation")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    RECORD_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.Envelope
    person: Person
    record: CriminalRecord
    evaluation: EvaluationRequest
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.Envelope, _Mapping]] = ..., person: _Optional[_Union[Person, _Mapping]] = ..., record: _Optional[_Union[CriminalRecord, _Mapping]] = ..., evaluation: _Optional[_Union[EvaluationRequest, _Mapping]] = ...) -> None: ...

class EvaluationRequest(_message.Message):
    __slots__ = ("rule_pack_version", "compute_date")
    RULE_PACK_VERSION_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_DATE_FIELD_NUMBER: _ClassVar[int]
    rule_pack_version: str
    compute_date: _envelope_pb2.SourceDate
    def __init__(self, rule_pack_version: _Optional[str] = ..., compute_date: _Optional[_Union[_envelope_pb2.SourceDate, _Mapping]] = ...) -> None: ...

class Person(_message.Message):
    __slots__ = ("person_id", "name", "date_of_birth", "contact", "preferred_language", "consent", "identifiers", "gender", "race")
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    PREFERRED_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    IDENTIFIERS_FIELD_NUMBER: _ClassVar[int]
    GENDER_FIELD_NUMBER: _ClassVar[int]
    RACE_FIELD_NUMBER: _ClassVar[int]
    person_id: str
    name: Name
    date_of_birth: _envelope_pb2.SourceDate
    contact: Contact
    preferred_language: str
    consent: Consent
    identifiers: _containers.RepeatedCompositeFieldContainer[Identifier]
    gender: str
    race: str
    def __init__(self, person_id: _Optional[str] = ..., name: _Optional[_Union[Name, _Mapping]] = ..., date_of_birth: _Optional[_Union[_envelope_pb2.SourceDate, _Mapping]] = ..., contact: _Optional[_Union[Contact, _Mapping]] = ..., preferred_language: _Optional[str] = ..., consent: _Optional[_Union[Consent, _Mapping]] = ..., identifiers: _Optional[_Iterable[_Union[Identifier, _Mapping]]] = ..., gender: _Optional[str] = ..., race: _Optional[str] = ...) -> None: ...

class Name(_message.Message):
    __slots__ = ("recorded", "family_name", "given_names")
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    FAMILY_NAME_FIELD_NUMBER: _ClassVar[int]
    GIVEN_NAMES_FIELD_NUMBER: _ClassVar[int]
    recorded: str
    family_name: str
    given_names: str
    def __init__(self, recorded: _Optional[str] = ..., family_name: _Optional[str] = ..., given_names: _Optional[str] = ...) -> None: ...

class Identifier(_message.Message):
    __slots__ = ("scheme", "value")
    SCHEME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    scheme: str
    value: str
    def __init__(self, scheme: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class Contact(_message.Message):
    __slots__ = ("email", "phone", "postal_address")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    POSTAL_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    email: str
    phone: str
    postal_address: PostalAddress
    def __init__(self, email: _Optional[str] = ..., phone: _Optional[str] = ..., postal_address: _Optional[_Union[PostalAddress, _Mapping]] = ...) -> None: ...

class PostalAddress(_message.Message):
    __slots__ = ("lines", "locality", "region", "postal_code", "country")
    LINES_FIELD_NUMBER: _ClassVar[int]
    LOCALITY_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    POSTAL_CODE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedScalarFieldContainer[str]
    locality: str
    region: str
    postal_code: str
    country: str
    def __init__(self, lines: _Optional[_Iterable[str]] = ..., locality: _Optional[str] = ..., region: _Optional[str] = ..., postal_code: _Optional[str] = ..., country: _Optional[str] = ...) -> None: ...

class Consent(_message.Message):
    __slots__ = ("email", "sms", "postal_mail")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    SMS_FIELD_NUMBER: _ClassVar[int]
    POSTAL_MAIL_FIELD_NUMBER: _ClassVar[int]
    email: bool
    sms: bool
    postal_mail: bool
    def __init__(self, email: _Optional[bool] = ..., sms: _Optional[bool] = ..., postal_mail: _Optional[bool] = ...) -> None: ...

class CriminalRecord(_message.Message):
    __slots__ = ("source_format", "cycles", "source_rows")
    SOURCE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    CYCLES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ROWS_FIELD_NUMBER: _ClassVar[int]
    source_format: str
    cycles: _containers.RepeatedCompositeFieldContainer[Cycle]
    source_rows: _containers.RepeatedCompositeFieldContainer[SourceRow]
    def __init__(self, source_format: _Optional[str] = ..., cycles: _Optional[_Iterable[_Union[Cycle, _Mapping]]] = ..., source_rows: _Optional[_Iterable[_Union[SourceRow, _Mapping]]] = ...) -> None: ...

class Cycle(_message.Message):
    __slots__ = ("cycle_order", "date", "age_at_cycle", "steps")
    CYCLE_ORDER_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    AGE_AT_CYCLE_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    cycle_order: str
    date: _envelope_pb2.SourceDate
    age_at_cycle: str
    steps: _containers.RepeatedCompositeFieldContainer[Step]
    def __init__(self, cycle_order: _Optional[str] = ..., date: _Optional[_Union[_envelope_pb2.SourceDate, _Mapping]] = ..., age_at_cycle: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[Step, _Mapping]]] = ...) -> None: ...

class Step(_message.Message):
    __slots__ = ("step_order", "event_date", "type_code", "type_description", "agency", "counts")
    STEP_ORDER_FIELD_NUMBER: _ClassVar[int]
    EVENT_DATE_FIELD_NUMBER: _ClassVar[int]
    TYPE_CODE_FIELD_NUMBER: _ClassVar[int]
    TYPE_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    step_order: str
    event_date: _envelope_pb2.SourceDate
    type_code: str
    type_description: str
    agency: Agency
    counts: _containers.RepeatedCompositeFieldContainer[Count]
    def __init__(self, step_order: _Optional[str] = ..., event_date: _Optional[_Union[_envelope_pb2.SourceDate, _Mapping]] = ..., type_code: _Optional[str] = ..., type_description: _Optional[str] = ..., agency: _Optional[_Union[Agency, _Mapping]] = ..., counts: _Optional[_Iterable[_Union[Count, _Mapping]]] = ...) -> None: ...

class Agency(_message.Message):
    __slots__ = ("ori_type", "ori_type_description", "ori_code", "description", "county_code", "county_name")
    ORI_TYPE_FIELD_NUMBER: _ClassVar[int]
    ORI_TYPE_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ORI_CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    COUNTY_CODE_FIELD_NUMBER: _ClassVar[int]
    COUNTY_NAME_FIELD_NUMBER: _ClassVar[int]
    ori_type: str
    ori_type_description: str
    ori_code: str
    description: str
    county_code: str
    county_name: str
    def __init__(self, ori_type: _Optional[str] = ..., ori_type_description: _Optional[str] = ..., ori_code: _Optional[str] = ..., description: _Optional[str] = ..., county_code: _Optional[str] = ..., county_name: _Optional[str] = ...) -> None: ...

class Count(_message.Message):
    __slots__ = ("count_order", "case_number", "offense", "disposition", "sentences", "comment", "source_row_index")
    COUNT_ORDER_FIELD_NUMBER: _ClassVar[int]
    CASE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    OFFENSE_FIELD_NUMBER: _ClassVar[int]
    DISPOSITION_FIELD_NUMBER: _ClassVar[int]
    SENTENCES_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ROW_INDEX_FIELD_NUMBER: _ClassVar[int]
    count_order: str
    case_number: str
    offense: Offense
    disposition: Disposition
    sentences: _containers.RepeatedCompositeFieldContainer[Sentence]
    comment: str
    source_row_index: int
    def __init__(self, count_order: _Optional[str] = ..., case_number: _Optional[str] = ..., offense: _Optional[_Union[Offense, _Mapping]] = ..., disposition: _Optional[_Union[Disposition, _Mapping]] = ..., sentences: _Optional[_Iterable[_Union[Sentence, _Mapping]]] = ..., comment: _Optional[str] = ..., source_row_index: _Optional[int] = ...) -> None: ...

class Offense(_message.Message):
    __slots__ = ("code", "description", "type_of_charge", "qualifiers")
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TYPE_OF_CHARGE_FIELD_NUMBER: _ClassVar[int]
    QUALIFIERS_FIELD_NUMBER: _ClassVar[int]
    code: str
    description: str
    type_of_charge: str
    qualifiers: str
    def __init__(self, code: _Optional[str] = ..., description: _Optional[str] = ..., type_of_charge: _Optional[str] = ..., qualifiers: _Optional[str] = ...) -> None: ...

class Disposition(_message.Message):
    __slots__ = ("code", "description", "date", "conviction_status_code", "conviction_status", "conviction_offense")
    CODE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    CONVICTION_STATUS_CODE_FIELD_NUMBER: _ClassVar[int]
    CONVICTION_STATUS_FIELD_NUMBER: _ClassVar[int]
    CONVICTION_OFFENSE_FIELD_NUMBER: _ClassVar[int]
    code: str
    description: str
    date: _envelope_pb2.SourceDate
    conviction_status_code: str
    conviction_status: str
    conviction_offense: Offense
    def __init__(self, code: _Optional[str] = ..., description: _Optional[str] = ..., date: _Optional[_Union[_envelope_pb2.SourceDate, _Mapping]] = ..., conviction_status_code: _Optional[str] = ..., conviction_status: _Optional[str] = ..., conviction_offense: _Optional[_Union[Offense, _Mapping]] = ...) -> None: ...

class Sentence(_message.Message):
    __slots__ = ("order", "location_code", "location", "length", "time_code", "time_description")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    LOCATION_CODE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    TIME_CODE_FIELD_NUMBER: _ClassVar[int]
    TIME_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    order: str
    location_code: str
    location: str
    length: str
    time_code: str
    time_description: str
    def __init__(self, order: _Optional[str] = ..., location_code: _Optional[str] = ..., location: _Optional[str] = ..., length: _Optional[str] = ..., time_code: _Optional[str] = ..., time_description: _Optional[str] = ...) -> None: ...

class SourceRow(_message.Message):
    __slots__ = ("file", "line", "index", "fields")
    FILE_FIELD_NUMBER: _ClassVar[int]
    LINE_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    file: str
    line: int
    index: int
    fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, file: _Optional[str] = ..., line: _Optional[int] = ..., index: _Optional[int] = ..., fields: _Optional[_Iterable[str]] = ...) -> None: ...
