"""`jifen bench`: how fast the program is at station and county scale, against raw baselines.

Loaded by `desktop.cli` when present. Builds (or reuses) a synthetic database, runs every case
and its baseline in fresh processes, prints the table and optionally writes the JSON. The
user's own database is never opened. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from desktop.bench import cases, dataset, report
from desktop.models import stores
from desktop.services.errors import ValidationError


def _scale(text: str) -> str:
    # "tiny" is accepted but not advertised: it exists for the test that runs the whole benchmark.
    if text not in dataset.SCALES:
        raise argparse.ArgumentTypeError(f"规模应为 {' 或 '.join(dataset.PUBLIC_SCALES)}")
    return text


def _cases(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in cases.NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"未知的项目：{'、'.join(unknown) or text}；可选 {','.join(cases.NAMES)}")
    return names


def cmd_bench(args: argparse.Namespace) -> int:
    if getattr(sys, "frozen", False):  # each measurement is `python -m desktop.bench.…` in a fresh process
        raise ValidationError("性能基准需要在装有 Python 的开发环境中运行（python -m desktop bench），安装包中不能运行")
    if args.repeat < 1:
        raise ValidationError("--repeat 至少为 1")
    if args.server is not None and not stores.is_server(args.server):
        raise ValidationError(f"“{args.server}”不是数据库服务器地址，应写作 postgresql://用户名@服务器/数据库名")
    if args.out is not None and not Path(args.out).parent.is_dir():
        raise ValidationError(f"文件夹“{Path(args.out).parent}”不存在")
    info = dataset.ensure(args.scale, cache_dir=args.cache_dir, rebuild=args.rebuild)
    machine = report.machine()
    with tempfile.TemporaryDirectory(prefix="jifen-bench-") as tmp:
        results, server = cases.run_cases(info, Path(tmp), repeat=args.repeat, only=args.cases, server=args.server)
    print()
    print(report.render(info, results, server))
    if args.out is not None:
        report.save(Path(args.out), report.document(info, results, machine, args.repeat, server))
        print(f"结果已写入：{args.out}")
    return 1 if any(r.get("error") for r in results) else 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bench = sub.add_parser("bench", help="性能基准：生成测试数据库，逐项与原始基线对比用时和内存")
    bench.add_argument("--scale", type=_scale, default="county", metavar="{station,county}",
                       help="station：约 35 人；county：2000 人、约 40 万条记录（默认）")
    bench.add_argument("--out", metavar="F.json", help="把结果写入 JSON 文件")
    bench.add_argument("--repeat", type=int, default=3, help="每项及其基线各运行几次，取最好的一次（默认 3）")
    bench.add_argument("--cases", type=_cases, default=cases.NAMES, metavar="项目,…",
                       help=f"只运行这些项目：{','.join(cases.NAMES)}")
    bench.add_argument("--server", metavar="postgresql://…",
                       help="服务器项目所用的 PostgreSQL 数据库（测试数据推送到其中的一个单位模式）；"
                            "不指定时若本机装有 PostgreSQL 则临时建立一个，否则跳过服务器项目")
    bench.add_argument("--rebuild", action="store_true", help="重新生成测试数据库（默认重用缓存）")
    bench.add_argument("--cache-dir", type=Path, default=None, help=argparse.SUPPRESS)
    bench.set_defaults(handler=cmd_bench)
