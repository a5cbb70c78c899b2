"""The shared strings of an .xlsx, checked for how much text they expand to (`guard`).

A cell of type "s" holds only an index into xl/sharedStrings.xml, and calamine copies the
string into every such cell: a 12 KB file of one 1 MB string and 2,000 cells naming it makes
calamine hold 1.9 GB and the reader 3.8 GB; 20,000 cells would crash the program. The zip's
ratio limit cannot see this (each part is small and honest). So the text the cells expand to
is bounded: first by the longest string times the cells, which clears every ordinary
workbook at once (the program's own exports have no shared strings at all); only when that
bound is too loose are the shared-string cells' indices read and the real total added up.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from xml.parsers import expat

from desktop.services.exchange.guard_sheet import Refuse, pieces, stream_parse
from desktop.services.exchange.rust_digits import u64

MAX_TEXT = 100_000_000  # characters the cells of a workbook may expand to (a county's year: ~15 million)
# calamine reserves room for as many strings as <sst uniqueCount> claims before reading one (24
# bytes each): a 1 KB file claiming 200 million aborted the program. Ten million is 240 MB.
MAX_UNIQUE = 10_000_000

# Excel's and LibreOffice's own form of a shared-string cell; any other form is parsed.
_SHARED_CELL = re.compile(rb'<c r="[A-Za-z]{1,4}\d{1,10}"(?: s="\d{1,9}")? t="s"(?: [^>]*)?><v>(\d{1,10})</v>')


def lengths(zf: zipfile.ZipFile, info: zipfile.ZipInfo, refuse: Refuse) -> list[int]:
    """Each shared string's length in characters, in order (all the text inside each <si>,
    phonetic runs included: an upper bound of what calamine keeps)."""
    found: list[int] = []
    state = {"open": False, "length": 0, "sst": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "si":
            state["open"], state["length"] = True, 0
        elif local == "sst" and not state["sst"]:  # calamine looks at the first <sst> only
            state["sst"] = True
            claimed = u64(attrs.get("uniqueCount", ""))
            if claimed is not None and claimed > MAX_UNIQUE:
                raise refuse(f"共享文字表声称有 {claimed:,} 段文字（上限 {MAX_UNIQUE:,} 段），"
                             "读取器会先为它们预留内存；文件可能已损坏或被改动，为保护本机没有读取")

    def end(name: str) -> None:
        if name.rpartition(":")[2] == "si":
            found.append(state["length"])
            state["open"] = False

    def text(data: str) -> None:
        if state["open"]:
            state["length"] += len(data)

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    with zf.open(info) as fh:
        stream_parse(fh, parser, refuse, f"共享文字表（{info.filename}）")
    return found


def check(zf: zipfile.ZipFile, shared: zipfile.ZipInfo, sheets: dict[zipfile.ZipInfo, int], refuse: Refuse) -> None:
    """Refuse when the cells of `sheets` (member → its cell count) expand to more than MAX_TEXT."""
    sizes = lengths(zf, shared, refuse)
    if not sizes or max(sizes) * sum(sheets.values()) <= MAX_TEXT:
        return
    total = 0
    for info in sheets:
        for index, times in _indices(zf, info, refuse).items():
            if index < len(sizes):
                total += sizes[index] * times
        if total > MAX_TEXT:
            raise refuse(f"单元格引用的共享文字展开后超过 {MAX_TEXT // 100_000_000} 亿字（同一段长文字被大量单元格引用，"
                         "可能是“压缩炸弹”），为保护本机没有读取")


def _indices(zf: zipfile.ZipFile, info: zipfile.ZipInfo, refuse: Refuse) -> Counter[int]:
    """How many shared-string cells of a sheet name each index."""
    counts: Counter[int] = Counter()
    with zf.open(info) as fh:
        for piece in pieces(fh):
            found = _SHARED_CELL.findall(piece)
            if len(found) != piece.count(b't="s"'):  # a shared-string cell written some other way
                return _parsed_indices(zf, info, refuse)
            counts.update(map(int, found))
    return counts


def _parsed_indices(zf: zipfile.ZipFile, info: zipfile.ZipInfo, refuse: Refuse) -> Counter[int]:
    counts: Counter[int] = Counter()
    state: dict[str, object] = {"shared": False, "value": None}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "c":
            state["shared"], state["value"] = attrs.get("t") == "s", None
        elif local == "v" and state["shared"]:
            state["value"] = []

    def end(name: str) -> None:
        local = name.rpartition(":")[2]
        if local == "v" and isinstance(state["value"], list):
            text = "".join(state["value"])
            if text:  # calamine: an empty value is an empty cell; one it cannot parse names string 0
                index = u64(text)
                counts[0 if index is None else index] += 1
            state["value"] = None
        elif local == "c":
            state["shared"] = False

    def text(data: str) -> None:
        if isinstance(state["value"], list):
            state["value"].append(data)

    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    with zf.open(info) as fh:
        stream_parse(fh, parser, refuse, f"工作表（{info.filename}）")
    return counts

