"""Export one period as a self-contained, formatted workbook (`jifen export --period P -o F.xlsx`).

Sheets: 说明 (station, period, format version, row counts, SHA-256 of the data), 部门, 人员,
单位 and 单位成员 (units as assessed subjects, their dated heads and members), 积分制 (each
scheme the station runs, with its definition), 考核细则 (every scheme's catalogue versions the
period uses), 积分明细 (every entry with its UUID, reversals, unit and case entries included),
案件审核, 积分汇总 (five components, total, ranks, grades), one score sheet per other scheme
(“基层基础积分”, derived, see `score_sheets`), 奖励, 签核, 个人确认.
An empty database can be rebuilt from it alone (see `import_`), and the bureau can open it
in Excel or WPS.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from desktop import __version__
from desktop.exporters.xlsx.writer import Column, Sheet, write_workbook
from desktop.models.periods import Period
from desktop.services import chain_head
from desktop.services.errors import ValidationError
from desktop.services.exchange import collect, digest_lines, score_sheets
from desktop.services.exchange.cells import PARSERS
from desktop.services.exchange.report import CancelFn, Progress, ProgressFn
from desktop.services.exchange.schema import (
    ABOUT_NAME,
    AWARDS,
    CASE_REVIEWS,
    CATALOGUE,
    CONFIRMATIONS,
    DATA_KINDS,
    DEPARTMENTS,
    ENTRIES,
    FORMAT_ID,
    FORMAT_VERSION,
    ROSTER,
    SCHEMES,
    SCORES,
    SIGNOFFS,
    SUMMARY,
    UNIT_MEMBERS,
    UNITS,
    SheetKind,
)
from desktop.services.periods import find_period, parse_period
from desktop.services.points import to_decimal
from desktop.services.policies import policy_for
from desktop.services.roster import get_station

WRITER_KINDS = {"text": "text", "key": "text", "name": "text", "uuid": "text", "int": "int",
                "points": "tenths", "date": "date", "datetime": "datetime", "bool": "bool", "json": "text"}
_TEXT_KINDS = frozenset({"text", "key", "name", "uuid"})
ABOUT_NOTE = ("本工作簿由“积分考核台账”导出。各表第一行为表头，请勿改动表头和 UUID 列；"
              "UUID 用于识别同一条记录，重复导入不会重复计分。分值为该项在其积分组成中的分数："
              "扣分、减分项也写正数，冲正记录为负数。各积分制的积分排名表（如“基层基础积分”）由积分记录计算得出，"
              "只供查看和县局合并，导入时不采用。")


@dataclass
class ExportResult:
    path: Path
    station: str
    period: str
    counts: dict[str, int] = field(default_factory=dict)  # sheet name → data rows
    digest: str = ""


class Digest:
    """SHA-256 over every data sheet's rows in the parsed form both export and import see.

    Each row is hashed as its JSON and a newline. Rows are kept until a sheet's worth (or
    `CHUNK`) is there and then normalised a column at a time and encoded together: the same
    bytes as one row at a time, in a fifth of the time (see `digest_lines`). A row handed to
    `values` must therefore not be changed afterwards.
    """

    def __init__(self, normalise: bool = True, version: int = FORMAT_VERSION) -> None:
        self._hash = hashlib.sha256()
        self._normalise = normalise  # False for rows the reader already parsed
        self._version = version  # an older export's digest covers only the fields it had
        # Per sheet kind: (field key, normaliser or None). Names, departments and items repeat on
        # every row, so each distinct text is normalised once (a third of the export's own time).
        self._plans: dict[str, list[tuple[str, Callable[[Any], Any] | None]]] = {}
        self._parsers = {k: functools.lru_cache(maxsize=1 << 16, typed=True)(PARSERS[k]) for k in _TEXT_KINDS}
        self._parsers["uuid"] = PARSERS["uuid"]  # every UUID differs: a cache would only miss
        self._keys: dict[str, list[str]] = {}
        self._pending: list[Sequence[Any]] = []
        self._pending_kind: SheetKind | None = None

    def sheet(self, kind: SheetKind) -> None:
        self._flush()
        self._hash.update(f"\x1e{kind.key}\n".encode())

    def _plan(self, kind: SheetKind) -> list[tuple[str, Callable[[Any], Any] | None]]:
        plan = self._plans.get(kind.key)
        if plan is None:
            plan = self._plans[kind.key] = [
                (f.key, self._parsers[f.kind] if self._normalise and f.kind in _TEXT_KINDS else None)
                for f in kind.fields_of(self._version)]
        return plan

    def _field_keys(self, kind: SheetKind) -> list[str]:
        keys = self._keys.get(kind.key)
        if keys is None:  # the field keys once per kind, not once for each of 100,000 rows
            keys = self._keys[kind.key] = [f.key for f in kind.fields_of(self._version)]
        return keys

    def row(self, kind: SheetKind, row: dict[str, Any]) -> None:
        self.values(kind, list(map(row.get, self._field_keys(kind))))

    def rows_of(self, kind: SheetKind, rows: Sequence[dict[str, Any]]) -> None:
        """Rows as dicts by field key, like `row` for each, but taken a column at a time: the same
        bytes, without a Python call and a list for each of a county merge's 47,000 rows."""
        self._hash_columns(kind, len(rows), lambda key, start, stop: list(
            map(dict.get, rows[start:stop], repeat(key))))

    def columns_of(self, kind: SheetKind, values: Mapping[str, Sequence[Any]], count: int) -> None:
        """`count` rows given as each field's values (a field not there is blank in every row): the
        bytes `rows_of` hashes for the same rows as dicts, with no dict to build or take apart."""
        self._hash_columns(kind, count, lambda key, start, stop: (
            values[key][start:stop] if key in values else [None] * (stop - start)))

    def _hash_columns(self, kind: SheetKind, count: int, column: Callable[[str, int, int], Sequence[Any]]) -> None:
        """`count` rows, a chunk at a time; `column(key, start, stop)` gives one field's values."""
        keys = self._field_keys(kind)
        self._flush()
        plan = self._plan(kind)
        for start in range(0, count, digest_lines.CHUNK):
            stop = min(start + digest_lines.CHUNK, count)
            columns = [digest_lines.column_json(parse, column(key, start, stop))
                       for key, (_key, parse) in zip(keys, plan, strict=True)]
            self._hash.update(digest_lines.encode_columns(columns))

    def label(self, text: str) -> None:
        """Start a part that is not a `SheetKind` (a scheme's score sheet, by its name)."""
        self._flush()
        self._hash.update(f"\x1f{text}\n".encode())

    def extra(self, values: list[Any]) -> None:
        """Values already in canonical form (points as tenths), e.g. a score sheet's components."""
        self._flush()
        self._hash.update(digest_lines.encode_rows([values]))

    def values(self, kind: SheetKind, values: Sequence[Any]) -> None:
        """A row given as its values in field order (kept, not changed, until hashed)."""
        if kind is not self._pending_kind:
            self._flush()
            self._pending_kind = kind
        self._pending.append(values)
        if len(self._pending) >= digest_lines.CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._pending or self._pending_kind is None:
            return
        rows, self._pending = self._pending, []
        plan = self._plan(self._pending_kind)
        if any(len(r) != len(plan) for r in rows):
            raise ValueError(f"{self._pending_kind.name}：一行的值与列数不符")
        # The same normalisation the reader applies, a column at a time, then each row's JSON.
        columns = [digest_lines.column_json(parse, col)
                   for (_key, parse), col in zip(plan, zip(*rows, strict=True), strict=True)]
        self._hash.update(digest_lines.encode_columns(columns))

    def hexdigest(self) -> str:
        self._flush()
        return self._hash.hexdigest()


def _cells(kind: SheetKind, rows: Iterable[dict[str, Any] | list[Any]], digest: Digest, progress: Progress
           ) -> Iterator[Sequence[Any]]:
    """Feed the digest while passing the rows on to the writer. A row is a dict by field key, or
    (the entries) already a list in field order. Points stay integer tenths: the writer's
    "tenths" columns show them as 12.5."""
    keys = [f.key for f in kind.fields]
    for row in rows:
        cells = [row.get(k) for k in keys] if isinstance(row, dict) else row
        digest.values(kind, cells)
        progress.tick()
        yield cells


# Columns the importer needs and a reader on paper does not: hidden (not removed, not moved, so
# import and restore read them by their headers as before, and the digest is unchanged).
TECHNICAL = frozenset({"digest", "definition", "recorded_at", "override_at"})
# Print widths (characters) for the sheets a bureau prints; the rest keep their schema widths.
# Chosen so that each of these sheets, fitted to the width of A4 landscape, prints at 8 pt or more.
PRINT_WIDTHS = {
    "entries": {"date": 10.5, "badge": 9, "name": 10, "department": 11, "item_code": 8, "item_name": 20,
                "category": 9, "component": 12, "veto": 5, "quantity": 5, "points": 7, "note": 22, "source": 7,
                "recorded_by": 8, "unit_code": 8, "scheme": 7, "case_no": 12, "case_type": 8},
    "catalogue": {"effective_from": 10.5, "version_name": 14, "code": 8, "category": 9, "subcategory": 6,
                  "component": 12, "name": 24, "unit": 5, "points_mode": 8, "points": 6, "min": 6, "max": 6,
                  "monthly_cap": 6, "evidence_required": 6, "veto": 5, "daily_duty": 6, "self_report": 6,
                  "scheme": 7},
    "summary": {"badge": 8, "name": 10, "identity": 5, "department": 10, "sequence": 7, "base": 7,
                "dept_bonus": 7, "dept_deduction": 7, "higher_bonus": 7, "higher_deduction": 7, "start": 6,
                "total": 6, "rank_department": 6, "rank_sequence": 6, "rank_group": 6, "engine_grade": 6,
                "grade": 5, "vetoed": 5, "excluded_reason": 10, "flags": 8, "override_reason": 10,
                "override_by": 7, "ranked_total": 7, "days_present": 6, "why": 20},
}


# Free text that can be long: wrapped in its column, so nothing is cut off where the next column starts.
WRAPPED = frozenset({"note", "item_name", "why", "excluded_reason", "override_reason", "flags", "comment",
                     "resolution", "version_name", "formula", "reason"})


def hidden_field(f: Any) -> bool:
    return f.kind == "uuid" or f.key in TECHNICAL


def _columns(kind: SheetKind) -> list[Column]:
    widths = PRINT_WIDTHS.get(kind.key, {})
    return [Column(f.header, WRITER_KINDS[f.kind], widths.get(f.key, f.width), hidden=hidden_field(f),
                   wrap=f.key in WRAPPED) for f in kind.fields]


def _period(session: Session, code: str) -> Period:
    spec = parse_period(code)
    period = find_period(session, spec.code)
    if period is None:  # never opened: export what there is, as an open period
        period = Period(code=spec.code, kind=spec.kind.value, year=spec.year, number=spec.number,
                        start=spec.start, end=spec.end, state="open")
    return period


def export_period(session: Session, period_code: str, path: str | Path, *, progress: ProgressFn | None = None,
                  cancel: CancelFn | None = None) -> ExportResult:
    """Write the period's workbook to `path`; reads only, so any signed-in user may export."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ValidationError(f"导出文件“{target.name}”应以 .xlsx 结尾")
    if not target.parent.is_dir():
        raise ValidationError(f"文件夹“{target.parent}”不存在")
    station = get_station(session)
    period = _period(session, period_code)
    policy = policy_for(session, period)
    spec = parse_period(period.code)
    tracker = Progress(progress, cancel)
    names = collect.user_names(session)
    small: dict[str, list[dict[str, Any]]] = {
        DEPARTMENTS.key: collect.departments(session), ROSTER.key: collect.people(session),
        CATALOGUE.key: collect.catalogue(session, period), SUMMARY.key: collect.summary(session, period, names),
        AWARDS.key: collect.awards(session, period, names), SIGNOFFS.key: collect.signoffs(session, station, period),
        CONFIRMATIONS.key: collect.confirmations(session, period, names),
        UNITS.key: collect.unit_rows(session, period), UNIT_MEMBERS.key: collect.member_rows(session),
        SCHEMES.key: collect.scheme_rows(session), CASE_REVIEWS.key: collect.review_rows(session, period),
    }
    n_entries = collect.entry_count(session, period)
    tracker.grow(sum(len(rows) for rows in small.values()) + n_entries)
    result = ExportResult(target, f"{station.code} {station.name}", period.code)
    digest = Digest()
    taken = {kind.name for kind in DATA_KINDS} | {ABOUT_NAME}
    scores = [score_sheets.build(session, scheme, period.code, f"{station.name} {spec.label} {scheme.name}积分排名",
                                 taken) for scheme in collect.scored_schemes(session)]

    def data_sheets() -> Iterator[Sheet]:
        for kind in DATA_KINDS:
            rows = collect.entries(session, period) if kind is ENTRIES else small[kind.key]
            if kind.since > 1 and not rows:  # a station without units or schemes: the workbook it always had
                continue
            digest.sheet(kind)
            title = f"{station.name} {spec.label} {kind.name}"
            sheet = Sheet(kind.name, _columns(kind), _cells(kind, rows, digest, tracker), title=title)
            yield sheet
            result.counts[kind.name] = sheet.count
            if kind is SUMMARY:  # each scheme's score sheet beside the person scheme's 积分汇总
                for data in scores:
                    yield score_sheets.sheet(data)
                    result.counts[data.name] = len(data.rows)

    def about() -> Sheet:
        for data in scores:  # after every data sheet, in the order the reader meets them
            digest.label(data.name)
            for known, parts in data.digest_rows:
                digest.values(SCORES, known)
                digest.extra(parts)
        result.digest = digest.hexdigest()
        pairs: list[tuple[str, Any]] = [
            ("格式标识", FORMAT_ID), ("格式版本", FORMAT_VERSION), ("程序版本", f"jifen {__version__}"),
            ("单位代码", station.code), ("单位名称", station.name), ("上级单位", station.county_bureau or None),
            ("起始分（每月）", to_decimal(station.starting_score_tenths)
             if station.starting_score_tenths is not None else None),
            ("考核周期", period.code), ("周期名称", spec.label), ("周期开始", period.start), ("周期结束", period.end),
            ("周期状态", collect.period_state_label(period)), ("等次政策代码", policy.code),
            ("等次政策名称", policy.name), ("等次政策（JSON）", policy.to_json()),
            ("生成时间", dt.datetime.now().replace(microsecond=0)),
            # The chain's head when this was written: `audit verify --against` this workbook
            # later shows whether the trail up to here was rewritten since.
            (chain_head.ABOUT_LABEL, chain_head.head_code(session)),
        ]
        pairs += [(f"行数：{name}", count) for name, count in result.counts.items()]
        pairs += [("数据校验（SHA-256）", result.digest), ("说明", ABOUT_NOTE)]
        return Sheet(ABOUT_NAME, [Column("项目", "text", 20), Column("内容", "text", 90)], pairs,
                     title=f"{station.name} {spec.label} 数据交换工作簿", landscape=False, filter=False)

    # 说明 needs the digest and row counts of the others: it is written last and moved to the front.
    write_workbook(target, _then(data_sheets(), about), first=ABOUT_NAME)
    tracker.finish()
    return result


def _then(sheets: Iterator[Sheet], last: Callable[[], Sheet]) -> Iterator[Sheet]:
    yield from sheets
    yield last()
