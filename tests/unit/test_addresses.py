"""Contact details: what can be used, and reasons that never quote the value."""

from __future__ import annotations

import pytest

from clearway import addresses


@pytest.mark.parametrize("address", ["jane@example.org", "ana.diaz.1@example.org", "jané@exämple.org"])
def test_real_addresses_pass(address):
    assert addresses.email_problem(address) is None


@pytest.mark.parametrize("address", [
    "x@", "", "@example.org", "a b@example.org", "Jane <jane@example.org>",
    "a@example.org\r\nBcc: evil@example.net", "a@example.org\nBcc: evil@example.net",
    "jane@localhost", "a@@example.org",
])
def test_what_is_not_an_address_is_refused_without_quoting_it(address):
    problem = addresses.email_problem(address)
    assert problem == "is not a valid email address"
    with pytest.raises(ValueError) as refused:
        addresses.normalized_email(address)
    assert str(refused.value) == "not a valid email address"


def test_the_domain_is_normalised():
    assert addresses.normalized_email("Jane@EXAMPLE.org") == "Jane@example.org"


@pytest.mark.parametrize("number, ok", [("+15555550123", True), ("+442071838750", True),
                                        ("5555550123", False), ("+1 555 555 0123", False),
                                        ("+0123456789", False), ("+1555\n", False), ("", False)])
def test_phone_numbers_are_e164(number, ok):
    assert (addresses.phone_problem(number) is None) is ok


@pytest.mark.parametrize("tag, ok", [("en", True), ("es-MX", True), ("zh-Hant-TW", True),
                                     ("e", False), ("english!", False), ("en\r\n", False)])
def test_language_tags(tag, ok):
    assert (addresses.language_problem(tag) is None) is ok
