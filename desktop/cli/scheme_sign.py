"""`jifen scheme freeze|sign|reopen|status`: a non-person scheme's period signed by its own chain.

    jifen scheme status jiceng --period 2026-03 [--format json]
    jifen scheme freeze jiceng --period 2026-03 --user neiqin        # 提交签核
    jifen scheme sign jiceng --period 2026-03 --user suozhang        # the next step of the chain
    jifen scheme reopen jiceng --period 2026-03 --reason T --user suozhang

The person scheme is signed with `jifen period submit|sign`; these refuse it with that pointer.
"""

from __future__ import annotations

import argparse
import datetime as dt

from desktop.cli.common import PERIOD_HELP, add_format, reading, signed_in, signed_in_keeping_password
from desktop.cli.output import table, to_json
from desktop.cli.signin import add_user_argument


def _local(moment: dt.datetime | None) -> str | None:
    """A signature's moment: stored as naive UTC (as every row but the period lock), shown local."""
    return None if moment is None else moment.replace(tzinfo=dt.UTC).astimezone().isoformat(timespec="seconds")


def cmd_status(args: argparse.Namespace) -> int:
    from desktop.services import scheme_signing

    with reading(args) as session:
        sheet = scheme_signing.sheet(session, args.code, args.period)
        data = {
            "scheme": sheet.scheme.code, "name": sheet.scheme.name, "period": sheet.period.code,
            "state": sheet.state, "state_label": sheet.state_label, "digest": sheet.digest,
            "changed": sheet.changed, "next_step": sheet.next_step,
            "chain": [s.title for s in sheet.scheme.signoff],
            "signatures": [{"step": s.step_title, "signer": s.signer_name, "signed_at": _local(s.signed_at)}
                           for s in sheet.signatures],
            "subjects": len(sheet.rows),
        }
    if args.format == "json":
        print(to_json(data))
        return 0
    print(f"{sheet.scheme.name} · {sheet.period.label}：{sheet.state_label}"
          + ("（提交后积分有变动，需重新提交）" if sheet.changed else ""))
    cells = []
    for index, step in enumerate(sheet.scheme.signoff):
        signed = sheet.signatures[index] if index < len(sheet.signatures) else None
        cells.append([index + 1, step.title, signed.signer_name if signed else "",
                      _local(signed.signed_at) if signed else ("待签" if step.title == sheet.next_step else "")])
    print(table(["步骤", "签核", "签字人", "时间"], cells))
    return 0


def cmd_freeze(args: argparse.Namespace) -> int:
    from desktop.services import scheme_signing

    with signed_in(args) as (session, actor):
        result = scheme_signing.freeze(session, actor, args.code, args.period)
        sheet = scheme_signing.sheet(session, args.code, args.period)
    print(f"已提交签核：{sheet.scheme.name} {sheet.period.label}，{len(sheet.rows)} 个考核对象，"
          f"校验码 {result.digest[:12]}；下一步“{sheet.next_step}”")
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    from desktop.services import scheme_signing

    with signed_in_keeping_password(args) as (session, actor, password):
        signature = scheme_signing.sign(session, actor, args.code, args.period, password)
        sheet = scheme_signing.sheet(session, args.code, args.period)
    text = f"已签字：{sheet.scheme.name} {sheet.period.label}“{signature.step_title}”（{actor.display_name}）"
    print(text + ("，签核完毕，已锁定" if sheet.state == "locked" else f"；下一步“{sheet.next_step}”"))
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    from desktop.services import scheme_signing

    with signed_in(args) as (session, actor):
        scheme_signing.reopen(session, actor, args.code, args.period, args.reason)
    print(f"已解锁：积分制 {args.code} {args.period}，签字作废（审计记录保留）")
    return 0


def register_actions(actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("code", metavar="代码", help="积分制代码（见 jifen schemes）")
        parser.add_argument("--period", required=True, help=PERIOD_HELP)

    status = actions.add_parser("status", help="一个周期的签核状态：已提交、谁已签字、下一步")
    common(status)
    add_format(status)
    status.set_defaults(handler=cmd_status)
    freeze = actions.add_parser("freeze", help="提交签核：固定本周期的积分、排名和等次（内勤）")
    common(freeze)
    add_user_argument(freeze)
    freeze.set_defaults(handler=cmd_freeze)
    sign = actions.add_parser("sign", help="按积分制的签核流程签下一步；最后一步签完即锁定")
    common(sign)
    add_user_argument(sign)
    sign.set_defaults(handler=cmd_sign)
    reopen = actions.add_parser("reopen", help="解锁或撤回签核（所长，须填理由）")
    common(reopen)
    reopen.add_argument("--reason", required=True, help="解锁理由")
    add_user_argument(reopen)
    reopen.set_defaults(handler=cmd_reopen)
