"""Frozen copy of the digit pass of session 5 (issue 17): the digit group's stretches and the IBAN and IPv4
triggers, from one pass over every digit. Kept as the oracle of `tests/guard/test_digit_pass.py`: the faster pass
must give the same stretches and triggers, position for position."""

from __future__ import annotations

import re

_TOKEN = r"[\dA-Za-z]"
_GAP = r"[\s().+/_\-]"
_IPV4_TRIGGER = re.compile(r"\.(?<=\d\.)\d{1,3}\.\d")
_DIGIT_PASS = re.compile(
    rf"\d(?:(?P<cluster>(?:{_GAP}*\d){{5,}})|(?P<iban>(?<=[A-Za-z]{{2}}[0-9])(?=[0-9]))|(?P<ip>(?=\.\d{{1,3}}\.\d)))"
)
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ASCII_DIGITS = frozenset("0123456789")
_SEVEN = re.compile(rf"\d(?:{_GAP}*\d){{6}}")
_IPV4_AT = re.compile(r"(?<=\d)(?=\.\d{1,3}\.\d)")
_AFTER_LETTER = re.compile(
    rf"(?<=[A-Za-z])|(?<=[A-Za-z]{_GAP})|(?<=[A-Za-z]{_GAP}{{2}})|(?<=[A-Za-z]{_GAP}{{3}})"
)
_WIDEN = re.compile(
    rf"{_TOKEN}*(?:{_GAP}{{1,3}}(?:[A-Za-z]*\d{_TOKEN}*|[A-Za-z]{{1,4}}(?!{_TOKEN})))*"
    rf"{_GAP}*(?:[A-Za-z]+(?!{_TOKEN})|[^\s().+/_\-\dA-Za-z])?"
)


def scan_digits(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]:
    regions: list[tuple[int, int]] = []
    iban: list[tuple[int, int]] = []
    ipv4: list[int] = []
    rev: str | None = None
    n = len(text)
    for m in _DIGIT_PASS.finditer(text):
        kind = m.lastgroup
        start, end = m.span()
        if kind == "iban":
            iban.append((start, start + 2))
            continue
        if kind == "ip":
            ipv4.append(end)
            continue
        if start >= 2 and text[start - 1] in _LETTERS and text[start - 2] in _LETTERS and (
            text[start] in _ASCII_DIGITS and text[start + 1] in _ASCII_DIGITS
        ):
            iban.append((start, start + 2))
        if text.find(".", start, end) >= 0:
            ipv4 += [t.start() for t in _IPV4_AT.finditer(text, start, end)]
        if not _SEVEN.match(text, start, end) and not _AFTER_LETTER.match(text, start):
            continue
        w = _WIDEN.match(text, end)
        b = w.end() if w else end
        if regions and start < regions[-1][1]:
            regions[-1] = (regions[-1][0], max(regions[-1][1], b))
            continue
        if rev is None:
            rev = text[::-1]
        w = _WIDEN.match(rev, n - start)
        a = n - w.end() if w else start
        if regions and a <= regions[-1][1]:
            regions[-1] = (regions[-1][0], max(regions[-1][1], b))
        else:
            regions.append((a, b))
    ip: list[tuple[int, int]] = []
    for at in ipv4:
        if not ip or at >= ip[-1][1]:
            t = _IPV4_TRIGGER.match(text, at)
            if t:
                ip.append(t.span())
    return regions, iban, ip
