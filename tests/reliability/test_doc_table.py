"""docs/reliability.md names a test for every fault it lists, and lists every test here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"
HERE = "tests/reliability/"


def collected() -> set[str]:
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-o", "addopts=",
                           "-p", "no:cacheprovider", HERE], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return {line.removeprefix(HERE) for line in proc.stdout.splitlines() if line.startswith(HERE)}


def test_every_row_of_the_table_is_a_test_and_every_test_a_row() -> None:
    named = set(re.findall(r"`(test_\w+\.py::[^`]+)`", DOC.read_text(encoding="utf-8")))
    tests = collected() - {"test_doc_table.py::test_every_row_of_the_table_is_a_test_and_every_test_a_row"}
    assert sorted(named - tests) == [], "docs/reliability.md names tests that do not exist"
    assert sorted(tests - named) == [], "tests missing from docs/reliability.md"
