"""Draw the program icon: a police-blue badge with a gold rim and “积” on it.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_icon.py

writes resources/icons/jifen.png (256×256) and, with Pillow (reportlab depends on it),
resources/icons/jifen.ico (16–256 px) for the Windows executable. Both files are committed;
run this again only to change the drawing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QImage, QPainter, QPainterPath, QPen

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
SIZE = 256
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]
BLUE = QColor("#1c3f7c")
BLUE_LIGHT = QColor("#2f5fae")
GOLD = QColor("#e0b23a")
CJK_FAMILIES = ("WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "Noto Sans CJK SC", "Droid Sans Fallback")


def cjk_family() -> str:
    """A font family with “积”: one Qt already knows, else the file fontconfig names."""
    known = set(QFontDatabase.families())
    for family in CJK_FAMILIES:
        if family in known:
            return family
    if shutil.which("fc-match"):
        out = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True,
                             check=False).stdout
        if out and Path(out).is_file():
            font_id = QFontDatabase.addApplicationFont(out)
            if font_id >= 0:
                return QFontDatabase.applicationFontFamilies(font_id)[0]
    sys.exit("找不到中文字体，无法画图标（Debian: apt-get install fonts-wqy-microhei）")


def badge_path(rect: QRectF) -> QPainterPath:
    """A shield: straight shoulders, curved sides meeting in a point at the bottom."""
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    path = QPainterPath()
    path.moveTo(x + w * 0.5, y)
    path.cubicTo(QPointF(x + w * 0.68, y + h * 0.08), QPointF(x + w * 0.86, y + h * 0.1), QPointF(x + w, y + h * 0.1))
    path.lineTo(x + w, y + h * 0.48)
    path.cubicTo(QPointF(x + w, y + h * 0.76), QPointF(x + w * 0.74, y + h * 0.9), QPointF(x + w * 0.5, y + h))
    path.cubicTo(QPointF(x + w * 0.26, y + h * 0.9), QPointF(x, y + h * 0.76), QPointF(x, y + h * 0.48))
    path.lineTo(x, y + h * 0.1)
    path.cubicTo(QPointF(x + w * 0.14, y + h * 0.1), QPointF(x + w * 0.32, y + h * 0.08), QPointF(x + w * 0.5, y))
    path.closeSubpath()
    return path


def draw(size: int = SIZE) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    margin = size * 0.04
    outer = QRectF(margin + size * 0.04, margin, size - 2 * margin - size * 0.08, size - 2 * margin)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(GOLD)
    painter.drawPath(badge_path(outer))
    rim = size * 0.045
    inner = outer.adjusted(rim, rim * 1.2, -rim, -rim * 1.4)
    painter.setBrush(BLUE)
    painter.drawPath(badge_path(inner))
    # A lighter band across the top third, like the enamel on a badge.
    painter.setClipPath(badge_path(inner))
    painter.setBrush(BLUE_LIGHT)
    painter.drawRect(QRectF(inner.x(), inner.y(), inner.width(), inner.height() * 0.18))
    painter.setClipping(False)
    font = QFont(cjk_family())
    font.setPixelSize(int(size * 0.5))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QPen(QColor("white")))
    text_rect = QRectF(inner.x(), inner.y() + inner.height() * 0.1, inner.width(), inner.height() * 0.8)
    painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, "积")
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    png = OUT / "jifen.png"
    if not draw().save(str(png)):
        sys.exit(f"无法写入 {png}")
    print(f"已生成 {png.relative_to(ROOT)}")
    try:
        from PIL import Image
    except ImportError:
        print("没有 Pillow，跳过 jifen.ico（Windows 图标）")
        return 0
    ico = OUT / "jifen.ico"
    with Image.open(png) as img:
        img.save(ico, sizes=ICO_SIZES)
    print(f"已生成 {ico.relative_to(ROOT)}")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
