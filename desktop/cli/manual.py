"""`jifen manual -o 使用说明.pdf`: the manual the program shows under 帮助 → 使用说明, as a PDF.

Laid out by Qt (desktop.ui.manual) exactly as the program prints it; no window is opened, so it
works on a machine without a screen (Qt's offscreen platform).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from desktop.cli.paths import add_force_argument, guard_args
from desktop.services.errors import ValidationError


def cmd_manual(args: argparse.Namespace) -> int:
    target = guard_args(args)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a PDF needs fonts, not a screen
    from desktop.ui import manual

    try:
        out, family = manual.write_pdf_without_window(target)
    except OSError as exc:
        raise ValidationError(f"不能写入“{target}”：{exc.strerror or exc}") from exc
    except manual.ManualMissing as exc:
        raise ValidationError(str(exc)) from exc
    if family is None:
        print("警告：没有找到中文字体，PDF 中的汉字可能显示为方框。")
    print(f"已写出使用说明：{out}（{out.stat().st_size / 1024:.0f} KB）")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("manual", help="把使用说明（程序中“帮助 → 使用说明”）写成 PDF")
    p.add_argument("-o", "--output", type=Path, default=Path("积分考核台账使用说明.pdf"), metavar="文件",
                   help="PDF 文件（默认当前文件夹下的 积分考核台账使用说明.pdf）")
    add_force_argument(p)
    p.set_defaults(handler=cmd_manual)
