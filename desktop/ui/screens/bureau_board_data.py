"""What the 全局公示栏 screen shows and exports: the bureau board's rows, filtered by station and
考核序列, as table cells, a summary line and workbook sheets. No widgets here, so the screen
module stays about layout and the worker calls; the board itself is `services.bureau_board`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from desktop.exporters.xlsx.writer import Column, Sheet, write_workbook
from desktop.models.db import Database
from desktop.services import bureau_board
from desktop.services.actor import Actor
from desktop.services.periods import parse_period
from desktop.ui.screens.rows_model import Cell, num

ALL = ""  # the filters' 全部 choice
NO_SEQUENCE = "（未分序列）"  # how a person with no 考核序列 is filtered and shown (listing gives "")
HEADERS = ["全局名次", "考核序列", "序列名次", "单位", "部门", "警号", "姓名", "总分", "等次", "已锁定", "不参与排名原因"]
UNLOCKED = "#b71c1c"


@dataclass(frozen=True)
class StationLine:
    code: str
    name: str
    locked: bool
    people: int

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


@dataclass
class Loaded:
    """One period's board as the screen keeps it: the rows in board order and each station's line."""

    period: str
    rows: list[dict[str, Any]] = field(default_factory=list)  # bureau_board.listing's fields
    stations: list[StationLine] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def load(db: Database, actor: Actor, code: str) -> Loaded:
    """The board for `code` (in the worker: every station's schema is read, a second or more)."""
    result = bureau_board.board(db, actor, code)
    stations = [StationLine(s.code, s.name, s.locked, len(s.rows)) for s in result.stations]
    return Loaded(result.period, bureau_board.listing(result), stations, list(result.missing))


def sequence_of(row: dict[str, Any]) -> str:
    return row["sequence"] or NO_SEQUENCE


def sequences(rows: list[dict[str, Any]]) -> list[str]:
    """The 考核序列 on the board, in the order they first appear (the best-ranked first)."""
    return list(dict.fromkeys(sequence_of(r) for r in rows))


def filtered(rows: list[dict[str, Any]], station: str = ALL, sequence: str = ALL) -> list[dict[str, Any]]:
    """The rows of one station (its code) and one sequence; ALL keeps every one."""
    return [r for r in rows if (station == ALL or r["station_code"] == station)
            and (sequence == ALL or sequence_of(r) == sequence)]


def summary(loaded: Loaded, shown: int) -> str:
    """“2 个单位，35 人” and what a bureau officer must know before reading the ranks."""
    people = len(loaded.rows)
    parts = [f"{parse_period(loaded.period).label}：{len(loaded.stations)} 个单位，{people} 人"]
    if shown != people:
        parts[0] += f"（当前显示 {shown} 人）"
    unlocked = [s.label for s in loaded.stations if not s.locked]
    if not loaded.stations:
        parts.append("服务器上还没有单位的数据")
    elif unlocked:
        parts.append("尚未锁定本周期的单位：" + "、".join(unlocked) + "（名次可能还会变化）")
    else:
        parts.append("各单位均已锁定本周期")
    if loaded.missing:
        parts.append("本周期无在册人员的单位：" + "、".join(loaded.missing))
    return "。".join(parts) + "。"


def _number(text: str) -> float | None:
    return float(text) if text else None


def cells(row: dict[str, Any]) -> list[Cell]:
    locked = row["locked"]
    rank_all, rank_sequence = row["rank_all"], row["rank_sequence"]
    return [
        num("" if rank_all is None else str(rank_all), rank_all, bold=rank_all is not None and rank_all <= 3),
        Cell(sequence_of(row)),
        num("" if rank_sequence is None else str(rank_sequence), rank_sequence),
        Cell(row["station"], tip=f"单位代码 {row['station_code']}"),
        Cell(row["department"] or ""),
        Cell(row["badge"] or ""),
        Cell(row["name"] or ""),
        num(row["total"], _number(row["total"])),
        Cell(row["grade"], align="center"),
        Cell("是" if locked else "否", align="center", fg=None if locked else UNLOCKED,
             tip="" if locked else "该单位尚未锁定本周期：总分和名次可能还会变化"),
        Cell(row["excluded_reason"] or ""),
    ]


def _sheet_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r["rank_all"], sequence_of(r), r["rank_sequence"], r["station_code"], r["station"],
             r["department"], r["badge"], r["name"], Decimal(r["total"]) if r["total"] else None,
             r["grade"], r["locked"], r["excluded_reason"] or ""] for r in rows]


def sheets(loaded: Loaded, rows: list[dict[str, Any]], filters: str) -> list[Sheet]:
    """The rows shown (in the order shown) and a 说明 sheet: period, filters and the ranking rule."""
    label = parse_period(loaded.period).label
    columns = [Column("全局名次", "int", 9), Column("考核序列", "text", 12), Column("序列名次", "int", 9),
               Column("单位代码", "text", 12), Column("单位", "text", 16), Column("部门", "text", 14),
               Column("警号", "text", 10), Column("姓名", "text", 10), Column("总分", "points", 9),
               Column("等次", "text", 7), Column("已锁定", "bool", 7), Column("不参与排名原因", "text", 18)]
    board = Sheet("全局公示栏", columns, _sheet_rows(rows), title=f"{label} 全局公示栏")
    notes = [["考核周期", label], ["显示范围", filters], ["人数", str(len(rows))],
             ["说明", summary(loaded, len(rows))], ["排名规则", bureau_board.BOARD_RULE]]
    about = Sheet("说明", [Column("项目", "text", 10), Column("内容", "text", 90, wrap=True)], notes,
                  title=f"{label} 全局公示栏", landscape=False, filter=False)
    return [board, about]


def write(path: Path, loaded: Loaded, rows: list[dict[str, Any]], filters: str) -> Path:
    write_workbook(path, sheets(loaded, rows, filters))
    return path
