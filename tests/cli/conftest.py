"""Fixtures of the command-line tests: a station database on disk, closed, as a clerk's would be."""

from __future__ import annotations

import hashlib
import io
import sys
from pathlib import Path

import pytest

from desktop import cli
from desktop.models.db import Database
from tests.services.builders import World, person, world


@pytest.fixture
def station(db: Database) -> World:
    """The builders' station (admin, chief, jdy, clerk, officer) with two people, closed on disk."""
    w = world(db)
    with w.tx() as s:
        person(s, w.dept, "101", name="张三")
        person(s, w.dept, "102", name="=1+2")  # a name typed to run as a spreadsheet formula
    w.db.dispose()
    return w


def run(db_path: Path, *argv: str, password: str | None = None,
        monkeypatch: pytest.MonkeyPatch | None = None) -> int:
    """`jifen --db DB …`; `password` becomes the first line of standard input (sign-in)."""
    if password is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return cli.main(["--db", str(db_path), *argv])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
