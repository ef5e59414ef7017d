"""Presidio's own checks of a match (`validate_result`, `invalidate_result`), answered the same way without the
per-digit lists, exceptions and pattern look-ups they make, for the recognizers whose checks cost the most per match:
the card's Luhn sum, the IBAN's check digits and format, the SSN's rules and the IP address's parse. Each answers as Presidio's method for every text its recognizer's
patterns can match, and hands anything else (other characters, another configuration) to Presidio's method itself
(`tests/guard/test_validators_fast.py` holds them to Presidio's answers)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from drafter.guard.checksums import luhn_sum_ok

_DOTTED_QUAD = re.compile(r"([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})")
_CARD_PAIRS = [("-", ""), (" ", "")]  # CreditCardRecognizer's default replacement pairs
_SSN_SAMPLES = ("123456789", "987654320", "078051120")

Check = Callable[[str], Any]


def checks(recognizer: Any) -> tuple[Check, Check]:
    """(validate, invalidate) for `recognizer`: these faster ones where they answer as its own, else its own."""
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        IbanRecognizer,
        IpRecognizer,
        UsSsnRecognizer,
    )

    validate: Check = recognizer.validate_result
    invalidate: Check = recognizer.invalidate_result
    kind = type(recognizer)
    if kind is IbanRecognizer and recognizer.replacement_pairs == _CARD_PAIRS and recognizer.BOSEOS == ():
        return functools.partial(_iban_valid, recognizer), invalidate
    if kind is CreditCardRecognizer and recognizer.replacement_pairs == _CARD_PAIRS:
        own_validate = validate

        def validate(text: str) -> Any:
            digits = text.replace("-", "").replace(" ", "")
            if digits.isascii() and digits.isdigit():
                return luhn_sum_ok(digits)
            return own_validate(text)

    elif kind is UsSsnRecognizer:
        invalidate = _ssn_invalid
    elif kind is IpRecognizer:
        own_invalidate = invalidate

        def invalidate(text: str) -> Any:
            quad = _DOTTED_QUAD.fullmatch(text)
            if quad is None:
                return own_invalidate(text)
            # `ipaddress` refuses an octet over 255 or with a leading zero; Presidio answers True, else None
            for octet in quad.groups():
                if int(octet) > 255 or (octet[0] == "0" and len(octet) > 1):
                    return True
            return None

    return validate, invalidate


def _ssn_invalid(text: str) -> bool:
    """`UsSsnRecognizer.invalidate_result`: mixed delimiters, one digit repeated, a zero group or serial, an area never
    issued, a published sample number."""
    if sum(delimiter in text for delimiter in ".- ") > 1:
        return True
    digits = "".join(filter(str.isdigit, text))
    if len(set(digits)) <= 1:
        return True
    if digits[3:5] == "00" or digits[5:] == "0000" or digits[:3] in ("000", "666"):
        return True
    return digits in _SSN_SAMPLES


def _iban_valid(recognizer: Any, text: str) -> bool | None:
    """`IbanRecognizer.validate_result` (its default replacements, not an exact match): the check digits recomputed
    (98 minus the rest of the number, letters as 10 … 35, divided by 97) must be the text's, then the country's format
    decides True, or None when only the upper-cased text has it. The format patterns are compiled once, with the
    module, flags and time limit Presidio gives them. What Presidio refuses with an error goes to Presidio itself."""
    from presidio_analyzer.predefined_recognizers.generic.iban_recognizer import IbanRecognizer

    value = text.replace("-", "").replace(" ", "")
    transformed = (value[:2] + "00" + value[4:]).upper()
    number = (transformed[4:] + transformed[:4]).translate(IbanRecognizer.LETTERS)
    try:
        check = f"{98 - (int(number) % 97):0>2}"
    except ValueError:
        return recognizer.validate_result(text)  # (Presidio logs the error and answers False)
    if check != value[2:4]:
        return False
    if _iban_format(value):
        return True
    return None if _iban_format(value.upper()) else False


def _iban_format(value: str) -> bool:
    """`IbanRecognizer.__is_valid_format` without start and end anchors: the country's pattern matches at the start."""
    from presidio_analyzer.predefined_recognizers.generic.iban_recognizer import REGEX_TIMEOUT_SECONDS

    pattern = _country_pattern(value[:2])
    if isinstance(pattern, re.Pattern):
        return pattern.match(value) is not None
    try:
        return pattern is not None and pattern.match(value, timeout=REGEX_TIMEOUT_SECONDS) is not None
    except TimeoutError:
        return False


@functools.lru_cache(maxsize=512)
def _country_pattern(country: str) -> Any:
    import regex
    from presidio_analyzer.predefined_recognizers.generic.iban_patterns import regex_per_country

    source = regex_per_country.get(country, "")
    if not source:
        return None
    if _PLAIN_PATTERN.fullmatch(source):
        # letters, digits, classes of them, groups, `?` and counts only: `re` matches as `regex` does, a few times
        # faster, and a match of a pattern with no nested repetition on an IBAN's few characters cannot run for the
        # time limit Presidio sets
        return re.compile(source, re.DOTALL | re.MULTILINE)
    return regex.compile(source, regex.DOTALL | regex.MULTILINE)


_PLAIN_PATTERN = re.compile(r"[A-Za-z0-9()\[\]\- ?{},]*")
