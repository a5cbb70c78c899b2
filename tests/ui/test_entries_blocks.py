"""The entries list in date order reads its ids block by block; the rows must be exactly the
rows (and the order) of reading every id at once, at the start, the middle and the far end."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.services.queries import EntryFilter, entry_ids
from desktop.ui.models import entries
from desktop.ui.models.entries import EntriesModel


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entries, "BLOCK", 2 * entries.PAGE)  # the demo ledger spans many blocks


def _sample(n: int) -> list[int]:
    return sorted({0, 1, entries.PAGE - 1, entries.PAGE, n // 2 - 1, n // 2, n // 2 + 1, n - entries.PAGE,
                   n - 2, n - 1, *range(0, n, max(1, n // 40))})


def test_blocks_give_the_same_rows_as_all_ids(qtmodeltester, ctx_for, small_blocks) -> None:
    ctx = ctx_for("neiqin")
    model = EntriesModel(ctx)
    model.set_filter(EntryFilter())
    expected = ctx.read(lambda s: entry_ids(s, EntryFilter()))
    assert model._ids is None and model.rowCount() == len(expected) > 4 * entries.BLOCK
    for row in _sample(len(expected)):
        assert model.entry_at(row).id == expected[row], row
    assert model.data(model.index(len(expected), 0)) is None
    qtmodeltester.check(model, force_py=True)

    model.sort(0, Qt.SortOrder.AscendingOrder)  # oldest first: still blocks, read the other way
    assert model._ids is None
    ascending = list(reversed(expected))
    for row in _sample(len(ascending)):
        assert model.entry_at(row).id == ascending[row], row
    assert model.ids() == ascending


def test_other_orders_and_filters_read_every_id_once(ctx_for, small_blocks) -> None:
    ctx = ctx_for("neiqin")
    model = EntriesModel(ctx)
    model.set_filter(EntryFilter(text="锦旗"))
    assert model._ids is not None and all("锦旗" in model.entry_at(i).note for i in range(model.rowCount()))
    model.set_filter(EntryFilter())
    model.sort(7, Qt.SortOrder.AscendingOrder)  # points: no index gives this order
    assert model._ids is not None and model.rowCount() > 4 * entries.BLOCK
    values = [model.entry_at(i).points_tenths for i in range(0, model.rowCount(), 97)]
    assert values == sorted(values)
