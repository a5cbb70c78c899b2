"""Publish after review (#15): an officer sees colleagues' records only for signed months."""

from __future__ import annotations

import dataclasses
import datetime as dt

from desktop.models.ledger import Entry
from desktop.services import queries, station_settings, visibility
from tests.services.builders import SYSTEM, confirm_everyone, rec
from tests.services.review_world import review_station


def _listed(s, actor) -> set[int]:
    spans, own = visibility.hidden_spans(s, actor, dt.date(2026, 4, 30))
    f = dataclasses.replace(queries.EntryFilter(), hidden_spans=spans, own=own)
    return {s.get(Entry, i).person_id for i in queries.entry_ids(s, f)}


def test_unsigned_months_are_hidden_then_published(db) -> None:
    st = review_station(db)
    w, a, ids = st.w, st.actors, st.people
    with w.tx() as s:
        from desktop.models.people import Person

        for key in "HABGCL":
            rec(s, w.clerk, s.get(Person, ids[key]), "ZB-01")
        # An officer: his own only; his head: his people too; the clerk: everyone.
        assert _listed(s, a["A"]) == {ids["A"]}
        assert _listed(s, a["H"]) == {ids["H"], ids["A"], ids["B"]}
        assert _listed(s, w.clerk) == {ids[k] for k in "HABGCL"}
        assert not visibility.may_see(s, a["A"], ids["B"], dt.date(2026, 3, 5))
        station_settings.set_publish_early(s, SYSTEM, True)
        assert _listed(s, a["A"]) == {ids[k] for k in "HABGCL"}
        station_settings.set_publish_early(s, SYSTEM, False)
        from desktop.services import periods, signoff

        march = periods.get_or_create(s, "2026-03")
        periods.start_review(s, w.clerk, march)
        confirm_everyone(s, w.clerk, march)
    with w.tx() as s:
        from tests.services.builders import PASSWORD, period

        for key in ("H", "G", "L"):
            signoff.sign(s, a[key], period(s, "2026-03"), PASSWORD)
        signoff.sign(s, w.chief, period(s, "2026-03"), PASSWORD)
        signoff.sign(s, w.jdy, period(s, "2026-03"), PASSWORD)
        assert period(s, "2026-03").state == "locked"
        assert _listed(s, a["A"]) == {ids[k] for k in "HABGCL"}  # signed: published to everyone
        assert visibility.may_see(s, a["A"], ids["B"], dt.date(2026, 3, 5))
