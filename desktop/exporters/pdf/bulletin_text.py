"""The words of a 通报 (monthly / quarterly / yearly bulletin of a scheme's ranking), made from data.

汉阴 "月统计、季通报、年总评": the reviewing office tells every unit where it stands, who leads,
who trails and what follows from it (评先评优 suggestions, 取消评先评优资格, 表态发言), and what the
period's main deductions were. Every number is the program's own (`points.fmt`), every name
the ranking's; the sentences around them are fixed, so two bulletins of the same data match.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.exporters.pdf.scheme_data import (
    RankGroup,
    RankLine,
    SchemeSheetData,
    scheme_sheet_data,
    unit_scheme,
)
from desktop.models.ledger import Entry
from desktop.models.units import Unit
from desktop.services import cases, units
from desktop.services.periods import parse_period
from desktop.services.points import fmt

MAIN_DEDUCTIONS = 5  # the largest deduction entries named in the 通报
NUMERALS = "一二三四五六七八九十"
SALUTATIONS = {"post": "各警务室", "department": "各所队室", "branch": "各党支部", "enforcement": "各执法办案单位"}


@dataclass
class BulletinSection:
    heading: str  # 一、总体情况
    paragraphs: list[str]


@dataclass
class BulletinData:
    """通报 of one scheme for one period, with the ranking sheet it attaches."""

    sheet: SchemeSheetData
    title: str
    issuer: str
    salutation: str
    opening: str
    sections: list[BulletinSection]
    closing: str
    issued_on: dt.date = field(default_factory=dt.date.today)


def title_of(scheme_name: str, period_label: str) -> str:
    work = scheme_name if scheme_name.endswith("工作") else f"{scheme_name}工作"
    return f"关于{period_label}{work}积分情况的通报"


def _pts(line: RankLine) -> str:
    return f"{line.name}（{line.total}分）"


def _joined(lines: list[RankLine]) -> str:
    return "、".join(_pts(line) for line in lines)


def _names(lines: list[RankLine]) -> str:
    return "、".join(line.name for line in lines)


def _how_many(size: int) -> int:
    """How many to name at the top and at the bottom of a group: enough to mean something,
    never so many that the top and bottom of a small group meet."""
    return 1 if size <= 3 else 2 if size <= 6 else 3


def _group_paragraph(group: RankGroup, data: SchemeSheetData) -> str:
    ranked = [line for line in group.lines if line.rank]
    where = f"{group.title}（{len(group.lines)}{data.measure}）" if group.title else f"全部{len(group.lines)}{data.measure}{data.subject_label}中"
    if not ranked:
        return f"{where}本期均未参加排名。"
    if len(ranked) == 1:
        return f"{where}仅{_pts(ranked[0])}参加排名。"
    n = _how_many(len(ranked))
    top = ranked[:n]
    bottom = [line for line in ranked[-n:] if line not in top]
    text = f"{where}，排名前列的是{_joined(top)}"
    if bottom:
        text += f"；排名靠后的是{_joined(bottom)}"
    return text + "。"


def _overview(data: SchemeSheetData) -> str:
    lines = [line for line in data.lines if line.rank]
    text = f"{data.period_label}，参加{data.scheme_name}积分考核的{data.subject_label}共{len(data.lines)}{data.measure}"
    if lines:
        totals = [line.total_tenths for line in lines]
        mean = int((Decimal(sum(totals)) / len(totals)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        best = max(lines, key=lambda line: line.total_tenths)
        worst = min(lines, key=lambda line: line.total_tenths)
        text += f"，平均{fmt(mean)}分，最高{_pts(best)}，最低{_pts(worst)}"
    return f"{text}。{_state_phrase(data)}"


def _state_phrase(data: SchemeSheetData) -> str:
    """Whether the numbers are signed: a bulletin of a draft must say so in its own words."""
    if data.state == "locked":
        return f"以上结果已按签核流程（{'、'.join(s.step_title for s in data.signers)}）签核确认。"
    if data.state == "signing":
        done = sum(1 for s in data.signers if s.name)
        return f"以上结果正在签核（已签 {done} 步，共 {len(data.signers)} 步），以签核完毕的结果为准。"
    return "以上结果尚未提交签核，为实时统计，以签核完毕的结果为准。"


def _consequences(data: SchemeSheetData) -> list[str]:
    lines = data.lines
    out = []
    by_title: dict[str, list[RankLine]] = {}
    for line in lines:
        if line.award:
            by_title.setdefault(line.award, []).append(line)
    for title, winners in by_title.items():
        out.append(f"根据排名，建议将{_names(winners)}评为“{title}”，报请研究决定。")
    ineligible = [line for line in lines if not line.eligible]
    if ineligible:
        out.append(f"{_names(ineligible)}排名末位，取消本年度评先评优资格。")
    reports = [line for line in lines if line.reports]
    if reports:
        out.append(f"{_names(reports)}排名末位，须在全局会议上作表态发言，说明原因和整改措施。")
    vetoed = [line for line in lines if line.vetoed]
    if vetoed:
        out.append(f"{_names(vetoed)}本期有一票否决事项，等次定为{vetoed[0].grade or '最低等次'}。")
    return out


def _who(session: Session, entry: Entry, unit_of: dict[int, str]) -> str:
    if entry.unit_id is not None:
        unit = session.get(Unit, entry.unit_id)
        return unit.name if unit else ""
    name = entry.person.name if entry.person is not None else ""
    unit_name = unit_of.get(entry.person_id or 0)
    return f"{unit_name}{name}" if unit_name else name


def main_deductions(session: Session, scheme: Any, period_code: str, limit: int = MAIN_DEDUCTIONS) -> list[str]:
    """The largest counted deduction entries of the period, largest first, with who and what.
    A reversed entry (and its reversal) is left out: it no longer counts; so is a case deduction
    still awaiting review."""
    spec = parse_period(period_code)
    negative = {c.key for c in scheme.components if c.sign < 0}
    entries = list(session.scalars(select(Entry).where(Entry.scheme == scheme.code, Entry.component.in_(negative),
                                                       Entry.occurred_on.between(spec.start, spec.end))))
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id is not None}
    reviews = cases.reviews_of(session, [e.id for e in entries if e.case_no]) if scheme.case_tracking else {}
    counted = []
    for e in entries:
        if e.reverses_id is not None or e.id in reversed_ids:
            continue
        points = cases.counted_points(e, reviews, reversed_ids) if scheme.case_tracking and e.case_no \
            else e.points_tenths
        if points > 0:
            counted.append((points, e))
    counted.sort(key=lambda pair: (-pair[0], pair[1].occurred_on, pair[1].id))
    unit_of: dict[int, str] = {}
    if scheme.subject != "person":  # a member's entry in a unit scheme: name the unit too
        for unit in units.list_units(session, scheme.subject):
            for person in units.members_on(session, unit, spec.end):
                unit_of.setdefault(person.id, unit.name)
    out = []
    for points, e in counted[:limit]:
        case = f"（案件{e.case_no}）" if e.case_no else ""
        out.append(f"{e.occurred_on.month}月{e.occurred_on.day}日，{_who(session, e, unit_of)}“{e.item_name}”"
                   f"{case}，扣{fmt(points)}分")
    return out


def _cases_paragraph(session: Session, scheme: Any, data: SchemeSheetData) -> str:
    spec = parse_period(data.period_code)
    lines = cases.ledger_of(session, scheme.code, spec)
    waiting = sum(line.pending for line in lines)
    entry_ids = [e.id for e in session.scalars(select(Entry).where(
        Entry.scheme == scheme.code, Entry.case_no != "", Entry.occurred_on.between(spec.start, spec.end)))]
    adjusted = sum(1 for r in cases.reviews_of(session, entry_ids).values() if r.state == "adjusted")
    reviewer = scheme.reviewer or "复核单位"
    text = f"本期共录入案件{len(lines)}件"
    if waiting:
        text += f"，尚有{waiting}条案件积分待{reviewer}审核，待审核积分不计入总分"
    else:
        text += f"，案件积分均已经{reviewer}审核"
    if adjusted:
        text += f"，其中{adjusted}条经审核调整了分值（理由见案件台账）"
    return text + "。"


def bulletin_data(session: Session, scheme_code: str, period_code: str,
                  today: dt.date | None = None) -> BulletinData:
    scheme = unit_scheme(session, scheme_code, "通报")
    sheet = scheme_sheet_data(session, scheme.code, period_code, today)
    parts: list[tuple[str, list[str]]] = [("总体情况", [_overview(sheet)])]
    ranking = [_group_paragraph(group, sheet) for group in sheet.groups if group.lines]
    parts.append(("排名情况", ranking or [f"本期没有参加考核的{sheet.subject_label}。"]))
    said = _consequences(sheet)
    if said:
        parts.append(("评先评优与末位处理", said))
    deductions = main_deductions(session, scheme, period_code)
    parts.append(("主要扣分情况", [f"本期扣分较多的事项：{'；'.join(deductions)}。"] if deductions
                  else ["本期没有扣分记录。"]))
    if scheme.case_tracking:
        parts.append(("案件审核情况", [_cases_paragraph(session, scheme, sheet)]))
    parts.append(("工作要求", [
        f"请各单位对照本通报和所附排名表查找差距，排名靠后和有扣分事项的{sheet.subject_label}要认真分析原因，"
        "落实整改措施；对通报内容有异议的，请于通报之日起五个工作日内向"
        f"{sheet.reviewer or sheet.station}反映。"]))
    sections = [BulletinSection(f"{NUMERALS[i]}、{name}", paragraphs) for i, (name, paragraphs) in enumerate(parts)]
    subject = scheme.subject
    salutation = SALUTATIONS.get(subject, "各单位") if subject != "person" else "各执法办案单位、全体民警"
    whom = "民警" if subject == "person" else f"各{sheet.subject_label}"
    opening = (f"按照{scheme.name}积分制考核要求，{sheet.issuer}对{sheet.period_label}"
               f"{whom}{scheme.name}积分情况进行了统计。现将有关情况通报如下：")
    return BulletinData(sheet=sheet, title=title_of(scheme.name, sheet.period_label), issuer=sheet.issuer,
                        salutation=f"{salutation}：", opening=opening, sections=sections,
                        closing=f"附件：{sheet.period_label}{scheme.name}积分排名表", issued_on=today or dt.date.today())
