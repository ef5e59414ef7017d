"""Presidio's own checks of a match (`validate_result`, `invalidate_result`), answered the same way without the
per-digit lists and exceptions they build, for the recognizers whose checks cost the most per match: the card's Luhn
sum, the SSN's rules and the IP address's parse. Each answers as Presidio's method for every text its recognizer's
patterns can match, and hands anything else (other characters, another configuration) to Presidio's method itself
(`tests/guard/test_validators_fast.py` holds them to Presidio's answers)."""

from __future__ import annotations

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
    from presidio_analyzer.predefined_recognizers import CreditCardRecognizer, IpRecognizer, UsSsnRecognizer

    validate: Check = recognizer.validate_result
    invalidate: Check = recognizer.invalidate_result
    kind = type(recognizer)
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
