#!/usr/bin/env bash
# Build the station installer folder dist/jifen/ with PyInstaller (installer.spec), then run
# the built program's self-test offscreen and print the folder's size.
# Build on the system you ship for: on Windows run the same two commands in a shell with
# Python (see docs/install.md); PyInstaller does not cross-compile.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
.venv/bin/python -m pip install -q 'pyinstaller>=6.6'
.venv/bin/pyinstaller --noconfirm --clean installer.spec
echo "自检安装包：dist/jifen/jifen --self-test"
QT_QPA_PLATFORM=offscreen dist/jifen/jifen --self-test
echo "安装包大小：$(du -sh dist/jifen | cut -f1)（dist/jifen，$(find dist/jifen -type f | wc -l) 个文件）"
