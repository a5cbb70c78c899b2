"""The append-only diary ledger (考核日记) and evidence files.

An entry is never edited or deleted: a correction is a reversal entry with negated
points that points at the original. The item's name, category, component and points
are copied onto the entry so that later catalogue versions never change old months.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, intpk, stable_uuid, utcnow
from desktop.models.catalogue import CatalogueItem
from desktop.models.people import Person


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (
        Index("ix_entries_day_person", "occurred_on", "person_id"),
        # A person's entries, of one scheme or of all (migration 0013): two equalities, so SQLite
        # prefers it to the scheme index below for one person's entries even without statistics.
        Index("ix_entries_person_scheme_day", "person_id", "scheme", "occurred_on"),
        # Date then id (SQLite keeps the row id in every index): the entries list's own order, so
        # any stretch of 400,000 entries is read straight from the index, without a sort.
        Index("ix_entries_occurred_on", "occurred_on"),
        Index("ix_entries_scheme_day", "scheme", "occurred_on"),  # a scheme's month (migration 0012)
    )

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    occurred_on: Mapped[dt.date]
    # A person's entry, or (person_id None) one against a unit (a branch's 党建 item, a 所队室's
    # 队伍管理 item). Only person-scheme entries feed `entry_sums` (their triggers say so).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), default=None, index=True)
    scheme: Mapped[str] = mapped_column(String(24), default="person", server_default="person")
    case_no: Mapped[str] = mapped_column(String(40), default="", server_default="")  # 案件编号 (执法办案)
    case_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_items.id"), index=True)
    # Snapshot of the item as it was when recorded.
    item_code: Mapped[str] = mapped_column(String(32))
    item_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(50))
    component: Mapped[str] = mapped_column(String(20))
    veto: Mapped[bool] = mapped_column(default=False)
    quantity: Mapped[int] = mapped_column(default=1)
    # Signed contribution to the component (a reversal carries the negation).
    points_tenths: Mapped[int]
    note: Mapped[str] = mapped_column(String(1000), default="")
    source: Mapped[str] = mapped_column(String(16), default="manual")  # EntrySource
    batch_uuid: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), unique=True, default=None)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    recorded_by_name: Mapped[str] = mapped_column(String(50), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    person: Mapped[Person | None] = relationship()
    item: Mapped[CatalogueItem] = relationship()
    evidence: Mapped[list[EvidenceFile]] = relationship(back_populates="entry")


class EntrySum(Base):
    """Per month, person, item code and component: the entries' points summed (and those of veto
    entries), how many entries there are, and the monthly cap that applies to them.

    Kept by SQLite triggers on `entries` (insert, update, delete; migration 0004), never written
    by the program, so no write path can forget it and even a raw edit of an entry shows in the
    scores as before. An item code keeps its cap across catalogue versions; when entries of two
    versions of one item fall in the same month, the lower cap of the two applies (`cap_tenths`
    is the lowest cap among the catalogue items of the month's entries, NULL when none has one).
    Scoring reads a county's month as 3,600 capped sums per person and component grouped by
    SQLite, instead of grouping its 34,000 entries by item in Python.
    """

    __tablename__ = "entry_sums"
    __table_args__ = ({"sqlite_with_rowid": False},)

    month: Mapped[int] = mapped_column(primary_key=True)  # 202611 for November 2026
    person_id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)  # the catalogue item's code
    component: Mapped[str] = mapped_column(String(20), primary_key=True)
    points_tenths: Mapped[int]
    veto_tenths: Mapped[int]
    entries: Mapped[int]
    cap_tenths: Mapped[int | None]


class EvidenceBlob(Base):
    """File content, addressed by its SHA-256, kept inside the database.

    Keeping scans in the one SQLite file means a backup is one file and a moved or
    deleted source file never breaks an entry.
    """

    __tablename__ = "evidence_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class EvidenceFile(Base):
    __tablename__ = "evidence_files"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))  # sanitised original name, for display
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blobs.sha256"))
    mime: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="evidence")
    blob: Mapped[EvidenceBlob] = relationship()
