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
    __slots__ = ("envelope", "person_id", "rule_pack", "compute_date", "computed_at", "convictions", "person", "prop64_report", "identity_conflicts", "court")
    ENVELOPE_FIELD_NUMBER: _ClassVar[int]
    PERSON_ID_FIELD_NUMBER: _ClassVar[int]
    RULE_PACK_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_DATE_FIELD_NUMBER: _ClassVar[int]
    COMPUTED_AT_FIELD_NUMBER: _ClassVar[int]
    CONVICTIONS_FIELD_NUMBER: _ClassVar[int]
    PERSON_FIELD_NUMBER: _ClassVar[int]
    PROP64_REPORT_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_CONFLICTS_FIELD_NUMBER: _ClassVar[int]
    COURT_FIELD_NUMBER: _ClassVar[int]
    envelope: _envelope_pb2.Envelope
    person_id: str
    rule_pack: RulePack
    compute_date: _envelope_pb2.SourceDate
    computed_at: _timestamp_pb2.Timestamp
    convictions: _containers.RepeatedCompositeFieldContainer[ConvictionDetermination]
    person: _case_pb2.Person
    prop64_report: Prop64Report
    identity_conflicts: _containers.RepeatedCompositeFieldContainer[IdentityConflict]
    court: str
    def __init__(self, envelope: _Optional[_Union[_envelope_pb2.Envelope, _Mapping]] = ..., person_id: _Optional[str] = ..., rule_pack: _Optional[_Union[RulePack, _Mapping]] = ..., compute_date: _Optional[_Union[_envelope_pb2.SourceDate, _Mapping]] = ..., computed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., convictions: _Optional[_Iterable[_Union[ConvictionDetermination, _Mapping]]] = ..., person: _Optional[_Union[_case_pb2.Person, _Mapping]] = ..., prop64_report: _Optional[_Union[Prop64Report, _Mapping]] = ..., identity_conflicts: _Optional[_Iterable[_Union[IdentityConflict, _Mapping]]] = ..., court: _Optional[str] = ...) -> None: ...

class IdentityConflict(_message.Message):
    __slots__ = ("field", "distinct_values")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DISTINCT_VALUES_FIELD_NUMBER: _ClassVar[int]
    field: str
    distinct_values: int
    def __init__(self, field: _Optional[str] = ..., distinct_values: _Optional[int] = ...) -> None: ...

class Prop64Report(_message.Message):
    __slots__ = ("rows", "tally", "dismiss_sections", "reduce_sections")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    TALLY_FIELD_NUMBER: _ClassVar[int]
    DISMISS_SECTIONS_FIELD_NUMBER: _ClassVar[int]
    REDUCE_SECTIONS_FIELD_NUMBER: _ClassVar[int]
    rows: _containers.RepeatedCompositeFieldContainer[ReportRow]
    tally: Prop64Tally
    dismiss_sections: _containers.RepeatedScalarFieldContainer[str]
    reduce_sections: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, rows: _Optional[_Iterable[_Union[ReportRow, _Mapping]]] = ..., tally: _Optional[_Union[Prop64Tally, _Mapping]] = ..., dismiss_sections: _Optional[_Iterable[str]] = ..., reduce_sections: _Optional[_Iterable[str]] = ...) -> None: ...

class ReportRow(_message.Message):
    __slots__ = ("source", "columns", "judged")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    JUDGED_FIELD_NUMBER: _ClassVar[int]
    source: _case_pb2.SourceRow
    columns: _containers.RepeatedScalarFieldContainer[str]
    judged: bool
    def __init__(self, source: _Optional[_Union[_case_pb2.SourceRow, _Mapping]] = ..., columns: _Optional[_Iterable[str]] = ..., judged: _Optional[bool] = ...) -> None: ...

class Prop64Tally(_message.Message):
    __slots__ = ("prop64_convictions_in_county_by_section", "subjects_with_prop64_conviction_in_county", "prop64_felony_convictions_in_county", "prop64_non_felony_convictions_in_county", "subjects_with_some_relief", "dismissal_by_section", "reduction_by_section", "dismissal_by_additional_relief", "relief_current", "relief_dismiss_all", "earliest_conviction", "subjects", "subjects_with_conviction", "subjects_with_felony", "outcomes")
    class Prop64ConvictionsInCountyBySectionEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class DismissalBySectionEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class ReductionBySectionEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class DismissalByAdditionalReliefEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class OutcomesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    PROP64_CONVICTIONS_IN_COUNTY_BY_SECTION_FIELD_NUMBER: _ClassVar[int]
    SUBJECTS_WITH_PROP64_CONVICTION_IN_COUNTY_FIELD_NUMBER: _ClassVar[int]
    PROP64_FELONY_CONVICTIONS_IN_COUNTY_FIELD_NUMBER: _ClassVar[int]
    PROP64_NON_FELONY_CONVICTIONS_IN_COUNTY_FIELD_NUMBER: _ClassVar[int]
    SUBJECTS_WITH_SOME_RELIEF_FIELD_NUMBER: _ClassVar[int]
    DISMISSAL_BY_SECTION_FIELD_NUMBER: _ClassVar[int]
    REDUCTION_BY_SECTION_FIELD_NUMBER: _ClassVar[int]
    DISMISSAL_BY_ADDITIONAL_RELIEF_FIELD_NUMBER: _ClassVar[int]
    RELIEF_CURRENT_FIELD_NUMBER: _ClassVar[int]
    RELIEF_DISMISS_ALL_FIELD_NUMBER: _ClassVar[int]
    EARLIEST_CONVICTION_FIELD_NUMBER: _ClassVar[int]
    SUBJECTS_FIELD_NUMBER: _ClassVar[int]
    SUBJECTS_WITH_CONVICTION_FIELD_NUMBER: _ClassVar[int]
    SUBJECTS_WITH_FELONY_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    prop64_convictions_in_county_by_section: _containers.ScalarMap[str, int]
    subjects_with_prop64_conviction_in_county: int
    prop64_felony_convictions_in_county: int
    prop64_non_felony_convictions_in_county: int
    subjects_with_some_relief: int
    dismissal_by_section: _containers.ScalarMap[str, int]
    reduction_by_section: _containers.ScalarMap[str, int]
    dismissal_by_additional_relief: _containers.ScalarMap[str, int]
    relief_current: ReliefCounts
    relief_dismiss_all: ReliefCounts
    earliest_conviction: _envelope_pb2.SourceDate
    subjects: int
    subjects_with_conviction: int
    subjects_with_felony: int
    outcomes: _containers.ScalarMap[str, int]
    def __init__(self, prop64_convictions_in_county_by_section: _Optional[_Mapping[str, int]] = ..., subjects_with_prop64_conviction_in_county: _Optional[int] = ..., prop64_felony_convictions_in_county: _Optional[int] = ..., prop64_non_felony_convictions_in_county: _Optional[int] = ..., subjects_with_some_relief: _Optional[int] = ..., dismissal_by_section: _Optional[_Mapping[str, int]] = ..., reduction_by_section: _Optional[_Mapping[str, int]] = ..., dismissal_by_additional_relief: _Optional[_Mapping[str, int]] = ..., relief_current: _Optional[_Union[ReliefCounts, _Mapping]] = ..., relief_dismiss_all: _Optional[_Union[ReliefCounts, _Mapping]] = ..., earliest_conviction: _Optional[_Union[_envelope_pb2.SourceDate, _Mapping]] = ..., subjects: _Optional[int] = ..., subjects_with_conviction: _Optional[int] = ..., subjects_with_felony: _Optional[int] = ..., outcomes: _Optional[_Mapping[str, int]] = ...) -> None: ...

class ReliefCounts(_message.Message):
    __slots__ = ("subjects_no_conviction", "subjects_no_conviction_last_7_years", "subjects_no_felony")
    SUBJECTS_NO_CONVICTION_FIELD_NUMBER: _ClassVar[int]
    SUBJECTS_NO_CONVICTION_LAST_7_YEARS_FIELD_NUMBER: _ClassVar[int]
    SUBJECTS_NO_FELONY_FIELD_NUMBER: _ClassVar[int]
    subjects_no_conviction: int
    subjects_no_conviction_last_7_years: int
    subjects_no_felony: int
    def __init__(self, subjects_no_conviction: _Optional[int] = ..., subjects_no_conviction_last_7_years: _Optional[int] = ..., subjects_no_felony: _Optional[int] = ...) -> None: ...

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
