"""`jifen` subcommands that print documents (PDF) and verify printed grade sheets.

`register(subparsers)` is called by `desktop.cli.build_parser`; each handler returns the
exit status, and user errors are raised as `JifenError` for the CLI to print in Chinese.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from desktop.cli.paths import add_force_argument, guard_args
from desktop.models.db import Database
from desktop.services import documents
from desktop.services.errors import ValidationError

EXIT_MISMATCH = 1  # `verify`: the sheet does not match (not a usage error)
PERIOD_HELP = "考核周期：2026-03（月）、2026-Q1（季度）、2026-H1（半年）或 2026（年）"


def _open(args: argparse.Namespace) -> Database:
    from desktop.cli import open_existing

    return open_existing(args)


def _output(args: argparse.Namespace) -> Path:
    out = Path(args.output).expanduser()
    if out.is_dir():
        raise ValidationError(f"“{out}”是文件夹，请写出文件名，如 {out / '评定表.pdf'}")
    return guard_args(args)  # never over the database or its backups; an existing file only with --force


def _run(args: argparse.Namespace, write: Any) -> int:
    """Open the database, write the document in one read-only session, report the file."""
    out = _output(args)
    db = _open(args)
    try:
        with db.session() as session:
            path = write(session, out)
    finally:
        db.dispose()
    print(f"已生成：{path}")
    return 0


def cmd_grade_sheet(args: argparse.Namespace) -> int:
    return _run(args, lambda s, out: documents.write_grade_sheets(s, args.period, out, args.department))


def cmd_confirm_sheet(args: argparse.Namespace) -> int:
    badges = args.person or None
    return _run(args, lambda s, out: documents.write_confirm_sheets(s, args.period, out, badges, args.department))


def cmd_certificate(args: argparse.Namespace) -> int:
    return _run(args, lambda s, out: documents.write_certificates(s, args.period, out, args.award))


def cmd_board(args: argparse.Namespace) -> int:
    return _run(args, lambda s, out: documents.write_board(s, args.period, out))


def cmd_file(args: argparse.Namespace) -> int:
    return _run(args, lambda s, out: documents.write_performance_file(s, args.year, args.person, out))


def cmd_files(args: argparse.Namespace) -> int:
    """Everyone's (or the `--person`s') 政绩档案 of the year, one PDF each, into a folder."""
    from desktop.cli.paths import guard_output
    from desktop.services import documents_batch

    documents_batch.check_year(args.year)
    folder = Path(args.output).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValidationError(f"“{folder}”是文件，请给出保存政绩档案的文件夹（每人一个 PDF）")
    if not folder.exists() and not folder.parent.is_dir():
        raise ValidationError(f"“{folder.parent}”不存在，请先建立它或另选位置")
    folder = guard_output(args.db, folder, force=args.force, folder_ok=True)  # never the backup folder
    db = _open(args)
    try:
        with db.session() as session:
            badges = args.person or documents_batch.people_of_year(session, args.year)
            there = [n for n in documents_batch.file_names(session, args.year, badges) if (folder / n).exists()]
            if there and not args.force:
                raise ValidationError(f"文件夹里已有 {len(there)} 个同名的政绩档案（如“{there[0]}”）；为免误删，"
                                      "没有覆盖，确需覆盖请加 --force")
            folder.mkdir(exist_ok=True)
            shown = {"at": -1}

            def report(done: int, total: int) -> None:
                step = max(1, total // 10)
                if done // step != shown["at"] and done < total:
                    shown["at"] = done // step
                    print(f"已完成 {done}/{total}", file=sys.stderr, flush=True)

            files = documents_batch.write_performance_files(session, args.year, folder, badges, progress=report)
    finally:
        db.dispose()
    print(f"已生成 {len(files)} 个政绩档案：{folder}")
    return 0


def cmd_scheme_sheet(args: argparse.Namespace) -> int:
    # Imported here: the scheme documents pull in the scoring services, which other commands don't need.
    from desktop.services import documents_schemes

    return _run(args, lambda s, out: documents_schemes.write_scheme_sheet(s, args.scheme, args.period, out))


def cmd_grade_bulletin(args: argparse.Namespace) -> int:
    from desktop.exporters.pdf.grade_bulletin import write_grade_bulletin

    return _run(args, lambda s, out: write_grade_bulletin(s, args.period, out))


def cmd_bulletin(args: argparse.Namespace) -> int:
    from desktop.services import documents_schemes

    return _run(args, lambda s, out: documents_schemes.write_bulletin(s, args.scheme, args.period, out))


def cmd_case_sheet(args: argparse.Namespace) -> int:
    from desktop.services import documents_schemes

    return _run(args, lambda s, out: documents_schemes.write_case_sheet(s, args.period, out, args.scheme, args.unit))


def cmd_verify(args: argparse.Namespace) -> int:
    from desktop.exporters.pdf import scheme_verify

    text = " ".join(args.code)
    db = _open(args)
    try:
        with db.session() as session:
            # A unit scheme's ranking sheet or 通报 (JFS-…), else a grade sheet (JF-…).
            report = (scheme_verify.verify_scheme_code(session, text) if scheme_verify.is_scheme_code(text)
                      else documents.verify_code(session, text))
    finally:
        db.dispose()
    print("\n".join(report.lines()))
    return 0 if report.ok else EXIT_MISMATCH


def register(subparsers: Any) -> None:
    """Add grade-sheet, confirm-sheet, certificate, board, file, scheme-sheet, bulletin, case-sheet and verify."""
    p = subparsers.add_parser("grade-sheet", help="打印等次评定表（PDF，每个部门一份）")
    p.add_argument("--period", required=True, help=PERIOD_HELP)
    p.add_argument("--department", help="只打印这个部门（名称或代码）；默认全部部门")
    p.add_argument("-o", "--output", required=True, help="保存为 PDF 文件")
    add_force_argument(p)
    p.set_defaults(handler=cmd_grade_sheet)

    p = subparsers.add_parser("confirm-sheet", help="打印月积分核查确认单（PDF）")
    p.add_argument("--period", required=True, help=PERIOD_HELP)
    p.add_argument("--person", action="append", metavar="警号", help="人员警号，可写多次；默认全部人员")
    p.add_argument("--department", help="不写 --person 时，只打印这个部门的人员")
    p.add_argument("-o", "--output", required=True, help="保存为 PDF 文件")
    add_force_argument(p)
    p.set_defaults(handler=cmd_confirm_sheet)

    p = subparsers.add_parser("certificate", help="打印奖励证书（PDF，一人一页）")
    p.add_argument("--period", required=True, help=PERIOD_HELP)
    p.add_argument("--award", help="只打印这一奖励，如 闪光民警；默认本周期全部奖励")
    p.add_argument("-o", "--output", required=True, help="保存为 PDF 文件")
    add_force_argument(p)
    p.set_defaults(handler=cmd_certificate)

    p = subparsers.add_parser("board", help="打印积分排名公示表（PDF）")
    p.add_argument("--period", required=True, help=PERIOD_HELP)
    p.add_argument("-o", "--output", required=True, help="保存为 PDF 文件")
    add_force_argument(p)
    p.set_defaults(handler=cmd_board)

    p = subparsers.add_parser("file", help="打印个人政绩档案（一年，PDF）")
    p.add_argument("--year", required=True, type=int, help="年份，如 2026")
    p.add_argument("--person", required=True, metavar="警号", help="人员警号")
    p.add_argument("-o", "--output", required=True, help="保存为 PDF 文件")
    add_force_argument(p)
    p.set_defaults(handler=cmd_file)

    p = subparsers.add_parser("files", help="打印全员（或几个人）的年度政绩档案，每人一个 PDF，存到文件夹")
    p.add_argument("--year", required=True, type=int, help="年份，如 2026")
    p.add_argument("--person", action="append", metavar="警号", help="只打印此人（可重复）；默认本年度在册的全部人员")
    p.add_argument("-o", "--output", required=True, help="保存到这个文件夹（不存在时建立）")
    add_force_argument(p)
    p.set_defaults(handler=cmd_files)

    p = subparsers.add_parser("scheme-sheet", help="打印单位积分制的积分排名表（PDF，按类别或序列分组）")
    p.add_argument("--scheme", required=True, metavar="代码", help="积分制代码，如 jiceng、zhifa（见 jifen schemes）")
    p.add_argument("--period", required=True, help=PERIOD_HELP)
    p.add_argument("-o", "--output", required=True, help="保存为 PDF 文件")
    add_force_argument(p)
    p.set_defaults(handler=cmd_scheme_sheet)

    p = subparsers.add_parser("bulletin", help="打印积分制的月度、季度或年度通报（PDF，附排名表）")
    p.add_argument("--scheme", required=True, metavar="代码", help="积分制代码，如 duiwu（见 jifen schemes）")
    p.add_argument("--period", required=True, help=PERIOD_HELP)
    p.add_argument("-o", "--output", required=True, help="保存为 PDF 文件")
    add_force_argument(p)
    p.set_defaults(handler=cmd_bulletin)

    p = subparsers.add_parser("grade-bulletin", help="打印民警月度等次通报：评定为优秀、一般、差的人员（PDF）")
    p.add_argument("--period", required=True, help="月份，如 2026-11")
    p.add_argument("-o", "--output", required=True, help="保存为 PDF 文件")
    add_force_argument(p)
    p.set_defaults(handler=cmd_grade_bulletin)

    p = subparsers.add_parser("case-sheet", help="打印执法办案案件台账（PDF，每个案件一行）")
    p.add_argument("--period", required=True, help=PERIOD_HELP)
    p.add_argument("--scheme", default="zhifa", metavar="代码", help="追溯案件的积分制代码（默认 zhifa）")
    p.add_argument("--unit", metavar="代码", help="只打印这个执法办案单位成员的案件（单位代码，见 jifen units）")
    p.add_argument("-o", "--output", required=True, help="保存为 PDF 文件")
    add_force_argument(p)
    p.set_defaults(handler=cmd_case_sheet)

    p = subparsers.add_parser("verify", help="核验纸质等次评定表、积分排名表或通报上的核验码或二维码内容")
    p.add_argument("code", nargs="+", help="核验码（如 JF-2026-03-D01-3FA9-C2B1-D0E4、"
                                           "JFS-2026-03-JICENG-3FA9-C2B1-D0E4）或二维码内容")
    p.set_defaults(handler=cmd_verify)
