"""The exported workbook as the bureau prints it (issue #16 item 8): rendered through LibreOffice
to PDF, every page is A4 landscape, body text is 8 pt or more, the table header is on every page,
the technical columns (UUIDs, digests) are not printed, and no two words overlap."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from desktop.services.exchange.export import export_period
from tests.exchange.stations import station

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
NS = "{http://www.w3.org/1999/xhtml}"


def _pdf(book: Path, sheet: str, out: Path) -> Path:
    """One sheet of the workbook printed to PDF by LibreOffice (the others removed first)."""
    wb = openpyxl.load_workbook(book)
    for name in wb.sheetnames:
        if name != sheet:
            del wb[name]
    single = out / f"{sheet}.xlsx"
    wb.save(single)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{out}/lo", "--convert-to", "pdf",
                    "--outdir", str(out), str(single)], check=True, capture_output=True, timeout=180)
    return out / f"{sheet}.pdf"


def _pages(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """(width, height, words as (x0, y0, x1, y1, text)) per page, from pdftotext -bbox."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    root = ElementTree.fromstring(xml)
    pages = []
    for page in root.iter(f"{NS}page"):
        words = [(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")), w.text or "")
                 for w in page.iter(f"{NS}word")]
        pages.append((float(page.get("width")), float(page.get("height")), words))
    return pages


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("print")
    st = station(tmp, people=40)
    book = tmp / "2026-03.xlsx"
    with st.db.session() as s:
        export_period(s, "2026-03", book)
    return book


@pytest.mark.parametrize(("sheet", "header"), [("积分明细", "项目名称"), ("人员", "姓名"), ("积分汇总", "总分")])
def test_each_printed_sheet_is_readable(exported: Path, tmp_path: Path, sheet: str, header: str) -> None:
    pages = _pages(_pdf(exported, sheet, tmp_path))
    assert pages
    for width, height, words in pages:
        assert (round(width), round(height)) == (842, 595)  # A4 landscape
        texts = [w[4] for w in words]
        assert header in texts  # the header row is repeated on every page
        assert not any(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-.*", t) for t in texts)  # no UUID printed
        body = [w for w in words if re.fullmatch(r"\d{5,6}", w[4])]  # badges: body text
        if body:
            size = min(w[3] - w[1] for w in body)
            assert size >= 8, f"{sheet}: body text {size:.1f} pt"
            print(f"{sheet}: {len(pages)} pages, body text {size:.1f} pt")
        # Nothing overlaps (page header and table header, a number and its neighbour); the lines of
        # a wrapped header cell touch by under a point (their glyph boxes), which is no overlap.
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                overlap_x = min(a[2], b[2]) - max(a[0], b[0])
                overlap_y = min(a[3], b[3]) - max(a[1], b[1])
                assert overlap_x <= 0.5 or overlap_y <= 1.0, (sheet, a, b)
