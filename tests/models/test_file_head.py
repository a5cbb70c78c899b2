"""Opening a database checks for pending migrations without importing Alembic (a tenth of a
second at every start); the head it reads from the migration files must be Alembic's head."""

from __future__ import annotations

from pathlib import Path

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
