"""Finding a sheet's header and what kind of sheet it is, and saying what was seen when none fits.

A header may sit anywhere in the first 20 rows under title rows and may span two rows (a
merged group title above sub-headers; calamine gives a merged cell's value only in its
top-left cell). When two columns name one field, the closer name wins.
"""

from __future__ import annotations

import re
from typing import Any

from desktop.services.exchange.cells import is_blank, value_text
from desktop.services.exchange.schema import READ_KINDS, SheetKind, header_key, synonyms_of

HEADER_SCAN_ROWS = 20
IGNORED_HEADERS = frozenset(header_key(h) for h in ("序号", "序", "No", "No.", "行号"))
SYNONYMS = {kind.key: synonyms_of(kind) for kind in READ_KINDS}


def _ranks(kind: SheetKind) -> dict[str, int]:
    """How close a header is to a field's own name: the export's header 0, then synonyms in order."""
    ranks: dict[str, int] = {}
    for f in kind.read_fields():
        for rank, name in enumerate((f.header, *f.synonyms)):
            key = header_key(name)  # “工作单位名称（文字）” and “工作单位名称” are one name: the lower rank stays
            ranks[key] = min(rank, ranks.get(key, rank))
    return ranks


RANKS = {kind.key: _ranks(kind) for kind in READ_KINDS}


Names = list[tuple[int, str]]  # (column, header key) of a row's text cells


def row_names(cells: list[Any]) -> Names:
    """A row's text cells as header keys, worked out once for every sheet kind tried against it."""
    return [(col, header_key(cell)) for col, cell in enumerate(cells) if isinstance(cell, str) and cell.strip()]


def match_row(cells: list[Any], kind: str, names: Names | None = None) -> dict[int, str]:
    """Column → field for one row. When two columns name one field, the closer name wins
    (“部门” over “单位” for the department, wherever the columns stand)."""
    synonyms, ranks = SYNONYMS[kind], RANKS[kind]
    best: dict[str, tuple[int, int]] = {}  # field → (rank of the name, column)
    for col, name in row_names(cells) if names is None else names:
        key = synonyms.get(name)
        if key is not None:
            rank = ranks[name]
            if key not in best or rank < best[key][0]:
                best[key] = (rank, col)
    return {col: key for key, (_, col) in sorted(best.items(), key=lambda kv: kv[1][1])}


def find_header(rows: list[list[Any]], kind: SheetKind,
                names: list[Names] | None = None) -> tuple[int, int, dict[int, str]] | None:
    """(first header row, last header row, column → field) with the most fields, or None.
    `names`: `row_names` of the first `HEADER_SCAN_ROWS` + 1 rows, when the caller has them."""
    best: tuple[int, int, dict[int, str]] | None = None
    scan = min(HEADER_SCAN_ROWS, len(rows))
    names = names if names is not None else [row_names(row) for row in rows[:scan + 1]]
    matched: dict[int, dict[int, str]] = {}

    def match(r: int) -> dict[int, str]:
        found = matched.get(r)
        if found is None:
            found = matched[r] = match_row(rows[r], kind.key, names[r])
        return found

    for r in range(scan):
        if best is not None and r > best[1] and _data_under(rows[r], best[2], match(r), kind):
            # Data under the header found: a header further down, even with more fields, starts a
            # second block (`read_table` reads it), and choosing it would leave these rows unread.
            break
        found = match(r)
        if not found:
            continue
        last = r
        if r + 1 < len(rows):
            below = match(r + 1)
            under = rows[r + 1]
            # A cell under the header that is not itself a sub-header is data: then this is a one-row header.
            data_under_header = any(c < len(under) and not is_blank(under[c]) and c not in below for c in found)
            if below and not data_under_header:
                merged = dict(found)
                for c, k in below.items():
                    # A sub-header under a group title that names a field too (加分 / 减分 under 加减分情况)
                    # is the closer name; a field another column already holds stays there.
                    if k not in merged.values() or merged.get(c) == k:
                        merged[c] = k
                if merged != found:
                    found, last = merged, r + 1
        if not any(sig <= set(found.values()) for sig in kind.signatures):
            continue
        if best is None or len(found) > len(best[2]):
            best = (r, last, found)
    return best


def _data_under(cells: list[Any], columns: dict[int, str], found: dict[int, str], kind: SheetKind) -> bool:
    """A row holding values in two or more of a header's columns that is no header itself."""
    filled = sum(1 for c in columns if c < len(cells) and not is_blank(cells[c]))
    return filled >= 2 and not any(sig <= set(found.values()) for sig in kind.signatures)


def classify(name: str, rows: list[list[Any]]) -> tuple[SheetKind, int, int, dict[int, str]] | None:
    """The sheet's kind: an exact export sheet name wins, then the header with most known fields."""
    candidates = []
    folded = header_key(name)
    # Each row's header keys once, not once per kind: a merge tries 14 kinds on 20 rows of 16 sheets
    # in each of 20 workbooks; a kind none of whose names the rows hold is passed over at once.
    names = [row_names(row) for row in rows[:HEADER_SCAN_ROWS + 1]]
    seen = {name for row in names for _, name in row}
    # A kind the sheet is named after exactly, with a header found, wins over every other kind
    # (the first part of the ranking below), so those are tried first and the rest only when none
    # fits: an export's 16 sheets each try one kind instead of eight.
    exact = [(order, kind) for order, kind in enumerate(READ_KINDS) if folded == header_key(kind.name)]
    others = [(order, kind) for order, kind in enumerate(READ_KINDS) if folded != header_key(kind.name)]
    for tried in (exact, others):
        for order, kind in tried:
            if seen.isdisjoint(SYNONYMS[kind.key]):
                continue
            found = find_header(rows, kind, names)
            if found is None:
                continue
            by_name = 2 if folded == header_key(kind.name) else (
                1 if any(header_key(n) in folded for n in kind.sheet_names) else 0)
            candidates.append(((by_name == 2, len(found[2]), by_name, -order), kind, found))
        if candidates:
            break
    if not candidates:
        return None
    _, kind, (first, last, columns) = max(candidates, key=lambda c: c[0])
    return kind, first, last, columns


def header_again(cells: list[Any], kind: SheetKind, keys: list[int]) -> dict[int, str] | None:
    """The header's column → field when this row is the header again, else None.

    Checked cheaply first: a data row's key cells (警号, 姓名) are never header words."""
    synonyms = SYNONYMS[kind.key]
    probe = [cells[c] for c in keys if c < len(cells)] or cells[:3]
    if not any(isinstance(c, str) and not never_header(c) and header_key(c) in synonyms for c in probe):
        return None
    found = match_row(cells, kind.key)
    if len(found) >= 2 and any(sig <= set(found.values()) for sig in kind.signatures):
        return found
    return None


_LONGEST_KEY = max(len(key) for table in SYNONYMS.values() for key in table)
_KEY_STRIPS = re.compile(r"[\s*(\[【]")  # what `header_key` takes out of a text (or starts to)


def never_header(text: str) -> bool:
    """A plain ASCII text longer than any header name (a UUID, a digest: the key cell of every
    data row) is no header word; told without working out its key, which nothing would reuse."""
    return len(text) > _LONGEST_KEY and text.isascii() and _KEY_STRIPS.search(text) is None






def diagnose(rows: list[list[Any]]) -> str:
    """Why no header was recognised: the first rows as seen, the closest kind, the columns it lacked."""
    seen = []
    for row in rows[:HEADER_SCAN_ROWS]:
        texts = [value_text(c).strip()[:12] for c in row if not is_blank(c)]
        if texts:
            seen.append("｜".join(texts[:8]) + ("｜…" if len(texts) > 8 else ""))
        if len(seen) == 3:
            break
    best: tuple[int, SheetKind, set[str]] | None = None
    for kind in READ_KINDS:
        if kind.key in ("scores", "signoffs", "case_reviews", "confirmations", "awards", "summary"):
            continue  # records of another copy: never what a clerk means to bring in by hand
        for row in rows[:HEADER_SCAN_ROWS]:
            found = set(match_row(row, kind.key).values())
            if found and (best is None or len(found) > best[0]):
                best = (len(found), kind, found)
    text = "没有认出这张表的表头，已跳过。前几行是：" + "；".join(f"“{r}”" for r in seen)
    if best is None:
        return text + "。本程序能导入人员名册（警号、姓名、部门）、考核细则（项目、分值）和上级加减分（姓名或警号、分值）；" \
                      "请确认表头在前 20 行内，并使用这些列名"
    _, kind, found = best
    gaps = sorted({frozenset(sig - found) for sig in kind.signatures}, key=lambda g: (len(g), sorted(g)))
    fewest = [g for g in gaps if len(g) == len(gaps[0])][:3]
    lacking = " 或 ".join("、".join(f"“{kind.field(k).header}”" for k in sorted(g)) for g in fewest)
    have = "、".join(f"“{kind.field(k).header}”" for k in sorted(found))
    return text + f"。最接近“{kind.name}”：认出了 {have} 列，还缺少 {lacking} 列（列名见 docs/workbook-format.md）"
