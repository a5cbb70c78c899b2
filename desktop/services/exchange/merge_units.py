"""County merge of the schemes' score sheets: units (or officers) ranked across stations.

Each station's export carries one score sheet per scheme (“基层基础积分”). The county ranks
every subject of a scheme across the stations within its class (警务室 by 一类/二类/三类), its
sequence (执法办案 by 序列) or all together, as the scheme says: competition ranking on 总分
(equal totals share a rank: 1, 1, 3), with the station's own rank beside it.

The totals are the stations' data, so they are checked first: a row whose components do not
add up to its 总分 by the scheme's signs (plus its 起始分), or that lacks a number, is named in
a warning and left out of the ranking (listed at the end of its group, with the reason).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.exporters.xlsx.writer import Column, Sheet
from desktop.models.units import UNIT_KIND_LABELS
from desktop.services.exchange import score_sheets, vocab
from desktop.services.exchange.cells import CellError
from desktop.services.exchange.reader import Workbook
from desktop.services.points import to_decimal
from desktop.services.schemes import Scheme, SchemeError

if TYPE_CHECKING:
    from desktop.services.exchange.merge import StationBook

SUFFIX = {"class": "（按类别）", "sequence": "（按序列）"}
NO_GROUP = {"class": "（未分类别）", "sequence": "（未分序列）"}
RANK_RULE = ("各积分制的单位（或人员）按积分制规定在同一类别（警务室分一类、二类、三类）或同一序列内跨派出所排名，"
             "未分类别或序列的全部一起排名；按总分从高到低，总分相同的名次并列（如 1、1、3）。总分取自各派出所"
             "导出的积分排名表，先按积分制的组成核对：分项之和与总分不符的行不参加排名，并在“注意”中列出。")


def schemes_of(book: Workbook) -> list[Scheme]:
    """The schemes a station's export lists in its 积分制 sheet (none before format version 2)."""
    found = []
    for table in book.of("schemes"):
        for row in table.rows:
            text = row.values.get("definition")
            if not text:
                continue
            try:
                found.append(Scheme.from_json(text, check=False))
            except SchemeError:
                continue  # the score sheet of such a scheme is then not recognised, and said so
    return found


@dataclass
class Ranked:
    station: StationBook
    row: score_sheets.ScoreRow
    group: str
    reason: str | None = None
    rank: int | None = None


def _group(scheme: Scheme, row: score_sheets.ScoreRow) -> str:
    value = row.values.get("group")
    if scheme.rank_within not in SUFFIX:
        return "全部"
    return value or NO_GROUP[scheme.rank_within]


def _group_order(scheme: Scheme, group: str) -> tuple[int, int, str]:
    if scheme.rank_within == "class":
        try:
            return (0, vocab.post_class(group), group)
        except CellError:
            return (1, 0, group)
    if group in scheme.sequences:
        return (0, scheme.sequences.index(group), group)
    return (1 if group not in NO_GROUP.values() else 2, 0, group)


def rank_scheme(scheme: Scheme, books: Sequence[StationBook], warnings: list[str]) -> list[Ranked]:
    """Every checked row of the scheme in every station, ranked within its group across stations."""
    rows: list[Ranked] = []
    for b in books:
        for table in b.scores:
            if table.scheme is None or table.scheme.code != scheme.code:
                continue
            where = f"“{b.path.name}”（{b.label}）的“{table.table.sheet}”"
            if table.missing:
                warnings.append(f"{where}缺少 {'、'.join(table.missing)} 列，无法核对总分，未参加全县排名")
                continue
            for row in table.rows:
                reason = score_sheets.check_row(table.scheme, row)
                if reason:
                    warnings.append(f"{where}第 {row.number} 行 {row.values.get('code')} {row.values.get('name')}："
                                    f"{reason}，该行未参加全县排名")
                rows.append(Ranked(b, row, _group(scheme, row), reason))
    groups: dict[str, list[Ranked]] = defaultdict(list)
    for r in rows:
        groups[r.group].append(r)
    out: list[Ranked] = []
    for group in sorted(groups, key=lambda g: _group_order(scheme, g)):
        ranked = sorted((r for r in groups[group] if r.reason is None),
                        key=lambda r: (-r.row.values["total"], r.station.about.station_code, r.row.values["code"]))
        position, last = 0, None
        for index, r in enumerate(ranked, start=1):
            if r.row.values["total"] != last:
                position, last = index, r.row.values["total"]
            r.rank = position
        out += ranked + [r for r in groups[group] if r.reason is not None]
    return out


def _subject_label(scheme: Scheme) -> str:
    return UNIT_KIND_LABELS.get(scheme.subject, scheme.name)


def sheet_of(scheme: Scheme, ranked: list[Ranked], title: str, taken: set[str]) -> Sheet:
    name = f"全县{_subject_label(scheme)}排名{SUFFIX.get(scheme.rank_within, '')}"
    if name in taken:  # two schemes of one subject: the scheme's own name tells them apart
        name = f"全县{scheme.name}排名{SUFFIX.get(scheme.rank_within, '')}"
    name = name[:31]
    taken.add(name)
    group = score_sheets.group_header(scheme)
    columns = [Column("派出所", "text", 16), Column("代码", "text", 12), Column("名称", "text", 16),
               Column(group, "text", 12), Column("总分", "points", 9), Column("全县排名", "int", 9),
               Column("所内排名", "int", 9), Column("备注", "text", 40)]
    rows: list[list[Any]] = []
    for r in ranked:
        v = r.row.values
        total = v.get("total")
        rows.append([r.station.about.station_name, v.get("code"), v.get("name"), v.get("group"),
                     to_decimal(total) if total is not None else None, r.rank, v.get("rank"),
                     f"未参加排名：{r.reason}" if r.reason else None])
    return Sheet(name, columns, rows, title=f"{title}：全县{_subject_label(scheme)}排名（{scheme.name}）")


def unit_sheets(books: Sequence[StationBook], title: str, warnings: list[str]) -> list[Sheet]:
    """One ranking sheet per scheme that some station has a score sheet of, in first-seen order."""
    schemes: dict[str, Scheme] = {}
    for b in books:
        for table in b.scores:
            if table.scheme is None:
                warnings.append(f"“{b.path.name}”（{b.label}）的积分排名表“{table.table.sheet}”不属于其“积分制”表中的"
                                "任何积分制，未参加全县排名")
                continue
            first = schemes.setdefault(table.scheme.code, table.scheme)
            if first.components != table.scheme.components:
                warnings.append(f"“{b.path.name}”（{b.label}）的积分制“{table.scheme.name}”组成与其他单位不同，"
                                "按其本单位的组成核对总分")
    taken: set[str] = set()
    return [sheet_of(s, rank_scheme(s, books, warnings), title, taken) for s in schemes.values()]
