"""Resident identity numbers (公民身份号码, 身份证号) as the roster keeps them.

A bureau's personnel workbook (公安人事) often names people by 身份证号 and not by 警号,
and auxiliary staff have no badge at all in the bureau's systems. The roster stores the number
so such rows can be matched, and shows it masked everywhere (150302********1234): the full
number is personal data that a grade sheet, a listing or a screenshot never needs.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from desktop.services.errors import ValidationError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def normalise(text: str | None) -> str:
    """The number as stored: 18 characters, the check letter upper case; "" for a blank.

    Raises `ValidationError` (Chinese, saying why) for a number that cannot be one: a wrong
    length, a birth date that does not exist, or a check digit that does not match (a typo).
    """
    raw = unicodedata.normalize("NFKC", text or "").strip().replace(" ", "").upper()
    if not raw:
        return ""
    if raw.endswith(".0"):  # typed into a number cell (only 15-digit ones survive that)
        raw = raw[:-2]
    if len(raw) == 15 and raw.isdigit():  # the old 15-digit number: 19 is implied before the year
        return raw
    if len(raw) != 18 or not raw[:17].isdigit() or not (raw[17].isdigit() or raw[17] == "X"):
        raise ValidationError(f"身份证号“{text}”应为 18 位（最后一位可为 X）")
    try:
        dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        raise ValidationError(f"身份证号“{text}”中的出生日期 {raw[6:14]} 不存在") from None
    if check_digit(raw[:17]) != raw[17]:
        raise ValidationError(f"身份证号“{text}”的校验位不对（应为 {check_digit(raw[:17])}），请核对是否输错")
    return raw


def check_digit(first17: str) -> str:
    """The 18th character of a number (GB 11643: ISO 7064 MOD 11-2)."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def mask(number: str | None) -> str:
    """What a screen or listing shows: the region code and the last four, the birth date hidden."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
