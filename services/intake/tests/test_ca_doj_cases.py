"""Grouping DOJ rows into people and building Person / CriminalRecord protobufs."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearway.v1 import case_pb2
from clearway_intake.domain.ca_doj import (
    COLUMNS,
    NUM_COLUMNS,
    SUBJECT_ID_SCHEME,
    SUBJECT_IN_FILE_SCHEME,
    ContactInfo,
    ContactsError,
    Row,
    apply_contact,
    case_input_from_rows,
    group_by_subject,
    group_rows,
    load_contacts,
    parse_name,
    parse_source_date,
    person_key,
    read_rows,
)
from clearway_intake.domain.ca_doj import columns as col

# gogen 0.2.13's own fixtures, vendored in the repository (tests/fixtures/gogen/README.md).
GOGEN_FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "gogen"


def fixture_rows(name: str) -> list[Row]:
    rows = list(read_rows(GOGEN_FIXTURES / name))
    assert all(isinstance(r, Row) for r in rows)
    return rows


def subject_rows(name: str, subject_id: str) -> list[Row]:
    (group,) = [g for g in group_rows(fixture_rows(name)) if g[0].subject_id == subject_id]
    return group


def make_row(index: int = 0, **values: str) -> Row:
    fields = [""] * NUM_COLUMNS
    fields[col.SUBJECT_ID] = "10000001"
    for name, value in values.items():
        fields[COLUMNS.index(name)] = value
    return Row("doj.csv", index + 2, index, fields)


def all_counts(record: case_pb2.CriminalRecord) -> list[case_pb2.Count]:
    return [c for cycle in record.cycles for step in cycle.steps for c in step.counts]


# --- grouping ------------------------------------------------------------------


def test_grouping_a_fixture_gives_one_group_per_person_in_order():
    groups = list(group_rows(fixture_rows("no_headers.csv")))
    assert [g[0].subject_id for g in groups] == [
        "18675309", "17954908", "23675654", "90675321", "84734892",
        "14575654", "95875321", "34499400", "43322421", "66678381", "34174567",
    ]
    assert [len(g) for g in groups] == [8, 5, 5, 4, 5, 3, 2, 1, 1, 2, 2]
    assert all(len({r.subject_id for r in g}) == 1 for g in groups)


def test_grouping_joins_a_subjects_rows_wherever_they_are():
    rows = [make_row(0, SUBJECT_ID="A"), make_row(1, SUBJECT_ID="A"),
            make_row(2, SUBJECT_ID="B"), make_row(3, SUBJECT_ID="A")]
    assert [[r.index for r in g] for g in group_rows(iter(rows))] == [[0, 1, 3], [2]]
    # group_by_subject is only for input already grouped: it joins consecutive rows.
    assert [[r.index for r in g] for g in group_by_subject(iter(rows))] == [[0, 1], [2], [3]]


def test_grouping_nothing_is_nothing():
    assert list(group_rows([])) == []
    assert list(group_by_subject([])) == []


# --- dates and names -----------------------------------------------------------


def test_parse_source_date_valid():
    d = parse_source_date("19600314")
    assert (d.year, d.month, d.day, d.raw, d.valid) == (1960, 3, 14, "19600314", True)
    assert parse_source_date("20000229").valid


@pytest.mark.parametrize(
    "raw", ["19790000", "20230229", "19601301", "1960031", "19600314 ", " 19600314", "", "x       ", "  -  ", "1960-03-14", "１９６００３１４"],
)
def test_parse_source_date_keeps_invalid_raw_untouched(raw):
    d = parse_source_date(raw)
    assert d.raw == raw
    assert not d.valid
    assert (d.year, d.month, d.day) == (0, 0, 0)


def test_parse_name_splits_last_comma_first():
    name = parse_name("DOE,JANE Q")
    assert (name.recorded, name.family_name, name.given_names) == ("DOE,JANE Q", "DOE", "JANE Q")
    odd = parse_name(" VAN DYKE , ANA  ")
    assert (odd.recorded, odd.family_name, odd.given_names) == (" VAN DYKE , ANA  ", "VAN DYKE", "ANA")
    single = parse_name("MADONNA")
    assert (single.family_name, single.given_names) == ("MADONNA", "")


# --- person ----------------------------------------------------------------------


def test_person_from_first_row_with_identifiers():
    rows = [
        make_row(0, PRI_NAME="DOE,JANE Q", PRI_DOB="19600314", GENDER="F", RACE_DESCR="WHITE",
                 CII_NUMBER="A123456781", CNT_ORDER="101001001000"),
        make_row(1, PRI_NAME="DOE,J", PRI_DOB="19600315", CII_NUMBER="A123456781",
                 CNT_ORDER="101002001000"),
    ]
    person, record, key = case_input_from_rows(rows)
    assert key == "10000001"
    assert person.person_id == ""  # minted by intake, never a source id
    assert person.name.recorded == "DOE,JANE Q"
    assert (person.name.family_name, person.name.given_names) == ("DOE", "JANE Q")
    assert (person.date_of_birth.year, person.date_of_birth.month, person.date_of_birth.day) == (1960, 3, 14)
    assert person.date_of_birth.valid and person.date_of_birth.raw == "19600314"
    assert (person.gender, person.race) == ("F", "WHITE")
    assert [(i.scheme, i.value) for i in person.identifiers] == [
        ("ca-doj-subject-id", "10000001"),
        ("ca-cii", "A123456781"),
    ]


def test_person_with_invalid_dob_and_no_cii():
    person, _, _ = case_input_from_rows([make_row(PRI_DOB="19790000")])
    assert person.date_of_birth.raw == "19790000" and not person.date_of_birth.valid
    assert [i.scheme for i in person.identifiers] == ["ca-doj-subject-id"]


def test_fixture_person_and_source_rows():
    rows = subject_rows("no_headers.csv", "18675309")
    person, record, key = case_input_from_rows(rows)
    assert key == "18675309"
    assert person.name.family_name == "SKYWALKER" and person.name.given_names == "LUKE S"
    assert person.date_of_birth.raw == "19600314" and person.date_of_birth.valid
    assert ("ca-cii", "1008675309") in [(i.scheme, i.value) for i in person.identifiers]
    assert record.source_format == "ca-doj-research-file"
    assert len(record.source_rows) == 8
    for source, row in zip(record.source_rows, rows):
        assert (source.file, source.line, source.index) == ("no_headers.csv", row.line, row.index)
        assert list(source.fields) == row.fields


def test_rows_of_two_subjects_or_none_are_refused_without_naming_anyone():
    with pytest.raises(ValueError) as mixed:
        case_input_from_rows([make_row(0, SUBJECT_ID="11111111"), make_row(1, SUBJECT_ID="22222222")])
    assert "11111111" not in str(mixed.value) and "22222222" not in str(mixed.value)
    with pytest.raises(ValueError):
        case_input_from_rows([])
    with pytest.raises(ValueError):
        case_input_from_rows([make_row(SUBJECT_ID="")])


def test_rows_without_a_subject_id_are_a_case_when_any_subject_id_is_taken():
    """gogen's reading: a file's empty SUBJECT_IDs are one pseudo-subject (§1.3)."""
    rows = [make_row(0, SUBJECT_ID="", CNT_ORDER="101001001000"),
            make_row(1, SUBJECT_ID="", CNT_ORDER="101001001000", SENT_LENGTH="6")]
    person, record, key = case_input_from_rows(rows, any_subject_id=True)
    assert key == ""
    assert [(i.scheme, i.value) for i in person.identifiers] == [("ca-doj-subject-id", "")]
    assert [list(r.fields) for r in record.source_rows] == [r.fields for r in rows]
    with pytest.raises(ValueError):
        case_input_from_rows([rows[0], make_row(1, SUBJECT_ID="22222222")], any_subject_id=True)


def test_person_key_is_the_subject_id_or_per_file_the_file_and_subject_id():
    rows = [make_row(0, SUBJECT_ID="11111111"), make_row(1, SUBJECT_ID="11111111")]
    assert person_key(rows) == (SUBJECT_ID_SCHEME, "11111111")
    assert person_key(rows, per_file=True) == (SUBJECT_IN_FILE_SCHEME, "doj.csv\x1f11111111")
    other_file = [Row("other.csv", 2, 0, rows[0].fields)]
    assert person_key(other_file, per_file=True) != person_key(rows, per_file=True)
    assert person_key(other_file) == person_key(rows)


# --- record structure ------------------------------------------------------------


def test_sentence_part_rows_fold_into_one_count_with_two_sentences():
    # gogen fixture: count 101001019000 of subject 90675321 is listed twice,
    # once with PROBATION 6 M and once with FINE (padding differs too).
    rows = subject_rows("no_headers.csv", "90675321")
    _, record, _ = case_input_from_rows(rows)
    counts = all_counts(record)
    assert [c.count_order for c in counts] == ["101001017000", "101001018000", "101001019000"]
    folded = counts[2]
    assert [(s.location, s.length, s.time_code) for s in folded.sentences] == [
        ("PROBATION", "6", "M"),
        ("FINE", "", ""),
    ]
    assert folded.source_row_index == 2
    assert record.source_rows[folded.source_row_index].line == rows[2].line
    assert len(record.source_rows) == 4


def test_sentence_parts_from_explicit_rows():
    common = dict(CNT_ORDER="101002001000", STP_TYPE_DESCR="COURT ACTION", STP_EVENT_DATE="20100105",
                  OFFENSE_DESCR="11359 HS-POSSESS MARIJUANA FOR SALE", DISP_DESCR="CONVICTED-PROBATION",
                  CONV_STAT_DESCR="FELONY")
    rows = [
        make_row(0, CNT_ORDER="101001001000", STP_TYPE_DESCR="ARREST/DETAINED/CITED", STP_EVENT_DATE="20091201",
                 OFFENSE_DESCR="11359 HS-POSSESS MARIJUANA FOR SALE"),
        make_row(1, **common, SENT_ORDER="1", SENT_LOC_DESCR="PROBATION", SENT_LENGTH="3", SENT_TIME_CODE="Y"),
        make_row(2, **common, SENT_ORDER="2", SENT_LOC_DESCR="JAIL", SENT_LENGTH="90", SENT_TIME_CODE="D",
                 SENT_TIME_DESCR="DAYS      "),
    ]
    _, record, _ = case_input_from_rows(rows)
    (cycle,) = record.cycles
    assert cycle.cycle_order == "101"
    assert [s.step_order for s in cycle.steps] == ["001", "002"]
    arrest, court = cycle.steps
    assert len(arrest.counts) == 1 and list(arrest.counts[0].sentences) == []
    (count,) = court.counts
    assert count.source_row_index == 1
    assert [(s.order, s.location, s.length, s.time_code, s.time_description) for s in count.sentences] == [
        ("1", "PROBATION", "3", "Y", ""),
        ("2", "JAIL", "90", "D", "DAYS      "),
    ]
    assert len(record.source_rows) == 3


def test_a_repeated_count_order_with_another_disposition_stays_a_separate_count():
    rows = [
        make_row(0, CNT_ORDER="101002001000", DISP_DESCR="DISMISSED/CHARGE DROPPED"),
        make_row(1, CNT_ORDER="101002001000", DISP_DESCR="CONVICTED-JAIL",
                 SENT_LOC_DESCR="JAIL", SENT_LENGTH="30", SENT_TIME_CODE="D"),
    ]
    _, record, _ = case_input_from_rows(rows)
    counts = all_counts(record)
    assert [(c.count_order, c.disposition.description, c.source_row_index) for c in counts] == [
        ("101002001000", "DISMISSED/CHARGE DROPPED", 0),
        ("101002001000", "CONVICTED-JAIL", 1),
    ]


def test_every_column_lands_in_its_proto_field_verbatim():
    row = make_row(
        0,
        CYC_DATE="19800301", CYC_AGE="25", STP_EVENT_DATE="19810411", STP_TYPE_CODE="C",
        STP_TYPE_DESCR="COURT ACTION", STP_ORI_TYPE="C", STP_ORI_TYPE_DESCR="COURT", STP_ORI_CODE="CA034015J",
        STP_ORI_DESCR="CASCSACRAMENTO", STP_ORI_CNTY_CODE="34", STP_ORI_CNTY_NAME="SACRAMENTO",
        CNT_ORDER="101001006000", DISP_DATE="19810412", OFN="NULL  ", OFFENSE_CODE="1234",
        OFFENSE_DESCR="11358 HS-CULTIVATE MARIJUANA", OFFENSE_TOC="F", OFFENSE_QUAL_LST="   ",
        CONV_OFFENSE_CODE="5678", CONV_OFFENSE_DESCR="11357(C)HS-POSSESS MARIJUANA", CONV_OFFENSE_TOC="M",
        DISP_CODE="D1", DISP_DESCR="CONVICTED-PROBATION", CONV_STAT_CODE="  ", CONV_STAT_DESCR="FELONY ",
        SENT_ORDER="1", SENT_LOC_CODE="P", SENT_LOC_DESCR="PROBATION", SENT_LENGTH="6", SENT_TIME_CODE="M",
        SENT_TIME_DESCR="MONTHS    ", COMMENT_TEXT="THIS IS A COMMENT",
    )
    _, record, _ = case_input_from_rows([row])
    (cycle,) = record.cycles
    (step,) = cycle.steps
    (count,) = step.counts
    assert (cycle.cycle_order, cycle.date.raw, cycle.date.valid, cycle.age_at_cycle) == ("101", "19800301", True, "25")
    assert (step.step_order, step.event_date.year, step.event_date.month, step.event_date.day) == ("001", 1981, 4, 11)
    assert (step.type_code, step.type_description) == ("C", "COURT ACTION")
    assert step.agency == case_pb2.Agency(
        ori_type="C", ori_type_description="COURT", ori_code="CA034015J",
        description="CASCSACRAMENTO", county_code="34", county_name="SACRAMENTO",
    )
    assert (count.count_order, count.case_number, count.comment) == ("101001006000", "NULL  ", "THIS IS A COMMENT")
    assert count.offense == case_pb2.Offense(
        code="1234", description="11358 HS-CULTIVATE MARIJUANA", type_of_charge="F", qualifiers="   ",
    )
    d = count.disposition
    assert (d.code, d.description, d.conviction_status_code, d.conviction_status) == (
        "D1", "CONVICTED-PROBATION", "  ", "FELONY ",
    )
    assert d.date.raw == "19810412" and d.date.valid
    assert d.conviction_offense == case_pb2.Offense(
        code="5678", description="11357(C)HS-POSSESS MARIJUANA", type_of_charge="M",
    )
    assert list(count.sentences) == [case_pb2.Sentence(
        order="1", location_code="P", location="PROBATION", length="6", time_code="M",
        time_description="MONTHS    ",
    )]


def test_blank_columns_still_give_present_submessages_and_no_optional_ones():
    # Built in place: every submessage the record always has is present even when its
    # columns are blank (they serialize as they did when built and copied in), and the
    # optional ones (conviction offense, sentence) stay absent for blank columns.
    row = make_row(0, CNT_ORDER="101001001000", CYC_DATE="", STP_EVENT_DATE="", DISP_DATE="  ",
                   CONV_OFFENSE_CODE=" ", CONV_OFFENSE_DESCR="", SENT_LOC_DESCR="   ", PRI_NAME="",
                   PRI_DOB="")
    person, record, _ = case_input_from_rows([row])
    count = record.cycles[0].steps[0].counts[0]
    step = record.cycles[0].steps[0]
    assert record.cycles[0].HasField("date") and record.cycles[0].date == case_pb2.Cycle().date
    assert step.HasField("event_date") and step.HasField("agency")
    assert count.HasField("offense") and count.HasField("disposition")
    assert count.disposition.HasField("date") and count.disposition.date.raw == "  "
    assert not count.disposition.date.valid and count.disposition.date.year == 0
    assert not count.disposition.HasField("conviction_offense")
    assert list(count.sentences) == []
    assert person.HasField("name") and person.HasField("date_of_birth")
    assert person.name == case_pb2.Name() and person.date_of_birth.raw == ""
    # The wire form keeps those empty submessages, as before.
    again = case_pb2.CriminalRecord.FromString(record.SerializeToString())
    assert again.cycles[0].steps[0].counts[0].HasField("offense")


def test_numeric_cyc_and_stp_order_are_used_and_fillers_are_not():
    numeric = make_row(0, CYC_ORDER="7", STP_ORDER="3", CNT_ORDER="101002001000")
    filler = make_row(1, CYC_ORDER="x", STP_ORDER="  -  ", CNT_ORDER="102004001000")
    _, record, _ = case_input_from_rows([numeric, filler])
    assert [(c.cycle_order, c.steps[0].step_order) for c in record.cycles] == [("7", "3"), ("102", "004")]


def test_arrest_and_court_rows_under_one_step_order_become_separate_steps():
    # gogen's fixtures number every count of a subject under step "001".
    rows = subject_rows("configurable_flow/input.csv", "18675309")
    _, record, _ = case_input_from_rows(rows)
    (cycle,) = record.cycles
    assert cycle.cycle_order == "101"
    assert [(s.step_order, s.type_description, s.event_date.raw) for s in cycle.steps] == [
        ("001", "ARREST/DETAINED/CITED", "19790525"),
        ("001", "COURT ACTION", "19790601"),
        ("001", "ARREST/DETAINED/CITED", "19810410"),
        ("001", "DECEASED", "19810410"),
        ("001", "COURT ACTION", "19810411"),
    ]
    court = cycle.steps[4]
    assert [c.disposition.description for c in court.counts] == [
        "DISMISSED/CHARGE DROPPED", "CONVICTED-PROBATION",
    ]


def test_walking_the_proto_visits_counts_in_row_order():
    rows = subject_rows("configurable_flow/input.csv", "23675654")
    _, record, _ = case_input_from_rows(rows)
    assert [c.source_row_index for c in all_counts(record)] == list(range(len(rows)))
    assert [c.date.raw for c in record.cycles] == [
        "x       ", "19800301", "19800401", "19800501", "x       ",
    ]


def test_built_protos_serialize():
    for group in group_rows(fixture_rows("configurable_flow/input.csv")):
        person, record, _ = case_input_from_rows(group)
        case = case_pb2.CaseSubmitted(person=person, record=record)
        again = case_pb2.CaseSubmitted.FromString(case.SerializeToString())
        assert again == case


# --- contacts ----------------------------------------------------------------------

CONTACTS_HEADER = "subject_id,email,phone,language,consent_email,consent_sms,consent_mail\n"


def test_load_contacts_and_apply(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(
        CONTACTS_HEADER
        + "10000001,ana.diaz.1@example.org,+15550100001,es,true,false,true\n"
        + "10000002,,,en,false,false,\n"
    )
    contacts = load_contacts(path)
    assert contacts == {
        "10000001": ContactInfo("ana.diaz.1@example.org", "+15550100001", "es", True, False, True),
        "10000002": ContactInfo("", "", "en", False, False, False),
    }
    person = case_pb2.Person()
    apply_contact(person, contacts["10000001"])
    assert person.contact.email == "ana.diaz.1@example.org"
    assert person.contact.phone == "+15550100001"
    assert person.preferred_language == "es"
    assert (person.consent.email, person.consent.sms, person.consent.postal_mail) == (True, False, True)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("10000001,a@example.org,+15550100001,en,maybe,false,false\n",
         "contacts.csv: line 2, column consent_email: is not true or false"),
        ("10000001,a@example.org,+15550100001,en,true,true,true\n10000001,b@example.org,,en,true,true,true\n",
         "contacts.csv: line 3, column subject_id: appears more than once (first on line 2)"),
        (",a@example.org,,en,true,true,true\n", "contacts.csv: line 2, column subject_id: is empty"),
    ],
)
def test_load_contacts_rejects_bad_lines_without_quoting_values(tmp_path, body, expected):
    path = tmp_path / "contacts.csv"
    path.write_text(CONTACTS_HEADER + body)
    with pytest.raises(ValueError) as err:
        load_contacts(path)
    assert expected in str(err.value)
    assert "example.org" not in str(err.value) and "10000001" not in str(err.value)


def test_load_contacts_needs_every_column(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("subject_id,email\n10000001,a@example.org\n")
    with pytest.raises(ValueError, match="missing columns phone, language"):
        load_contacts(path)


GOOD_CONTACT = "10000001,ana.diaz.1@example.org,+15550100001,es,true,false,true\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"", "contacts.csv: it is empty", id="empty"),
        pytest.param(bytes(range(256)) * 40, "contacts.csv: it holds binary data", id="binary"),
        pytest.param((CONTACTS_HEADER + GOOD_CONTACT).replace(",", ";").encode(),
                     "contacts.csv: line 1: it is delimited by semicolons, not commas", id="semicolons"),
        pytest.param((CONTACTS_HEADER + GOOD_CONTACT).replace(",", "\t").encode(),
                     "contacts.csv: line 1: it is delimited by tabs, not commas", id="tabs"),
        pytest.param((CONTACTS_HEADER + GOOD_CONTACT).encode().replace(b"ana.diaz", b"ana\xffdiaz"),
                     "contacts.csv: line 2, column email: is not valid UTF-8", id="undecodable"),
        pytest.param((CONTACTS_HEADER + GOOD_CONTACT + "10000002,b@example.org\n").encode(),
                     "contacts.csv: line 3: expected 7 fields, found 2", id="short-line"),
        pytest.param((CONTACTS_HEADER + '10000002,"b@example.org,,en,true,true,true\n').encode(),
                     "contacts.csv: line 2: bad CSV quoting", id="open-quote"),
        pytest.param((CONTACTS_HEADER + GOOD_CONTACT + "10000002,ana.diaz@,,en,true,true,true\n").encode(),
                     "contacts.csv: line 3, column email: is not a valid email address", id="email"),
        pytest.param((CONTACTS_HEADER + "10000002,a@example.org\r\nBcc: x@example.org,,en,true,true,true\n"
                      ).encode(), "contacts.csv: line 2: expected 7 fields, found 2", id="header-injection"),
        pytest.param((CONTACTS_HEADER + '10000002,"a@example.org\r\nBcc: x@example.org",,en,true,true,true\n'
                      ).encode(), "contacts.csv: line 2, column email: is not a valid email address",
                     id="quoted-header-injection"),
        pytest.param((CONTACTS_HEADER + "10000002,b@example.org,555-0100 ext 9,en,true,true,true\n").encode(),
                     "contacts.csv: line 2, column phone: is not an E.164 phone number", id="phone"),
        pytest.param((CONTACTS_HEADER + "10000002,b@example.org,,english please,true,true,true\n").encode(),
                     "contacts.csv: line 2, column language: is not a language tag", id="language"),
        pytest.param((CONTACTS_HEADER + "x" * (70 * 1024) + "\n").encode(),
                     "contacts.csv: line 2: longer than 64 KiB", id="long-line"),
    ],
)
def test_a_bad_contacts_file_is_refused_naming_file_line_and_column(tmp_path, content, expected):
    path = tmp_path / "contacts.csv"
    path.write_bytes(content)
    with pytest.raises(ContactsError) as err:
        load_contacts(path)
    message = str(err.value)
    assert message.startswith(expected), message
    assert "\n" not in message
    for value in ("ana", "diaz", "example.org", "0100", "english", "Bcc", "10000002"):
        assert value not in message


def test_contacts_columns_may_come_in_any_order_and_blank_values_are_no_contact(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"\xef\xbb\xbfconsent_mail,subject_id,language,phone,email,consent_sms,consent_email,note\r\n"
                     b"true,10000001,es-MX,+15550100001,ana@example.org,false,yes,anything\r\n"
                     b"\r\n"
                     b",10000002,,,,,,\r\n")
    assert load_contacts(path) == {
        "10000001": ContactInfo("ana@example.org", "+15550100001", "es-MX", True, False, True),
        "10000002": ContactInfo(),
    }
