"""Plain data for the printed documents of a non-person scheme, gathered from the database:
积分排名表 (`scheme_sheet_data`), 通报 (`bulletin_data`, in bulletin_text.py) and 案件台账
(`case_ledger_data`).

The renderers beside this module take these dataclasses and nothing else, as the person
scheme's documents take `data.py`'s. The rows are those `scheme_signing.sheet` gives: live
while the period is open, the frozen (signed) rows once it was submitted, so the paper says
exactly what the signers signed. Points arrive as one-decimal Decimals and leave as the text
`points.fmt` makes, the same "84.0" the screens and the command line show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.exporters.pdf.data import Signer, Verification
from desktop.exporters.pdf.scheme_verify import verification_of
from desktop.models.accounts import User
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.models.scheme_results import SchemeResult
from desktop.models.station import POST_CLASS_LABELS
from desktop.models.units import PERSON_SCHEME, UNIT_KIND_LABELS
from desktop.services import cases, chain_head, roster, scheme_registry, scheme_signing, units
from desktop.services.errors import ValidationError
from desktop.services.periods import parse_period
from desktop.services.points import fmt, to_tenths
from desktop.services.scheme_scoring import policy_of
from desktop.services.text import cn_date
from desktop.services.units import CLASS_LABELS

DRAFT_MARK = "草稿（未提交签核）"
SIGNING_MARK = "签核中"
RANK_LABELS = {"class": "按类别排名", "sequence": "按序列排名", "all": "全体排名"}


@dataclass(frozen=True)
class RankLine:
    """One subject on a ranking sheet; every number already formatted."""

    rank: str
    code: str
    name: str
    group: str  # its class (一类) or sequence; "" when all are ranked together
    values: tuple[str, ...]  # one per component, in the scheme's order
    total: str
    pending: str  # case points awaiting review ("" when none)
    grade: str
    note: str  # why the grade, the suggested title, the bottom consequences
    total_tenths: int = 0
    award: str = ""
    eligible: bool = True
    reports: bool = False
    vetoed: bool = False


@dataclass
class RankGroup:
    title: str  # "一类警务室", "派出所序列"; "" when all are ranked together
    lines: list[RankLine]


@dataclass
class SchemeSheetData:
    """积分排名表 of one scheme for one period."""

    station: str
    scheme_code: str
    scheme_name: str
    period_code: str
    period_label: str
    period_range: str
    period_kind: str  # month | quarter | half | year
    state: str  # open | signing | locked
    state_label: str
    subject_label: str  # 警务室, 所队室, 党支部; 民警 for a person scheme
    code_header: str  # 代码 or 警号
    group_header: str  # 类别, 序列 or ""
    rank_within: str
    components: list[str]
    formula: str  # 总分＝基础分＋加分项－扣分项
    show_pending: bool
    groups: list[RankGroup]
    signers: list[Signer]
    digest: str
    reviewer: str = ""
    issuer: str = ""  # who issues the 通报: the county bureau's reviewing office, or the station
    changed: bool = False
    verification: Verification | None = None  # `jifen verify` code of these rows (scheme_verify.py)
    printed_on: dt.date = field(default_factory=dt.date.today)
    chain: str = ""  # the audit chain's head when printed (services/chain_head.py)

    @property
    def title(self) -> str:
        return f"{self.station} {self.period_label} {self.scheme_name}积分排名表"

    @property
    def mark(self) -> str:
        """What is printed across a sheet nobody has finished signing; "" once locked."""
        return {"open": DRAFT_MARK, "signing": SIGNING_MARK}.get(self.state, "")

    @property
    def lines(self) -> list[RankLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def measure(self) -> str:
        """The counting word: 3 个警务室, 5 名民警."""
        return "名" if self.subject_label == "民警" else "个"


def local_date(moment: dt.datetime) -> dt.date:
    """Signatures are stored as naive UTC; paper shows the date where the station is."""
    return moment.replace(tzinfo=dt.UTC).astimezone().date()


def font_of(session: Session) -> str:
    return roster.get_station(session).pdf_font or ""


def unit_scheme(session: Session, code: str, what: str) -> Any:
    """The scheme named on the command line; the person scheme has its own documents."""
    scheme = scheme_registry.scheme_of(session, code)
    if scheme.code == PERSON_SCHEME:
        raise ValidationError(f"个人积分制没有{what}；个人的排名和等次请用 jifen grade-sheet（等次评定表）"
                              "或 jifen board（公示栏）打印")
    return scheme


def tenths(value: Decimal | int | float | str | None) -> int:
    """A row's one-decimal point value (Decimal, live or frozen) as tenths."""
    return 0 if value is None else to_tenths(value)


def points_text(value: Decimal | int | float | str | None) -> str:
    return fmt(tenths(value))


def formula_of(scheme: Any) -> str:
    parts = []
    for i, c in enumerate(scheme.components):
        sign = "－" if c.sign < 0 else ("＋" if i or scheme.starting_tenths else "")
        parts.append(f"{sign}{c.label}")
    start = f"起始分{fmt(scheme.starting_tenths)}×月数" if scheme.starting_tenths else ""
    return f"总分＝{start}{''.join(parts)}"


def signers_of(session: Session, scheme: Any, sheet: Any) -> list[Signer]:
    """One box per step of the scheme's chain: the signer, date and signature image once signed.
    No role label: 治安大队 signs from a clerk's account, and "内勤" under it would mislead."""
    out = []
    for index, step in enumerate(scheme.signoff):
        signed = sheet.signatures[index] if index < len(sheet.signatures) else None
        if signed is None:
            out.append(Signer(step.title))
            continue
        user = session.get(User, signed.user_id)
        out.append(Signer(step.title, "", signed.signer_name, local_date(signed.signed_at),
                          user.signature_png if user else None))
    return out


def _group_title(rank_within: str, row: dict[str, Any]) -> str:
    if rank_within == "class":
        return POST_CLASS_LABELS.get(row.get("class") or 0, "未分类别")
    if rank_within == "sequence":
        return row.get("sequence") or "未分序列"
    return ""


def _group_order(scheme: Any, title: str) -> tuple[int, str]:
    if scheme.rank_within == "class":
        numbers = {v: k for k, v in POST_CLASS_LABELS.items()}
        return numbers.get(title, 9), title
    if scheme.rank_within == "sequence" and title in scheme.sequences:
        return scheme.sequences.index(title), title
    return 99, title


def _note(row: dict[str, Any], grade: str) -> str:
    """The row's `why` without the grade it starts with (the 等次 column already says it)."""
    why = str(row.get("why") or "")
    for prefix in (f"{grade}：", f"{row.get('grade') or ''}："):
        if prefix != "：" and why.startswith(prefix):
            why = why[len(prefix):]
            break
    return why


def _line(scheme: Any, policy: Any, row: dict[str, Any]) -> RankLine:
    grade = policy.label_of(row.get("grade")) if row.get("grade") else ""
    group = ""
    if scheme.rank_within == "class":
        group = CLASS_LABELS.get(row.get("class") or 0, "")
    elif scheme.rank_within == "sequence":
        group = row.get("sequence") or ""
    pending = tenths(row.get("pending"))
    return RankLine(
        rank="" if row.get("rank") is None else str(row["rank"]), code=str(row.get("code", "")),
        name=str(row.get("name", "")), group=group,
        values=tuple(points_text(row.get(c.key)) for c in scheme.components),
        total=points_text(row.get("total")), pending=fmt(pending) if pending else "", grade=grade,
        note=_note(row, grade), total_tenths=tenths(row.get("total")), award=str(row.get("award") or ""),
        eligible=bool(row.get("eligible", True)), reports=bool(row.get("reports")), vetoed=bool(row.get("vetoed")))


def issuer_of(station: Any, scheme: Any) -> str:
    """汉阴's reviewing offices (政工室, 治安大队, 法制大队) are the county bureau's."""
    if scheme.reviewer:
        bureau = (station.county_bureau or "").strip()
        return f"{bureau}{scheme.reviewer}" if bureau and not scheme.reviewer.startswith(bureau) else scheme.reviewer
    return station.name


def scheme_sheet_data(session: Session, scheme_code: str, period_code: str,
                      today: dt.date | None = None) -> SchemeSheetData:
    scheme = unit_scheme(session, scheme_code, "单位积分排名表")
    sheet = scheme_signing.sheet(session, scheme.code, period_code)
    station = roster.get_station(session)
    policy = policy_of(scheme)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in sheet.rows:
        grouped.setdefault(_group_title(scheme.rank_within, row), []).append(row)
    groups = []
    for title in sorted(grouped, key=lambda t: _group_order(scheme, t)):
        # Ranked first (ties keep their shared place), unranked at the end, then by code.
        rows = sorted(grouped[title], key=lambda r: (r.get("rank") is None, r.get("rank") or 0, str(r.get("code"))))
        groups.append(RankGroup(title, [_line(scheme, policy, r) for r in rows]))
    person = scheme.subject == "person"
    spec = sheet.period
    return SchemeSheetData(
        station=station.name, scheme_code=scheme.code, scheme_name=scheme.name, period_code=spec.code,
        period_label=spec.label, period_range=f"{cn_date(spec.start)}至{cn_date(spec.end)}",
        period_kind=spec.kind.value, state=sheet.state, state_label=sheet.state_label,
        subject_label="民警" if person else UNIT_KIND_LABELS.get(scheme.subject, "单位"),
        code_header="警号" if person else "代码",
        group_header={"class": "类别", "sequence": "序列"}.get(scheme.rank_within, ""),
        rank_within=scheme.rank_within, components=[c.label for c in scheme.components],
        formula=formula_of(scheme), show_pending=bool(scheme.case_tracking), groups=groups,
        signers=signers_of(session, scheme, sheet), digest=sheet.digest, reviewer=scheme.reviewer,
        issuer=issuer_of(station, scheme), changed=sheet.changed,
        verification=verification_of(station.code, scheme.code, spec.code, sheet.digest),
        printed_on=today or dt.date.today(), chain=chain_head.head_code(session))


def names_of(session: Session, badges: list[str]) -> dict[str, str]:
    if not badges:
        return {}
    return {p.badge: p.name for p in session.scalars(select(Person).where(Person.badge.in_(badges)))}


# --- 案件台账 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    seq: int
    case_no: str
    case_type: str
    people: str  # the officers' names
    recorded: str  # as recorded (signed: a 质效分 deduction on the case subtracts)
    counted: str  # what counts after review; pending entries count nothing
    status: str  # 待审核 / 已确认 / 已调整, with the reason and the reviewer


@dataclass
class CaseLedgerData:
    """案件台账 of a case-tracking scheme (执法办案) for one period, optionally one unit."""

    station: str
    scheme_name: str
    period_label: str
    period_range: str
    unit: str  # the enforcement unit's name, "" for all cases
    reviewer: str
    state_label: str
    rows: list[CaseRow]
    recorded_total: str
    counted_total: str
    entries: int
    confirmed: int
    adjusted: int
    pending: int
    reversed: int
    printed_on: dt.date = field(default_factory=dt.date.today)
    chain: str = ""

    @property
    def title(self) -> str:
        return f"{self.station} {self.period_label} {self.scheme_name}案件台账"


def _case_status(entries: list[Any], reviews: dict[int, Any], reversed_ids: set[int],
                 names: dict[int, str], signs: dict[str, int]) -> tuple[str, dict[str, int]]:
    """One line per reviewed state (entries of a case that agree share a line), the 质效分
    deductions on the case by name (they explain why 录入分 is less than the case's 数量分),
    and the counts."""
    counts = {"confirmed": 0, "adjusted": 0, "pending": 0, "reversed": 0}
    lines: list[str] = []
    confirmed_by: list[str] = []
    many = len([e for e in entries if e.reverses_id is None]) > 1
    for e in entries:
        if e.reverses_id is not None:
            continue  # the reversal is told with the entry it cancels
        # No space inside: the cell wraps at spaces, and would part the name from its item.
        who = f"{names.get(e.person_id or 0, '')}·{e.item_name}：" if many else ""
        if e.id in reversed_ids:
            counts["reversed"] += 1
            lines.append(f"{who}已作废（不计分）")
            continue
        state = cases.state_of(e, reviews, reversed_ids)
        counts[state] += 1
        review = reviews.get(e.id)
        if state == "pending":
            lines.append(f"{who}待审核")
        elif state == "adjusted":
            lines.append(f"{who}已调整：{fmt(e.points_tenths)}分调为{fmt(review.points_tenths or 0)}分，"
                         f"理由：{review.reason}（审核人：{review.reviewed_by_name}）")
        elif not many:
            lines.append(f"已确认（审核人：{review.reviewed_by_name if review else ''}）")
        else:
            confirmed_by.append(review.reviewed_by_name if review else "")
    if confirmed_by:
        # Entries of one case confirmed together read as one line, not one per officer.
        people = "、".join(dict.fromkeys(b for b in confirmed_by if b))
        lines.append(f"其余{len(confirmed_by)}条已确认（审核人：{people}）" if lines else
                     f"{len(confirmed_by)}条均已确认（审核人：{people}）")
    for e in entries:
        if signs.get(e.component, 1) < 0 and e.reverses_id is None and e.id not in reversed_ids:
            lines.append(f"含扣分：{names.get(e.person_id or 0, '')}“{e.item_name}”扣{fmt(e.points_tenths)}分")
    return "\n".join(lines), counts


def case_ledger_data(session: Session, period_code: str, scheme_code: str = "zhifa", unit_code: str | None = None,
                     today: dt.date | None = None) -> CaseLedgerData:
    scheme = unit_scheme(session, scheme_code, "案件台账")
    if not scheme.case_tracking:
        raise ValidationError(f"积分制“{scheme.name}”不追溯案件，没有案件台账；执法办案的案件台账请用 --scheme zhifa")
    spec = parse_period(period_code)
    unit = units.unit_by_code(session, unit_code) if unit_code else None
    found = cases.ledger_of(session, scheme.code, spec, unit.id if unit else None)
    uuids = [u for line in found for u in line.entries]
    entries = {e.uuid: e for e in session.scalars(select(Entry).where(Entry.uuid.in_(uuids)))} if uuids else {}
    all_entries = list(entries.values())
    reversed_ids = {e.reverses_id for e in all_entries if e.reverses_id is not None}
    reviews = cases.reviews_of(session, [e.id for e in all_entries])
    names = {e.person_id: e.person.name for e in all_entries if e.person is not None}
    signs = {c.key: c.sign for c in scheme.components}
    rows, totals = [], {"recorded": 0, "counted": 0}
    counts = {"confirmed": 0, "adjusted": 0, "pending": 0, "reversed": 0}
    for seq, line in enumerate(found, start=1):
        mine = [entries[u] for u in line.entries if u in entries]
        recorded, counted = line.recorded, line.counted  # signed: a 质效分 deduction lowers the case
        status, tally = _case_status(mine, reviews, reversed_ids, names, signs)
        for key, n in tally.items():
            counts[key] += n
        totals["recorded"] += recorded
        totals["counted"] += counted
        people = "、".join(dict.fromkeys(names[e.person_id] for e in mine if e.person_id in names))
        rows.append(CaseRow(seq, line.case_no, line.case_type or "—", people, fmt(recorded), fmt(counted), status))
    station = roster.get_station(session)
    state = scheme_signing.STATE_LABELS.get(_state(session, scheme.code, spec.code), "未提交")
    return CaseLedgerData(
        station=station.name, scheme_name=scheme.name, period_label=spec.label,
        period_range=f"{cn_date(spec.start)}至{cn_date(spec.end)}", unit=unit.name if unit else "",
        reviewer=scheme.reviewer, state_label=state, rows=rows, recorded_total=fmt(totals["recorded"]),
        counted_total=fmt(totals["counted"]), entries=sum(counts.values()), confirmed=counts["confirmed"],
        adjusted=counts["adjusted"], pending=counts["pending"], reversed=counts["reversed"],
        printed_on=today or dt.date.today(), chain=chain_head.head_code(session))


def _state(session: Session, scheme_code: str, period_code: str) -> str:
    """The scheme period's sign-off state, read without scoring the period again."""
    found = session.scalar(select(SchemeResult.state).where(SchemeResult.scheme == scheme_code,
                                                           SchemeResult.period_code == period_code))
    return found or "open"
