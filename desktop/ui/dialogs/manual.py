"""帮助 → 使用说明 (F1): the manual with its contents beside it, a find box, 打印 and 保存 PDF.

Not modal: it stays open beside the main window while the user follows its steps.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import manual
from desktop.ui.dialogs import printing
from desktop.ui.dialogs.print_preview import temp_folder


class ManualDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("使用说明 — 积分考核台账")
        self.setObjectName("manualDialog")
        self.doc = manual.document()
        self.doc.setParent(self)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("manualText")
        self.browser.setOpenExternalLinks(False)
        self.browser.setDocument(self.doc)
        self.contents = QTreeWidget(self)
        self.contents.setObjectName("manualContents")
        self.contents.setHeaderHidden(True)
        self._fill_contents()
        self.contents.itemClicked.connect(lambda item, _col: self.go_to(item.data(0, Qt.ItemDataRole.UserRole)))
        self.contents.currentItemChanged.connect(
            lambda item, _prev: item is not None and self.go_to(item.data(0, Qt.ItemDataRole.UserRole)))

        self.find_edit = QLineEdit(self)
        self.find_edit.setObjectName("manualFind")
        self.find_edit.setPlaceholderText("查找（回车找下一处）")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.returnPressed.connect(self.find_next)
        self.find_status = QLabel(self)
        print_button = QPushButton("打印…", self)
        print_button.setObjectName("manualPrint")
        print_button.clicked.connect(self.print_manual)
        save_button = QPushButton("保存为 PDF…", self)
        save_button.setObjectName("manualSave")
        save_button.clicked.connect(self.save_pdf)
        close_button = QPushButton("关闭", self)
        close_button.clicked.connect(self.close)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("查找", self))
        bar.addWidget(self.find_edit, 1)
        bar.addWidget(self.find_status)
        bar.addStretch(1)
        bar.addWidget(print_button)
        bar.addWidget(save_button)
        bar.addWidget(close_button)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.contents)
        split.addWidget(self.browser)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([260, 740])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.find_edit.setFocus)
        self._size_to_screen()

    def _size_to_screen(self) -> None:
        """1060×700, or less on a small screen (title bar and task bar left room)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        width, height = 1060, 700
        if area is not None:
            width, height = min(width, area.width() - 40), min(height, area.height() - 60)
        self.resize(width, height)

    def _fill_contents(self) -> None:
        chapter: QTreeWidgetItem | None = None
        for heading in manual.headings(self.doc):
            if heading.level == 1:
                continue  # the title
            item = QTreeWidgetItem([heading.text])
            item.setData(0, Qt.ItemDataRole.UserRole, heading.block)
            if heading.level == 2 or chapter is None:
                self.contents.addTopLevelItem(item)
                chapter = item
            else:
                chapter.addChild(item)

    def go_to(self, block_number: int) -> None:
        """Scroll so that the heading is the first line shown."""
        block = self.doc.findBlockByNumber(int(block_number))
        if not block.isValid():
            return
        self.browser.setTextCursor(QTextCursor(block))
        top = self.doc.documentLayout().blockBoundingRect(block).top()
        self.browser.verticalScrollBar().setValue(int(top))

    def find_next(self) -> bool:
        text = self.find_edit.text().strip()
        if not text:
            return False
        found = self.browser.find(text)
        if not found:  # wrap round to the start once
            self.browser.moveCursor(QTextCursor.MoveOperation.Start)
            found = self.browser.find(text)
        self.find_status.setText("" if found else "没有找到")
        return found

    def print_manual(self) -> None:
        path = temp_folder() / manual.PDF_NAME
        manual.write_pdf(path)
        printing.preview(self, path)

    def save_pdf(self) -> None:
        target = printing.ask_save_path(self, manual.PDF_NAME, title="保存使用说明 PDF")
        if target is None:
            return
        try:
            manual.write_pdf(target)
        except OSError as exc:
            QMessageBox.warning(self, "未能保存", f"不能写入 {target}：{exc.strerror or exc}")
            return
        QMessageBox.information(self, "已保存", f"使用说明已保存为 {target}")


def show_manual(parent: QWidget | None) -> ManualDialog | None:
    """Open the manual (not modal); a missing manual file is said, not raised."""
    try:
        dialog = ManualDialog(parent)
    except manual.ManualMissing as exc:
        QMessageBox.warning(parent, "使用说明", str(exc))
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog

