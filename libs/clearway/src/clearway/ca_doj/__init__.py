"""The CA DOJ research file and gogen's report formats, shared by every service.

Format knowledge only (columns, the streaming reader, the report bundle and
the impact report); the law that judges the rows lives in eligibility.
See shared/domain/ca-doj-prop64.md §1 and §4.
"""

# How a Person carries the file's SUBJECT_ID among its identifiers (intake sets it;
# clearway.determinations reads it).
SUBJECT_ID_SCHEME = "ca-doj-subject-id"
# How a Person carries a row's CII number (state id) among its identifiers.
CII_SCHEME = "ca-cii"
