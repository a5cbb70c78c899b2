"""Benchmark child for the year's 政绩档案 (performance file) of everyone, and its raw baseline.

`python -m desktop.bench.work_file '{"case": "file_pdf", "side": "case", "db": …}'`, as `work`.
Both sides write one PDF per person into the same kind of folder, in the station's font, which
is loaded before the timers (the program loads it once, at the first print).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.bench.measure import Timer, child_main, report
from desktop.bench.work import Params

Cells = list[str]


def _year(p: Params) -> int:
    return int(p["period"][:4])  # the score month's year


def _folder_size(folder: Path) -> float:
    return round(sum(f.stat().st_size for f in folder.iterdir()) / 2**20, 1)


def file_case(p: Params) -> None:
    """`documents_batch.write_performance_files`: everyone on the roster that year, one file each
    (laid out in worker processes, one a core, as the program does for a batch this large)."""
    from desktop.exporters.pdf.fonts import register_font
    from desktop.models.db import open_database
    from desktop.services import documents_batch, roster

    db = open_database(p["db"])
    with db.session() as session:
        register_font(roster.get_station(session).pdf_font or "")
    out = Path(p["out"])
    out.mkdir(parents=True, exist_ok=True)
    with db.session() as session, Timer() as t:
        files = documents_batch.write_performance_files(session, _year(p), out)
    report(t.seconds, files=len(files), per_file_seconds=round(t.seconds / max(1, len(files)), 4),
           size_mb=_folder_size(out), workers=documents_batch.worker_count(len(files)))


def _points(value: int | None) -> str:
    from desktop.services.points import fmt

    return "" if value is None else fmt(value)


def file_rows(data: Any) -> list[Cells]:
    """The text of one person's file, row by row, as the file prints it: the title, identity, the
    months, counts, awards and sanctions, levels, ranks, the aspects and every month's facts
    (repeated entries of an item in one line, as `exporters.pdf.file_aspects` groups them)."""
    from desktop.exporters.pdf.file_aspects import _detail, _grouped
    from desktop.exporters.pdf.performance_file import title_of

    rows: list[Cells] = [[title_of(data)]]
    rows += [["姓名", data.name, "警号", data.badge], ["身份", data.identity, "职务", data.position],
             ["部门", data.department, "考核序列", data.sequence]]
    rows += [[m.label, _points(m.base), _points(m.bonus), _points(m.deduction), _points(m.total),
              "" if m.rank is None else str(m.rank), m.grade, m.state] for m in data.months]
    rows.append(["，".join(f"{label} {n} 次" for label, n in data.grade_counts if n)])
    rows += [[e.when, e.what, e.detail] for e in data.awards + data.sanctions]
    rows += [[m.label, m.level, m.suggested, m.reviewer, m.remark] for m in data.aspect_months]
    rows += [[r.label, _points(r.total), f"{r.rank}/{r.of}", r.grade, r.state, r.note]
             for r in [*data.halves, *([data.year_review] if data.year_review else [])]]
    rows += [[r.when, r.kind_label, r.what, _points(r.points), r.note] for r in data.rewards]
    for m in data.aspect_months:
        rows.append([f"{m.label}（{m.state}）", f"等次：{m.level or '—'}"])
        for block in m.aspects:
            rows.append([block.aspect])
            rows += [[i.when, i.what, _points(i.points), _detail(i)] for i in _grouped(block.items)]
    return rows


def file_base(p: Params) -> None:
    """The same text drawn one `drawString` a cell, in the same font, on A4 pages, one file a
    person; the files' data is read (by the program, with its period cache) before the timer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from sqlalchemy import select

    from desktop.exporters.pdf.fonts import register_font
    from desktop.models.db import open_database
    from desktop.models.people import Person
    from desktop.services import roster
    from desktop.services.documents_file import PeriodCache, performance_file_data

    db = open_database(p["db"])
    year = _year(p)
    with db.session() as session:
        font = register_font(roster.get_station(session).pdf_font or "")
        cache = PeriodCache(session)
        people = [person for person in session.scalars(select(Person).order_by(Person.badge))
                  if person.active_days(*_year_span(year)) > 0]
        files = [(person.badge, file_rows(performance_file_data(session, year, person.badge, cache=cache)))
                 for person in people]
    out = Path(p["out"])
    out.mkdir(parents=True, exist_ok=True)
    width, height = A4
    margin, line = 14 * mm, 13
    cells = 0
    with Timer() as t:
        for badge, rows in files:
            canvas = Canvas(str(out / f"{badge}.pdf"), pagesize=A4)
            canvas.setFont(font, 9)
            y = height - margin
            for row in rows:
                y -= line
                if y < margin:
                    canvas.showPage()
                    canvas.setFont(font, 9)
                    y = height - margin - line
                column = (width - 2 * margin) / len(row)
                for n, text in enumerate(row):
                    canvas.drawString(margin + n * column, y, text)
                cells += len(row)
            canvas.showPage()
            canvas.save()
    report(t.seconds, files=len(files), cells=cells, size_mb=_folder_size(out))


def _year_span(year: int) -> tuple[Any, Any]:
    import datetime as dt

    return dt.date(year, 1, 1), dt.date(year, 12, 31)


WORK: dict[tuple[str, str], Callable[[Params], None]] = {
    ("file_pdf", "case"): file_case, ("file_pdf", "base"): file_base,
}


def main(argv: list[str]) -> int:
    return child_main(WORK, argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
