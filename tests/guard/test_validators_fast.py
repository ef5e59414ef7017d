"""`validators.checks` answers a match as Presidio's own `validate_result` / `invalidate_result` do, for every text
the card, SSN and IP recognizers' patterns match in random text dense with look-alikes, for every dotted quad shape
(leading zeros, octets over 255, three-digit octets), every SSN delimiter mix, and for texts no pattern would match
(which go to Presidio's own method)."""

from __future__ import annotations

import itertools
import random

import pytest

from drafter.guard import detectors as d
from drafter.guard import validators

CARDS = ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111112", "5555555555554444", "378282246310005",
         "6011 0009 9013 9424", "1234 5678 9012 3456", "4111 1111 1111 111", "3530111333300000"]
SSNS = ["536-22-1234", "536 22 1234", "536.22.1234", "536221234", "000-22-1234", "666-22-1234", "536-00-1234",
        "536-22-0000", "123-45-6789", "987-65-4320", "078-05-1120", "111-11-1111", "536-22 1234", "536.22-1234"]
IPS = ["203.0.113.54", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.02.3.4", "1.2.3.004", "999.999.999.999",
       "10.0.0.1/24", "::ffff:192.0.2.128", "2001:db8::1", "fe80::1%eth0", "1.2.3", "::"]


@pytest.fixture(scope="module")
def recognizers() -> dict:
    return {kind: r for kind, r, _ in d.PiiDetector()._presidio}


def _same(recognizer, text: str) -> None:
    validate, invalidate = validators.checks(recognizer)
    assert validate(text) == recognizer.validate_result(text), text
    assert invalidate(text) == recognizer.invalidate_result(text), text


def test_every_dotted_quad_shape(recognizers):
    ip = recognizers["IP_ADDRESS"]
    octets = ["0", "00", "000", "1", "01", "001", "9", "10", "010", "99", "100", "199", "200", "249", "250", "255",
              "256", "299", "300", "999"]
    for a, b in itertools.product(octets, repeat=2):
        for text in (f"{a}.{b}.1.2", f"1.2.{a}.{b}", f"{a}.1.{b}.3"):
            _same(ip, text)


@pytest.mark.parametrize("seed", range(60))
def test_every_match_in_random_text(recognizers, seed):
    rng = random.Random(seed)
    pieces = CARDS + SSNS + IPS + ["x", " ", "-", ".", "1", "12", "١٢٣", "４１１１", "\n", "ab"]
    text = "".join(rng.choice(pieces) + rng.choice(["", " ", "-", ".", "x", "\n"]) for _ in range(rng.randint(1, 40)))
    for kind in ("PAYMENT_CARD", "US_SSN", "IP_ADDRESS"):
        recognizer = recognizers[kind]
        for pattern in recognizer.patterns:
            for match in d._compiled(pattern.regex, pattern.name).finditer(text):
                _same(recognizer, match.group())
        ours = [(r.start, r.end, r.score) for r in d._analyze(recognizer, text)]
        theirs = [(r.start, r.end, r.score) for r in recognizer.analyze(text, recognizer.supported_entities)]
        assert ours == theirs, text


def test_texts_no_pattern_matches_go_to_presidio(recognizers):
    for kind in ("PAYMENT_CARD", "US_SSN", "IP_ADDRESS"):
        for text in CARDS + SSNS + IPS + ["١٢٣٤٥٦٧٨٩", "4111 1111 1111 111x", "--", "1", "a.b.c.d", "1.2.3.4 "]:
            try:
                recognizers[kind].validate_result(text), recognizers[kind].invalidate_result(text)
            except (ValueError, IndexError) as exc:  # Presidio's own method fails on some: ours must fail alike
                validate, invalidate = validators.checks(recognizers[kind])
                with pytest.raises(type(exc)):
                    validate(text), invalidate(text)
                continue
            _same(recognizers[kind], text)


@pytest.mark.parametrize("seed", range(40))
def test_results_above_the_floor_are_those_of_every_pattern(recognizers, seed):
    """The guard asks `_analyze` only for results scoring at least MIN_SCORE, and weak patterns of recognizers that do
    not validate are then not run: the same results, in the same order, as every pattern's results cut at the floor
    (texts dense with SSN, NRIC and IP look-alikes, which those weak patterns match)."""
    from tests.guard.test_equivalence import _random_text

    rng = random.Random(seed)
    pieces = SSNS + IPS + CARDS + ["S1234567D", "A1234567Z", "t1234567j", "AB 12 34 56 C", "::", "123456789", "12345-6789"]
    texts = [_random_text(3000 + seed, 0.6),
             "".join(rng.choice(pieces) + rng.choice(["", " ", "x", "-", "\n"]) for _ in range(rng.randint(1, 40)))]
    for text in texts:
        for recognizer in recognizers.values():
            every = [r for r in d._analyze(recognizer, text) if r.score >= d.MIN_SCORE]
            assert d._analyze(recognizer, text, d.MIN_SCORE) == every, (recognizer.name, text)


IBAN_LIKE = ["GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819", "gb29nwbk60161331926819", "GB29-NWBK-6016-1331-9268-19",
             "DE89370400440532013000", "de89 3704 0044 0532 0130 00", "FR1420041010050500013M02606", "fr1420041010050500013m02606",
             "MT84MALT011000012345MTLCAST001S", "NO9386011117947", "XX00000000000000", "GB82WEST12345698765432",
             "GB82 WEST 1234 5698 7654 33", "ZZ68 5390 0754 7034", "G", "GB", "GB2", "GB29", "", "GB29 NWBK 6016 1331 9268 1٩",
             "GB29\u00dfWBK60161331926819", "DE89 3704 0044 0532 0130 00 2", "AL47212110090000000235698741"]


@pytest.mark.parametrize("seed", range(40))
def test_iban_validation_answers_as_presidio(recognizers, seed):
    """Check digits right and wrong, every case, separators, unknown countries, texts too short, characters that make
    Presidio's own check fail (logged, answered False), one character changed anywhere."""
    iban = recognizers["IBAN"]
    rng = random.Random(seed)
    validate, _ = validators.checks(iban)
    for text in IBAN_LIKE:
        changed = list(text)
        if changed:
            changed[rng.randrange(len(changed))] = rng.choice("0123456789ABZaz -")
        for t in (text, "".join(changed), text.lower(), text.swapcase()):
            assert validate(t) == iban.validate_result(t), t


def _example(rng: random.Random, parsed) -> str:  # type: ignore[no-untyped-def]
    """A random text a parsed pattern made of literals, classes, groups and repeats matches."""
    from re import _constants as c  # type: ignore[attr-defined]

    out = []
    for op, av in parsed:
        if op is c.LITERAL:
            out.append(chr(av))
        elif op is c.IN:
            choices = []
            for kind, value in av:
                if kind is c.LITERAL:
                    choices.append(chr(value))
                elif kind is c.RANGE:
                    choices += [chr(x) for x in range(value[0], value[1] + 1)]
            out.append(rng.choice(choices))
        elif op is c.SUBPATTERN:
            out.append(_example(rng, av[3]))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, body = av
            out += [_example(rng, body) for _ in range(rng.randint(low, min(high, low + 3)))]
        else:
            raise AssertionError(op)
    return "".join(out)


def test_iban_country_formats_compiled_with_re_match_as_presidios():
    """`_country_pattern` compiles a plain country format with `re`: for every country, texts made to match it and
    each of them with one character changed match or not as with the `regex` module Presidio uses."""
    import re

    import regex
    from presidio_analyzer.predefined_recognizers.generic.iban_patterns import regex_per_country

    rng = random.Random(4)
    plain = 0
    for country, source in regex_per_country.items():
        ours = validators._country_pattern(country)
        theirs = regex.compile(source, regex.DOTALL | regex.MULTILINE)
        plain += isinstance(ours, re.Pattern)
        parsed = re._parser.parse(source)  # type: ignore[attr-defined]
        for _ in range(30):
            text = _example(rng, parsed)
            assert ours.match(text) and theirs.match(text), (country, text)
            i = rng.randrange(len(text))
            for ch in ("0", "A", "a", " ", "Z"):
                changed = text[:i] + ch + text[i + 1 :]
                assert bool(ours.match(changed)) == bool(theirs.match(changed)), (country, changed)
    assert plain == len(regex_per_country)  # every format is plain today
