"""Station settings that travel with the data (the `settings` table), each with its default.

    publish_early(session)           # may officers see colleagues' months before they are signed?
    alert_rules(session)             # the early-warning rules
    file_aspects(session)            # the station's own filing of categories under the 政绩档案's six aspects
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from desktop.models.station import Setting
from desktop.services import audit
from desktop.services.actor import Actor, require
from desktop.services.errors import ValidationError

DEFAULT_ALERTS: list[dict[str, Any]] = [
    {"kind": "deductions", "count": 3, "days": 30},  # 3 deductions of one category within 30 days
    {"kind": "low_months", "months": 2},  # the worst grade (or the two worst) two months in a row
]
KEYS = {"publish_early": "未签核月份向全体民警公开", "alert_rules": "预警规则",
        "file_aspects": "政绩档案六个方面的归类"}


def get(session: Session, key: str, default: str = "") -> str:
    row = session.get(Setting, key)
    return row.value if row is not None else default


def put(session: Session, actor: Actor, key: str, value: str) -> None:
    require(actor, "station.edit")
    if key not in KEYS:
        raise ValidationError(f"没有名为“{key}”的设置，可选：{'、'.join(KEYS)}")
    if len(value) > 2000:
        raise ValidationError("设置值不能超过 2000 字符")
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()
    audit.record(session, actor, "setting.set", "setting", key, value=value)


def publish_early(session: Session) -> bool:
    return get(session, "publish_early", "0") == "1"


def set_publish_early(session: Session, actor: Actor, on: bool) -> None:
    put(session, actor, "publish_early", "1" if on else "0")


def alert_rules(session: Session) -> list[dict[str, Any]]:
    raw = get(session, "alert_rules")
    if not raw:
        return [dict(r) for r in DEFAULT_ALERTS]
    try:
        rules = json.loads(raw)
    except json.JSONDecodeError:
        return [dict(r) for r in DEFAULT_ALERTS]
    return rules if isinstance(rules, list) else [dict(r) for r in DEFAULT_ALERTS]


def set_alert_rules(session: Session, actor: Actor, rules: list[dict[str, Any]]) -> None:
    for i, rule in enumerate(rules, 1):
        kind = rule.get("kind")
        if kind == "deductions":
            if not (isinstance(rule.get("count"), int) and 2 <= rule["count"] <= 20
                    and isinstance(rule.get("days"), int) and 1 <= rule["days"] <= 366):
                raise ValidationError(f"第 {i} 条预警规则：扣分次数应为 2–20，天数应为 1–366")
        elif kind == "low_months":
            if not (isinstance(rule.get("months"), int) and 2 <= rule["months"] <= 12):
                raise ValidationError(f"第 {i} 条预警规则：连续月数应为 2–12")
        else:
            raise ValidationError(f"第 {i} 条预警规则的类型“{kind}”不对，应为 deductions 或 low_months")
    put(session, actor, "alert_rules", json.dumps(rules, ensure_ascii=False))


def file_aspects(session: Session) -> dict[str, str]:
    """{category: aspect} the station chose (services.file_aspects checks and applies it); a
    damaged value reads as no choice, so the file falls back to the defaults."""
    raw = get(session, "file_aspects")
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def set_file_aspects(session: Session, actor: Actor, mapping: dict[str, str]) -> None:
    """Store the choices `services.file_aspects.set_aspect` validated (category and aspect names)."""
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise ValidationError("政绩档案归类应写作 {\"类别\": \"方面\"}")
    put(session, actor, "file_aspects", json.dumps(dict(sorted(mapping.items())), ensure_ascii=False))
