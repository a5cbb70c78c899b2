"""Many clerks at once on a server database (issue #19): eight clients record entries while the
chief signs and locks the month they are also writing into. Afterwards every entry a client was
told was saved is there exactly once, the audit chain verifies link by link, and the lock held:
what the month's locked rows say is what its entries give, so nothing got in after it."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

from sqlalchemy import func, select

from desktop.models.db import Database, open_database
from desktop.models.ledger import Entry
from desktop.services import audit, periods, scoring, signoff
from desktop.services.errors import PeriodLocked
from tests.factories import PASSWORD, db_arg
from tests.services.builders import confirm_everyone, person, rec, world

CLIENTS = 8
EACH = 20  # entries per client, every other one into the month being locked


def test_eight_clerks_record_while_the_chief_signs_and_locks(pg_db: Database) -> None:
    w = world(pg_db)
    with w.tx() as s:
        people = [person(s, w.dept, f"00{i}") for i in range(CLIENTS)]
        for p in people:
            rec(s, w.clerk, p, "ZB-01", dt.date(2026, 3, 2))
        periods.start_review(s, w.clerk, periods.get_or_create(s, "2026-03"))
    url = db_arg(pg_db)
    saved: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(CLIENTS + 1)
    guard = threading.Lock()

    def clerk(n: int) -> None:
        db = open_database(url)  # a client of its own: its own engine and connections
        try:
            start.wait()
            for i in range(EACH):
                day = dt.date(2026, 3, 10 + n) if i % 2 else dt.date(2026, 4, 1 + n)
                try:
                    with db.transaction() as s:
                        made = rec(s, w.clerk, people[n], "ZB-01", day)
                        uuids = [e.uuid for e in made]
                    with guard:
                        saved.extend(uuids)
                except PeriodLocked:  # March is locked now: refused, nothing written
                    with guard:
                        refused.append(f"{n}-{i}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.dispose()

    def chief() -> None:
        db = open_database(url)
        try:
            start.wait()
            with db.transaction() as s:  # everyone confirms and both sign in one go: March locks
                march = periods.get_or_create(s, "2026-03")
                confirm_everyone(s, w.clerk, march)
                signoff.sign(s, w.chief, march, PASSWORD)
                signoff.sign(s, w.jdy, march, PASSWORD)
        except BaseException as exc:
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(CLIENTS)] + [threading.Thread(target=chief)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not [t for t in threads if t.is_alive()], "a client is still waiting"
    assert not errors, errors

    with pg_db.session() as s:
        stored = Counter(s.scalars(select(Entry.uuid)))
        assert all(stored[u] == 1 for u in saved) and len(saved) + len(refused) == CLIENTS * EACH
        assert sum(stored.values()) == CLIENTS + len(saved)  # the set-up's and every saved one, no more
        chain = audit.verify(s)
        assert chain.ok, chain.reason
        march = periods.get_or_create(s, "2026-03")
        assert march.state == "locked"
        # The lock held: the rows frozen when it was taken are what March's entries give now.
        frozen = {r.person_id: r.total for r in scoring.stored(s, march)}
        assert frozen == {r.person_id: r.total for r in scoring.calculate(s, march)}
        assert s.scalar(select(func.count()).select_from(Entry).where(Entry.occurred_on >= dt.date(2026, 4, 1))) \
            == CLIENTS * EACH // 2  # April never locks: every one of its entries was saved
