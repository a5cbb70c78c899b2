"""What the 积分制 screen shows, read in one session: a scheme's period (rows, state, signatures)
and one subject's file (一单位一档: the unit, its people, its year month by month, its entries).

Kept apart from the widgets so the figures can be checked without a window, and so the screen
only turns these into cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.units import PERSON_SCHEME, UNIT_KIND_LABELS
from desktop.services import scheme_registry, scheme_scoring, scheme_signing, units
from desktop.services.periods import parse_period
from desktop.services.points import fmt, to_tenths
from desktop.services.scheme_rules import SUBJECT_LABELS
from desktop.ui.screens.rows_model import Cell, num

CLASS_LABELS = {1: "一类", 2: "二类", 3: "三类"}


@dataclass(frozen=True)
class SchemeChoice:
    code: str
    name: str
    subject: str  # person or a unit kind

    @property
    def label(self) -> str:
        return f"{self.name}（{SUBJECT_LABELS.get(self.subject, self.subject)}）"


def choices(session: Session) -> list[SchemeChoice]:
    """The schemes signed here: every active one but the person scheme (月度考核 signs that)."""
    return [SchemeChoice(s.code, s.name, s.subject) for s in scheme_registry.active(session)
            if s.code != PERSON_SCHEME]


@dataclass
class SchemeView:
    sheet: scheme_signing.SchemeSheet
    headers: list[str]
    cells: list[list[Cell]]
    keys: list[str]  # subject codes, one per row
    can_sign: bool  # the signed-in role is the next step's
    summary: str

    @property
    def scheme(self) -> Any:
        return self.sheet.scheme


def load(session: Session, code: str, period_code: str, role: str) -> SchemeView:
    sheet = scheme_signing.sheet(session, code, period_code)
    scheme = sheet.scheme
    group_header = "类别" if scheme.rank_within == "class" else "序列"
    headers = ["组", "排名", "代码", "名称", *[c.label for c in scheme.components], "总分"]
    if scheme.case_tracking:
        headers.append("待审核")
    headers += ["等次", "说明"]
    rows = sorted(sheet.rows, key=lambda r: (group_of(r, scheme.rank_within), r["rank"] or 0, r["code"]))
    cells = [_cells(r, scheme) for r in rows]
    headers[0] = group_header if scheme.rank_within in ("class", "sequence") else "组"
    step = scheme.signoff[len(sheet.signatures)] if len(sheet.signatures) < len(scheme.signoff) else None
    return SchemeView(sheet, headers, cells, [r["code"] for r in rows],
                      can_sign=sheet.state == "signing" and step is not None and step.role == role,
                      summary=_summary(sheet))


def group_of(row: dict[str, Any], rank_within: str) -> str:
    if rank_within == "class":
        return CLASS_LABELS.get(row["class"] or 0, "未分类")
    if rank_within == "sequence":
        return row["sequence"] or "未定序列"
    return "全部"


def _points(value: Any) -> tuple[str, float]:
    tenths = to_tenths(str(value))
    return fmt(tenths), tenths / 10


def _cells(row: dict[str, Any], scheme: Any) -> list[Cell]:
    out = [Cell(group_of(row, scheme.rank_within)), num(str(row["rank"] or "—"), row["rank"]),
           Cell(row["code"]), Cell(row["name"], bold=bool(row.get("award")))]
    for component in scheme.components:
        text, value = _points(row[component.key])
        if component.sign < 0 and value:  # a deduction shows as taken off the total
            out.append(num(f"−{text}", -value, fg="#b03030"))
        else:
            out.append(num(text, value))
    text, value = _points(row["total"])
    out.append(num(text, value, bold=True))
    if scheme.case_tracking:
        pending = Decimal(str(row["pending"]))
        out.append(num(fmt(to_tenths(str(pending))) if pending else "", float(pending),
                       tip="待法制大队审核的案件积分，审核后才计入总分" if pending else ""))
    warn = row.get("vetoed") or row.get("eligible") is False
    out += [Cell(row["grade"] or "—", align="center", fg="#b03030" if warn else None),
            Cell(row["why"], tip=row["why"])]
    return out


def _summary(sheet: scheme_signing.SchemeSheet) -> str:
    rows = sheet.rows
    pending = sum(to_tenths(str(r["pending"])) for r in rows)
    awards = [f"{r['name']}（{r['award']}）" for r in rows if r.get("award")]
    text = f"{sheet.period.label}：{len(rows)} 个考核对象，{sheet.state_label}"
    if sheet.changed:
        text += "；提交后积分有变动，需重新提交签核"
    if pending:
        text += f"；待审核案件积分 {fmt(pending)} 分"
    if awards:
        text += "；建议表彰：" + "、".join(awards)
    return text


def signature_lines(sheet: scheme_signing.SchemeSheet) -> list[str]:
    """One line per step of the chain: signed (who, when) or waiting."""
    out = []
    for index, step in enumerate(sheet.scheme.signoff):
        if index < len(sheet.signatures):
            s = sheet.signatures[index]
            when = s.signed_at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")
            out.append(f"{index + 1}. {step.title}：{s.signer_name}　{when}")
        else:
            out.append(f"{index + 1}. {step.title}：" + ("待签" if index == len(sheet.signatures) and
                                                         sheet.state == "signing" else "—"))
    return out


# -- 一单位一档 ----------------------------------------------------------------------------------

@dataclass
class SubjectFile:
    title: str
    facts: list[tuple[str, str]]  # label, value
    months: list[str]  # 1月 … 12月 (to the chosen month)
    totals: list[float | None]
    ranks: list[str]
    entries: list[list[Cell]] = field(default_factory=list)


ENTRY_HEADERS = ["日期", "项目", "组成", "分值", "案件编号", "事实说明", "录入人"]


def subject_file(session: Session, scheme_code: str, subject_code: str, period_code: str) -> SubjectFile:
    """A unit's (or, for 执法办案, an officer's) year on one scheme, to the period's last month."""
    scheme = scheme_registry.scheme_of(session, scheme_code)
    spec = parse_period(period_code)
    months = [f"{spec.year}-{m:02d}" for m in range(1, spec.end.month + 1)]
    totals: list[float | None] = []
    ranks: list[str] = []
    for month in months:
        row = next((r for r in scheme_scoring.score(session, scheme, month) if r.code == subject_code), None)
        totals.append(None if row is None else row.total / 10)
        ranks.append("" if row is None or row.rank is None else f"第{row.rank}名")
    start, end = dt.date(spec.year, 1, 1), spec.end
    if scheme.subject == "person":
        person = session.scalar(select(Person).where(Person.badge == subject_code))
        if person is None:
            raise ValueError(subject_code)
        facts = [("警号", person.badge), ("姓名", person.name), ("序列", person.sequence or "—")]
        where = Entry.person_id == person.id
        title = f"{scheme.name}档案：{person.name}"
    else:
        unit = units.unit_by_code(session, subject_code)
        head = units.head_on(session, unit, end)
        people = units.members_on(session, unit, end)
        facts = [("代码", unit.code), ("名称", unit.name), ("类型", UNIT_KIND_LABELS.get(unit.kind, unit.kind))]
        if unit.post_class:
            facts.append(("类别", CLASS_LABELS.get(unit.post_class, str(unit.post_class))))
        if unit.sequence:
            facts.append(("序列", unit.sequence))
        facts += [("负责人", head.name if head else "—"),
                  ("成员", f"{len(people)} 人：" + "、".join(p.name for p in people[:12])
                   + ("等" if len(people) > 12 else ""))]
        where = Entry.unit_id == unit.id if scheme.unit_entries else Entry.person_id.in_([p.id for p in people])
        title = f"一单位一档：{unit.name}（{scheme.name}）"
    found = session.scalars(select(Entry).where(where, Entry.scheme == scheme.code,
                                                Entry.occurred_on.between(start, end))
                            .order_by(Entry.occurred_on.desc(), Entry.id.desc()))
    labels = {c.key: (c.label, c.sign) for c in scheme.components}
    entries = []
    for e in found:
        label, sign = labels.get(e.component, (e.component, 1))
        shown = e.points_tenths * sign
        entries.append([Cell(e.occurred_on.isoformat()), Cell(f"{e.item_code} {e.item_name}"), Cell(label),
                        num(fmt(shown), shown / 10, fg="#b03030" if shown < 0 else None),
                        Cell(e.case_no), Cell(e.note, tip=e.note), Cell(e.recorded_by_name)])
    return SubjectFile(title, facts, [f"{int(m[5:])}月" for m in months], totals, ranks, entries)

