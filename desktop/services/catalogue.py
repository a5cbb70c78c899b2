"""The scoring catalogue: presets, versions by effective date, and item lookup."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.catalogue import CatalogueItem, CatalogueVersion
from desktop.models.enums import Component, PointsMode
from desktop.models.units import PERSON_SCHEME
from desktop.paths import resource
from desktop.services import audit
from desktop.services.actor import Actor, require
from desktop.services.errors import NotFound, ValidationError
from desktop.services.points import fmt, to_tenths
from desktop.services.text import cn_date


@dataclass
class ItemSpec:
    """One catalogue item as plain data (from a preset, a workbook or the settings screen)."""

    code: str
    category: str
    name: str
    # One of the person scheme's five components, or a component key of another scheme's
    # definition (数量分, 绩效积分 …): `create_version` checks it against the scheme.
    component: Component | str
    points_mode: PointsMode = PointsMode.FIXED
    points_tenths: int = 0
    min_tenths: int | None = None
    max_tenths: int | None = None
    monthly_cap_tenths: int | None = None
    unit: str = "次"
    subcategory: str = ""
    evidence_required: bool = False
    veto: bool = False
    daily_duty: bool = False
    self_report: bool = False  # an officer may report it himself (自报)

    def validate(self) -> None:
        where = f"项目 {self.code}“{self.name}”"
        if not self.code.strip() or not self.name.strip() or not self.category.strip():
            raise ValidationError(f"{where}：编号、名称和类别都不能为空")
        if self.points_tenths < 0:
            raise ValidationError(f"{where}：分值填正数，加减由所属积分组成决定")
        if self.points_mode == PointsMode.RANGE:
            if self.min_tenths is None or self.max_tenths is None or self.min_tenths > self.max_tenths:
                raise ValidationError(f"{where}：区间赋分需要下限和上限，且下限不大于上限")
        if self.monthly_cap_tenths is not None and self.monthly_cap_tenths <= 0:
            raise ValidationError(f"{where}：月上限必须大于 0")

    @classmethod
    def from_json(cls, raw: dict[str, Any], components: frozenset[str] | None = None) -> ItemSpec:
        """An item of the person scheme (`components` None: one of the five) or of a scheme
        whose component keys are `components`."""
        def opt(key: str) -> int | None:
            value = raw.get(key)
            return None if value in (None, "") else to_tenths(value, field=key)

        try:
            return cls(
                code=str(raw["code"]), category=str(raw["category"]), name=str(raw["name"]),
                component=_component(raw["component"], components),
                points_mode=PointsMode(raw.get("points_mode", "fixed")),
                points_tenths=to_tenths(raw.get("points", "0")), min_tenths=opt("min"), max_tenths=opt("max"),
                monthly_cap_tenths=opt("monthly_cap"), unit=str(raw.get("unit", "次")),
                subcategory=str(raw.get("subcategory", "")),
                evidence_required=bool(raw.get("evidence_required", False)), veto=bool(raw.get("veto", False)),
                daily_duty=bool(raw.get("daily_duty", False)), self_report=bool(raw.get("self_report", False)),
            )
        except (KeyError, ValueError) as exc:
            raise ValidationError(f"考核项目 {raw.get('code', '?')} 格式不对：{exc}") from exc

    @classmethod
    def of(cls, item: CatalogueItem) -> ItemSpec:
        names = [f.name for f in fields(cls)]
        values = {n: getattr(item, n) for n in names}
        values["component"] = Component(item.component) if item.component in Component._value2member_map_ \
            else item.component
        values["points_mode"] = PointsMode(item.points_mode)
        return cls(**values)


def _component(value: Any, components: frozenset[str] | None) -> Component | str:
    if components is None:
        return Component(value)
    if str(value) not in components:
        raise ValueError(f"积分组成“{value}”不在本积分制的组成（{'、'.join(sorted(components))}）中")
    return str(value)


def load_preset_specs(path: Path | None = None, components: frozenset[str] | None = None
                      ) -> tuple[str, list[ItemSpec]]:
    """A bundled catalogue: the person scheme's (`components` None) or another scheme's."""
    data = json.loads((path or resource("catalogue", "default.json")).read_text("utf-8"))
    return data["name"], [ItemSpec.from_json(raw, components) for raw in data["items"]]


def create_version(session: Session, actor: Actor, effective_from: dt.date, name: str,
                   specs: list[ItemSpec], note: str = "", scheme: str = PERSON_SCHEME) -> CatalogueVersion:
    """Add a complete catalogue in force from `effective_from`; earlier months keep their points."""
    require(actor, "catalogue.edit")
    codes = [s.code for s in specs]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise ValidationError(f"考核项目编号重复：{'、'.join(dupes)}")
    for spec in specs:
        spec.validate()
    if session.scalar(select(CatalogueVersion).where(CatalogueVersion.effective_from == effective_from,
                                                     CatalogueVersion.scheme == scheme)):
        raise ValidationError(f"{cn_date(effective_from)} 生效的考核细则版本已存在")
    version = CatalogueVersion(effective_from=effective_from, name=name, note=note, scheme=scheme)
    session.add(version)
    session.flush()
    for order, spec in enumerate(specs, start=1):
        values = {f.name: getattr(spec, f.name) for f in fields(ItemSpec)}
        values["component"] = str(spec.component)
        values["points_mode"] = spec.points_mode.value
        session.add(CatalogueItem(version_id=version.id, sort_order=order, **values))
    session.flush()
    audit.record(session, actor, "catalogue.version", "catalogue_version", version.uuid,
                 effective_from=effective_from, name=name, items=len(specs))
    return version


def install_preset(session: Session, actor: Actor, effective_from: dt.date) -> CatalogueVersion:
    name, specs = load_preset_specs()
    return create_version(session, actor, effective_from, name, specs, note="默认预设")


def version_in_force(session: Session, day: dt.date, scheme: str = PERSON_SCHEME) -> CatalogueVersion:
    version = session.scalar(
        select(CatalogueVersion).where(CatalogueVersion.effective_from <= day, CatalogueVersion.scheme == scheme)
        .order_by(CatalogueVersion.effective_from.desc()).limit(1)
    )
    if version is None:
        raise NotFound(f"{cn_date(day)} 没有生效的考核细则，请先在“考核细则”中建立版本")
    return version


def list_versions(session: Session, scheme: str = PERSON_SCHEME) -> list[CatalogueVersion]:
    return list(session.scalars(select(CatalogueVersion).where(CatalogueVersion.scheme == scheme)
                                .order_by(CatalogueVersion.effective_from)))


def items_in_force(session: Session, day: dt.date, *, daily_duty: bool | None = None,
                   scheme: str = PERSON_SCHEME) -> list[CatalogueItem]:
    version = version_in_force(session, day, scheme)
    query = select(CatalogueItem).where(CatalogueItem.version_id == version.id)
    if daily_duty is not None:
        query = query.where(CatalogueItem.daily_duty == daily_duty)
    return list(session.scalars(query.order_by(CatalogueItem.sort_order)))


def item_in_force(session: Session, code: str, day: dt.date, scheme: str | None = None) -> CatalogueItem:
    """The item `code` in force on `day`: in `scheme`'s catalogue, or (None) in whichever
    scheme's it is (item codes carry their scheme's prefix, so at most one has it)."""
    version = version_in_force(session, day, scheme or PERSON_SCHEME)
    item = session.scalar(
        select(CatalogueItem).where(CatalogueItem.version_id == version.id, CatalogueItem.code == code)
    )
    if item is None and scheme is None:
        for other in _other_schemes(session):
            try:
                candidate = version_in_force(session, day, other)
            except NotFound:
                continue
            item = session.scalar(select(CatalogueItem).where(CatalogueItem.version_id == candidate.id,
                                                              CatalogueItem.code == code))
            if item is not None:
                break
    if item is None:
        raise NotFound(f"考核细则“{version.name}”中没有编号为 {code} 的项目")
    return item


def _other_schemes(session: Session) -> list[str]:
    query = select(CatalogueVersion.scheme).where(CatalogueVersion.scheme != PERSON_SCHEME).distinct()
    return sorted(session.scalars(query))


def describe_points(item: CatalogueItem) -> str:
    """How an item scores, for pickers and printed lists: '每起 2.0 分', '1.0–5.0 分'."""
    if item.points_mode == PointsMode.RANGE.value:
        text = f"{fmt(item.min_tenths)}–{fmt(item.max_tenths)} 分"
    elif item.points_mode == PointsMode.PER_UNIT.value:
        text = f"每{item.unit} {fmt(item.points_tenths)} 分"
    else:
        text = f"{fmt(item.points_tenths)} 分/{item.unit}"
    if item.monthly_cap_tenths:
        text += f"，月上限 {fmt(item.monthly_cap_tenths)}"
    return text
