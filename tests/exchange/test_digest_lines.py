"""The digest's bytes made a column at a time are the bytes made a row at a time, and the
writer's column conversion gives the cells the per-cell conversion gave (issue #18: both were
rewritten for speed; an export's digest must not change, or every earlier workbook would fail
its check on import)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from desktop.exporters.xlsx.columns import CONVERT, convert_column
from desktop.services.exchange import digest_lines
from desktop.services.exchange.cells import PARSERS

UUID = "3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b"
ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode

# Columns as an export or a reader hands them over, each with what makes it awkward.
COLUMNS: dict[str, tuple[str | None, list[Any]]] = {
    "repeated names": ("name", ["王伟", "李娜", "王伟", "王伟", "王伟", None, "王伟", "李娜", "王伟"]),
    "text with escapes": ("text", ['说"明"', "a\\b", "换\n行", "\t制表", "ＡＢＣ　全角", None, "", "普通"]),
    "canonical uuids": ("uuid", [UUID, None, UUID.replace("3f", "4a"), UUID.replace("9a", "00")]),
    "uuids to fix": ("uuid", [UUID.upper(), "{" + UUID + "}", None, UUID]),
    "uuid with a newline": ("uuid", [UUID, UUID + "\n"]),
    "ints and None": (None, [1, -3, None, 0, 125, 10**12]),
    "bools": (None, [True, False, None, True]),
    "ints mixed with bools": (None, [1, True, 0, False]),
    "floats": (None, [2.5, 0.1, -0.0, 1e20]),
    "dates": (None, [dt.date(2026, 11, 5), None, dt.date(2026, 1, 1)]),
    "datetimes": (None, [dt.datetime(2026, 11, 5, 8, 30), dt.datetime(2026, 11, 5, 8, 30, 0, 5), None]),
    "mixed": (None, ["3", 3, 3.0, None, dt.date(2026, 2, 3), "null"]),
    "a list inside": (None, [[1, "a"], None]),
    "keys": ("key", [" A-01 ", "a-01", "Ａ－０１", None, "A-01", "A-01", "A-01", "A-01", "A-01"]),
}


def _reference(parse_kind: str | None, col: list[Any]) -> list[str]:
    parse = PARSERS[parse_kind] if parse_kind else None
    return [ENCODE(v if parse is None or v is None else parse(v)) for v in col]


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_a_column_encodes_as_its_values_one_by_one(name: str) -> None:
    kind, col = COLUMNS[name]
    parse = PARSERS[kind] if kind else None
    assert digest_lines.column_json(parse, col) == _reference(kind, col)


def test_rows_from_columns_are_the_bytes_of_json_dumps_row_by_row() -> None:
    cols = [COLUMNS["repeated names"][1][:4], COLUMNS["text with escapes"][1][:4],
            COLUMNS["canonical uuids"][1], COLUMNS["dates"][1] + [None]]
    rows = [list(r) for r in zip(*cols, strict=True)]
    expected = b"".join(ENCODE(r).encode() + b"\n" for r in rows)
    texts = [digest_lines.column_json(None, c) for c in cols]
    assert digest_lines.encode_columns(texts) == expected
    assert digest_lines.encode_rows(rows) == expected
    assert digest_lines.encode_columns([[]]) == digest_lines.encode_rows([]) == b""


WRITER_COLUMNS: dict[str, tuple[str, list[Any]]] = {
    "plain text": ("text", ["王伟", None, "治安中队"]),
    "text to clean": ("text", ["a\x01b", "", "换\n行", "　全角空格", 12, Decimal("2.5"), None]),
    "tenths": ("tenths", [125, -30, 0, None]),
    "tenths mixed": ("tenths", [125, Decimal("2.5"), "", None, True]),
    "points": ("points", [Decimal("12.5"), None, 3, 2.5]),
    "ints": ("int", [1, None, 30]),
    "dates": ("date", [dt.date(2026, 1, 2), None]),
    "dates and datetimes": ("date", [dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 3, 4), "2026-01-02"]),
    "datetimes": ("datetime", [dt.datetime(2026, 1, 2, 3, 4, 5), None]),
    "datetimes with microseconds": ("datetime", [dt.datetime(2026, 1, 2, 3, 4, 5, 6), dt.date(2026, 1, 2)]),
    "bools": ("bool", [True, False, None, "", "是"]),
}


@pytest.mark.parametrize("name", sorted(WRITER_COLUMNS))
def test_the_writer_converts_a_column_as_it_converted_each_cell(name: str) -> None:
    kind, col = WRITER_COLUMNS[name]
    got = convert_column(kind, col)
    want = [CONVERT[kind](v) for v in col]
    assert got == want
    assert [type(v) for v in got] == [type(v) for v in want]


def test_tenths_are_the_floats_of_their_decimals() -> None:
    tenths = list(range(-2000, 2001))
    assert convert_column("tenths", tenths) == [float(Decimal(t) / 10) for t in tenths]


@pytest.mark.parametrize("normalise", [True, False])
@pytest.mark.parametrize("version", [1, 2])
def test_rows_taken_a_column_at_a_time_hash_as_row_by_row(normalise: bool, version: int) -> None:
    # `Digest.rows_of` (the import's and the county merge's check) against `Digest.row` for each:
    # more rows than one chunk, keys left out, values of every awkward kind, two sheet kinds.
    from desktop.services.exchange.export import Digest
    from desktop.services.exchange.schema import DEPARTMENTS, ENTRIES

    names, texts = COLUMNS["repeated names"][1], COLUMNS["text with escapes"][1]
    entries = [{"uuid": UUID if i % 7 else UUID.upper(), "date": dt.date(2026, 11, 1 + i % 28),
                "badge": f"{100 + i % 40:06d}", "name": names[i % len(names)], "note": texts[i % len(texts)],
                "points": (i % 9) * 5 - 10, "veto": i % 11 == 0, "quantity": None if i % 3 else i,
                "scheme": "jcjc" if i % 5 == 0 else None} for i in range(digest_lines.CHUNK + 321)]
    entries[5].pop("note")
    departments = [{"code": " A-01 ", "name": "治安中队"}, {"name": "社区中队"}]
    one, many = Digest(normalise, version), Digest(normalise, version)
    for kind, rows in ((ENTRIES, entries), (DEPARTMENTS, departments)):
        one.sheet(kind)
        for row in rows:
            one.row(kind, row)
        many.sheet(kind)
        many.rows_of(kind, rows)
    assert many.hexdigest() == one.hexdigest()


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("normalise", [False, True])
def test_rows_given_as_columns_hash_as_the_same_rows_as_dicts(normalise: bool, version: int) -> None:
    # `Digest.columns_of` (a county merge's sheets read without rows) against `rows_of`: more rows
    # than one chunk, a field the sheet does not have, blanks, and an empty sheet.
    from desktop.services.exchange.export import Digest
    from desktop.services.exchange.schema import DEPARTMENTS, ENTRIES

    names = COLUMNS["repeated names"][1]
    n = digest_lines.CHUNK * 2 + 17
    values = {"uuid": [UUID] * n, "date": [dt.date(2026, 11, 1 + i % 28) for i in range(n)],
              "name": [names[i % len(names)] for i in range(n)],
              "points": [None if i % 4 == 0 else i % 9 - 3 for i in range(n)]}  # no "note", no "badge"
    rows = [{key: column[i] for key, column in values.items()} for i in range(n)]
    as_rows, as_columns = Digest(normalise, version), Digest(normalise, version)
    for kind, these, columns, count in ((ENTRIES, rows, values, n), (DEPARTMENTS, [], {"code": [], "name": []}, 0)):
        as_rows.sheet(kind)
        as_rows.rows_of(kind, these)
        as_columns.sheet(kind)
        as_columns.columns_of(kind, columns, count)
    assert as_columns.hexdigest() == as_rows.hexdigest()
