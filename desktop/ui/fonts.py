"""Chinese glyphs everywhere: use a system CJK font, or register one from the usual places.

A bare Linux machine (or a stripped Windows image) may have no font with Chinese glyphs;
Qt then draws empty boxes. At start the program looks for one and makes it the app font.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from desktop.paths import bundled_font_paths

# Best first: what a Windows clerk sees every day, then the common Linux CJK families.
PREFERRED = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC",
             "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback", "SimHei", "SimSun")
FILES = ("msyh.ttc", "msyh.ttf", "simhei.ttf", "simsun.ttc", "NotoSansCJK-Regular.ttc", "NotoSansSC-Regular.otf",
         "wqy-microhei.ttc", "wqy-zenhei.ttc", "DroidSansFallbackFull.ttf", "DroidSansFallback.ttf")
LINUX_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
POINT_SIZE = 10


def font_dirs() -> list[Path]:
    dirs = [Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"]
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    dirs += [Path(d).expanduser() for d in LINUX_DIRS]
    return [d for d in dirs if d.is_dir()]


def cjk_families() -> list[str]:
    return list(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def register_from_files() -> list[str]:
    """Add the first known CJK font file found (the installer's own font first); returns its families."""
    for path in bundled_font_paths():
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            return list(QFontDatabase.applicationFontFamilies(font_id))
    for folder in font_dirs():
        for name in FILES:
            for path in (folder / name, *folder.rglob(name)):
                if path.is_file():
                    font_id = QFontDatabase.addApplicationFont(str(path))
                    if font_id >= 0:
                        return list(QFontDatabase.applicationFontFamilies(font_id))
    return []


def ensure_cjk_font(app: QApplication) -> str | None:
    """Make a CJK family the application font; None if the machine has none at all."""
    families = cjk_families() or register_from_files()
    if not families:
        return None
    family = next((f for f in PREFERRED if f in families), families[0])
    font = QFont(family, POINT_SIZE)
    app.setFont(font)
    return family
