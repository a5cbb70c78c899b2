"""User accounts and their roles."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, created_at, intpk, stable_uuid


class User(Base):
    __tablename__ = "users"

    id: Mapped[intpk]
    uuid: Mapped[stable_uuid]
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(16))  # Role
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), default=None)
    password_hash: Mapped[str] = mapped_column(String(200))  # scrypt$n$r$p$salt$hash
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    active: Mapped[bool] = mapped_column(default=True)
    # A chief's signature image (PNG), placed on signed sheets.
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    created_at: Mapped[created_at]
