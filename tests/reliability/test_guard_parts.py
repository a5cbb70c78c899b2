"""The guard scans the members calamine will read, found the way calamine finds them
(`guard_parts`), and refuses a shared-string table that would make calamine reserve gigabytes.

Before, the guard took the sheets from xl/workbook.xml as Excel lays a file out. Each file below
passed it while calamine read a far cell from a member the guard had not scanned (and aborted
the program), or reserved room for 200 million strings from a 1 KB file (and aborted)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.services.errors import ValidationError
from desktop.services.exchange import guard, guard_shared
from tests.reliability import workbooks as wb

HARMLESS = wb.SHEET_HEAD + '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'.encode() + wb.SHEET_TAIL
FAR = wb.SHEET_HEAD + b'<row r="1"><c r="A1"><v>1</v></c><c r="GR1048576"><v>1</v></c></row>' + wb.SHEET_TAIL


def _rewritten(tmp_path: Path, change: Callable[[str, bytes], list[tuple[str, bytes]]],
               shared: list[str] | None = None) -> Path:
    """A harmless one-sheet workbook, each member replaced by what `change` makes of it."""
    plain = wb.write_xlsx(tmp_path / "plain.xlsx", [("上级加分", [HARMLESS])], shared=shared)
    out = tmp_path / "上级加分.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            for name, data in change(info.filename, src.read(info)):
                dst.writestr(name, data)
    return out


def _main_document_elsewhere(name: str, data: bytes) -> list[tuple[str, bytes]]:
    if name == "_rels/.rels":  # the package's main document: foo/workbook.xml
        return [(name, data.replace(b'Target="xl/workbook.xml"', b'Target="foo/workbook.xml"'))]
    copy = FAR if name.startswith("xl/worksheets/") else data
    return [(name, data), ("foo/" + name.removeprefix("xl/"), copy)] if name.startswith("xl/") else [(name, data)]


def _backslashes(name: str, data: bytes) -> list[tuple[str, bytes]]:
    return [(name.replace("/", "\\"), FAR)] if name.startswith("xl/worksheets/") else [(name, data)]


def _upper_case(name: str, data: bytes) -> list[tuple[str, bytes]]:
    return [(name.upper(), FAR)] if name.startswith("xl/worksheets/") else [(name, data)]


def _elsewhere_by_bare_id(name: str, data: bytes) -> list[tuple[str, bytes]]:
    """The sheet's relationship named by a bare `id` attribute (calamine matches the local name)
    and the sheet kept outside xl/worksheets/."""
    if name == "xl/workbook.xml":
        return [(name, data.replace(b'r:id="rId1"', b'id="rId7"'))]
    if name == "xl/_rels/workbook.xml.rels":
        return [(name, data.replace(b"</Relationships>", b'<Relationship Id="rId7" Type="http://schemas.openxmlformats.'
                                                          b'org/officeDocument/2006/relationships/worksheet" '
                                                          b'Target="data/list.xml"/></Relationships>'))]
    if name.startswith("xl/worksheets/"):
        return [(name, data), ("xl/data/list.xml", FAR)]
    return [(name, data)]


SHAPES = {
    "main-document-in-another-folder": _main_document_elsewhere,
    "backslashes-in-member-names": _backslashes,
    "member-names-in-upper-case": _upper_case,
    "sheet-named-by-a-bare-id": _elsewhere_by_bare_id,
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_sheet_calamine_reads_is_the_sheet_scanned(tmp_path: Path, shape: str) -> None:
    path = _rewritten(tmp_path, SHAPES[shape])
    with pytest.raises(ValidationError, match="至少用到第 1,048,576 行"):
        guard.check_workbook(path)


def test_a_harmless_file_laid_out_the_same_ways_is_read(tmp_path: Path) -> None:
    def harmless(name: str, data: bytes) -> list[tuple[str, bytes]]:
        return [(n, HARMLESS if d is FAR else d) for n, d in _main_document_elsewhere(name, data)]
    path = _rewritten(tmp_path, harmless)
    assert guard.check_workbook(path) == {"上级加分": len(HARMLESS)}


def _claiming(count: str) -> Callable[[str, bytes], list[tuple[str, bytes]]]:
    def change(name: str, data: bytes) -> list[tuple[str, bytes]]:
        if name == "xl/sharedStrings.xml":
            data = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="' + count.encode() + b'"', data)
        return [(name.replace("/", "\\") if name == "xl/sharedStrings.xml" else name, data)]
    return change


@pytest.mark.parametrize("count", ["200000000", "000000000000000000000200000000"], ids=["plain", "leading-zeros"])
def test_a_shared_string_table_claiming_200_million_strings_is_refused(tmp_path: Path, count: str) -> None:
    """Under a backslashed name too: calamine finds xl\\sharedStrings.xml as xl/sharedStrings.xml."""
    path = _rewritten(tmp_path, _claiming(count), shared=["王伟"])
    assert path.stat().st_size < 2_000
    with pytest.raises(ValidationError, match="共享文字表声称有 200,000,000 段文字"):
        guard.check_workbook(path)


@pytest.mark.parametrize("count", ["10000000", "+200000000", "2e8"], ids=["at-the-limit", "plus-sign", "exponent"])
def test_a_count_calamine_would_not_reserve_for_is_let_through(tmp_path: Path, count: str) -> None:
    assert guard_shared.MAX_UNIQUE == 10_000_000
    guard.check_workbook(_rewritten(tmp_path, _claiming(count), shared=["王伟"]))  # not refused


def _with_members(path: Path, source: Path, prefix: str = "") -> Path:
    """`path`'s members, then every member of the workbook `source` (under `prefix`)."""
    out = path.with_name("两种.xlsx")
    with zipfile.ZipFile(path) as first, zipfile.ZipFile(source) as second, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in first.infolist():
            dst.writestr(info, first.read(info))
        for info in second.infolist():
            dst.writestr(prefix + info.filename, second.read(info))
    return out


def test_an_ods_that_also_carries_an_xlsx_is_refused(tmp_path: Path) -> None:
    """Named .xlsx, calamine reads it with its .xlsx reader (by the extension), never looking at
    the content.xml the .ods check passed; the xl/ folder holds a far cell."""
    ods = tmp_path / "表.ods"
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    far = wb.write_xlsx(tmp_path / "far.xlsx", [("上级加分", [FAR])])
    with pytest.raises(ValidationError, match="同时有两种工作簿的内容"):
        guard.check_workbook(_with_members(ods, far))


def test_an_xlsx_that_also_carries_an_xlsb_is_refused(tmp_path: Path) -> None:
    """Under an extension calamine does not know (upper case, say) it tries .xlsb after .xlsx."""
    plain = wb.write_xlsx(tmp_path / "plain.xlsx", [("上级加分", [HARMLESS])])
    out = _rewritten(tmp_path, lambda name, data: [(name, data)] + (
        [("xl/workbook.bin", b"\x83\x01\x00")] if name == "xl/workbook.xml" else []))
    assert guard.check_workbook(plain)
    with pytest.raises(ValidationError, match="同时有两种工作簿的内容"):
        guard.check_workbook(out.rename(out.with_name("上级加分.XLSX")))
