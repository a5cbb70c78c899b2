"""`jifen --self-test`: its runner, and the whole self-test from the source tree. The installer
built and self-tested is in test_selftest_bundle.py (a file of its own, so that a second test
worker runs it beside this file's minute-long self-test)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import cli, paths, selftest
from desktop.selftest import SelfTestFailed, Step, StepSkipped, Workspace

ROOT = Path(__file__).resolve().parent.parent


def offscreen_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env["HOME"] = str(tmp_path / "home")
    return env


def format_size(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


# -- the runner ------------------------------------------------------------------------------

def test_steps_print_a_tick_and_their_time(capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[Path] = []

    def first(ws: Workspace) -> str:
        seen.append(ws.db_path)
        return "一切正常"

    assert selftest.run((Step("第一步", first), Step("第二步", lambda ws: "也正常"))) == 0
    out = capsys.readouterr().out
    assert "✓ 1. 第一步（" in out and "秒）：一切正常" in out
    assert "✓ 2. 第二步（" in out
    assert "自检通过：2 项正常" in out
    assert seen and not seen[0].parent.exists(), "the temporary folder is removed afterwards"


def test_a_failing_step_exits_1_and_names_the_step(capsys: pytest.CaptureFixture[str]) -> None:
    def broken(ws: Workspace) -> str:
        raise SelfTestFailed("PDF 中没有嵌入中文字体")

    def never(ws: Workspace) -> str:
        raise AssertionError("steps after a failure do not run")

    assert selftest.run((Step("好的一步", lambda ws: "好"), Step("生成 PDF", broken), Step("后面", never))) == 1
    out = capsys.readouterr().out
    assert "✗ 2. 生成 PDF（" in out and "PDF 中没有嵌入中文字体" in out
    assert "自检未通过：第 2 步“生成 PDF”失败。" in out
    assert "后面" not in out


def test_an_unexpected_error_is_reported_with_its_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    def crash(ws: Workspace) -> str:
        raise KeyError("missing")

    assert selftest.run((Step("读回工作簿", crash),)) == 1
    out = capsys.readouterr().out
    assert "✗ 1. 读回工作簿" in out and "KeyError" in out and "Traceback" in out


def test_a_skipped_step_is_shown_but_does_not_fail(capsys: pytest.CaptureFixture[str]) -> None:
    def not_yet(ws: Workspace) -> str:
        raise StepSkipped("主窗口尚未提供")

    assert selftest.run((Step("打开主窗口", not_yet),)) == 0
    out = capsys.readouterr().out
    assert "– 1. 打开主窗口（跳过）：主窗口尚未提供" in out
    assert "0 项正常，1 项跳过" in out


def test_the_command_line_has_the_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(selftest, "run", lambda: calls.append("run") or 0)
    assert cli.main(["--self-test"]) == 0
    assert calls == ["run"]
    assert "--self-test" in cli.build_parser().format_help()


def test_bundled_fonts_only_when_frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert paths.bundled_font_paths() == []
    (tmp_path / "fonts").mkdir()
    for name in ("wqy-microhei.ttc", "simsun.TTC", "wqy-microhei.ttc.copyright.txt"):
        (tmp_path / "fonts" / name).write_bytes(b"")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert [p.name for p in paths.bundled_font_paths()] == ["simsun.TTC", "wqy-microhei.ttc"]


# -- the whole self-test -----------------------------------------------------------------------

def test_self_test_passes_from_the_source_tree(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "desktop", "--self-test"], cwd=ROOT, env=offscreen_env(tmp_path),
                          capture_output=True, text=True, encoding="utf-8", timeout=600, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "自检通过" in done.stdout, output
    passed = [line for line in done.stdout.splitlines() if line.startswith("✓")]
    for title in ("建立演示单位", "重算已锁定月份的积分", "生成 PDF 等次评定表", "导出数据交换工作簿", "读回工作簿",
                  "备份数据库并检查备份"):
        assert any(title in line for line in passed), output
    assert "✗" not in done.stdout, output
