"""Cell values from human-made workbooks, normalised into Python values.

Bureau workbooks are typed by people in Excel or WPS: numbers typed as text, full-width
digits and letters, dates as Excel serials, as date cells or as text in several forms.
Every parser here takes what a reader (calamine) returns for one cell and gives back the
value, ``None`` for a blank cell, or raises `CellError` with a Chinese reason.

Keys (badges, codes, headers, names to match) are folded with NFKC; free text that is kept
(notes, item names) only has full-width ASCII letters, digits and spaces narrowed, so
Chinese punctuation such as ，（）stays as typed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 after Excel's 1900 leap-year bug
_SPACES = re.compile(r"\s+")
_DATE_DASHED = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_DATE_CN = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?(?:\s*(\d{1,2})[:时](\d{2})分?(?::?(\d{2})秒?)?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# Full-width ASCII (U+FF01-FF5E) and the ideographic space; nothing else is touched in free text.
_NARROW = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}
_NARROW |= {cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)}
_NARROW |= {cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)}
_NARROW[0x3000] = 0x20
TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "对"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "✗", "无", "不是"})


MAX_NUMBER = 10**12


KEY_LENGTH = 64  # badges, codes and digests; the guard reports longer cells first


class CellError(ValueError):
    """A cell cannot be read as the column's type; the message is the Chinese reason."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def fold(value: Any) -> str:
    """A match key: NFKC (full-width → half-width), no whitespace at all, lower case."""
    if value.__class__ is str:
        return _fold_text(value)
    return _fold_text(value_text(value))


@functools.lru_cache(maxsize=1 << 16)
def _fold_text(text: str) -> str:
    # Remembered: an import folds every entry's item name, category and component against the
    # catalogue (a few hundred distinct texts, 100,000 rows), and the reader folds header words.
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()


def value_text(value: Any) -> str:
    """Any cell value as the text a person sees (12345.0 → '12345', a date → '2026-03-05')."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def parse_text(value: Any) -> str | None:
    """Free text kept as typed, except full-width ASCII letters/digits/spaces and surrounding blanks."""
    if value is None:
        return None
    text = (value if isinstance(value, str) else value_text(value)).translate(_NARROW).strip()
    return text or None


def parse_key(value: Any) -> str | None:
    """A badge or code: NFKC and no whitespace ('０１２ ３' → '0123'); a number cell loses '.0'."""
    if is_blank(value):
        return None
    if isinstance(value, float) and not (value.is_integer() and abs(value) < 1e15):
        # A badge typed into a number cell is a whole number; 1e+64 or 12.5 is not a badge.
        raise CellError(f"“{value_text(value)}”不是有效的编号")
    text = unicodedata.normalize("NFKC", value_text(value)).replace("\u3000", "").replace(" ", "").strip()
    if len(text) > KEY_LENGTH:
        raise CellError(f"编号过长（{len(text)} 个字符），最多 {KEY_LENGTH} 个字符")
    return text or None


def parse_name(value: Any) -> str | None:
    """A person's name: spaces typed to align two-character names ('王  伟') are removed."""
    text = parse_text(value)
    if text is None:
        return None
    if all(_is_cjk(ch) or ch.isspace() for ch in text):
        text = _SPACES.sub("", text)
    return text


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or ch == "·"


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool):
        raise CellError(f"{what}应为数字，不能是逻辑值")
    if isinstance(value, int):
        return _bounded(Decimal(value), what)
    if isinstance(value, float):
        if not abs(value) < MAX_NUMBER:  # also NaN and infinity
            raise CellError(f"{what}的数值过大")
        dec = Decimal(repr(value))
        # Sums computed by a spreadsheet (0.1 + 0.2) land a hair off the typed value.
        rounded = dec.quantize(Decimal("0.000001"))
        return rounded.normalize() if abs(dec - rounded) < Decimal("1e-9") else dec
    if isinstance(value, dt.date):
        raise CellError(f"{what}应为数字，单元格却是日期")
    text = unicodedata.normalize("NFKC", str(value)).strip().replace("\u2212", "-")
    text = _SPACES.sub("", text).replace(",", "")
    if text.endswith("分"):
        text = text[:-1]
    if not _NUMBER.match(text):
        raise CellError(f"{what}应为数字")
    try:
        return _bounded(Decimal(text), what)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid numbers
        raise CellError(f"{what}应为数字") from exc


def _bounded(dec: Decimal, what: str) -> Decimal:
    # No score, count or date serial comes near; far larger numbers overflow Decimal's 28 digits.
    if abs(dec) >= MAX_NUMBER:
        raise CellError(f"{what}的数值过大")
    return dec


def parse_points(value: Any) -> int | None:
    """Points as signed tenths: '3' → 30, '－２.５' → -25, '+1分' → 10. More than one decimal is refused."""
    if is_blank(value):
        return None
    dec = _decimal(value, "分值")
    tenths = dec * 10
    if tenths != tenths.to_integral_value():
        raise CellError("分值最多保留一位小数")
    return int(tenths)


def parse_int(value: Any) -> int | None:
    if is_blank(value):
        return None
    dec = _decimal(value, "数量")
    if dec != dec.to_integral_value():
        raise CellError("应为整数")
    return int(dec)


def _make_date(year: int, month: int, day: int) -> dt.date:
    try:
        result = dt.date(year, month, day)
    except ValueError as exc:
        raise CellError(f"日期 {year}年{month}月{day}日 不存在") from exc
    if not 1950 <= result.year <= 2200:
        raise CellError("日期的年份不合理")
    return result


def _from_serial(number: Decimal) -> dt.datetime:
    if 19500101 <= number <= 22001231 and number == number.to_integral_value():
        n = int(number)  # 20260305 typed as a number
        return dt.datetime.combine(_make_date(n // 10000, n // 100 % 100, n % 100), dt.time())
    if not 18264 <= number <= 110000:  # 1950-01-01 .. 2201
        raise CellError("数字不是有效的日期")
    days = int(number)
    seconds = round((number - days) * 86400)
    return dt.datetime.combine(EXCEL_EPOCH, dt.time()) + dt.timedelta(days=days, seconds=seconds)


def parse_datetime(value: Any) -> dt.datetime | None:
    """A date and time from a date cell, an Excel serial or text; seconds precision."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        result = _from_serial(_decimal(value, "日期"))
    else:
        result = _parse_date_text(str(value))
    if result.microsecond:
        result = (result + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    return result


@dataclass(frozen=True)
class MonthDay:
    """A date written without its year (11月5日): the reader supplies the year from the sheet's
    title, else the current one (`reader.resolve_month_day`)."""

    month: int
    day: int


_MONTH_DAY = re.compile(r"^(\d{1,2})月(\d{1,2})[日号]?$")
_YEAR_MONTH = re.compile(r"^(\d{4})(?:[-/.]|年)(\d{1,2})月?$")


def _year_month(year: int, month: int) -> dt.date | None:
    return dt.date(year, month, 1) if 1900 <= year <= 2100 and 1 <= month <= 12 else None


def parse_date(value: Any) -> dt.date | MonthDay | None:
    """A date in any of the forms people type: 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日,
    20260305, an Excel date cell or serial number; a month (2026.11, 2026年11月) is its first day;
    11月5日 is a `MonthDay` for the reader to give a year."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
        if m := _MONTH_DAY.match(text):
            month, day = int(m[1]), int(m[2])
            if not (1 <= month <= 12 and 1 <= day <= 31):
                raise CellError("日期不存在")
            return MonthDay(month, day)
        if (m := _YEAR_MONTH.match(text)) and (first := _year_month(int(m[1]), int(m[2]))) is not None:
            return first
    elif isinstance(value, float) and 1900 < value < 2101 and not value.is_integer():
        # 2026.11 typed into a number cell: a month, not an Excel serial of 1905. 2026.1 may have
        # been 2026.10 before Excel dropped the zero, so that one is refused rather than guessed.
        year, hundredths = int(value), round((value - int(value)) * 100)
        if hundredths == 10:
            raise CellError(f"写成了数字 {value_text(value)}，分不清是 1 月还是 10 月；请写成文字，如 {year}年10月")
        month = hundredths // 10 if hundredths % 10 == 0 else hundredths  # 2026.2 is February
        if (first := _year_month(year, month)) is not None:
            return first
    result = parse_datetime(value)
    return None if result is None else result.date()


def _parse_date_text(raw: str) -> dt.datetime:
    text = unicodedata.normalize("NFKC", raw).strip().replace("\u2212", "-")
    text = _SPACES.sub(" ", text)
    for pattern in (_DATE_DASHED, _DATE_CN):
        m = pattern.match(text.replace(" ", "") if pattern is _DATE_CN else text)
        if m:
            day = _make_date(int(m[1]), int(m[2]), int(m[3]))
            hh, mm, ss = (int(g) if g else 0 for g in (m[4], m[5], m[6]))
            if hh > 23 or mm > 59 or ss > 59:
                raise CellError("时间不存在")
            return dt.datetime.combine(day, dt.time(hh, mm, ss))
    if m := _DATE_COMPACT.match(text):
        return dt.datetime.combine(_make_date(int(m[1]), int(m[2]), int(m[3])), dt.time())
    if _NUMBER.match(text):
        return _from_serial(Decimal(text))
    raise CellError("无法识别的日期，应写作 2026-03-05、2026/3/5、2026.3.5 或 2026年3月5日")


def parse_bool(value: Any) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    key = fold(value)
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise CellError("应填“是”或“否”")


def parse_uuid(value: Any) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, str) and _UUID.match(value):
        return value  # the canonical form, as every export writes it
    try:
        return str(uuid.UUID(parse_key(value) or ""))
    except ValueError as exc:
        raise CellError("不是有效的 UUID") from exc


def parse_json_text(value: Any) -> str | None:
    """A definition in JSON (积分制), kept exactly as written but for surrounding blanks: narrowing
    full-width characters, as free text is, would change the Chinese text inside it."""
    if is_blank(value):
        return None
    return value.strip() if isinstance(value, str) else value_text(value)


def column_letter(index: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA' (as the spreadsheet labels columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


PARSERS = {
    "text": parse_text,
    "key": parse_key,
    "name": parse_name,
    "int": parse_int,
    "points": parse_points,
    "date": parse_date,
    "datetime": parse_datetime,
    "bool": parse_bool,
    "uuid": parse_uuid,
    "json": parse_json_text,
}
