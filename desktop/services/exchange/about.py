"""The 说明 sheet of a jifen export: which station and period it holds, and whether it was changed.

The data digest is recomputed from what the reader parsed, in the same canonical form the
export used, so a workbook opened and re-saved by Excel, WPS or LibreOffice still matches
while an edited cell does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from desktop.models.enums import PeriodState
from desktop.services.exchange import vocab
from desktop.services.exchange.cells import (
    CellError,
    parse_int,
    parse_key,
    parse_points,
    parse_text,
    value_text,
)
from desktop.services.exchange.export import Digest
from desktop.services.exchange.reader import Workbook
from desktop.services.exchange.report import ImportReport
from desktop.services.exchange.schema import ABOUT_NAME, DATA_KINDS, FORMAT_VERSION, SCORES
from desktop.services.exchange.score_sheets import digest_values
from desktop.services.periods import parse_period

DIGEST_KEY = "数据校验（SHA-256）"


@dataclass
class About:
    format_version: int
    station_code: str
    station_name: str
    county_bureau: str
    starting_tenths: int | None
    period_code: str
    period_state: PeriodState
    policy_code: str
    policy_json: str
    digest: str
    generated_at: Any = None


def parse_about(raw: dict[str, Any], report: ImportReport) -> About | None:
    """Read the 说明 pairs; a missing or unreadable one is a problem on the 说明 sheet."""
    found_before = len(report.problems)  # the other sheets' problems do not make 说明 unreadable

    def need(key: str) -> str:
        text = parse_text(raw.get(key))
        if not text:
            report.problem(ABOUT_NAME, None, f"缺少“{key}”", header=key)
            return ""
        return text

    try:
        version = parse_int(raw.get("格式版本")) or 0
    except CellError:
        version = 0
    if version > FORMAT_VERSION:
        report.problem(ABOUT_NAME, None, f"工作簿格式版本 {version} 比本程序支持的 {FORMAT_VERSION} 新，请先升级程序",
                       header="格式版本", value=str(version))
        return None
    code, name, period = need("单位代码"), need("单位名称"), need("考核周期")
    policy_code, policy_json = need("等次政策代码"), need("等次政策（JSON）")
    try:
        starting = parse_points(raw.get("起始分（每月）"))
        state = vocab.period_state(value_text(raw.get("周期状态")) or PeriodState.OPEN.label)
        period = parse_period(period).code if period else ""
    except (CellError, ValueError) as exc:
        report.problem(ABOUT_NAME, None, str(exc))
        return None
    if len(report.problems) > found_before:
        return None
    return About(version, parse_key(code) or "", name, parse_text(raw.get("上级单位")) or "", starting, period,
                 state, policy_code, policy_json, parse_key(raw.get(DIGEST_KEY)) or "",
                 raw.get("生成时间") if isinstance(raw.get("生成时间"), dt.datetime) else None)


def data_digest(book: Workbook, version: int = FORMAT_VERSION) -> str | None:
    """The digest of the export's data sheets as read back; None when a sheet is missing.

    `version` is the workbook's format: a version-1 export's digest covers only the sheets and
    columns version 1 had. From version 2 on, the score sheets follow, in the workbook's order.
    """
    digest = Digest(normalise=False, version=version)
    by_name = {t.sheet: t for t in book.tables}
    for kind in DATA_KINDS:
        if kind.since > version:
            continue
        table = by_name.get(kind.name)
        if kind.since > 1 and (table is None or not table.row_total()):
            continue  # written only when it has rows (a station without units has no 单位 sheet)
        if table is None or table.kind is not kind:
            return None
        digest.sheet(kind)
        if table.values is not None:  # read as columns (a county merge's large sheets)
            digest.columns_of(kind, table.values, table.row_total())
        else:
            digest.rows_of(kind, [row.values for row in table.rows])
    if version >= 2:
        for table in book.of("scores"):
            digest.label(table.sheet)
            for known, rest in digest_values(table):
                digest.values(SCORES, known)
                digest.extra(rest)
    return digest.hexdigest()


def check_digest(book: Workbook, about: About, report: ImportReport) -> bool:
    """True when the data is exactly what was exported; a notice otherwise (the import goes on)."""
    found = data_digest(book, about.format_version)
    if found is not None and found == about.digest:
        return True
    report.notice(ABOUT_NAME, None, "数据校验不符：工作簿导出后被修改过（或缺少某张表），将按现在的内容检查和导入",
                  header=DIGEST_KEY)
    return False
