"""The validators compile their patterns once and sum by table (`drafter.guard.checksums`): the same answer as the
plain versions before them (frozen in `tests/guard/reference/checksums_v5.py`) for valid numbers, every one-character
change of them, and random strings of ASCII and other decimal digits, letters in both cases, separators and spaces."""

from __future__ import annotations

import random
from datetime import date

import pytest

from drafter.guard import checksums
from tests.guard.reference import checksums_v5

VALIDATORS = ["luhn_valid", "sg_nric_valid", "uk_nino_valid", "us_ssn_valid", "cn_resident_id_valid", "iban_valid",
              "digits_only"]
VALID = [
    "4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "6222021001234567870", "378282246310005",
    "5555555555554444", "S1234567D", "T1234567J", "F1234567N", "G1234567X", "M1234567K", "s1234567d", " S1234567D ",
    "AB123456C", "AB 12 34 56 C", "ab123456d", "536-22-1234", "536221234", "110101199003074514", "11010519491231002X",
    "11010519491231002x", "GB29 NWBK 6016 1331 9268 19", "DE89370400440532013000", "de89-3704-0044-0532-0130-00",
    "４１１１１１１１１１１１１１１１", "٤١١١١١١١١١١١١١١١", "١١٠١٠١١٩٩٠٠٣٠٧٤٥١٤", "S١٢٣٤٥٦٧D", "AB١٢٣٤٥٦C",
    "GB٢٩NWBK60161331926819", "GB29NWBK６０161331926819", "GB82 WEST 1234 5698 7654 32", "gb82west12345698765432",
    "", "0", "1111111111111", "000000000000", "123456789", "078051120",
]
ALPHABET = list("0123456789" * 4 + "ABCDGSTXZabcdstx -.\t_/") + ["١", "٢", "٩", "४", "５", "𝟕", "\u00a0", "\n"]


def _same(text: str) -> None:
    for name in VALIDATORS:
        assert getattr(checksums, name)(text) == getattr(checksums_v5, name)(text), (name, text)
    for today in (date(2000, 1, 1), date(2026, 6, 30)):
        assert checksums.cn_resident_id_valid(text, today=today) == checksums_v5.cn_resident_id_valid(text, today=today)


def test_valid_numbers_and_every_one_character_change():
    for value in VALID:
        _same(value)
        for i in range(len(value)):
            for c in "0159X -a١":
                _same(value[:i] + c + value[i + 1 :])
            _same(value[:i] + value[i + 1 :])


@pytest.mark.parametrize("seed", range(100))
def test_random_strings(seed):
    rng = random.Random(seed)
    for _ in range(50):
        _same("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 36))))
