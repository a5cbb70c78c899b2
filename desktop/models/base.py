"""Declarative base, naming convention and reusable column types.

Points are stored as integer tenths (84.5 points -> 845) so sums are exact in SQL
and never print as 84.99999.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from sqlalchemy import DateTime, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_uuid() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


intpk = Annotated[int, mapped_column(primary_key=True)]
# Rows that travel in workbooks carry a stable UUID so an import is idempotent.
stable_uuid = Annotated[str, mapped_column(String(36), unique=True, default=new_uuid)]
created_at = Annotated[dt.datetime, mapped_column(DateTime, default=utcnow, server_default=func.now())]
tenths = Annotated[int, mapped_column(default=0)]
