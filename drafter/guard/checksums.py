"""Checksum and range validators for identity and account numbers.

Each function takes the matched text (separators allowed) and says whether it is a plausible, valid
number, so that look-alikes with a wrong check digit are not flagged as identifiers. They run once per candidate
the recognizers find, so their patterns are compiled once and their sums read tables rather than doing arithmetic
per digit (`tests/guard/test_checksums_fast.py` holds them to the plain versions).
"""

from __future__ import annotations

import re
from datetime import date

_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_CHECK = "10X98765432"
_SG_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_NON_DIGIT = re.compile(r"\D")
_CN_FORM = re.compile(r"[1-9]\d{16}[\dX]")
_SG_FORM = re.compile(r"[STFGM]\d{7}[A-Z]")
_SPACE = re.compile(r"\s")
_NINO_FORM = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]")
_IBAN_SEPARATORS = re.compile(r"[\s-]")
_IBAN_FORM = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, its two digits added (Luhn)
# A letter of an IBAN as its number (A = 10 … Z = 35); digits stand for themselves (`int` reads every decimal digit).
# Digits map to themselves in the table too: `str.translate` keeps a character the table lacks only after a failed look-up
# (an exception caught inside it), which costs several times a found one, and an IBAN is mostly digits.
_IBAN_LETTERS = str.maketrans({chr(c): str(c - 55) for c in range(ord("A"), ord("Z") + 1)} | {d: d for d in "0123456789"})
_PLAIN = {str(d): d for d in range(10)}
_TWICE = {str(d): _DOUBLED[d] for d in range(10)}


def digits_only(text: str) -> str:
    return _NON_DIGIT.sub("", text)


def cn_resident_id_valid(text: str, *, today: date | None = None) -> bool:
    """GB 11643-1999: 18 characters, ISO 7064 MOD 11-2 check character, a real date of birth."""
    value = text.strip().upper()
    if not _CN_FORM.fullmatch(value):
        return False
    total = sum(map(int.__mul__, map(int, value[:17]), _CN_WEIGHTS))
    if _CN_CHECK[total % 11] != value[17]:
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= (today or date.today())


def sg_nric_valid(text: str) -> bool:
    """Singapore NRIC / FIN: prefix S, T, F, G or M, seven digits and a check letter."""
    value = text.strip().upper()
    if not _SG_FORM.fullmatch(value):
        return False
    prefix, body, letter = value[0], value[1:8], value[8]
    total = sum(map(int.__mul__, map(int, body), _SG_WEIGHTS))
    if prefix == "M":
        return "KLJNPQRTUWX"[10 - (total + 3) % 11] == letter
    offset = 4 if prefix in "TG" else 0
    table = "JZIHGFEDCBA" if prefix in "ST" else "XWUTRQPNMLK"
    return table[(total + offset) % 11] == letter


def uk_nino_valid(text: str) -> bool:
    """UK National Insurance number: two letters from the allowed sets, six digits, suffix A-D."""
    value = _SPACE.sub("", text).upper()
    if not _NINO_FORM.fullmatch(value):
        return False
    return value[:2] not in _NINO_BAD_PREFIXES


def us_ssn_valid(text: str) -> bool:
    """US SSN: area not 000, 666 or 900-999; group not 00; serial not 0000; not a known advertising number."""
    digits = _NON_DIGIT.sub("", text)
    if len(digits) != 9:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return digits not in ("078051120", "219099999", "123456789")


def luhn_sum_ok(digits: str) -> bool:
    """The Luhn sum of a string of ASCII digits is a multiple of ten (no rule on its length)."""
    return (sum(map(_PLAIN.__getitem__, digits[-1::-2])) + sum(map(_TWICE.__getitem__, digits[-2::-2]))) % 10 == 0


def luhn_valid(text: str) -> bool:
    digits = _NON_DIGIT.sub("", text)
    if not 12 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    if digits.isascii():
        return luhn_sum_ok(digits)
    values = list(map(int, digits))  # every decimal digit (full-width, Arabic-Indic…) has its value
    return (sum(values[-1::-2]) + sum(map(_DOUBLED.__getitem__, values[-2::-2]))) % 10 == 0


def iban_valid(text: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    value = _IBAN_SEPARATORS.sub("", text).upper()
    if not _IBAN_FORM.fullmatch(value):
        return False
    return int((value[4:] + value[:4]).translate(_IBAN_LETTERS)) % 97 == 1
