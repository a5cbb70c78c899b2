"""docs/security.md: every attack row names tests that exist, and every test here is in a row."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def named() -> set[tuple[str, str]]:
    return set(NAMED.findall(DOC.read_text(encoding="utf-8")))


def test_every_named_test_exists() -> None:
    missing = [f"{path}::{name}" for path, name in sorted(named())
               if not (ROOT / path).is_file() or f"def {name}(" not in (ROOT / path).read_text(encoding="utf-8")]
    assert missing == [], "docs/security.md names tests that do not exist"


def test_every_security_test_is_in_the_table() -> None:
    here = Path(__file__).resolve().parent
    doc = named()
    unnamed = []
    for path in sorted(here.glob("test_*.py")):
        if path.name == Path(__file__).name:
            continue
        rel = path.relative_to(ROOT).as_posix()
        for name in re.findall(r"^def (test_\w+)\(", path.read_text(encoding="utf-8"), re.MULTILINE):
            if (rel, name) not in doc:
                unnamed.append(f"{rel}::{name}")
    assert unnamed == [], "tests missing from docs/security.md"


def test_every_row_names_a_test() -> None:
    table = DOC.read_text(encoding="utf-8").split("## 攻击与防线", 1)[1]
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith(("| 攻击", "| ---"))]
    assert len(rows) >= 20, "docs/security.md has no attack table"
    assert [r for r in rows if not NAMED.search(r)] == []
