"""What a benchmark child process runs: one case or its raw baseline, timed, then `measure.report`.

`python -m desktop.bench.work '{"case": "score", "side": "case", "db": …}'`. Imports happen
inside each function and before its timer starts, so a baseline never pays for the program's
imports and a case never pays for the baseline's. The Qt cases live in `work_qt`.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.bench.measure import Timer, child_main, report

Params = dict[str, Any]
SCORE_RUNS = 5  # sub-second cases: best of several timed runs after a warm-up


def _readonly(path: str) -> sqlite3.Connection:
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def _span(code: str) -> tuple[str, str]:
    from desktop.services.periods import parse_period

    spec = parse_period(code)
    return spec.start.isoformat(), spec.end.isoformat()


def _best(fn: Callable[[], Any], runs: int = SCORE_RUNS) -> tuple[float, Any]:
    fn()  # warm-up: statement caches, mapper configuration, pages in the OS cache
    best, result = float("inf"), None
    for _ in range(runs):
        with Timer() as t:
            result = fn()
        best = min(best, t.seconds)
    return best, result


# -- month score + grade -----------------------------------------------------------------------

def score_case(p: Params) -> None:
    from desktop.models.db import open_database
    from desktop.services import periods, scoring

    db = open_database(p["db"])

    def once() -> list[Any]:
        with db.session() as session:  # a fresh session each time: nothing cached in the identity map
            period = periods.find_period(session, p["period"]) or periods.transient(periods.parse_period(p["period"]))
            return scoring.calculate(session, period)

    seconds, rows = _best(once)
    report(seconds, people=len(rows), graded=sum(1 for r in rows if r.grade))


SUMS = ("SELECT person_id, component, SUM(points_tenths) FROM entries "
        "WHERE occurred_on >= ? AND occurred_on <= ? GROUP BY person_id, component")


def sql_base(p: Params, statement: str) -> None:
    """A raw baseline: one grouped read of the period's entries with sqlite3, best of several."""
    conn = _readonly(p["db"])
    span = _span(p["period"])
    seconds, rows = _best(lambda: conn.execute(statement, span).fetchall())
    report(seconds, groups=len(rows))


def score_base(p: Params) -> None:
    sql_base(p, SUMS)


# -- export of the exchange workbook -----------------------------------------------------------

def export_case(p: Params) -> None:
    from desktop.models.db import open_database
    from desktop.services.exchange.export import export_period

    db = open_database(p["db"])
    out = Path(p["out"])
    with db.session() as session, Timer() as t:
        result = export_period(session, p["period"], out)
    report(t.seconds, rows=sum(result.counts.values()), entries=result.counts.get("积分明细", 0),
           size_mb=round(out.stat().st_size / 2**20, 1))


def _write_openpyxl(sheets: list[tuple[str, list[list[Any]]]], out: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(out)


def _write_xlsxwriter(sheets: list[tuple[str, list[list[Any]]]], out: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    dates = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets:
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value, dates if hasattr(value, "year") else None)
    wb.close()


def _write_rustpy(sheets: list[tuple[str, list[list[Any]]]], out: Path) -> None:
    from rustpy_xlsxwriter import write_worksheets

    def records(rows: list[list[Any]]) -> Any:
        heads = [str(h) for h in rows[0]] if rows else []
        return (dict(zip(heads, row, strict=False)) for row in rows[1:])
    write_worksheets([(name, records(rows)) for name, rows in sheets], str(out))


# Each candidate writer, writing the same rows with only a date format: the export's target is
# taken against the fastest of them (issue #18), so choosing a slow writer cannot hide behind it.
WRITERS: dict[str, Callable[[list[tuple[str, list[list[Any]]]], Path], None]] = {
    "openpyxl write-only": _write_openpyxl,
    "xlsxwriter constant-memory": _write_xlsxwriter,
    "rustpy-xlsxwriter": _write_rustpy,
}


def export_base(p: Params) -> None:
    """Each candidate writer writing the very rows of the export case's workbook (read back with
    calamine before the timers start): same sheets, same cells, no formats of its own, no checks.
    The figure reported is the fastest writer's; `baselines` has every writer's."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(p["workbook"])
    sheets = [(name, [[None if v == "" else v for v in row] for row in book.get_sheet_by_name(name).to_python()])
              for name in book.sheet_names]
    book.close()
    out = Path(p["out"])
    times: dict[str, float] = {}
    for name, write in WRITERS.items():
        try:
            with Timer() as t:
                write(sheets, out)
        except ImportError:  # a writer that is not installed is left out of the comparison
            continue
        times[name] = round(t.seconds, 4)
    fastest = min(times, key=times.__getitem__)
    report(times[fastest], rows=sum(len(rows) for _, rows in sheets), baselines=times, baseline_writer=fastest)


# -- import of that workbook -------------------------------------------------------------------

def import_case(p: Params) -> None:
    """Into a fresh, empty database: the station is restored from the workbook and every row is
    written. Then, for the record, a dry run (read and check only) into another empty database."""
    from desktop.models.db import open_database
    from desktop.services.actor import Actor
    from desktop.services.exchange.import_ import import_file

    actor = Actor.system("bench")
    out = Path(p["out"])
    fresh = open_database(out)
    with Timer() as t:
        result = import_file(fresh, actor, p["workbook"])
    fresh.dispose()
    checked = open_database(out.with_name("dry-run.db"))
    with Timer() as dry:
        import_file(checked, actor, p["workbook"], dry_run=True)
    checked.dispose()
    report(t.seconds, restored=result.restored, new=sum(c.new for c in result.counts.values()),
           problems=len(result.problems), dry_run_seconds=round(dry.seconds, 3))


def import_base(p: Params) -> None:
    """python-calamine (the importer's reader) reading every sheet into Python lists."""
    from python_calamine import CalamineWorkbook

    rows = 0
    with Timer() as t:
        book = CalamineWorkbook.from_path(p["workbook"])
        for name in book.sheet_names:
            rows += len(book.get_sheet_by_name(name).to_python(skip_empty_area=False))
        book.close()
    report(t.seconds, rows=rows)


# -- grade sheets PDF --------------------------------------------------------------------------

def pdf_case(p: Params) -> None:
    """The station's font is loaded before the timer, as the baseline's is: the program loads it
    once, at the first print (0.09 s for the bundled CJK font), not for every batch."""
    from desktop.exporters.pdf.fonts import register_font
    from desktop.models.db import open_database
    from desktop.services import documents, roster

    db = open_database(p["db"])
    with db.session() as session:
        register_font(roster.get_station(session).pdf_font or "")
    out = Path(p["out"])
    with db.session() as session, Timer() as t:
        documents.write_grade_sheets(session, p["period"], out)
    report(t.seconds, size_mb=round(out.stat().st_size / 2**20, 2))


def pdf_base(p: Params) -> None:
    """The same cells drawn one `drawString` each, in the same font, on A4 landscape pages, and
    under each table its 等次说明 (since data version 3 a county's batch has some 1,400 lines of
    them, as much text as the tables: a baseline without them printed half the document)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.textsplit import dumbSplit
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import getFont
    from reportlab.pdfgen.canvas import Canvas

    from desktop.exporters.pdf.fonts import register_font
    from desktop.exporters.pdf.grade_sheet import COLUMNS, title_of
    from desktop.models.db import open_database
    from desktop.services import documents, roster
    from desktop.services.points import fmt

    db = open_database(p["db"])
    with db.session() as session:
        sheets = documents.grade_sheet_data(session, p["period"])
        font = register_font(roster.get_station(session).pdf_font or "")
    width, height = landscape(A4)
    margin, line = 12 * mm, 16
    xs = [margin]
    for _, w in COLUMNS:
        xs.append(xs[-1] + w * mm)
    headers = [h for h, _ in COLUMNS] + ["备注"]
    cells = lines = 0
    with Timer() as t:
        measure, known = getFont(font).stringWidth, {}
        canvas = Canvas(p["out"], pagesize=(width, height))
        for sheet in sheets:
            canvas.setFont(font, 16)
            canvas.drawCentredString(width / 2, height - margin - 16, title_of(sheet))
            y = height - margin - 50
            canvas.setFont(font, 9)
            for x, h in zip(xs, headers, strict=True):
                canvas.drawString(x + 2, y, h)
            for r in sheet.rows:
                y -= line
                if y < margin:
                    canvas.showPage()
                    canvas.setFont(font, 9)
                    y = height - margin - 20
                    for x, h in zip(xs, headers, strict=True):
                        canvas.drawString(x + 2, y, h)
                    y -= line
                values = [str(r.seq), r.badge, r.name, r.identity, fmt(r.base), fmt(r.dept_bonus),
                          fmt(r.dept_deduction), fmt(r.higher_bonus), fmt(r.higher_deduction), fmt(r.total),
                          "" if r.rank is None else str(r.rank), r.grade, r.remarks]
                for x, value in zip(xs, values, strict=True):
                    canvas.drawString(x + 2, y, value)
                cells += len(values)
            # the 等次说明 under the table, a line each, broken by reportlab's own CJK splitter
            # (`dumbSplit`, as `wordSplit` calls it) with each character measured once
            canvas.setFont(font, 8.5)
            for note in sheet.notes:
                for ch in set(note).difference(known):
                    known[ch] = measure(ch, 8.5)
                for _, text in dumbSplit(note, [known[ch] for ch in note], [width - 2 * margin]):
                    y -= 11.5
                    if y < margin:
                        canvas.showPage()
                        canvas.setFont(font, 8.5)
                        y = height - margin - 20
                    canvas.drawString(margin, y, text)
                    lines += 1
            canvas.showPage()
        canvas.save()
    report(t.seconds, cells=cells, note_lines=lines, size_mb=round(Path(p["out"]).stat().st_size / 2**20, 2))


WORK: dict[tuple[str, str], Callable[[Params], None]] = {
    ("score", "case"): score_case, ("score", "base"): score_base,
    ("export", "case"): export_case, ("export", "base"): export_base,
    ("import", "case"): import_case, ("import", "base"): import_base,
    ("pdf", "case"): pdf_case, ("pdf", "base"): pdf_base,
}


def main(argv: list[str]) -> int:
    return child_main(WORK, argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
