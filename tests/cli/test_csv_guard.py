"""CSV output cannot carry a formula into a spreadsheet: text that starts like one is quoted."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from desktop.cli.output import to_csv
from tests.cli.conftest import run
from tests.services.builders import World


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("value", ["=1+2", "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1",
                                   "=HYPERLINK(\"http://x\",\"点我\")", "-", "+", "-3.5abc"])
def test_text_that_starts_like_a_formula_gets_an_apostrophe(value: str) -> None:
    assert _cells(to_csv(["姓名"], [[value]]))[1] == ["'" + value]


def test_a_carriage_return_neither_starts_a_formula_nor_splits_the_row() -> None:
    rows = _cells(to_csv(["姓名", "说明"], [["\r=1", "第一行\r第二行"], ["张三", "x"]]))
    assert rows[1:] == [["'\n=1", "第一行\n第二行"], ["张三", "x"]]


@pytest.mark.parametrize("value, text", [(-3, "-3"), (Decimal("-3.5"), "-3.5"), ("-3.5", "-3.5"), ("+2", "+2"),
                                         ("-.5", "-.5"), (0, "0"), ("张三", "张三"), ("1+2", "1+2"),
                                         (None, ""), ("a=b", "a=b")])
def test_numbers_and_plain_text_stay_as_they_are(value: object, text: str) -> None:
    assert _cells(to_csv(["值"], [[value]]))[1] == [text]


def test_people_csv_guards_a_formula_name(station: World, capsys: pytest.CaptureFixture[str]) -> None:
    path = station.db.path
    assert path is not None
    assert run(path, "people", "--format", "csv") == 0
    rows = {r[0]: r for r in _cells(capsys.readouterr().out)[1:]}
    assert rows["102"][1] == "'=1+2"
    assert rows["101"][1] == "张三"
