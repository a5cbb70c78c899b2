"""Printed documents: gather plain data from the database and hand it to the PDF exporters.

One function per document builds the exporter's dataclass (`*_data`), another writes the
file (`write_*`), so the desktop program can preview the same data the command line prints.
Reading never creates a period: a month nobody opened is computed from the ledger.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.exporters.pdf import (
    render_board,
    render_certificates,
    render_confirm_sheets,
    render_grade_sheets,
    render_performance_file,
)
from desktop.exporters.pdf.data import (
    BoardData,
    BoardRow,
    BoardSection,
    CertificateData,
    ComponentTotal,
    ConfirmSheetData,
    GradeRow,
    GradeSheetData,
    LedgerLine,
    QuotaLine,
    Signer,
)
from desktop.models.accounts import User
from desktop.models.enums import Component, ConfirmStatus, Identity, PeriodKind, PeriodState, Role
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.periods import Period
from desktop.models.station import POST_CLASS_LABELS, Department, Station
from desktop.services import audit, awards, chain_head, ledger, review, roster, scoring, signoff
from desktop.services.actor import Actor
from desktop.services.documents_file import performance_file_data
from desktop.services.errors import NotFound, PermissionDenied, ValidationError
from desktop.services.grade_engine import Policy, quota_counts
from desktop.services.grade_policy import share_text
from desktop.services.periods import find_period, parse_period, spec_of, transient
from desktop.services.points import fmt
from desktop.services.policies import policy_for
from desktop.services.scoring import ScoreRow
from desktop.services.scoring_grades import quota_breaches
from desktop.services.sheet_codes import VerifyReport, verification_for, verify_code
from desktop.services.text import cn_date

__all__ = ["VerifyReport", "performance_file_data", "verify_code"]


def local_date(moment: dt.datetime) -> dt.date:
    """Stored times are naive UTC; documents show the date where the station is."""
    return moment.replace(tzinfo=dt.UTC).astimezone().date()


def period_for(session: Session, code: str) -> Period:
    spec = parse_period(code)
    return find_period(session, spec.code) or transient(spec)


def department_for(session: Session, text: str) -> Department:
    """A department by name or by code."""
    station = roster.get_station(session)
    wanted = text.strip()
    for dept in station.departments:
        if wanted in (dept.name, dept.code) or wanted.upper() == dept.code.upper():
            return dept
    names = "、".join(d.name for d in station.departments)
    raise NotFound(f"没有部门“{wanted}”；本单位的部门有：{names}")


def grade_label(policy: Policy, code: str | None) -> str:
    if not code:
        return ""
    return policy.level(code).label if code in policy.codes() else code


def remarks_of(row: ScoreRow) -> str:
    labels = [row.excluded_reason if f == "excluded" and row.excluded_reason else scoring.FLAG_LABELS.get(f, f)
              for f in row.flags]
    return "、".join(labels)


def signers_for(session: Session, period: Period, department_id: int | None = None) -> list[Signer]:
    """The configured chain, with the signer's name, date and signature image where signed. A
    step each department signs shows the department's own signer (on its sheet) and the lines
    signed by the level above; without a department, how many sheets are signed."""
    from desktop.models.people import Person
    from desktop.services.signoff import SIGNER_LABELS

    done = {s.seq: s for s in signoff.signatures(session, period)} if period.id else {}
    sheets = signoff.sheet_signatures(session, period) if period.id else []
    out = []
    for step in signoff.chain(session):
        if step.scope == "department":
            mine = [s for s in sheets if s.seq == step.seq and (department_id is None or s.department_id == department_id)]
            label = SIGNER_LABELS.get(step.signer, "")
            if department_id is None:
                out.append(Signer(step.title, label, f"{len(mine)} 处已签" if mine else None,
                                  local_date(max(s.signed_at for s in mine)) if mine else None))
                continue
            sheet = next((s for s in mine if s.line == 0), None)
            out.append(_signer(session, step.title, label, sheet))
            for line in (s for s in mine if s.line):
                person = session.get(Person, line.for_person_id)
                out.append(_signer(session, f"{step.title}（{person.name if person else ''}本人一行）", "上一级", line))
            continue
        s = done.get(step.seq)
        if s is None:
            out.append(Signer(step.title, Role(step.role).label if step.signer == "role" else SIGNER_LABELS[step.signer]))
            continue
        out.append(_signer(session, step.title, Role(s.role).label if step.signer == "role"
                           else SIGNER_LABELS[step.signer], s))
    return out


def _signer(session: Session, title: str, label: str, signature: object | None) -> Signer:
    if signature is None:
        return Signer(title, label)
    user = session.get(User, signature.user_id)
    return Signer(title, label, signature.signer_name, local_date(signature.signed_at),
                  user.signature_png if user else None)


def distribution(policy: Policy, dept_rows: list[ScoreRow], group_rows: list[ScoreRow],
                 months: int = 1) -> list[QuotaLine]:
    """Per grade: the department's count, and the policy's quota for the ranking group (score
    lines scaled to the period's months)."""
    graded = sum(1 for r in group_rows if not r.excluded_reason)
    quotas = quota_counts(policy, graded)
    lines = []
    for level in policy.levels:
        low, high = quotas[level.code]
        rule = []
        if high is not None and level.max_share is not None:
            rule.append(f"≤{share_text(level.max_share)}，至多{high}人")
        if low is not None and level.min_share is not None:
            rule.append(f"≥{share_text(level.min_share)}，至少{low}人")
        if level.min_score is not None:
            rule.append(f"须达{fmt(level.min_score * months)}分")
        count = sum(1 for r in dept_rows if r.grade == level.code)
        lines.append(QuotaLine(level.label, count, "；".join(rule) or "不限"))
    excluded = sum(1 for r in dept_rows if r.excluded_reason)
    if excluded:
        lines.append(QuotaLine("不参与排名", excluded, "不计入比例"))
    return lines


def needs_reason(row: ScoreRow) -> bool:
    """A grade that rank and quota alone do not explain: a tie, a veto, an override, pro-rating,
    a grade from the months."""
    return bool({"tie_at_line", "veto", "override", "prorated"} & set(row.flags)) or "总分相同" in row.why \
        or row.reason == "ceiling"


def _grade_rows(policy: Policy, rows: list[ScoreRow]) -> tuple[list[GradeRow], list[str]]:
    """The sheet's rows, and a numbered note for each grade that needs its reason printed."""
    out, notes = [], []
    for i, r in enumerate(rows, start=1):
        remarks = remarks_of(r)
        if needs_reason(r) and r.why:
            notes.append(f"注{len(notes) + 1} {r.name}：{r.why}")
            remarks = f"{remarks}（注{len(notes)}）" if remarks else f"注{len(notes)}"
        out.append(GradeRow(i, r.badge, r.name, Identity(r.identity).label, r.base, r.dept_bonus,
                            r.dept_deduction, r.higher_bonus, r.higher_deduction, r.start, r.total,
                            r.rank_department, grade_label(policy, r.grade), remarks))
    return out, notes


def grade_sheet_data(session: Session, period_code: str, department: str | None = None,
                     today: dt.date | None = None) -> list[GradeSheetData]:
    """One sheet per department (or just the one named), in the station's department order."""
    station = roster.get_station(session)
    period = period_for(session, period_code)
    spec = spec_of(period)
    policy = policy_for(session, period)
    rows = review.with_review_flags(session, period, scoring.results(session, period))
    depts = [department_for(session, department)] if department else list(station.departments)
    # Rows by department and by ranking group in one pass (a county prints 20 departments of 2,000).
    by_dept: dict[int, list[ScoreRow]] = {d.id: [] for d in depts}
    by_group: dict[str, list[ScoreRow]] = {}
    for r in rows:
        if r.department_id in by_dept:
            by_dept[r.department_id].append(r)
        by_group.setdefault(r.ranking_group, []).append(r)
    if not department:
        depts = [d for d in depts if by_dept[d.id]]
    if not depts:
        raise NotFound(f"{spec.label}没有任何人员的积分结果")
    months = len(spec.months())
    sheets = []
    for dept in depts:
        dept_rows = sorted(by_dept[dept.id], key=lambda r: (r.rank_department is None, r.rank_department or 0,
                                                            r.badge))
        group_rows = by_group.get(dept.ranking_group, [])
        note = ""
        if dept.kind == "post" and dept.post_class:
            graded = sum(1 for r in group_rows if not r.excluded_reason)
            note = (f"{POST_CLASS_LABELS[dept.post_class]}合并排名评定，比例按合并后 {graded} 人计算，"
                    "本表只列本警务室人员；排名为本警务室内名次。")
        verification = verification_for(station.code, period, dept, dept_rows) if period.id else None
        grade_rows, notes = _grade_rows(policy, dept_rows)
        breaches = quota_breaches(group_rows, policy)
        notes += [f"超出比例：{line}" for line in breaches if line.startswith(f"{dept.name}：")
                  or (dept.kind == "post" and line.startswith(POST_CLASS_LABELS.get(dept.post_class or 0, "—")))]
        if months > 1:
            rule = ("由各月等次推定，再按比例核定" if policy.period_rule == "from_months"
                    else f"分数线为每月分数线 × {months} 个月")
            note = f"{note}本期共 {months} 个月：{rule}；部分时间在岗者按在岗天数折算后排名。".lstrip()
        sheets.append(GradeSheetData(
            station=station.name, department=dept.name, period_label=spec.label,
            period_range=f"{cn_date(period.start)}至{cn_date(period.end)}",
            state_label=PeriodState(period.state).label, policy_name=policy.name,
            rows=grade_rows, distribution=distribution(policy, dept_rows, group_rows, months),
            signers=signers_for(session, period, dept.id), verification=verification, distribution_note=note,
            revoked=signoff.history_lines(session, period, dept.id) if period.id else [],
            show_start=any(r.start for r in dept_rows), printed_on=today or dt.date.today(), notes=notes,
            chain=chain_head.head_code(session),
        ))
    return sheets


def _ledger_lines(entries: list[Entry]) -> list[LedgerLine]:
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    lines = []
    for e in entries:
        status = "作废" if e.reverses_id else "已作废" if e.id in reversed_ids else ""
        lines.append(LedgerLine(e.occurred_on, e.item_name, e.category, e.quantity, e.item.unit,
                                e.points_tenths * Component(e.component).sign, e.note, e.recorded_by_name, status))
    return lines


def _confirmation_text(session: Session, period: Period, person: Person) -> str:
    row = review.confirmations(session, period).get(person.id) if period.id else None
    if row is None:
        return ""
    when = cn_date(local_date(row.at))
    if row.status == ConfirmStatus.CONFIRMED.value:
        return f"本人已于{when}在系统中确认。"
    if row.status == ConfirmStatus.DISPUTED.value:
        return f"本人于{when}提出异议：{row.comment}（待处理）"
    return f"本人曾提出异议：{row.comment}；处理意见：{row.resolution}"


def confirm_sheet_data(session: Session, period_code: str, badges: list[str] | None = None,
                       department: str | None = None, today: dt.date | None = None) -> list[ConfirmSheetData]:
    """Confirmation sheets for the people named (default: everyone assessed in the period)."""
    station = roster.get_station(session)
    period = period_for(session, period_code)
    spec = spec_of(period)
    policy = policy_for(session, period)
    rows = {r.person_id: r for r in scoring.results(session, period)}
    if badges:
        people = [roster.person_by_badge(session, b) for b in badges]
    else:
        dept_id = department_for(session, department).id if department else None
        people = [p for p in roster.list_people(session, department_id=dept_id) if p.id in rows]
    if not people:
        raise NotFound(f"{spec.label}没有可打印确认单的人员")
    chain = signers_for(session, period)
    title = "月积分核查确认单" if spec.kind == PeriodKind.MONTH else "积分核查确认单"
    sheets = []
    for person in people:
        row = rows.get(person.id)
        entries = ledger.entries_of(session, person.id, period.start, period.end)
        lines = _ledger_lines(entries)
        components = []
        for c in Component:
            recorded = sum(e.points_tenths for e in entries if e.component == c.value)
            counted = getattr(row, c.value) if row else recorded
            components.append(ComponentTotal(c.label, recorded, counted, c.sign))
        sheets.append(ConfirmSheetData(
            station=station.name, title=title, period_label=spec.label, name=person.name, badge=person.badge,
            identity=Identity(person.identity).label, department=person.department.name,
            position=person.position, lines=lines, components=components, start=row.start if row else 0,
            total=row.total if row else sum(c.sign * c.counted for c in components),
            rank=row.rank_department if row else None, grade=grade_label(policy, row.grade if row else None),
            confirmation=_confirmation_text(session, period, person),
            signers=[Signer("民警本人签字", Identity(person.identity).label), *chain],
            printed_on=today or dt.date.today(), chain=chain_head.head_code(session),
        ))
    return sheets


def certificate_data(session: Session, period_code: str, title: str | None = None) -> list[CertificateData]:
    """Certificates for the awards of a period (optionally only one title), numbered in award order."""
    station = roster.get_station(session)
    period = find_period(session, parse_period(period_code).code)
    label = parse_period(period_code).label
    given = awards.awards_of(session, period) if period is not None else []
    numbered = [(f"{period.code}-{i:03d}" if period else "", a) for i, a in enumerate(given, start=1)]
    if title:
        numbered = [(n, a) for n, a in numbered if a.title == title.strip()]
    if not numbered:
        which = f"“{title}”" if title else ""
        raise NotFound(f"{label}还没有评定{which}奖励，无证书可打印")
    return [CertificateData(
        title=a.title, name=a.person.name, identity=Identity(a.person.identity).label,
        department=a.person.department.name, period_label=label, station=station.name,
        issuer=station.name, issued_on=local_date(a.given_at), number=number, photo=a.person.photo,
    ) for number, a in numbered]


def board_data(session: Session, period_code: str, today: dt.date | None = None) -> BoardData:
    """The ranking of a period by department, in the station's department order."""
    station: Station = roster.get_station(session)
    period = period_for(session, period_code)
    policy = policy_for(session, period)
    groups = scoring.by_department(scoring.results(session, period))
    sections = [BoardSection(d.name, [
        BoardRow(r.rank_department, r.name, r.badge, Identity(r.identity).label, r.total,
                 grade_label(policy, r.grade), remarks_of(r)) for r in groups[d.name]
    ]) for d in station.departments if d.name in groups]
    notes = [f"{r.department} {r.name}：{r.why}" for d in station.departments for r in groups.get(d.name, [])
             if "tie_at_line" in r.flags or "总分相同" in r.why]
    return BoardData(station=station.name, period_label=spec_of(period).label,
                     state_label=PeriodState(period.state).label, policy_name=policy.name, sections=sections,
                     printed_on=today or dt.date.today(), notes=notes)


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 1024 * 1024


def set_signature(session: Session, actor: Actor, png: bytes | None, username: str | None = None) -> None:
    """Register (or clear, with None) the signature image printed on sheets the user signs.

    A chief registers their own; an administrator may set or clear anyone's. The image is
    audited by its SHA-256, so a swapped signature is traceable.
    """
    user = session.get(User, actor.user_id) if username is None and actor.user_id else None
    if username is not None:
        user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound(f"没有用户“{username}”" if username else "请先登录后再登记签名图片")
    if user.id != actor.user_id and actor.role != Role.ADMIN:
        raise PermissionDenied("只能登记本人的签名图片；为他人登记需管理员操作")
    if user.id == actor.user_id and actor.role not in (Role.CHIEF, Role.ADMIN):
        raise PermissionDenied("只有所长/教导员可以登记签名图片")
    if png is not None:
        if not png.startswith(PNG_MAGIC):
            raise ValidationError("签名图片须为 PNG 格式（建议白底或透明底的黑色签名）")
        if len(png) > MAX_SIGNATURE_BYTES:
            raise ValidationError("签名图片不能超过 1 MB")
    user.signature_png = png
    audit.record(session, actor, "user.signature", "user", user.uuid, username=user.username,
                 sha256=hashlib.sha256(png).hexdigest() if png else None)


def _font(session: Session) -> str:
    return roster.get_station(session).pdf_font or ""


def write_grade_sheets(session: Session, period_code: str, path: str | Path,
                       department: str | None = None) -> Path:
    return render_grade_sheets(grade_sheet_data(session, period_code, department), path, font=_font(session))


def write_confirm_sheets(session: Session, period_code: str, path: str | Path, badges: list[str] | None = None,
                         department: str | None = None) -> Path:
    data = confirm_sheet_data(session, period_code, badges, department)
    return render_confirm_sheets(data, path, font=_font(session))


def write_certificates(session: Session, period_code: str, path: str | Path, title: str | None = None) -> Path:
    return render_certificates(certificate_data(session, period_code, title), path, font=_font(session))


def write_board(session: Session, period_code: str, path: str | Path) -> Path:
    return render_board(board_data(session, period_code), path, font=_font(session))


def write_performance_file(session: Session, year: int, badge: str, path: str | Path) -> Path:
    return render_performance_file(performance_file_data(session, year, badge), path, font=_font(session))
