"""Memoising bounded by the size of the texts remembered, not only by their number.

The pipeline remembers what it found in each text (facts, sentence cuts, candidate sentences), because the same
texts come back on every change of a draft. `functools.lru_cache` bounds the number of texts only: in a server
that runs for weeks, 4,096 remembered sources of a megabyte each would hold gigabytes. `text_cache` bounds the
total characters of the texts in its keys as well; the least recently used go first.

A text longer than the whole budget is computed and not remembered. The results are the function's own, so a
cached function gives exactly what the plain function gives; `__wrapped__` is the plain function.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def _chars(value: object) -> int:
    """The characters of the texts in a key: strings, and strings inside tuples (a set of sources)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, tuple):
        return sum(_chars(v) for v in value)
    return 0


class _Cache:
    def __init__(self, max_chars: int, max_items: int) -> None:
        self.max_chars, self.max_items = max_chars, max_items
        self.entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self.chars = 0
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bool, Any]:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return False, None
            self.entries.move_to_end(key)
            return True, entry[1]

    def put(self, key: Hashable, size: int, value: Any) -> None:
        if size > self.max_chars:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.chars -= old[0]
            self.entries[key] = (size, value)
            self.chars += size
            while self.chars > self.max_chars or len(self.entries) > self.max_items:
                _, (dropped, _) = self.entries.popitem(last=False)
                self.chars -= dropped

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.chars = 0


def text_cache(max_chars: int, max_items: int) -> Callable[[F], F]:
    """Remember a function's results for at most `max_items` calls whose text arguments total at most
    `max_chars` characters. Arguments are positional and hashable; keyword arguments are not remembered."""

    def decorate(fn: F) -> F:
        cache = _Cache(max_chars, max_items)

        @functools.wraps(fn)
        def cached(*args: Any, **kwargs: Any) -> Any:
            if kwargs:
                return fn(*args, **kwargs)
            found, value = cache.get(args)
            if found:
                return value
            value = fn(*args)
            cache.put(args, sum(_chars(a) for a in args), value)
            return value

        cached.cache_clear = cache.clear  # type: ignore[attr-defined]
        cached.cache = cache  # type: ignore[attr-defined]
        return cached  # type: ignore[return-value]

    return decorate
