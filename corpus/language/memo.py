"""A bounded memo for the hot one-string functions of the language layer (``norm``,
``event_key``, tokenising).

Why not :func:`functools.lru_cache`: its bookkeeping is one Python list per entry, which
the garbage collector walks on every full collection. With the 200k entries a busy bot
accumulates, that alone made full collections of 40+ ms — a pause every command pays at
random. Here the memo is a plain dict of strings to strings or tuples of strings, which
the collector does not track at all; when it is full it is emptied and refills with what
is in use, which for word keys costs less than keeping an order.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

R = TypeVar("R")


def string_memo(maxsize: int) -> Callable[[Callable[[str], R]], Callable[[str], R]]:
    """Memoise a function of one string argument, holding at most ``maxsize`` results."""

    def decorate(fn: Callable[[str], R]) -> Callable[[str], R]:
        memo: dict[str, R] = {}

        @wraps(fn)
        def cached(arg: str) -> R:
            hit = memo.get(arg)
            if hit is None:
                if len(memo) >= maxsize:
                    memo.clear()
                hit = memo[arg] = fn(arg)
            return hit

        cached.cache_clear = memo.clear  # type: ignore[attr-defined]
        return cached

    return decorate
