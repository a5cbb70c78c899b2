"""Whole numbers in a workbook's XML, read as calamine's Rust code reads them.

The safety check (`guard_*`) and the .ods merge scan must count exactly the rows, repeats and indices
calamine will build, so a number has to mean to them what it means to calamine: any run of leading
zeros, a leading "+" only where calamine parses with Rust's `str::parse` (the .ods repeat counts; the
`atoi_simd` calls of the .xlsx reader refuse one), and no upper limit below 64 bits. Python's `int()`
would read "٣" or " 3" and refuse a 5,000-digit run; these helpers do neither.
"""

from __future__ import annotations

U64 = 2**64  # the first value a 64-bit parse refuses; every longer run of digits reads as this
BEYOND = 10**12  # past every limit the guard sets: a count or row number this large is refused


def unsigned(text: str | bytes, *, plus: bool = False) -> int | None:
    """The value of `text` as ASCII digits (any leading zeros; one leading "+" when `plus`), U64 when it
    is 2**64 or more, None when it is not a number at all (empty, a sign alone, any other character)."""
    if plus and text[:1] in ("+", b"+"):
        text = text[1:]
    if not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0" if isinstance(text, str) else b"0")
    return min(int(digits), U64) if 0 < len(digits) <= 20 else (U64 if digits else 0)


def u64(text: str | bytes) -> int | None:
    """`text` as calamine's `atoi_simd::parse::<usize, true, false>` reads it: None where that fails
    (not digits, a "+", 2**64 or more); calamine then reserves or looks up nothing."""
    value = unsigned(text)
    return None if value is None or value >= U64 else value


def row_number(digits: str | bytes) -> int:
    """The row a run of digits names, leading zeros and all; a run too long for any sheet reads as
    BEYOND rather than as a number Python would refuse to build."""
    value = unsigned(digits)
    return 0 if value is None else min(value, BEYOND)


def repeat(text: str | None) -> int:
    """An .ods repeat or span count (`table:number-*-repeated`, `-spanned`) as calamine expands it:
    Rust's `str::parse`, so a "+" is allowed; absent, 0 or one that does not parse counts once (an
    unparsable one fails calamine's reading anyway). Surrounding spaces are read past, which can only
    make the guard count more than calamine does, never less."""
    if text is None:
        return 1
    value = unsigned(text.strip(), plus=True)
    return 1 if value is None else max(min(value, BEYOND), 1)
