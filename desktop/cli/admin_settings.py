"""`jifen settings show|set|signoff-chain`: the station as 设置 › 单位 and 签核流程 keep it.
(The grade policy, the third thing 设置 writes, is `jifen policy`.)

    jifen settings show [--format text|json]
    jifen settings set [--name 城关派出所] [--county-bureau 某县公安局] [--starting-score 100|""] --user admin
    jifen settings signoff-chain "中队长审核:chief,教导员签字:chief" --user admin

The station code is not changed: it identifies the station's workbooks in the county exchange.
"""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, Any

from desktop.cli.common import reading, signed_in
from desktop.cli.output import to_json
from desktop.cli.signin import add_user_argument
from desktop.services.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop.services.roster import ChainStep

CLEAR = ("", "无", "none")
# Steps are separated by commas (either width) or 、; a step's title and role by a colon (either width).
_STEPS = re.compile(r"[,，、;；]")
_TITLE_ROLE = re.compile(r"[:：]")
CHAIN_HELP = ("签核流程：按顺序写“环节名称:签字人”，用逗号分隔，如 \"部门负责人审核:head,教导员签字:#150002\"；"
              "签字人为 head（各部门由本部门负责人签）、leader（各部门由分管领导签）、#警号（指定的人）"
              "或角色 chief（所长/教导员）、clerk（内勤）、admin（管理员）")


def settings_data(session: Session) -> dict[str, Any]:
    """What `settings show --format json` prints: a stable interface (docs/cli.md)."""
    from desktop.models.enums import Role
    from desktop.services import roster, signoff
    from desktop.services.points import to_decimal

    station = roster.get_station(session)
    start = station.starting_score_tenths
    return {
        "code": station.code, "name": station.name, "county_bureau": station.county_bureau,
        "starting_score": None if start is None else to_decimal(start),
        "signoff_chain": [{"seq": s.seq, "title": s.title, "role": s.role, "role_label": Role(s.role).label,
                           "scope": s.scope, "signer": s.signer, "signer_badge": s.signer_badge,
                           "signer_label": _signer_label(session, s)}
                          for s in signoff.chain(session)],
    }


def _signer_label(session: Session, step: Any) -> str:
    from desktop.models.enums import Role
    from desktop.services.signoff import SIGNER_LABELS

    if step.signer == "person":
        from desktop.services.roster import person_by_badge

        try:
            return person_by_badge(session, step.signer_badge).name
        except Exception:
            return f"#{step.signer_badge}"
    return Role(step.role).label if step.signer == "role" else SIGNER_LABELS[step.signer]


def _signer_text(step: dict[str, Any]) -> str:
    if step.get("signer") == "person":
        return f"#{step['signer_badge']}"
    return step["signer"] if step.get("signer") in ("head", "leader") else step["role"]


def chain_text(steps: list[dict[str, Any]]) -> str:
    """The chain as `signoff-chain` reads it, so the shown value can be pasted back."""
    return ",".join(f"{s['title']}:{_signer_text(s)}" for s in steps)


def cmd_show(args: argparse.Namespace) -> int:
    with reading(args) as session:
        data = settings_data(session)
    if args.format == "json":
        print(to_json(data))
        return 0
    start = data["starting_score"]
    print(f"单位名称：{data['name']}")
    print(f"单位代码：{data['code']}（用于与县局交换的工作簿，不能修改）")
    print(f"上级公安机关：{data['county_bureau'] or '—'}")
    print(f"基础分：{start if start is not None else '不设基础分'}")
    print("签核流程：")
    for step in data["signoff_chain"]:
        scope = "，各部门分别签" if step["scope"] == "department" else ""
        print(f"  {step['seq']}. {step['title']}（{step['signer_label']}{scope}）")
    print(f"  （jifen settings signoff-chain \"{chain_text(data['signoff_chain'])}\" 可按此格式修改）")
    return 0


def _starting_score(text: str) -> int | None:
    from desktop.services.points import to_tenths

    return None if text.strip() in CLEAR else to_tenths(text, field="基础分")


def cmd_set(args: argparse.Namespace) -> int:
    from desktop.services import roster

    if args.name is None and args.county_bureau is None and args.starting_score is None:
        raise ValidationError("没有要修改的内容：请给出 --name、--county-bureau 或 --starting-score")
    start = _starting_score(args.starting_score) if args.starting_score is not None else None
    with signed_in(args) as (session, actor):
        station = roster.get_station(session)
        roster.update_station(
            session, actor, name=args.name if args.name is not None else station.name,
            county_bureau=args.county_bureau if args.county_bureau is not None else station.county_bureau,
            starting_score_tenths=start if args.starting_score is not None else station.starting_score_tenths)
    print("单位信息已修改")
    return 0


def parse_chain(text: str) -> list[ChainStep]:
    from desktop.cli.admin_users import role
    from desktop.models.enums import Role
    from desktop.services.roster import ChainStep

    steps: list[ChainStep] = []
    for n, part in enumerate((p.strip() for p in _STEPS.split(text)), start=1):
        if not part:
            continue
        pieces = _TITLE_ROLE.split(part)
        if len(pieces) != 2:
            raise ValidationError(f"签核流程第 {n} 个环节“{part}”应写作“环节名称:角色”，如 所长签字:chief")
        title, who = pieces[0].strip(), pieces[1].strip()
        if who in ("head", "leader"):
            steps.append(ChainStep(title, Role.CHIEF, who))
        elif who.startswith(("#", "＃")):
            steps.append(ChainStep(title, Role.CHIEF, "person", who[1:].strip()))
        else:
            steps.append(ChainStep(title, role(who)))
    if not steps:
        raise ValidationError("签核流程至少需要一个环节")
    return steps


def cmd_signoff_chain(args: argparse.Namespace) -> int:
    from desktop.services import roster

    steps = parse_chain(args.chain)
    with signed_in(args) as (session, actor):
        roster.set_signoff_chain(session, actor, steps)
    def who(step: ChainStep) -> str:
        from desktop.services.signoff import SIGNER_LABELS

        return step.role.label if step.signer == "role" else f"#{step.badge}" if step.badge else SIGNER_LABELS[step.signer]

    print("签核流程已保存：" + " → ".join(f"{step.title}（{who(step)}）" for step in steps))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    settings = sub.add_parser("settings", help="单位设置：名称、上级公安机关、基础分、签核流程（需管理员）")
    actions = settings.add_subparsers(dest="settings_action", metavar="操作", required=True)
    show = actions.add_parser("show", help="显示单位设置与签核流程")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(handler=cmd_show)

    put = actions.add_parser("set", help="修改单位名称、上级公安机关或基础分；只改给出的项")
    put.add_argument("--name", metavar="单位名称")
    put.add_argument("--county-bureau", metavar="上级公安机关")
    put.add_argument("--starting-score", metavar="分", help="每月加的基础分，如 100；写 \"\" 表示不设基础分")
    add_user_argument(put)
    put.set_defaults(handler=cmd_set)

    chain = actions.add_parser("signoff-chain", help="设置每月的签核流程（按顺序逐级签字，最后一级签字即锁定）")
    chain.add_argument("chain", metavar="流程", help=CHAIN_HELP)
    add_user_argument(chain)
    chain.set_defaults(handler=cmd_signoff_chain)
