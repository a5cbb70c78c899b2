"""A throwaway PostgreSQL server for the server cases when `jifen bench` is not given `--server`.

Made as the tests make theirs (tests/pg_cluster.py, which the bench may not import): initdb in a
temporary folder, reached on a Unix socket in that folder (nothing listens on the network),
started with pg_ctl, stopped and removed at the end; as root it runs as the `postgres` account,
since PostgreSQL refuses to run as root. Unlike the tests' cluster it keeps the server's
durability defaults (fsync, synchronous_commit, full_page_writes on): the recording case times
real commits, and a commit that never reaches the disk would flatter it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "jifen"
DATABASE = "jifen_bench"
MIN_MAJOR = 15
PREFIX = "jifen-bench-pg-"
OWNER = "owner.pid"  # the bench process a cluster belongs to


def server_bin() -> Path | None:
    """The folder of initdb and pg_ctl, the newest major version first; None when not installed."""
    found = []
    for path in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        major = Path(path).parent.parent.name
        if major.isdigit() and int(major) >= MIN_MAJOR:
            found.append((int(major), Path(path).parent))
    if found:
        return max(found)[1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_owner(argv: list[str]) -> list[str]:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@dataclass
class Cluster:
    folder: Path
    bin: Path

    def url(self, database: str = DATABASE) -> str:
        """The address as a user writes it (`postgresql://…`), the socket folder as its host."""
        return f"postgresql://{SUPERUSER}@/{database}?host={self.folder}"

    def stop(self) -> None:
        subprocess.run(_as_owner([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast",
                                  "stop"]), capture_output=True, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reap_stale(bin_dir: Path) -> None:
    """Stop the clusters of bench runs that were killed before they could stop their own."""
    for folder in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            pid = int((folder / OWNER).read_text().strip())
        except (OSError, ValueError):
            continue
        if not _alive(pid):
            Cluster(folder, bin_dir).stop()


def _run(argv: list[str], folder: Path) -> None:
    done = subprocess.run(_as_owner(argv), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        log = (folder / "server.log").read_text("utf-8", "replace") if (folder / "server.log").exists() else ""
        raise RuntimeError(f"{Path(argv[0]).name} 失败：{done.stderr.strip() or done.stdout.strip()}\n{log[-2000:]}")


def start(bin_dir: Path) -> Cluster:
    """initdb, start, and make the bench's database; RuntimeError with the server's words if not."""
    _reap_stale(bin_dir)
    # A short path: a Unix socket's path is limited to about 100 bytes.
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir="/tmp" if Path("/tmp").is_dir() else None))
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    try:
        # --no-sync only skips flushing initdb's own files; the running server keeps fsync on.
        _run([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8",
              "--locale", "C", "--no-sync"], folder)
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
              "-o", f"-k {folder} -c listen_addresses=''", "start"], folder)
        (folder / OWNER).write_text(str(os.getpid()))
        _run([str(bin_dir / "createdb"), "-h", str(folder), "-U", SUPERUSER, DATABASE], folder)
    except BaseException:
        Cluster(folder, bin_dir).stop()
        raise
    return Cluster(folder, bin_dir)
