"""The 95 positional columns of a CA DOJ research file.

DOJ files are read by position, never by header name (gogen does the same, and
a header row is optional), so the order here is the format. Source:
shared/domain/ca-doj-prop64.md §1.2.
"""

from __future__ import annotations

COLUMNS: tuple[str, ...] = (
    "RECORD_ID",
    "SUBJECT_STATUS",
    "SUBJECT_ID",
    "REQ_SEG_SEP",
    "REQ_CII_NUMBER",
    "REQ_NAME",
    "REQ_GENDER",
    "REQ_DOB",
    "REQ_CDL",
    "REQ_SSN",
    "PII_SEG_SEP",
    "CII_NUMBER",
    "PRI_NAME",
    "GENDER",
    "PRI_DOB",
    "PRI_SSN",
    "PRI_CDL",
    "PRI_IDN",
    "PRI_INN",
    "FBI_NUMBER",
    "PDR_SEG_SEP",
    "RACE_CODE",
    "RACE_DESCR",
    "EYE_COLOR_CODE",
    "EYE_COLOR_DESCR",
    "HAIR_COLOR_CODE",
    "HAIR_COLOR_DESCR",
    "HEIGHT",
    "WEIGHT",
    "SINGLE_SOURCE",
    "MULTI_SOURCE",
    "POB_CODE",
    "POB_NAME",
    "POB_TYPE",
    "CITIZENSHIP_LIST",
    "CYC_SEG_SEP",
    "CYC_ORDER",
    "CYC_DATE",
    "STP_SEG_SEP",
    "STP_ORDER",
    "STP_EVENT_DATE",
    "STP_TYPE_CODE",
    "STP_TYPE_DESCR",
    "STP_ORI_TYPE",
    "STP_ORI_TYPE_DESCR",
    "STP_ORI_CODE",
    "STP_ORI_DESCR",
    "STP_ORI_CNTY_CODE",
    "STP_ORI_CNTY_NAME",
    "CNT_SEG_SEP",
    "CNT_ORDER",
    "DISP_DATE",
    "OFN",
    "OFFENSE_CODE",
    "OFFENSE_DESCR",
    "OFFENSE_TOC",
    "OFFENSE_QUAL_LST",
    "DISP_OFFENSE_CODE",
    "DISP_OFFENSE_DESCR",
    "DISP_OFFENSE_TOC",
    "DISP_OFFENSE_QUAL_LST",
    "CONV_OFFENSE_ORDER",
    "CONV_OFFENSE_CODE",
    "CONV_OFFENSE_DESCR",
    "CONV_OFFENSE_TOC",
    "CONV_OFFENSE_QUAL_LST",
    "FE_NUM_ORDER",
    "FE_NUM_ARR_AGY",
    "FE_NUM_BNCH_WARR",
    "FE_NUM_CITE",
    "FE_NUM_DOCKET",
    "FE_NUM_INCIDENT",
    "FE_NUM_BOOKING",
    "FE_NUM_NUMBER",
    "FE_NUM_REMAND",
    "FE_NUM_OOS_INN",
    "FE_NUM_CRT_CASE",
    "FE_NUM_WARRANT",
    "DISP_ORDER",
    "DISP_CODE",
    "DISP_DESCR",
    "CONV_STAT_CODE",
    "CONV_STAT_DESCR",
    "SENT_SEG_SEP",
    "SENT_ORDER",
    "SENT_LOC_CODE",
    "SENT_LOC_DESCR",
    "SENT_LENGTH",
    "SENT_TIME_CODE",
    "SENT_TIME_DESCR",
    "CYC_AGE",
    "CII_TYPE",
    "CII_TYPE_ALPHA",
    "COMMENT_TEXT",
    "END_OF_REC",
)

NUM_COLUMNS = 95

# gogen's header sniff: a file whose first bytes are this token has a header line.
HEADER_TOKEN = "RECORD_ID"

# Indices of the columns intake reads. Each constant equals COLUMNS.index(<its name>).
RECORD_ID = 0
SUBJECT_ID = 2
CII_NUMBER = 11
PRI_NAME = 12
GENDER = 13
PRI_DOB = 14
PRI_CDL = 16
RACE_CODE = 21
RACE_DESCR = 22
CYC_ORDER = 36
CYC_DATE = 37
STP_ORDER = 39
STP_EVENT_DATE = 40
STP_TYPE_CODE = 41
STP_TYPE_DESCR = 42
STP_ORI_TYPE = 43
STP_ORI_TYPE_DESCR = 44
STP_ORI_CODE = 45
STP_ORI_DESCR = 46
STP_ORI_CNTY_CODE = 47
STP_ORI_CNTY_NAME = 48
CNT_ORDER = 50
DISP_DATE = 51
OFN = 52
OFFENSE_CODE = 53
OFFENSE_DESCR = 54
OFFENSE_TOC = 55
OFFENSE_QUAL_LST = 56
CONV_OFFENSE_CODE = 62
CONV_OFFENSE_DESCR = 63
CONV_OFFENSE_TOC = 64
CONV_OFFENSE_QUAL_LST = 65
DISP_CODE = 79
DISP_DESCR = 80
CONV_STAT_CODE = 81
CONV_STAT_DESCR = 82
SENT_ORDER = 84
SENT_LOC_CODE = 85
SENT_LOC_DESCR = 86
SENT_LENGTH = 87
SENT_TIME_CODE = 88
SENT_TIME_DESCR = 89
CYC_AGE = 90
COMMENT_TEXT = 93
END_OF_REC = 94

assert len(COLUMNS) == NUM_COLUMNS


def column_name(index: int) -> str:
    """Name of a column by position, or a positional label beyond the 95 (for error reports)."""
    if 0 <= index < NUM_COLUMNS:
        return COLUMNS[index]
    return f"column {index + 1}"
