"""A catalogue sheet becomes a new catalogue version with its effective date.

Rows are grouped into versions by 版本UUID or 生效日期 (a column, or a date in the title
rows such as “自2026年4月1日起施行”). A version already in the database with the same items
is left alone; one with the same date but other items is refused, because a version in force
never changes (old months keep their points): the bureau must give a new effective date.

A county's own 考核细则 (any workbook that is not a jifen export) may also write its points as
text (“每起加2分”), keep its categories in section rows (“一、基础工作（60分）”) and have no item
codes or 积分组成: `County` reads those (with `catalogue_text`), and every value it infers is
recorded with `report.derive` so the preview shows it beside the row for the clerk to confirm.
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
from desktop.services import schemes
from desktop.services.catalogue import ItemSpec
from desktop.services.errors import ValidationError
from desktop.services.exchange import catalogue_text, vocab
from desktop.services.exchange.catalogue_text import TextPoints
from desktop.services.exchange.cells import CellError, column_letter, parse_points, value_text
from desktop.services.exchange.plan import ItemRef, Plan
from desktop.services.exchange.reader import Row, Table, effective_date_above, open_sheets, sheet_rows
from desktop.services.exchange.schema import CATALOGUE, header_key, synonyms_of
from desktop.services.points import fmt
from desktop.services.text import cn_date

LABEL = "考核细则版本"
ITEM_LABEL = "考核细则项目"
SPEC_FIELDS = [f.name for f in fields(ItemSpec)]
_NAME_HEADERS = frozenset(k for k, v in synonyms_of(CATALOGUE).items() if v == "name")


def plan_catalogue(plan: Plan, table: Table) -> None:
    counts = plan.report.count(LABEL)
    groups: dict[tuple[str, str, Any], list[tuple[Row, ItemSpec, str | None]]] = {}
    heads: dict[tuple[str, str, Any], dict[str, Any]] = {}
    above = effective_date_above(table)
    county = None if plan.authoritative else County(plan, table)  # a jifen export is read as written
    for row in table.rows:
        if county is not None and row.number in county.headings:
            continue
        v = row.values
        start = v.get("effective_from") or above
        if start is None:
            plan.cell_problem(table, row.number, "effective_from",
                              "缺少生效日期：请加一列“生效日期”，或在表格标题中写明“自2026年4月1日起施行”")
            plan.report.count(ITEM_LABEL).add("rejected")
            continue
        found = _spec(plan, table, row, county)
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
            # A title merged across the table may come back once per cell: keep it once.
            parts = text.split()
            return " ".join(p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1])[:100]
    return f"{cn_date(start)}起施行的考核细则"


class County:
    """What a county-shaped catalogue sheet leaves unsaid, worked out once per table: its section
    rows and the category each row is under, made item codes, points written as text."""

    def __init__(self, plan: Plan, table: Table) -> None:
        self.plan, self.table = plan, table
        self.headings: set[int] = set()
        self.sections: dict[int, tuple[str | None, str | None]] = {}  # row → (category, subcategory)
        self.codes: dict[str, tuple[str, int]] = {}  # folded category → (prefix, items so far)
        self.taken = {s.item_prefix.rstrip("-") for s in _all_schemes(plan) if s.item_prefix}
        self._find_sections()

    def _find_sections(self) -> None:
        table = self.table
        rows = {r.number: r for r in table.rows}
        last = max(rows, default=table.header_row)
        grid: list[list[Any]] | None = None
        if len(rows) < last - table.header_row:  # rows the reader skipped: a heading only in 序号 is one
            grid = self._grid()
        top: tuple[str, int] | None = None
        sub: str | None = None
        said: list[tuple[int, str]] = []  # (row, notice) per heading
        items_after = False  # whether an item follows the last heading
        for number in range(table.header_row + 1, last + 1):
            row = rows.get(number)
            cells = row.cells if row is not None else (grid[number - 1] if grid and number <= len(grid) else [])
            found = catalogue_text.section_heading(cells, table.columns.get("name"))
            if found is not None:
                level, name, columns = found
                if top is None or level <= top[1]:
                    top, sub = (name, level), None
                else:
                    sub = name
                self.headings.add(number)
                if row is not None:  # a merged heading filled across the row: not an item with bad cells
                    _withdraw(self.plan, table, number, {column_letter(c) for c in columns})
                said.append((number, f"分节行：以下项目的类别为“{top[0]}”" + (f"，子类为“{sub}”" if sub else "")))
                items_after = False
            elif row is not None:
                self.sections[number] = (top[0] if top else None, sub)
                items_after = True
        if said and not items_after:  # a heading with no item after it is a note under the table
            said[-1] = (said[-1][0], "表格末尾的说明行，已跳过")
        for number, text in said:
            self.plan.report.notice(table.sheet, number, text)

    def _grid(self) -> list[list[Any]]:
        """The sheet as the reader saw it, rows it skipped included (the reader has just opened it)."""
        book = open_sheets(self.plan.book.path)
        try:
            return sheet_rows(book, self.table.sheet)
        finally:
            book.close()

    def category(self, row: Row) -> tuple[str | None, str | None, str]:
        """(category, subcategory, where it came from) for a row whose sheet leaves it blank."""
        top, sub = self.sections.get(row.number, (None, None))
        if not self.table.has("category"):
            name_col = self.table.columns.get("name", -1)
            for col, header in sorted(self.table.extra.items()):  # 考核项目 beside 考核内容: the group
                if col < name_col and header_key(header) in _NAME_HEADERS and col < len(row.cells):
                    text = catalogue_text.section_name(value_text(row.cells[col]))
                    if text:
                        return text, sub or (top if top != text else None), f"“{header}”列"
        return top, sub, "分节行"

    def code(self, category: str) -> str:
        """The next code of `category`: its prefix (pinyin initials, in the order categories first
        appear) and a running number, so the same sheet always gives the same codes."""
        key = " ".join(category.split())
        prefix, count = self.codes.get(key) or (catalogue_text.code_prefix(category, self.taken), 0)
        self.taken.add(prefix)
        self.codes[key] = (prefix, count + 1)
        return f"{prefix}-{count + 1:02d}"

    def points_text(self, row: Row) -> tuple[str | None, bool]:
        """(the 分值 cell's text when it is not a plain number, whether the row is still readable).

        The reader parses 分值 as a number on every sheet; here the text is read by `catalogue_text`
        instead, so the reader's “应为数字” for that cell is withdrawn (its own verdict follows)."""
        col = self.table.columns.get("points")
        raw = row.cells[col] if col is not None and col < len(row.cells) else None
        if row.values.get("points") is not None or not isinstance(raw, str) or not raw.strip():
            return None, row.ok
        ok = _withdraw(self.plan, self.table, row.number, {column_letter(col)} if col is not None else set(),
                       raw)
        return (raw, ok) if ok is not None else (None, row.ok)


def _all_schemes(plan: Plan) -> list[Any]:
    """The schemes whose item prefixes a made code must not take: those run and the bundled ones."""
    return [*plan.schemes.values(), *(schemes.load_preset(code) for code in schemes.preset_codes())]


def _withdraw(plan: Plan, table: Table, number: int, columns: set[str], raw: str | None = None) -> bool | None:
    """Drop the reader's problems for these cells of a row; whether the row has none left, or None
    when a problem there is not the number parser's (a cell far too long stays refused)."""
    reason = None
    if raw is not None:
        try:
            parse_points(raw)
        except CellError as exc:
            reason = str(exc)
    problems = plan.report.problems
    mine = [p for p in problems if p.sheet == table.sheet and p.row == number and p.column in columns]
    if raw is not None and any(p.reason != reason for p in mine):
        return None
    plan.report.problems = [p for p in problems if not any(p is m for m in mine)]
    return not any(p.sheet == table.sheet and p.row == number for p in plan.report.problems)


def _spec(plan: Plan, table: Table, row: Row, county: County | None) -> tuple[ItemSpec, str] | None:
    """The item a row describes and the code of the scheme whose catalogue it belongs to."""
    v = row.values
    text, ok = county.points_text(row) if county is not None else (None, row.ok)
    if not ok:
        return None
    category, subcategory, made = v.get("category"), v.get("subcategory"), ""
    if county is not None and not category:
        category, sub, made = county.category(row)
        subcategory = subcategory or sub
    required = [("name", "项目名称"), ("category", "类别")]
    if county is None or table.has("code"):
        required.insert(0, ("code", "项目编号"))
    if county is None or table.has("component"):
        required.append(("component", "积分组成"))
    for key, what in required:
        if not (category if key == "category" else v.get(key)):
            plan.cell_problem(table, row.number, key, f"{what}不能为空")
            return None
    assert category is not None
    scheme = plan.scheme(v.get("scheme"))
    if scheme is None:
        plan.cell_problem(table, row.number, "scheme", "本单位没有运行这个积分制（见“积分制”表；安装积分制须由管理员"
                          "在“设置”中进行）", v["scheme"])
        return None
    person = scheme.code == PERSON_SCHEME
    for key, what in (("code", "项目编号"), ("component", "积分组成")):
        if not v.get(key) and not person:  # only the person scheme's items are inferred
            plan.cell_problem(table, row.number, key, f"{what}不能为空")
            return None
    code = v.get("code") or (county.code(category) if county is not None else "")
    component: Component | str | None = None
    sign = 1
    if v.get("component"):
        try:
            if person:
                component = vocab.component(v["component"])
                sign = component.sign
            else:
                component = vocab.scheme_component(scheme, v["component"])
                sign = scheme.component(component).sign
        except CellError as exc:
            plan.cell_problem(table, row.number, "component", str(exc), v["component"])
            return None
    if scheme.item_prefix and not code.startswith(scheme.item_prefix):
        plan.cell_problem(table, row.number, "code", f"积分制“{scheme.name}”的项目编号应以 {scheme.item_prefix} 开头",
                          code)
        return None
    try:
        mode = vocab.points_mode(v["points_mode"]) if v.get("points_mode") else (
            PointsMode.RANGE if v.get("min") is not None and v.get("max") is not None else PointsMode.FIXED)
    except CellError as exc:
        plan.cell_problem(table, row.number, "points_mode", str(exc), v["points_mode"])
        return None
    read: TextPoints | None = None
    if text is not None or v.get("standard"):
        try:
            read = catalogue_text.read_points(text, v.get("points"), v.get("standard"))
        except catalogue_text.PointsError as exc:
            plan.cell_problem(table, row.number, exc.key, str(exc), v.get(exc.key) if exc.key == "standard" else text)
            return None
    points = v.get("points")
    if read is None and points is None and mode != PointsMode.RANGE:
        plan.cell_problem(table, row.number, "points", "分值不能为空")
        return None
    why = ""
    if component is None:
        word_sign = read.sign if read else (-1 if points is not None and points < 0 else None)
        word = read.sign_word if read else ("负数" if word_sign else "")
        context = " ".join(t for t in (category, subcategory, *county.sections.get(row.number, ()))
                           if t) if county is not None else category
        component, why = catalogue_text.infer_component(context, v["name"], word_sign, word)
        sign = component.sign
    elif read is not None and read.sign is not None and read.sign != sign:
        label = component.label if isinstance(component, Component) else str(component)
        plan.cell_problem(table, row.number, "standard" if v.get("standard") else "points",
                          f"计分标准写的是{'扣分' if read.sign < 0 else '加分'}，积分组成却是“{label}”",
                          v.get("standard") or text)
        return None

    def magnitude(value: int | None) -> int | None:
        # Deductions are often typed as negative numbers; the component already says "minus".
        return abs(value) if value is not None and sign < 0 else value

    low, high, cap = magnitude(v.get("min")), magnitude(v.get("max")), v.get("monthly_cap")
    unit = v.get("unit") or "次"
    if read is not None:  # the sheet's own columns win over what the text implies
        mode = vocab.points_mode(v["points_mode"]) if v.get("points_mode") else (
            PointsMode.RANGE if low is not None and high is not None else read.mode)
        points, low, high = read.points_tenths, read.min_tenths if low is None else low, \
            read.max_tenths if high is None else high
        cap = read.monthly_cap_tenths if cap is None else cap
        unit = v.get("unit") or read.unit or "次"
    spec = ItemSpec(code=code, category=category, name=v["name"], component=component,
                    points_mode=mode, points_tenths=(points if read is not None else magnitude(points)) or 0,
                    min_tenths=low, max_tenths=high, monthly_cap_tenths=cap,
                    unit=unit, subcategory=subcategory or "",
                    evidence_required=bool(v.get("evidence_required")), veto=bool(v.get("veto")),
                    daily_duty=bool(v.get("daily_duty")), self_report=bool(v.get("self_report")))
    try:
        spec.validate()
    except ValidationError as exc:
        plan.cell_problem(table, row.number, "points", str(exc), text if text is not None else v.get("points"))
        return None
    derive = plan.report.derive
    if made:
        derive(table.sheet, row.number, "类别", f"{category}（{made}）" + (f"，子类 {subcategory}" if subcategory else ""))
    if not v.get("code"):
        derive(table.sheet, row.number, "项目编号", code)
    if why:
        derive(table.sheet, row.number, "积分组成", f"{component.label}（{why}）")  # type: ignore[union-attr]
    if read is not None:
        derive(table.sheet, row.number, "计分", _describe(spec))
    return spec, scheme.code


def _describe(spec: ItemSpec) -> str:
    """How an item scores, for the preview: “按数量计分：每起 2.0 分，月上限 10.0 分”."""
    if spec.points_mode == PointsMode.RANGE:
        text = f"{fmt(spec.min_tenths)}–{fmt(spec.max_tenths)} 分/{spec.unit}"
    elif spec.points_mode == PointsMode.PER_UNIT:
        text = f"每{spec.unit} {fmt(spec.points_tenths)} 分"
    else:
        text = f"{fmt(spec.points_tenths)} 分/{spec.unit}"
    return f"{spec.points_mode.label}：{text}" + (f"，月上限 {fmt(spec.monthly_cap_tenths)} 分"
                                                 if spec.monthly_cap_tenths else "")


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
