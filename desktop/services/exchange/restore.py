"""Rebuild a station from its own export, into an empty database only (`jifen restore-export`).

Only a restore takes the period's authority from a workbook — its state, confirmations, chief's
overrides, awards, signatures and, for a locked period, the frozen results of 积分汇总 — and
only from an export whose data digest matches exactly and whose 周期状态 agrees with its 签核
sheet, because the new database has no account yet that could have signed anything. An import
into an existing station never applies them (see `import_`). The station, its sign-off chain
and grade policy come from 说明 and 签核; departments, people, units, catalogue and entries through
the ordinary import steps, and the schemes and case reviews through `plan_schemes`. Signers and assessors become disabled accounts that keep their
names but can never log in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from desktop.models.accounts import User
from desktop.models.base import new_uuid
from desktop.models.enums import PeriodKind, PeriodState, Role
from desktop.models.grading import Award, GradeOverride, GradePolicy, PolicyVersion, ScoreResult
from desktop.models.periods import Confirmation, Period, SignOff
from desktop.models.station import Department, SignoffStep, Station
from desktop.services import periods, scoring
from desktop.services.exchange import vocab
from desktop.services.exchange.about import DIGEST_KEY, About, data_digest
from desktop.services.exchange.cells import CellError, fold
from desktop.services.exchange.plan import Plan
from desktop.services.exchange.reader import Row, Table, Workbook
from desktop.services.exchange.schema import ABOUT_NAME
from desktop.services.grade_engine import Policy, PolicyError, load_preset, preset_codes
from desktop.services.policies import FROM_START
from desktop.services.roster import DEFAULT_CHAIN
from desktop.services.scoring import COMPONENT_KEYS

DISABLED_HASH = "!imported-no-login"


@dataclass
class PeriodRecords:
    about: About
    policy: Policy
    summary: Table | None
    signoffs: list[dict[str, Any]] = field(default_factory=list)
    confirmations: list[dict[str, Any]] = field(default_factory=list)
    awards: list[dict[str, Any]] = field(default_factory=list)


REQUIRED = (("departments", "部门"), ("roster", "人员"), ("catalogue", "考核细则"))


def plan_restore(plan: Plan, book: Workbook, about: About) -> Policy | None:
    """The checks only a restore makes, then the station to create: the export must be exactly as
    the program wrote it (any edited cell refuses the restore) and its period state must agree
    with its signatures (说明 is outside the digest, 签核 inside it)."""
    report = plan.report
    if data_digest(book, about.format_version) != about.digest:
        report.problem(ABOUT_NAME, None, "数据校验不符：工作簿导出后被修改过（或缺少某张表），不能用来重建单位。"
                       "请在原电脑上重新导出，不要在 Excel/WPS 中改动后再恢复", header=DIGEST_KEY)
    for kind, label in REQUIRED:
        if not book.of(kind):
            report.problem("", None, f"恢复到空数据库需要“{label}”表，工作簿中没有")
    signoffs = book.of("signoffs")[0] if book.of("signoffs") else None
    steps = _rows(signoffs)
    signed = sum(1 for r in steps if r.values.get("signer"))
    complete = bool(steps) and signed == len(steps)
    # A month of a station with a chain is locked by its last signature and by nothing else; a
    # reopened period loses its signatures. (Quarters and years are locked without signing.)
    month = periods.parse_period(about.period_code).kind == PeriodKind.MONTH
    locked = about.period_state == PeriodState.LOCKED
    if (complete and not locked) or (locked and month and bool(steps) and not complete):
        report.problem(ABOUT_NAME, None, f"周期状态“{about.period_state.label}”与“签核”表不符"
                       f"（{signed}/{len(steps)} 个环节已签核）：月度周期在全部环节签核后才锁定，"
                       "锁定的周期解锁后签核作废", header="周期状态", value=about.period_state.label)
    return plan_station(plan, about, signoffs)


def plan_station(plan: Plan, about: About, signoffs: Table | None) -> Policy | None:
    """What the empty database needs before anything else: station, chain and policy."""
    try:
        policy = Policy.from_json(about.policy_json)
    except PolicyError as exc:
        plan.report.problem("说明", None, f"等次政策无法读取：{exc}", header="等次政策（JSON）")
        return None
    chain: list[tuple[int, str, str]] = []
    for row in signoffs.rows if signoffs else []:
        v = row.values
        try:
            role = vocab.role(v["role"]).value if v.get("role") else ""
        except CellError as exc:
            plan.cell_problem(signoffs, row.number, "role", str(exc), v.get("role"))
            continue
        if v.get("seq") and v.get("step") and role:
            chain.append((v["seq"], v["step"], role))
    plan.station = {"code": about.station_code, "name": about.station_name, "county_bureau": about.county_bureau,
                    "starting_score_tenths": about.starting_tenths,
                    "chain": chain or [(i, t, r.value) for i, (t, r) in enumerate(DEFAULT_CHAIN, start=1)]}
    return policy


def apply_station(plan: Plan, policy: Policy) -> None:
    assert plan.station is not None
    s = plan.session
    spec = {k: v for k, v in plan.station.items() if k != "chain"}
    station = Station(**spec)
    s.add(station)
    s.flush()
    for seq, title, role in plan.station["chain"]:
        s.add(SignoffStep(station_id=station.id, seq=seq, title=title, role=role))
    rows = {policy.code: GradePolicy(code=policy.code, name=policy.name, definition=policy.to_json())}
    for code in preset_codes():  # the other presets, so the station can still switch policy
        if code not in rows and s.scalar(select(GradePolicy.id).where(GradePolicy.code == code)) is None:
            preset = load_preset(code)
            rows[code] = GradePolicy(code=code, name=preset.name, definition=preset.to_json())
    s.add_all(rows.values())
    s.flush()
    station.grade_policy_id = rows[policy.code].id
    s.add(PolicyVersion(effective_from=FROM_START, code=policy.code, name=policy.name,
                        definition=policy.to_json(), reason="由导出工作簿重建单位"))
    plan.station["id"] = station.id


def plan_period_records(plan: Plan, about: About, policy: Policy, tables: dict[str, Table | None]) -> None:
    assert plan.restore, "a period's sign-offs are taken from a workbook only when restoring"
    records = PeriodRecords(about, policy, tables.get("summary"))
    for row in _rows(tables.get("signoffs")):
        if row.values.get("signer"):
            records.signoffs.append(row.values)
    confirmations = tables.get("confirmations")
    for row in _rows(confirmations):
        assert confirmations is not None
        if _known(plan, confirmations, row):
            try:
                status = vocab.confirm_status(row.values.get("status") or "")
            except CellError as exc:
                plan.cell_problem(confirmations, row.number, "status", str(exc), row.values.get("status"))
                continue
            records.confirmations.append(row.values | {"status": status.value})
    awards = tables.get("awards")
    for row in _rows(awards):
        assert awards is not None
        if _known(plan, awards, row) and row.values.get("title"):
            records.awards.append(row.values)
    summary = records.summary
    for row in _rows(summary):
        assert summary is not None
        if _known(plan, summary, row) and row.values.get("grade") and row.values["grade"] not in policy.codes():
            plan.cell_problem(summary, row.number, "grade", f"等次不在“{policy.name}”中", row.values["grade"])
    plan.period_records = records


def _rows(table: Table | None) -> list[Row]:
    return [r for r in table.rows if r.ok] if table else []


def _known(plan: Plan, table: Table, row: Row) -> bool:
    badge = row.values.get("badge")
    if badge and plan.person(badge) is not None:
        return True
    plan.cell_problem(table, row.number, "badge", "人员名册中没有这个警号", badge)
    return False


class Users:
    """Disabled accounts standing for the people who signed or assessed in the other copy."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.cache: dict[str, int] = {}

    def id(self, name: str | None, role: str = Role.OFFICER.value) -> int:
        if not name:  # not recorded in the workbook: the importer, or a placeholder for the program
            if self.plan.actor.user_id is not None:
                return self.plan.actor.user_id
            name = "（导入时未注明）"
        if name not in self.cache:
            s = self.plan.session
            username = f"导入:{name}"[:50]
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                user = User(username=username, display_name=name, role=role, password_hash=DISABLED_HASH,
                            active=False)
                s.add(user)
                s.flush()
            self.cache[name] = user.id
        return self.cache[name]


def apply_period_records(plan: Plan) -> None:
    """Write the restored period's records, once its scores agree with the entries just written."""
    records: PeriodRecords = plan.period_records
    period = periods.get_or_create(plan.session, records.about.period_code)
    if _agrees(plan, records, period):
        _write(plan, records, period)
    # otherwise the problems are in the report; the caller refuses the import


def _write(plan: Plan, records: PeriodRecords, period: Period) -> None:
    s, about, users = plan.session, records.about, Users(plan)

    def pid(badge: str) -> int:
        ref = plan.person(badge)
        assert ref is not None and ref.id is not None
        return ref.id

    for c in records.confirmations:
        s.add(Confirmation(uuid=c.get("uuid") or new_uuid(), period_id=period.id, person_id=pid(c["badge"]), status=c["status"],
                           comment=c.get("comment") or "", by_user_id=users.id(c.get("by")),
                           at=c.get("at") or _now(), resolution=c.get("resolution") or "",
                           resolved_by_id=users.id(c["resolved_by"], Role.CHIEF.value) if c.get("resolved_by")
                           else None, resolved_at=c.get("resolved_at")))
    summary = _rows(records.summary)
    for r in summary:
        v = r.values
        if v.get("override_reason") and v.get("grade"):
            s.add(GradeOverride(period_id=period.id, person_id=pid(v["badge"]), from_grade=v.get("engine_grade"),
                                to_grade=v["grade"], reason=v["override_reason"],
                                by_user_id=users.id(v.get("override_by"), Role.CHIEF.value),
                                at=v.get("override_at") or _now()))
    for a in records.awards:
        s.add(Award(uuid=a.get("uuid") or new_uuid(), period_id=period.id, person_id=pid(a["badge"]), title=a["title"],
                    note=a.get("note") or "", given_by_id=users.id(a.get("given_by"), Role.CHIEF.value),
                    given_at=a.get("given_at") or _now()))
    for g in records.signoffs:
        role = vocab.role(g["role"]).value if g.get("role") else Role.CHIEF.value
        s.add(SignOff(uuid=g.get("uuid") or new_uuid(), period_id=period.id, seq=g["seq"], step_title=g.get("step") or "",
                      role=role, user_id=users.id(g["signer"], role), signer_name=g["signer"],
                      signed_at=g.get("signed_at") or _now(), digest=g.get("digest") or ""))
    if about.period_state == PeriodState.LOCKED:
        _frozen_results(plan, period, summary)
        policy_row = s.scalar(select(GradePolicy).where(GradePolicy.code == records.policy.code))
        period.grade_policy_id = policy_row.id if policy_row else None
        period.computed_at = _now()
        period.locked_at = about.generated_at or _now()
    period.state = about.period_state.value
    s.flush()


def _agrees(plan: Plan, records: PeriodRecords, period: Period) -> bool:
    """Each person's five components in 积分汇总 must equal the sums of the entries now stored."""
    plan.session.flush()
    computed = {row.badge: row for row in scoring.calculate(plan.session, period, records.policy)}
    table = records.summary
    ok = True
    for r in _rows(table):
        ref = plan.person(r.values["badge"])
        mine = computed.get(ref.badge) if ref is not None else None
        for key in COMPONENT_KEYS:
            theirs = r.values.get(key) or 0
            if mine is not None and getattr(mine, key) == theirs:
                continue
            ok = False
            if table is not None:
                plan.cell_problem(table, r.number, key, "与积分明细合计不符（工作簿可能被改动过）",
                                  f"{theirs / 10:g}")
            break
    return ok


def _frozen_results(plan: Plan, period: Period, summary: list[Row]) -> None:
    """A locked period keeps the results it was signed with, exactly as the sheet shows them."""
    s = plan.session
    depts = {d.name: d for d in s.scalars(select(Department))}
    for r in summary:
        v = r.values
        ref = plan.person(v["badge"])
        assert ref is not None and ref.id is not None
        dept = depts.get(v.get("department") or "") or next(d for d in depts.values() if ref.department ==
                                                               fold(d.name))
        flags = [code for code, label in scoring.FLAG_LABELS.items() if label in (v.get("flags") or "")]
        s.add(ScoreResult(
            period_id=period.id, person_id=ref.id, department_id=dept.id, sequence=v.get("sequence") or "",
            ranking_group=dept.ranking_group, **{f"{k}_tenths": v.get(k) or 0 for k in COMPONENT_KEYS},
            start_tenths=v.get("start") or 0, total_tenths=v.get("total") or 0,
            rank_department=v.get("rank_department"), rank_sequence=v.get("rank_sequence"),
            rank_group=v.get("rank_group"), engine_grade=v.get("engine_grade"), grade=v.get("grade"),
            vetoed=bool(v.get("vetoed")), excluded_reason=v.get("excluded_reason") or "", flags=",".join(flags),
            person_badge=ref.badge, person_name=v.get("name") or ref.name, person_identity=_identity(v.get("identity")),
            department_name=dept.name))


def _identity(label: str | None) -> str:
    """The stored identity of a 积分汇总 row's 身份 label ("" when blank: the person's own stands in)."""
    try:
        return vocab.identity(label).value if label else ""
    except CellError:
        return ""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)

