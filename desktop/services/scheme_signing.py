"""Freeze, sign and lock a non-person scheme's results for a period, along the scheme's own chain.

汉阴's schemes are signed by the people each names: 党建 by 政工室领导 → 分管局领导 → 局主要领导,
执法办案 by the unit head and 法制大队, 基层基础 by the 所长 and 治安大队. The steps:

1. `freeze`: the clerk (or chief) fixes the period's rows (every subject's components, total,
   rank, grade and why) as JSON with its SHA-256. 执法办案 cannot be frozen while a case in the
   period still waits for 法制大队's review: pending points would silently count as nothing.
2. `sign`: each step in order, by an account of the step's role, re-entering its password;
   nobody signs twice (a multi-level check by one person is no check). The rows are computed
   again and must still match the frozen digest; if the entries changed, the signer is told
   to `refreeze` (which clears the signatures, audited).
3. The last signature locks: entries and case reviews of that scheme falling in the period are
   refused (`ensure_writable`) until the chief `reopen`s it with a reason.

The person scheme keeps its own chain (`signoff`, with officers' confirmations); these
functions refuse it with a pointer there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desktop.models.enums import Role
from desktop.models.scheme_results import SchemeResult, SchemeSignOff
from desktop.models.units import PERSON_SCHEME
from desktop.services import audit, cases, scheme_registry, scheme_scoring
from desktop.services.accounts import verify_password
from desktop.services.actor import Actor, require
from desktop.services.errors import PeriodLocked, PermissionDenied, ValidationError
from desktop.services.periods import PeriodSpec, parse_period
from desktop.services.points import to_tenths
from desktop.services.roster import get_station
from desktop.services.text import cn_date

STATE_LABELS = {"open": "未提交", "signing": "签核中", "locked": "已锁定"}


@dataclass
class SchemeSheet:
    """What a screen, a printed sheet or the command line shows of one scheme's period."""

    scheme: Any  # schemes.Scheme
    period: PeriodSpec
    state: str  # open | signing | locked
    rows: list[dict[str, Any]]  # SubjectRow.as_json(scheme), frozen once signing
    signatures: list[SchemeSignOff]
    digest: str
    next_step: str  # the title of the step to sign next, "" when none
    changed: bool = False  # signing, and the entries no longer give the frozen rows

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def sheet(session: Session, scheme_code: str, period_code: str) -> SchemeSheet:
    scheme = _unit_scheme(session, scheme_code)
    spec = parse_period(period_code)
    found = _result(session, scheme.code, spec.code)
    if found is None:
        live, digest = _live(session, scheme, spec)
        return SchemeSheet(scheme, spec, "open", live, [], digest, scheme.signoff[0].title if scheme.signoff else "")
    signed = signatures(session, found)
    step = _next(scheme, signed)
    # Scored again only while signing, to tell the signers the entries moved; a locked
    # period's entries cannot change, so its frozen rows are all there is to read.
    changed = found.state == "signing" and _live(session, scheme, spec)[1] != found.digest
    return SchemeSheet(scheme, spec, found.state, _loads(found.rows_json), signed, found.digest,
                       step.title if step else "", changed=changed)


def subject_rows(session: Session, scheme: Any, period_code: str) -> list[scheme_scoring.SubjectRow]:
    """The rows as the station stands by them: the frozen ones once submitted for signing (what
    was signed, for workbooks and sheets), else computed now. Frozen rows carry no database key."""
    found = _result(session, scheme.code, parse_period(period_code).code)
    if found is None:
        return scheme_scoring.score(session, scheme, period_code)
    out = []
    for r in _loads(found.rows_json):
        row = scheme_scoring.SubjectRow(
            0, r["code"], r["name"], r["kind"], r["class"], r["sequence"],
            {c.key: to_tenths(str(r[c.key])) for c in scheme.components}, to_tenths(str(r["total"])),
            pending=to_tenths(str(r["pending"])), vetoed=bool(r["vetoed"]), rank=r["rank"], grade=r["grade"],
            why=r["why"])
        row.extra = {"award": r.get("award", ""), "loses_eligibility": r.get("eligible") is False,
                     "reports": bool(r.get("reports"))}
        out.append(row)
    return out


def freeze(session: Session, actor: Actor, scheme_code: str, period_code: str) -> SchemeResult:
    """Fix the period's rows for signing (again, after a change: the old signatures are cleared)."""
    require(actor, "period.review")
    scheme = _unit_scheme(session, scheme_code)
    spec = parse_period(period_code)
    if spec.kind.value not in scheme.periods:
        raise ValidationError(f"积分制“{scheme.name}”不按{spec.kind.label}考核（考核周期："
                              f"{'、'.join(parse_kind_label(k) for k in scheme.periods)}）")
    if spec.start > dt.date.today():
        raise ValidationError(f"{spec.label}还没有开始，不能提交签核")
    if scheme.case_tracking:
        waiting = cases.pending_count(session, scheme.code, spec)
        if waiting:
            raise ValidationError(f"{spec.label}还有 {waiting} 条案件积分待{scheme.reviewer or '复核单位'}审核，"
                                  "审核完才能提交签核")
    found = _result(session, scheme.code, spec.code)
    if found is not None and found.state == "locked":
        raise PeriodLocked(f"积分制“{scheme.name}”{spec.label}已锁定；如确需更正，请所长先解锁并填写理由")
    rows, digest = _live(session, scheme, spec)
    if found is None:
        found = SchemeResult(scheme=scheme.code, period_code=spec.code)
        session.add(found)
    else:
        _clear(session, actor, scheme, found, "重新提交签核")
    found.state, found.rows_json, found.digest = "signing", _dumps(rows), digest
    found.frozen_by_id, found.frozen_by_name = actor.user_id, actor.display_name
    found.frozen_at, found.locked_at = _now(), None
    session.flush()
    audit.record(session, actor, "scheme.freeze", "scheme_result", f"{scheme.code}/{spec.code}",
                 subjects=len(rows), digest=digest)
    return found


def sign(session: Session, actor: Actor, scheme_code: str, period_code: str, password: str) -> SchemeSignOff:
    """Sign the next step; the last one locks the scheme's period."""
    scheme = _unit_scheme(session, scheme_code)
    spec = parse_period(period_code)
    found = _result(session, scheme.code, spec.code)
    if found is None:
        raise ValidationError(f"积分制“{scheme.name}”{spec.label}的结果还没有提交签核（请先提交）")
    if found.state == "locked":
        raise ValidationError(f"积分制“{scheme.name}”{spec.label}已签核完毕并锁定")
    signed = signatures(session, found)
    step = _next(scheme, signed)
    if step is None:  # pragma: no cover - a locked result has no next step; kept for safety
        raise ValidationError("签核流程已全部完成")
    if actor.role != Role(step.role):
        raise PermissionDenied(f"“{step.title}”需由{Role(step.role).label}签字")
    if any(s.user_id == actor.user_id for s in signed) and len(scheme.signoff) > 1:
        raise PermissionDenied("同一人不能在签核流程中签两次，请由下一位审核人签字")
    verify_password(session, actor, password)
    _, digest = _live(session, scheme, spec)
    if digest != found.digest:
        raise ValidationError(f"提交签核后{spec.label}的积分有变动，请重新提交签核后再签字")
    seq = len(signed) + 1
    row = SchemeSignOff(result_id=found.id, seq=seq, step_title=step.title, role=step.role,
                        user_id=actor.user_id, signer_name=actor.display_name, digest=digest)
    session.add(row)
    session.flush()
    audit.record(session, actor, "scheme.sign", "scheme_result", f"{scheme.code}/{spec.code}",
                 step=step.title, digest=digest)
    if seq == len(scheme.signoff):
        found.state, found.locked_at = "locked", _now()
        session.flush()
        audit.record(session, actor, "scheme.lock", "scheme_result", f"{scheme.code}/{spec.code}", digest=digest)
    return row


def reopen(session: Session, actor: Actor, scheme_code: str, period_code: str, reason: str) -> None:
    """Unlock (or take back from signing) a scheme's period: the chief, with a reason."""
    require(actor, "period.reopen")
    scheme = _unit_scheme(session, scheme_code)
    spec = parse_period(period_code)
    reason = reason.strip()
    if not reason:
        raise ValidationError("解锁需要填写理由")
    if len(reason) > 500:
        raise ValidationError("理由不能超过 500 字")
    found = _result(session, scheme.code, spec.code)
    if found is None:
        raise ValidationError(f"积分制“{scheme.name}”{spec.label}没有提交签核，无需解锁")
    was = found.state
    _clear(session, actor, scheme, found, reason)
    session.delete(found)
    session.flush()
    audit.record(session, actor, "scheme.reopen", "scheme_result", f"{scheme.code}/{spec.code}",
                 was=was, digest=found.digest, reason=reason)


def signatures(session: Session, result: SchemeResult) -> list[SchemeSignOff]:
    return list(session.scalars(select(SchemeSignOff).where(SchemeSignOff.result_id == result.id)
                                .order_by(SchemeSignOff.seq)))


def ensure_writable(session: Session, scheme_code: str, day: dt.date) -> None:
    """Refuse an entry or a case review of a scheme on a day its locked period covers."""
    if scheme_code == PERSON_SCHEME:
        return
    locked = session.scalars(select(SchemeResult).where(SchemeResult.scheme == scheme_code,
                                                        SchemeResult.state == "locked")).all()
    for result in locked:
        spec = parse_period(result.period_code)
        if spec.start <= day <= spec.end:
            name = scheme_registry.scheme_of(session, scheme_code).name
            raise PeriodLocked(f"积分制“{name}”{spec.label}已签核锁定，{cn_date(day)}的记录不能再录入或更改。"
                               "如确需更正，请所长先解锁并填写理由。")


def parse_kind_label(kind: str) -> str:
    from desktop.services.scheme_rules import PERIOD_LABELS

    return PERIOD_LABELS.get(kind, kind)


def _unit_scheme(session: Session, code: str) -> Any:
    scheme = scheme_registry.scheme_of(session, code)
    if scheme.code == PERSON_SCHEME:
        raise ValidationError("个人积分按考核周期签核（jifen period submit/sign），不在这里签核")
    return scheme


def _result(session: Session, scheme: str, period_code: str) -> SchemeResult | None:
    return session.scalar(select(SchemeResult).where(SchemeResult.scheme == scheme,
                                                     SchemeResult.period_code == period_code))


def _next(scheme: Any, signed: list[SchemeSignOff]) -> Any:
    return scheme.signoff[len(signed)] if len(signed) < len(scheme.signoff) else None


def _live(session: Session, scheme: Any, spec: PeriodSpec) -> tuple[list[dict[str, Any]], str]:
    rows = [r.as_json(scheme) for r in scheme_scoring.score(session, scheme, spec.code)]
    station = get_station(session).code
    payload = json.dumps([station, scheme.code, spec.code, rows], ensure_ascii=False, separators=(",", ":"),
                         default=str, sort_keys=True)
    return _loads(_dumps(rows)), hashlib.sha256(payload.encode()).hexdigest()


def _dumps(rows: list[dict[str, Any]]) -> str:
    # Points are one-decimal Decimals: written as JSON numbers with the same text, read back
    # as Decimal (`_loads`), so a frozen row is exact and prints as the live one did.
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                      default=lambda v: float(v) if isinstance(v, Decimal) else str(v))


def _loads(text: str) -> list[dict[str, Any]]:
    return json.loads(text, parse_float=Decimal)


def _clear(session: Session, actor: Actor, scheme: Any, result: SchemeResult, reason: str) -> None:
    old = [(s.step_title, s.signer_name, s.signed_at.isoformat()) for s in signatures(session, result)]
    if old:
        session.execute(delete(SchemeSignOff).where(SchemeSignOff.result_id == result.id))
        audit.record(session, actor, "scheme.signatures_cleared", "scheme_result",
                     f"{scheme.code}/{result.period_code}", signatures=old, reason=reason)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
