"""备份与恢复: the backups beside the database, 立即备份, and restoring one.

A backup is made and checked in a worker. Restoring is never done under open screens: the
page checks the chosen file first (integrity, schema, audit chain, station), asks for
confirmation and the chief's or administrator's password again, then asks the main window to
close (`AppContext.restore_requested`); `desktop.ui.app.run`, which holds the writer lock,
closes the database, restores (the service checks the role once more), and shows the login.
Files from another station or dated in the future are listed last, marked, and a backup of
another station is not restored here at all: that takes an administrator on the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services import backup, backup_restore
from desktop.services.backup import BackupFile
from desktop.services.backup_restore import BackupInfo
from desktop.ui.context import AppContext
from desktop.ui.dialogs import printing
from desktop.ui.models.audit import action_label
from desktop.ui.screens.rows_model import Cell, RowsModel, num
from desktop.ui.workers import Cancelled, Progress, Task, run_with_progress


def size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def _size_of(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:  # removed by rotation meanwhile
        return None


# What a restore takes back, named first: these are the ones nobody would undo by accident.
GRAVE = ("period.sign", "period.locked", "grade.override", "award.give", "scheme.sign", "scheme.lock", "rating.set",
         "review.confirm")


def undone_text(undone: dict[str, int]) -> str:
    """“恢复后将撤销备份之后的：签字 3 次、锁定考核周期 1 次……” (empty when nothing happened since)."""
    if not undone:
        return "备份之后当前数据库中没有新的操作。\n"
    order = sorted(undone, key=lambda a: (a not in GRAVE, GRAVE.index(a) if a in GRAVE else 0, -undone[a]))
    parts = [f"{action_label(a)} {undone[a]} 次" for a in order[:8]]
    more = f"等共 {sum(undone.values())} 项操作" if len(order) > 8 else ""
    return f"恢复后将撤销备份之后的：{'、'.join(parts)}{more}。\n"


# A database on a server has no file here: it is backed up where it lives (docs/server.md).
SERVER_NOTE = ("数据库在局里的数据库服务器上，本机没有它的文件，所以这里不能备份或恢复。"
               "服务器由数据库管理员用 pg_dump 备份；各单位也可在“数据交换”中导出工作簿留存，"
               "需要时用它在任何一台电脑上重建本单位的数据。")
SERVER_TIP = "数据库在服务器上，不能在本机备份或恢复：由服务器管理员用 pg_dump 备份"


class BackupsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.db_path: Path | None = ctx.db.path
        self.task: Task | None = None
        self.backups: list[BackupFile] = []

        folder = backup.backup_dir(self.db_path) if self.db_path else None
        self.note = QLabel(self)
        self.note.setObjectName("backupNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#555;")
        if ctx.db.is_server:
            self.note.setText(SERVER_NOTE)
        elif folder is None:
            self.note.setText("当前数据库不是本机上的文件，不能在这里备份。")
        else:
            self.note.setText(
                f"备份保存在数据库旁的文件夹：{folder}<br>程序关闭时、升级数据库前和每次导入前会自动备份；"
                f"保留最近 {backup.KEEP_LATEST} 个，另每月保留一个、共 {backup.KEEP_MONTHS} 个月。"
                "建议定期把这个文件夹复制到 U 盘。")

        self.model = RowsModel(["时间", "原因", "大小", "提示", "文件"], self)
        self.view = QTableView(self)
        self.view.setObjectName("backupList")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate((160, 120, 90, 110)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.doubleClicked.connect(lambda _i: self.restore_selected())

        buttons = QHBoxLayout()
        self.backup_button = self._button(buttons, "backupNow", "立即备份", self.backup_now)
        self.restore_button = self._button(buttons, "restoreSelected", "恢复所选…", self.restore_selected)
        self.restore_file_button = self._button(buttons, "restoreFile", "从其他位置恢复…", self.restore_file)
        buttons.addStretch(1)
        self.folder_button = self._button(buttons, "openFolder", "打开备份文件夹", self.open_folder)
        for button in (self.backup_button, self.restore_button, self.restore_file_button, self.folder_button):
            button.setEnabled(self.db_path is not None)
        self.restore_file_button.setToolTip("用 U 盘或其他文件夹中的备份文件恢复")
        if ctx.db.is_server:  # disabled above (no file); the tooltip says why, and who backs it up
            for button in (self.backup_button, self.restore_button, self.restore_file_button, self.folder_button):
                button.setToolTip(SERVER_TIP)
        elif not ctx.can("backup.restore"):  # the service refuses anyway; do not offer it
            for button in (self.restore_button, self.restore_file_button):
                button.setEnabled(False)
                button.setToolTip("恢复数据库须由所长或管理员操作")

        self.status = QLabel(self)
        self.status.setObjectName("backupStatus")
        self.status.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)

    def _button(self, row: QHBoxLayout, name: str, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda _c=False: slot())
        row.addWidget(button)
        return button

    # -- the list ------------------------------------------------------------------------
    def refresh(self) -> None:
        # Doubtful files last and marked: never the first row, never taken for the newest.
        self.backups = backup.list_backups(self.db_path, doubtful=True) if self.db_path else []
        rows = []
        for b in self.backups:
            size = _size_of(b.path)
            doubt = Cell(b.doubt, tip="不是本单位的备份，或日期在未来：请查明来历" if b.doubt else "")
            rows.append([Cell(f"{b.taken_at:%Y-%m-%d %H:%M:%S}"), Cell(backup.REASONS.get(b.reason, b.reason)),
                         num(size_text(size) if size is not None else "已删除", size), doubt,
                         Cell(b.path.name, tip=str(b.path))])
        self.model.set_rows(rows, keys=[str(b.path) for b in self.backups])
        if self.db_path is None:
            self.status.setText("")  # the note above says why there is nothing here
        elif not self.backups:
            self.status.setText("还没有备份。点“立即备份”做第一个。")

    def selected(self) -> BackupFile | None:
        rows = self.view.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows and rows[0].row() < len(self.backups) else None

    def select(self, path: Path) -> None:
        row = self.model.row_of(str(path))
        if row >= 0:
            self.view.selectRow(row)

    # -- 立即备份 --------------------------------------------------------------------------
    def backup_now(self) -> None:
        if self.task is not None or self.db_path is None:
            return
        path = self.db_path

        def job(_progress: Progress) -> Path:
            return backup.backup(path)

        self.backup_button.setEnabled(False)
        self.status.setText("正在备份…")
        self.task = run_with_progress(self, "立即备份", job, self._backed_up, self._failed("备份"),
                                      label="正在备份数据库…", cancellable=False)

    def _backed_up(self, result: object) -> None:
        self.task = None
        self.backup_button.setEnabled(True)
        assert isinstance(result, Path)
        self.refresh()
        self.select(result)
        size = _size_of(result)
        self.status.setText(f"已备份到：{result}（{size_text(size or 0)}）")

    # -- 恢复 ------------------------------------------------------------------------------
    def restore_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self.ctx.show_info(self, "请先在列表中选择要恢复的备份。", "恢复备份")
            return
        self.check_then_restore(chosen.path, chosen.label())

    def restore_file(self) -> None:
        start = str(backup.backup_dir(self.db_path)) if self.db_path else ""
        name, _filter = QFileDialog.getOpenFileName(self, "选择备份文件", start, "数据库备份 (*.db);;所有文件 (*)")
        if name:
            self.check_then_restore(Path(name), Path(name).name)

    def check_then_restore(self, source: Path, label: str) -> None:
        """Check the backup in a worker; on success ask, then hand over to the program's start loop."""
        if self.task is not None:
            return

        db_path = self.db_path

        def job(_progress: Progress) -> tuple[BackupInfo, str | None, dict[str, int]]:
            info = backup_restore.inspect_backup(source)
            refusal = backup_restore.station_refusal(db_path, info) if db_path else None
            return info, refusal, backup_restore.undone_by(db_path, info) if db_path else {}

        def checked(result: object) -> None:
            self.task = None
            self.status.setText("")
            assert isinstance(result, tuple)
            info, refusal, undone = result
            if refusal:
                self.ctx.show_error(self, f"{refusal}。\n\n程序中不能用其他单位的备份恢复。", "不能恢复")
                return
            self._confirm(info, label, undone)

        self.status.setText("正在检查备份…")
        self.task = run_with_progress(self, "检查备份", job, checked, self._failed("检查备份"),
                                      label="正在检查备份文件…")

    def _confirm(self, info: BackupInfo, label: str, undone: dict[str, int] | None = None) -> None:
        future = ("\n注意：这个备份中最新的审计记录日期在未来，请先核对电脑的日期和这个备份的来历。\n"
                  if info.in_future() else "")
        text = (f"用这个备份替换当前的数据？\n\n备份：{label}\n文件：{info.path}\n"
                f"{undone_text(undone or {})}"
                f"检查通过（文件完好，数据库结构与本程序一致，审计记录 {info.audit_events:,} 条，哈希链完整）。\n{future}\n"
                "当前的数据不会丢失：恢复前会先把它另存为一个备份（原因“恢复前保留”），需要时可以再恢复回来。\n"
                "恢复时程序会关闭当前窗口，完成后请重新登录。")
        answer = QMessageBox.question(self, "恢复备份", text)
        if answer != QMessageBox.StandardButton.Yes or not self._password_confirmed():
            return
        self.ctx.restore_requested.emit(info.path)

    def _password_confirmed(self) -> bool:
        """The chief or administrator types the password again, as for a signature: a restore
        replaces every record, and a screen left open must not let anyone do it."""
        password, ok = QInputDialog.getText(
            self, "恢复备份：确认身份", f"恢复数据库须由所长或管理员确认。\n请再次输入“{self.ctx.actor.display_name}”的登录密码：",
            QLineEdit.EchoMode.Password)
        if not ok:
            return False
        if not password:
            self.ctx.show_error(self, "没有输入密码，未恢复。", "未恢复")
            return False
        done = self.ctx.write(self, lambda s, a: backup_restore.confirm_restorer(s, a, password) or True,
                              title="未恢复")
        return bool(done)

    # -- 打开备份文件夹 ----------------------------------------------------------------------
    def open_folder(self) -> None:
        if self.db_path is None:
            return
        folder = backup.backup_dir(self.db_path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.ctx.show_error(self, f"无法建立备份文件夹“{folder}”：{exc.strerror or exc}")
            return
        if not printing.open_file(folder):
            self.ctx.show_info(self, f"备份文件夹：{folder}", "打开备份文件夹")

    def _failed(self, what: str) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            self.task = None
            self.backup_button.setEnabled(self.db_path is not None)
            if isinstance(exc, Cancelled):
                self.status.setText(f"{what}已取消")
                return
            self.status.setText(f"{what}未完成：{exc}")
            self.ctx.show_error(self, str(exc), f"{what}未完成")
        return failed
