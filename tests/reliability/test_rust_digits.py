"""The one reading of whole numbers the safety check and the .ods merge scan share (`rust_digits`):
each case is a way a crafted file writes a number, with what calamine's Rust code makes of it."""

from __future__ import annotations

import pytest

from desktop.services.exchange.rust_digits import BEYOND, U64, repeat, row_number, u64, unsigned


@pytest.mark.parametrize(("text", "plus", "value"), [
    ("1048576", False, 1_048_576),
    ("0000000000001000000", False, 1_000_000),  # leading zeros are read past, however many
    ("0" * 5_000 + "7", False, 7),  # past Python's own 4,300-digit limit on int()
    ("000", False, 0),
    ("+42", True, 42),  # Rust's str::parse takes one plus sign
    ("+42", False, None),  # atoi_simd, as calamine calls it for .xlsx, does not
    ("++42", True, None),
    ("+", True, None),
    ("", False, None),
    (" 42", False, None),
    ("٤٢", False, None),  # Arabic-Indic digits: Python's int() reads them, Rust does not
    ("4e2", False, None),
    ("18446744073709551615", False, 2**64 - 1),  # the largest 64-bit value
    ("18446744073709551616", False, U64),
    ("9" * 400, False, U64),
    (b"00012", False, 12),  # bytes, as the byte-level scans find them
    (b"+12", True, 12),
], ids=["plain", "zeros", "five-thousand-zeros", "zero", "plus", "plus-refused", "two-plus", "plus-alone",
        "empty", "space", "arabic-indic", "exponent", "u64-max", "u64-over", "four-hundred-nines", "bytes",
        "bytes-plus"])
def test_a_number_reads_as_rust_reads_it(text: str | bytes, plus: bool, value: int | None) -> None:
    assert unsigned(text, plus=plus) == value


@pytest.mark.parametrize(("text", "index"), [
    ("5", 5), ("0005", 5), ("+5", None), ("18446744073709551616", None), ("x", None), ("", None),
], ids=["plain", "zeros", "plus", "past-u64", "letter", "empty"])
def test_a_shared_string_index_or_count_is_what_atoi_simd_gives(text: str, index: int | None) -> None:
    assert u64(text) == index


@pytest.mark.parametrize(("text", "count"), [
    (None, 1), ("", 1), ("0", 1), ("+3", 3), ("003", 3), (" 3 ", 3), ("3x", 1), ("9" * 30, BEYOND),
    ("1000000000000", BEYOND), ("999999999999", 999_999_999_999),
], ids=["absent", "empty", "zero", "plus", "zeros", "spaces", "letter", "thirty-nines", "ten-to-twelve",
        "twelve-nines"])
def test_an_ods_repeat_count_counts_at_least_once_and_at_most_past_every_limit(text: str | None, count: int) -> None:
    assert repeat(text) == count


@pytest.mark.parametrize(("digits", "row"), [
    ("1", 1), ("0001048577", 1_048_577), (b"0" * 50 + b"3", 3), ("1" + "0" * 12, BEYOND), ("9" * 5_000, BEYOND),
], ids=["one", "zeros", "bytes-zeros", "ten-to-twelve", "five-thousand-nines"])
def test_a_row_number_is_its_digits_or_past_every_limit(digits: str | bytes, row: int) -> None:
    assert row_number(digits) == row
