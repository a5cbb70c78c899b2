"""A catalogue sheet becomes a new catalogue version with its effective date.

Rows are grouped into versions by 版本UUID or 生效日期 (a column, or a date in the title
rows such as “自2026年4月1日起施行”). A version already in the database with the same items
is left alone; one with the same date but other items is refused, because a version in force
never changes (old months keep their points): the bureau must give a new effective date.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import fields
from typing import Any

from sqlalchemy import insert, select

from desktop.models.catalogue import CatalogueItem, CatalogueVersion
from desktop.models.enums import Component, PointsMode
from desktop.models.units import PERSON_SCHEME
from desktop.services.catalogue import ItemSpec
from desktop.services.errors import ValidationError
from desktop.services.exchange import vocab
from desktop.services.exchange.cells import CellError
from desktop.services.exchange.plan import ItemRef, Plan
from desktop.services.exchange.reader import Row, Table, effective_date_above
from desktop.services.text import cn_date

LABEL = "考核细则版本"
ITEM_LABEL = "考核细则项目"
SPEC_FIELDS = [f.name for f in fields(ItemSpec)]


def plan_catalogue(plan: Plan, table: Table) -> None:
    counts = plan.report.count(LABEL)
    groups: dict[tuple[str, str, Any], list[tuple[Row, ItemSpec, str | None]]] = {}
    heads: dict[tuple[str, str, Any], dict[str, Any]] = {}
    above = effective_date_above(table)
    for row in table.rows:
        v = row.values
        start = v.get("effective_from") or above
        if start is None:
            plan.cell_problem(table, row.number, "effective_from",
                              "缺少生效日期：请加一列“生效日期”，或在表格标题中写明“自2026年4月1日起施行”")
            plan.report.count(ITEM_LABEL).add("rejected")
            continue
        found = _spec(plan, table, row)
        if found is None:
            plan.report.count(ITEM_LABEL).add("rejected")
            continue
        spec, scheme = found
        key = (scheme, "uuid", v["version_uuid"]) if v.get("version_uuid") else (scheme, "date", start)
        groups.setdefault(key, []).append((row, spec, v.get("item_uuid")))
        heads.setdefault(key, {"uuid": v.get("version_uuid"), "effective_from": start, "scheme": scheme,
                               "name": v.get("version_name") or _title(table, start)})
    for key, members in groups.items():
        counts.add(_plan_version(plan, table, heads[key], members))


def _title(table: Table, start: dt.date) -> str:
    for text in table.above:
        if text.strip():
            return text.strip()[:100]
    return f"{cn_date(start)}起施行的考核细则"


def _spec(plan: Plan, table: Table, row: Row) -> tuple[ItemSpec, str] | None:
    """The item a row describes and the code of the scheme whose catalogue it belongs to."""
    v = row.values
    if not row.ok:
        return None
    for key, what in (("code", "项目编号"), ("name", "项目名称"), ("category", "类别"), ("component", "积分组成")):
        if not v.get(key):
            plan.cell_problem(table, row.number, key, f"{what}不能为空")
            return None
    scheme = plan.scheme(v.get("scheme"))
    if scheme is None:
        plan.cell_problem(table, row.number, "scheme", "本单位没有运行这个积分制（见“积分制”表；安装积分制须由管理员"
                          "在“设置”中进行）", v["scheme"])
        return None
    component: Component | str
    try:
        if scheme.code == PERSON_SCHEME:
            component = vocab.component(v["component"])
            sign = component.sign
        else:
            component = vocab.scheme_component(scheme, v["component"])
            sign = scheme.component(component).sign
    except CellError as exc:
        plan.cell_problem(table, row.number, "component", str(exc), v["component"])
        return None
    if scheme.item_prefix and not v["code"].startswith(scheme.item_prefix):
        plan.cell_problem(table, row.number, "code", f"积分制“{scheme.name}”的项目编号应以 {scheme.item_prefix} 开头",
                          v["code"])
        return None
    try:
        mode = vocab.points_mode(v["points_mode"]) if v.get("points_mode") else (
            PointsMode.RANGE if v.get("min") is not None and v.get("max") is not None else PointsMode.FIXED)
    except CellError as exc:
        plan.cell_problem(table, row.number, "points_mode", str(exc), v["points_mode"])
        return None
    points = v.get("points")
    if points is None and mode != PointsMode.RANGE:
        plan.cell_problem(table, row.number, "points", "分值不能为空")
        return None

    def magnitude(value: int | None) -> int | None:
        # Deductions are often typed as negative numbers; the component already says "minus".
        return abs(value) if value is not None and sign < 0 else value

    spec = ItemSpec(code=v["code"], category=v["category"], name=v["name"], component=component,
                    points_mode=mode, points_tenths=magnitude(points) or 0, min_tenths=magnitude(v.get("min")),
                    max_tenths=magnitude(v.get("max")), monthly_cap_tenths=v.get("monthly_cap"),
                    unit=v.get("unit") or "次", subcategory=v.get("subcategory") or "",
                    evidence_required=bool(v.get("evidence_required")), veto=bool(v.get("veto")),
                    daily_duty=bool(v.get("daily_duty")), self_report=bool(v.get("self_report")))
    try:
        spec.validate()
    except ValidationError as exc:
        plan.cell_problem(table, row.number, "points", str(exc), v.get("points"))
        return None
    return spec, scheme.code


def _existing_version(plan: Plan, head: dict[str, Any]) -> CatalogueVersion | None:
    # Each scheme has versions of its own: the same date may start one in two schemes.
    query = select(CatalogueVersion).where(CatalogueVersion.scheme == head["scheme"])
    if head["uuid"]:
        found = plan.session.scalar(query.where(CatalogueVersion.uuid == head["uuid"]))
        if found is not None:
            return found
    return plan.session.scalar(query.where(CatalogueVersion.effective_from == head["effective_from"]))


def _plan_version(plan: Plan, table: Table, head: dict[str, Any],
                  members: list[tuple[Row, ItemSpec, str | None]]) -> str:
    items = plan.report.count(ITEM_LABEL)
    codes: dict[str, int] = {}
    for row, spec, _ in members:
        if spec.code in codes:
            plan.cell_problem(table, row.number, "code", f"同一版本中项目编号与第 {codes[spec.code]} 行重复", spec.code)
            items.add("rejected")
            return "rejected"
        codes[spec.code] = row.number
    existing = _existing_version(plan, head)
    if existing is not None:
        ours = {i.code: ItemSpec.of(i) for i in existing.items}
        theirs = {spec.code: spec for _, spec, _ in members}
        if ours == theirs and existing.effective_from == head["effective_from"]:
            items.add("unchanged", len(members))
            return "unchanged"
        first = members[0][0]
        plan.cell_problem(table, first.number, "effective_from",
                          f"{cn_date(existing.effective_from)}生效的考核细则“{existing.name}”已存在且内容不同；"
                          "已生效的版本不能修改，请改用新的生效日期", head["effective_from"])
        items.add("rejected", len(members))
        return "rejected"
    index = plan.catalogue_of(head["scheme"])
    if any(start == head["effective_from"] for start in index.starts):
        plan.cell_problem(table, members[0][0].number, "effective_from", "本工作簿中同一生效日期有两个版本",
                          head["effective_from"])
        return "rejected"
    taken = set(plan.catalogue.by_uuid).union(*(c.by_uuid for c in plan.catalogues.values()))
    records, refs = [], []
    for order, (_, spec, item_uuid) in enumerate(members, start=1):
        record = {name: getattr(spec, name) for name in SPEC_FIELDS}
        record |= {"component": str(spec.component), "points_mode": spec.points_mode.value, "sort_order": order,
                   "uuid": item_uuid if item_uuid and item_uuid not in taken else str(uuid.uuid4())}
        records.append(record)
        refs.append(ItemRef(record["uuid"], spec.code, spec.name, spec.category, record["component"],
                            record["points_mode"], spec.points_tenths, spec.min_tenths, spec.max_tenths, spec.veto,
                            spec.unit, evidence_required=spec.evidence_required))
    version = {"uuid": head["uuid"] or str(uuid.uuid4()), "effective_from": head["effective_from"],
               "name": head["name"], "note": f"导入自“{plan.report.path.name}”", "scheme": head["scheme"]}
    plan.new_versions.append((version, records))
    index.add(head["effective_from"], refs)
    items.add("new", len(members))
    return "new"


def apply_catalogue(plan: Plan) -> None:
    session = plan.session
    for version, records in plan.new_versions:
        row = CatalogueVersion(**version)
        session.add(row)
        session.flush()
        session.execute(insert(CatalogueItem), [r | {"version_id": row.id} for r in records])
    if plan.new_versions:
        ids = dict(session.execute(select(CatalogueItem.uuid, CatalogueItem.id)).all())
        for index in (plan.catalogue, *plan.catalogues.values()):
            for ref in index.by_uuid.values():
                ref.id = ids.get(ref.uuid, ref.id)


def component_of(ref: ItemRef) -> Component:
    return Component(ref.component)
