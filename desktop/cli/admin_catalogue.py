"""`jifen catalogue …`: the scoring catalogue (考核细则) in force, its versions, and a new version.

    jifen catalogue [--date 2026-03-05] [--format table|csv|json]
    jifen catalogue versions [--format table|csv|json]
    jifen catalogue export-version [--date 2026-03-05] > 细则.json
    jifen catalogue add-version 细则.json --from 2026-07-01 [--name 2026年7月修订] [--note …] --user neiqin

The file `export-version` writes is the one `add-version` reads, and the format of the preset
the program ships (resources/catalogue/default.json): a clerk exports, edits points, re-adds.
A new version is complete and starts on its date; earlier months keep their points.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli.common import add_format, day, emit, read_json_file, reading, signed_in
from desktop.cli.output import to_json
from desktop.cli.signin import add_user_argument
from desktop.services.errors import ValidationError

if TYPE_CHECKING:
    from desktop.models.catalogue import CatalogueItem
    from desktop.services.catalogue import ItemSpec

# `catalogue --format json`: a stable interface (docs/cli.md).
ITEM_FIELDS = (
    ("code", "编号"), ("category", "类别"), ("subcategory", "小类"), ("name", "项目名称"),
    ("component", "积分组成代码"), ("component_label", "积分组成"), ("points_mode", "计分方式代码"),
    ("points_mode_label", "计分方式"), ("points", "分值"), ("points_value", "每次分值"), ("points_min", "下限"),
    ("points_max", "上限"), ("monthly_cap", "月上限"), ("unit", "单位"), ("evidence_required", "需证明材料"),
    ("veto", "一票否决"), ("daily_duty", "每日值勤表"), ("self_report", "民警自报"), ("version", "细则版本"), ("effective_from", "生效日期"),
)
TABLE_FIELDS = (("code", "编号"), ("category", "类别"), ("name", "项目名称"), ("component_label", "积分组成"),
                ("points", "分值"), ("veto", "一票否决"), ("evidence_required", "需证明材料"),
                ("daily_duty", "每日值勤表"))
VERSION_FIELDS = (("effective_from", "生效日期"), ("name", "名称"), ("items", "项目数"), ("in_force", "现行"),
                  ("note", "说明"), ("created_at", "建立时间"))
# The item keys of the file, in the preset's order; `points`, `min`, `max`, `monthly_cap` are
# decimal text ("1.5"), null where not set.
FILE_KEYS = ("code", "category", "subcategory", "component", "name", "unit", "points_mode", "points", "min",
             "max", "monthly_cap", "evidence_required", "veto", "daily_duty", "self_report")
BOOL_KEYS = ("evidence_required", "veto", "daily_duty", "self_report")


def _on(args: argparse.Namespace) -> dt.date:
    return day(args.date, "--date") if args.date else dt.date.today()


def _decimal(tenths: int | None) -> Any:
    from desktop.services.points import to_decimal

    return None if tenths is None else to_decimal(tenths)


def item_row(item: CatalogueItem) -> dict[str, Any]:
    from desktop.models.enums import Component, PointsMode
    from desktop.services import catalogue

    ranged = item.points_mode == PointsMode.RANGE.value
    return {
        "code": item.code, "category": item.category, "subcategory": item.subcategory, "name": item.name,
        "component": item.component, "component_label": Component(item.component).label,
        "points_mode": item.points_mode, "points_mode_label": PointsMode(item.points_mode).label,
        "points": catalogue.describe_points(item), "points_value": None if ranged else _decimal(item.points_tenths),
        "points_min": _decimal(item.min_tenths), "points_max": _decimal(item.max_tenths),
        "monthly_cap": _decimal(item.monthly_cap_tenths), "unit": item.unit,
        "evidence_required": item.evidence_required, "veto": item.veto, "daily_duty": item.daily_duty, "self_report": item.self_report,
        "version": item.version.name, "effective_from": item.version.effective_from.isoformat(),
    }


def cmd_catalogue(args: argparse.Namespace) -> int:
    from desktop.services import catalogue

    on = _on(args)
    with reading(args) as session:
        rows = [item_row(i) for i in catalogue.items_in_force(session, on)]
        version = catalogue.version_in_force(session, on)
        title = f"{version.name}（{version.effective_from.isoformat()} 起，{len(rows)} 项）"
    if args.format == "table":
        print(title)
    emit(args.format, TABLE_FIELDS if args.format == "table" else ITEM_FIELDS, rows)
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    from desktop.services import catalogue
    from desktop.services.errors import JifenError

    with reading(args) as session:
        try:
            current = catalogue.version_in_force(session, dt.date.today()).id
        except JifenError:  # every version starts in the future
            current = None
        rows = [{"effective_from": v.effective_from.isoformat(), "name": v.name, "items": len(v.items),
                 "in_force": v.id == current, "note": v.note,
                 "created_at": v.created_at.isoformat(timespec="seconds")}
                for v in catalogue.list_versions(session)]
    emit(args.format, VERSION_FIELDS, rows)
    return 0


def spec_json(spec: ItemSpec) -> dict[str, Any]:
    """One item as the file holds it (what ItemSpec.from_json reads back)."""
    from desktop.services.points import fmt

    def number(tenths: int | None) -> str | None:
        return None if tenths is None else fmt(tenths)

    values: dict[str, Any] = {
        "code": spec.code, "category": spec.category, "subcategory": spec.subcategory,
        "component": str(spec.component), "name": spec.name, "unit": spec.unit,
        "points_mode": spec.points_mode.value, "points": number(spec.points_tenths), "min": number(spec.min_tenths),
        "max": number(spec.max_tenths), "monthly_cap": number(spec.monthly_cap_tenths),
        "evidence_required": spec.evidence_required, "veto": spec.veto, "daily_duty": spec.daily_duty, "self_report": spec.self_report,
    }
    return {key: values[key] for key in FILE_KEYS}


def cmd_export_version(args: argparse.Namespace) -> int:
    from desktop.services import catalogue
    from desktop.services.catalogue import ItemSpec

    on = _on(args)
    with reading(args) as session:
        version = catalogue.version_in_force(session, on, args.scheme)
        data = {"name": version.name, "note": version.note, "effective_from": version.effective_from.isoformat(),
                "items": [spec_json(ItemSpec.of(i)) for i in catalogue.items_in_force(session, on, scheme=args.scheme)]}
        if args.scheme != "person":
            data["scheme"] = args.scheme
    print(to_json(data))
    return 0


def read_version_file(path: Path, components: frozenset[str] | None = None) -> tuple[str, list[ItemSpec]]:
    """The name and items of a catalogue file; a list of items alone is accepted too.
    `components`: the keys of a scheme other than the person scheme, which its items cite."""
    from desktop.services.catalogue import ItemSpec

    data = read_json_file(path, "考核细则文件")
    name, items = "", data
    if isinstance(data, dict):
        name, items = str(data.get("name") or ""), data.get("items")
    if not isinstance(items, list) or not items:
        raise ValidationError(f"考核细则文件“{path}”中没有项目（应有 \"items\": [ … ]，格式同 catalogue export-version）")
    specs = []
    for n, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            raise ValidationError(f"考核细则文件第 {n} 个项目应为 {{…}} 对象")
        # bool("false") is True: a flag typed as text would silently turn a veto on.
        for key in BOOL_KEYS:
            if raw.get(key) is not None and not isinstance(raw[key], bool):
                raise ValidationError(f"项目 {raw.get('code', n)} 的 {key} 应为 true 或 false，不能是“{raw[key]}”")
        specs.append(ItemSpec.from_json(raw, components))
    return name, specs


def cmd_add_version(args: argparse.Namespace) -> int:
    from desktop.services import catalogue, scheme_registry
    from desktop.services.scheme_rules import check_catalogue

    with reading(args) as session:
        scheme = scheme_registry.scheme_of(session, args.scheme)
    person = scheme.code == "person"
    file_name, specs = read_version_file(Path(args.file), None if person else scheme.component_keys())
    if not person:  # the item codes, components and categories must be the scheme's own
        data = json.loads(Path(args.file).read_text(encoding="utf-8-sig"))
        check_catalogue(scheme, {"items": data} if isinstance(data, list) else data,
                        file=f"考核细则文件“{args.file}”")
    start = day(args.effective_from, "--from")
    name = (args.name or file_name).strip()
    if not name:
        raise ValidationError("新版本需要名称：请给出 --name，或在文件中写 \"name\"")
    with signed_in(args) as (session, actor):
        catalogue.create_version(session, actor, start, name, specs, args.note or "", scheme=scheme.code)
    print(f"已建立考核细则“{name}”：{start.isoformat()} 起生效，{len(specs)} 项；此前各月的积分不变")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cat = sub.add_parser("catalogue", help="考核细则：列出现行项目、版本，导出、新建版本")
    cat.add_argument("--date", metavar="YYYY-MM-DD", help="列出这一天生效的项目（默认今天）")
    add_format(cat)
    cat.set_defaults(handler=cmd_catalogue)
    # Without an action it lists the items; the options of an action come after its name.
    actions = cat.add_subparsers(dest="catalogue_action", metavar="操作")
    versions = actions.add_parser("versions", help="列出考核细则的各个版本")
    add_format(versions)
    versions.set_defaults(handler=cmd_versions)

    export = actions.add_parser("export-version", help="把某天生效的考核细则打印为 JSON（add-version 读取的格式）")
    export.add_argument("--date", metavar="YYYY-MM-DD", help="默认今天")
    export.add_argument("--scheme", default="person", metavar="代码", help="积分制（默认 person，个人积分）")
    export.set_defaults(handler=cmd_export_version)

    add = actions.add_parser("add-version", help="从 JSON 文件建立新版本，自某日起生效（内勤或管理员）")
    add.add_argument("file", metavar="文件", help="JSON，格式同 export-version 的输出")
    add.add_argument("--from", dest="effective_from", required=True, metavar="YYYY-MM-DD", help="生效日期")
    add.add_argument("--name", metavar="名称", help="版本名称（默认取文件中的 name）")
    add.add_argument("--note", metavar="说明", help="修订说明")
    add.add_argument("--scheme", default="person", metavar="代码", help="细则所属的积分制（默认 person，个人积分）")
    add_user_argument(add)
    add.set_defaults(handler=cmd_add_version)
