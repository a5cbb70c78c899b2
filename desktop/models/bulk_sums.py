"""Month sums added set-based, not one trigger call a row, while a bulk import inserts entries.

`entry_sums` is kept by triggers (SQLite: migrations 0004 and 0007; PostgreSQL: `pg_sums`), each
inserted entry an upsert of its (month, person, item code, component). For a county quarter's
105,000 imported entries that was 1.6 s of the 3.1 s their insert took; the same sums added in
one grouped upsert afterwards take 0.2 s. `DeferredSums` holds the insert trigger off for the
rows a bulk import inserts and then adds exactly what the trigger would have added: per key the
points, the veto points, the count, and the lowest monthly cap.

How the trigger is held off is each database's own:
- SQLite: the insert trigger is dropped inside the import's transaction (one is opened first if
  need be) and made again, from
  the very text `sqlite_master` held, before it commits. DDL is transactional there: a rollback
  brings the trigger back, and no other connection writes meanwhile (one writer at a time), so
  the rows inserted since are exactly those with an id above the largest before.
- PostgreSQL: other clerks write at the same time, so nothing is dropped; the transaction sets
  `jifen.sums_deferred` for itself (`set_config(…, true)`: gone at commit or rollback), which the
  trigger function (migration 0014) reads to step aside for this transaction's inserts only. The
  rows are then named by their uuids, not by an id range another session's inserts could share.

`seal_verify` recomputes the same sums with `sums_select` to find a hand-edited sum.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from types import TracebackType

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from desktop.models import pg_sums

INSERT_TRIGGER = "tr_entries_sums_insert"  # SQLite's (migration 0007)
SQLITE_MONTH = "CAST(substr(e.occurred_on, 1, 4) AS INTEGER) * 100 + CAST(substr(e.occurred_on, 6, 2) AS INTEGER)"

_SELECT = """
SELECT {month} AS month, e.person_id, c.code, e.component, SUM(e.points_tenths),
       SUM(CASE WHEN e.veto THEN e.points_tenths ELSE 0 END), COUNT(*), MIN(c.monthly_cap_tenths)
FROM entries e JOIN catalogue_items c ON c.id = e.item_id
WHERE e.scheme = 'person' AND e.person_id IS NOT NULL{where} GROUP BY 1, 2, 3, 4"""

# What the insert trigger does for one entry, for a group of them: add to the key's sums, keep
# the lower cap (a NULL cap is no cap). Plain SQL both databases read alike.
_ADD = """
INSERT INTO entry_sums (month, person_id, code, component, points_tenths, veto_tenths, entries, cap_tenths)
{select}
ON CONFLICT (month, person_id, code, component) DO UPDATE SET
    points_tenths = entry_sums.points_tenths + excluded.points_tenths,
    veto_tenths = entry_sums.veto_tenths + excluded.veto_tenths,
    entries = entry_sums.entries + excluded.entries,
    cap_tenths = CASE WHEN entry_sums.cap_tenths IS NULL THEN excluded.cap_tenths
                      WHEN excluded.cap_tenths IS NULL THEN entry_sums.cap_tenths
                      WHEN excluded.cap_tenths < entry_sums.cap_tenths THEN excluded.cap_tenths
                      ELSE entry_sums.cap_tenths END"""


def sums_select(postgres: bool, where: str = "") -> str:
    """The month sums of the person-scheme entries (those `where` adds, e.g. "AND e.id > :after"),
    as (month, person_id, code, component, points, veto points, entries, lowest cap)."""
    return _SELECT.format(month=pg_sums.MONTH_OF_E if postgres else SQLITE_MONTH, where=where)


class DeferredSums:
    """`with DeferredSums(session) as sums:` insert entries, telling `sums.inserted(uuids)`;
    on leaving without an error their month sums are added (see the module's notes)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self._trigger_sql: str | None = None
        self._after = 0
        self._uuids: list[str] = []

    def __enter__(self) -> DeferredSums:
        run = self.session.execute
        if self.postgres:
            run(text("SELECT set_config(:name, 'on', true)"), {"name": pg_sums.DEFERRED_SETTING})
            return self
        self._trigger_sql = run(text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
                                {"name": INSERT_TRIGGER}).scalar()
        if self._trigger_sql is None:
            raise RuntimeError(f"the entry_sums trigger {INSERT_TRIGGER} is missing: the database is not at head")
        self._after = run(text("SELECT coalesce(max(id), 0) FROM entries")).scalar_one()
        # Python's sqlite3 opens its transaction only at a write, and runs DDL outside one as
        # its own, committed at once: a write that changes nothing opens it first, so the drop
        # is undone with everything else if the import fails.
        driver = self.session.connection().connection.driver_connection
        if not driver.in_transaction:
            run(text("DELETE FROM entry_sums WHERE 0 = 1"))
        if not driver.in_transaction:
            raise RuntimeError("no open transaction: the entry_sums trigger is not dropped outside one")
        run(text(f'DROP TRIGGER "{INSERT_TRIGGER}"'))
        return self

    def inserted(self, uuids: Iterable[str]) -> None:
        """The uuids of entries just inserted (PostgreSQL names the rows by them)."""
        if self.postgres:
            self._uuids.extend(uuids)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        run = self.session.execute
        if self.postgres:
            if kind is None:  # after an error the transaction is rolled back, and the setting with it
                run(text("SELECT set_config(:name, 'off', true)"), {"name": pg_sums.DEFERRED_SETTING})
                if self._uuids:
                    query = text(_ADD.format(select=sums_select(True, " AND e.uuid = ANY(:uuids)")))
                    run(query.bindparams(bindparam("uuids", type_=ARRAY(String))), {"uuids": self._uuids})
            return
        if kind is not None:  # the caller rolls back, which brings the dropped trigger back too
            with contextlib.suppress(SQLAlchemyError):
                run(text(self._trigger_sql or ""))  # and for a caller that carries on regardless
            return
        run(text(self._trigger_sql or ""))  # back before anything else in the transaction inserts
        run(text(_ADD.format(select=sums_select(False, " AND e.id > :after"))), {"after": self._after})
