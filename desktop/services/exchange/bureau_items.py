"""Which 上级考评 item a bureau row is booked to.

A bureau does not know the station's item codes. Its sheet names the item (a 项目 column with
a code or a name), or only says why (事由, 加扣分事项) and how much. The row then goes to the
item its reason names, when exactly one item's name is clearly in the reason, else to the
catalogue's general item (其他上级加分 / 其他上级减分, a range item in the presets). Every choice
is shown in the preview (`ImportReport.derive`), so the clerk confirms what went where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.models.enums import Component, PointsMode
from desktop.services.exchange.cells import fold
from desktop.services.exchange.plan import ItemRef
from desktop.services.ledger import MAX_QUANTITY
from desktop.services.points import fmt

HIGHER = {Component.HIGHER_BONUS.value: 1, Component.HIGHER_DEDUCTION.value: -1}
# Words every item name starts with and bracketed asides: they say nothing about which item it is.
_FILLER = re.compile(r"[（(【\[].*?[)）】\]]|^受到|^被|^获得|^荣立|[的、，,：:；;。\s]")
GENERAL_WORDS = ("其他", "其它")
# How much of an item's name the reason must hold to name it, and by how much it must beat the next.
MATCH_AT = 0.75
MARGIN = 0.15


@dataclass(frozen=True)
class Choice:
    item: ItemRef | None
    how: str  # shown in the preview: “按项目列”, “按事由”, “通用项目：…”
    problem: str = ""  # why no item could be chosen


def higher_items(items: dict[str, ItemRef], sign: int | None = None) -> list[ItemRef]:
    return [i for i in items.values() if i.component in HIGHER and (sign is None or HIGHER[i.component] == sign)]


def match_item(items: dict[str, ItemRef], text: str, sign: int | None) -> tuple[ItemRef | None, str]:
    """The 上级考评 item a bureau clerk meant by `text` (code, full name or part of the name)."""
    key = fold(text)
    higher = higher_items(items)
    for test in (lambda i: fold(i.code) == key, lambda i: fold(i.name) == key,
                 lambda i: key in fold(i.name) or fold(i.name) in key):
        found = [i for i in higher if test(i)]
        if len(found) > 1 and sign:
            found = [i for i in found if HIGHER[i.component] == sign] or found
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            names = "、".join(f"{i.code} {i.name}" for i in found[:5])
            return None, f"对应多个上级考评项目（{names}），请写项目编号"
    other = [i for i in items.values() if fold(i.code) == key or fold(i.name) == key]
    if other:
        return None, f"“{other[0].name}”不是上级考评项目（上级加分、上级减分），不能从上级工作簿导入"
    choices = "、".join(f"{i.code} {i.name}" for i in higher[:8])
    return None, f"考核细则中没有这个上级考评项目；可用的项目有：{choices}" + ("等" if len(higher) > 8 else "")


def _bigrams(text: str) -> set[str]:
    core = _FILLER.sub("", fold(text))
    return {core[i:i + 2] for i in range(len(core) - 1)} or ({core} if core else set())


def by_reason(items: dict[str, ItemRef], reason: str, sign: int | None) -> ItemRef | None:
    """The one item whose name the reason clearly holds ("县局通报表扬：破获盗窃案" → 受到县局（分局）通报表扬)."""
    said = _bigrams(reason)
    if not said:
        return None
    scored = []
    for item in higher_items(items, sign):
        if is_general(item):
            continue
        wanted = _bigrams(item.name)
        if wanted:
            scored.append((len(wanted & said) / len(wanted), item))
    scored.sort(key=lambda s: -s[0])
    if not scored or scored[0][0] < MATCH_AT:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < MARGIN:
        return None  # two items fit about as well: the general item, and the clerk sees it in the preview
    return scored[0][1]


def is_general(item: ItemRef) -> bool:
    return item.points_mode == PointsMode.RANGE.value and any(w in item.name for w in GENERAL_WORDS)


def general_item(items: dict[str, ItemRef], sign: int) -> ItemRef | None:
    """The catalogue's 其他上级加分 (sign 1) or 其他上级减分 (−1): a range item named 其他…; the widest wins."""
    found = [i for i in higher_items(items, sign) if is_general(i)]
    return max(found, key=lambda i: (i.max_tenths or 0) - (i.min_tenths or 0), default=None)


def quantity(item: ItemRef, total: int, given: int | None) -> tuple[int | None, str]:
    """How many occurrences the row's total stands for, or (None, why the total does not fit)."""
    if given is not None and not 1 <= given <= MAX_QUANTITY:
        return None, f"数量应在 1 到 {MAX_QUANTITY} 之间"
    if item.points_mode == PointsMode.RANGE.value:
        qty = given or 1
        per, rest = divmod(total, qty)
        assert item.min_tenths is not None and item.max_tenths is not None
        if rest or not item.min_tenths <= per <= item.max_tenths:
            return None, (f"“{item.name}”每次应在 {fmt(item.min_tenths)} 至 {fmt(item.max_tenths)} 分之间"
                          f"（本行 {qty} 次共 {fmt(total)} 分）")
        return qty, ""
    each = item.points_tenths
    qty = given
    if qty is None and each and total % each == 0:
        qty = total // each
    if qty is None or each * qty != total:
        return None, f"“{item.name}”每{item.unit} {fmt(each)} 分，本行分值应为它的整数倍"
    return qty, ""


def choose(items: dict[str, ItemRef], named: str | None, reason: str, sign: int | None, total: int,
           given: int | None) -> tuple[Choice, int | None, str]:
    """(the item chosen, its quantity, why the points do not fit) for one row.

    `named` is the row's 项目 cell (None: the sheet has none, or it is blank); `sign` is the row's
    direction when the row says it (加分/减分 column, 类别, a negative number), else None.
    """
    if named:
        item, problem = match_item(items, named, sign)
        if item is None:
            return Choice(None, "", problem), None, ""
        qty, why = quantity(item, total, given)
        return Choice(item, "按项目列"), qty, why
    item = by_reason(items, reason, sign) if reason else None
    if item is not None:
        qty, why = quantity(item, total, given)
        if qty is not None:
            return Choice(item, "按事由"), qty, ""
        # The reason names an item whose points differ (the bureau gave another amount): the general item.
    if sign is None:
        return Choice(None, "", "分不清是加分还是减分：请加一列“类别”（上级加分 / 上级减分），或把减分写成负数"), None, ""
    general = general_item(items, sign)
    if general is None:
        word = "加分" if sign > 0 else "减分"
        return Choice(None, "", (
            f"没有“项目”列，事由也对不上考核细则中的上级{word}项目，而考核细则中没有通用的“其他上级{word}”项目："
            f"请在工作簿中加一列“项目”写明项目编号，或由管理员在考核细则中增加“其他上级{word}”区间项目")), None, ""
    qty, why = quantity(general, total, given)
    how = f"通用项目：事由近似 {item.code}，但分值不符" if item is not None else "通用项目：事由对不上具体项目"
    return Choice(general, how), qty, why
