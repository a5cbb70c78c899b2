"""What calamine's writing out of one .xls formula costs, bounded without doing it (`guard_xls`).

calamine turns every formula of an .xls into text when it opens the file (`parse_formula` in
its xls.rs), token by token, and some tokens cost far more than their bytes: a 4-byte
PtgAttrSpace inserts up to 255 spaces one at a time, each insert moving the rest of the text;
a 5-byte PtgName spells out a defined name of up to 255 characters; a 9-byte number is written
without an exponent (1e300 is 301 digits). One 8 KB formula of spaces took calamine minutes,
and 100 MB of names would be gigabytes of text. So the tokens are walked here as calamine
walks them (same sizes, same points where it gives up) and two upper bounds added up: the
characters the text can reach, and the characters moved by inserts and splits. The stack of
operands is not followed: every insert is counted as moving the whole text so far, which only
ever overestimates.
"""

from __future__ import annotations

import struct
from decimal import Decimal

GIVEN_UP = 120  # calamine's text for a formula it cannot read: "Unrecognised formula for cell …"
_LONGEST_FUNCTION = 24  # the longest name in calamine's function table, with its brackets
_ERRORS = {0x00: 6, 0x07: 7, 0x0F: 7, 0x17: 5, 0x1D: 6, 0x24: 5, 0x2A: 4, 0x2B: 13}
_BINARY = {**dict.fromkeys(range(0x03, 0x0A), 1), 0x0A: 2, 0x0B: 1, 0x0C: 1, 0x0D: 2, 0x0E: 2,
           0x0F: 1, 0x10: 1, 0x11: 1}


def _number_text(raw: bytes) -> int:
    """Characters of Rust's `{}` for an f64: the shortest round-trip digits, never an exponent."""
    value = struct.unpack("<d", raw)[0]
    if value != value or value in (float("inf"), float("-inf")):
        return 4
    return len(format(Decimal(repr(value)), "f"))


def cost(rgce: bytes, longest_name: int, longest_sheet: int, pre_biff8: bool = False) -> tuple[int, int]:
    """(characters of text, characters moved) for the formula whose parsed tokens are `rgce`
    (the record's bytes from its `cce` on), at most."""
    if len(rgce) < 2:
        return GIVEN_UP, 0
    cce = struct.unpack_from("<H", rgce)[0]
    tokens = rgce[2:2 + cce]
    name = max(longest_name, 5)  # a missing name is written "#REF!"
    sheet = max(longest_sheet, 4)  # a missing sheet "#REF"
    text = moved = 0
    at, end = 0, len(tokens)
    try:
        while at < end:
            ptg = tokens[at]
            at += 1
            grow, shift, size = _token(ptg, tokens, at, name, sheet, pre_biff8)
            if size is None:
                return text + GIVEN_UP, moved  # calamine stops here with an error text
            at += size
            text += grow
            moved += shift * text
    except (IndexError, struct.error):  # calamine panics on a token cut short; the reader refuses
        return text + GIVEN_UP, moved
    return text, moved


def _token(ptg: int, tokens: bytes, at: int, name: int, sheet: int,
           pre_biff8: bool) -> tuple[int, int, int | None]:
    """(characters added, how many times the text is moved, operand bytes) of one token; None
    as the size where calamine gives up."""
    if ptg in (0x3A, 0x5A, 0x7A):  # PtgRef3d: Sheet!$XFD$65536
        return sheet + 12, 0, 6
    if ptg in (0x3B, 0x5B, 0x7B):  # PtgArea3d
        return sheet + 24, 0, 10
    if ptg in (0x3C, 0x5C, 0x7C):
        return sheet + 6, 0, 6
    if ptg in (0x3D, 0x5D, 0x7D):
        return sheet + 6, 0, 10
    if ptg == 0x01:  # PtgExp
        return (0, 0, 4) if len(tokens) - at >= 4 else (0, 0, None)
    if ptg in _BINARY:
        return _BINARY[ptg], 1, 0
    if ptg in (0x12, 0x13):  # unary plus, minus: inserted before the operand
        return 1, 1, 0
    if ptg == 0x14:
        return 1, 0, 0
    if ptg == 0x15:  # parentheses
        return 2, 1, 0
    if ptg == 0x16:
        return 0, 0, 0
    if ptg == 0x17:  # PtgStr: the characters in quotes
        count = tokens[at]
        return count + 2, 0, 2 + count
    if ptg == 0x18:
        return 0, 0, 5
    if ptg == 0x19:
        return _attribute(tokens, at)
    if ptg == 0x1C:
        length = _ERRORS.get(tokens[at])
        return (length, 0, 1) if length is not None else (0, 0, None)
    if ptg == 0x1D:
        return 5, 0, 1
    if ptg == 0x1E:
        return 5, 0, 2
    if ptg == 0x1F:
        return _number_text(tokens[at:at + 8]), 0, 8
    if ptg in (0x20, 0x40, 0x60):
        return 10, 0, 7
    if ptg in (0x21, 0x41, 0x61):  # PtgFunc: a fixed number of arguments
        if struct.unpack_from("<H", tokens, at)[0] >= 485:
            return 0, 0, None
        return _LONGEST_FUNCTION + 30, 2, 2
    if ptg in (0x22, 0x42, 0x62):  # PtgFuncVar: its count of arguments given
        return _LONGEST_FUNCTION + tokens[at], 2, 3
    if ptg in (0x23, 0x43, 0x63):  # PtgName
        return name, 0, 4
    if ptg in (0x24, 0x44, 0x64, 0x2A, 0x4A, 0x6A):
        return 12, 0, 3 if pre_biff8 else 4
    if ptg in (0x25, 0x45, 0x65, 0x2B, 0x4B, 0x6B):
        return 22, 0, 6 if pre_biff8 else 8
    if ptg in (0x39, 0x59):
        return 10, 0, 6
    return 0, 0, None


def _attribute(tokens: bytes, at: int) -> tuple[int, int, int | None]:
    """PtgAttr: most kinds add nothing; SUM wraps the operand; a space inserts `cch` characters
    one at a time."""
    kind = tokens[at]
    if kind in (0x01, 0x02, 0x08, 0x20, 0x21):
        return 0, 0, 3
    if kind == 0x04:  # a choice: its jump table
        return 0, 0, 3 + 2 * (struct.unpack_from("<H", tokens, at + 1)[0] + 1)
    if kind == 0x10:
        return 5, 1, 3
    if kind in (0x40, 0x41):
        if tokens[at + 1] not in range(7):
            return 0, 0, None
        count = tokens[at + 2]
        return count, count, 3
    return 0, 0, None
