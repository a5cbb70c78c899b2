"""Pinyin search finds a name by every reading of a polyphonic character, surnames above all
(issue #17 item 6): 曾 zeng, 单 shan, 解 xie, 区 ou, 仇 qiu, 朴 piao — and the usual reading still."""

from __future__ import annotations

import pytest

from desktop.ui.widgets.pickers import Choice, SearchPicker
from desktop.ui.widgets.pinyin import rank, search_key


@pytest.mark.parametrize(("name", "typed"), [
    ("曾伟", "zw"), ("曾伟", "zengwei"), ("曾伟", "cw"),
    ("单雄信", "sxx"), ("单雄信", "shanxiongxin"), ("单雄信", "dxx"),
    ("解放", "xf"), ("解放", "jf"),
    ("区志强", "ozq"), ("区志强", "ouzhiqiang"),
    ("仇英", "qy"), ("仇英", "qiuying"),
    ("朴正", "pz"), ("朴正", "piaozheng"),
    ("张三丰", "zsf"),
])
def test_every_reading_of_a_name_finds_it(name: str, typed: str) -> None:
    assert rank(typed, search_key(name)) is not None


def test_other_readings_do_not_make_unrelated_names_match() -> None:
    assert rank("zw", search_key("李伟")) is None and rank("xf", search_key("张放")) is None


def test_the_picker_offers_the_surname_reading(qtbot) -> None:  # type: ignore[no-untyped-def]
    picker = SearchPicker("警号、姓名或拼音首字母")
    qtbot.addWidget(picker)
    picker.set_choices([Choice.of(1, "曾伟 150101", "150101", "曾伟"), Choice.of(2, "张伟 150102", "150102", "张伟"),
                        Choice.of(3, "单雄信 150103", "150103", "单雄信")])
    assert [c.id for c in picker.matches("zw")] == [1, 2]
    assert [c.id for c in picker.matches("sxx")] == [3]
