"""`jifen bench` runs end to end on a tiny synthetic database and writes the JSON it promises.

No timing is asserted: a test machine's speed says nothing about the program. What is checked
is that every case and its baseline ran in their own processes and reported their figures.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from desktop.bench import cases, dataset, pg_server, report, server_run
from desktop.bench.measure import Measurement
from desktop.cli import main

RESULT_KEYS = {"name", "seconds", "baseline_seconds", "ratio", "target_ratio", "peak_mb"}
NEW_CASES = ("scheme_score", "performance_file_pdf", "county_merge", "self_report")  # issue #18 item 4
SERVER_CASES = ("server_score", "server_record")  # issue #19 item 5


def _server_expected() -> bool:
    """The server cases run on a throwaway cluster where PostgreSQL is installed; CI (JIFEN_TEST_PG=1)
    must have it, as the `pg_cluster` fixture demands."""
    if pg_server.server_bin() is not None:
        return True
    if os.environ.get("JIFEN_TEST_PG") == "1":
        pytest.fail("JIFEN_TEST_PG=1 but PostgreSQL is not installed (scripts/bootstrap.sh installs it as root)")
    return False


def test_bench_runs_every_case_and_writes_the_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = _server_expected()
    out = tmp_path / "bench.json"
    code = main(["bench", "--scale", "tiny", "--repeat", "1", "--cache-dir", str(tmp_path / "cache"),
                 "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed

    doc = json.loads(out.read_text("utf-8"))
    assert doc["scale"] == "tiny"
    assert doc["machine"]["cpus"] and doc["machine"]["python"]
    assert doc["dataset"]["entries"] > 0 and doc["dataset"]["people"] == 12
    assert [r["name"] for r in doc["results"]] == list(cases.NAMES)
    _check_server_cases(doc, server)
    for r in doc["results"]:
        assert RESULT_KEYS <= r.keys(), r["name"]
        if r["name"] in SERVER_CASES:
            continue
        assert "error" not in r, r.get("error")
        assert r["seconds"] > 0 and r["peak_mb"] > 0, r["name"]
        assert isinstance(r["passed"], bool)
        if r["name"] == "entries_list":  # absolute targets, no baseline
            assert r["baseline_seconds"] is None and r["ratio"] is None and r["target_ratio"] is None
            assert (r["target_seconds"], r["target_growth_mb"]) == (0.3, 60)
            assert r["growth_mb"] is not None and r["detail"]["rows"] == doc["dataset"]["entries"]
        elif r["name"] == "self_report":  # seconds per save, no baseline, no memory target
            assert r["baseline_seconds"] is None and r["ratio"] is None and r["target_ratio"] is None
            assert (r["target_seconds"], r["target_growth_mb"]) == (0.05, None)
            assert r["detail"]["saves"] == 20 and r["detail"]["best_seconds"] <= r["seconds"]
        else:
            assert r["baseline_seconds"] > 0 and r["baseline_peak_mb"] > 0
            assert r["ratio"] == pytest.approx(r["seconds"] / r["baseline_seconds"], abs=0.01)
            assert r["target_ratio"] in (1.3, 1.5, 2.0)
    exported = next(r for r in doc["results"] if r["name"] == "export")
    # Every candidate writer wrote the same rows; the target is taken against the fastest of them.
    assert set(exported["baselines"]) == {"openpyxl write-only", "xlsxwriter constant-memory", "rustpy-xlsxwriter"}
    assert all(seconds > 0 for seconds in exported["baselines"].values())
    assert exported["baseline_writer"] == min(exported["baselines"], key=exported["baselines"].__getitem__)
    assert exported["baseline_seconds"] == pytest.approx(min(exported["baselines"].values()), abs=1e-3)
    assert exported["target_ratio"] == 1.5
    started = next(r for r in doc["results"] if r["name"] == "start")
    # From the password accepted to the main window painted with its first screen (#18 item 3).
    assert started["after_login_seconds"] > 0 and started["after_login_target_seconds"] == 0.25
    assert started["detail"]["first_screen_loaded_seconds"] >= started["detail"]["after_login_seconds"]
    imported = next(r for r in doc["results"] if r["name"] == "import")
    assert imported["detail"]["restored"] and imported["detail"]["problems"] == 0
    assert imported["dry_run_seconds"] > 0
    assert "结论" in printed and "启动到主窗口显示" in printed
    _check_new_cases({r["name"]: r for r in doc["results"]}, doc["dataset"]["people"])


def _check_new_cases(results: dict[str, dict], people: int) -> None:
    """The cases of the schemes, everyone's 政绩档案, the county merge and the self-report."""
    assert set(NEW_CASES) <= results.keys()
    targets = {"scheme_score": 1.5, "performance_file_pdf": 1.5, "county_merge": 2.0}
    for name, target in targets.items():
        assert results[name]["target_ratio"] == target and "target_seconds" not in results[name], name
    # The dataset runs four schemes: each scored some units (or officers) in the score month.
    assert set(results["scheme_score"]["detail"]["subjects"]) == {"dangjian", "jiceng", "zhifa", "duiwu"}
    assert results["scheme_score"]["detail"]["subjects"]["duiwu"] == 3  # the three departments
    files = results["performance_file_pdf"]
    assert files["detail"]["files"] == people and files["detail"]["per_file_seconds"] > 0
    assert files["detail"]["workers"] == 1  # a dozen files are laid out in the program's own process
    merged = results["county_merge"]["detail"]
    assert merged["stations"] == 3 and merged["people"] == 3 * 12 and merged["warnings"] == 0


def _check_server_cases(doc: dict, server: bool) -> None:
    """Scoring on the server against the same GROUP BY there; eight clerks at once, figures only."""
    results = {r["name"]: r for r in doc["results"]}
    if not server:  # listed, with the reason, and not an error
        assert all(results[n]["skipped"] == server_run.NO_SERVER and results[n]["passed"] is None
                   and "error" not in results[n] for n in SERVER_CASES)
        assert doc["server"]["skipped"] == server_run.NO_SERVER
        return
    host = doc["server"]
    assert host["throwaway"] is True and host["push_seconds"] > 0 and host["pushed_entries"] == doc["dataset"]["entries"]
    scored = results["server_score"]
    assert "error" not in scored, scored.get("error")
    assert scored["target_ratio"] == 2.0 and scored["seconds"] > 0 and scored["baseline_seconds"] > 0
    assert scored["detail"]["people"] == doc["dataset"]["people"] and isinstance(scored["passed"], bool)
    recorded = results["server_record"]
    assert "error" not in recorded, recorded.get("error")
    assert recorded["target_ratio"] is None and recorded["baseline_seconds"] is None and recorded["passed"] is None
    assert recorded["detail"]["clerks"] == 8 and recorded["detail"]["saved"] == 8 * recorded["detail"]["entries_each"]
    assert recorded["throughput_per_second"] > 0 and 0 < recorded["p50_seconds"] <= recorded["p95_seconds"]


def test_without_a_server_the_server_cases_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No --server and no PostgreSQL installed: the cases are listed as skipped, with the reason."""
    monkeypatch.setattr(pg_server, "server_bin", lambda: None)
    info = dataset.DatasetInfo("tiny", str(tmp_path / "none.db"), 0, 0, 0, ["2026-03"], "2026-03", "2026-Q1", 0, "neiqin")
    said: list[str] = []
    results, host = cases.run_cases(info, tmp_path, repeat=1, only=SERVER_CASES, say=said.append)
    assert [r["name"] for r in results] == list(SERVER_CASES) and host and host["skipped"] == server_run.NO_SERVER
    assert all(r["skipped"] and r["passed"] is None and "error" not in r for r in results)
    assert "跳过" in report.render(info, results, host) and server_run.NO_SERVER in said[1]


def test_a_time_only_target_and_a_case_run_once() -> None:
    """The self-report's target is seconds alone (no memory growth); everyone's 政绩档案 takes
    minutes at county scale and runs once, whatever --repeat says."""
    case = next(c for c in cases.CASES if c.name == "self_report")
    fast, slow = Measurement(0.02, 50.0, {"saves": 20}), Measurement(0.08, 50.0, {"saves": 20})
    assert cases.summarise(case, [fast], [])["passed"] is True
    assert cases.summarise(case, [slow], [])["passed"] is False
    assert next(c for c in cases.CASES if c.name == "performance_file_pdf").max_runs == 1


def test_the_dataset_is_built_once_and_reused(tmp_path: Path) -> None:
    first = dataset.ensure("tiny", cache_dir=tmp_path, say=lambda _text: None)
    stamp = first.db_path.stat().st_mtime_ns
    again = dataset.ensure("tiny", cache_dir=tmp_path, say=lambda _text: None)
    assert again == first and again.db_path.stat().st_mtime_ns == stamp
    assert first.export_entries > 0 and first.score_month == first.months[-1]


def test_an_unknown_scale_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", "--scale", "province"])
    assert exit_info.value.code == 2
    assert "station 或 county" in capsys.readouterr().err
