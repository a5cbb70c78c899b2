"""Points as integer tenths: parsing user text and formatting for display."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from desktop.services.errors import ValidationError


def to_tenths(value: str | int | Decimal, *, field: str = "分值") -> int:
    """'84.5' -> 845. More than one decimal place is refused rather than silently rounded."""
    try:
        dec = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValidationError(f"{field}“{value}”不是数字") from exc
    if not dec.is_finite():
        raise ValidationError(f"{field}“{value}”不是有效数字")
    scaled = dec * 10
    if scaled != scaled.to_integral_value():
        raise ValidationError(f"{field}“{value}”最多保留一位小数")
    return int(scaled)


def to_decimal(tenths: int) -> Decimal:
    return (Decimal(tenths) / 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def fmt(tenths: int | None) -> str:
    """845 -> '84.5', 840 -> '84.0'; None -> ''."""
    if tenths is None:
        return ""
    return str(to_decimal(tenths))
