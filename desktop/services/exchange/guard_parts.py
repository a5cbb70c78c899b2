"""Which members of an .xlsx calamine reads as its worksheets and shared strings (`guard`).

The guard can only protect what it scans, so it must find the sheets exactly where calamine
will look, not where Excel would put them. A 2 KB file showed the gap: its `_rels/.rels`
named `foo/workbook.xml` as the main document, a harmless `xl/` beside it passed the scan,
and calamine read `foo/worksheets/sheet1.xml`, whose far cell aborts the program. So this
module repeats calamine's own resolution (calamine 0.37, `xlsx/mod.rs`):

- member names are matched without regard to case, and `\\` in a member's name reads as `/`
  (the last member of a name wins);
- the folder of the main document is taken from the last officeDocument relationship of
  `_rels/.rels`, and the workbook, its relationships and the shared strings are read from that
  folder by their fixed names (`workbook.xml`, whatever the relationship calls it);
- elements and attributes are matched by local name, whatever their namespace; a sheet's
  relationship is its attribute whose local name is `id`; an absolute target drops its `/`,
  a relative one is put after the folder as written (`..` is not resolved).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from xml.etree import ElementTree

Parse = Callable[[str], ElementTree.Element]  # a member's XML, size-checked; KeyError when absent
OFFICE_DOCUMENT = "/relationships/officeDocument"


def _local(name: str) -> str:
    return name.rpartition("}")[2].rpartition(":")[2]


def members(zf: zipfile.ZipFile) -> dict[str, str]:
    """calamine's lookup: a path in lower case → the member it opens."""
    return {name.replace("\\", "/").lower(): name for name in zf.namelist()}


def _attributes(root: ElementTree.Element, tag: str) -> list[dict[str, str]]:
    """The attributes (by local name; the last of a name wins) of every `tag` element, in order."""
    return [{_local(k): v for k, v in e.attrib.items()} for e in root.iter() if _local(e.tag) == tag]


def document_folder(zf: zipfile.ZipFile, parse: Parse) -> str | None:
    """The folder calamine reads the workbook from ("xl/" in every file Excel writes), or None
    when it finds no main document and so reads no sheet at all."""
    lookup = members(zf)
    try:
        root = parse(lookup.get("_rels/.rels", "_rels/.rels"))
    except KeyError:
        return None
    targets = [a["Target"] for a in _attributes(root, "Relationship")
               if a.get("Type", "").endswith(OFFICE_DOCUMENT) and "Target" in a]
    if not targets:
        return None
    target = targets[-1]
    folder = target[:target.rfind("/") + 1] if "/" in target else ""
    return folder.removeprefix("/")


def sheet_parts(zf: zipfile.ZipFile, parse: Parse) -> tuple[dict[str, str], set[str]]:
    """Member of each worksheet calamine will open → the sheet's name; and the member it takes
    the shared strings from (a set: empty or one)."""
    folder = document_folder(zf, parse)
    if folder is None:
        return {}, set()
    lookup = members(zf)

    def member(path: str) -> str:
        return lookup.get(path.lower(), path)

    shared = {m for m in [member(folder + "sharedStrings.xml")] if m in zf.NameToInfo}
    try:
        book = parse(member(folder + "workbook.xml"))
        relations = {a.get("Id", ""): a.get("Target", "")
                     for a in _attributes(parse(member(folder + "_rels/workbook.xml.rels")), "Relationship")}
    except KeyError:
        return {}, shared
    parts: dict[str, str] = {}
    for attrs in _attributes(book, "sheet"):
        target = relations.get(attrs.get("id", ""), "")
        path = target[1:] if target.startswith("/") else folder + target
        parts[member(path)] = attrs.get("name", "")
    return parts, shared
