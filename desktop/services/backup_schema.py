"""Is a database file's schema exactly what this program's migrations make?

A hash chain protects the audit events, not the schema: a backup carrying one extra trigger
(say, one that moves every new bonus entry to one officer) passes integrity_check and the
chain, and after a restore it would quietly rewrite every new record. So every row of
sqlite_master (tables, indexes, triggers, views) is compared with a reference database made
by running the migrations up to the file's own revision on a temporary file, once per
revision per process. Anything extra, missing or different is named.

`schema_differences(path)` is the one entry point; `audit verify` may call it on the live
database, restore calls it on the backup.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import tempfile
import threading
from pathlib import Path

from desktop.services import integrity

# (type, name) -> (tbl_name, normalised sql)
Schema = dict[tuple[str, str], tuple[str, str]]

KINDS = {"table": "数据表", "index": "索引", "trigger": "触发器", "view": "视图"}
# SQLite's own bookkeeping, made by SQLite itself (AUTOINCREMENT, ANALYZE, UNIQUE constraints).
# Only these exact shapes are skipped: any other name starting with sqlite_ is reported,
# since PRAGMA writable_schema lets a forger plant a trigger under such a name.
_INTERNAL_TABLES = frozenset({"sqlite_sequence", "sqlite_stat1", "sqlite_stat2", "sqlite_stat3",
                              "sqlite_stat4"})
_CONSTRAINT = re.compile(r"^(CONSTRAINT|PRIMARY\s+KEY|UNIQUE|FOREIGN\s+KEY|CHECK)\b", re.IGNORECASE)
_lock = threading.Lock()


def _internal(kind: str, name: str, sql: str | None) -> bool:
    if kind == "table" and name in _INTERNAL_TABLES:
        return True
    return kind == "index" and name.startswith("sqlite_autoindex_") and sql is None


def _split_top_level(body: str) -> list[str]:
    """The comma-separated items of a CREATE TABLE body, ignoring commas in brackets and quotes."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    quote: str | None = None
    for ch in body:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "'\"`[":
            quote = "]" if ch == "[" else ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    items.append("".join(current).strip())
    return items


def normalise(kind: str, sql: str | None) -> str:
    """SQL text compared without layout: whitespace collapsed, and a table's constraints in a
    fixed order (Alembic's batch mode writes them in set order, which differs between runs)."""
    text = re.sub(r"\s+", " ", sql or "").strip()
    if kind != "table" or "(" not in text:
        return text
    start, end = text.index("("), text.rindex(")")
    items = _split_top_level(text[start + 1:end])
    columns = [i for i in items if not _CONSTRAINT.match(i)]
    constraints = sorted(i for i in items if _CONSTRAINT.match(i))
    return f"{text[:start]}({', '.join(columns + constraints)}){text[end + 1:]}"


def read_schema(conn: sqlite3.Connection) -> Schema:
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return {(str(kind), str(name)): (str(table), normalise(str(kind), sql))
            for kind, name, table, sql in rows if not _internal(str(kind), str(name), sql)}


@functools.cache
def _reference(revision: str) -> Schema:
    from desktop.models.db import make_engine, migrate

    with tempfile.TemporaryDirectory(prefix="jifen-schema-") as folder:
        path = Path(folder) / "reference.db"
        engine = make_engine(path)
        try:
            migrate(engine, revision)
        finally:
            engine.dispose()
        conn = sqlite3.connect(path)
        try:
            return read_schema(conn)
        finally:
            conn.close()


def reference_schema(revision: str) -> Schema:
    """What the migrations make at `revision` (built once per revision per process)."""
    with _lock:  # the GUI checks in a worker; two threads must not build the same reference twice
        return _reference(revision)


def compare(actual: Schema, expected: Schema, what: str = "数据库") -> list[str]:
    """Plain-Chinese differences, one per object: extra, missing, or defined differently."""
    problems: list[str] = []
    for key in sorted(actual.keys() - expected.keys()):
        problems.append(f"{what}中多出{KINDS.get(key[0], key[0])}“{key[1]}”")
    for key in sorted(expected.keys() - actual.keys()):
        problems.append(f"{what}中缺少{KINDS.get(key[0], key[0])}“{key[1]}”")
    for key in sorted(actual.keys() & expected.keys()):
        if actual[key] != expected[key]:
            problems.append(f"{what}中的{KINDS.get(key[0], key[0])}“{key[1]}”与本程序的定义不同")
    return problems


def schema_differences(path: str | Path, what: str = "数据库") -> list[str]:
    """[] when the file's schema is exactly what the migrations make for its own revision.

    Otherwise one Chinese line per difference, e.g. "数据库中多出触发器“x”"; `what` names the
    file in them ("备份" for a backup). A file whose revision this program does not know, or
    that has none, is one line saying so (it cannot be compared).
    """
    from desktop.models.db import known_revisions

    conn = integrity.connect_readonly(Path(path))
    try:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            row = None
        actual = read_schema(conn)
    finally:
        conn.close()
    revision = str(row[0]) if row else ""
    if revision not in known_revisions():
        return [f"{what}的数据库版本“{revision or '无'}”不是本程序建立的，无法核对其结构"]
    return compare(actual, reference_schema(revision), what)
