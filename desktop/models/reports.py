"""Officers' own reports (自报) of their work, waiting for the reviewer's decision.

A report is not an entry: the ledger holds only what counts. A report stays here with its
status (pending, approved, adjusted, rejected, withdrawn); approving or adjusting it writes the
diary entry through the ledger (the same checks as a clerk's entry) and links it, so the
officer sees each decision and the score changes only once it is approved.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, intpk, stable_uuid, utcnow
from desktop.models.people import Person

REPORT_STATUS_LABELS = {"pending": "待审核", "approved": "已通过", "adjusted": "已调整后通过",
                        "rejected": "已退回", "withdrawn": "已撤回"}


class SelfReport(Base):
    __tablename__ = "self_reports"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    occurred_on: Mapped[dt.date]
    kind: Mapped[str] = mapped_column(String(8), default="daily")  # daily | monthly (政绩档案)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalogue_items.id"))
    item_code: Mapped[str] = mapped_column(String(32))
    item_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(50))
    component: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(default=1)
    # Per occurrence, as claimed (range items: the officer's pick; else the catalogue's).
    points_tenths: Mapped[int | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    reported_by_name: Mapped[str] = mapped_column(String(50), default="")
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The reviewer it was routed to when reported (people.id); the decider may differ (chief).
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    decided_by_name: Mapped[str] = mapped_column(String(50), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    decision_reason: Mapped[str] = mapped_column(String(500), default="")
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"), default=None, unique=True)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    evidence: Mapped[list[ReportEvidence]] = relationship(back_populates="report")

    @property
    def status_label(self) -> str:
        return REPORT_STATUS_LABELS.get(self.status, self.status)


class ReportEvidence(Base):
    """A file attached to a report; its bytes live in `evidence_blobs`, copied to the entry."""

    __tablename__ = "report_evidence"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    report_id: Mapped[int] = mapped_column(ForeignKey("self_reports.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blobs.sha256"))
    mime: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    report: Mapped[SelfReport] = relationship(back_populates="evidence")
