"""CA DOJ research file in intake: grouping, case building and synthetic data (format: clearway.ca_doj).

Pure Python (csv + clearway.v1 protobuf); no transport or telemetry imports.
See shared/domain/ca-doj-prop64.md §1 for the format.
"""

from .cases import (
    CII_SCHEME,
    SOURCE_FORMAT,
    SUBJECT_ID_SCHEME,
    SUBJECT_IN_FILE_SCHEME,
    ContactInfo,
    ContactsError,
    apply_contact,
    case_input_from_rows,
    fill_case_from_rows,
    group_by_subject,
    load_contacts,
    parse_name,
    parse_source_date,
    person_key,
)
from .grouping import PARTITION_BYTES, group_files, group_rows, partition_count
from clearway.ca_doj import columns
from clearway.ca_doj.columns import COLUMNS, NUM_COLUMNS, column_name
from clearway.ca_doj.reader import FieldProblem, Row, RowError, read_rows, validate_row


def __getattr__(name: str):
    # Loaded lazily so `python -m clearway_intake.domain.ca_doj.synthetic` does
    # not import the module twice (runpy warns about that).
    if name in ("GeneratedFiles", "generate"):
        from . import synthetic

        return getattr(synthetic, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CII_SCHEME",
    "COLUMNS",
    "columns",
    "ContactInfo",
    "ContactsError",
    "FieldProblem",
    "GeneratedFiles",
    "PARTITION_BYTES",
    "NUM_COLUMNS",
    "Row",
    "RowError",
    "SOURCE_FORMAT",
    "SUBJECT_ID_SCHEME",
    "SUBJECT_IN_FILE_SCHEME",
    "apply_contact",
    "case_input_from_rows",
    "column_name",
    "fill_case_from_rows",
    "generate",
    "group_by_subject",
    "group_files",
    "group_rows",
    "load_contacts",
    "parse_name",
    "parse_source_date",
    "partition_count",
    "person_key",
    "read_rows",
    "validate_row",
]
