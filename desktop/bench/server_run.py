"""The server the server cases run on: the user's (`--server URL`) or a throwaway cluster.

Either way the cached dataset is pushed there first (`server_push.push`, in a child process of
its own so its seconds and peak memory are a figure too); the cases then read and write the
station's copy at `URL?station=<code>`. Without a server and without PostgreSQL installed the
server cases are skipped, each with the reason, and the rest of the benchmark runs as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.bench import pg_server
from desktop.bench.dataset import DatasetInfo
from desktop.bench.measure import run_child

NO_SERVER = ("未指定 --server，且本机没有安装 PostgreSQL 服务器程序（initdb），无法建立临时服务器；"
             "用 --server postgresql://用户名@服务器/数据库名 指定一台服务器")


@dataclass
class Server:
    """Where the server cases run, or why they cannot."""

    address: str = ""  # the station's copy on the server (`…?station=<code>`)
    shown: str = ""  # the server as the table and the JSON show it (a password masked)
    throwaway: bool = False
    skipped: str = ""  # the cases are skipped, and why
    error: str = ""  # the server or the push failed: the cases report this as their error
    push: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The JSON's `server` section."""
        return {
            "address": self.shown or None, "throwaway": self.throwaway, "skipped": self.skipped or None,
            "error": self.error or None,
            # A throwaway cluster keeps PostgreSQL's defaults: every commit waits for its fsync.
            "durability": "PostgreSQL 默认（fsync、synchronous_commit、full_page_writes 均开启）" if self.throwaway
            else "以该服务器自身设置为准",
            **self.push,
        }


def _push(info: DatasetInfo, to: str, workdir: Path, say: Callable[[str], None]) -> Server:
    from desktop.models import stores

    folder = workdir / "push"
    folder.mkdir(parents=True, exist_ok=True)
    say("推送测试数据库到服务器…")
    m = run_child("work_server", {"case": "push", "side": "case", "db": info.path, "server": to,
                                  "out": str(folder / "copy.db")})
    server = Server(shown=stores.shown(stores.with_station(to, None)))
    if m.error or m.seconds is None:
        server.error = f"推送到服务器失败：{m.error}"
        say(f"  {server.error}")
        return server
    server.address = m.extra["address"]
    server.push = {"push_seconds": round(m.seconds, 2), "push_peak_mb": m.peak_mb,
                   "pushed_entries": m.extra.get("entries"), "pushed_rows": m.extra.get("rows")}
    say(f"  推送用时 {m.seconds:.1f} 秒（{m.extra.get('entries', 0):,} 条积分记录）")
    return server


@contextmanager
def serve(info: DatasetInfo, given: str | None, workdir: Path, say: Callable[[str], None] = print) -> Iterator[Server]:
    """The server for the duration of the server cases; a throwaway one is stopped afterwards."""
    if given:
        yield _push(info, given, workdir, say)
        return
    bin_dir = pg_server.server_bin()
    if bin_dir is None:
        yield Server(skipped=NO_SERVER)
        return
    say("启动临时 PostgreSQL 服务器…")
    try:
        cluster = pg_server.start(bin_dir)
    except (RuntimeError, OSError) as exc:
        yield Server(throwaway=True, error=f"无法启动临时 PostgreSQL 服务器：{exc}")
        return
    try:
        server = _push(info, cluster.url(), workdir, say)
        server.throwaway = True
        yield server
    finally:
        cluster.stop()
