"""公示栏 for a scheme other than the person scheme: its units (or 执法办案 officers) by class or
sequence, in the board's large type, printable with the same board PDF.

The rows are the scheme's sheet (frozen once submitted for signing, as the signers see them);
the remark carries the why (award suggested, 末位 consequences).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from desktop.exporters.pdf.board import render_board
from desktop.exporters.pdf.data import BoardData, BoardRow, BoardSection
from desktop.models.units import UNIT_KIND_LABELS
from desktop.services import roster, scheme_signing
from desktop.services.points import to_tenths
from desktop.services.scheme_scoring import policy_of
from desktop.ui.screens.schemes_data import group_of


def scheme_board(session: Session, code: str, period_code: str) -> tuple[BoardData, list[str], dict[str, list[str]]]:
    sheet = scheme_signing.sheet(session, code, period_code)
    scheme = sheet.scheme
    policy = policy_of(scheme)
    labels = {lv.code: lv.label for lv in policy.levels}
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(sheet.rows, key=lambda r: (group_of(r, scheme.rank_within), r["rank"] or 0, r["code"])):
        groups.setdefault(_title(scheme, row), []).append(row)
    sections = [BoardSection(title, [
        BoardRow(r["rank"], r["name"], r["code"], "民警" if r["kind"] == "person" else UNIT_KIND_LABELS.get(r["kind"], ""),
                 to_tenths(str(r["total"])), labels.get(r["grade"] or "", r["grade"] or ""), _remark(r))
        for r in rows]) for title, rows in groups.items()]
    station = roster.get_station(session)
    data = BoardData(station=station.name, period_label=f"{sheet.period.label} {scheme.name}",
                     state_label=sheet.state_label, policy_name=policy.name, sections=sections,
                     printed_on=dt.date.today())
    return data, [lv.label for lv in policy.levels], {}


def _title(scheme: Any, row: dict[str, Any]) -> str:
    group = group_of(row, scheme.rank_within)
    if scheme.rank_within == "class":
        return f"{group}{UNIT_KIND_LABELS.get(scheme.subject, '')}"
    return group if scheme.rank_within == "sequence" else scheme.name


def _remark(row: dict[str, Any]) -> str:
    parts = []
    if row.get("award"):
        parts.append(f"建议评为{row['award']}")
    if row.get("eligible") is False:
        parts.append("取消本年度评先评优资格")
    if row.get("reports"):
        parts.append("表态发言")
    if row.get("vetoed"):
        parts.append("有一票否决事项")
    return "；".join(parts)


def write_scheme_board(session: Session, code: str, period_code: str, path: Any) -> Any:
    data, _levels, _notes = scheme_board(session, code, period_code)
    return render_board(data, path, font=roster.get_station(session).pdf_font or "")
