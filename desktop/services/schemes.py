"""Schemes (积分制) as configuration: who is scored, how the total is formed, how subjects are
ranked, graded, signed off and rewarded. Plain data; no database, no Qt.

A station runs one or more schemes side by side (汉阴 runs four: 党建工作 per 党支部, 基层基础
per 警务室, 执法办案 per officer in sequences, 队伍管理 per 所队室); today's five-component
person scheme is one of them (`PERSON`). Bundled presets live in resources/schemes/*.json and
a `schemes` row stores `Scheme.to_json()`. Points are integer tenths in memory and decimal
strings ("100", "2.5") in JSON, as in the catalogue and grade-policy files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.models.units import PERSON_SCHEME
from desktop.paths import resource
from desktop.services import scheme_rules as rules
from desktop.services.errors import ValidationError
from desktop.services.grade_policy import Policy, PolicyError, points_text
from desktop.services.grade_policy import load_preset as load_policy
from desktop.services.points import to_tenths
from desktop.services.scheme_rules import (  # re-exported: callers need only this module
    MEMBERS,
    PERIODS,
    RANK_WITHIN,
    SUBJECT_LABELS,
    SUBJECTS,
    SchemeError,
    fail,
)

if TYPE_CHECKING:
    from desktop.services.catalogue import ItemSpec

__all__ = ["MEMBERS", "PERIODS", "PERSON", "RANK_WITHIN", "SUBJECTS", "SUBJECT_LABELS", "Award", "LeaderRule",
           "Scheme", "SchemeError", "ScoreComponent", "SignStep", "UnitRanking", "load_all_presets",
           "load_preset", "preset_codes"]


@dataclass(frozen=True)
class ScoreComponent:
    """One signed part of the total (基础分 +, 扣分项 −), summed per month, then capped/floored."""

    key: str  # ascii; what catalogue items name as their `component`
    label: str
    sign: int = 1  # +1 adds to the total, -1 subtracts; entries themselves are always magnitudes
    monthly_cap_tenths: int | None = None  # None: uncapped (汉阴 基层基础: 加分上不封顶)
    floor: int | None = None  # tenths, the least a month's sum counts for; None: unfloored (扣分下不设底)


# The program knows four roles (admin, chief, clerk, officer); a bureau's chains name offices and
# leaders. The presets map them so: a leader (派出所所长, 分管局领导, 局主要领导) signs as `chief`;
# a staff office's check (政工室领导 over the office's own 积分台账, 法制大队, 治安大队) signs as
# `clerk`, the account such offices work under (see `actor.PERMISSIONS["case.review"]`). Steps
# with the same role are told apart by their title and the signer's name on the sheet.
@dataclass(frozen=True)
class SignStep:
    title: str  # printed on the sheet: 政工室领导审核, 法制大队复核 …
    role: str  # desktop.models.enums.Role value of the account that signs


@dataclass(frozen=True)
class LeaderRule:
    """领导带领责任: the head of a unit loses `levels` grades when the unit has a veto-class
    event (`on_veto`) or ranks last in its group (`on_last`)."""

    on_veto: bool = True
    on_last: bool = False
    levels: int = 1


@dataclass(frozen=True)
class Award:
    """A title given on this scheme's ranking: the `top` of each `per` group every `period`."""

    title: str
    per: str = "all"  # sequence | class | all
    period: str = "year"  # month | quarter | year
    top: int | None = 1  # None: no fixed number, the chief chooses among the eligible
    identity: str = ""  # persons only: police | auxiliary | contract, "" = anyone
    best_grade_only: bool = False  # only from the best grade (闪光民警: from grade A)


@dataclass(frozen=True)
class UnitRanking:
    """A person scheme whose totals are also added up per unit and the units ranked
    (执法办案: the officers' ranking is tied to their unit's year-end assessment)."""

    kind: str  # a unit kind
    members: str = "sum"  # sum | average
    rank_within: str = "all"  # class | sequence | all


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    subject: str  # person or a unit kind (SUBJECTS)
    components: tuple[ScoreComponent, ...]
    categories: tuple[str, ...]
    periods: tuple[str, ...]
    policy: str | Policy  # a grade-policy preset code or an inline policy
    signoff: tuple[SignStep, ...]
    starting_tenths: int | None = None  # added to the total for every month; None: no starting score
    catalogue: str = ""  # preset file under resources/catalogue; "" = none bundled
    item_prefix: str = ""  # every item code starts with it; "" only for the person scheme
    members: str = "none"  # how a unit's score relates to its members (MEMBERS)
    unit_entries: bool = False  # entries are recorded against the unit itself
    rank_within: str = "all"  # RANK_WITHIN
    sequences: tuple[str, ...] = ()  # names of the sequences, when ranked or rewarded per sequence
    unit_ranking: UnitRanking | None = None
    leader_rule: LeaderRule | None = None
    awards: tuple[Award, ...] = ()
    bottom_loses_eligibility: int = 0  # bottom units losing the year's 评先评优 eligibility
    bottom_reports: bool = False  # the bottom units make a statement (表态发言) at the bureau meeting
    case_tracking: bool = False  # entries carry 案件编号/案件类型 and count once reviewed
    reviewer: str = ""  # the unit that reviews and 通报 the scores (法制大队), or ""
    note: str = ""  # where the definition comes from and which choices were made

    @classmethod
    def from_json(cls, data: str | dict[str, Any], *, check: bool = True) -> Scheme:
        """Parse the JSON form (text or an already decoded object) and, by default, validate it."""
        scheme = _from_dict(_decoded(data))
        if check:
            scheme.validate()
        return scheme

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "subject": self.subject,
            "components": [{"key": c.key, "label": c.label, "sign": "+" if c.sign > 0 else "-",
                            "monthly_cap": _points_out(c.monthly_cap_tenths), "floor": _points_out(c.floor)}
                           for c in self.components],
            "starting": _points_out(self.starting_tenths),
            "categories": list(self.categories), "catalogue": self.catalogue, "item_prefix": self.item_prefix,
            "periods": list(self.periods), "members": self.members, "unit_entries": self.unit_entries,
            "rank_within": self.rank_within, "sequences": list(self.sequences),
            "unit_ranking": None if self.unit_ranking is None else {
                "kind": self.unit_ranking.kind, "members": self.unit_ranking.members,
                "rank_within": self.unit_ranking.rank_within},
            "policy": self.policy if isinstance(self.policy, str) else self.policy.to_dict(),
            "signoff": [{"title": s.title, "role": s.role} for s in self.signoff],
            "reviewer": self.reviewer, "case_tracking": self.case_tracking,
            "leader_rule": None if self.leader_rule is None else {
                "on_veto": self.leader_rule.on_veto, "on_last": self.leader_rule.on_last,
                "levels": self.leader_rule.levels},
            "awards": [{"title": a.title, "per": a.per, "period": a.period, "top": a.top,
                        "identity": a.identity, "best_grade_only": a.best_grade_only} for a in self.awards],
            "bottom_loses_eligibility": self.bottom_loses_eligibility, "bottom_reports": self.bottom_reports,
            "note": self.note,
        }

    def to_json(self) -> str:
        """The JSON form; `Scheme.from_json(s.to_json()) == s`."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def validate(self) -> None:
        """Every rule of the definition and, when it names one, of its bundled catalogue preset."""
        rules.check(self)
        path = self.catalogue_path()
        if path is not None:
            if not path.is_file():
                raise fail(self.name, f"细则预设“{self.catalogue}”不存在（应在 resources/catalogue 下）")
            rules.check_catalogue(self, json.loads(path.read_text("utf-8")))

    def grade_policy(self) -> Policy:
        return load_policy(self.policy) if isinstance(self.policy, str) else self.policy

    def component_keys(self) -> frozenset[str]:
        return frozenset(c.key for c in self.components)

    def component(self, key: str) -> ScoreComponent:
        for c in self.components:
            if c.key == key:
                return c
        raise KeyError(f"积分制“{self.name}”没有组成“{key}”")

    def catalogue_path(self) -> Path | None:
        return resource("catalogue", self.catalogue) if self.catalogue else None

    def catalogue_specs(self) -> tuple[str, list[ItemSpec]]:
        """The bundled catalogue preset as items ready for `catalogue.create_version(scheme=code)`.

        The person scheme's items name one of the five `Component`s; any other scheme's name
        its own component keys, which `ItemSpec.from_json` checks when given them.
        """
        from desktop.services.catalogue import ItemSpec  # the catalogue service pulls in the ORM

        path = self.catalogue_path()
        if path is None:
            raise fail(self.name, "没有内置的细则预设")
        data = json.loads(path.read_text("utf-8"))
        keys = None if self.code == PERSON_SCHEME else self.component_keys()
        return data["name"], [ItemSpec.from_json(raw, keys) for raw in data["items"]]


# --- the JSON form -------------------------------------------------------------------------

FIELD_LABELS = {
    "code": "代码", "name": "名称", "subject": "考核对象", "components": "积分组成", "starting": "起始分",
    "categories": "考核类别", "catalogue": "细则预设", "item_prefix": "项目编号前缀", "periods": "考核周期",
    "members": "成员计分方式", "unit_entries": "记给单位", "rank_within": "排名范围", "sequences": "考核序列",
    "unit_ranking": "单位汇总排名", "policy": "等次方案", "signoff": "签核流程", "reviewer": "复核单位",
    "case_tracking": "案件追溯", "leader_rule": "领导带领责任", "awards": "奖励",
    "bottom_loses_eligibility": "末位取消评先评优资格", "bottom_reports": "末位表态发言", "note": "说明",
}
_REQUIRED = ("code", "name", "subject", "components", "categories", "periods", "policy", "signoff")
_PLUS, _MINUS = {"+", "＋", "+1", 1}, {"-", "−", "－", "-1", -1}


def _decoded(data: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise SchemeError(f"积分制定义不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列") from exc
    if not isinstance(data, dict):
        raise SchemeError("积分制定义必须是一个 JSON 对象")
    return data


def _from_dict(raw: dict[str, Any]) -> Scheme:
    name = str(raw.get("name") or raw.get("code") or "?")
    _known(raw, set(FIELD_LABELS), name, "")
    missing = [FIELD_LABELS[k] for k in _REQUIRED if k not in raw]
    if missing:
        raise fail(name, f"缺少字段：{'、'.join(missing)}")
    comps = tuple(_component(c, name) for c in _list(raw, "components", name))
    policy = raw["policy"]
    if isinstance(policy, dict):
        try:
            policy = Policy.from_json(policy)
        except PolicyError as exc:
            raise fail(name, str(exc)) from exc  # already names its field: 等次方案字段 …
    elif not isinstance(policy, str):
        raise fail(name, "等次方案应为预设方案代码（如 abcd）或方案内容（JSON 对象）")
    ranking = _obj(raw.get("unit_ranking"), {"kind", "members", "rank_within"}, name, "单位汇总排名")
    leader = _obj(raw.get("leader_rule"), {"on_veto", "on_last", "levels"}, name, "领导带领责任")
    return Scheme(
        code=_text(raw, "code", name), name=_text(raw, "name", name), subject=_text(raw, "subject", name),
        components=comps, categories=_texts(raw, "categories", name), periods=_texts(raw, "periods", name),
        policy=policy, signoff=tuple(_step(s, name) for s in _list(raw, "signoff", name)),
        starting_tenths=_points(raw.get("starting"), name, "起始分"),
        catalogue=_text(raw, "catalogue", name), item_prefix=_text(raw, "item_prefix", name),
        members=_text(raw, "members", name, "none"), unit_entries=_flag(raw, "unit_entries", name, False),
        rank_within=_text(raw, "rank_within", name, "all"), sequences=_texts(raw, "sequences", name),
        unit_ranking=None if ranking is None else UnitRanking(
            kind=_text(ranking, "kind", name), members=_text(ranking, "members", name, "sum"),
            rank_within=_text(ranking, "rank_within", name, "all")),
        leader_rule=None if leader is None else LeaderRule(
            on_veto=_flag(leader, "on_veto", name, True), on_last=_flag(leader, "on_last", name, False),
            levels=_int(leader, "levels", name, "领导带领责任的降等级数", 1)),
        awards=tuple(_award(a, name) for a in _list(raw, "awards", name)),
        bottom_loses_eligibility=_int(raw, "bottom_loses_eligibility", name, "末位取消评先评优资格", 0),
        bottom_reports=_flag(raw, "bottom_reports", name, False),
        case_tracking=_flag(raw, "case_tracking", name, False), reviewer=_text(raw, "reviewer", name),
        note=_text(raw, "note", name),
    )


def _component(raw: Any, name: str) -> ScoreComponent:
    raw = _obj(raw, {"key", "label", "sign", "monthly_cap", "floor"}, name, "积分组成") or {}
    label = str(raw.get("label") or raw.get("key") or "?")
    sign = raw.get("sign", "+")
    if isinstance(sign, bool) or sign not in _PLUS | _MINUS:
        raise fail(name, f"组成“{label}”的符号应为 + 或 −")
    return ScoreComponent(key=_text(raw, "key", name), label=_text(raw, "label", name),
                          sign=1 if sign in _PLUS else -1,
                          monthly_cap_tenths=_points(raw.get("monthly_cap"), name, f"组成“{label}”的月上限"),
                          floor=_points(raw.get("floor"), name, f"组成“{label}”的下限"))


def _step(raw: Any, name: str) -> SignStep:
    raw = _obj(raw, {"title", "role"}, name, "签核环节") or {}
    return SignStep(title=_text(raw, "title", name), role=_text(raw, "role", name))


def _award(raw: Any, name: str) -> Award:
    raw = _obj(raw, {"title", "per", "period", "top", "identity", "best_grade_only"}, name, "奖励") or {}
    top = raw.get("top", 1)
    return Award(title=_text(raw, "title", name), per=_text(raw, "per", name, "all"),
                 period=_text(raw, "period", name, "year"),
                 top=None if top is None else _int(raw, "top", name, f"奖励“{raw.get('title', '')}”的名额", 1),
                 identity=_text(raw, "identity", name),
                 best_grade_only=_flag(raw, "best_grade_only", name, False))


def _known(raw: dict[str, Any], allowed: set[str], name: str, what: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise fail(name, f"{what}有未知字段“{unknown[0]}”（允许的字段：{'、'.join(sorted(allowed))}）")


def _obj(raw: Any, allowed: set[str], name: str, what: str) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise fail(name, f"{what}应为 JSON 对象")
    _known(raw, allowed, name, what)
    return raw


def _label(key: str) -> str:
    return FIELD_LABELS.get(key, key)


def _text(raw: dict[str, Any], key: str, name: str, default: str = "") -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise fail(name, f"{_label(key)}（{key}）应为文字")
    return value.strip()


def _texts(raw: dict[str, Any], key: str, name: str) -> tuple[str, ...]:
    values = _list(raw, key, name)
    if not all(isinstance(v, str) for v in values):
        raise fail(name, f"{_label(key)}（{key}）应为文字列表")
    return tuple(v.strip() for v in values)


def _list(raw: dict[str, Any], key: str, name: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise fail(name, f"{_label(key)}（{key}）应为列表")
    return value


def _flag(raw: dict[str, Any], key: str, name: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise fail(name, f"{_label(key)}（{key}）应为 true 或 false")
    return value


def _int(raw: dict[str, Any], key: str, name: str, what: str, default: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(name, f"{what}应为整数，实际为 {value!r}")
    return value


def _points(value: Any, name: str, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise fail(name, f"{what}应为分数（如 \"100\"）或 null")
    try:
        return to_tenths(str(value), field=what)
    except ValidationError as exc:
        raise fail(name, str(exc)) from exc


def _points_out(tenths: int | None) -> str | None:
    return None if tenths is None else points_text(tenths)


# --- the bundled presets --------------------------------------------------------------------

def preset_codes() -> list[str]:
    """Codes of the bundled scheme presets (file names in resources/schemes), person first."""
    codes = sorted(p.stem for p in resource("schemes").glob("*.json"))
    return sorted(codes, key=lambda c: c != PERSON_SCHEME)


@cache  # a Scheme is immutable, so one parsed copy per preset serves every caller
def load_preset(code: str) -> Scheme:
    """Load and validate a bundled preset: person, dangjian, jiceng, zhifa or duiwu."""
    if code not in preset_codes():
        raise SchemeError(f"没有名为“{code}”的预设积分制（可选：{'、'.join(preset_codes())}）")
    scheme = Scheme.from_json(resource("schemes", f"{code}.json").read_text("utf-8"))
    if scheme.code != code:
        raise fail(scheme.name, f"预设文件 {code}.json 中的代码是“{scheme.code}”，应与文件名一致")
    return scheme


def load_all_presets() -> list[Scheme]:
    """Every bundled preset, validated one by one and as schemes that run side by side."""
    schemes = [load_preset(code) for code in preset_codes()]
    rules.check_together(schemes)
    return schemes


# Read once at import: the scheme every station runs; its five components are the ledger's own
# (`scheme_rules` refuses any other), so the scorer and the workbooks can rely on them.
PERSON: Scheme = load_preset(PERSON_SCHEME)
