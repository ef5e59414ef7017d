"""Frozen copy of the digit pass of session 5 (issue 17): the digit group's stretches and the IBAN and IPv4
triggers, from one pass over every digit; and of the identifiers split by separators (`separated_ids`). Kept as the
oracle of `tests/guard/test_digit_pass.py`: the faster code must give the same stretches, triggers and findings,
position for position."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.guard.reference import checksums_v5 as checksums

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


# Identifiers split by separators: runs of short alphanumeric pieces joined by spaces, hyphens, dots or
# slashes, holding digits. Each stretch of whole pieces with a separator inside is joined and checked.
# Pieces hold a digit, except a short letter prefix or suffix (JG … A, S … D).
_ID_DIGITS = r"[A-Za-z]{0,4}\d[0-9A-Za-z]{0,19}"
_ID_SEP = r"[ \t\-./_]{1,3}"
_ID_RUN = re.compile(
    rf"(?<![0-9A-Za-z@])(?:[A-Za-z]{{1,4}}{_ID_SEP})?{_ID_DIGITS}(?:{_ID_SEP}{_ID_DIGITS})*"
    rf"(?:{_ID_SEP}[A-Za-z]{{1,4}})?(?![0-9A-Za-z@])"
)
_ID_PIECES = re.compile(r"[0-9A-Za-z]+")
_CARD_DIGITS = re.compile(r"(?:4|5[1-5]|2[2-7]|3[0-9]|6)\d{12,18}")
_Joined = tuple[str, re.Pattern[str], Callable[[str], bool], tuple[int, ...] | None, tuple[int, int]]
_JOINED: list[_Joined] = [
    # (type, joined form, validator, required piece lengths or None, the form's shortest and longest length)
    ("UK_NINO", re.compile(r"[A-Za-z]{2}\d{6}[A-Da-d]"), checksums.uk_nino_valid, None, (9, 9)),
    ("CN_RESIDENT_ID", re.compile(r"[1-9]\d{16}[\dXx]"), checksums.cn_resident_id_valid, None, (18, 18)),
    ("SG_NRIC_FIN", re.compile(r"[STFGMstfgm]\d{7}[A-Za-z]"), checksums.sg_nric_valid, None, (9, 9)),
    ("IBAN", re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}"), checksums.iban_valid, None, (14, 34)),
    ("US_SSN", re.compile(r"\d{9}"), checksums.us_ssn_valid, (3, 2, 4), (9, 9)),
    ("PAYMENT_CARD", _CARD_DIGITS, checksums.luhn_valid, None, (13, 20)),
]
# The forms a joined value of each length can take, in `_JOINED`'s order (the first that validates wins).
_JOINED_BY_LENGTH: dict[int, list[_Joined]] = {
    n: [entry for entry in _JOINED if entry[4][0] <= n <= entry[4][1]] for n in range(35)
}


def separated_ids(text: str) -> list[tuple[str, int, int, float, str]]:
    found: list[tuple[str, int, int, float, str]] = []
    for run in _ID_RUN.finditer(text):
        body = run.group()
        if len(body) < 8 or body.isalnum() or sum(map(str.isdigit, body)) < 6:
            continue
        words = _ID_PIECES.findall(body)
        count = len(words)
        if count < 2:
            continue
        sizes = [len(w) for w in words]
        pieces: list[tuple[int, int]] | None = None  # offsets, found only when a value validates
        for i in range(count):
            if i > 0 and words[i - 1][-1].isdigit():  # a number does not start inside a longer number
                continue
            joined = words[i]
            for j in range(i + 1, count):
                joined += words[j]
                size = len(joined)
                if size > 34:
                    break
                if j + 1 < count and words[j + 1][0].isdigit():  # nor end inside one
                    continue
                for kind, pattern, validator, shape, _ in _JOINED_BY_LENGTH[size]:
                    if shape is not None and tuple(sizes[i : j + 1]) != shape:
                        continue
                    if pattern.fullmatch(joined) and validator(joined):
                        if pieces is None:
                            pieces = [(m.start() + run.start(), m.end() + run.start()) for m in _ID_PIECES.finditer(body)]
                        a, b = pieces[i][0], pieces[j][1]
                        found.append((kind, a, b, 1.0, text[a:b]))
                        break
    return found
