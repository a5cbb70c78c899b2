"""`jifen record`, `jifen reverse`, `jifen entries`: the diary ledger (考核日记) from a terminal.

    jifen record --person 150212[,150213…] --item ZB-02 --date 2026-03-05 [--qty 2] [--points 2.5]
                 [--note 说明] [--evidence 扫描件.pdf …] [--case 案件编号 [--case-type 刑事]] --user neiqin
    jifen record --unit DZB-01[,DZB-02…] --item DJ-01 --date 2026-03-05 … --user neiqin
    jifen reverse ENTRY_UUID --reason 录错人员 --user neiqin
    jifen entries --period 2026-03 [--person 150212 | --unit DZB-01] [--format table|csv|json]

Every check (role, locked period, catalogue in force, points range, evidence, people on duty,
a unit scheme's item only for units) is the ledger service's own, the same the desktop diary runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from desktop.cli.common import PERIOD_HELP, add_format, day, emit, reading, signed_in
from desktop.cli.signin import add_user_argument
from desktop.services.errors import NotFound, ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.models.ledger import Entry
    from desktop.models.people import Person
    from desktop.models.units import Unit

# Badges are separated as a clerk would type them: commas (either width), 、 or spaces.
_BADGE_SEPARATORS = re.compile(r"[,，、\s]+")

# What `entries --format json` (and csv) prints, in column order; a stable interface (docs/cli.md).
ENTRY_FIELDS = (
    ("uuid", "编号"), ("date", "日期"), ("period", "月份"), ("badge", "警号"), ("name", "姓名"),
    ("department", "部门"), ("item_code", "项目编号"), ("item_name", "项目"), ("category", "类别"),
    ("component", "积分组成"), ("component_label", "积分组成名称"), ("quantity", "数量"),
    ("points", "分值"), ("note", "说明"), ("source", "来源"), ("status", "状态"),
    ("reverses", "冲正的原记录"), ("evidence", "证明材料"), ("recorded_by", "录入人"),
    ("recorded_at", "录入时间"), ("unit", "单位代码"), ("unit_name", "单位"), ("scheme", "积分制"),
    ("case_no", "案件编号"), ("case_type", "案件类型"), ("review_status", "审核状态代码"), ("reviewer", "审核人"),
)
# The terminal table keeps to what a clerk reads; the uuid comes last, for `jifen reverse`.
TABLE_FIELDS = (
    ("date", "日期"), ("badge", "警号"), ("name", "姓名"), ("item_code", "项目编号"), ("item_name", "项目"),
    ("quantity", "数量"), ("points", "分值"), ("status", "状态"), ("note", "说明"), ("recorded_by", "录入人"),
    ("uuid", "编号"),
)
# Shown in the table only when the listing holds a unit's entry: a person's month stays as it was.
TABLE_UNIT_FIELD = ("unit_name", "单位")
STATUS_VALID, STATUS_REVERSED, STATUS_REVERSAL = "有效", "已冲正", "冲正"


def badges(text: str) -> list[str]:
    found = [b for b in _BADGE_SEPARATORS.split(text.strip()) if b]
    if not found:
        raise ValidationError("--person 至少要写一个警号，多个警号用逗号分隔")
    return found


def unit_codes(text: str) -> list[str]:
    found = [c for c in _BADGE_SEPARATORS.split(text.strip()) if c]
    if not found:
        raise ValidationError("--unit 至少要写一个单位代码，多个代码用逗号分隔")
    return found


def quantity(text: str) -> int:
    # Parsed here rather than by argparse's int: its message would be English and two lines long.
    try:
        return int(text.strip())
    except ValueError as exc:
        raise ValidationError(f"数量“{text}”应为整数") from exc


def signed_tenths(entry: Entry) -> int:
    """The entry's effect on the total, as the desktop lists show it: deductions negative."""
    return component_sign(entry.component) * entry.points_tenths


def component_sign(component: str) -> int:
    """+1 or -1 for the person scheme's five components; another scheme's component keys (数量分,
    质量分 …) are shown as stored, since their signs live in a scheme definition this listing
    does not read."""
    from desktop.models.enums import Component

    try:
        return Component(component).sign
    except ValueError:
        return 1


def component_label(component: str) -> str:
    from desktop.models.enums import Component

    try:
        return Component(component).label
    except ValueError:
        return component


def _points_text(tenths: int) -> str:
    from desktop.services.points import fmt

    return ("+" if tenths > 0 else "") + fmt(tenths)


def _people(session: Session, text: str) -> list[Person]:
    from desktop.services import roster

    return [roster.person_by_badge(session, badge) for badge in badges(text)]


def _units(session: Session, text: str) -> list[Unit]:
    from desktop.services import units

    return [units.unit_by_code(session, code) for code in unit_codes(text)]


def _one_subject(args: argparse.Namespace, *, required: bool) -> None:
    # Checked here rather than by an argparse group: its refusal would be English and two lines.
    if args.person is not None and args.unit is not None:
        raise ValidationError("--person 和 --unit 只能写一个：一条记录要么记给人员，要么记给单位")
    if required and args.person is None and args.unit is None:
        raise ValidationError("请用 --person 写警号，或用 --unit 写单位代码")


def cmd_record(args: argparse.Namespace) -> int:
    from desktop.models.enums import Role
    from desktop.services import ledger
    from desktop.services.points import to_tenths

    # Everything that needs no database is checked before the password is asked for (an
    # officer's own report needs no --person, so that one check waits for the sign-in).
    _one_subject(args, required=False)
    occurred_on = day(args.date)
    qty = quantity(args.qty)
    points = None if args.points is None else to_tenths(args.points, field="分值")
    evidence = [ledger.Evidence.from_path(path) for path in args.evidence or []]
    lines = []
    with signed_in(args) as (session, actor):
        if actor.role == Role.OFFICER:
            # An officer records only his own work, as a report his reviewer decides on.
            print(_self_report(session, actor, args, occurred_on, qty, points, evidence))
            return 0
        _one_subject(args, required=True)
        people = _people(session, args.person) if args.person is not None else []
        subjects = _units(session, args.unit) if args.unit is not None else []
        data = ledger.EntryInput(person_ids=[p.id for p in people], unit_ids=[u.id for u in subjects],
                                 item_code=args.item.strip(), occurred_on=occurred_on, quantity=qty,
                                 points_tenths=points, note=args.note or "", evidence=evidence,
                                 case_no=args.case or "", case_type=args.case_type or "")
        # One event for several people (or units) is one call, as in the desktop diary: one
        # entry each, one batch, one audit event naming them all.
        by_id = {u.id: u for u in subjects}
        for entry in ledger.record(session, actor, data):
            unit = by_id.get(entry.unit_id) if entry.unit_id is not None else None
            who = f"{unit.code}  {unit.name}" if unit is not None else f"{entry.person.badge}  {entry.person.name}"
            case = f"  案件 {entry.case_no}" if entry.case_no else ""
            lines.append(f"{entry.uuid}  {who}  {entry.item_code} {entry.item_name}  "
                         f"{_points_text(signed_tenths(entry))}{case}")
    print("\n".join(lines))
    return 0


def _self_report(session: Session, actor: Any, args: argparse.Namespace, occurred_on: dt.date, qty: int,
                 points: int | None, evidence: list[Any]) -> str:
    from desktop.models.people import Person
    from desktop.services import reviewers, roster, self_report

    if args.unit is not None:
        raise ValidationError("民警不能给单位记分；单位积分由内勤录入")
    if args.person is not None:
        wanted = badges(args.person)
        own = session.get(Person, actor.person_id) if actor.person_id else None
        if own is None or wanted != [own.badge]:
            raise ValidationError("民警只能自报本人的工作（--person 只能写本人警号，或不写）")
    [report] = self_report.submit(session, actor, [self_report.ReportInput(
        args.item.strip(), occurred_on, qty, points, args.note or "", evidence)])
    person = roster.person_by_badge(session, report.person.badge)
    reviewer = reviewers.reviewer_of(session, person, occurred_on).label
    return (f"已提交自报（待审核，审核通过后才计分）：{report.id}  {person.badge}  {person.name}  "
            f"{report.item_code} {report.item_name}  ×{report.quantity}；审核人：{reviewer}")


def entry_by_uuid(session: Session, text: str) -> Entry:
    from sqlalchemy import select

    from desktop.models.ledger import Entry

    entry = session.scalar(select(Entry).where(Entry.uuid == text.strip().lower()))
    if entry is None:
        raise NotFound(f"没有编号为“{text}”的积分记录（编号见 jifen entries 的“编号”列）")
    return entry


def cmd_reverse(args: argparse.Namespace) -> int:
    from desktop.services import ledger

    with signed_in(args) as (session, actor):
        original = entry_by_uuid(session, args.entry)
        reversal = ledger.reverse(session, actor, original.id, args.reason)
        line = (f"已冲正：{_subject_text(session, original)}{original.occurred_on.isoformat()} "
                f"{original.item_code} {original.item_name} {_points_text(signed_tenths(original))}；"
                f"冲正记录 {reversal.uuid}")
    print(line)
    return 0


def _subject_text(session: Session, entry: Entry) -> str:
    """张三（150212） for a person's entry, 第一党支部（DZB-01） for a unit's."""
    if entry.unit_id is not None:
        from desktop.models.units import Unit

        unit = session.get(Unit, entry.unit_id)
        if unit is not None:
            return f"{unit.name}（{unit.code}）"
    return f"{entry.person.name}（{entry.person.badge}）"


def _iso(moment: dt.datetime) -> str:
    # Entries store UTC without a zone; say so, or a script reads it as local time.
    return moment.replace(tzinfo=dt.UTC).isoformat(timespec="seconds")


def entry_rows(session: Session, start: dt.date, end: dt.date, person_id: int | None,
               unit_id: int | None = None) -> list[dict[str, Any]]:
    """The listing's rows for the entries dated start..end, oldest first."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import selectinload

    from desktop.models.enums import EntrySource
    from desktop.models.ledger import Entry, EvidenceFile
    from desktop.models.people import Person
    from desktop.models.station import Department
    from desktop.models.units import Unit
    from desktop.services.points import to_decimal

    query = (select(Entry).where(Entry.occurred_on >= start, Entry.occurred_on <= end)
             .options(selectinload(Entry.person).selectinload(Person.department))
             .order_by(Entry.occurred_on, Entry.id))
    if person_id is not None:
        query = query.where(Entry.person_id == person_id)
    if unit_id is not None:
        query = query.where(Entry.unit_id == unit_id)
    entries = list(session.scalars(query))
    # Entries carry no relationship to their unit: the few units are read once, by id.
    unit_ids = {e.unit_id for e in entries if e.unit_id is not None}
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    unit_departments = {d.id: d.name for d in session.scalars(select(Department).where(
        Department.id.in_({u.department_id for u in units.values() if u.department_id is not None})))}
    ids = [e.id for e in entries]
    evidence = dict(session.execute(
        select(EvidenceFile.entry_id, func.count(EvidenceFile.id)).where(EvidenceFile.entry_id.in_(ids))
        .group_by(EvidenceFile.entry_id)).all()) if ids else {}
    # A reversal keeps its original's date and person, so both are always in the same listing.
    uuids = {e.id: e.uuid for e in entries}
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    rows = []
    for e in entries:
        status = (STATUS_REVERSAL if e.reverses_id else STATUS_REVERSED if e.id in reversed_ids else STATUS_VALID)
        unit = units.get(e.unit_id) if e.unit_id is not None else None
        if unit is not None:
            # A unit's entry has no person: badge null, name empty; a 所队室 or 警务室 keeps its department.
            badge, name = None, ""
            department = unit_departments.get(unit.department_id, "") if unit.department_id is not None else ""
        else:
            badge, name, department = e.person.badge, e.person.name, e.person.department.name
        rows.append({
            "uuid": e.uuid, "date": e.occurred_on.isoformat(), "period": e.occurred_on.strftime("%Y-%m"),
            "badge": badge, "name": name, "department": department,
            "item_code": e.item_code, "item_name": e.item_name, "category": e.category,
            "component": e.component, "component_label": component_label(e.component), "quantity": e.quantity,
            "points": to_decimal(signed_tenths(e)), "note": e.note, "source": EntrySource(e.source).label,
            "status": status, "reverses": uuids.get(e.reverses_id) if e.reverses_id else None,
            "evidence": evidence.get(e.id, 0), "recorded_by": e.recorded_by_name,
            "recorded_at": _iso(e.recorded_at), "unit": unit.code if unit is not None else None,
            "unit_name": unit.name if unit is not None else "", "scheme": e.scheme, "case_no": e.case_no,
            "case_type": e.case_type, "review_status": "counted",
            "reviewer": e.recorded_by_name if e.source == EntrySource.SELF.value else "",
        })
    return rows + report_rows(session, start, end, person_id) if unit_id is None else rows


REPORT_STATUS = {"pending": ("待审核", "pending"), "rejected": ("已退回", "rejected")}


def report_rows(session: Session, start: dt.date, end: dt.date, person_id: int | None) -> list[dict[str, Any]]:
    """Officers' reports not (yet) counted: pending ones and rejected ones, after the entries."""
    from sqlalchemy import select

    from desktop.models.catalogue import CatalogueItem
    from desktop.models.people import Person
    from desktop.models.reports import SelfReport
    from desktop.services.points import to_decimal

    query = select(SelfReport).where(SelfReport.occurred_on >= start, SelfReport.occurred_on <= end,
                                     SelfReport.status.in_(tuple(REPORT_STATUS))).order_by(
        SelfReport.occurred_on, SelfReport.id)
    if person_id is not None:
        query = query.where(SelfReport.person_id == person_id)
    rows = []
    for r in session.scalars(query):
        item = session.get(CatalogueItem, r.item_id)
        per = r.points_tenths if r.points_tenths is not None else (item.points_tenths if item else 0)
        reviewer = session.get(Person, r.reviewer_id) if r.reviewer_id else None
        status, code = REPORT_STATUS[r.status]
        rows.append({
            "uuid": r.uuid, "date": r.occurred_on.isoformat(), "period": r.occurred_on.strftime("%Y-%m"),
            "badge": r.person.badge, "name": r.person.name, "department": r.person.department.name,
            "item_code": r.item_code, "item_name": r.item_name, "category": r.category, "component": r.component,
            "component_label": component_label(r.component), "quantity": r.quantity,
            "points": to_decimal(component_sign(r.component) * per * r.quantity), "note": r.note,
            "source": "民警自报", "status": status, "reverses": None, "evidence": len(r.evidence),
            "recorded_by": r.reported_by_name, "recorded_at": _iso(r.reported_at), "unit": None, "unit_name": "",
            "scheme": "person", "case_no": "", "case_type": "", "review_status": code,
            "reviewer": r.decided_by_name if r.status == "rejected" else (reviewer.name if reviewer else ""),
        })
    return rows


def cmd_entries(args: argparse.Namespace) -> int:
    from desktop.services import periods, roster, units

    _one_subject(args, required=False)
    spec = periods.parse_period(args.period)
    with reading(args) as session:
        person_id = roster.person_by_badge(session, args.person).id if args.person else None
        unit_id = units.unit_by_code(session, args.unit).id if args.unit else None
        rows = entry_rows(session, spec.start, spec.end, person_id, unit_id)
    fields = ENTRY_FIELDS
    if args.format == "table":
        for row in rows:
            row["points"] = _points_text(int(row["points"] * 10))
        fields = TABLE_FIELDS
        if any(row["unit"] for row in rows):
            fields = (*TABLE_FIELDS[:3], TABLE_UNIT_FIELD, *TABLE_FIELDS[3:])
    emit(args.format, fields, rows)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    record = sub.add_parser("record", help="录入积分：一件事，一人或多人（每人一条记录），或一个或多个单位")
    record.add_argument("--person", metavar="警号[,警号…]", help="一个或多个警号，用逗号分隔（与 --unit 二选一）")
    record.add_argument("--unit", metavar="代码[,代码…]",
                        help="一个或多个考核单位代码（见 jifen units），记单位积分制的项目（与 --person 二选一）")
    record.add_argument("--item", required=True, metavar="项目编号", help="考核细则中的项目编号，如 ZB-02")
    record.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="事情发生的日期")
    record.add_argument("--qty", default="1", metavar="数量", help="次数、起数等（默认 1）")
    record.add_argument("--points", metavar="分值", help="区间赋分项目每次的分值，如 2.5（固定分值项目可不填）")
    record.add_argument("--note", metavar="说明", help="事实说明")
    record.add_argument("--evidence", nargs="+", action="extend", metavar="文件",
                        help="证明材料（扫描件、照片或 PDF），复制进数据库")
    record.add_argument("--case", metavar="案件编号", help="执法办案的案件编号（不超过 40 字）")
    record.add_argument("--case-type", metavar="案件类型", help="案件类型，如 刑事、行政（须同时写 --case）")
    add_user_argument(record)
    record.set_defaults(handler=cmd_record)

    reverse = sub.add_parser("reverse", help="冲正一条积分记录（原记录保留，追加一条相反的记录）")
    reverse.add_argument("entry", metavar="记录编号", help="积分记录的编号（jifen entries 的“编号”列）")
    reverse.add_argument("--reason", required=True, metavar="理由", help="冲正理由（记入审计）")
    add_user_argument(reverse)
    reverse.set_defaults(handler=cmd_reverse)

    entries = sub.add_parser("entries", help="列出一个考核周期的积分记录（含冲正）")
    entries.add_argument("--period", required=True, metavar="周期", help=PERIOD_HELP)
    entries.add_argument("--person", metavar="警号", help="只列出此人")
    entries.add_argument("--unit", metavar="代码", help="只列出这个考核单位的记录（与 --person 二选一）")
    add_format(entries)
    entries.set_defaults(handler=cmd_entries)
