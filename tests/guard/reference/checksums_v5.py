"""Frozen copy of the checksum validators of session 5 (issue 17), the oracle of `tests/guard/test_digit_pass.py`."""
from __future__ import annotations

import re
from datetime import date

_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_CHECK = "10X98765432"
_SG_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)


def cn_resident_id_valid(text: str, *, today: date | None = None) -> bool:
    """GB 11643-1999: 18 characters, ISO 7064 MOD 11-2 check character, a real date of birth."""
    value = text.strip().upper()
    if not re.fullmatch(r"[1-9]\d{16}[\dX]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _CN_WEIGHTS, strict=True))
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
    if not re.fullmatch(r"[STFGM]\d{7}[A-Z]", value):
        return False
    prefix, body, letter = value[0], value[1:8], value[8]
    total = sum(int(d) * w for d, w in zip(body, _SG_WEIGHTS, strict=True))
    if prefix == "M":
        return "KLJNPQRTUWX"[10 - (total + 3) % 11] == letter
    offset = 4 if prefix in "TG" else 0
    table = "JZIHGFEDCBA" if prefix in "ST" else "XWUTRQPNMLK"
    return table[(total + offset) % 11] == letter


def uk_nino_valid(text: str) -> bool:
    """UK National Insurance number: two letters from the allowed sets, six digits, suffix A-D."""
    value = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]", value):
        return False
    return value[:2] not in _NINO_BAD_PREFIXES


def us_ssn_valid(text: str) -> bool:
    """US SSN: area not 000, 666 or 900-999; group not 00; serial not 0000; not a known advertising number."""
    digits = digits_only(text)
    if len(digits) != 9:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return digits not in ("078051120", "219099999", "123456789")


def luhn_valid(text: str) -> bool:
    digits = digits_only(text)
    if not 12 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def iban_valid(text: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    value = re.sub(r"[\s-]", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", value):
        return False
    rearranged = value[4:] + value[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1
