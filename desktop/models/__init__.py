"""ORM rows. `desktop.models.registry` imports every model module and so registers every table
on `Base.metadata`; `desktop.models.db` imports it, so any opened database knows them all.

The package imports nothing itself: `desktop.models.enums` stays light for the start, which
shows the login window before SQLAlchemy is loaded. `from desktop.models import Person` still
works (it loads the registry).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any


def __getattr__(name: str) -> Any:
    missing = AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # `from desktop.models import db` asks for the attribute before importing the submodule:
    # say it is not here yet, and the import system loads it.
    if name.startswith("__") or importlib.util.find_spec(f"{__name__}.{name}") is not None:
        raise missing
    registry = importlib.import_module(f"{__name__}.registry")  # not `from . import`: that asks again
    try:
        return getattr(registry, name)
    except AttributeError:
        raise missing from None
