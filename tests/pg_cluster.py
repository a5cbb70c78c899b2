"""A throwaway PostgreSQL cluster for the tests (issue #19): made in a temporary folder, reached
on a Unix socket in that folder (no port, nothing listening on the network), stopped and removed
at the end.

Debian's `postgresql` package puts the server programs in /usr/lib/postgresql/<major>/bin
(scripts/bootstrap.sh installs it when the test suite runs as root). PostgreSQL refuses to
run as root, so as root the cluster belongs to the `postgres` account the package made.
Durability is switched off (fsync, synchronous_commit, full_page_writes): a test database is
thrown away, and this makes creating one from the template a matter of milliseconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Finding the server programs, running them as `postgres` when root, and telling a live owner
# from a dead one are the bench's throwaway server's too (tests may import the program; the
# program may not import the tests).
from desktop.bench.pg_server import SUPERUSER, _alive, _as_owner, server_bin


@dataclass
class Cluster:
    folder: Path
    bin: Path

    @property
    def socket_dir(self) -> Path:
        return self.folder

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def stop(self) -> None:
        subprocess.run(_as_owner([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                                  "stop"]), capture_output=True, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


OWNER = "owner.pid"  # the test process a cluster belongs to


def reap_stale(bin_dir: Path) -> None:
    """Stop and remove clusters whose test process is gone: a run killed half-way (Ctrl-C twice,
    a CI timeout) never reached its teardown, and its server would keep running."""
    for folder in Path("/tmp").glob("jifen-pg-*"):
        try:
            pid = int((folder / OWNER).read_text().strip())
        except (OSError, ValueError):
            continue  # being made just now, or not ours
        if not _alive(pid):
            Cluster(folder, bin_dir).stop()


def start(bin_dir: Path | None = None) -> Cluster:
    """initdb and start a cluster; raises RuntimeError with the server's own words when it cannot."""
    bin_dir = bin_dir or server_bin()
    if bin_dir is not None:
        reap_stale(bin_dir)
    if bin_dir is None:
        raise RuntimeError("没有找到 PostgreSQL 服务器程序（initdb）：请安装 postgresql（Debian：apt-get install postgresql）")
    # A short path: a Unix socket's path is limited to about 100 bytes.
    folder = Path(tempfile.mkdtemp(prefix="jifen-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data = folder / "data"
    steps = [
        [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8", "--locale", "C",
         "--no-sync"],
        [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60", "-o",
         f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
         "-c max_connections=200", "start"],
    ]
    for argv in steps:
        done = subprocess.run(_as_owner(argv), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            log = (folder / "server.log").read_text("utf-8", "replace") if (folder / "server.log").exists() else ""
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(f"{Path(argv[0]).name} 失败：{done.stderr.strip() or done.stdout.strip()}\n{log}")
    (folder / OWNER).write_text(str(os.getpid()))
    return Cluster(folder, bin_dir)
