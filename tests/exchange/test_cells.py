"""Cell normalisation: the forms people type numbers, dates, flags and names in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.services.exchange.cells import (
    CellError,
    MonthDay,
    column_letter,
    fold,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_int,
    parse_key,
    parse_name,
    parse_points,
    parse_text,
    parse_uuid,
)
from desktop.services.exchange.schema import ADJUSTMENTS, ROSTER, header_key, synonyms_of

D = dt.date


@pytest.mark.parametrize("raw", [
    D(2026, 3, 5), dt.datetime(2026, 3, 5, 0, 0), 46086, 46086.0, "46086", "2026-03-05", "2026-3-5", "2026/3/5",
    "2026/03/05", "2026.3.5", "2026年3月5日", "2026年3月5号", "2026 年 3 月 5 日", "２０２６年３月５日",
    "２０２６－０３－０５", "２０２６．３．５", "20260305", 20260305, " 2026-03-05 00:00:00 ", "2026-03-05T08:30",
])
def test_every_date_form(raw: object) -> None:
    assert parse_date(raw) == D(2026, 3, 5)


@pytest.mark.parametrize("raw", [
    "2026.3", "2026-03", "2026/3", "2026年3月", "2026.03", 2026.03, 2026.3, "２０２６年３月"])
def test_a_month_alone_is_its_first_day(raw: object) -> None:
    """“2026.11” in a 日期 column means the month (it was refused, or read as a 1905 serial)."""
    assert parse_date(raw) == D(2026, 3, 1)


def test_a_month_typed_as_the_number_2026_1_is_refused_as_ambiguous() -> None:
    with pytest.raises(CellError, match="分不清是 1 月还是 10 月"):
        parse_date(2026.1)
    assert parse_date(2026.11) == D(2026, 11, 1) and parse_date(2026.12) == D(2026, 12, 1)


@pytest.mark.parametrize("raw", ["3月5日", "3月5号", "３月５日", " 3 月 5 日 "])
def test_a_date_without_its_year_waits_for_the_reader_to_give_one(raw: object) -> None:
    assert parse_date(raw) == MonthDay(3, 5)


@pytest.mark.parametrize("raw", ["2026-02-30", "13月5日", "3月32日", "明天", "1900-01-01", 12.5, True])
def test_impossible_or_unreadable_dates(raw: object) -> None:
    with pytest.raises(CellError):
        parse_date(raw)


def test_date_times_keep_seconds() -> None:
    assert parse_datetime("2026-03-05 08:30:15") == dt.datetime(2026, 3, 5, 8, 30, 15)
    assert parse_datetime(dt.datetime(2026, 3, 5, 8, 30, 14, 999_700)) == dt.datetime(2026, 3, 5, 8, 30, 15)
    assert parse_datetime(46086.5) == dt.datetime(2026, 3, 5, 12, 0)


@pytest.mark.parametrize(("raw", "tenths"), [
    (3, 30), (3.0, 30), (2.5, 25), ("3", 30), ("３", 30), ("３．５", 35), (" +1分 ", 10), ("－２", -20),
    ("\u22122", -20), ("1,000", 10000), (0.1 + 0.2, 3), (Decimal("84.5"), 845), ("-0.5", -5), (".5", 5),
])
def test_points_typed_every_way(raw: object, tenths: int) -> None:
    assert parse_points(raw) == tenths


@pytest.mark.parametrize("raw", ["三分", "3.25", "1/2", D(2026, 3, 5), "3-1"])
def test_points_that_are_not_points(raw: object) -> None:
    with pytest.raises(CellError):
        parse_points(raw)


@given(st.integers(min_value=-10**7, max_value=10**7))
def test_points_text_round_trips(tenths: int) -> None:
    text = str(Decimal(tenths) / 10)
    assert parse_points(text) == tenths
    full_width = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789.-"})
    assert parse_points(full_width) == tenths


def test_integers_blanks_and_flags() -> None:
    assert parse_int("２") == 2 and parse_int(3.0) == 3 and parse_int("  ") is None
    with pytest.raises(CellError):
        parse_int("1.5")
    assert [parse_bool(v) for v in ("是", "否", "√", "×", "Y", "n", True, "", None)] == [
        True, False, True, False, True, False, True, None, None]
    with pytest.raises(CellError):
        parse_bool("也许")


def test_keys_names_and_text() -> None:
    assert parse_key(150001.0) == "150001" and parse_key("１５０ ００１") == "150001"
    assert parse_name("王  伟") == "王伟" and parse_name("李\u3000娜") == "李娜" and parse_name("Li Na") == "Li Na"
    assert parse_text("值班（24小时值班），ＡＢ１") == "值班（24小时值班），AB1"  # Chinese punctuation stays
    assert fold("受到县局（分局）通报表扬") == fold("受到县局(分局) 通报表扬")
    assert parse_uuid("6F1C5A52-3A0E-4C55-9A57-0C1F2B7E9D41") == "6f1c5a52-3a0e-4c55-9a57-0c1f2b7e9d41"
    with pytest.raises(CellError):
        parse_uuid("not-a-uuid")


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 701, 702)] == ["A", "Z", "AA", "AZ", "ZZ", "AAA"]


def test_header_synonyms() -> None:
    roster = synonyms_of(ROSTER)
    for text, key in (("警号", "badge"), ("警员编号", "badge"), ("警号编码", "badge"), ("民警姓名", "name"),
                      ("所在部门", "department"), ("单位", "department"), (" 警 号 ", "badge"), ("姓名*", "name")):
        assert roster[header_key(text)] == key
    adjustments = synonyms_of(ADJUSTMENTS)
    for text, key in (("加分", "points"), ("分值", "points"), ("分数", "points"), ("日期", "date"),
                      ("时间", "date"), ("减分", "minus"), ("分值（分）", "points"), ("事由", "note")):
        assert adjustments[header_key(text)] == key


@pytest.mark.parametrize("value", [1e64, 12.5, float("inf"), "1" * 65])
def test_parse_key_refuses_what_cannot_be_a_badge(value) -> None:
    with pytest.raises(CellError):
        parse_key(value)
