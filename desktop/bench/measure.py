"""One measurement = one fresh Python process, so every figure has its own peak memory.

The parent starts `python -m desktop.bench.<module> <json>`; the child does its untimed setup,
times the work with `perf_counter`, and prints one `BENCH-RESULT {json}` line with the seconds
and its peak resident memory. A child that starts something the parent must time from the
outside (the program start) prints `BENCH-READY` at the moment it is done instead.

Memory is read without tracemalloc (which slows Python down several times): psutil when it is
installed, else /proc/self/status (VmRSS, VmHWM) on Linux, getrusage's ru_maxrss elsewhere on
POSIX, and GetProcessMemoryInfo on Windows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MB = 1024 * 1024
RESULT = "BENCH-RESULT "
READY = "BENCH-READY"
FIRST = "BENCH-FIRST"  # the program's first window is up (the login window), before READY
TIMEOUT = 1800


# -- memory, read inside the child -------------------------------------------------------------

def _proc_status() -> dict[str, int]:
    """VmRSS / VmHWM of this process in bytes (Linux), else {}."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM") and value.strip().endswith("kB"):
            out[key] = int(value.split()[0]) * 1024
    return out


def _windows_memory() -> tuple[int, int]:
    """(working set, peak working set) in bytes, from psapi."""
    import ctypes
    from ctypes import wintypes

    class Counters(ctypes.Structure):
        _fields_ = [("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD),
                    ("PeakWorkingSetSize", ctypes.c_size_t), ("WorkingSetSize", ctypes.c_size_t),
                    ("QuotaPeakPagedPoolUsage", ctypes.c_size_t), ("QuotaPagedPoolUsage", ctypes.c_size_t),
                    ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t), ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
                    ("PagefileUsage", ctypes.c_size_t), ("PeakPagefileUsage", ctypes.c_size_t)]

    counters = Counters()
    counters.cb = ctypes.sizeof(Counters)
    process = ctypes.windll.kernel32.GetCurrentProcess()  # type: ignore[attr-defined]
    ctypes.windll.psapi.GetProcessMemoryInfo(process, ctypes.byref(counters), counters.cb)  # type: ignore[attr-defined]
    return counters.WorkingSetSize, counters.PeakWorkingSetSize


def current_rss() -> int:
    """Resident memory now, in bytes."""
    try:
        import psutil  # type: ignore[import-not-found]

        return int(psutil.Process().memory_info().rss)
    except ImportError:
        pass
    if sys.platform == "win32":
        return _windows_memory()[0]
    status = _proc_status()
    if "VmRSS" in status:
        return status["VmRSS"]
    return peak_rss()  # no better figure on this system


def peak_rss() -> int:
    """The most resident memory this process has had, in bytes."""
    if sys.platform == "win32":
        return _windows_memory()[1]
    status = _proc_status()
    if "VmHWM" in status:
        return status["VmHWM"]
    import resource

    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024  # bytes on macOS, KiB elsewhere


def reset_peak() -> bool:
    """Start the peak over from the current size (Linux 4.0+); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def report(seconds: float | None, **extra: Any) -> None:
    """What a child prints last: its timed seconds, its peak memory and anything it adds."""
    payload = {"seconds": seconds, "peak_mb": round(peak_rss() / MB, 1), **extra}
    print(RESULT + json.dumps(payload, ensure_ascii=False, default=str), flush=True)


def ready() -> None:
    print(READY, flush=True)


def first_window() -> None:
    print(FIRST, flush=True)


class Timer:
    """`with Timer() as t: …` then `t.seconds`."""

    seconds: float = 0.0

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


# -- running a child, in the parent ------------------------------------------------------------

@dataclass
class Measurement:
    seconds: float | None
    peak_mb: float | None
    extra: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def child_env(settings_dir: Path) -> dict[str, str]:
    """The child's environment: this checkout importable, Qt offscreen, settings in a temp folder."""
    root = str(Path(__file__).resolve().parent.parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_CONFIG_HOME"] = str(settings_dir / "config")
    env["XDG_DATA_HOME"] = str(settings_dir / "data")
    env["JIFEN_BENCH_SETTINGS"] = str(settings_dir)
    env["PYTHONIOENCODING"] = "utf-8"
    # Bytecode caches as an installed program has them; without them every start compiles the sources.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_child(module: str, params: dict[str, Any], *, outside_timing: bool = False,
              timeout: float = TIMEOUT) -> Measurement:
    """Run `python -m desktop.bench.<module>` with `params`; `outside_timing` times start to READY."""
    with tempfile.TemporaryDirectory(prefix="jifen-bench-child-") as tmp:
        command = [sys.executable, "-m", f"desktop.bench.{module}", json.dumps(params, ensure_ascii=False)]
        errors = Path(tmp) / "stderr.txt"
        with errors.open("w", encoding="utf-8") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8",
                                    errors="replace", env=child_env(Path(tmp)))
            outside: float | None = None
            first: float | None = None
            lines: list[str] = []
            killed: list[bool] = []
            watchdog = threading.Timer(timeout, lambda: (killed.append(True), proc.kill()))
            watchdog.start()
            try:
                assert proc.stdout is not None
                for line in proc.stdout:
                    if outside_timing and outside is None and line.strip() == READY:
                        outside = time.perf_counter() - start
                    if outside_timing and first is None and line.strip() == FIRST:
                        first = time.perf_counter() - start
                    lines.append(line)
                proc.wait()
            finally:
                watchdog.cancel()
            if killed:
                return Measurement(None, None, error=f"超时（{timeout:.0f} 秒）")
        stderr = errors.read_text("utf-8", errors="replace")
    found = [json.loads(line[len(RESULT):]) for line in lines if line.startswith(RESULT)]
    if proc.returncode != 0 or not found:
        tail = (stderr or "".join(lines)).strip().splitlines()[-6:]
        return Measurement(None, None, error=f"子进程退出码 {proc.returncode}：" + " | ".join(tail))
    data = found[-1]
    seconds = outside if outside_timing else data.pop("seconds")
    data.pop("seconds", None)
    if first is not None:
        data["first_window_seconds"] = round(first, 4)
    return Measurement(seconds, data.pop("peak_mb"), data)


def child_main(work: Mapping[tuple[str, str], Callable[[dict[str, Any]], None]], argv: list[str]) -> int:
    """A child module's entry point: run the case or baseline its JSON argument names."""
    params: dict[str, Any] = json.loads(argv[0])
    work[(params["case"], params["side"])](params)
    return 0
