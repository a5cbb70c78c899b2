"""`jifen --self-test` from the source tree, and the station installer built and self-tested.

The bundle test builds dist/jifen with PyInstaller (installer.spec) into a temporary folder,
runs the built program's `--self-test` offscreen and reports the folder's size. It takes a
couple of minutes and runs with the rest of the suite (CI included); `-m "not bundle"` leaves
it out while working on something else.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import __version__, cli, paths, selftest
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


@pytest.mark.bundle
def test_installer_builds_and_the_built_program_passes_its_self_test(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.skip("PyInstaller 未安装（pip install -e '.[test]' 会安装它），无法构建安装包")
    dist, work = tmp_path / "dist", tmp_path / "work"
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(dist), "--workpath", str(work),
         str(ROOT / "installer.spec")],
        cwd=ROOT, env=offscreen_env(tmp_path), capture_output=True, text=True, timeout=1800, check=False,
    )
    assert build.returncode == 0, build.stdout[-5000:] + build.stderr[-10000:]
    bundle = dist / "jifen"
    program = bundle / ("jifen-cli.exe" if sys.platform == "win32" else "jifen")
    assert program.is_file(), f"PyInstaller 没有生成 {program}"
    internal = bundle / "_internal"
    for needed in ("resources/catalogue/default.json", "resources/policies/abcd.json", "resources/icons/jifen.png",
                   "desktop/models/migrations/env.py", "desktop/models/migrations/script.py.mako"):
        assert (internal / needed).is_file(), f"安装包缺少 {needed}"
    assert list((internal / "desktop/models/migrations/versions").glob("0001_*.py"))
    assert [p for p in (internal / "fonts").iterdir() if p.suffix.lower() in (".ttf", ".ttc")], "安装包没有中文字体"
    assert not list(internal.rglob("*WebEngine*")) and not list(internal.rglob("libQt6Quick*"))
    version_info = (work / "installer" / "jifen-version-info.txt").read_text("utf-8")
    assert f"StringStruct('FileVersion', '{__version__}')" in version_info

    env = offscreen_env(tmp_path)
    env.pop("PYTHONPATH")  # the bundle must not need the source tree
    done = subprocess.run([str(program), "--self-test"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=600, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "运行于安装包" in done.stdout and "自检通过" in done.stdout, output

    files = sum(1 for p in bundle.rglob('*') if p.is_file())
    size = f"安装包 dist/jifen：{format_size(folder_size(bundle))}，{files} 个文件"
    with capsys.disabled():  # shown in the test run's output (and CI's log) without -s
        print(f"\n{size}\n" + "\n".join(f"  {line}" for line in done.stdout.splitlines()))
