"""Where bundled resources and the user's data live."""

from __future__ import annotations

import sys
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "jifen"


def resources_dir() -> Path:
    """The `resources/` folder: beside the package in a checkout, in the bundle when frozen."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


FONT_SUFFIXES = (".ttf", ".ttc", ".otf")


def bundled_font_paths() -> list[Path]:
    """Font files shipped inside the installed program (`fonts/` of the bundle), sorted by name.

    Empty when running from a checkout: there the system's fonts are used. installer.spec
    copies the build machine's CJK font there, so a station PC without one still prints and
    shows Chinese.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if not frozen_root:
        return []
    folder = Path(frozen_root) / "fonts"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FONT_SUFFIXES)


def data_dir() -> Path:
    path = user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "jifen.db"
