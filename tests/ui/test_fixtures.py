"""Smoke test of the shared GUI fixtures."""

from PySide6.QtWidgets import QMessageBox


def test_fixtures(ctx_for, modals, station_ctx_for):
    ctx = ctx_for("neiqin")
    assert ctx.can("entry.write")
    QMessageBox.warning(None, "t", "中文")
    assert modals.last == "中文"
    assert station_ctx_for("officer").can("entry.write") is False
