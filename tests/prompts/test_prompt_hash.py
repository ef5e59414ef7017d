"""The prompt's hash, stored with every section and call-log row, is the SHA-256 of the messages as JSON: the
remembered hash must be the same digest, for the same messages only."""

from __future__ import annotations

import hashlib
import json

from drafter.backends.base import Message
from drafter.prompts import _pairs_sha256, messages_sha256


def _plain(messages: list[Message]) -> str:
    payload = json.dumps([[m.role, m.content] for m in messages], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def test_hash_is_the_digest_of_the_messages_as_json_remembered_or_not() -> None:
    _pairs_sha256.cache_clear()
    messages = [Message("system", "Write plainly. 写得清楚。"), Message("human", "Source: £3 million \u2028 \"quoted\"")]
    first, again = messages_sha256(messages), messages_sha256(list(messages))
    assert first == again == _plain(messages)
    assert len(_pairs_sha256.cache.entries) == 1  # the second hash was remembered


def test_hash_differs_for_any_change_of_role_or_text_even_when_remembered() -> None:
    base = [Message("system", "Rules."), Message("human", "Text.")]
    seen = {messages_sha256(base)}
    for variant in ([Message("system", "Rules."), Message("human", "Text!")],
                    [Message("human", "Rules."), Message("human", "Text.")],
                    [Message("system", "Rules.Text."), Message("human", "")],
                    [Message("system", "Rules.")],
                    [Message("human", "Text."), Message("system", "Rules.")]):
        digest = messages_sha256(variant)
        assert digest == _plain(variant) and digest not in seen
        seen.add(digest)
