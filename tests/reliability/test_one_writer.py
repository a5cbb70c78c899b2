"""One writer: a second program on the same database is refused; a crashed holder frees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.services import integrity
from tests.reliability.conftest import file_digest, run_cli

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys
from desktop.services.integrity import acquire_writer_lock
lock = acquire_writer_lock(sys.argv[1])
print("LOCKED", flush=True)
sys.stdin.readline()
"""


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture
def holder(station_db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another copy of the program, holding the writer lock of `station_db`."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(station_db)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=child_env(), cwd=ROOT)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "LOCKED"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)


def test_second_program_is_refused_with_a_message(station_db: Path, holder: subprocess.Popen[str]) -> None:
    with pytest.raises(integrity.DatabaseBusy, match="正由另一个程序使用"):
        integrity.acquire_writer_lock(station_db)


def test_restore_is_refused_while_another_program_writes(station_db: Path, holder: subprocess.Popen[str],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    saved = station_db.parent / "保存.db"
    from desktop.services import backup

    backup.backup(station_db, saved)
    before = file_digest(station_db)
    code, out, err = run_cli(capsys, "--db", str(station_db), "restore", str(saved))
    assert code == 2 and "正由另一个程序使用" in err and out == ""
    assert file_digest(station_db) == before


def test_reading_needs_no_lock(station_db: Path, holder: subprocess.Popen[str],
                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--db", str(station_db), "audit", "verify")
    assert code == 0
    code, out, _ = run_cli(capsys, "--db", str(station_db), "backup")
    assert code == 0 and "已备份到" in out


def test_lock_is_freed_when_the_holder_is_killed(station_db: Path, holder: subprocess.Popen[str]) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)
    with integrity.acquire_writer_lock(station_db) as lock:
        assert lock.held
    assert not lock.held


def test_lock_is_freed_on_release_and_taken_once(station_db: Path) -> None:
    lock = integrity.acquire_writer_lock(station_db)
    try:
        # Within one process too: a second handle is refused (the GUI must keep its one handle).
        with pytest.raises(integrity.DatabaseBusy):
            integrity.acquire_writer_lock(station_db)
    finally:
        lock.release()
    integrity.acquire_writer_lock(station_db).release()
