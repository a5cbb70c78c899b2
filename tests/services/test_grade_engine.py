"""Table-driven tests of the grade engine and its three bundled policy presets."""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.services.grade_engine import (
    Candidate,
    GradeLevel,
    Outcome,
    Policy,
    PolicyError,
    competition_ranks,
    grade_group,
    load_preset,
    preset_codes,
    quota_counts,
    sort_key,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def people(*totals: int, deductions: int = 0, base: int = 500) -> list[Candidate]:
    """Candidates keyed 1, 2, … with the given totals (tenths)."""
    return [Candidate(key=i, total=t, base=base, deductions=deductions) for i, t in enumerate(totals, 1)]


def distinct(n: int) -> list[Candidate]:
    """n people with distinct totals 100, 99.5, 99, … (all ≥ 90, so no threshold binds)."""
    return people(*(1000 - 5 * i for i in range(n)))


def counts(policy: Policy, outcomes: dict[int, Outcome]) -> dict[str, int]:
    tally = Counter(o.grade for o in outcomes.values() if o.grade is not None)
    return {code: tally.get(code, 0) for code in policy.codes()}


def grades(outcomes: dict[int, Outcome]) -> dict[int, str | None]:
    return {k: o.grade for k, o in outcomes.items()}


# Expected per-grade counts, worked out by hand (max rounds down, min rounds up):
#   abcd:       A = floor(0.2n), B = floor(0.5n), C = rest (all ≥ 60), D = 0
#   five_level: 优秀 = floor(0.15n), 良好 = floor(0.35n), 合格 = rest
#   four_level: 一级 = floor(0.15n), 二级 = floor(0.35n), 四级 = ceil(0.1n), 三级 = rest
QUOTAS = [
    ("abcd", 9, [1, 4, 4, 0]),  # 1.8 → 1, 4.5 → 4
    ("abcd", 10, [2, 5, 3, 0]),
    ("abcd", 11, [2, 5, 4, 0]),  # 2.2 → 2, 5.5 → 5
    ("abcd", 19, [3, 9, 7, 0]),  # 3.8 → 3, 9.5 → 9
    ("abcd", 20, [4, 10, 6, 0]),
    ("abcd", 21, [4, 10, 7, 0]),  # 4.2 → 4, 10.5 → 10
    ("five_level", 9, [1, 3, 5, 0, 0]),  # 1.35 → 1, 3.15 → 3
    ("five_level", 10, [1, 3, 6, 0, 0]),  # 1.5 → 1, 3.5 → 3
    ("five_level", 11, [1, 3, 7, 0, 0]),  # 1.65 → 1, 3.85 → 3
    ("five_level", 19, [2, 6, 11, 0, 0]),  # 2.85 → 2, 6.65 → 6
    ("five_level", 20, [3, 7, 10, 0, 0]),
    ("five_level", 21, [3, 7, 11, 0, 0]),  # 3.15 → 3, 7.35 → 7
    ("four_level", 9, [1, 3, 4, 1]),  # 四级 ceil(0.9) = 1
    ("four_level", 10, [1, 3, 5, 1]),
    ("four_level", 11, [1, 3, 5, 2]),  # ceil(1.1) = 2
    ("four_level", 19, [2, 6, 9, 2]),  # ceil(1.9) = 2
    ("four_level", 20, [3, 7, 8, 2]),
    ("four_level", 21, [3, 7, 8, 3]),  # ceil(2.1) = 3
]


@pytest.mark.parametrize(("code", "n", "expected"), QUOTAS)
def test_quota_rounding(code: str, n: int, expected: list[int]) -> None:
    policy = load_preset(code)
    outcomes = grade_group(policy, distinct(n))
    assert list(counts(policy, outcomes).values()) == expected
    assert all(not o.flags for o in outcomes.values())
    # Grades follow the ranking: best levels go to the top scorers, in order.
    order = [outcomes[c.key].grade for c in distinct(n)]
    assert order == sorted(order, key=policy.codes().index)


@pytest.mark.parametrize(
    ("code", "n", "expected"),
    [
        ("abcd", 9, {"A": (None, 1), "B": (None, 4), "C": (None, None), "D": (None, None)}),
        ("four_level", 21, {"一级": (None, 3), "二级": (None, 7), "三级": (None, None), "四级": (3, None)}),
        ("four_level", 0, {"一级": (None, 0), "二级": (None, 0), "三级": (None, None), "四级": (0, None)}),
    ],
)
def test_quota_counts(code: str, n: int, expected: dict[str, tuple[int | None, int | None]]) -> None:
    assert quota_counts(load_preset(code), n) == expected


@pytest.mark.parametrize(("rounding", "expected_max"), [(None, 4), ("floor", 4), ("half_up", 5), ("ceil", 5)])
def test_explicit_rounding_override(rounding: str | None, expected_max: int) -> None:
    policy = Policy(
        code="t",
        name="t",
        veto_grade="下",
        levels=(GradeLevel("上", "上", max_share=Decimal("0.5"), rounding=rounding), GradeLevel("下", "下")),
    )
    assert quota_counts(policy, 9)["上"] == (None, expected_max)
    assert counts(policy, grade_group(policy, distinct(9)))["上"] == expected_max


# Ties. Each case: preset, candidates as (total, deductions, base), expected grades, keys flagged tie_at_line.
TIES = [
    pytest.param(  # abcd n=10, A cap 2: two tied at 95 do not both fit → both B, flagged
        "abcd",
        [(1000, 0, 500), (950, 0, 500), (950, 0, 500)] + [(900 - 10 * i, 0, 500) for i in range(7)],
        ["A", "B", "B", "B", "B", "B", "C", "C", "C", "C"],
        {2, 3},
        id="max-line-tie-goes-down",
    ),
    pytest.param(  # same, but fewer deductions breaks the tie: no tie at all
        "abcd",
        [(1000, 0, 500), (950, 10, 500), (950, 0, 500)] + [(900 - 10 * i, 0, 500) for i in range(7)],
        ["A", "B", "A", "B", "B", "B", "B", "C", "C", "C"],
        set(),
        id="fewer-deductions-wins",
    ),
    pytest.param(  # equal deductions, higher base wins
        "abcd",
        [(1000, 0, 500), (950, 0, 400), (950, 0, 600)] + [(900 - 10 * i, 0, 500) for i in range(7)],
        ["A", "B", "A", "B", "B", "B", "B", "C", "C", "C"],
        set(),
        id="higher-base-wins",
    ),
    pytest.param(  # a full tie inside B (not on a line): same grade, no flag
        "abcd",
        [(1000 - 10 * i, 0, 500) for i in range(4)]
        + [(950, 0, 500), (950, 0, 500)]
        + [(800 - 10 * i, 0, 500) for i in range(4)],
        ["A", "A", "B", "B", "B", "B", "B", "C", "C", "C"],
        set(),
        id="full-tie-same-grade",
    ),
    pytest.param(  # four_level n=10 needs one 四级; the bottom two are tied → both 四级, flagged
        "four_level",
        [(1000 - 10 * i, 0, 500) for i in range(8)] + [(500, 0, 500), (500, 0, 500)],
        ["一级", "二级", "二级", "二级", "三级", "三级", "三级", "三级", "四级", "四级"],
        {9, 10},
        id="min-line-tie-goes-in",
    ),
    pytest.param(  # the bottom two differ only in deductions: exactly one 四级
        "four_level",
        [(1000 - 10 * i, 0, 500) for i in range(8)] + [(500, 20, 500), (500, 10, 500)],
        ["一级", "二级", "二级", "二级", "三级", "三级", "三级", "三级", "四级", "三级"],
        set(),
        id="min-line-broken-by-deductions",
    ),
    pytest.param(  # five_level n=10, 优秀 cap 1 and nobody in yet: the tied pair goes down to 良好
        "five_level",
        [(950, 0, 500), (950, 0, 500)] + [(890 - 10 * i, 0, 500) for i in range(8)],
        ["良好", "良好", "良好", "合格", "合格", "合格", "合格", "合格", "合格", "合格"],
        {1, 2},
        id="tie-at-top-with-empty-level",
    ),
]


@pytest.mark.parametrize(("code", "rows", "expected", "flagged"), TIES)
def test_ties(code: str, rows: list[tuple[int, int, int]], expected: list[str], flagged: set[int]) -> None:
    policy = load_preset(code)
    cands = [Candidate(key=i, total=t, deductions=d, base=b) for i, (t, d, b) in enumerate(rows, 1)]
    outcomes = grade_group(policy, cands)
    assert [outcomes[c.key].grade for c in cands] == expected
    assert {k for k, o in outcomes.items() if "tie_at_line" in o.flags} == flagged


def test_sort_key_follows_tie_break_order() -> None:
    policy = load_preset("abcd")
    a = Candidate(1, total=900, base=400, deductions=0)
    b = Candidate(2, total=900, base=600, deductions=10)
    assert sort_key(policy, a) < sort_key(policy, b)  # fewer deductions comes first
    base_first = Policy.from_json({**json.loads(policy.to_json()), "tie_break": ["higher_base"]})
    assert sort_key(base_first, b) < sort_key(base_first, a)


@pytest.mark.parametrize(
    ("code", "totals", "vetoed", "expected"),
    [
        # the top scorer is vetoed → D; A keeps its cap of 2 (n still 10) and goes to the next two
        ("abcd", [1000 - 10 * i for i in range(10)], {1}, ["D", "A", "A", "B", "B", "B", "B", "B", "C", "C"]),
        (
            "five_level",
            [1000 - 10 * i for i in range(10)],
            {1},
            ["差", "优秀", "良好", "良好", "良好"] + ["合格"] * 5,
        ),
        # four_level n=10 needs one 四级: the vetoed top scorer fills it, nobody else goes down
        (
            "four_level",
            [1000 - 10 * i for i in range(10)],
            {1},
            ["四级", "一级"] + ["二级"] * 3 + ["三级"] * 5,
        ),
        # n=11 needs two: the vetoed person counts as one, the lowest scorer is the other
        (
            "four_level",
            [1000 - 10 * i for i in range(11)],
            {1},
            ["四级", "一级"] + ["二级"] * 3 + ["三级"] * 5 + ["四级"],
        ),
        # two vetoed in n=11 already fill the 10%
        (
            "four_level",
            [1000 - 10 * i for i in range(11)],
            {1, 6},
            ["四级", "一级", "二级", "二级", "二级", "四级"] + ["三级"] * 5,
        ),
    ],
)
def test_veto(code: str, totals: list[int], vetoed: set[int], expected: list[str]) -> None:
    policy = load_preset(code)
    cands = [
        Candidate(i, total=t, base=500, deductions=0, vetoed=i in vetoed) for i, t in enumerate(totals, 1)
    ]
    outcomes = grade_group(policy, cands)
    assert [outcomes[c.key].grade for c in cands] == expected
    assert {k for k, o in outcomes.items() if "veto" in o.flags} == vetoed


def test_veto_grade_other_than_worst_occupies_its_quota() -> None:
    data = json.loads(load_preset("abcd").to_json())
    policy = Policy.from_json({**data, "veto_grade": "B"})
    cands = [Candidate(i, total=1000 - 10 * i, base=500, deductions=0, vetoed=i <= 2) for i in range(1, 11)]
    got = counts(policy, grade_group(policy, cands))
    assert got == {"A": 2, "B": 5, "C": 3, "D": 0}  # B cap 5 = 2 vetoed + 3 others


@pytest.mark.parametrize(
    ("code", "n_total", "excluded", "expected"),
    [
        # 10 people, the head is excluded → n = 9: A = 1, B = 4 (with n = 10 it would be 2 and 5)
        ("abcd", 10, {1: "一把手不参与排名"}, [1, 4, 4, 0]),
        # 11 people, one on long leave → n = 10: one 四级 instead of two
        ("four_level", 11, {11: "在岗不足半月"}, [1, 3, 5, 1]),
        ("four_level", 12, {1: "一把手不参与排名", 12: "新入职"}, [1, 3, 5, 1]),
    ],
)
def test_excluded(code: str, n_total: int, excluded: dict[int, str], expected: list[int]) -> None:
    policy = load_preset(code)
    cands = [
        Candidate(c.key, c.total, c.base, c.deductions, excluded=excluded.get(c.key, ""))
        for c in distinct(n_total)
    ]
    outcomes = grade_group(policy, cands)
    assert list(counts(policy, outcomes).values()) == expected
    for key in excluded:
        assert outcomes[key] == Outcome(key, None, frozenset({"excluded"}), "excluded")
    assert not set(excluded) & set(competition_ranks(policy, cands))


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        # everyone between 80.5 and 85: quota would allow one 优秀 but nobody reaches 90
        ([850 - 5 * i for i in range(10)], [0, 3, 7, 0, 0]),
        # nobody reaches 80 either → all 合格
        ([790 - 5 * i for i in range(10)], [0, 0, 10, 0, 0]),
        # thresholds and quotas together: 92, 91 (only one 优秀 allowed), 85, 79, 55, 49.5 …
        ([920, 910, 850, 790, 550, 495, 600, 500, 400, 810], [1, 3, 2, 2, 2]),
    ],
)
def test_five_level_score_thresholds(totals: list[int], expected: list[int]) -> None:
    policy = load_preset("five_level")
    assert list(counts(policy, grade_group(policy, people(*totals))).values()) == expected


def test_thresholds_in_points_become_tenths() -> None:
    policy = load_preset("five_level")
    outcomes = grade_group(policy, people(600, 599, 500, 499))
    assert grades(outcomes) == {1: "合格", 2: "一般", 3: "一般", 4: "差"}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([(1000, 0, 500), (900, 0, 500), (900, 0, 500), (800, 0, 500)], {1: 1, 2: 2, 3: 2, 4: 4}),
        # same totals but the tie-break separates them
        ([(1000, 0, 500), (900, 10, 500), (900, 0, 500), (800, 0, 500)], {1: 1, 3: 2, 2: 3, 4: 4}),
        ([(900, 0, 500), (900, 0, 500), (900, 0, 500)], {1: 1, 2: 1, 3: 1}),
        ([], {}),
    ],
)
def test_competition_ranks(rows: list[tuple[int, int, int]], expected: dict[int, int]) -> None:
    cands = [Candidate(i, total=t, deductions=d, base=b) for i, (t, d, b) in enumerate(rows, 1)]
    head = Candidate(99, total=2000, base=500, deductions=0, excluded="一把手不参与排名")
    assert competition_ranks(load_preset("abcd"), [*cands, head]) == expected


def test_empty_group_and_all_excluded() -> None:
    policy = load_preset("four_level")
    assert grade_group(policy, []) == {}
    head = Candidate(1, total=900, base=500, deductions=0, excluded="一把手不参与排名")
    assert grade_group(policy, [head]) == {1: Outcome(1, None, frozenset({"excluded"}), "excluded")}


def test_duplicate_keys_rejected() -> None:
    with pytest.raises(ValueError):
        grade_group(load_preset("abcd"), people(900) + people(800))


def _abcd(**changes: object) -> dict[str, object]:
    data = json.loads(load_preset("abcd").to_json())
    data.update(changes)
    return data


def _levels(**changes_by_index: dict[str, object]) -> list[dict[str, object]]:
    levels = json.loads(load_preset("abcd").to_json())["levels"]
    for index, changes in changes_by_index.items():
        levels[int(index[1:])].update(changes)
    return levels


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_abcd(levels=_levels(i0={"min_share": "0.1"})), "levels[0].min_share"),
        (_abcd(levels=_levels(i1={"max_share": "1.5"})), "levels[1].max_share"),
        (_abcd(levels=_levels(i1={"max_share": "-0.1"})), "levels[1].max_share"),
        (_abcd(levels=_levels(i0={"max_share": "abc"})), "levels[0].max_share"),
        (_abcd(levels=_levels(i2={"min_score": "60.05"})), "levels[2].min_score"),
        (_abcd(levels=_levels(i0={"rounding": "banker"})), "levels[0].rounding"),
        (_abcd(levels=_levels(i1={"code": "A"})), "levels[1].code"),
        (_abcd(levels=_levels(i3={"colour": "red"})), "levels[3].colour"),
        (_abcd(levels=_levels(i3={"max_share": "0.5"})), "levels[3]"),
        (_abcd(levels=_levels()[:1]), "levels"),
        (_abcd(veto_grade="E"), "veto_grade"),
        (_abcd(quota="0.2"), "quota"),
        (_abcd(tie_break=["by_lot"]), "tie_break"),
        (_abcd(min_active_share="2"), "min_active_share"),
        (_abcd(exclude_heads="yes"), "exclude_heads"),
        (_abcd(code=""), "code"),
        ("{not json", "JSON"),
    ],
)
def test_policy_errors(data: dict[str, object] | str, field: str) -> None:
    with pytest.raises(PolicyError) as info:
        Policy.from_json(data)
    message = str(info.value)
    assert field in message
    assert CJK.search(message), message


def test_policy_error_is_value_error() -> None:
    assert issubclass(PolicyError, ValueError)


@pytest.mark.parametrize("code", ["abcd", "five_level", "four_level"])
def test_presets_load_and_round_trip(code: str) -> None:
    policy = load_preset(code)
    assert policy.code == code
    assert policy.veto_grade == policy.worst.code
    assert policy.exclude_heads and policy.min_active_share == Decimal("0.5")
    assert policy.tie_break == ("fewer_deductions", "higher_base")
    assert CJK.search(policy.description)
    assert Policy.from_json(policy.to_json()) == policy
    assert Policy.from_json(json.loads(policy.to_json())) == policy


def test_preset_details() -> None:
    assert set(preset_codes()) >= {"abcd", "five_level", "four_level"}
    abcd = load_preset("abcd")
    assert [lv.label for lv in abcd.levels] == ["A类", "B类", "C类", "D类"]
    assert abcd.level("C").min_score == 600
    five = load_preset("five_level")
    assert five.codes() == ["优秀", "良好", "合格", "一般", "差"]
    assert [lv.min_score for lv in five.levels] == [900, 800, 600, 500, None]
    four = load_preset("four_level")
    assert four.worst.min_share == Decimal("0.10")
    assert four.level("一级").label == "一级民警"
    with pytest.raises(KeyError):
        four.level("五级")
    with pytest.raises(PolicyError):
        load_preset("no_such_policy")


def test_to_json_writes_strings() -> None:
    policy = Policy(
        code="x",
        name="x",
        veto_grade="低",
        levels=(GradeLevel("高", "高", max_share=Decimal("0.20"), min_score=595), GradeLevel("低", "低")),
    )
    data = json.loads(policy.to_json())
    assert data["levels"][0] == {"code": "高", "label": "高", "max_share": "0.20", "min_score": "59.5"}
    assert Policy.from_json(data) == policy


@settings(max_examples=300, deadline=None)
@given(
    code=st.sampled_from(["abcd", "five_level", "four_level"]),
    rows=st.lists(
        st.tuples(st.integers(300, 1000), st.integers(0, 3), st.integers(0, 2), st.booleans(), st.booleans()),
        max_size=40,
    ),
)
def test_invariants(code: str, rows: list[tuple[int, int, int, bool, bool]]) -> None:
    """Caps and the minimum hold, and a better sort key never gets a worse grade."""
    policy = load_preset(code)
    cands = [
        Candidate(
            i,
            total=t,
            deductions=d * 10,
            base=b * 100,
            vetoed=v and i % 3 == 0,
            excluded="一把手" if x and i % 4 == 0 else "",
        )
        for i, (t, d, b, v, x) in enumerate(rows, 1)
    ]
    outcomes = grade_group(policy, cands)
    assert set(outcomes) == {c.key for c in cands}
    n = sum(1 for c in cands if not c.excluded)
    got = counts(policy, outcomes)
    for lv_code, (low, high) in quota_counts(policy, n).items():
        assert high is None or got[lv_code] <= high
        assert low is None or got[lv_code] >= min(low, n)
    rank = policy.codes().index
    free = sorted((c for c in cands if not c.excluded and not c.vetoed), key=lambda c: sort_key(policy, c))
    for better, worse in pairwise(free):
        assert rank(outcomes[better.key].grade) <= rank(outcomes[worse.key].grade)
        if sort_key(policy, better) == sort_key(policy, worse):  # full tie: same grade, same flags
            assert outcomes[better.key].grade == outcomes[worse.key].grade
            assert outcomes[better.key].flags == outcomes[worse.key].flags
    for c in free:
        level = policy.level(outcomes[c.key].grade or "")
        assert level.min_score is None or c.total >= level.min_score


def test_lower_level_threshold_also_binds_better_levels() -> None:
    """Under abcd, C needs 60 points, so a department's top scorer at 50 is not A but D."""
    policy = load_preset("abcd")
    people = [Candidate(key=i, total=t, base=t, deductions=0) for i, t in enumerate((500, 450, 400), start=1)]
    outcome = grade_group(policy, people)
    assert {k: o.grade for k, o in outcome.items()} == {1: "D", 2: "D", 3: "D"}
