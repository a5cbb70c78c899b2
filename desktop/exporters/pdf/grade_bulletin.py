"""The monthly 通报 of the person scheme (科尔沁: 对每月评定为优秀、一般、差的民警进行通报).

Who was rated best and who was rated at the two lowest levels (or the lowest, with fewer than
five levels) in each department, with the reviewer who rated them and the reason where a
level differs from the points' suggestion. Made from the month's results, the reviewers'
ratings and the policy; the words around the names are fixed.

    jifen grade-bulletin --period 2026-11 -o 通报.pdf
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Spacer
from sqlalchemy.orm import Session

from desktop.exporters.pdf.fonts import register_font
from desktop.exporters.pdf.layout import build_pdf, esc, make_styles
from desktop.services import ratings, review, reviewers, roster, scoring
from desktop.services.errors import ValidationError
from desktop.services.policies import policy_for
from desktop.services.text import cn_date

PAGE = (210 * mm, 297 * mm)


@dataclass
class BulletinLine:
    level: str
    name: str
    department: str
    total: str
    note: str = ""


@dataclass
class GradeBulletinData:
    station: str
    title: str
    period_label: str
    state_label: str
    levels: list[str]  # the levels named, best first
    lines: list[BulletinLine]
    counts: dict[str, int]
    issued_on: dt.date = field(default_factory=dt.date.today)


def grade_bulletin_data(session: Session, period_code: str) -> GradeBulletinData:
    from desktop.models.enums import PeriodKind, PeriodState
    from desktop.services.documents import period_for
    from desktop.services.periods import spec_of
    from desktop.services.points import fmt

    period = period_for(session, period_code)
    if period.kind != PeriodKind.MONTH.value:
        raise ValidationError("通报按月发布：请写月份，如 2026-11")
    policy = policy_for(session, period)
    rows = review.with_review_flags(session, period, scoring.results(session, period))
    graded = [r for r in rows if not r.excluded_reason and r.grade]
    if not graded:
        raise ValidationError(f"{spec_of(period).label}还没有评定等次，不能通报")
    codes = policy.codes()
    named = [codes[0], *(codes[-2:] if len(codes) >= 5 else codes[-1:])]
    rated = ratings.ratings_of(session, period)
    review_map = reviewers.ReviewMap(session, period.end)
    from desktop.models.people import Person

    lines = []
    for code in named:
        for r in sorted((r for r in graded if r.grade == code), key=lambda r: (r.department, -r.total, r.badge)):
            found = rated.get(r.person_id)
            note = ""
            if found is not None and found.level:
                note = f"审核人{found.by_name}评定"
                if found.level != found.suggested and found.reason:
                    note += f"（按积分建议为{policy.label_of(found.suggested)}，理由：{found.reason}）"
            else:
                person = session.get(Person, r.person_id)
                who = review_map.of(person).person if person else None
                note = f"审核人：{who.name}" if who else ""
            lines.append(BulletinLine(policy.label_of(code), r.name, r.department, fmt(r.total), note))
    counts = {policy.label_of(c): sum(1 for r in graded if r.grade == c) for c in codes}
    spec = spec_of(period)
    return GradeBulletinData(
        station=roster.get_station(session).name, title=f"关于{spec.label}民警月度考核等次的通报",
        period_label=spec.label, state_label=PeriodState(period.state).label,
        levels=[policy.label_of(c) for c in named], lines=lines, counts=counts)


def _story(data: GradeBulletinData, font: str) -> list[Flowable]:
    st = make_styles(font)
    title = ParagraphStyle("gbt", parent=st.title, fontSize=16, leading=24)
    issuer = ParagraphStyle("gbi", parent=st.title, fontSize=22, leading=30, textColor="#c00000")
    body = ParagraphStyle("gbb", parent=st.body, fontSize=12, leading=21, firstLineIndent=24)
    plain = ParagraphStyle("gbp", parent=body, firstLineIndent=0)
    total = sum(data.counts.values())
    spread = "，".join(f"{k}{v}人" for k, v in data.counts.items())
    story: list[Flowable] = [
        Paragraph(esc(data.station), issuer), Spacer(1, 1.5 * mm),
        HRFlowable(width="100%", thickness=1.6, color="#c00000", spaceAfter=5 * mm),
        Paragraph(esc(data.title), title), Spacer(1, 4 * mm), Paragraph("各部门、各警务室：", plain),
        Paragraph(esc(f"{data.period_label}全所参加等次评定 {total} 人：{spread}。"
                      f"现将评定为{'、'.join(data.levels)}的人员通报如下（本月状态：{data.state_label}）。"), body),
    ]
    for n, level in enumerate(data.levels):
        mine = [line for line in data.lines if line.level == level]
        story.append(Paragraph(esc(f"{'一二三四'[n]}、{level}（{len(mine)}人）"), body))
        if not mine:
            story.append(Paragraph("本月无。", body))
        for line in mine:
            note = f"；{line.note}" if line.note else ""
            story.append(Paragraph(esc(f"{line.department} {line.name}，本月积分 {line.total}{note}。"), body))
    low = "、".join(data.levels[1:])
    story += [Paragraph(esc(f"评定为{low}的人员，由审核人谈心谈话，帮助查找原因、限期改进；连续两个月等次靠后的，"
                            "列入预警。"), body),
              Spacer(1, 8 * mm), Paragraph(esc(data.station), ParagraphStyle("r1", parent=plain, alignment=2)),
              Paragraph(cn_date(data.issued_on), ParagraphStyle("r2", parent=plain, alignment=2))]
    return story


def write_grade_bulletin(session: Session, period_code: str, path: str | Path) -> Path:
    from desktop.exporters.pdf.scheme_data import font_of

    data = grade_bulletin_data(session, period_code)
    font = register_font(font_of(session))
    return build_pdf(path, _story(data, font), font=font, pagesize=PAGE, title=data.title, author=data.station,
                     footer_right=f"打印日期：{cn_date(data.issued_on)}", margin=18 * mm)
