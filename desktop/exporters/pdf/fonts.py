"""Find and register one TrueType CJK font for printed documents.

The font is embedded (as a subset) in every PDF, so a sheet prints the same on any
machine. The order of preference is: the font set in the station settings, then the
usual Windows and Linux system fonts. No font file ships with the program.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from desktop.paths import bundled_font_paths
from desktop.services.errors import JifenError

# Windows: SimSun, SimHei, FangSong, KaiTi, Microsoft YaHei.
WINDOWS_FILES = ("simsun.ttc", "simhei.ttf", "simfang.ttf", "simkai.ttf", "msyh.ttc")
# Linux: WenQuanYi, Droid Sans Fallback, AR PL UMing (all TrueType outlines, which reportlab needs).
LINUX_FILES = ("wqy-microhei.ttc", "wqy-zenhei.ttc", "DroidSansFallbackFull.ttf", "uming.ttc")
LINUX_FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN")
LINUX_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
# Family names a clerk may type in the settings, mapped to Windows font files.
WINDOWS_NAMES = {
    "simsun": "simsun.ttc", "宋体": "simsun.ttc", "simhei": "simhei.ttf", "黑体": "simhei.ttf",
    "fangsong": "simfang.ttf", "仿宋": "simfang.ttf", "kaiti": "simkai.ttf", "楷体": "simkai.ttf",
    "microsoft yahei": "msyh.ttc", "微软雅黑": "msyh.ttc",
}
INSTALL_HINT = "请安装中文字体，例如 Debian: apt-get install fonts-wqy-microhei；Windows 自带宋体"


class FontMissing(JifenError):
    """No usable CJK font: the message says what to install or which setting to fix."""


@dataclass(frozen=True)
class FontChoice:
    path: Path
    subfont: int = 0  # index inside a .ttc collection

    @property
    def name(self) -> str:
        """The name the font is registered under in reportlab."""
        return f"JifenCJK-{self.path.stem}-{self.subfont}"


def windows_font_dirs() -> list[Path]:
    dirs = [Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts"]
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return dirs


def _fc_match(family: str) -> Path | None:
    """The file fontconfig picks for a family, when fontconfig is installed and really has it."""
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}\t%{file}", family], capture_output=True,
                             text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families, _, file = out.partition("\t")
    # fc-match always answers something; accept it only if the family really matches.
    if file and family.lower() in families.lower():
        return Path(file)
    return None


def _glob_linux(filename: str) -> Path | None:
    for root in LINUX_DIRS:
        base = Path(root).expanduser()
        if base.is_dir():
            for hit in sorted(base.rglob(filename)):
                return hit
    return None


def system_candidates() -> list[Path]:
    """Font files in order of preference: the system's, then the one the installer bundled."""
    found: list[Path] = []
    if sys.platform == "win32":
        for name in WINDOWS_FILES:
            found += [d / name for d in windows_font_dirs() if (d / name).is_file()]
        return found + bundled_font_paths()
    for name in LINUX_FILES:
        hit = _glob_linux(name)
        if hit:
            found.append(hit)
    for family in LINUX_FAMILIES:
        hit = _fc_match(family)
        if hit and hit.suffix.lower() in (".ttf", ".ttc") and hit not in found:
            found.append(hit)
    if sys.platform == "darwin":  # not a target, but lets a developer print on a Mac
        found += [p for p in (Path("/System/Library/Fonts/Supplemental/Songti.ttc"),) if p.is_file()]
    return found + [p for p in bundled_font_paths() if p not in found]


def resolve_preference(preference: str) -> Path:
    """The file for the font named in the settings: a path, or a family name."""
    text = preference.strip()
    path = Path(text).expanduser()
    if path.is_file():
        return path
    windows_file = WINDOWS_NAMES.get(text.lower())
    if windows_file:
        for folder in windows_font_dirs():
            if (folder / windows_file).is_file():
                return folder / windows_file
    hit = _fc_match(text)
    if hit is not None:
        return hit
    raise FontMissing(f"设置中指定的打印字体“{text}”找不到，请在“设置”中改为字体文件路径或清空以自动选择")


def _load(choice: FontChoice) -> bool:
    """Register the font with reportlab; False when reportlab cannot use the file."""
    if choice.name in pdfmetrics.getRegisteredFontNames():
        return True
    try:
        font = TTFont(choice.name, str(choice.path), subfontIndex=choice.subfont)
    except (TTFError, OSError, ValueError):
        return False
    pdfmetrics.registerFont(font)
    return True


@functools.lru_cache(maxsize=8)
def register_font(preference: str = "") -> str:
    """Register the CJK font (settings first, else the system) and return its reportlab name."""
    if preference.strip():
        choice = FontChoice(resolve_preference(preference))
        if not _load(choice):
            raise FontMissing(f"打印字体“{choice.path}”无法使用（需要 TrueType 字体 .ttf/.ttc）。{INSTALL_HINT}")
        return choice.name
    for path in system_candidates():
        choice = FontChoice(path)
        if _load(choice):
            return choice.name
    raise FontMissing(f"找不到可用于打印的中文字体。{INSTALL_HINT}")
