"""What the month review screen shows, read in one session: scores, confirmations, quotas,
sign-off progress. Plain data (no Qt), so the screen can load it in a worker thread too."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from desktop.models.enums import ConfirmStatus, PeriodState, Role
from desktop.models.periods import Period
from desktop.models.station import POST_CLASS_LABELS
from desktop.services import review, signoff
from desktop.services.grade_engine import Policy, quota_counts
from desktop.services.grade_why import GroupFacts, explain
from desktop.services.periods import find_period, parse_period, transient
from desktop.services.policies import policy_for
from desktop.services.scoring import ScoreRow, results


@dataclass(frozen=True)
class Confirm:
    status: str  # ConfirmStatus value
    label: str
    comment: str
    resolution: str


@dataclass(frozen=True)
class QuotaCell:
    code: str
    label: str
    count: int
    min_count: int | None
    max_count: int | None

    @property
    def ok(self) -> bool:
        low = self.min_count is None or self.count >= self.min_count
        high = self.max_count is None or self.count <= self.max_count
        return low and high

    def rule(self) -> str:
        if self.min_count is not None and self.max_count is not None:
            return f"{self.min_count}–{self.max_count}"
        if self.min_count is not None:
            return f"≥{self.min_count}"
        if self.max_count is not None:
            return f"≤{self.max_count}"
        return "不限"

    def text(self) -> str:
        """Compact: '2/≤2'; just the count when the policy sets no bound."""
        return str(self.count) if self.min_count is None and self.max_count is None else f"{self.count}/{self.rule()}"


@dataclass(frozen=True)
class QuotaGroup:
    name: str
    graded: int
    cells: list[QuotaCell]


@dataclass(frozen=True)
class Step:
    seq: int
    title: str
    role: str
    signer: str = ""
    signed_at: dt.datetime | None = None
    signer_id: int | None = None
    scope: str = "station"
    waiting: list[str] = field(default_factory=list)  # a department step: the signatures still due
    sheets: list[str] = field(default_factory=list)  # a department step: "治安中队：王五" …


@dataclass
class ReviewData:
    code: str
    label: str
    exists: bool
    state: str
    policy_name: str
    levels: list[tuple[str, str]]  # (code, label), best first
    rows: list[ScoreRow]
    confirmations: dict[int, Confirm] = field(default_factory=dict)
    quotas: list[QuotaGroup] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    computed_at: dt.datetime | None = None
    mine: list[str] = field(default_factory=list)  # what the signed-in account may sign now
    history: list[str] = field(default_factory=list)  # signatures taken back (原签字…于…撤销)

    @property
    def state_label(self) -> str:
        return PeriodState(self.state).label

    def signed_by(self, user_id: int | None) -> bool:
        return user_id is not None and any(s.signer_id == user_id for s in self.steps)

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if s.signed_at is None), None)

    def grade_label(self, code: str | None) -> str:
        return dict(self.levels).get(code or "", code or "")

    def departments(self) -> list[str]:
        return list(dict.fromkeys(r.department for r in self.rows))

    def row_of(self, person_id: int) -> ScoreRow | None:
        return next((r for r in self.rows if r.person_id == person_id), None)

    def counts(self) -> Counter[str]:
        """confirmed / disputed / resolved / none, over everyone on the list."""
        return Counter(self.confirmations[r.person_id].status if r.person_id in self.confirmations
                       else "none" for r in self.rows)


def group_name(group: str, departments: dict[str, str]) -> str:
    """'dept:3' → the department's name, 'post:1' → 一类警务室."""
    kind, _, key = group.partition(":")
    if kind == "post" and key.isdigit():
        return POST_CLASS_LABELS.get(int(key), f"{key}类警务室")
    return departments.get(group, group)


def quota_groups(rows: list[ScoreRow], levels: list[tuple[str, str]],
                 quotas_for: Callable[[int], dict[str, tuple[int | None, int | None]]]) -> list[QuotaGroup]:
    """Per ranking group: how many got each grade, against the policy's min/max for that group."""
    by_group: dict[str, list[ScoreRow]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in rows:
        by_group[row.ranking_group].append(row)
        names.setdefault(row.ranking_group, row.department)
    out = []
    for group, members in by_group.items():
        graded = [r for r in members if not r.excluded_reason and r.grade]
        bounds = quotas_for(len(graded))
        counts = Counter(r.grade for r in graded)
        cells = [QuotaCell(code, label, counts.get(code, 0), *bounds.get(code, (None, None)))
                 for code, label in levels]
        out.append(QuotaGroup(group_name(group, names), len(graded), cells))
    return out


def fill_missing_why(policy: Policy, rows: list[ScoreRow], months: int) -> None:
    """Rows stored before the reason was kept (older locked months) get it worked out again from
    what was stored; without the veto entry's text or the override's reason, which the stored
    flags still show."""
    groups: dict[str, list[ScoreRow]] = defaultdict(list)
    for row in rows:
        groups[row.ranking_group].append(row)
    facts = {group: GroupFacts.of(policy, members) for group, members in groups.items()}
    for row in rows:
        if not row.why and (row.grade or row.excluded_reason):
            row.why = explain(policy, row, facts[row.ranking_group], months).one_line()


def load(session: Session, code: str, actor: object | None = None) -> ReviewData:
    """Everything the review screen needs for one period (a period never opened is computed too)."""
    spec = parse_period(code)
    period: Period = find_period(session, spec.code) or transient(spec)
    policy = policy_for(session, period)
    rows = results(session, period)
    fill_missing_why(policy, rows, len(spec.months()))
    exists = period.id is not None
    confirms: dict[int, Confirm] = {}
    if exists:
        for person_id, c in review.confirmations(session, period).items():
            confirms[person_id] = Confirm(c.status, ConfirmStatus(c.status).label, c.comment, c.resolution)
        if period.state != PeriodState.OPEN.value or confirms:
            rows = review.with_review_flags(session, period, rows)
    from desktop.services import visibility

    every = rows  # what is due is worked out on the whole sheet, whoever looks at it
    allowed = visibility.visible_people(session, actor, period.end) if actor is not None else None
    if allowed is not None:  # an officer, before the month is signed: his own (and his people's) rows
        rows = [r for r in rows if r.person_id in allowed]
    levels = [(lv.code, lv.label) for lv in policy.levels]
    signed = {s.seq: s for s in signoff.signatures(session, period)} if exists else {}
    sheets = signoff.sheet_signatures(session, period) if exists else []
    in_review = period.state == PeriodState.REVIEW.value
    steps, mine = [], []
    for step in signoff.chain(session):
        if step.scope == "department":
            due = signoff.dues(session, period, step, every) if in_review else []
            done_sheets = [s for s in sheets if s.seq == step.seq]
            complete = exists and (period.state == PeriodState.LOCKED.value or (in_review and not due))
            last = max(done_sheets, key=lambda s: s.signed_at, default=None)
            steps.append(Step(step.seq, step.title, step.role, f"{len(done_sheets)} 处已签" if complete else "",
                              last.signed_at if complete and last else None, None, "department",
                              [d.label for d in due], [_sheet_text(session, s) for s in done_sheets]))
            if in_review and due and not mine and all(x.signed_at for x in steps[:-1]):
                mine = [d.label for d in due if actor is not None and signoff.may_sign(actor, d)]
            continue
        done = signed.get(step.seq)
        steps.append(Step(step.seq, step.title, step.role, done.signer_name if done else "",
                          done.signed_at if done else None, done.user_id if done else None))
        twice = any(x.user_id == getattr(actor, "user_id", None) for x in signed.values())
        if (in_review and done is None and not mine and all(x.signed_at for x in steps[:-1]) and actor is not None
                and not twice):
            mine = [d.label for d in signoff.dues(session, period, step, every)
                    if signoff.may_sign(actor, d)]
    return ReviewData(
        code=spec.code, label=spec.label, exists=exists, state=period.state, policy_name=policy.name,
        levels=levels, rows=rows, confirmations=confirms,
        quotas=quota_groups(rows, levels, lambda n: quota_counts(policy, n)),
        steps=steps, computed_at=period.computed_at, mine=mine,
        history=signoff.history_lines(session, period) if exists else [],
    )


def _sheet_text(session: Session, s: object) -> str:
    from desktop.models.people import Person
    from desktop.models.station import Department

    dept = session.get(Department, s.department_id)
    line = getattr(s, "for_person_id", None)
    person = session.get(Person, line) if line else None
    where = (dept.name if dept else "?") + (f"（{person.name}一行）" if person else "")
    return f"{where}：{s.signer_name}"


def role_label(role: str) -> str:
    return Role(role).label
