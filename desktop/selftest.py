"""`jifen --self-test`: prove that this installation works, on a throw-away database.

Run after building the installer (and on a station PC when something seems wrong). In a
temporary folder it builds the demo station (every migration, the catalogue and policy
presets), recomputes a locked month and compares it with the results frozen at sign-off,
prints a grade sheet PDF with the Chinese font, exports the month's exchange workbook and
imports it into an empty database (a dry run, then for real) with the same scores and
grades, backs the database up and checks the backup, and opens the main window
offscreen. Each step prints ✓ or ✗ with its time; the exit status is 0 when all passed and 1
naming the step that failed. The user's own database is never opened.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from desktop import __version__

SEED = 7


class SelfTestFailed(Exception):
    """A check inside a step did not hold; the message says what, in Chinese."""


class StepSkipped(Exception):  # not an error: the step has nothing to check yet
    """The step cannot run in this build (a part not yet written); reported, not a failure."""


@dataclass
class Workspace:
    """What the steps share: the temporary folder and what earlier steps produced."""

    folder: Path
    db_path: Path
    month: str = ""
    db: Any = None  # desktop.models.db.Database once opened
    workbook: Path | None = None

    def close(self) -> None:
        if self.db is not None:
            self.db.dispose()
            self.db = None


@dataclass(frozen=True)
class Step:
    title: str
    run: Callable[[Workspace], str]  # returns a short Chinese detail for the ✓ line


def _kb(path: Path) -> str:
    return f"{path.stat().st_size / 1024:,.0f} KB"


# -- the steps ---------------------------------------------------------------------------------

def build_station(ws: Workspace) -> str:
    from desktop.models.db import current_revision, head_revision, make_engine
    from desktop.services.demo import build_demo

    report = build_demo(ws.db_path, seed=SEED)
    if not report.locked:
        raise SelfTestFailed("演示单位没有已锁定的月份")
    ws.month = report.locked[-1]
    engine = make_engine(ws.db_path)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    if revision != head_revision():
        raise SelfTestFailed(f"数据库结构版本 {revision}，应为 {head_revision()}")
    return (f"{report.people} 人，{report.entries:,} 条积分记录，{report.months[0]} 至 {report.months[-1]}，"
            f"数据库结构版本 {revision}")


def score_locked_month(ws: Workspace) -> str:
    from desktop.models.db import open_database
    from desktop.models.enums import PeriodState
    from desktop.services import periods, scoring

    ws.db = open_database(ws.db_path)
    with ws.db.session() as session:
        period = periods.find_period(session, ws.month)
        if period is None or period.state != PeriodState.LOCKED.value:
            raise SelfTestFailed(f"{ws.month} 不是已锁定的月份")
        fresh = {r.badge: (r.total, r.grade, r.rank_department) for r in scoring.calculate(session, period)}
        frozen = {r.badge: (r.total, r.grade, r.rank_department) for r in scoring.stored(session, period)}
    if not fresh:
        raise SelfTestFailed(f"{ws.month} 没有考核结果")
    if fresh != frozen:
        diff = sorted(b for b in fresh.keys() | frozen.keys() if fresh.get(b) != frozen.get(b))
        raise SelfTestFailed(f"重算结果与签核锁定时保存的不一致（警号 {'、'.join(diff[:5])}）")
    grades = sorted({g for _, g, _ in fresh.values() if g})
    return f"{ws.month}：{len(fresh)} 人，总分、排名、等次（{'/'.join(grades)}）与锁定时一致"


def write_pdf(ws: Workspace) -> str:
    try:
        from desktop.services import documents
    except ImportError as exc:
        raise SelfTestFailed(f"打印模块不可用（desktop.services.documents）：{exc}") from exc
    from pypdf import PdfReader

    out = ws.folder / f"等次评定表-{ws.month}.pdf"
    with ws.db.session() as session:
        documents.write_grade_sheets(session, ws.month, out)
    if not out.is_file() or out.read_bytes()[:5] != b"%PDF-":
        raise SelfTestFailed(f"没有写出 PDF 文件 {out.name}")
    reader = PdfReader(out)
    fonts: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont", "")).lstrip("/"))
    # reportlab embeds a TrueType font as subsets named "AAAAAA+<font name>-<n>".
    embedded = sorted({f.split("+", 1)[1].rsplit("-", 1)[0] for f in fonts if "+" in f})
    if not embedded:
        raise SelfTestFailed(f"PDF 中没有嵌入中文字体（只有 {'、'.join(sorted(fonts)) or '无'}）")
    text = reader.pages[0].extract_text() or ""
    if "评定" not in text and "等次" not in text:
        raise SelfTestFailed("PDF 第一页读不出中文标题")
    detail = f"{len(reader.pages)} 页，嵌入字体 {'、'.join(embedded)}，{_kb(out)}"
    return detail + _check_bundled_fonts()


def files_in_workers(ws: Workspace) -> str:
    """A batch of 政绩档案 laid out in worker processes: in the installed program these are the
    program itself started again ("spawn"), which only works where `freeze_support` is wired."""
    from desktop.services import documents_batch

    folder = ws.folder / "全员政绩档案"
    folder.mkdir()
    with ws.db.session() as session:
        badges = documents_batch.people_of_year(session, int(ws.month[:4]))[:4]
        files = documents_batch.write_performance_files(session, int(ws.month[:4]), folder, badges, workers=2)
    if len(files) != len(badges) or not all(f.read_bytes()[:5] == b"%PDF-" for f in files):
        raise SelfTestFailed(f"后台进程只写出了 {len(files)} 个政绩档案（应为 {len(badges)} 个）")
    return f"{len(files)} 个政绩档案，由 2 个后台进程写出"


def _check_bundled_fonts() -> str:
    """In the installed program: the CJK font shipped in fonts/ must be usable by reportlab."""
    from desktop.exporters.pdf.fonts import FontMissing, register_font
    from desktop.paths import bundled_font_paths

    if not getattr(sys, "frozen", False):
        return ""
    fonts = bundled_font_paths()
    if not fonts:
        raise SelfTestFailed("安装包里没有中文字体（fonts/ 为空）")
    for font in fonts:
        try:
            register_font(str(font))
        except FontMissing as exc:
            raise SelfTestFailed(f"随安装包的字体 {font.name} 无法用于打印：{exc}") from exc
    return f"；随安装包的字体 {'、'.join(f.name for f in fonts)} 可用"


def export_workbook(ws: Workspace) -> str:
    try:
        from desktop.services.exchange.export import export_period
    except ImportError as exc:
        raise SelfTestFailed(f"数据交换模块不可用（desktop.services.exchange.export）：{exc}") from exc

    out = ws.folder / f"数据交换-{ws.month}.xlsx"
    with ws.db.session() as session:
        result = export_period(session, ws.month, out)
    if not out.is_file():
        raise SelfTestFailed(f"没有写出工作簿 {out.name}")
    ws.workbook = out
    return f"{len(result.counts) + 1} 张工作表，{sum(result.counts.values()):,} 行数据，{_kb(out)}"


def read_workbook_back(ws: Workspace) -> str:
    """Import the exported workbook into a fresh, empty database: first a dry run, then for real
    (which rebuilds the station); the month's scores and grades must come back identical."""
    try:
        from desktop.services.exchange.import_ import import_file
        from desktop.services.exchange.report import ImportRejected
    except ImportError as exc:
        raise SelfTestFailed(f"工作簿导入模块不可用（desktop.services.exchange.import_）：{exc}") from exc
    from desktop.models.db import open_database
    from desktop.services import periods, scoring
    from desktop.services.actor import Actor

    assert ws.workbook is not None
    actor = Actor.system("selftest")
    fresh = open_database(ws.folder / "读回.db")
    try:
        checked = import_file(fresh, actor, ws.workbook, dry_run=True)
        if checked.problems:
            raise SelfTestFailed("试导入发现问题：" + "；".join(p.text() for p in checked.problems[:3]))
        try:
            imported = import_file(fresh, actor, ws.workbook)
        except ImportRejected as exc:
            raise SelfTestFailed("导入被拒绝：" + "；".join(p.text() for p in exc.report.problems[:3])) from exc
        with fresh.session() as session:
            period = periods.find_period(session, ws.month)
            if period is None:
                raise SelfTestFailed(f"导入后没有 {ws.month} 这个考核周期")
            back = {r.badge: (r.total, r.grade) for r in scoring.results(session, period)}
    finally:
        fresh.dispose()
    with ws.db.session() as session:
        period = periods.find_period(session, ws.month)
        assert period is not None
        original = {r.badge: (r.total, r.grade) for r in scoring.results(session, period)}
    if back != original:
        diff = sorted(b for b in back.keys() | original.keys() if back.get(b) != original.get(b))
        raise SelfTestFailed(f"导入后的积分或等次与原单位不一致（警号 {'、'.join(diff[:5])}）")
    counts = "，".join(f"{label} {c.new}" for label, c in imported.counts.items() if c.new)
    how = "恢复到空数据库" if imported.restored else "导入"
    return f"试导入无问题；{how}：{counts or '无新增'}；{len(back)} 人的总分和等次与原单位一致"


def backup_and_check(ws: Workspace) -> str:
    from desktop.services import backup

    out = backup.backup(ws.db_path, ws.folder / "备份.db")
    info = backup.inspect_backup(out)
    return f"备份 {_kb(out)}，结构版本 {info.revision}，审计链 {info.audit_events:,} 条完整"


def open_main_window(ws: Workspace) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QApplication, QLabel
    except ImportError as exc:
        raise SelfTestFailed(f"Qt（PySide6）不可用：{exc}") from exc
    from desktop.services import accounts

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "jifen"])
    _quiet_offscreen_notice()
    QCoreApplication.setApplicationName("jifen-selftest")  # never touch the user's window layout
    try:
        from desktop.ui.main_window import MainWindow
    except ModuleNotFoundError as exc:
        if exc.name not in ("desktop.ui.main_window", "desktop.ui"):
            raise
        label = QLabel("积分考核台账自检")
        label.show()
        app.processEvents()
        label.close()
        raise StepSkipped(f"主窗口（desktop.ui.main_window）尚未提供；Qt {_qt_version()} 可以运行，"
                          f"平台 {app.platformName()}") from exc
    from desktop.ui.context import AppContext

    with ws.db.session() as session:
        actor = accounts.login(session, "admin", "admin123")
        session.commit()
    restore_settings = _settings_in(ws.folder)
    try:
        window = MainWindow(AppContext(ws.db, actor))
        try:
            window.show()
            app.processEvents()
            title = window.windowTitle()
        finally:
            window.close()
            window.deleteLater()
            app.processEvents()
            from desktop.ui.workers import finish_loads

            finish_loads()  # the first screen's choices may still be loading in a worker
    finally:
        restore_settings()
    return f"“{title}”，Qt {_qt_version()}，平台 {app.platformName()}" + _qt_bundled_fonts()


def _qt_bundled_fonts() -> str:
    """In the installed program: Qt can load the CJK font shipped in fonts/."""
    from PySide6.QtGui import QFontDatabase

    from desktop.paths import bundled_font_paths

    if not getattr(sys, "frozen", False):
        return ""
    families: list[str] = []
    for font in bundled_font_paths():
        font_id = QFontDatabase.addApplicationFont(str(font))
        if font_id < 0:
            raise SelfTestFailed(f"Qt 无法载入随安装包的字体 {font.name}")
        families += QFontDatabase.applicationFontFamilies(font_id)
    return f"；Qt 可载入随安装包的字体（{'、'.join(dict.fromkeys(families))}）"


def _settings_in(folder: Path) -> Callable[[], None]:
    """Point the program's QSettings (window layout, last login name) at a file in `folder`,
    so closing the self-test's window never overwrites the user's own layout. Returns undo."""
    from PySide6.QtCore import QSettings

    from desktop.ui import context

    original = context.settings
    ini = str(folder / "界面设置.ini")

    def temporary() -> QSettings:
        return QSettings(ini, QSettings.Format.IniFormat)

    bound = [m for name, m in list(sys.modules.items())
             if name.startswith("desktop.ui") and getattr(m, "settings", None) is original]
    for module in bound:
        module.settings = temporary  # type: ignore[attr-defined]

    def undo() -> None:
        for module in bound:
            module.settings = original  # type: ignore[attr-defined]

    return undo


def _quiet_offscreen_notice() -> None:
    """The offscreen platform says it "does not support propagateSizeHints()" when a window
    closes: true and harmless. Every other Qt message still goes to standard error."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_kind: Any, _context: Any, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(f"Qt：{message}", file=sys.stderr)

    qInstallMessageHandler(handler)


def _qt_version() -> str:
    from PySide6.QtCore import qVersion

    return qVersion()


STEPS = (
    Step("建立演示单位", build_station),
    Step("重算已锁定月份的积分", score_locked_month),
    Step("生成 PDF 等次评定表", write_pdf),
    Step("后台进程打印政绩档案", files_in_workers),
    Step("导出数据交换工作簿", export_workbook),
    Step("读回工作簿（导入空数据库）", read_workbook_back),
    Step("备份数据库并检查备份", backup_and_check),
    Step("打开主窗口", open_main_window),
)


# -- running -----------------------------------------------------------------------------------

def _output() -> TextIO:
    """Standard output; a log file when there is none (the windowed Windows program)."""
    stream = sys.stdout
    if stream is None:
        from desktop.paths import data_dir

        return open(data_dir() / "selftest.log", "w", encoding="utf-8")
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="replace")  # a GBK console cannot show ✓
    return stream


def _where() -> str:
    if getattr(sys, "frozen", False):
        return f"安装包（{Path(sys.executable).resolve().parent}）"
    return f"Python {sys.version.split()[0]}（{Path(__file__).resolve().parent.parent}）"


def run(steps: tuple[Step, ...] = STEPS) -> int:
    out = _output()

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    started = time.perf_counter()
    skipped = 0
    say(f"积分考核台账 jifen {__version__} 自检 —— {dt.datetime.now():%Y-%m-%d %H:%M}，运行于{_where()}")
    with tempfile.TemporaryDirectory(prefix="jifen-selftest-", ignore_cleanup_errors=True) as tmp:
        ws = Workspace(Path(tmp), Path(tmp) / "selftest.db")
        say(f"临时数据库：{ws.db_path}（自检结束后删除，不会打开您的数据库）")
        try:
            for number, step in enumerate(steps, 1):
                t0 = time.perf_counter()
                try:
                    detail = step.run(ws)
                except StepSkipped as exc:
                    skipped += 1
                    say(f"– {number}. {step.title}（跳过）：{exc}")
                    continue
                except Exception as exc:  # every failure is reported, with its step
                    seconds = time.perf_counter() - t0
                    reason = str(exc) if isinstance(exc, SelfTestFailed) else f"{type(exc).__name__}: {exc}"
                    say(f"✗ {number}. {step.title}（{seconds:.1f} 秒）：{reason}")
                    if not isinstance(exc, SelfTestFailed):
                        traceback.print_exc(file=out)
                    say(f"自检未通过：第 {number} 步“{step.title}”失败。")
                    return 1
                seconds = time.perf_counter() - t0
                say(f"✓ {number}. {step.title}（{seconds:.1f} 秒）：{detail}")
        finally:
            ws.close()
    passed = f"{len(steps) - skipped} 项正常" + (f"，{skipped} 项跳过" if skipped else "")
    say(f"自检通过：{passed}，共 {time.perf_counter() - started:.1f} 秒。")
    return 0
