"""Alembic environment: runs on the engine handed in by `desktop.models.db`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import desktop.models.registry  # noqa: F401  (registers every table)
from desktop.models.base import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
