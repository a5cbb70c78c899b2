"""Qt's own dialogs in Chinese: Qt's translations, and the few lines they leave in English.

`qtbase_zh_CN.qm` (shipped with PySide6) translates nearly all of Qt's standard dialogs, but a
few labels were never translated: Qt's own file dialog (used wherever the system has no native
one, as on a plain Linux desktop) still says "Look in" and "Files of type", and the print dialog
"Page Set". Our own small translation file, resources/translations/qt_gaps_zh_CN.ts (compiled
to .qm with pyside6-lrelease), fills exactly those; it is installed after Qt's, so it is asked
first and passes everything else on. tests/ui/test_manual.py opens the dialogs and looks for
English.
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from desktop.paths import resource

CHINA = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
GAPS_NAME = "qt_gaps_zh_CN.qm"


class GapTranslator(QTranslator):
    """The translations Qt's file lacks (a subclass only so that `make_app` can find it)."""


def install(app: QApplication) -> bool:
    """Qt's Chinese texts and the gaps; False when either translation file could not be loaded."""
    qt = QTranslator(app)
    found = qt.load(CHINA, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    if found:
        app.installTranslator(qt)
    gaps = GapTranslator(app)
    filled = gaps.load(str(resource("translations", GAPS_NAME)))
    if filled:
        app.installTranslator(gaps)  # the last installed is asked first
    return found and filled
