"""The station installer built with PyInstaller (installer.spec) into a temporary folder, the
built program's `--self-test` run offscreen, and the folder's size reported. It takes a couple
of minutes and runs with the rest of the suite (CI included); `-m "not bundle"` leaves it out
while working on something else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop import __version__
from tests.test_selftest import ROOT, folder_size, format_size, offscreen_env


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
