"""What a county's own 考核细则 says in words: points texts, section rows, components, item codes.

A county catalogue is written for people, not for a program: 计分标准 such as “每起加2分”,
“扣5分”, “酌情加1-3分”, “每月最高加10分”; categories as section rows (“一、基础工作（60分）”);
no item codes and no 积分组成. This module reads those texts. `plan_catalogue` decides where
each value comes from, and the import preview shows every inferred value for the clerk to confirm.

Points are integer tenths. A text's sign (扣, 减, a minus) is returned apart from its magnitude:
an item's points are always positive, the component says whether they add or subtract.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from desktop.models.enums import Component, PointsMode
from desktop.services.exchange.cells import CellError, is_blank, parse_points, value_text

FORMS = ("3、-2、加3分、扣5分、每起加2分、每次扣5分、每人次0.5分、2-5分、2～5分、加2至5分、酌情加1-3分，"
         "可另写月上限，如“每月最高加10分”“最高不超过20分”")
UNREADABLE = f"无法识别的计分标准，可写作 {FORMS}"
MAX_TENTHS = 100_000  # 10,000 points: no catalogue item comes near

# Units a count is made of (points x quantity: PER_UNIT), and units that are one occurrence or a
# period of time (FIXED). Both modes multiply by the entry's quantity in the ledger
# (`ledger.points_for`); the mode tells the screens how the quantity is entered: the daily duty
# sheet ticks a FIXED item once per day and asks a number for a PER_UNIT one, as the preset does
# (按时到岗 per 天 fixed, 接处警 per 起 per_unit). So “每起加2分” is PER_UNIT and “每次扣5分” FIXED.
UNITS = ("人次", "万元", "起", "人", "件", "次", "名", "案", "宗", "天", "日", "夜", "晚", "份", "篇", "条", "个",
         "户", "项", "处", "场", "期", "批", "辆", "家", "月", "周", "例", "班", "回", "台", "部", "张", "单", "所",
         "组", "本", "笔")
OCCASIONS = frozenset({"次", "天", "日", "夜", "晚", "班", "回", "月", "周"})

_NUM = r"\d+(?:\.\d+)?"
_TO = r"(?:~|-|至|到)"
_SIGN = r"倒扣|扣除|扣分|扣|减分|减|加分|加|奖励|奖|\+|-"
_BARE = re.compile(rf"(?P<sign>[+\-])?(?P<lo>{_NUM})分?(?:{_TO}(?P<hi>{_NUM})分?)?")
_POINTS = re.compile(rf"(?:每(?P<per>[^\d+\-~,;。、:()/]{{0,8}}?))?(?P<sign>{_SIGN})?(?P<lo>{_NUM})"
                     rf"(?:分?{_TO}(?P<hi>{_NUM}))?分(?:/(?P<slash>[^\d,;。、:()/]{{1,3}}))?")
_CAP_WORDS = r"(?:最高|最多|不超过|不得超过|不高于|封顶|上限为?|限)+"
_CAP = re.compile(rf"(?P<per>每月|月度?|每季度?|季度|每半年|半年|每年|全年|年度|年)?内?(?:累计|合计)?{_CAP_WORDS}"
                  rf"(?:可|得|为)?(?P<sign>加|扣|减|奖|计|得)?分?(?P<n>{_NUM})分(?:封顶|为限)?"
                  rf"|(?P<per2>每月|月)?(?:累计)?(?P<n2>{_NUM})分(?:封顶|为限)")
_PER_MANY = re.compile(r"每(\d+|[两二三四五六七八九十]+)(?=[^\d.分])")
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+(?=分|至|到|~|-)|半(?=分)")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_DASHES = str.maketrans({"—": "-", "–": "-", "−": "-", "〜": "~", "～": "~"})

# Words that say which way an item goes, in its category or name (“部门扣分”, “奖励加分”): stronger
# forms than in a points text, where a single 加 or 扣 beside the number is enough.
DEDUCT_WORDS = ("扣分", "减分", "不得分", "倒扣", "扣除")
BONUS_WORDS = ("加分", "奖励")
HIGHER_WORDS = ("上级", "县局", "市局", "分局", "省厅", "公安厅", "公安部")
BASE_WORDS = ("基础",)  # 基础工作, 基础分, 基础积分, 基础工作积分


@dataclass(frozen=True)
class TextPoints:
    """What a points text says; `points_tenths` is a magnitude (a range's low end, where the
    entry form starts), `sign` what the text says of the direction."""

    mode: PointsMode
    points_tenths: int
    min_tenths: int | None = None
    max_tenths: int | None = None
    monthly_cap_tenths: int | None = None
    sign: int | None = None  # -1: 扣、减 or a minus; +1: 加、奖 or a plus; None: the text does not say
    sign_word: str = ""  # the word that gave the sign, for the preview
    unit: str | None = None  # 起, 人次 … when the text names one
    given: bool = True  # False: only a ceiling (“最高不超过20分”), no points per occurrence
    ceiling_tenths: int | None = None  # the ceiling as written, monthly or not


def _tenths(number: str) -> int:
    scaled = Decimal(number) * 10
    if scaled != scaled.to_integral_value():
        raise CellError("分值最多保留一位小数")
    if scaled >= MAX_TENTHS:
        raise CellError("分值的数值过大")
    return int(scaled)


def _cn_number(match: re.Match[str]) -> str:
    """一 → 1, 十五 → 15, 二十 → 20, 半 → 0.5 (Chinese numerals before 分 or 至); others kept."""
    text = match.group(0)
    if text == "半":
        return "0.5"
    if "百" in text or not all(ch in _CN_DIGITS or ch == "十" for ch in text) or text.count("十") > 1:
        return text
    if "十" not in text:
        return str(_CN_DIGITS[text]) if len(text) == 1 else text
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return text
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0))


def normal(text: str) -> str:
    """NFKC, one kind of dash and tilde, no spaces, Chinese numerals before 分 as digits."""
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return _CN_NUMBER.sub(_cn_number, re.sub(r"\s+", "", folded))


def _unit(per: str | None) -> str | None:
    """The unit “每……” names: 每起 → 起, 每发现一起 → 起, 每人次 → 人次; a verb alone (每查处) → 次."""
    if not per:
        return None
    return next((u for u in UNITS if per.endswith(u)), "次")


def _word_sign(text: str, deduct: tuple[str, ...], bonus: tuple[str, ...]) -> tuple[int | None, str]:
    for word in deduct:
        if word in text:
            return -1, word
    for word in bonus:
        if word in text:
            return 1, word
    return None, ""


def _sign_of(symbol: str | None) -> tuple[int | None, str]:
    if not symbol:
        return None, ""
    if symbol in ("+", "-"):
        return (1, "正号") if symbol == "+" else (-1, "负数")
    return (-1, symbol) if symbol[0] in "扣减倒" else (1, symbol)


def of_tenths(tenths: int | None) -> TextPoints | None:
    """A 分值 cell the reader read as a number (signed tenths)."""
    if tenths is None:
        return None
    return TextPoints(PointsMode.FIXED, abs(tenths), sign=-1 if tenths < 0 else None,
                      sign_word="负数" if tenths < 0 else "")


def parse_points_text(value: Any) -> TextPoints:
    """A points cell or 计分标准 text; CellError (in Chinese, naming the forms understood) if unreadable."""
    if is_blank(value):
        raise CellError("分值不能为空")
    if not isinstance(value, str):
        found = of_tenths(parse_points(value))  # a number cell
        assert found is not None
        return found
    text = normal(value)
    if (many := _PER_MANY.search(text)) and many.group(1) not in ("1", "一"):
        raise CellError(f"“每{many.group(1)}……”计分不能导入：分值应写成每一个计量单位的分数，如“每起加2分”")
    text = _PER_MANY.sub("每", text)
    caps = list(_CAP.finditer(text))
    rest = _CAP.sub(",", text)
    sign, word = None, ""
    cap: int | None = None
    monthly = False
    if len(caps) > 1:
        raise CellError("计分标准中有两个上限，请只保留一个（月上限）")
    if caps:
        found = caps[0]
        per = found.group("per") or found.group("per2") or ""
        if per and per not in ("每月", "月", "月度"):
            raise CellError(f"考核细则只能设每月上限：“{found.group(0)}”不能导入，请改为每月上限或删去")
        monthly = bool(per)
        cap = _tenths(found.group("n") or found.group("n2"))
        sign, word = _sign_of(found.group("sign") if found.group("sign") in ("加", "扣", "减", "奖") else None)
    rest = rest.strip(",;。、:()")
    bare = _BARE.fullmatch(rest)
    matches = [bare] if bare else list(_POINTS.finditer(rest))
    if len(matches) > 1:
        raise CellError(f"一项只能有一个分值（这里写了 {len(matches)} 个），请分成几行，每行一个分值")
    prose_sign, prose_word = _word_sign(_POINTS.sub("", rest), ("扣", *DEDUCT_WORDS), (*BONUS_WORDS, "奖"))
    if not matches:
        if cap is None:
            raise CellError(UNREADABLE)
        # Only a ceiling (“酌情加分，每月最高加10分”): the assessor gives up to it.
        sign, word = (sign, word) if sign is not None else (prose_sign, prose_word)
        return TextPoints(PointsMode.RANGE, 0, 0, cap, cap if monthly else None, sign, word, given=False,
                          ceiling_tenths=cap)
    m = matches[0]
    low = _tenths(m.group("lo"))
    high = _tenths(m.group("hi")) if m.group("hi") else None
    own, own_word = _sign_of(m.group("sign"))
    if own is not None and sign is not None and own != sign:
        raise CellError("计分标准中既有加分又有扣分，一项只能是其中一种，请分成两行")
    if own is not None:
        sign, word = own, own_word
    elif sign is None:
        sign, word = prose_sign, prose_word
    groups = m.groupdict()
    unit = _unit(groups.get("per")) or _unit(groups.get("slash"))
    if high is not None and high < low:
        raise CellError(f"区间分值的下限 {m.group('lo')} 大于上限 {m.group('hi')}")
    if high is not None and high != low:
        mode = PointsMode.RANGE
    else:
        high = None
        mode = PointsMode.FIXED if unit is None or unit in OCCASIONS else PointsMode.PER_UNIT
    # A ceiling beside points per occurrence caps the month: the only cap the ledger knows.
    return TextPoints(mode, low, low if high else None, high, cap, sign, word, unit, ceiling_tenths=cap)


def merge(number: TextPoints | None, standard: TextPoints | None) -> TextPoints:
    """The 分值 column and the 计分标准 column of one row as one reading; CellError if they disagree."""
    if number is None or standard is None:
        found = number or standard
        if found is None:
            raise CellError("分值不能为空")
        return found
    if number.sign is not None and standard.sign is not None and number.sign != standard.sign:
        raise CellError("分值与计分标准一个是加分、一个是扣分")
    sign = number.sign if number.sign is not None else standard.sign
    word = number.sign_word if number.sign is not None else standard.sign_word
    cap = number.monthly_cap_tenths or standard.monthly_cap_tenths
    if not standard.given:  # 计分标准 only gives the ceiling of the points in 分值
        cap = cap or standard.ceiling_tenths
        return replace(number, sign=sign, sign_word=word, monthly_cap_tenths=cap)
    if not number.given:
        return replace(standard, sign=sign, sign_word=word, monthly_cap_tenths=cap or number.ceiling_tenths)
    if standard.mode == PointsMode.RANGE and number.mode == PointsMode.FIXED:
        assert standard.min_tenths is not None and standard.max_tenths is not None
        if standard.min_tenths <= number.points_tenths <= standard.max_tenths:  # 分值 is the usual pick
            return replace(standard, points_tenths=number.points_tenths, sign=sign, sign_word=word,
                           monthly_cap_tenths=cap)
    elif (standard.points_tenths, standard.min_tenths, standard.max_tenths) == (
            number.points_tenths, number.min_tenths, number.max_tenths):
        return replace(standard if number.unit is None else number, sign=sign, sign_word=word,
                       monthly_cap_tenths=cap)
    raise CellError("分值与计分标准中的分数不一致")


class PointsError(CellError):
    """A row's points cannot be read; `key` is the column to name (分值 or 计分标准)."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


def read_points(text: str | None, tenths: int | None, standard: str | None) -> TextPoints:
    """One row's points from its 分值 cell (`text` when the reader could not read it as a number,
    else the number it read, in tenths) and its 计分标准 text; PointsError naming the column."""
    try:
        cell = parse_points_text(text) if text is not None else of_tenths(tenths)
    except CellError as exc:
        raise PointsError(str(exc), "points") from exc
    extra: TextPoints | None = None
    if standard:
        try:
            extra = parse_points_text(standard)
        except CellError as exc:
            if cell is None:
                raise PointsError(str(exc), "standard") from exc
            # 分值 gives the points; a 计分标准 in words (“未完成的不得分”) can only tell the direction.
            sign, word = sign_in_words(standard)
            if cell.sign is None and sign is not None:
                extra = TextPoints(cell.mode, cell.points_tenths, sign=sign, sign_word=word, given=False)
    try:
        return merge(cell, extra)
    except CellError as exc:
        raise PointsError(str(exc), "standard" if standard else "points") from exc


def sign_in_words(text: str) -> tuple[int | None, str]:
    """The direction a category or an item's name states (“部门扣分”, “……的，不得分”), if any;
    “加减分” names both, so says nothing."""
    return _word_sign(re.sub("加减分|加扣分|奖惩", "", text), DEDUCT_WORDS, BONUS_WORDS)


def infer_component(context: str, name: str, sign: int | None, word: str) -> tuple[Component, str]:
    """The person scheme's component of an item from its category texts, name and points sign,
    and why (for the preview). A deduction is never 基础工作积分: that component only adds."""
    reasons = []
    if sign is None:
        sign, word = sign_in_words(context)
        if sign is None:
            sign, word = sign_in_words(name)
    higher = next((w for w in HIGHER_WORDS if w in context), None)
    if higher is not None:
        component = Component.HIGHER_DEDUCTION if sign == -1 else Component.HIGHER_BONUS
        reasons.append(f"类别含“{higher}”")
    elif any(w in context for w in BASE_WORDS) and sign != -1:
        component = Component.BASE
        reasons.append("类别含“基础”")
    else:
        component = Component.DEPT_DEDUCTION if sign == -1 else Component.DEPT_BONUS
    if word in ("负数", "正号"):
        reasons.append(f"分值为{word}")
    else:
        reasons.append(f"写有“{word}”" if word else "未写加减")
    return component, "，".join(reasons)


# --- section rows (“一、基础工作（60分）”) -------------------------------------------------------

_NUMBERING = (
    (1, re.compile(r"^第[一二三四五六七八九十百]+(?:部分|章|节|类|项|大项)[、.．:：\s]*")),
    (1, re.compile(r"^[一二三四五六七八九十百]+[、.．:：]\s*")),
    (1, re.compile(r"^[IVXⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+[、.．]\s*")),
    (2, re.compile(r"^[(（][一二三四五六七八九十百]+[)）][、.．]?\s*")),
    (3, re.compile(r"^(?:[(（]\d+[)）]|\d+(?:\.\d+)*[、.．)）](?!\d))\s*")),
)
_SCORE_NOTE = re.compile(r"\s*[(（][^()（）]*\d+(?:\.\d+)?\s*分[^()（）]*[)）]\s*$")
_SCORE_SUFFIX = re.compile(r"\s*(?:[(（][^()（）]*\d+(?:\.\d+)?\s*分[^()（）]*[)）]|\d+(?:\.\d+)?\s*分)\s*$")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十百]+|[(（][一二三四五六七八九十百]+[)）]|\d+|[(（]\d+[)）])[、.．]?$")


def section_heading(cells: list[Any], name_col: int | None) -> tuple[int, str, list[int]] | None:
    """(level, category name, its columns) when a row of the table is a section row, else None.

    A section row has one text and no points: in 序号 or 类别 (left of the item's name), across
    the row (a merged cell filled in), or in the name column with section numbering (“一、”,
    “（一）”) or a score note (“（60分）”). A lone text in the name column is an item whose
    points are missing, and one right of it a remark: neither starts a section.
    """
    texts = {c: value_text(v).strip() for c, v in enumerate(cells) if not is_blank(v)}
    level = 0
    if len(set(texts.values())) > 1:  # a 序号 beside the heading: “一” numbers a section, “3” an item
        for c, text in list(texts.items()):
            ordinal, rank = is_ordinal(text)
            if ordinal:
                level = max(level, rank)
                del texts[c]
    if len(set(texts.values())) != 1:
        return None
    text = next(iter(texts.values()))
    columns = sorted(texts)
    level = heading_level(text) or level
    marked = level in (1, 2) or has_score_suffix(text)
    if is_ordinal(text)[0] or (not marked and looks_like_points(text)):
        return None
    if len(columns) == 1 and name_col is not None and columns[0] >= name_col and not (
            marked and columns[0] == name_col):
        return None
    name = section_name(text)
    return (level or 1, name, columns) if name else None


def heading_level(text: str) -> int:
    """1 for “一、”, “第一部分”; 2 for “（一）”; 3 for “1.”, “（1）”; 0 for no numbering."""
    stripped = text.strip()
    return next((level for level, pattern in _NUMBERING if pattern.match(stripped)), 0)


def has_score_suffix(text: str) -> bool:
    """“基础工作（60分）”: a section's share of the total, written after its name."""
    return bool(_SCORE_NOTE.search(text.strip()))


def is_ordinal(text: str) -> tuple[bool, int]:
    """(a bare 序号 such as “一”, “（二）”, “3”, its heading level): Chinese numerals number sections
    (level 1 or 2), digits number items (0)."""
    stripped = text.strip()
    if not _ORDINAL.match(stripped):
        return False, 0
    if any(ch.isdigit() for ch in stripped):
        return True, 0
    return True, 2 if stripped[0] in "(（" else 1


def section_name(text: str) -> str:
    """A section row's text as a category: “一、基础工作（60分）” → “基础工作”."""
    name = text.strip()
    for _level, pattern in _NUMBERING:
        name = pattern.sub("", name, count=1)
    previous = None
    while previous != name:
        previous = name
        name = _SCORE_SUFFIX.sub("", name).rstrip("：:、，, ").strip()
    return name


def looks_like_points(text: str) -> bool:
    try:
        parse_points_text(text)
    except CellError:
        return False
    return True


# --- item codes ------------------------------------------------------------------------------

def code_prefix(category: str, taken: set[str]) -> str:
    """Up to four pinyin initials of the category (基础工作 → JCGZ), not in `taken`: a prefix used by
    another category of the sheet or by a scheme's item prefix (JC- of 基层基础) gets a digit (JC2),
    which no scheme prefix can have (they are letters only)."""
    from pypinyin import Style, lazy_pinyin  # its phrase dictionary loads in 0.2 s: only when needed

    pieces = lazy_pinyin(category, style=Style.FIRST_LETTER, errors=lambda s: list(s))
    letters = "".join(p[0] for p in pieces if p and p[0].isascii() and p[0].isalpha()).upper()[:4] or "X"
    candidate, n = letters, 2
    while candidate in taken:
        candidate, n = f"{letters}{n}", n + 1
    return candidate
