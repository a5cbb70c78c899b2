"""The core stays Qt-free: services, models and exporters never import PySide6."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("desktop/services", "desktop/models", "desktop/exporters")


def qt_imports(source: str) -> list[str]:
    """Names of PySide6 modules imported anywhere in `source` (also inside functions)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "PySide6"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "PySide6":
                found.append(node.module)
    return found


def core_modules() -> list[Path]:
    return sorted(p for folder in CORE for p in (ROOT / folder).rglob("*.py"))


def test_the_checker_sees_qt_imports() -> None:
    source = "import os\nimport PySide6.QtCore\ndef f():\n    from PySide6 import QtWidgets\n"
    assert qt_imports(source) == ["PySide6.QtCore", "PySide6"]
    assert qt_imports("from desktop.ui import PySide6ish\nimport PySide6ish\n") == []


def test_there_are_core_modules_to_check() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in core_modules()}
    assert {"desktop/services/ledger.py", "desktop/models/db.py"} <= names


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_core_module_does_not_import_qt(path: Path) -> None:
    assert qt_imports(path.read_text("utf-8")) == [], f"{path.relative_to(ROOT)} imports Qt"
