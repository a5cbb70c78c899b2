"""Shared fixtures: every test gets its own data folder and settings, never the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def _collect_on_the_main_thread() -> None:
    """As the program does (desktop.ui.gc_guard): no automatic collection, which could run in a
    worker thread and destroy a Qt widget there; the main thread collects between tests."""
    from desktop.ui import gc_guard

    gc_guard.take_over()


@pytest.fixture(autouse=True)
def _collect_after_each_test() -> Iterator[None]:
    yield
    from desktop.ui import gc_guard

    gc_guard.collect_if_due()


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def db(tmp_path: Path):
    from tests.factories import new_db

    database = new_db(tmp_path)
    yield database
    database.dispose()
