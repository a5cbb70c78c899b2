"""The scoring catalogue (考核细则), versioned by effective date."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, created_at, intpk, stable_uuid


class CatalogueVersion(Base):
    """A complete catalogue in force from `effective_from` until the next version starts."""

    __tablename__ = "catalogue_versions"
    __table_args__ = (UniqueConstraint("scheme", "effective_from"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    # Each scheme (积分制) has its own catalogue, versioned on its own; item codes carry the
    # scheme's prefix, so a code is unique across schemes.
    scheme: Mapped[str] = mapped_column(String(24), default="person", server_default="person")
    effective_from: Mapped[dt.date]
    name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[created_at]

    items: Mapped[list[CatalogueItem]] = relationship(
        back_populates="version", order_by="CatalogueItem.sort_order"
    )


class CatalogueItem(Base):
    """One scoring item. Points are magnitudes; the component gives the sign."""

    __tablename__ = "catalogue_items"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    version_id: Mapped[int] = mapped_column(ForeignKey("catalogue_versions.id"))
    code: Mapped[str] = mapped_column(String(32))  # stable across versions, e.g. ZB-01
    category: Mapped[str] = mapped_column(String(50))  # 值班备勤, 执法办案 …
    subcategory: Mapped[str] = mapped_column(String(50), default="")  # 数量分 / 质效分
    component: Mapped[str] = mapped_column(String(20))  # Component
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(10), default="次")
    points_mode: Mapped[str] = mapped_column(String(10), default="fixed")  # PointsMode
    points_tenths: Mapped[int] = mapped_column(default=0)  # fixed / per unit
    min_tenths: Mapped[int | None] = mapped_column(default=None)  # range items
    max_tenths: Mapped[int | None] = mapped_column(default=None)
    monthly_cap_tenths: Mapped[int | None] = mapped_column(default=None)
    evidence_required: Mapped[bool] = mapped_column(default=False)
    veto: Mapped[bool] = mapped_column(default=False)  # 一票否决
    daily_duty: Mapped[bool] = mapped_column(default=False)  # shown on the daily duty sheet
    # An officer may report it himself (自报): daily items on the daily form, others monthly.
    self_report: Mapped[bool] = mapped_column(default=False, server_default="0")
    sort_order: Mapped[int] = mapped_column(default=0)

    version: Mapped[CatalogueVersion] = relationship(back_populates="items")
