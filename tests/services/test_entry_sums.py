"""`entry_sums`, kept by SQLite triggers, always matches the entries; scoring read from it matches
scoring worked out from the entries themselves (the way it was done before migration 0004)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import sqlite3
import uuid
from collections import defaultdict
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from desktop.models.bulk_sums import DeferredSums
from desktop.models.catalogue import CatalogueItem
from desktop.models.db import alembic_config, make_engine, open_database
from desktop.models.ledger import Entry
from desktop.services import catalogue, ledger, scoring
from desktop.services.catalogue import ItemSpec
from tests.services.builders import World, person, rec

D = dt.date
Key = tuple[int, int, str, str]  # month, person, item code, component


def from_entries(session: Session) -> dict[Key, tuple[int, int, int, int | None]]:
    """What `entry_sums` should hold, worked out in Python from every entry."""
    items = {i.id: i for i in session.scalars(select(CatalogueItem))}
    out: dict[Key, list[object]] = {}
    for e in session.scalars(select(Entry)):
        item = items[e.item_id]
        key = (e.occurred_on.year * 100 + e.occurred_on.month, e.person_id, item.code, e.component)
        row = out.setdefault(key, [0, 0, 0, None])
        row[0] += e.points_tenths  # type: ignore[operator]
        row[1] += e.points_tenths if e.veto else 0  # type: ignore[operator]
        row[2] += 1  # type: ignore[operator]
        cap = item.monthly_cap_tenths
        if cap is not None:
            row[3] = cap if row[3] is None else min(row[3], cap)  # type: ignore[call-overload]
    return {k: tuple(v) for k, v in out.items()}  # type: ignore[misc]


def kept(session: Session) -> dict[Key, tuple[int, int, int, int | None]]:
    rows = session.execute(text("SELECT month, person_id, code, component, points_tenths, veto_tenths, entries, "
                                "cap_tenths FROM entry_sums"))
    return {(m, p, c, comp): (pts, veto, n, cap) for m, p, c, comp, pts, veto, n, cap in rows}


def sums_from_entries(session: Session, start: dt.date, end: dt.date) -> tuple[dict[int, dict[str, int]], set[int]]:
    """The component sums as scoring worked them out before: per month, per person and item code,
    capped at the lowest cap of the month's items, then added up; veto points summed."""
    items = {i.id: i for i in session.scalars(select(CatalogueItem))}
    month: dict[tuple[int, int, str, str], list[int | None]] = {}
    veto: dict[int, int] = defaultdict(int)
    for e in session.scalars(select(Entry).where(Entry.occurred_on >= start, Entry.occurred_on <= end)):
        item = items[e.item_id]
        found = month.setdefault((e.occurred_on.year * 100 + e.occurred_on.month, e.person_id, item.code,
                                  e.component), [0, None, 0])
        found[0] += e.points_tenths  # type: ignore[operator]
        if item.monthly_cap_tenths is not None:
            found[1] = item.monthly_cap_tenths if found[1] is None else min(found[1], item.monthly_cap_tenths)
        if e.veto:
            veto[e.person_id] += e.points_tenths
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (_m, person_id, _code, component), (value, cap, _) in month.items():
        assert value is not None
        sums[person_id][component] += cap if cap is not None and value > cap else value
    return sums, {p for p, points in veto.items() if points > 0}


def plain(sums: dict[int, dict[str, int]] | dict[int, tuple[int, ...]]) -> dict[int, dict[str, int]]:
    """Non-zero sums per person and component; scoring's are tuples in SUM_COLUMNS order."""
    named = {p: comps if isinstance(comps, dict) else dict(zip(scoring.SUM_COLUMNS, comps, strict=True))
             for p, comps in sums.items()}
    return {p: {c: v for c, v in comps.items() if v} for p, comps in named.items() if any(comps.values())}


def revise(session: Session, w: World, day: dt.date, changes: dict[str, dict[str, object]]) -> None:
    specs = [dataclasses.replace(ItemSpec.of(i), **changes.get(i.code, {}))
             for i in catalogue.items_in_force(session, day - dt.timedelta(days=1))]
    catalogue.create_version(session, w.clerk, day, f"{day} 修订", specs)


def test_sums_follow_every_write_even_raw_ones(w: World) -> None:
    with w.tx() as s:
        a, b = person(s, w.dept, "001"), person(s, w.dept, "002")
        rec(s, w.clerk, a, "ZB-07", D(2026, 3, 3), times=7)  # 2.0 each, capped at 10.0 a month
        rec(s, w.clerk, [a, b], "ZB-01", D(2026, 3, 4), times=2)
        vetoed = rec(s, w.clerk, b, "DL-08", D(2026, 3, 9), with_evidence=True)[0]
        ledger.reverse(s, w.clerk, vetoed.id, "录错了人")
        rec(s, w.clerk, b, "DL-09", D(2026, 4, 2), with_evidence=True)
        revise(s, w, D(2026, 3, 16), {"ZB-07": {"monthly_cap_tenths": 60}})  # a lower cap from mid-March
        rec(s, w.clerk, a, "ZB-07", D(2026, 3, 20), times=2)  # the new version's item, same code
        assert kept(s) == from_entries(s)
        march = kept(s)[(202603, a.id, "ZB-07", "dept_bonus")]
        assert march == (180, 0, 9, 60)  # both versions' entries under one code, the lower cap

    conn_edits = [
        "UPDATE entries SET points_tenths = points_tenths + 5 WHERE id = (SELECT min(id) FROM entries)",
        "UPDATE entries SET occurred_on = '2026-05-01' WHERE id = (SELECT max(id) FROM entries)",
        f"UPDATE entries SET person_id = {b.id} WHERE id = (SELECT min(id) + 1 FROM entries)",
        # the two lower-capped entries go: the March cap is the earlier version's again
        "DELETE FROM entries WHERE id IN (SELECT id FROM entries WHERE occurred_on = '2026-03-20')",
        "DELETE FROM entries WHERE item_code = 'DL-09'",
    ]
    for sql in conn_edits:
        with w.tx() as s:
            if w.db.is_server:  # PostgreSQL always checks foreign keys: the entry's evidence goes first
                s.execute(text("DELETE FROM evidence_files WHERE entry_id IN "
                               "(SELECT id FROM entries WHERE item_code = 'DL-09')"))
            else:
                s.execute(text("PRAGMA foreign_keys = OFF"))  # a raw edit, as a tool outside the program would make
            s.execute(text(sql))
        with w.tx() as s:
            assert kept(s) == from_entries(s), sql
    with w.tx() as s:
        assert kept(s)[(202603, a.id, "ZB-07", "dept_bonus")][3] == 100
        assert not any(k[2] == "DL-09" for k in kept(s))  # a sum whose entries are all gone is gone


def test_scoring_from_the_sums_equals_scoring_from_the_entries(w: World) -> None:
    rng = random.Random(11)
    with w.tx() as s:
        people = [person(s, w.dept, f"{n:03d}") for n in range(1, 7)]
        codes = ["ZB-01", "ZB-07", "ZB-08", "BA-01", "SJ-02", "SJ-10", "JJ-03"]
        for _ in range(160):
            day = D(2026, rng.randint(1, 5), rng.randint(1, 28))
            code = rng.choice(codes)
            kw: dict[str, object] = {"points": 35} if code == "JJ-03" else {}
            if code in ("SJ-02",):
                kw["with_evidence"] = True
            rec(s, w.clerk, rng.choice(people), code, day, **kw)
        revise(s, w, D(2026, 2, 10), {"ZB-07": {"monthly_cap_tenths": 40}, "ZB-01": {"monthly_cap_tenths": 30}})
        for _ in range(60):
            rec(s, w.clerk, rng.choice(people), rng.choice(["ZB-07", "ZB-01"]), D(2026, 2, rng.randint(1, 28)))
        entries = s.scalars(select(Entry).where(Entry.points_tenths > 0)).all()
        for entry in rng.sample(entries, 15):
            ledger.reverse(s, w.clerk, entry.id, "冲正")
        rec(s, w.clerk, people[0], "DL-08", D(2026, 4, 7), with_evidence=True)
    spans = [(D(2026, m, 1), D(2026, m + 1, 1) - dt.timedelta(days=1)) for m in range(1, 6)]
    spans += [(D(2026, 1, 1), D(2026, 3, 31)), (D(2026, 4, 1), D(2026, 6, 30)), (D(2026, 1, 1), D(2026, 12, 31)),
              (D(2026, 2, 5), D(2026, 4, 20))]  # the last is not whole months: read from the entries
    with w.tx() as s:
        assert kept(s) == from_entries(s)
        for start, end in spans:
            sums, vetoed = scoring._component_sums(s, start, end)
            expected_sums, expected_veto = sums_from_entries(s, start, end)
            assert plain(sums) == plain(expected_sums), (start, end)
            assert vetoed == expected_veto, (start, end)
        assert any(v for v in plain(scoring._component_sums(s, D(2026, 2, 1), D(2026, 2, 28))[0]).values())


def test_a_database_with_entries_gets_its_sums_when_upgraded(w: World, tmp_path: Path) -> None:
    if w.db.is_server:
        pytest.skip("an upgrade of a station's SQLite file from before 0004; no server database is that old")
    with w.tx() as s:
        a = person(s, w.dept, "001")
        rec(s, w.clerk, a, "ZB-07", D(2026, 3, 3), times=7)
        rec(s, w.clerk, a, "ZB-01", D(2026, 4, 3), times=3)
        expected = from_entries(s)
    old = tmp_path / "old.db"
    source = sqlite3.connect(w.db.path)
    with closing(sqlite3.connect(old)) as copy:
        source.backup(copy)
    source.close()
    engine = make_engine(old)
    command.downgrade(alembic_config(engine), "0003")  # a database from before the sums existed
    engine.dispose()
    with closing(sqlite3.connect(old)) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE '%entry_sums%'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM entries").fetchone() == (10,)
    upgraded = open_database(old)
    try:
        with upgraded.transaction() as s:
            assert kept(s) == expected
            rec(s, w.clerk, a, "ZB-01", D(2026, 4, 4))  # and the triggers work from then on
            assert kept(s) == from_entries(s)
    finally:
        upgraded.dispose()


def _copies(session: Session, *, month: int | None = None) -> list[dict[str, object]]:
    """Every entry again under a new uuid (in another month if given): rows as a bulk import writes them."""
    rows = []
    for row in session.execute(select(Entry.__table__)).mappings():
        copy = {k: v for k, v in row.items() if k not in ("id", "reverses_id")}
        copy["uuid"] = str(uuid.uuid4())
        if month is not None:
            copy["occurred_on"] = copy["occurred_on"].replace(month=month)  # type: ignore[attr-defined]
        rows.append(copy)
    return rows


def test_a_bulk_insert_adds_the_sums_its_rows_trigger_would_have(w: World) -> None:
    """Rows inserted under DeferredSums (an import) land in the sums of the keys they share with
    entries already there (adding to points, veto points and counts, keeping the lower cap) and
    make the keys they do not; the trigger works again for the next entry."""
    with w.tx() as s:
        a, b = person(s, w.dept, "001"), person(s, w.dept, "002")
        rec(s, w.clerk, a, "ZB-07", D(2026, 3, 3), times=3)  # a capped item
        rec(s, w.clerk, [a, b], "ZB-01", D(2026, 3, 4))
        rec(s, w.clerk, b, "DL-08", D(2026, 3, 9), with_evidence=True)  # a veto item
        revise(s, w, D(2026, 3, 16), {"ZB-07": {"monthly_cap_tenths": 60}})
        rec(s, w.clerk, a, "ZB-07", D(2026, 3, 20))  # the lower cap
        same_keys, new_keys = _copies(s), _copies(s, month=5)
        before = kept(s)
    with w.tx() as s:
        with DeferredSums(s) as sums:
            s.execute(insert(Entry.__table__), same_keys + new_keys)
            sums.inserted(r["uuid"] for r in same_keys + new_keys)  # type: ignore[misc]
            assert kept(s) == before  # held off while the rows go in
        assert kept(s) == from_entries(s)
        assert kept(s)[(202603, a.id, "ZB-07", "dept_bonus")] == (160, 0, 8, 60)
        (veto_key,) = [k for k, v in before.items() if v[1]]
        assert before[veto_key][1:3] == (before[veto_key][0], 1) and kept(s)[veto_key][1:3] == (2 * before[veto_key][1], 2)
        assert kept(s)[(202605, a.id, "ZB-01", "base")] == before[(202603, a.id, "ZB-01", "base")]  # keys of their own
        rec(s, w.clerk, b, "ZB-01", D(2026, 5, 6))  # recorded as usual: the trigger is back
        assert kept(s) == from_entries(s)


def test_a_bulk_insert_that_fails_leaves_the_sums_and_the_trigger_as_they_were(w: World) -> None:
    with w.tx() as s:
        a = person(s, w.dept, "001")
        rec(s, w.clerk, a, "ZB-01", D(2026, 3, 4), times=2)
        rows, before = _copies(s), kept(s)
    with pytest.raises(RuntimeError), w.tx() as s, DeferredSums(s):
        s.execute(insert(Entry.__table__), rows)
        raise RuntimeError("the import stops half-way (a cancel, a bad row)")
    with w.tx() as s:
        assert kept(s) == before == from_entries(s)
        rec(s, w.clerk, a, "ZB-01", D(2026, 3, 5))
        assert kept(s) == from_entries(s)  # the trigger survived the rollback


def test_another_sessions_entries_are_summed_while_an_import_holds_its_own_off(w: World) -> None:
    """On a server the import steps the trigger aside for its own transaction only, and adds the
    sums of its own rows by their uuids: an entry another session writes meanwhile (here raw, as
    the writer lock keeps the program's own clerks of this station waiting) is summed once, by
    its trigger, not also by the import's refresh."""
    if not w.db.is_server:
        pytest.skip("a station's SQLite file has one writer at a time")
    with w.tx() as s:
        a = person(s, w.dept, "001")
        rec(s, w.clerk, a, "ZB-01", D(2026, 3, 4))
        rows, theirs = _copies(s), _copies(s)
    with w.tx() as s, DeferredSums(s) as sums:
        s.execute(insert(Entry.__table__), rows)
        sums.inserted(r["uuid"] for r in rows)  # type: ignore[misc]
        with w.db.engine.begin() as other:  # a connection of its own, committed before the import's refresh
            other.execute(insert(Entry.__table__), theirs)
    with w.tx() as s:
        assert kept(s) == from_entries(s)
        assert kept(s)[(202603, a.id, "ZB-01", "base")][2] == 3
