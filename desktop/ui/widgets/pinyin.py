"""Search keys for Chinese names: badge, name, full pinyin and pinyin initials.

Typing `zsf` finds 张三丰, `zhangsan` too; a clerk never has to switch input methods.
Keys are cached per text because pickers rebuild their match lists on every keystroke.

A polyphonic character matches every reading: 曾 is zeng as a surname and ceng in 曾经, 单 is
shan, 解 xie, 区 ou, 仇 qiu, 朴 piao. The phrase-aware reading comes first; then each character
is tried in its other readings one at a time (a name rarely has two surprises), so `zw` and
`cw` both find 曾伟 without the keys growing with every combination.
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


MAX_VARIANTS = 24  # readings tried beyond the first, per text


@functools.lru_cache(maxsize=16384)
def _readings(char: str) -> tuple[str, ...]:
    """Every reading of one character (cached: names and items share their characters)."""
    from pypinyin import Style, pinyin

    return tuple(r.lower() for r in pinyin(char, style=Style.NORMAL, heteronym=True)[0] if r)


@functools.lru_cache(maxsize=8192)
def _variants(text: str) -> tuple[tuple[str, ...], ...]:
    """The syllables of `text` in its usual reading, then with one character read otherwise."""
    first = _syllables(text)
    out = [first]
    if len(first) != len(text):  # pypinyin kept a run of non-Chinese together: no per-character form
        return tuple(out)
    for index, char in enumerate(text):
        for reading in _readings(char):
            if reading != first[index] and len(out) <= MAX_VARIANTS:
                out.append((*first[:index], reading, *first[index + 1:]))
    return tuple(out)


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
            keys.append(part.lower())
            for syllables in _variants(part):  # the usual reading first, then the others
                keys += ["".join(x[0] for x in syllables), "".join(syllables)]
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
