"""What a signer must look at before signing a month's results: the lock checklist.

Signing with a grade quota broken by overrides, equal totals split
across a grade line, or the month's awards not yet given used to pass without a word. Each
such fact becomes one line the signer ticks in the sign dialog (and `jifen period sign`
prints) before the signature is taken; the last signature locks the month, so that is where
the list matters most. Unconfirmed members and open disputes are not on it: they block signing
outright (`signoff`), and the 审核 screen names them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop.models.periods import Period
from desktop.services import awards, scoring
from desktop.services.policies import policy_for
from desktop.services.scoring_grades import quota_breaches


def checklist(session: Session, period: Period, *, last_step: bool) -> list[str]:
    """The lines to tick before signing `period` (empty: nothing needs a decision)."""
    rows = scoring.results(session, period)
    lines: list[str] = []
    for breach in quota_breaches(rows, policy_for(session, period)):
        lines.append(f"等次比例不符：{breach}")
    tied = [r for r in rows if "tie_at_line" in r.flags]
    if tied:
        names = "、".join(f"{r.name}（{r.total / 10:g} 分）" for r in tied[:6])
        lines.append(f"{len(tied)} 人总分相同而处在等次分界线上（{names}），等次按排名规则确定，请核对")
    if last_step and period.kind == "month" and not awards.awards_of(session, period):
        lines.append("本月还没有评定奖励（月度之星等）：锁定后仍可评定，但公示时将没有奖励")
    return lines
