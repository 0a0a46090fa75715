"""Every code-section matcher of gogen 0.2.13, as gogen has it and corrected.

Each matcher takes a keyword-only `corrected` flag:

* `corrected=False` (default) reproduces gogen exactly, quirks included
  (ca-doj-prop64.md §1.4, §2, §4.2): unanchored, case-sensitive searches.
* `corrected=True` fixes the defects the spec lists in §7. Each fix is marked
  below with a "Fix (§7 ...)" comment. Everything §7 does not name stays as
  in gogen, including quirks such as PC 290's `261.5 PC`.

Matchers read the code section extracted by `extract_code_section`, except
`possible_other_p64`, which reads the whole OFFENSE_DESCR and COMMENT_TEXT.

Regexes use re.ASCII so that `\\d` means 0-9, as in Go's RE2. Go's `\\s` is
[\\t\\n\\f\\r ] (no \\v), so it is spelled out as `_WS`.
"""

from __future__ import annotations

import functools
import re

SEE_COMMENT_FOR_CHARGE = "SEE COMMENT FOR CHARGE"
PROP64_SECTIONS = ("11357", "11358", "11359", "11360")

# Go's strings.TrimSpace trims unicode.IsSpace characters. Python's str.strip()
# would also strip U+001C-U+001F, which Go keeps, so the set is explicit.
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)

# Go RE2's \s.
_WS = r"[\t\n\f\r ]"


# --------------------------------------------------------------------------
# §1.4 Charge (code-section) extraction
# --------------------------------------------------------------------------


def charge_source(offense_descr: str, comment_text: str) -> str:
    """The text gogen reads the charge from (§1.4 step 1).

    COMMENT_TEXT when OFFENSE_DESCR, after trimming, is empty or exactly
    "SEE COMMENT FOR CHARGE"; otherwise OFFENSE_DESCR. As in gogen's
    IsCodeSectionInComment, the trimmed text is used for both tests, so a
    padded "SEE COMMENT FOR CHARGE " also switches to the comment.
    """
    trimmed = offense_descr.strip(_GO_SPACE)
    if trimmed == "" or trimmed == SEE_COMMENT_FOR_CHARGE:
        return comment_text
    return offense_descr


# Fix (§7 "hyphen-split attempts"): "664-11357(A) HS-POSSESS" and
# "664 - 11357(A) HS-POSSESS" keep the attempt prefix up to the next '-'.
# Only applies when the text before the first '-' is the bare attempt
# statute 664 and a section number (a digit) follows the hyphen.
_ATTEMPT_HYPHEN = re.compile(r"[ \t]*664[ \t]*-[ \t]*[0-9][^-]*", re.ASCII)


@functools.lru_cache(maxsize=1 << 16)
def extract_code_section(
    offense_descr: str, comment_text: str, *, corrected: bool = False
) -> str:
    """The code section every matcher reads (§1.4 step 2).

    Memoised: a file repeats a few thousand charge texts over millions of rows.

    gogen: everything before the first '-' of the charge source, untrimmed,
    so "664-11357(A) HS-POSSESS" becomes "664" (no longer Prop 64).
    corrected: that attempt becomes "664-11357(A) HS"; anything else as gogen.
    """
    source = charge_source(offense_descr, comment_text)
    if corrected:
        match = _ATTEMPT_HYPHEN.match(source)
        if match:
            return match.group()
    return source.split("-", 1)[0]


# --------------------------------------------------------------------------
# §2.1 Prop 64 sections (HS 11357-11360)
# --------------------------------------------------------------------------

# gogen: `(11357|11358|11359|11360)`, anywhere.
_PROP64_GOGEN = re.compile(r"11357|11358|11359|11360")

# Fix (§7 "over-broad, unanchored matching", e.g. 11357.5): the number must
# not be preceded by a digit or '.', nor followed by a digit or '.' + digit,
# so 11357.5, 11359.5, 113600 and 211357 are not Prop 64. Exception: the
# attempt statute PC 664 written directly before it ("66411357(A) HS",
# "664.11357(C) HS"), itself not preceded by a digit or '.'. Other separators
# ("664/11359", "664-11359", "664 11359") already pass the plain rule.
_PROP64_BEFORE = r"(?:(?<![0-9.])|(?<=(?<![0-9.])664)|(?<=(?<![0-9.])664\.))"
_PROP64_AFTER = r"(?![0-9]|\.[0-9])"


def _anchored_prop64(alternatives: str) -> re.Pattern[str]:
    return re.compile(f"{_PROP64_BEFORE}(?:{alternatives}){_PROP64_AFTER}", re.ASCII)


_PROP64_CORRECTED = _anchored_prop64("|".join(PROP64_SECTIONS))

# gogen's per-section options matchers are `11357.*` etc., i.e. "contains".
_SECTION_CORRECTED = {name: _anchored_prop64(name) for name in PROP64_SECTIONS}

_SUBSECTION_11357 = re.compile(r"11357\(([A-D])\)")


def is_prop64(section: str, *, corrected: bool = False) -> bool:
    """True if the section is HS 11357, 11358, 11359 or 11360.

    gogen: contains one of the four numbers anywhere (11357.5 and 113600 too).
    corrected: anchored, see _PROP64_CORRECTED.
    """
    if corrected:
        return _PROP64_CORRECTED.search(section) is not None
    return (
        "11357" in section or "11358" in section or "11359" in section or "11360" in section
    )


def prop64_section(section: str, *, corrected: bool = False) -> str | None:
    """The leftmost of the four numbers that matches (per variant), or None.

    "11360/11359 HS" -> "11360". Corrected: "11357.5/11359 HS" -> "11359".
    """
    pattern = _PROP64_CORRECTED if corrected else _PROP64_GOGEN
    match = pattern.search(section)
    return match.group() if match else None


@functools.lru_cache(maxsize=1 << 16)
def matches_section(section: str, name: str, *, corrected: bool = False) -> bool:
    """The county dismiss/reduce list matcher for one of the four names.

    gogen: substring. corrected: anchored as in is_prop64. A name other than
    the four raises ValueError (gogen panics on it, §1.8). Memoised: asked for
    every policy section of every conviction judged.
    """
    if name not in PROP64_SECTIONS:
        raise ValueError(
            f"unknown Prop 64 section {name!r}; expected one of {', '.join(PROP64_SECTIONS)}"
        )
    if corrected:
        return _SECTION_CORRECTED[name].search(section) is not None
    return name in section


def subsection_11357(section: str) -> str | None:
    """The letter of "11357(" + A|B|C|D + ")" (upper case only), or None.

    Same in both variants.
    """
    match = _SUBSECTION_11357.search(section)
    return match.group(1) if match else None


# --------------------------------------------------------------------------
# §4.2 "Possible Other P64 Charges"
# --------------------------------------------------------------------------


def possible_other_p64(
    offense_descr: str, comment_text: str, *, corrected: bool = False
) -> str:
    """gogen's "Possible Other P64 Charges" value for one row (§4.2 steps 1-6).

    Evaluated on the whole, unsplit texts. Returns COMMENT_TEXT or "".
    """
    # Fast path for the ~all rows with no Prop 64 text: step 2 returns "" when
    # the comment has no Prop 64 section, and every Prop 64 number contains
    # "1135" or "1136" (in both variants).
    if "1135" not in comment_text and "1136" not in comment_text:
        return ""
    # Step 1: the comment already served as the charge.
    trimmed = offense_descr.strip(_GO_SPACE)
    if trimmed == "" or trimmed == SEE_COMMENT_FOR_CHARGE:
        return ""
    # Step 2.
    comment_section = prop64_section(comment_text, corrected=corrected)
    if comment_section is None:
        return ""
    # Step 3.
    offense_section = prop64_section(offense_descr, corrected=corrected)
    if offense_section is None:
        return comment_text
    # Step 4.
    if offense_section != comment_section:
        return comment_text
    # Step 5.
    if offense_section == "11357":
        offense_letter = subsection_11357(offense_descr)
        comment_letter = subsection_11357(comment_text)
        if offense_letter is not None and comment_letter is not None:
            if (offense_letter in "AB") != (comment_letter in "AB"):
                return comment_text
            return ""
        if comment_letter is not None:
            return comment_text
    # Step 6.
    return ""


# --------------------------------------------------------------------------
# §2.2-§2.4 Related, superstrike and PC 290 lists
# --------------------------------------------------------------------------

# Fix (§7 "over-broad, unanchored matching", e.g. 137 PC): in the corrected
# variants every section number must not be preceded by a digit, a letter or
# '.', so "137 PC" is not "37 PC" and "14500 PC" is not "4500 PC", while
# "664/187 PC" and "--40508 VC--" still match.
_START = r"(?<![0-9A-Za-z.])"


def _compile(patterns: list[str], *, anchored: bool) -> re.Pattern[str]:
    """One alternation; `search` on it is true iff any pattern matches."""
    prefix = _START if anchored else ""
    return re.compile("|".join(f"{prefix}(?:{p})" for p in patterns), re.ASCII)


# §2.2, in gogen's order (the order decides what related_section returns).
_RELATED_TAIL = [
    rf"602{_WS}*PC",
    rf"466{_WS}*PC",
    rf"148\.9{_WS}*PC",
    rf"148{_WS}*PC",
    rf"11364{_WS}*HS",
    rf"11550{_WS}*HS",
    rf"4140{_WS}*BP",
    rf"4149{_WS}*BP",
    rf"4060{_WS}*BP",
    rf"40508{_WS}*VC",
    r"1320[^\d.][^.]*PC",
]
_RELATED_GOGEN = _compile([rf"647\(f\){_WS}*PC", *_RELATED_TAIL], anchored=False)
# Fix (§7 "647(f) in lower case"): DOJ text is upper case, so accept 647(F).
_RELATED_CORRECTED = _compile([rf"647\([fF]\){_WS}*PC", *_RELATED_TAIL], anchored=True)


def is_related(section: str, *, corrected: bool = False) -> bool:
    """True if the section is on the §2.2 "related" list (12 entries)."""
    pattern = _RELATED_CORRECTED if corrected else _RELATED_GOGEN
    return pattern.search(section) is not None


def related_section(section: str, *, corrected: bool = False) -> str | None:
    """gogen's "extract" variant of §2.2: the matched text, or None.

    "--40508 VC--" -> "40508 VC".
    """
    pattern = _RELATED_CORRECTED if corrected else _RELATED_GOGEN
    match = pattern.search(section)
    return match.group() if match else None


# §2.3, 38 entries.
_ENHANCEABLE = ["136\\.1", "215", "213\\(A\\)\\(1\\)\\(A\\)", "246", "519", "12022\\.55"]
_GANG = r"186\.22\(B\)\(4\)"


def _superstrike_patterns(*, anchored: bool) -> list[str]:
    # Entries 3 and 4 hold a second section number after `.*`. Corrected:
    # that inner number is anchored too ("186.22(B)(4)-1246 PC" is not 246).
    inner = _START if anchored else ""
    enhanceable = "|".join(_ENHANCEABLE)
    return [
        r"37 PC",
        r"128 PC",
        rf"(?:{enhanceable}).*{inner}{_GANG} PC",
        rf"{_GANG}.*{inner}(?:{enhanceable}) PC",
        r"187 PC",
        r"188 PC",
        r"189(?:\.[15])? PC",
        r"190(?:\.\d{1,2})?(?:\(.*\))? PC",
        r"191(?:\.5)? PC",
        r"205 PC",
        r"207 PC",
        r"209(?:\.5)? PC",
        r"217\.1 PC",
        r"218 PC",
        r"219 PC",
        r"220 PC",
        r"245\(D\)\(3\) PC",
        r"261(?:\(.*\))? PC",
        r"262(?:\(.*\))? PC",
        r"264\.1 PC",
        r"269 PC",
        r"273AB(?:\(.*\))? PC",
        r"286(?:\(C\)\([123]\)(?:\([ABC]\))?|\(D\)\([123]\))? PC",
        r"287 PC",
        r"288(?:\(A\)|\(B\)\([12]\))? PC",
        r"288A(?:\(D\)|\(C\)\(1\)|\(C\)\(2\)\([ABC]\))? PC",
        r"288\.5(?:\(A\))? PC",
        r"289(?:\(J\)|\(A\)\(1\)\([ABC]\)|\(A\)\(2\)\(C\))? PC",
        r"451\.5 PC",
        r"653F PC",
        r"667\.(?:61|7|71) PC",
        r"4500 PC",
        r"11418(?:\(A\)\(1\)|\(B\)\([12]\)) PC",
        r"12308 PC",
        r"12310 PC",
        r"18745 PC",
        r"18755 PC",
        r"1672\(A\) MV",
    ]


_SUPERSTRIKE_GOGEN = _compile(_superstrike_patterns(anchored=False), anchored=False)
_SUPERSTRIKE_CORRECTED = _compile(_superstrike_patterns(anchored=True), anchored=True)


def is_superstrike(section: str, *, corrected: bool = False) -> bool:
    """True if the section is on gogen's §2.3 "superstrike" list (38 entries)."""
    pattern = _SUPERSTRIKE_CORRECTED if corrected else _SUPERSTRIKE_GOGEN
    return pattern.search(section) is not None


# §2.4, 30 entries; entry 19 differs between the variants.
def _pc290_patterns(pc288: str) -> list[str]:
    return [
        r"236\.1\([BC]\).* PC",
        r"243\.4.* PC",
        r"261 PC",
        r"261[(.a-zA-Z]+.* PC",
        r"262\(A\)(?:\(1\))? PC",
        r"264\.1(?:\(.*)? PC",
        r"266 PC",
        r"266C PC",
        r"266H\(B\).* PC",
        r"266I\(B\).* PC",
        r"266J PC",
        r"267 PC",
        r"269 PC",
        r"269[(.a-zA-Z]+.* PC",
        r"272 PC",
        r"285 PC",
        r"287 PC",
        r"286[^.]* PC",
        pc288,
        r"288A.* PC",
        r"288\.[23457].* PC",
        r"289[^.]* PC",
        r"311\.1.* PC",
        r"311\.2\([BCD]\) PC",
        r"311\.(?:[34]|10|11).* PC",
        r"314\([12]\) PC",
        r"451\.5 PC",
        r"647\.6.* PC",
        r"647A.* PC",
        r"653F\([BC]\) PC",
    ]


_PC290_GOGEN = _compile(_pc290_patterns(r"288 PC"), anchored=False)
# Fix (§7 "missing 288(A) in the PC 290 list"): PC § 290(c) lists section 288
# without limiting subdivisions, so any parenthesised subdivisions match.
_PC290_CORRECTED = _compile(_pc290_patterns(r"288(?:\([^()]*\))* PC"), anchored=True)


def is_pc290(section: str, *, corrected: bool = False) -> bool:
    """True if the section is on gogen's §2.4 PC 290 list (30 entries)."""
    pattern = _PC290_CORRECTED if corrected else _PC290_GOGEN
    return pattern.search(section) is not None


__all__ = [
    "PROP64_SECTIONS",
    "SEE_COMMENT_FOR_CHARGE",
    "charge_source",
    "extract_code_section",
    "is_pc290",
    "is_prop64",
    "is_related",
    "is_superstrike",
    "matches_section",
    "possible_other_p64",
    "prop64_section",
    "related_section",
    "subsection_11357",
]


@functools.lru_cache(maxsize=1 << 16)
def classify(section: str, corrected: bool) -> tuple[str | None, bool, bool]:
    """(Prop 64 section or None, superstrike?, PC 290?) of a code section.

    Memoised because a file holds few distinct code sections and every
    person's report asks about all of their convictions.
    """
    return (
        prop64_section(section, corrected=corrected),
        is_superstrike(section, corrected=corrected),
        is_pc290(section, corrected=corrected),
    )
