"""The bytes the exchange digest hashes, made a chunk of rows at a time.

The digest (`export.Digest`) hashes each data row as its JSON text and a newline, with the
reader's normalisation applied. Done row by row, the normalisation and `json.dumps` were half
the export's own time for a county's quarter. Here both run a column at a time: a column of
few distinct values (departments, items, names) normalises and encodes each value once; a
column of canonical UUIDs is checked with one regular expression and quoted; the row's JSON is
then its values' JSON joined by ", " in brackets, which is exactly what `json.dumps` writes for
a list of scalars (`tests/exchange/test_digest_lines.py` holds the two side by side).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from typing import Any

from desktop.services.exchange.cells import parse_uuid

CHUNK = 4096  # rows normalised and encoded together
_SAMPLE = 256  # the first values of a column, looked at to tell whether it repeats
_NONE = type(None)
_ESCAPED = re.compile(r'[\x00-\x1f\\"]')  # what json's encode_basestring changes (ensure_ascii=False)
_UUID_RUN = re.compile(r"(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n)*")

# The encoding every digest has used: `json.dumps(row, ensure_ascii=False, default=str)`.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)
_ENCODE = _ENCODER.encode


def _c_encoder() -> Callable[[Any, int], Sequence[str]] | None:
    """The C function `JSONEncoder.encode` builds on every call, built once; None when this
    Python has none or it would not give exactly the text `encode` gives."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    e = _ENCODER
    try:
        fast = make(None, e.default, json.encoder.encode_basestring, None, e.key_separator,
                    e.item_separator, e.sort_keys, e.skipkeys, e.allow_nan)
        sample = ["王伟 “一”\n\\", 12, -3, None, True, False, 2.5, dt.date(2026, 11, 5),
                  dt.datetime(2026, 11, 5, 8, 30), ("a", 1)]
        return fast if "".join(fast(sample, 0)) == _ENCODE(sample) else None
    except (TypeError, ValueError):  # another Python's signature: use the plain encoder
        return None


_FAST = _c_encoder()


def encode_rows(rows: Iterable[Sequence[Any]]) -> bytes:
    """Each row's JSON followed by a newline, as one piece of bytes."""
    if _FAST is not None:
        lines = map("".join, map(_FAST, rows, repeat(0)))
    else:
        lines = map(_ENCODE, rows)
    text = "\n".join(lines)
    return (text + "\n").encode() if text else b""


def canonical_uuids(col: Sequence[Any]) -> bool:
    """Every value a UUID in canonical form (or blank as None): what `parse_uuid` returns as is."""
    types = set(map(type, col))
    if not types <= {str, _NONE}:
        return False
    strings = [v for v in col if v is not None] if _NONE in types else col
    if not strings:
        return True
    joined = "\n".join(strings) + "\n"
    # 37 characters a value, and the newlines where the pattern puts them: no value has one.
    return len(joined) == 37 * len(strings) and _UUID_RUN.fullmatch(joined) is not None


def normalise_column(parse: Callable[[Any], Any], col: Sequence[Any]) -> Sequence[Any]:
    """`parse` applied to every value but None, as the reader does a cell at a time."""
    if parse is parse_uuid and canonical_uuids(col):
        return col
    if None in col:
        return [None if v is None else parse(v) for v in col]
    return list(map(parse, col))


def _value_json(value: Any) -> str:
    return _ENCODE(value)


_cached_json = functools.lru_cache(maxsize=1 << 16, typed=True)(_value_json)


def _quoted(values: Sequence[Any], types: set[type]) -> list[str] | None:
    """The JSON of a column of strings (or dates), None as null, when no value needs escaping."""
    strings = [v for v in values if v is not None] if _NONE in types else values
    if str in types and _ESCAPED.search("".join(strings)):
        return None
    if _NONE not in types:
        return list(map('"{}"'.format, values))
    return ["null" if v is None else f'"{v}"' for v in values]


def column_json(parse: Callable[[Any], Any] | None, col: Sequence[Any]) -> list[str]:
    """Each value's JSON text after `parse` (None stays null), for one column of rows."""
    types = set(map(type, col))
    # Repetitive (each distinct value encoded once) when a quarter or fewer differ; a column whose
    # first values already mostly differ (UUIDs, notes) is not, and is spared the distinct values.
    if types <= {str, _NONE} and parse is not parse_uuid and len(set(col[:_SAMPLE])) * 2 <= min(len(col), _SAMPLE):
        distinct = dict.fromkeys(col)
        if len(distinct) * 4 < len(col):
            texts = {v: _ENCODE(v if parse is None or v is None else parse(v)) for v in distinct}
            return list(map(texts.__getitem__, col))
    values = col if parse is None else normalise_column(parse, col)
    types = set(map(type, values)) if parse is not None else types
    if types <= {str, _NONE} or types <= {dt.date, _NONE} or types <= {dt.datetime, _NONE}:
        quoted = _quoted(values, types)  # str(date) is what default=str gives
        if quoted is not None:
            return quoted
    if types <= {int, _NONE}:
        return ["null" if v is None else int.__repr__(v) for v in values]
    try:
        return list(map(_cached_json, values))
    except TypeError:  # an unhashable value (a list inside a row): encoded one by one
        return list(map(_ENCODE, values))


def encode_columns(columns: Sequence[Sequence[str]]) -> bytes:
    """Rows given as their columns' JSON texts: each row's JSON and a newline, as bytes."""
    lines = map(", ".join, zip(*columns, strict=True))
    text = "]\n[".join(lines)
    return f"[{text}]\n".encode() if columns and columns[0] else b""
