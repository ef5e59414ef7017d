"""Personal-data detectors: Presidio's pattern recognizers where they fit, our own where it has none.

Presidio is used without its AnalyzerEngine: the engine needs an NLP pipeline (spaCy models, a download),
while pattern recognizers only need the text. Each recognizer is called directly, fully offline:
- the email recognizer validates domains with `tldextract`, which by default fetches the public-suffix list
  over the network; ours uses tldextract's bundled snapshot (`suffix_list_urls=()`, no cache writes);
- patterns are matched with ASCII word boundaries, because in Unicode regexes Chinese characters are word
  characters and `\\b` would never match in "电话13812345678" or "卡号4111111111111111".
Presidio has no Chinese resident ID recognizer and no NRIC check-letter or SSN 9xx-area rules, and its phone
recognizer runs libphonenumber's matcher over the whole text once per region; those are ours (below).

Every recognizer runs on the normalised text (`drafter.guard.normalise`: NFKC, invisible characters removed,
look-alike letters folded) and each finding is mapped back to the original span. Identifiers written with
separators the recognizers do not expect (JG-10-37-59-A, 110105 19491231 002X, 4111.1111.1111.1111,
6222 0210 0123 4567 870) are found by joining the pieces and checking the joined value (`_separated_ids`).
"""

from __future__ import annotations

import bisect
import functools
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import phonenumbers

from drafter.guard import checksums, validators
from drafter.guard.normalise import Normalised, normalise

# Entity types, in order of precedence when two findings overlap (checksummed identifiers first).
ENTITY_TYPES = (
    "CN_RESIDENT_ID", "SG_NRIC_FIN", "UK_NINO", "US_SSN", "IBAN", "PAYMENT_CARD", "EMAIL", "PHONE",
    "IP_ADDRESS", "PERSON",
)
_PRECEDENCE = {t: i for i, t in enumerate(ENTITY_TYPES)}
PHONE_REGIONS = ("CN", "HK", "SG", "GB", "US")
MIN_SCORE = 0.5


@dataclass(frozen=True)
class Detection:
    """One piece of personal data: its type, character offsets [start, end) and confidence."""

    type: str
    start: int
    end: int
    score: float
    text: str


_new_tuple = tuple.__new__  # `_new_tuple(Found, (…))`: a Found without the named tuple's `__new__`, a Python function


class Found(NamedTuple):
    """A finding while the detectors work: `Detection`'s fields in a named tuple. A scan makes several for each
    finding it reports (every recognizer's, then the stretches' offsets mapped back), and a tuple is made several times
    faster than a frozen dataclass; only what `detect` returns is made a `Detection`."""

    type: str
    start: int
    end: int
    score: float
    text: str


# --- Presidio-based recognizers -------------------------------------------------------------------

_CHECKSUMMED = frozenset({"PAYMENT_CARD", "IBAN", "SG_NRIC_FIN", "CN_RESIDENT_ID"})


def _ascii_flags() -> int:
    import regex  # Presidio compiles with the `regex` module, whose flag values differ from `re`'s

    return int(regex.DOTALL | regex.MULTILINE | regex.IGNORECASE | regex.ASCII)


@functools.cache
def _offline_tld_extractor() -> Any:
    import tldextract

    # suffix_list_urls=() → use the public-suffix snapshot shipped in the package, never the network;
    # cache_dir=None → write nothing to disk.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


@functools.lru_cache(maxsize=4096)
def _has_public_suffix(domain: str) -> bool:
    return bool(_offline_tld_extractor()(domain).suffix)


def _offline_email_recognizer() -> Any:
    """Presidio's email recognizer, validating domains against the bundled public-suffix list (no download)."""
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return _has_public_suffix(pattern_text.rsplit("@", 1)[-1])

    return OfflineEmailRecognizer()


def _presidio_recognizers() -> list[tuple[str, Any, Callable[[str], bool] | None]]:
    """(our type, Presidio recognizer, extra validator) for each Presidio recognizer we use."""
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        IbanRecognizer,
        IpRecognizer,
        SgFinRecognizer,
        UkNinoRecognizer,
        UsSsnRecognizer,
    )

    recognizers: list[tuple[str, Any, Callable[[str], bool] | None]] = [
        ("EMAIL", _offline_email_recognizer(), None),
        ("PAYMENT_CARD", CreditCardRecognizer(), checksums.luhn_valid),
        ("IBAN", IbanRecognizer(), checksums.iban_valid),
        ("IP_ADDRESS", IpRecognizer(), None),
        ("US_SSN", UsSsnRecognizer(), checksums.us_ssn_valid),
        ("UK_NINO", UkNinoRecognizer(), checksums.uk_nino_valid),
        ("SG_NRIC_FIN", SgFinRecognizer(), checksums.sg_nric_valid),
    ]
    flags = _ascii_flags()
    for _, recognizer, _ in recognizers:
        recognizer.global_regex_flags = flags
    return recognizers


# --- our own recognizers --------------------------------------------------------------------------

# (The look-behind of these two comes after their first character, so that `re` looks for that character before trying a
# match: `(?<![0-9A-Za-z])` in front, as it was, tried one at every position.)
_CN_ID = re.compile(r"[1-9](?<![0-9A-Za-z].)\d{5}(?:18|19|20)\d{2}[01]\d[0-3]\d\d{3}[0-9Xx](?![0-9A-Za-z])")
# Phone candidates: a run of digits with the usual separators, optionally +country or (area) first.
# Its first character (+, a digit or an opening bracket) is read first, so that `re` looks for one before trying a
# match, and its look-behind comes after it; then what follows each first character, tried in the order of
# `(?:\+|00)?\(?\d` (after a 0, the "00" prefix first, then that 0 as the first digit). The same matches as that pattern
# with the look-behind in front (`tests/guard/test_pattern_rewrites.py`).
_PHONE_CANDIDATE = re.compile(
    r"[+(\d](?<![0-9A-Za-z+\-./].)(?:(?<=\+)\(?\d|(?<=0)(?:0\(?\d)?|(?<=\()\d|(?<=\d))"
    r"[\d\s().\-]{5,20}\d(?![0-9A-Za-z]|[.\-]\d)"
)
# China UnionPay cards (62…, 16-19 digits); Presidio's card pattern stops at 17 digits.
_UNIONPAY = re.compile(r"6(?<![0-9A-Za-z].)2\d{14,17}(?![0-9A-Za-z])")
_NAME_LABELLED = re.compile(
    r"(?:(?<![A-Za-z])(?:Name|Full name|Contact|Applicant|Claimant|Dear)(?:\s*[:：]|\">)?\s+"
    r"(?P<en>(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?(?P<en_name>[A-Z][a-z]+(?:[ '\-][A-Z][a-z]*){1,3}))"
    r"|(?:(?:姓名|联系人|申请人|当事人|经办人)\s*[:：]\s*(?P<zh_name>[\u4e00-\u9fff]{2,4}))"
)


# Every match of `_NAME_LABELLED` starts with one of its labels (its look-behind reads the character before).
_NAME_LABELS = ("Name", "Full name", "Contact", "Applicant", "Claimant", "Dear", "姓名", "联系人", "申请人", "当事人", "经办人")


# Where a label starts: its first character, the rest only looked at, so labels side by side are all seen. `re` looks
# for the first characters before trying more.
_LABEL_AT = re.compile("|".join(f"{re.escape(label[0])}(?={re.escape(label[1:])})" for label in _NAME_LABELS))


def _labelled_matches(text: str) -> Iterator[re.Match[str]]:
    """`_NAME_LABELLED.finditer(text)`, tried only where a label starts (found by one pass of `_LABEL_AT`, at C
    speed) rather than at every character: the same matches, in the same order, none overlapping."""
    end = 0
    for label in _LABEL_AT.finditer(text):
        at = label.start()
        if at < end:
            continue
        m = _NAME_LABELLED.match(text, at)
        if m:
            end = m.end()
            yield m


def _cn_ids(text: str) -> list[Found]:
    return [
        Found("CN_RESIDENT_ID", m.start(), m.end(), 1.0, m.group())
        for m in _CN_ID.finditer(text)
        if checksums.cn_resident_id_valid(m.group())
    ]


def _unionpay_cards(text: str) -> list[Found]:
    return [
        Found("PAYMENT_CARD", m.start(), m.end(), 1.0, m.group())
        for m in _UNIONPAY.finditer(text)
        if checksums.luhn_valid(m.group())
    ]


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
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _forms_at() -> dict[tuple[str, int], list[_Joined]]:
    """`_JOINED_BY_LENGTH` by the value's first character too: only the forms whose pattern can start with it (the
    `regex` module's partial matching says which: a form that cannot start so never matches). A joined value is
    made of ASCII letters and digits, so these are all the first characters it can have."""
    import regex

    can_start = {entry[0]: {c for c in _ALNUM if regex.fullmatch(entry[1].pattern, c, partial=True)} for entry in _JOINED}
    return {(c, n): [e for e in forms if c in can_start[e[0]]] for c in _ALNUM for n, forms in _JOINED_BY_LENGTH.items()}


_FORMS_AT = _forms_at()


def _separated_ids(text: str) -> list[Found]:
    found: list[Found] = []
    for run in _ID_RUN.finditer(text):
        body = run.group()
        if len(body) < 8 or body.isalnum():
            continue
        words = _ID_PIECES.findall(body)
        count = len(words)
        if count < 2:
            continue
        # Only a run holding six digits or more is read; that is counted when one of its values first validates, as
        # most runs hold none (the same findings: a run with fewer gives none either way).
        digits_ok: bool | None = None
        offsets: list[int] | None = None  # where the pieces start, found only when a value validates
        for i in range(count):
            if i > 0 and words[i - 1][-1].isdigit():  # a number does not start inside a longer number
                continue
            joined = words[i]
            first = joined[0]
            for j in range(i + 1, count):
                joined += words[j]
                size = len(joined)
                if size > 34:
                    break
                if j + 1 < count and words[j + 1][0].isdigit():  # nor end inside one
                    continue
                for kind, pattern, validator, shape, _ in _FORMS_AT[first, size]:
                    if shape is not None and tuple(map(len, words[i : j + 1])) != shape:
                        continue
                    if pattern.fullmatch(joined) and validator(joined):
                        if digits_ok is None:
                            digits_ok = sum(map(str.isdigit, body)) >= 6
                        if not digits_ok:
                            break
                        if offsets is None:  # each piece is the next place its letters and digits are found
                            offsets = []
                            at = run.start()
                            for word in words:
                                at = text.find(word, at)
                                offsets.append(at)
                                at += len(word)
                        a, b = offsets[i], offsets[j] + len(words[j])
                        found.append(Found(kind, a, b, 1.0, text[a:b]))
                        break
    return found


def _phones(text: str, taken: list[Found]) -> list[Found]:
    """libphonenumber validation of each candidate, trying the international form then each region.

    Candidates inside an identifier already found (card, ID, IBAN…) are skipped: libphonenumber is the
    slowest step, and the identifier wins the overlap anyway."""
    starts = sorted((d.start, d.end) for d in taken)
    found: list[Found] = []
    for m in _PHONE_CANDIDATE.finditer(text):
        candidate = m.group()
        if sum(c.isdigit() for c in candidate) < 7:
            continue
        i = bisect.bisect_right(starts, (m.start(), len(text))) - 1
        if i >= 0 and starts[i][0] <= m.start() and starts[i][1] >= m.end():
            continue
        for start, end, raw in _phone_numbers(candidate):
            found.append(Found("PHONE", m.start() + start, m.start() + end, 0.9, raw))
    return found


@functools.lru_cache(maxsize=4096)
def _phone_numbers(candidate: str) -> tuple[tuple[int, int, str], ...]:
    """The numbers libphonenumber finds in one candidate, in the first region where it finds any (about a
    millisecond a region: a document's numbers are remembered, the same number is not validated twice)."""
    for region in PHONE_REGIONS:
        matches = list(phonenumbers.PhoneNumberMatcher(candidate, region, leniency=phonenumbers.Leniency.VALID))
        if matches:
            return tuple((pm.start, pm.end, pm.raw_string) for pm in matches)
    return ()


def _labelled_names(text: str) -> list[Found]:
    """Names introduced by a label ("Contact: Priya Shah", "姓名：张伟", or a prompt's input labelled
    "Contact"); free-text names need an NER model."""
    out = []
    for m in _labelled_matches(text):
        group = "en_name" if m.group("en_name") else "zh_name"
        out.append(Found("PERSON", m.start(group), m.end(group), 0.6, m.group(group)))
    return out


# --- the fast path: scan only the stretches of a text that can hold a finding -----------------------------
#
# Each group of recognizers needs something in the text to match at all: an e-mail address holds an @, an IP
# address digits with dots or hex digits with colons, an IBAN its check digits after its country letters. These
# groups scan only the stretches around those triggers: `margin` characters either side, widened to a safe edge
# (white space, a CJK ideograph or punctuation mark: what no pattern reads as part of an identifier or a word), so
# a pattern sees the same kind of neighbour at the edge as in the whole text. The stretches are joined by a
# separator no pattern crosses, and offsets are mapped back. When the stretches cover most of the text, the whole
# text is scanned instead. The digit group (cards, national numbers, phones) has stretches of its own, exact at
# any density (`digit_regions`, below).

_EMAIL_TRIGGER = re.compile("@")
# An IP address holds "1.2.3" (IPv4, mapped or embedded too) or ":…:" (every IPv6 form, "::" among them). The
# pattern starts at the dot or colon, so `re` looks for those two characters first instead of trying every position;
# a stretch is widened to its safe edges either way, so it is the same stretch as when the match starts earlier.
_IP_TRIGGER = re.compile(r"\.(?<=\d\.)\d{1,3}\.\d|:[0-9A-Fa-f]{0,4}:")
# Its two halves: the IPv4 one is found by the digit pass (`_scan_digits`), the IPv6 one on its own (colons are few).
_IPV4_TRIGGER = re.compile(r"\.(?<=\d\.)\d{1,3}\.\d")
_IPV6_TRIGGER = re.compile(r":[0-9A-Fa-f]{0,4}:")
# Presidio's IBAN recognizer scans only around what every match of its pattern holds (presidio_analyzer's
# predefined recognizers; flags ASCII and IGNORECASE), `margin` as long as its longest match: its check digits after
# its country letters (a match is at most 43 characters). Its pattern reads four-letter groups ("NWBK"), which the
# digit group's stretches stop at, so it keeps stretches of its own; the digit pass finds its trigger.
_IBAN_TRIGGER = re.compile(r"[0-9]{2}(?<=[A-Za-z]{2}[0-9]{2})")
_IBAN_MARGIN = 43
_REGION_GAP = "\n\u3002\u3002\n"  # 。 is no word character, digit or separator any pattern allows
_SAFE = r"[\s\u3000-\u303f\u4e00-\u9fff]"
_NEXT_SAFE = re.compile(_SAFE)
_LAST_SAFE = re.compile(rf"(?s:.*){_SAFE}")
_MAX_WIDEN = 512  # no safe edge this close to a trigger: scan the whole text


Trigger = re.Pattern[str] | list[tuple[int, int]]  # a pattern, or the spans of its matches (in order, apart)


def candidate_regions(text: str, trigger: Trigger, margin: int) -> list[tuple[int, int]] | None:
    """The stretches of `text` to scan for what `trigger` announces, in order and apart; None to scan it whole."""
    triggers = _trigger_spans(text, trigger, margin)
    if triggers is None:
        return None
    regions: list[tuple[int, int]] = []
    covered = 0
    for m_start, m_end in triggers:
        lo = max(0, m_start - margin)
        if regions and lo <= regions[-1][1]:
            a = regions[-1][0]
        else:
            found = _LAST_SAFE.match(text, max(0, lo - _MAX_WIDEN), lo + 1) if lo > 0 else None
            # the start of the text is a safe edge too (a window of a long text may start inside a word)
            a = found.end() - 1 if found else (0 if lo <= _MAX_WIDEN else -1)
            if a < 0:
                return None
        hi = min(len(text), m_end + margin)
        after = _NEXT_SAFE.search(text, hi, hi + _MAX_WIDEN) if hi < len(text) else None
        # and so is its end (a window of a long text may end inside an e-mail address)
        b = after.start() if after else (len(text) if hi + _MAX_WIDEN >= len(text) else -1)
        if b < 0:
            return None
        if regions and a == regions[-1][0]:
            covered -= regions[-1][1] - a
            regions[-1] = (a, max(b, regions[-1][1]))
        else:
            regions.append((a, b))
        covered += regions[-1][1] - regions[-1][0]
        if covered > len(text) // 2:
            return None
    return regions


def _trigger_spans(text: str, trigger: Trigger, margin: int) -> list[tuple[int, int]] | None:
    """The triggers' spans; None as soon as their stretches, before widening to a safe edge (which only makes them
    longer), cover more than half the text."""
    spans: list[tuple[int, int]] = []
    half = len(text) // 2
    covered = end = 0
    for start, stop in (m.span() for m in trigger.finditer(text)) if isinstance(trigger, re.Pattern) else trigger:
        lo, hi = max(start - margin, end), min(stop + margin, len(text))
        if hi > lo:
            covered += hi - lo
            end = hi
            if covered > half:
                return None
        spans.append((start, stop))
    return spans


def in_regions(
    text: str, trigger: Trigger, margin: int, detect: Callable[[str], list[Found]]
) -> list[Found]:
    """`detect` run on the stretches of `text` around `trigger` (or on the whole text when they cover most of it)."""
    regions = candidate_regions(text, trigger, margin)
    if regions is None:
        return detect(text)
    if not regions:
        return []
    compact_at: list[int] = []
    pos = 0
    for a, b in regions:
        compact_at.append(pos)
        pos += b - a + len(_REGION_GAP)
    out: list[Found] = []
    for kind, at, to, score, value in detect(_REGION_GAP.join(text[a:b] for a, b in regions)):
        i = bisect.bisect_right(compact_at, at) - 1
        a, b = regions[i]
        start, end = a + at - compact_at[i], a + to - compact_at[i]
        if end > b:  # crossed a separator (no pattern should): trust only the whole text
            return detect(text)
        out.append(_new_tuple(Found, (kind, start, end, score, value)))
    return out


# --- the digit group: one pass for candidates, then every pattern on the stretches around them only ----------
#
# Every identifier of the digit group (cards, SSN, NI number, NRIC, Chinese ID, the joined forms of
# `_separated_ids`) and every phone number holds seven digits or more with nothing but separators between them
# (`_GAP`), or six digits right after a letter or after a letter and up to three separators (an NI number, the only
# one with six): one pass of `_DIGIT_PASS` finds those clusters. Each cluster is widened, token by token, to the nearest
# *stopper* on either side: a character no pattern of the group (nor the phone candidate) can read as part of a
# match, a word of five letters or more without a digit (only letter prefixes and suffixes of up to four letters
# and the letters of an NI number or NRIC are ever part of a match), or a run of more than three separators (more
# than any identifier pattern crosses; a phone candidate's digits are all in its cluster, and before them it holds
# at most "+(" or "("). The stopper itself is kept in the stretch. No match crosses a stopper, and no match
# starts or ends on one, so a pattern run on the stretches joined by `_REGION_GAP` finds exactly what it finds
# in the whole text, however dense the text is, and with nothing to look at but the clusters and their words.

_TOKEN = r"[\dA-Za-z]"  # what a token (a piece of an identifier, a word) is made of; \d: every Unicode digit
_GAP = r"[\s().+/_\-]"  # what may come between tokens inside a match: separators, and a phone number's ( ) +
# One pass over the digits of the text (`_scan_digits`) finds the clusters and, at the same time, where the IBAN
# recognizer's trigger (two ASCII digits after two letters) starts: every digit is looked at once instead of once per
# trigger. It starts with a digit, so `re` looks for digits before trying more, and it gives up at once on a digit that
# follows a digit (`(?<!\d\d)`): a cluster reaches every digit it can, so one starting inside a run of digits (or after
# a digit and separators) lies inside the cluster of the run's first digit, which was tried first; an IBAN trigger
# follows letters. Within a cluster the separators are taken possessively (`*+`): they are no digits, so giving some back
# can never let a digit match. (The IPv4 half of the IP trigger starts with a dot: `re` finds it on its own at C speed.)
# A cluster's sixth digit ends `six`: it is kept when more digits follow (seven in all), or when it follows a letter and at
# most three separators (`_AFTER_LETTER`).
def _digit_pass(digit: str, digits: str) -> re.Pattern[str]:
    """The pass for `digit`, a digit's class (`digits` the same inside a class). Before the cluster is tried, one
    look-ahead at C speed asks whether the five characters after the first digit are digits or separators, as they are
    in every cluster (each of its next five digits comes after separators only): a year or a count ("2024年", "4,200")
    fails there instead of in the cluster's repeated group."""
    return re.compile(
        rf"{digit}(?<!{digit}{digit})(?:(?=[{digits}\s().+/_\-]{{5}})(?P<cluster>(?P<six>(?:{_GAP}*+{digit}){{5}})"
        rf"(?:{_GAP}*+{digit})*)|(?P<iban>(?<=[A-Za-z]{{2}}[0-9])(?=[0-9])))"
    )


_DIGIT_PASS = _digit_pass(r"\d", r"\d")
# The same pass for a text without decimal digits outside ASCII, where `\d` and `[0-9]` match the same characters.
_ASCII_DIGIT_PASS = _digit_pass("[0-9]", "0-9")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ASCII_DIGITS = frozenset("0123456789")
_LETTERS_AND_GAPS = _LETTERS | frozenset("().+/_-")  # with white space (`str.isspace`, as `\s`): what `_AFTER_LETTER` reads
_AFTER_LETTER = re.compile(
    rf"(?<=[A-Za-z])|(?<=[A-Za-z]{_GAP})|(?<=[A-Za-z]{_GAP}{{2}})|(?<=[A-Za-z]{_GAP}{{3}})"
)
# From a cluster's edge outwards (forwards in the text, or forwards in the reversed text): the rest of its token,
# then each following token that holds a digit or is a word of up to four letters, after at most three separators;
# then the stopper: the separators before it and a long word, or one character no pattern reads.
# (Possessive throughout: no part can give back a character that lets the part after it match, so it is the same match
# without the steps back.)
_WIDEN = re.compile(
    rf"{_TOKEN}*+(?:{_GAP}{{1,3}}+(?:[A-Za-z]*+\d{_TOKEN}*+|[A-Za-z]{{1,4}}+(?!{_TOKEN})))*+"
    rf"{_GAP}*+(?:[A-Za-z]++(?!{_TOKEN})|[^\s().+/_\-\dA-Za-z])?"
)


def digit_regions(text: str) -> list[tuple[int, int]]:
    """The stretches of `text` that hold every match of the digit group and of the phone candidate, in order, apart."""
    return _scan_digits(text)[0]


def _scan_digits(
    text: str, other_digits: bool = True
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, int]]]:
    """The digit group's stretches, and the spans of the matches of `_IBAN_TRIGGER` and of `_IPV4_TRIGGER` (as their
    own `finditer` gives them). `other_digits` False: the text holds no decimal digit outside ASCII (as `normalise`
    tells), and the pass looks for ASCII digits only, the same matches found faster."""
    regions: list[tuple[int, int]] = []
    iban: list[tuple[int, int]] = []
    rev: str | None = None
    n = len(text)
    for m in (_DIGIT_PASS if other_digits else _ASCII_DIGIT_PASS).finditer(text):
        start, end = m.span()
        if m.lastgroup == "iban":
            iban.append((start, start + 2))
            continue
        # a cluster: digits and separators only, so it may start with an IBAN's trigger
        if start >= 2 and text[start - 1] in _LETTERS and text[start - 2] in _LETTERS and (
            text[start] in _ASCII_DIGITS and text[start + 1] in _ASCII_DIGITS
        ):
            iban.append((start, start + 2))
        if end == m.end("six") and (
            start == 0 or not (text[start - 1] in _LETTERS_AND_GAPS or text[start - 1].isspace())
            or not _AFTER_LETTER.match(text, start)
        ):
            continue  # six digits, not after a letter: no identifier, no phone number (before a count in Chinese text, as
            # "岗位123456个", neither a letter nor a separator: `_AFTER_LETTER` is not asked)
        w = _WIDEN.match(text, end)
        b = w.end() if w else end  # (it always matches: every part of it may be empty)
        if regions and start < regions[-1][1]:  # already inside the stretch before: only its end can grow
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
    ip = [t.span() for t in _IPV4_TRIGGER.finditer(text)] if "." in text else []
    return regions, iban, ip


class Compacted:
    """Stretches of a text joined by `_REGION_GAP` (which no pattern crosses), and the way back to the text."""

    def __init__(self, text: str, regions: list[tuple[int, int]]):
        self.regions = regions
        self.at: list[int] = []
        pos = 0
        for a, b in regions:
            self.at.append(pos)
            pos += b - a + len(_REGION_GAP)
        self.text = _REGION_GAP.join(text[a:b] for a, b in regions)

    def offset(self, i: int) -> int:
        """How far the stretch holding compact offset `i` lies from its place in the text."""
        k = bisect.bisect_right(self.at, i) - 1
        return self.regions[k][0] - self.at[k]

    def detect(self, detect: Callable[[str], list[Found]]) -> list[Found]:
        if not self.regions:
            return []
        at, regions = self.at, self.regions
        out = []
        for kind, start, end, score, value in detect(self.text):  # (unpacked: no attribute read per field)
            k = bisect.bisect_right(at, start) - 1
            shift = regions[k][0] - at[k]
            out.append(_new_tuple(Found, (kind, start + shift, end + shift, score, value)))
        return out


def _phones_in(clusters: Compacted, taken: list[Found]) -> list[Found]:
    """`_phones` over the whole text: its candidates all lie in the digit group's stretches."""
    spans = sorted((d.start, d.end) for d in taken)
    starts = [a for a, _ in spans]  # the last span starting at or before a candidate is the one `_phones` reads
    ends = [b for _, b in spans]
    at, regions = clusters.at, clusters.regions
    found: list[Found] = []
    for m in _PHONE_CANDIDATE.finditer(clusters.text):
        start, end = m.span()
        k = bisect.bisect_right(at, start) - 1
        shift = regions[k][0] - at[k]
        start += shift
        end += shift
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and ends[i] >= end:
            continue
        candidate = m.group()
        if sum(map(str.isdigit, candidate)) < 7:
            continue
        for a, b, raw in _phone_numbers(candidate):
            found.append(Found("PHONE", start + a, start + b, 0.9, raw))
    return found


# --- the detector ---------------------------------------------------------------------------------


class PiiDetector:
    """Finds personal data in text. Build once (it compiles Presidio's recognizers) and reuse."""

    def __init__(self) -> None:
        self._presidio = _presidio_recognizers()
        # What every scan needs, made now rather than in the first scan (about 0.1 s, which the first user would
        # otherwise wait for): the recognizers' patterns compiled, the normaliser's tables and the public-suffix list.
        for _, recognizer, _ in self._presidio:
            for pattern in recognizer.patterns:
                _compiled(pattern.regex, pattern.name)
        normalise("\u00e9\uff11")
        _offline_tld_extractor()("example.org")

    def detect(self, text: str | Normalised) -> list[Detection]:
        """Findings with offsets into the original text and its original characters as `text`."""
        norm = normalise(text)
        found = self._detect_normalised(norm.text, norm.other_digits)
        if norm.identity:
            return [Detection(*d) for d in found]
        out = []
        for d in found:
            start, end = norm.span(d.start, d.end)
            out.append(Detection(d.type, start, end, d.score, norm.original[start:end]))
        return out

    def detect_rows(self, text: str | Normalised) -> list[tuple[str, int, int, float, str]]:
        """`detect`'s findings as plain rows (type, start, end, score, text), for a caller that makes records of its
        own (the guard's scan): no finding object is made only to be read once."""
        norm = normalise(text)
        found = self._detect_normalised(norm.text, norm.other_digits)
        if norm.identity:
            return list(found)
        original = norm.original
        if norm.same_offsets:  # the same spans, the original's characters
            return [(kind, start, end, score, original[start:end]) for kind, start, end, score, _ in found]
        rows = []
        for d in found:
            start, end = norm.span(d.start, d.end)
            rows.append((d.type, start, end, d.score, original[start:end]))
        return rows

    def _detect_normalised(self, text: str, other_digits: bool = True) -> list[Found]:
        found = in_regions(text, _EMAIL_TRIGGER, 0, lambda t: self._presidio_found(t, ("EMAIL",)))
        regions, iban, ipv4 = _scan_digits(text, other_digits)
        ip = sorted(ipv4 + [m.span() for m in _IPV6_TRIGGER.finditer(text)])
        found += in_regions(text, ip, 0, lambda t: self._presidio_found(t, ("IP_ADDRESS",)))
        found += in_regions(text, iban, _IBAN_MARGIN, lambda t: self._presidio_found(t, ("IBAN",)))
        clusters = Compacted(text, regions)
        found += clusters.detect(self._digit_ids)
        found += _phones_in(clusters, found)
        found += _labelled_names(text)
        return resolve_overlaps(found)

    def _digit_ids(self, text: str) -> list[Found]:
        """The identifiers made of digits (cards, national numbers), however separated."""
        found = self._presidio_found(text, ("SG_NRIC_FIN", "PAYMENT_CARD", "US_SSN", "UK_NINO"))
        found += _cn_ids(text)
        found += _unionpay_cards(text)
        found += _separated_ids(text)
        return found

    def _presidio_found(self, text: str, kinds: tuple[str, ...]) -> list[Found]:
        found: list[Found] = []
        for kind, recognizer, validator in self._presidio:
            if kind not in kinds:
                continue
            for r in _analyze(recognizer, text, MIN_SCORE):
                value = text[r.start : r.end]
                if r.score < MIN_SCORE or (validator is not None and not validator(value)):
                    continue
                score = float(r.score)
                if validator is not None:
                    score = 1.0 if kind in _CHECKSUMMED else max(score, 0.85)
                found.append(Found(kind, r.start, r.end, round(score, 2), value))
        return found


# Presidio's pattern recognizers compile their patterns with the `regex` module. The same patterns compiled with
# Python's `re` (same flags) match the same text; for these `re` is about twice as fast on the benchmark text, for
# the others `regex` is (its literal-prefix search). The equivalence tests hold both to the recognizers' own output.
_FASTER_WITH_RE = frozenset({"Email (Medium)", "NINO (medium)", "Nric (weak)", "Nric (medium)", "SSN4 (very weak)",
                             "SSN5 (medium)"})


# A character every match of these Presidio patterns holds (each alternative of the IP recognizer's IPv6 patterns has a
# colon): a text without it is not scanned for them (a text around IPv4 addresses often has none).
# `tests/guard/test_region_edges.py` checks it on each pattern's matches.
_NEEDS = {"IPv4_mapped": ":", "IPv4_embedded": ":", "IPv6": ":", "IPv6_unspecified": ":"}


# Presidio patterns that start with `\b`, written so that they start with the character class of their first character:
# `re` then looks for that character at C speed instead of trying a match at every position (the NI number's and the
# card's patterns ran at every position of the digit group's stretches). `\b` before a first letter or digit is a
# look-behind after it (no ASCII word character before it), a look-ahead on the first characters a look-behind after
# them, and the NI number's case-blind exclusions are spelt in both cases, as `re` looks for a first character only in a
# pattern that is not case-blind. Used only while Presidio's pattern is the one given here (a new Presidio version's
# pattern is compiled as it is); `tests/guard/test_pattern_rewrites.py` holds each to the original on random text.
_NINO_BAD = "|".join(f"[{a}{a.upper()}][{b}{b.upper()}]" for a, b in ("bg", "gb", "nk", "kn", "nt", "tn", "zz"))
_REWRITES: dict[str, tuple[str, str, int]] = {  # name: (Presidio's pattern, ours, our flags)
    "NINO (medium)": (
        r"\b(?!bg|gb|nk|kn|nt|tn|zz|BG|GB|NK|KN|NT|TN|ZZ)([a-ceghj-pr-tw-zA-CEGHJ-PR-TW-Z]{1}[a-ceghj-npr-tw-zA-CEGHJ-NPR-TW-Z]{1})"
        r" ?([0-9]{2}) ?([0-9]{2}) ?([0-9]{2}) ?([a-dA-D]{1})\b",
        r"([a-ceghj-pr-tw-zA-CEGHJ-PR-TW-Z](?<![A-Za-z0-9_].)[a-ceghj-npr-tw-zA-CEGHJ-NPR-TW-Z])(?<!" + _NINO_BAD + ")"
        r" ?([0-9]{2}) ?([0-9]{2}) ?([0-9]{2}) ?([a-dA-D]{1})\b",
        re.DOTALL | re.MULTILINE | re.ASCII,
    ),
    "All Credit Cards (weak)": (
        r"\b(?!1\d{12}(?!\d))((4\d{3})|(5[0-5]\d{2})|(6\d{3})|(1\d{3})|(3\d{3}))[- ]?(\d{3,4})[- ]?(\d{3,4})[- ]?(\d{3,5})\b",
        r"(?:1(?![0-9]{12}(?![0-9]))[0-9]{3}|3[0-9]{3}|4[0-9]{3}|5[0-5][0-9]{2}|6[0-9]{3})(?<![A-Za-z0-9_].{4})"
        r"[- ]?(\d{3,4})[- ]?(\d{3,4})[- ]?(\d{3,5})\b",
        re.DOTALL | re.MULTILINE | re.IGNORECASE | re.ASCII,
    ),
    "Nric (medium)": (
        r"(?i)(\b[STFGM][0-9]{7}[A-Z]\b)",
        r"([STFGMstfgm](?<![A-Za-z0-9_].)[0-9]{7}[A-Za-z])\b",
        re.DOTALL | re.MULTILINE | re.ASCII,
    ),
    "SSN5 (medium)": (
        r"\b([0-9]{3})[- .]([0-9]{2})[- .]([0-9]{4})\b",
        r"([0-9](?<![A-Za-z0-9_].)[0-9]{2})[- .]([0-9]{2})[- .]([0-9]{4})\b",
        re.DOTALL | re.MULTILINE | re.IGNORECASE | re.ASCII,
    ),
}


@functools.cache
def _compiled(pattern_regex: str, name: str) -> Any:
    rewrite = _REWRITES.get(name)
    if rewrite is not None and rewrite[0] == pattern_regex:
        return re.compile(rewrite[1], rewrite[2])
    if name in _FASTER_WITH_RE:
        return re.compile(pattern_regex, re.DOTALL | re.MULTILINE | re.IGNORECASE | re.ASCII)
    import regex

    return regex.compile(pattern_regex, _ascii_flags())


def _analyze(recognizer: Any, text: str, floor: float = 0.0) -> list[Any]:
    """What `recognizer.analyze(text, …)` returns, for a Presidio `PatternRecognizer`, without what costs and is
    not used here: an explanation object and a clock reading per match. Same patterns, same validation and
    invalidation (`validators.checks`: the same answers, faster for the card, IBAN, SSN and IP recognizers), same
    removal of duplicates (on plain tuples); the IBAN recognizer's own matching logic likewise (`_analyze_iban`).

    With a `floor`, only the results scoring at least that much (in the same order). A recognizer that does not
    validate can only lower a pattern's score, so its patterns scoring less than the floor ("SSN4 (very weak)", "Nric
    (weak)") are not run: the results they would give score less, and a result is only ever dropped as a duplicate of
    one scoring at least as much, so they change nothing above the floor."""
    from presidio_analyzer import EntityRecognizer, PatternRecognizer
    from presidio_analyzer.predefined_recognizers import IbanRecognizer

    if type(recognizer) is IbanRecognizer:
        return [r for r in _analyze_iban(recognizer, text) if r.score >= floor]
    if type(recognizer).analyze is not PatternRecognizer.analyze:
        return [r for r in recognizer.analyze(text, recognizer.supported_entities) if r.score >= floor]
    entity = recognizer.supported_entities[0]
    validate, invalidate = validators.checks(recognizer)
    patterns = recognizer.patterns
    if floor > 0 and type(recognizer).validate_result is PatternRecognizer.validate_result:
        patterns = [p for p in patterns if p.score >= floor]
    results = []
    for pattern in patterns:
        needed = _NEEDS.get(pattern.name)
        if needed is not None and needed not in text:
            continue
        for match in _compiled(pattern.regex, pattern.name).finditer(text):
            start, end = match.span()
            current = text[start:end]
            if not current:
                continue
            score = pattern.score
            validated = validate(current)
            if validated is not None:
                score = EntityRecognizer.MAX_SCORE if validated else EntityRecognizer.MIN_SCORE
            if invalidate(current):
                score = EntityRecognizer.MIN_SCORE
            if score > EntityRecognizer.MIN_SCORE and score >= floor:
                results.append(_Result(entity, start, end, score))
    return _remove_duplicates(results)


def _analyze_iban(recognizer: Any, text: str) -> list[Any]:
    """What `IbanRecognizer.analyze(text, …)` returns (presidio_analyzer's `__analyze_patterns`), without the
    explanation object it builds for every group of every match: for each match, the span from its start to the end of
    its last group, then of each group before it, until one validates (or is not checked); no removal of duplicates."""
    from presidio_analyzer import EntityRecognizer

    entity = recognizer.supported_entities[0]
    validate, _ = validators.checks(recognizer)
    results: list[Any] = []
    for pattern in recognizer.patterns:
        for match in _compiled(pattern.regex, pattern.name).finditer(text):
            start = match.span(0)[0]
            for group in range(len(match.groups()), 0, -1):
                end = match.span(group)[1] if match.span(group)[1] > 0 else match.span(0)[1]
                current = text[start:end]
                if current == "":
                    continue
                score = pattern.score
                validated = validate(current)
                if validated is not None:
                    score = EntityRecognizer.MAX_SCORE if validated else EntityRecognizer.MIN_SCORE
                if score > EntityRecognizer.MIN_SCORE:
                    results.append(_Result(entity, start, end, score))
                    break
    return results


class _Result(NamedTuple):
    """The fields of a Presidio `RecognizerResult` that are read here (its equality compares these four)."""

    entity_type: str
    start: int
    end: int
    score: float


def _remove_duplicates(results: list[_Result]) -> list[_Result]:
    """`EntityRecognizer.remove_duplicates` for the results of one recognizer (one entity type): equal results once,
    no zero score, none contained in a kept one with an equal or higher score; highest score first, then by start,
    longest first."""
    kept: list[_Result] = []
    active: list[_Result] = []
    for r in sorted(set(results), key=lambda r: (r.start, -(r.end - r.start), -r.score)):
        if r.score == 0:
            continue
        active = [f for f in active if f.end >= r.start]
        if any(r.start >= f.start and r.end <= f.end and r.score <= f.score for f in active):
            continue
        kept.append(r)
        active.append(r)
    return sorted(kept, key=lambda r: (-r.score, r.start, -(r.end - r.start)))


_SPAN = operator.itemgetter(1, 2)


def resolve_overlaps(found: list[Found]) -> list[Found]:
    """Keep one finding per stretch of text: the most specific type, then the longest span."""
    # (read by index: a Found is a tuple (type, start, end, score, text), and an index is read faster than a field)
    ranked = sorted(found, key=lambda d: (_PRECEDENCE.get(d[0], 99), d[1] - d[2], d[1]))
    # The kept findings never overlap, so sorted by start they are sorted by end too: the one starting last
    # before `d` ends is the only one that can reach into it (a bisection, not a pass over all kept).
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Found] = []
    for d in ranked:
        start, end = d[1], d[2]
        i = bisect.bisect_left(starts, end) - 1
        if i >= 0 and ends[i] > start:
            continue
        starts.insert(i + 1, start)
        ends.insert(i + 1, end)
        kept.append(d)
    return sorted(kept, key=_SPAN)


def presidio_default_detect(text: str) -> list[Detection]:
    """Presidio's default pattern recognizers alone (default flags and regions), for the benchmark."""
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        SgFinRecognizer,
        UkNinoRecognizer,
        UsSsnRecognizer,
    )

    kinds: dict[str, Any] = {
        "EMAIL": _offline_email_recognizer(), "PAYMENT_CARD": CreditCardRecognizer(), "IBAN": IbanRecognizer(),
        "IP_ADDRESS": IpRecognizer(), "US_SSN": UsSsnRecognizer(), "UK_NINO": UkNinoRecognizer(),
        "SG_NRIC_FIN": SgFinRecognizer(), "PHONE": PhoneRecognizer(),
    }
    out = []
    for kind, recognizer in kinds.items():
        for r in recognizer.analyze(text, recognizer.supported_entities):
            if r.score >= MIN_SCORE:
                out.append(Detection(kind, r.start, r.end, float(r.score), text[r.start : r.end]))
    return out
