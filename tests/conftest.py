"""Shared fixtures: every test gets its own data folder and settings, never the user's."""

from __future__ import annotations

import dataclasses
import itertools
import os
import shutil
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


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """Passwords hashed with scrypt at 1/16 of the program's cost (N = 2**10, not 2**14), as Django
    has its tests use a fast hasher: a hash records its own N, so checking is unchanged, and the
    thousands of logins and signatures of the suite (and the demo's 169) stop costing 56 ms each.
    tests/reliability/test_accounts_lockout.py checks the program's own cost."""
    from desktop.services import accounts

    accounts.SCRYPT_N = 2**10
    yield
    accounts.SCRYPT_N = accounts.PROGRAM_SCRYPT_N


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


# -- PostgreSQL (issue #19): one throwaway cluster per test process ---------------------------

@pytest.fixture(scope="session")
def pg_cluster():  # type: ignore[no-untyped-def]
    """The cluster, or a skip where PostgreSQL is not installed. scripts/test.sh (the README's
    and CI's command) sets JIFEN_TEST_PG=1, and there a missing server fails the run instead."""
    from tests import pg_cluster

    if pg_cluster.server_bin() is None:
        if os.environ.get("JIFEN_TEST_PG") == "1":
            pytest.fail("JIFEN_TEST_PG=1 but PostgreSQL is not installed (scripts/bootstrap.sh installs it as root)")
        pytest.skip("PostgreSQL 未安装")
    cluster = pg_cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_cluster) -> str:  # type: ignore[no-untyped-def]
    """A database migrated to head: each test's own database is a copy of it (CREATE DATABASE …
    TEMPLATE takes milliseconds; running the migrations takes seconds)."""
    from desktop.models.db import open_database
    from tests.factories import pg_admin

    with pg_admin(pg_cluster) as conn:
        conn.exec_driver_sql("CREATE DATABASE jifen_head")
    open_database(pg_cluster.url("jifen_head")).dispose()
    return "jifen_head"


@pytest.fixture
def pg_db(pg_cluster, pg_template):  # type: ignore[no-untyped-def]
    from tests.factories import new_pg_db

    database, drop = new_pg_db(pg_cluster, pg_template)
    yield database
    database.dispose()
    drop()


_BUREAUS = itertools.count()


@pytest.fixture
def bureau(pg_cluster) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty bureau database on the test cluster; its address as a user writes it."""
    name = f"bureau{os.getpid()}_{next(_BUREAUS)}"
    from tests.factories import pg_admin

    with pg_admin(pg_cluster) as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield pg_cluster.url(name).replace("+psycopg", "")
    with pg_admin(pg_cluster) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the demo station, built once per test session (per xdist worker) --------------------------
DEMO_UNTIL = "2026-03"


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """(path, report) of the demo station until 2026-03, built once (the slowest set-up there is)."""
    from desktop.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    report = build_demo(path, until=DEMO_UNTIL)
    return path, report


def copy_database(source: Path, target: Path) -> None:
    """A SQLite file with its -wal and -shm companions, where it has them."""
    for suffix in ("", "-wal", "-shm"):
        if Path(str(source) + suffix).exists():
            shutil.copy(str(source) + suffix, str(target) + suffix)


@pytest.fixture(scope="session")
def demo_template(demo_build) -> Path:  # type: ignore[no-untyped-def]
    return demo_build[0]


@pytest.fixture
def quick_demo(monkeypatch: pytest.MonkeyPatch, demo_build) -> None:  # type: ignore[no-untyped-def]
    """`jifen demo --until 2026-03` copies the session's demo instead of building it again, for
    tests of how the command treats files (--force, backups, odd names), not of the demo itself;
    it keeps build_demo's own checks on the target file."""
    from desktop.services import demo
    from desktop.services.errors import ValidationError

    template, report = demo_build

    def copy_of_the_demo(path, *, seed=7, until=None, force=False, station_code=None,  # type: ignore[no-untyped-def]
                         station_name=None, policy=None):
        assert (seed, until, station_code, station_name, policy) == (7, DEMO_UNTIL, None, None, None)
        path = Path(path)
        if path.exists() and not force:
            raise ValidationError(f"数据库“{path}”已存在，演示数据不会覆盖它；确需覆盖请加 --force")
        if force:
            demo._remove(path)
        copy_database(template, path)
        return dataclasses.replace(report, path=path)

    monkeypatch.setattr(demo, "build_demo", copy_of_the_demo)
