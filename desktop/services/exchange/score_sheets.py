"""One score sheet per scheme (“基层基础积分”), written on export and read back for checking.

A score sheet is derived: the program computes it from the entries (`scheme_scoring.score`)
and never imports it. It looks like the bureaus' own ranking sheets — a merged title row
“滨河派出所 2026年3月 基层基础积分排名” above 代码, 名称, 类别（or 序列）, the scheme's
components, 总分, 排名, 等次, 说明 — so a county clerk can read it as it is. Reading it back
serves the data digest, the county merge (which ranks units across stations from these totals,
after checking that each row's components add up to its 总分) and the warnings an import gives
when the sheet disagrees with what the entries give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from desktop.exporters.xlsx.writer import Column, Sheet
from desktop.services import scheme_scoring, scheme_signing
from desktop.services.exchange.cells import CellError, parse_points, value_text
from desktop.services.exchange.reader import Table, Workbook
from desktop.services.exchange.schema import SCORES, header_key
from desktop.services.exchange.vocab import post_class_label
from desktop.services.points import to_decimal
from desktop.services.scheme_rules import SUBJECT_LABELS
from desktop.services.schemes import Scheme

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
GROUP_HEADERS = {"class": "类别", "sequence": "序列"}
NO_GROUP_HEADER = "类型"  # ranked all together: the column names what the subject is


def sheet_name(scheme: Scheme) -> str:
    """“基层基础积分”: Excel allows 31 characters and none of []:*?/\\ in a sheet name."""
    return _BAD_SHEET_CHARS.sub("", f"{scheme.name}积分")[:31]


def group_header(scheme: Scheme) -> str:
    return GROUP_HEADERS.get(scheme.rank_within, NO_GROUP_HEADER)


@dataclass
class ScoreData:
    """One scheme's score sheet as the export writes it: parsed values, ready for the digest."""

    scheme: Scheme
    name: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]  # in column order; points as tenths
    points_at: list[int]  # columns holding points (written as Decimal)
    digest_rows: list[tuple[list[Any], list[int | None]]] = field(default_factory=list)


def build(session: Session, scheme: Scheme, period_code: str, title: str, taken: set[str]) -> ScoreData:
    """Score the scheme for the period and lay the sheet out; `taken` holds the sheet names in use."""
    name = sheet_name(scheme)
    while name in taken:  # two schemes named alike, or a name equal to a data sheet's
        name = name[:29] + "_" + str(len(taken))
    taken.add(name)
    start = scheme.starting_tenths is not None
    pending = scheme.case_tracking
    columns = [Column("代码", "text", 12), Column("名称", "text", 16), Column(group_header(scheme), "text", 12)]
    columns += [Column("起始分", "points", 8)] if start else []
    columns += [Column(c.label, "points", 9) for c in scheme.components]
    columns += [Column("总分", "points", 9)] + ([Column("待审核分", "points", 9)] if pending else [])
    columns += [Column("排名", "int", 7), Column("等次", "text", 8), Column("说明", "text", 36)]
    data = ScoreData(scheme, name, title, columns, [], [i for i, c in enumerate(columns) if c.kind == "points"])
    for row in scheme_signing.subject_rows(session, scheme, period_code):  # frozen once signed
        group = _group_value(scheme, row)
        starting = _start_of(scheme, row) if start else None
        parts = [row.components.get(c.key, 0) for c in scheme.components]
        cells: list[Any] = [row.code, row.name, group]
        cells += [starting] if start else []
        cells += parts + [row.total] + ([row.pending] if pending else [])
        cells += [row.rank, row.grade, row.why or None]
        data.rows.append(cells)
        # The digest form: SCORES' own fields in their order, then the component columns.
        known = [row.code, row.name, group, starting, row.total, row.pending if pending else None, row.rank,
                 row.grade, row.why or None]
        data.digest_rows.append((known, list(parts)))
    return data


def _group_value(scheme: Scheme, row: scheme_scoring.SubjectRow) -> str | None:
    if scheme.rank_within == "class":
        return post_class_label(row.klass)
    if scheme.rank_within == "sequence":
        return row.sequence or None
    return SUBJECT_LABELS.get(row.kind, row.kind)


def _start_of(scheme: Scheme, row: scheme_scoring.SubjectRow) -> int:
    """The starting score in the total: what is left of it once the signed components are taken out."""
    return row.total - sum(c.sign * row.components.get(c.key, 0) for c in scheme.components)


def sheet(data: ScoreData) -> Sheet:
    def cells() -> Any:
        for row in data.rows:
            out = list(row)
            for i in data.points_at:
                if out[i] is not None:
                    out[i] = to_decimal(out[i])
            yield out

    return Sheet(data.name, data.columns, cells(), title=data.title, title_row=True)


# --- reading a score sheet back ----------------------------------------------------------------

@dataclass
class ScoreRow:
    number: int  # the spreadsheet's row number
    values: dict[str, Any]  # SCORES' fields, parsed
    components: dict[str, int | None]  # component key → tenths (None: blank or unreadable)
    unreadable: list[str] = field(default_factory=list)  # component labels whose cell is not a number


@dataclass
class ScoreTable:
    table: Table
    scheme: Scheme | None
    rows: list[ScoreRow]
    missing: list[str]  # component labels with no column in the sheet


def scheme_of_table(table: Table, schemes: list[Scheme]) -> Scheme | None:
    """The scheme a score sheet belongs to: by its sheet name, else by the title above its header."""
    for scheme in schemes:
        if header_key(table.sheet) == header_key(sheet_name(scheme)):
            return scheme
    titles = " ".join(table.above)
    found = [s for s in schemes if f"{s.name}积分" in titles]
    return found[0] if len(found) == 1 else None


def read(table: Table, schemes: list[Scheme]) -> ScoreTable:
    scheme = scheme_of_table(table, schemes)
    columns: dict[str, int] = {}
    missing: list[str] = []
    if scheme is not None:
        by_header = {header_key(text): col for col, text in table.extra.items()}
        for c in scheme.components:
            col = by_header.get(header_key(c.label), by_header.get(header_key(c.key)))
            if col is None:
                missing.append(c.label)
            else:
                columns[c.key] = col
    rows = []
    for row in table.rows:
        parts: dict[str, int | None] = {}
        bad = []
        for key, col in columns.items():
            raw = row.cells[col] if col < len(row.cells) else None
            try:
                parts[key] = parse_points(raw)
            except CellError:
                parts[key] = None
                bad.append(scheme.component(key).label if scheme else key)
        rows.append(ScoreRow(row.number, row.values, parts, bad))
    return ScoreTable(table, scheme, rows, missing)


def read_all(book: Workbook, schemes: list[Scheme]) -> list[ScoreTable]:
    return [read(t, schemes) for t in book.of("scores")]


def digest_values(table: Table) -> list[tuple[list[Any], list[Any]]]:
    """Each row as the digest sees it: SCORES' fields, then every other column as points (or its
    text, when a cell is not a number: any edit must change the digest, never raise)."""
    out = []
    extra = sorted(table.extra)
    for row in table.rows:
        known = [row.values.get(f.key) for f in SCORES.fields]
        rest: list[Any] = []
        for col in extra:
            raw = row.cells[col] if col < len(row.cells) else None
            try:
                rest.append(parse_points(raw))
            except CellError:
                rest.append(value_text(raw))
        out.append((known, rest))
    return out


def check_row(scheme: Scheme, row: ScoreRow) -> str | None:
    """Why a row's 总分 is not (起始分 +) its components by the scheme's signs, or None."""
    total = row.values.get("total")
    if total is None:
        return "总分为空"
    if row.unreadable:
        return f"{'、'.join(row.unreadable)}不是数字"
    blank = [scheme.component(k).label for k, v in row.components.items() if v is None]
    if blank:
        return f"{'、'.join(blank)}为空"
    computed = (row.values.get("start") or 0) + sum(c.sign * (row.components.get(c.key) or 0)
                                                    for c in scheme.components)
    if computed != total:
        return (f"按积分制“{scheme.name}”的组成计算应为 {to_decimal(computed)} 分，"
                f"表中总分为 {to_decimal(total)} 分，两者不符")
    return None
