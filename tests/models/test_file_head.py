"""Opening a database checks for pending migrations without importing Alembic (a tenth of a
second at every start); the head it reads from the migration files must be Alembic's head."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop.models.db import file_head, head_revision, make_engine, migrate, needs_migration


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    assert file_head() == head_revision()


def test_needs_migration_without_alembic_agrees_with_alembic(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "old.db")
    try:
        assert needs_migration(engine)  # no alembic_version table yet
        migrate(engine, "0001")
        assert needs_migration(engine)
        migrate(engine)
        assert not needs_migration(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("code, expected", [
    ("from desktop.models import db; print(db.open_database.__name__)", "open_database"),
    ("from desktop.models import Person, enums; print(Person.__tablename__, enums.Role.CHIEF.value)", "people chief"),
    ("import desktop.models as m; print(m.Entry.__tablename__)", "entries"),
    ("import sys, desktop.models.enums; print('sqlalchemy' in sys.modules)", "False"),
])
def test_the_models_package_loads_lazily_and_still_hands_out_everything(code: str, expected: str) -> None:
    """The package imports nothing until asked (the login window must not wait for SQLAlchemy),
    yet submodules and model classes come from it as before, in a fresh interpreter each."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == expected
