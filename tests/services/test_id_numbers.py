"""身份证号: checked when stored, never shown whole."""

from __future__ import annotations

import pytest

from desktop.services import id_numbers
from desktop.services.errors import ValidationError


def test_forms_people_type_are_normalised() -> None:
    assert id_numbers.normalise(" 15030219850612013x ") == "15030219850612013X"
    assert id_numbers.normalise("１５０３０２１９８５０６１２０１３Ｘ") == "15030219850612013X"
    assert id_numbers.normalise("") == "" and id_numbers.normalise(None) == ""
    assert id_numbers.normalise("150302850612013") == "150302850612013"  # the old 15-digit number


@pytest.mark.parametrize(("text", "why"), [
    ("1503021985061201", "应为 18 位"),
    ("150302198502300135", "出生日期 19850230 不存在"),
    ("150302198506120130", "校验位不对（应为 X）"),
])
def test_impossible_numbers_are_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why.replace("(", r"\(").replace(")", r"\)")):
        id_numbers.normalise(text)


def test_shown_masked() -> None:
    assert id_numbers.mask("15030219850612013X") == "150302********013X"
    assert id_numbers.mask("") == ""
