"""Whether a contact detail can be used, checked the same way wherever it enters or leaves.

Why: an address that is not one (``x@``) must be refused where it comes in
(intake, the contacts file) and can never reach an email header (notifications),
where a CR or LF would let it add headers of its own. Email addresses are
parsed by email-validator (RFC 5322 and 6531), not by a hand-written pattern.

Reasons never quote the value: they end up in gRPC statuses and dead letters.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

# E.164: a plus, then up to 15 digits, the first not zero.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# BCP 47 in its common shape: a 2-3 letter language, then subtags of 2-8 letters or digits.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


def email_problem(address: str) -> str | None:
    """Why ``address`` cannot be mailed to, or None when it can."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return "is not a valid email address"
    return None


def normalized_email(address: str) -> str:
    """The address as email-validator normalises it (domain lower-cased and IDNA-checked).

    Raises ValueError (with a reason that does not quote it) when it is not an address.
    """
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError("not a valid email address") from None


def phone_problem(number: str) -> str | None:
    """Why ``number`` is not an E.164 phone number (``+15555550123``), or None."""
    return None if _E164.fullmatch(number) else "is not an E.164 phone number (e.g. +15555550123)"


def language_problem(tag: str) -> str | None:
    """Why ``tag`` is not a language tag such as ``en`` or ``es-MX``, or None."""
    return None if _LANGUAGE_TAG.fullmatch(tag) else "is not a language tag such as en or es-MX"
