"""gogen 0.2.13's code-section matchers, as gogen has them and corrected.

Data comes from ca-doj-prop64.md: §1.4 (extraction), §2.1-§2.4 (matchers) and
§4.2 ("Possible Other P64 Charges"). The gogen variant must reproduce every
row and every **quirk**; the corrected variant gets one test per §7 defect.
"""

from __future__ import annotations

import pytest

from clearway_eligibility.domain.sections import (
    PROP64_SECTIONS,
    SEE_COMMENT_FOR_CHARGE,
    charge_source,
    extract_code_section,
    is_pc290,
    is_prop64,
    is_related,
    is_superstrike,
    matches_section,
    possible_other_p64,
    prop64_section,
    related_section,
    subsection_11357,
)

BOTH = pytest.mark.parametrize("corrected", [False, True], ids=["gogen", "corrected"])


def test_constants() -> None:
    assert SEE_COMMENT_FOR_CHARGE == "SEE COMMENT FOR CHARGE"
    assert PROP64_SECTIONS == ("11357", "11358", "11359", "11360")


# --------------------------------------------------------------------------
# §1.4 Charge extraction
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offense", "comment", "source"),
    [
        ("11358 HS-CULTIVATE CANNABIS", "11359 HS-SELL", "11358 HS-CULTIVATE CANNABIS"),
        ("", "11358 HS-CULTIVATE CANNABIS", "11358 HS-CULTIVATE CANNABIS"),
        ("   ", "11358 HS-X", "11358 HS-X"),
        (SEE_COMMENT_FOR_CHARGE, "11358 HS-X", "11358 HS-X"),
        # gogen trims before both tests (IsCodeSectionInComment).
        (" SEE COMMENT FOR CHARGE  ", "11358 HS-X", "11358 HS-X"),
        # Case-sensitive.
        ("see comment for charge", "11358 HS-X", "see comment for charge"),
        ("", "", ""),
    ],
)
def test_charge_source(offense: str, comment: str, source: str) -> None:
    assert charge_source(offense, comment) == source


@BOTH
@pytest.mark.parametrize(
    ("offense", "comment", "section"),
    [
        ("11357(C)HS-POSSESS MARIJUANA", "", "11357(C)HS"),
        ("220 PC- COMMIT MAYHEM", "", "220 PC"),
        ("503 VC-TAKE VEHICLE W/O OWNER'S CONSENT", "", "503 VC"),
        ("", "", ""),
        (SEE_COMMENT_FOR_CHARGE, "11358 HS-CULTIVATE CANNABIS", "11358 HS"),
        ("", "11357(A) HS-POSSESS", "11357(A) HS"),
        # Untrimmed.
        (" 11360 HS -TRANSPORT", "", " 11360 HS "),
        ("11359 HS", "", "11359 HS"),
        ("664/11359 HS-ATTEMPT", "", "664/11359 HS"),
    ],
)
def test_extract_code_section(offense: str, comment: str, section: str, corrected: bool) -> None:
    assert extract_code_section(offense, comment, corrected=corrected) == section


def test_extract_code_section_gogen_quirk_hyphenated_attempt_becomes_664() -> None:
    section = extract_code_section("664-11357(A) HS-POSSESS", "")
    assert section == "664"
    assert not is_prop64(section)


# --------------------------------------------------------------------------
# §2.1 Prop 64
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "section",
    [
        "11357 HS",
        "11358(C) HS",
        "11359 HS",
        "11360(A) HS",
        "/11357 HS",
        # Over-broad (quirk).
        "11357.5 HS",
        "11359.5 HS",
        "113600 HS",
        "211357",
        "HS 11359",
        # Attempts (intended).
        "66411357(A) HS",
        "664/11359 HS",
        # Wrong or missing code letter.
        "11357(A)PC",
        "11357(A)",
    ],
)
def test_is_prop64_gogen(section: str) -> None:
    assert is_prop64(section)
    assert prop64_section(section) is not None


@BOTH
@pytest.mark.parametrize(
    "section", ["11362.1 HS", "", "664", "12345(C) HS", "647(f) PC", "14859 PC", "1135 HS"]
)
def test_is_not_prop64(section: str, corrected: bool) -> None:
    assert not is_prop64(section, corrected=corrected)
    assert prop64_section(section, corrected=corrected) is None


@BOTH
@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("11360/11359 HS", "11360"),
        ("11358(C) HS", "11358"),
        ("/11357 HS", "11357"),
        ("664/11357(C) HS", "11357"),
        ("66411357(C) HS", "11357"),
    ],
)
def test_prop64_section_leftmost(section: str, expected: str, corrected: bool) -> None:
    assert prop64_section(section, corrected=corrected) == expected


@pytest.mark.parametrize(
    ("section", "expected"),
    [("11357.5 HS", "11357"), ("113600", "11360"), ("211357/11359", "11357")],
)
def test_prop64_section_gogen_quirk_over_broad(section: str, expected: str) -> None:
    assert prop64_section(section) == expected


@pytest.mark.parametrize(
    ("section", "name", "expected"),
    [
        ("11357(A) HS", "11357", True),
        ("11357(A) HS", "11358", False),
        ("664/11360 HS", "11360", True),
        # Quirk: "contains".
        ("11357.5 HS", "11357", True),
        ("113600", "11360", True),
        ("211359", "11359", True),
    ],
)
def test_matches_section_gogen(section: str, name: str, expected: bool) -> None:
    assert matches_section(section, name) is expected


@BOTH
def test_matches_section_rejects_unknown_names(corrected: bool) -> None:
    with pytest.raises(ValueError, match="unknown Prop 64 section"):
        matches_section("11357 HS", "11357(a)", corrected=corrected)


@pytest.mark.parametrize(
    ("section", "letter"),
    [
        ("11357(A)", "A"),
        ("11357(B) HS", "B"),
        ("11357(C)HS", "C"),
        ("11357(D) HS", "D"),
        ("Some Prefix 11357(C) Some Suffix", "C"),
        ("11357", None),
        ("11357(a) HS", None),  # upper case only
        ("11357(E) HS", None),
        ("11357 (A) HS", None),
        ("647(f) HS", None),
    ],
)
def test_subsection_11357(section: str, letter: str | None) -> None:
    assert subsection_11357(section) == letter


# --------------------------------------------------------------------------
# §4.2 Possible Other P64 Charges
# --------------------------------------------------------------------------

POSSIBLE_OTHER_P64_TABLE = [
    ("912", "11357(A)", "11357(A)"),
    ("11357(A)", "11357(C)", "11357(C)"),
    ("11357(A)", "11357(B)", ""),
    ("11357 HS-X", "11357(A) HS", "11357(A) HS"),
    ("11357(A) HS-X", "11357 HS", ""),
    ("11360 HS", "11360(A) HS", ""),
]

POSSIBLE_OTHER_P64_STEPS = [
    # Step 1: the comment already served as the charge.
    ("", "11357(A) HS", ""),
    ("   ", "11358 HS", ""),
    (SEE_COMMENT_FOR_CHARGE, "11358 HS", ""),
    # Step 2: no Prop 64 in the comment.
    ("11358 HS-CULTIVATE", "", ""),
    ("459 PC-BURGLARY", "", ""),
    ("459 PC-BURGLARY", "REPORT 11350", ""),
    # Step 3: no Prop 64 in OFFENSE_DESCR -> the whole comment.
    ("459 PC-BURGLARY", "ALSO 11359 HS-SELL", "ALSO 11359 HS-SELL"),
    # Step 4: leftmost sections differ.
    ("11358 HS-CULTIVATE", "11359 HS", "11359 HS"),
    ("11359 HS/11358 HS", "11358 HS/11359 HS", "11358 HS/11359 HS"),
    # Step 5.
    ("11357(C) HS", "11357(A) HS", "11357(A) HS"),
    ("11357(D) HS", "11357(B) HS", "11357(B) HS"),
    ("11357(C) HS", "11357(D) HS", ""),
    ("11357 HS", "11357 HS", ""),
    ("11357(a) HS", "11357(A) HS", "11357(A) HS"),
    # Step 6: same non-11357 section.
    ("11358 HS", "11358(C) HS", ""),
]


@BOTH
@pytest.mark.parametrize(("offense", "comment", "value"), POSSIBLE_OTHER_P64_TABLE)
def test_possible_other_p64_doc_table(
    offense: str, comment: str, value: str, corrected: bool
) -> None:
    assert possible_other_p64(offense, comment, corrected=corrected) == value


@BOTH
@pytest.mark.parametrize(("offense", "comment", "value"), POSSIBLE_OTHER_P64_STEPS)
def test_possible_other_p64_steps(offense: str, comment: str, value: str, corrected: bool) -> None:
    assert possible_other_p64(offense, comment, corrected=corrected) == value


@pytest.mark.parametrize(
    ("offense", "comment", "value"),
    [
        # Quirk: over-broad matching on the comment.
        ("459 PC-BURGLARY", "11357.5 HS", "11357.5 HS"),
        ("11357.5 HS-X", "11357(A) HS", "11357(A) HS"),
        # Quirk: a padded "SEE COMMENT" still counts as "comment served".
        (" SEE COMMENT FOR CHARGE ", "11357(A) HS", ""),
    ],
)
def test_possible_other_p64_gogen_quirks(offense: str, comment: str, value: str) -> None:
    assert possible_other_p64(offense, comment) == value


# --------------------------------------------------------------------------
# §2.2 Related charges
# --------------------------------------------------------------------------

RELATED_MATCHES = [
    "647(f) PC",
    "647(f)PC",
    "602 PC",
    "466 PC",
    "148.9 PC",
    "148 PC",
    "11364 HS",
    "11550 HS",
    "4140 BP",
    "4149 BP",
    "4060    BP",
    "40508 VC",
    "--40508 VC--",
    "1320 PC",
    "1320(a) PC",
    "1320(A) PC",
    "664/602 PC",
]
RELATED_NON_MATCHES = [
    "602(L) PC",
    "148.9(A) PC",
    "148(A) PC",
    "148(A)(1) PC",
    "11364(A) HS",
    "11364.1 HS",
    "11550(A) HS",
    "40508(A) VC",
    "1320.5 PC",
    "13200 PC",
    "1320(B)",
    "11358(C) HS",
    "/11357 HS",
    "",
]
RELATED_GOGEN_QUIRKS = [("647(F) PC", False), ("1602 PC", True)]


@BOTH
@pytest.mark.parametrize("section", RELATED_MATCHES)
def test_related_matches(section: str, corrected: bool) -> None:
    assert is_related(section, corrected=corrected)


@BOTH
@pytest.mark.parametrize("section", RELATED_NON_MATCHES)
def test_related_does_not_match(section: str, corrected: bool) -> None:
    assert not is_related(section, corrected=corrected)
    assert related_section(section, corrected=corrected) is None


@pytest.mark.parametrize(("section", "expected"), RELATED_GOGEN_QUIRKS)
def test_related_gogen_quirks(section: str, expected: bool) -> None:
    assert is_related(section) is expected


@BOTH
@pytest.mark.parametrize(
    ("section", "matched"),
    [
        ("--40508 VC--", "40508 VC"),
        ("4060    BP", "4060    BP"),
        ("148.9 PC", "148.9 PC"),
        ("1320(a) PC-X", "1320(a) PC"),
    ],
)
def test_related_section_returns_matched_text(section: str, matched: str, corrected: bool) -> None:
    assert related_section(section, corrected=corrected) == matched


# --------------------------------------------------------------------------
# §2.3 Superstrikes
# --------------------------------------------------------------------------

SUPERSTRIKE_MATCHES = [
    "37 PC",  # 1
    "128 PC",  # 2
    "246/186.22(B)(4) PC",  # 3
    "136.1+186.22(B)(4) PC",
    "186.22(B)(4)-246 PC",  # 4
    "187 PC",  # 5
    "664/187 PC",
    "188 PC",  # 6
    "189 PC",  # 7
    "189.1 PC",
    "189.5 PC",
    "190 PC",  # 8
    "190.03 PC",
    "190.2(A)(4) PC",
    "190.25(B) PC",
    "191 PC",  # 9
    "191.5 PC",
    "205 PC",  # 10
    "207 PC",  # 11
    "209 PC",  # 12
    "209.5 PC",
    "217.1 PC",  # 13
    "218 PC",  # 14
    "219 PC",  # 15
    "220 PC",  # 16
    "245(D)(3) PC",  # 17
    "261 PC",  # 18
    "261(A)(2) PC",
    "262 PC",  # 19
    "262(A)(4) PC",
    "264.1 PC",  # 20
    "269 PC",  # 21
    "273AB PC",  # 22
    "273AB(A) PC",
    "286 PC",  # 23
    "286(C)(2)(B) PC",
    "286(D)(3) PC",
    "287 PC",  # 24
    "288 PC",  # 25
    "288(A) PC",
    "288(B)(2) PC",
    "288A PC",  # 26
    "288A(C)(2)(C) PC",
    "288.5 PC",  # 27
    "288.5(A) PC",
    "289 PC",  # 28
    "289(J) PC",
    "289(A)(1)(B) PC",
    "289(A)(2)(C) PC",
    "451.5 PC",  # 29
    "653F PC",  # 30
    "667.61 PC",  # 31
    "667.7 PC",
    "667.71 PC",
    "4500 PC",  # 32
    "11418(A)(1) PC",  # 33
    "11418(B)(1) PC",
    "11418(B)(2) PC",
    "12308 PC",  # 34
    "12310 PC",  # 35
    "18745 PC",  # 36
    "18755 PC",  # 37
    "1672(A) MV",  # 38
]
SUPERSTRIKE_NON_MATCHES = [
    "186.22(B)(4) PC",
    "136.1 PC",
    "246 PC",
    "187(A) PC",
    "187PC",
    "189.2 PC",
    "1900 PC",
    "190.123 PC",
    "191(A) PC",
    "191.55 PC",
    "205.1 PC",
    "209.6 PC",
    "217.1(A) PC",
    "245 PC",
    "261.5 PC",
    "264.11 PC",
    "273 PC",
    "273A(B)",
    "286(C) PC",
    "286(C)(4)(A) PC",
    "286(E)(2)(B) PC",
    "288(B) PC",
    "288B PC",
    "289(A)(2)(A) PC",
    "451.1 PC",
    "653(F) PC",
    "667.6",
    "667.72",
    "667",
    "667/664",
    "667.6 PC",
    "667.72 PC",
    "667 PC",
    "667/664 PC",
    "4500(A) PC",
    "11418(A)(2) PC",
    "18745(A) PC",
    "1672(B) MV",
    "",
]
SUPERSTRIKE_GOGEN_QUIRKS = ["137 PC", "237 PC", "1187 PC", "2220 PC", "14500 PC"]


@BOTH
@pytest.mark.parametrize("section", SUPERSTRIKE_MATCHES)
def test_superstrike_matches(section: str, corrected: bool) -> None:
    assert is_superstrike(section, corrected=corrected)


@BOTH
@pytest.mark.parametrize("section", SUPERSTRIKE_NON_MATCHES)
def test_superstrike_does_not_match(section: str, corrected: bool) -> None:
    assert not is_superstrike(section, corrected=corrected)


@pytest.mark.parametrize("section", SUPERSTRIKE_GOGEN_QUIRKS)
def test_superstrike_gogen_quirks_unanchored(section: str) -> None:
    assert is_superstrike(section)


# --------------------------------------------------------------------------
# §2.4 PC 290
# --------------------------------------------------------------------------

PC290_MATCHES = [
    "236.1(B) PC",  # 1
    "236.1(B)(1) PC",
    "236.1(C) PC",
    "243.4(A) PC",  # 2
    "243.4(A)(C) PC",
    "261 PC",  # 3
    "261B PC",  # 4
    "262(A) PC",  # 5
    "262(A)(1) PC",
    "264.1 PC",  # 6
    "264.1(A) PC",
    "266 PC",  # 7
    "266C PC",  # 8
    "266H(B) PC",  # 9
    "266I(B)(1) PC",  # 10
    "266J PC",  # 11
    "267 PC",  # 12
    "269 PC",  # 13
    "269.8 PC",  # 14
    "272 PC",  # 15
    "285 PC",  # 16
    "287 PC",  # 17
    "286 PC",  # 18
    "286(D)(1) PC",
    "288 PC",  # 19
    "288A PC",  # 20
    "288A(C)(1) PC",
    "288.2 PC",  # 21
    "288.3 PC",
    "288.4 PC",
    "288.5 PC",
    "288.7 PC",
    "289 PC",  # 22
    "289(A)(1) PC",
    "311.1 PC",  # 23
    "311.2(B) PC",  # 24
    "311.2(C) PC",
    "311.2(D) PC",
    "311.3 PC",  # 25
    "311.4 PC",
    "311.10 PC",
    "311.11 PC",
    "314(1) PC",  # 26
    "314(2) PC",
    "451.5 PC",  # 27
    "647.6B PC",  # 28
    "647A PC",  # 29
    "653F(B) PC",  # 30
    "653F(C) PC",
]
PC290_NON_MATCHES = [
    "236.1(A) PC",
    "236.1B PC",
    "262 PC",
    "264.11 PC",
    "266(C) PC",
    "266.5 PC",
    "266J(A) PC",
    "267A PC",
    "2677 PC",
    "2699 PC",
    "286.5 PC",
    "288.6 PC",
    "289.5 PC",
    "314.1 PC",
    "647(A) PC",
    "647.1(A) PC",
    "6477A PC",
    "653F PC",
    "",
]
PC290_GOGEN_QUIRKS = [
    ("1261 PC", True),
    ("261.5 PC", True),
    ("311.12 PC", True),
    ("288(A) PC", False),  # gap
    ("288(B)(1) PC", False),  # gap
]


@BOTH
@pytest.mark.parametrize("section", PC290_MATCHES)
def test_pc290_matches(section: str, corrected: bool) -> None:
    assert is_pc290(section, corrected=corrected)


@BOTH
@pytest.mark.parametrize("section", PC290_NON_MATCHES)
def test_pc290_does_not_match(section: str, corrected: bool) -> None:
    assert not is_pc290(section, corrected=corrected)


@pytest.mark.parametrize(("section", "expected"), PC290_GOGEN_QUIRKS)
def test_pc290_gogen_quirks(section: str, expected: bool) -> None:
    assert is_pc290(section) is expected


# --------------------------------------------------------------------------
# Corrected variant: one test per §7 defect
# --------------------------------------------------------------------------


@pytest.mark.parametrize("section", ["11357.5 HS", "11359.5 HS", "113600", "211357", "11360.1"])
def test_corrected_over_broad_unanchored_prop64_number(section: str) -> None:
    assert is_prop64(section)
    assert not is_prop64(section, corrected=True)
    assert prop64_section(section, corrected=True) is None


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("664/11359 HS", "11359"),
        ("664-11359 HS", "11359"),
        ("664 11359", "11359"),
        ("66411357(A) HS", "11357"),
        ("664.11357(C) HS", "11357"),
        ("664 - 11357(A) HS", "11357"),
        ("HS 11359", "11359"),
        ("11357(A)", "11357"),
        ("11357.HS", "11357"),
    ],
)
def test_corrected_attempts_and_plain_sections_stay_prop64(section: str, expected: str) -> None:
    assert is_prop64(section, corrected=True)
    assert prop64_section(section, corrected=True) == expected


@pytest.mark.parametrize("section", ["1664.11357 HS", "166411357 HS"])
def test_corrected_attempt_prefix_must_itself_be_anchored(section: str) -> None:
    assert not is_prop64(section, corrected=True)


def test_corrected_prop64_section_skips_unanchored_numbers() -> None:
    assert prop64_section("11357.5/11359 HS") == "11357"
    assert prop64_section("11357.5/11359 HS", corrected=True) == "11359"


@pytest.mark.parametrize(
    ("section", "name", "expected"),
    [
        ("11357.5 HS", "11357", False),
        ("113600", "11360", False),
        ("211359", "11359", False),
        ("11357(A) HS", "11357", True),
        ("664/11360 HS", "11360", True),
        ("66411358 HS", "11358", True),
        ("11357.5/11359 HS", "11359", True),
    ],
)
def test_corrected_over_broad_unanchored_dismiss_reduce_section(
    section: str, name: str, expected: bool
) -> None:
    assert matches_section(section, name, corrected=True) is expected


@pytest.mark.parametrize(
    ("offense", "comment", "gogen", "corrected"),
    [
        ("459 PC-BURGLARY", "11357.5 HS", "11357.5 HS", ""),
        ("11357.5 HS-X", "11357(A) HS", "11357(A) HS", "11357(A) HS"),
        ("11357.5 HS-X", "11358 HS", "11358 HS", "11358 HS"),
        ("11359 HS-SELL", "113590 X 11359 HS", "", ""),
        ("11358 HS-X", "11358.5 11359 HS", "", "11358.5 11359 HS"),
    ],
)
def test_corrected_over_broad_unanchored_possible_other_p64(
    offense: str, comment: str, gogen: str, corrected: str
) -> None:
    assert possible_other_p64(offense, comment) == gogen
    assert possible_other_p64(offense, comment, corrected=True) == corrected


@pytest.mark.parametrize(
    ("offense", "section"),
    [
        ("664-11357(A) HS-POSSESS MARIJUANA", "664-11357(A) HS"),
        ("664 - 11357(A) HS-POSSESS MARIJUANA", "664 - 11357(A) HS"),
        ("664-11359 HS", "664-11359 HS"),
        ("664-187 PC-MURDER", "664-187 PC"),
    ],
)
def test_corrected_hyphen_split_attempts(offense: str, section: str) -> None:
    # gogen: before the first '-', untrimmed ("664" or "664 "), not Prop 64.
    assert extract_code_section(offense, "").strip() == "664"
    assert extract_code_section(offense, "", corrected=True) == section


def test_corrected_hyphen_split_attempts_from_comment() -> None:
    section = extract_code_section(SEE_COMMENT_FOR_CHARGE, "664-11358 HS-X", corrected=True)
    assert section == "664-11358 HS"
    assert is_prop64(section, corrected=True)


@pytest.mark.parametrize(
    "offense", ["664-ATTEMPTED BURGLARY", "664 PC-ATTEMPT", "6640-11357 HS", "459 PC-664-11357"]
)
def test_corrected_hyphen_split_attempts_leaves_other_text_as_gogen(offense: str) -> None:
    assert extract_code_section(offense, "", corrected=True) == extract_code_section(offense, "")


@pytest.mark.parametrize(
    "section",
    ["137 PC", "237 PC", "1187 PC", "2220 PC", "14500 PC", "A187 PC", "1.187 PC", "1261(A) PC"],
)
def test_corrected_over_broad_unanchored_superstrike(section: str) -> None:
    assert not is_superstrike(section, corrected=True)


@pytest.mark.parametrize(
    "section",
    ["1246/186.22(B)(4) PC", "186.22(B)(4)-1246 PC", "246/1186.22(B)(4) PC"],
)
def test_corrected_over_broad_unanchored_superstrike_gang_enhancement(section: str) -> None:
    assert is_superstrike(section)
    assert not is_superstrike(section, corrected=True)


@pytest.mark.parametrize("section", ["664/187 PC", "664-187 PC", " 187 PC", "(187 PC)"])
def test_corrected_superstrike_keeps_attempts(section: str) -> None:
    assert is_superstrike(section, corrected=True)


@pytest.mark.parametrize("section", ["1261 PC", "2261 PC", "1286 PC", "3311.1 PC", "6647A PC"])
def test_corrected_over_broad_unanchored_pc290(section: str) -> None:
    assert is_pc290(section)
    assert not is_pc290(section, corrected=True)


def test_corrected_pc290_keeps_attempts() -> None:
    assert is_pc290("664/261 PC", corrected=True)


@pytest.mark.parametrize("section", ["1602 PC", "2148 PC", "111364 HS", "140508 VC", "11320 PC"])
def test_corrected_over_broad_unanchored_related(section: str) -> None:
    assert is_related(section)
    assert not is_related(section, corrected=True)


@pytest.mark.parametrize("section", ["647(F) PC", "647(F)PC", "647(f) PC", "664/647(F) PC"])
def test_corrected_647f_in_lower_case(section: str) -> None:
    assert is_related(section, corrected=True)


def test_corrected_647f_in_lower_case_extract() -> None:
    assert related_section("647(F) PC-DRUNK IN PUBLIC") is None
    assert related_section("647(F) PC-DRUNK IN PUBLIC", corrected=True) == "647(F) PC"


@pytest.mark.parametrize(
    "section", ["288(A) PC", "288(B)(1) PC", "288(C)(1) PC", "288(A)(C)(1) PC", "664/288(A) PC"]
)
def test_corrected_missing_288a_in_pc290(section: str) -> None:
    assert not is_pc290(section)
    assert is_pc290(section, corrected=True)


@pytest.mark.parametrize("section", ["288 PC", "288(A)PC", "1288(A) PC", "288.6 PC", "288B PC"])
def test_corrected_missing_288a_in_pc290_keeps_rest(section: str) -> None:
    assert is_pc290(section, corrected=True) is is_pc290(section)


@pytest.mark.parametrize(
    ("section", "expected"),
    [("261.5 PC", True), ("311.12 PC", True), ("187(A) PC", False), ("187PC", False)],
)
def test_corrected_keeps_quirks_not_named_in_section_7(section: str, expected: bool) -> None:
    if section.startswith("187"):
        assert is_superstrike(section, corrected=True) is expected
    else:
        assert is_pc290(section, corrected=True) is expected
