"""The benchmark's table on the terminal and its JSON file, with what the machine was."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from desktop.bench.dataset import DatasetInfo
from desktop.cli.output import table

HEADERS = ["项目", "用时 s", "基线 s", "倍数", "目标", "峰值 MB", "内存增长 MB", "结论"]


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _memory_gb() -> float | None:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None
    return round(pages * size / 2**30, 1)


def load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(), "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(), "memory_gb": _memory_gb(), "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version, "sqlalchemy": _version("SQLAlchemy"),
        "pyside6": _version("PySide6-Essentials") or _version("PySide6"), "openpyxl": _version("openpyxl"),
        "python_calamine": _version("python-calamine"), "reportlab": _version("reportlab"),
        "load_average_at_start": load(),
    }


def _num(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "—"
    if digits == 3 and abs(value) < 0.01:
        return f"{value:.5f}"  # sub-millisecond baselines of the small scales
    return f"{value:.{digits}f}"


def _target(r: dict[str, Any]) -> str:
    if r.get("target_seconds") is not None and r.get("target_growth_mb") is None:
        return f"≤{r['target_seconds']:g} s"
    if r.get("target_seconds") is not None:
        return f"≤{r['target_seconds']:g} s，≤{r['target_growth_mb']:g} MB"
    if r.get("target_ratio") is None:
        return "—"
    return f"≤{r['target_ratio']:g}×"


def _verdict(r: dict[str, Any]) -> str:
    if r.get("skipped"):
        return "跳过"
    if r.get("error") and r["seconds"] is None:
        return "出错"
    if r["passed"] is None:
        return "只报告数字"  # no target in the issue (the eight clerks)
    return "达标" if r["passed"] else "未达标"


def rows(results: list[dict[str, Any]]) -> list[list[str]]:
    out = []
    for r in results:
        verdict = _verdict(r)
        out.append([
            r["label"], _num(r["seconds"]), _num(r["baseline_seconds"]),
            "—" if r["ratio"] is None else f"{r['ratio']:.2f}×", _target(r), _num(r["peak_mb"], 0),
            _num(r.get("growth_mb"), 1) if "growth_mb" in r else "", verdict,
        ])
    return out


def _server_lines(server: dict[str, Any] | None) -> list[str]:
    if not server or server.get("skipped") or server.get("push_seconds") is None:
        return []
    kind = "临时 PostgreSQL 服务器" if server["throwaway"] else f"服务器 {server['address']}"
    return [f"服务器项目在{kind}上运行（持久化：{server['durability']}）；推送测试数据库用时 "
            f"{server['push_seconds']:.1f} 秒（{server['pushed_entries']:,} 条积分记录，峰值 {server['push_peak_mb']} MB）"]


def render(info: DatasetInfo, results: list[dict[str, Any]], server: dict[str, Any] | None = None) -> str:
    head = (f"规模：{info.scale}（{info.departments} 个部门，{info.people} 人，{info.entries:,} 条积分记录；"
            f"计分与打印 {info.score_month}，导出/导入 {info.export_period} 的 {info.export_entries:,} 条）")
    lines = [head, table(HEADERS, rows(results), numeric=range(1, 7)), *_server_lines(server)]
    for r in results:
        if r.get("first_window_seconds") is not None:
            ratio = f"，为基线的 {r['first_window_ratio']:.2f} 倍" if r.get("first_window_ratio") is not None else ""
            lines.append(f"{r['label']}：其中第一个窗口（登录窗口）{r['first_window_seconds']:.3f} 秒显示{ratio}；"
                         "数据库在登录窗口显示期间于后台打开")
        if r.get("dry_run_seconds") is not None:
            ratio = f"，为基线的 {r['dry_run_ratio']:.2f} 倍" if r.get("dry_run_ratio") is not None else ""
            lines.append(f"{r['label']}：其中试导入（只读取和检查，不写入）{r['dry_run_seconds']:.3f} 秒{ratio}")
        detail = r.get("detail") or {}
        if detail.get("per_file_seconds") is not None:
            workers = detail.get("workers")
            how = f"，排版用 {workers} 个后台进程" if workers and workers > 1 else ""
            lines.append(f"{r['label']}：{detail['files']} 个文件，平均每人 {detail['per_file_seconds']:.3f} 秒{how}")
        if detail.get("saves") is not None:
            lines.append(f"{r['label']}：用时为 {detail['saves']} 次保存的中位数（最快 {detail['best_seconds']:.4f} 秒，"
                         f"最慢 {detail['worst_seconds']:.4f} 秒）")
        if r.get("throughput_per_second") is not None:
            lines.append(f"{r['label']}：{detail['clerks']} 人各 {detail['entries_each']:,} 条，每秒 "
                         f"{r['throughput_per_second']:g} 条；每条保存用时中位数 {r['p50_seconds']:.4f} 秒，"
                         f"95% 分位 {r['p95_seconds']:.4f} 秒，最慢 {detail['max_seconds']:.4f} 秒")
        if r.get("skipped"):
            lines.append(f"{r['label']}：跳过，{r['skipped']}")
        if r.get("error"):
            lines.append(f"{r['label']}：{r['error']}")
    return "\n".join(lines)


def document(info: DatasetInfo, results: list[dict[str, Any]], machine_info: dict[str, Any],
             repeat: int, server: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON; `server` (where the server cases ran, the push's figures) only when they were asked for."""
    machine_info = machine_info | {"load_average_at_end": load()}
    extra = {"server": server} if server is not None else {}
    return {
        "scale": info.scale, "machine": machine_info, "repeat": repeat,
        "dataset": {"people": info.people, "departments": info.departments, "entries": info.entries,
                    "months": info.months, "score_month": info.score_month,
                    "export_period": info.export_period, "export_entries": info.export_entries},
        "results": results, **extra,
    }


def save(path: Path, doc: dict[str, Any]) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", "utf-8")
