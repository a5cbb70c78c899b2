"""ORM rows. `desktop.models.registry` imports every model module and so registers every table
on `Base.metadata`; `desktop.models.db` imports it, so any opened database knows them all.

The package imports nothing itself: `desktop.models.enums` stays light for the start, which
shows the login window before SQLAlchemy is loaded. `from desktop.models import Person` still
works (it loads the registry).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    from desktop.models import registry

    try:
        return getattr(registry, name)
    except AttributeError:
        raise AttributeError(f"module 'desktop.models' has no attribute {name!r}") from None
