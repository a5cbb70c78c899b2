"""The migrations on PostgreSQL (issue #19): an empty server database goes to head, matches
the models exactly, and keeps the month sums with its PL/pgSQL counterpart of SQLite's triggers."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import inspect, text

from desktop.models import pg_sums
from desktop.models.db import (
    Database,
    alembic_config,
    current_revision,
    head_revision,
    needs_migration,
    open_database,
)
from tests.factories import new_pg_db, pg_admin
from tests.services.builders import person, rec, world


def test_an_empty_server_database_is_migrated_to_head_on_open(pg_cluster) -> None:  # type: ignore[no-untyped-def]
    with pg_admin(pg_cluster) as conn:
        conn.exec_driver_sql("CREATE DATABASE from_empty")
    db = open_database(pg_cluster.url("from_empty"))
    try:
        assert db.is_server and db.path is None
        assert current_revision(db.engine) == head_revision()
        assert not needs_migration(db.engine)
        command.check(alembic_config(db.engine))  # no drift between the models and the migrated schema
        tables = set(inspect(db.engine).get_table_names())
        assert {"stations", "people", "entries", "entry_sums", "audit_events", "row_seals"} <= tables
        with db.engine.connect() as conn:
            triggers = set(conn.execute(text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'entries'::regclass AND NOT tgisinternal")).scalars())
        assert triggers == set(pg_sums.TRIGGERS)
    finally:
        db.dispose()


def test_the_month_sums_are_kept_by_the_server_as_by_sqlite(pg_cluster, pg_template) -> None:  # type: ignore[no-untyped-def]
    database: Database
    database, drop = new_pg_db(pg_cluster, pg_template)
    try:
        w = world(database)
        with w.tx() as s:
            a = person(s, w.dept, "001")
            rec(s, w.clerk, a, "ZB-07", dt.date(2026, 3, 3), times=7)  # 2.0 each, capped at 10.0 a month
            rec(s, w.clerk, a, "ZB-01", dt.date(2026, 4, 30))
        with database.engine.connect() as conn:
            rows = conn.execute(text("SELECT month, code, points_tenths, entries, cap_tenths FROM entry_sums "
                                     "ORDER BY month, code")).all()
        assert [tuple(r) for r in rows] == [(202603, "ZB-07", 140, 7, 100), (202604, "ZB-01", 10, 1, 250)]
    finally:
        database.dispose()
        drop()


def test_server_connections_plan_each_statement_for_its_own_parameters(pg_cluster, pg_template) -> None:  # type: ignore[no-untyped-def]
    """A statement psycopg has prepared keeps being planned for each run's parameters: a generic
    plan read a unit scheme's month of entries through the date index, 27 ms where the
    (scheme, day) index takes 0.1 ms (stores.PLAN_OPTIONS)."""
    from desktop.models import stores

    database, drop = new_pg_db(pg_cluster, pg_template)
    try:
        with database.engine.connect() as conn:
            for _ in range(12):  # past psycopg's prepare threshold and the server's five custom plans
                conn.execute(text("SELECT count(*) FROM entries WHERE scheme = :s AND occurred_on >= :d"),
                             {"s": "duiwu", "d": dt.date(2026, 1, 1)})
            assert conn.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
            schema = conn.execute(text("SELECT current_schema()")).scalar()
        engine = stores.schema_engine(database.engine.url, str(schema))  # the bureau board's way in
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
        finally:
            engine.dispose()
    finally:
        database.dispose()
        drop()
