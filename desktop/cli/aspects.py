"""`jifen aspects`: which of the 政绩档案's six aspects each catalogue category is filed under.

    jifen aspects [--format table|csv|json]                 # the mapping in force
    jifen aspects set CATEGORY ASPECT --user admin          # ASPECT 默认: back to the default

The same service as the file (services.file_aspects); setting it needs 修改单位设置 (admin).
"""

from __future__ import annotations

import argparse
from typing import Any

from desktop.cli.common import add_format, emit, reading, signed_in
from desktop.cli.signin import add_user_argument

FIELDS = (
    ("aspect", "方面"), ("category", "类别"), ("source_label", "归类来源"), ("note", "说明"),
    ("aspect_order", "方面序号"), ("source", "来源代码"), ("default", "默认方面"), ("in_catalogue", "在考核细则中"),
    ("exceptions", "单列项目"),
)
TABLE_FIELDS = FIELDS[:4]


def cmd_list(args: argparse.Namespace) -> int:
    from desktop.services import file_aspects

    with reading(args) as session:
        rows = [row.as_json() for row in file_aspects.listing(session)]
    for row in rows:
        row["aspect_order"] = file_aspects.ASPECTS.index(str(row["aspect"])) + 1
    if args.format != "json":
        for row in rows:
            row["exceptions"] = "、".join(f"{k}→{v}" for k, v in dict(row["exceptions"]).items())  # type: ignore[call-overload]
    emit(args.format, TABLE_FIELDS if args.format == "table" else FIELDS, rows)
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from desktop.services import file_aspects

    if args.aspect.strip() not in file_aspects.RESET_WORDS:
        file_aspects.aspect_name(args.aspect)  # a mistyped aspect is refused before the password is asked
    with signed_in(args) as (session, actor):
        row = file_aspects.set_aspect(session, actor, args.category, args.aspect)
    how = "恢复默认" if row.source != "station" else "本单位设置"
    print(f"已设置：类别“{row.category}”计入“{row.aspect}”（{how}）")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("aspects", help="政绩档案六个方面：考核细则各类别计入哪个方面；修改归类")
    add_format(p)
    p.set_defaults(handler=cmd_list)
    actions = p.add_subparsers(dest="aspects_action", metavar="操作")
    one = actions.add_parser("set", help="把一个类别计入某个方面（管理员）；方面写“默认”恢复默认归类")
    one.add_argument("category", metavar="类别", help="考核细则中的类别，如 服务态度")
    one.add_argument("aspect", metavar="方面",
                     help="政治表现、遵纪守法、工作成绩、考勤考核、生活作风、奖励惩处 之一，或“默认”")
    add_user_argument(one)
    one.set_defaults(handler=cmd_set)
