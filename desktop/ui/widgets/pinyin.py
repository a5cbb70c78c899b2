"""Search keys for Chinese names: badge, name, full pinyin and pinyin initials.

Typing `zsf` finds 张三丰, `zhangsan` too; a clerk never has to switch input methods.
Keys are cached per text because pickers rebuild their match lists on every keystroke.
"""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=8192)
def _syllables(text: str) -> tuple[str, ...]:
    """The pinyin of each character ('张三丰' -> zhang, san, feng); other characters kept.

    pypinyin is imported on first use: its phrase dictionary takes 0.2 s to load, which the
    start of the program should not pay before anyone types into a picker.
    """
    from pypinyin import lazy_pinyin

    return tuple(s.lower() for s in lazy_pinyin(text, errors=lambda s: list(s)) if s)


def initials(text: str) -> str:
    """'张三丰' -> 'zsf'; non-Chinese characters are kept (lower-cased)."""
    return "".join(s[0] for s in _syllables(text))


def full(text: str) -> str:
    """'张三丰' -> 'zhangsanfeng'."""
    return "".join(_syllables(text))


def search_key(*parts: str) -> str:
    """One lower-case haystack holding the parts as typed plus their pinyin forms."""
    keys: list[str] = []
    for part in parts:
        if not part:
            continue
        if part.isascii():  # a badge or an item code: its pinyin would be itself again
            keys += [part.lower()] * 3
        else:
            keys += [part.lower(), initials(part), full(part)]
    return "\x1f".join(keys)


def rank(query: str, key: str, *, exact: str = "") -> int | None:
    """How well `query` matches a search key: 0 = exact code/badge, 1 = prefix, 2 = contained;
    None = no match. Lower is better, so a list can sort its matches."""
    q = query.strip().lower()
    if not q:
        return 2
    if exact and q == exact.lower():
        return 0
    fields = key.split("\x1f")
    if any(f.startswith(q) for f in fields):
        return 1
    if q in key:
        return 2
    return None
