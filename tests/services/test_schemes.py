"""Schemes (积分制) as configuration: the bundled presets hold and round-trip, and every rule
refuses a bad definition with a Chinese message that names the field."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from desktop.models.enums import COMPONENT_LABELS, Component
from desktop.paths import resource
from desktop.services import catalogue, scheme_rules, schemes
from desktop.services.errors import JifenError
from desktop.services.schemes import PERSON, Scheme, SchemeError

HANYIN = ("dangjian", "jiceng", "zhifa", "duiwu")


def raw(code: str) -> dict[str, Any]:
    """A fresh, editable copy of a preset's JSON."""
    return json.loads(resource("schemes", f"{code}.json").read_text("utf-8"))


def catalogue_json(scheme: Scheme) -> dict[str, Any]:
    path = scheme.catalogue_path()
    assert path is not None
    return json.loads(path.read_text("utf-8"))


# --- the presets ---------------------------------------------------------------------------

def test_the_presets_are_the_person_scheme_and_hanyins_four() -> None:
    assert schemes.preset_codes() == ["person", "dangjian", "duiwu", "jiceng", "zhifa"]
    subjects = [s.subject for s in schemes.load_all_presets()]
    assert subjects == ["person", "branch", "department", "post", "person"]


@pytest.mark.parametrize("code", ["person", *HANYIN])
def test_a_preset_validates_and_round_trips(code: str) -> None:
    scheme = schemes.load_preset(code)
    scheme.validate()
    assert Scheme.from_json(scheme.to_json()) == scheme
    assert Scheme.from_json(json.loads(scheme.to_json())) == scheme  # a decoded object too
    assert Scheme.from_json(raw(code)).to_dict() == scheme.to_dict()
    assert scheme.grade_policy().levels  # the preset code or inline policy gives a usable policy


@pytest.mark.parametrize("code", ["person", *HANYIN])
def test_every_catalogue_item_loads_with_the_schemes_components(code: str) -> None:
    scheme = schemes.load_preset(code)
    name, specs = scheme.catalogue_specs()
    assert name and specs
    for spec in specs:
        spec.validate()
        assert spec.code.startswith(scheme.item_prefix)
        assert str(spec.component) in scheme.component_keys()
        assert spec.category in scheme.categories
    assert {s.category for s in specs} == set(scheme.categories)  # no category left empty


def test_the_person_scheme_is_todays_five_components() -> None:
    assert [(c.key, c.label, c.sign) for c in PERSON.components] == [
        (c.value, COMPONENT_LABELS[c], c.sign) for c in Component]
    assert all(c.monthly_cap_tenths is None and c.floor is None for c in PERSON.components)
    assert (PERSON.catalogue, PERSON.item_prefix, PERSON.policy, PERSON.rank_within) == (
        "default.json", "", "abcd", "department")
    # The person catalogue still loads with the loader every station uses today.
    assert catalogue.load_preset_specs() == PERSON.catalogue_specs()


def test_item_codes_are_unique_across_every_preset() -> None:
    codes = Counter(s.code for scheme in schemes.load_all_presets() for s in scheme.catalogue_specs()[1])
    assert [code for code, n in codes.items() if n > 1] == []


def test_dangjian_has_28_items_in_seven_aspects_and_a_three_level_review() -> None:
    s = schemes.load_preset("dangjian")
    specs = s.catalogue_specs()[1]
    assert (len(specs), len(s.categories)) == (28, 7)
    assert s.categories[0] == "落实意识形态工作" and s.categories[-1] == "党建宣传"
    assert [(c.label, c.sign) for c in s.components] == [("基础积分", 1), ("绩效积分", 1)]
    assert s.periods == ("month", "quarter", "year")  # 月统计、季通报、年总评
    assert [st.title for st in s.signoff] == ["政工室领导审核", "分管局领导审核", "局主要领导审定"]
    assert (s.subject, s.unit_entries, s.members, s.rank_within) == ("branch", True, "none", "all")


def test_jiceng_posts_compete_in_class_uncapped_and_unfloored_and_officers_take_the_posts_score() -> None:
    s = schemes.load_preset("jiceng")
    base, bonus, deduction = s.components
    assert [c.label for c in s.components] == ["基础分", "加分项", "扣分项"]
    assert (bonus.monthly_cap_tenths, deduction.floor, deduction.sign) == (None, None, -1)
    assert (s.rank_within, s.members) == ("class", "members_take_unit")
    indicators = [x for x in s.catalogue_specs()[1] if x.component == "base"]
    assert len(indicators) == 7
    assert sum(x.max_tenths or 0 for x in indicators) == base.monthly_cap_tenths == 1000  # 基础分满分 100


def test_zhifa_counts_reviewed_cases_per_sequence_and_names_a_standard_bearer_per_sequence() -> None:
    s = schemes.load_preset("zhifa")
    assert [(c.label, c.sign) for c in s.components] == [("数量分", 1), ("质效分", -1)]
    assert (s.subject, s.rank_within, len(s.sequences)) == ("person", "sequence", 4)
    assert (s.case_tracking, s.reviewer) == (True, "法制大队")
    assert [(a.title, a.per, a.period) for a in s.awards] == [("执法办案标兵", "sequence", "year")]
    assert s.unit_ranking == schemes.UnitRanking("enforcement", "sum", "sequence")
    specs = s.catalogue_specs()[1]
    assert {x.subcategory for x in specs if x.component == "quantity"} == set(s.sequences)
    faults = {x.subcategory for x in specs if x.component == "quality"}
    assert {"超期", "瑕疵", "被撤销/改判"} <= faults


def test_duiwu_has_22_indicators_in_six_categories_and_punishes_the_bottom() -> None:
    s = schemes.load_preset("duiwu")
    indicators = [x for x in s.catalogue_specs()[1] if x.component == "base"]
    assert (len(indicators), len({x.category for x in indicators})) == (22, 6)
    assert [c.sign for c in s.components] == [1, 1, -1]  # 基础积分 + 奖励积分 − 负面积分
    assert s.periods == ("month", "quarter", "year")
    assert s.leader_rule == schemes.LeaderRule(on_veto=True, on_last=True, levels=1)
    assert s.bottom_loses_eligibility > 0 and s.bottom_reports and s.awards


# --- the rules -----------------------------------------------------------------------------

def edit(code: str, change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    data = raw(code)
    change(data)
    return data


def components(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["components"]


BAD: list[tuple[str, Callable[[dict[str, Any]], object], str]] = [
    ("dangjian", lambda d: d.update(subject="team"), "考核对象“team”不对"),
    ("dangjian", lambda d: d.update(code="党建"), "代码“党建”应为小写英文字母"),
    ("dangjian", lambda d: d.update(components=[]), "积分组成不能为空"),
    ("dangjian", lambda d: components(d)[1].update(sign="*"), "^积分制“党建工作”：组成“绩效积分”的符号应为 \\+ 或 −$"),
    ("dangjian", lambda d: components(d)[1].update(key="basic"), "组成代码“basic”重复"),
    ("dangjian", lambda d: components(d)[0].update(monthly_cap="0"), "组成“基础积分”的月上限应大于 0"),
    ("dangjian", lambda d: components(d)[0].update(monthly_cap="1.25"), "组成“基础积分”的月上限.*最多保留一位小数"),
    ("dangjian", lambda d: d.update(policy="nosuch"), "等次方案“nosuch”不是预设方案"),
    ("dangjian", lambda d: d["policy"].update(veto_grade="X"), "：等次方案字段 veto_grade"),
    ("zhifa", lambda d: d.update(members="members_take_unit"), "考核对象是人员.*members_take_unit"),
    ("zhifa", lambda d: d.update(unit_entries=True), "不能记给单位"),
    ("dangjian", lambda d: d.update(members="none", unit_entries=False), "积分无从产生"),
    ("dangjian", lambda d: d.update(rank_within="class"), "排名范围为同类别（class），但党支部没有类别"),
    ("duiwu", lambda d: d.update(subject="enforcement", rank_within="class"), "但执法办案单位没有类别"),
    ("duiwu", lambda d: d.update(rank_within="sequence"), "排名范围为同序列（sequence），但所队室没有考核序列"),
    ("jiceng", lambda d: d.update(rank_within="department"), "所在部门（department）只适用于人员积分制"),
    ("dangjian", lambda d: d["signoff"].append({"title": "局长", "role": "boss"}), "签核环节“局长”的角色“boss”不对"),
    ("dangjian", lambda d: d["signoff"][0].update(role="officer"), "不能由民警签字"),
    ("dangjian", lambda d: d.update(signoff=[]), "签核流程至少需要一个环节"),
    ("duiwu", lambda d: d["leader_rule"].update(levels=0), "领导带领责任的降等级数应为 1 到 3"),
    ("zhifa", lambda d: d.update(leader_rule={"on_veto": True, "levels": 1}), "领导带领责任适用于单位"),
    ("dangjian", lambda d: d["awards"].append({"title": "标兵", "per": "sequence"}),
     "奖励“标兵”按序列评选，但党支部没有考核序列"),
    ("zhifa", lambda d: d["awards"][0].update(per="class"), "奖励“执法办案标兵”按类别评选，但人员没有类别"),
    ("zhifa", lambda d: (d["awards"][0].update(period="quarter"), d.update(periods=["month", "year"])),
     "按季度评选，但本积分制不按季度考核"),
    ("zhifa", lambda d: d.update(bottom_loses_eligibility=2), "末位取消评先评优资格.*只适用于单位积分制"),
    ("zhifa", lambda d: d.update(reviewer=""), "案件追溯的积分制须写明复核单位"),
    ("zhifa", lambda d: d.update(item_prefix=""), "项目编号前缀不能为空"),
    ("zhifa", lambda d: d.update(item_prefix="zf"), "项目编号前缀“zf”应为"),
    ("zhifa", lambda d: d.update(periods=["week"]), "考核周期应为"),
    ("zhifa", lambda d: d.update(sequences=["派出所序列", "派出所序列"]), "考核序列名称不能为空，也不能重复"),
    ("zhifa", lambda d: d["unit_ranking"].update(rank_within="class"), "单位汇总排名的排名范围“class”不适用于执法办案单位"),
    ("zhifa", lambda d: d.update(catalogue="../secrets.json"), "细则预设“../secrets.json”应为"),
    ("zhifa", lambda d: d.update(catalogue="nosuch.json"), "细则预设“nosuch.json”不存在"),
    ("zhifa", lambda d: d.update(categories=["数量分"]), "细则预设“zhifa.json”中项目 ZF-20 的类别“质效分”不在"),
    ("zhifa", lambda d: d.update(colour="red"), "未知字段“colour”"),
    ("zhifa", lambda d: d.pop("policy"), "缺少字段：等次方案"),
    ("zhifa", lambda d: d.update(case_tracking="yes"), "案件追溯（case_tracking）应为 true 或 false"),
    ("person", lambda d: components(d).pop(), "个人积分制的组成必须是"),
]


@pytest.mark.parametrize(("code", "change", "words"), BAD, ids=[w[:16] for _c, _f, w in BAD])
def test_a_bad_definition_is_refused_naming_the_field(code: str, change: Callable[[dict[str, Any]], object],
                                                      words: str) -> None:
    with pytest.raises(SchemeError, match=words) as caught:
        Scheme.from_json(edit(code, change))
    assert str(caught.value).startswith("积分制“")
    assert isinstance(caught.value, JifenError)  # the CLI and the UI show it like any user error


def test_a_scheme_built_in_code_is_checked_by_validate() -> None:
    zhifa = schemes.load_preset("zhifa")
    zero = dataclasses.replace(zhifa.components[1], sign=0)
    with pytest.raises(SchemeError, match="组成“质效分”的符号应为 \\+ 或 −"):
        dataclasses.replace(zhifa, components=(zhifa.components[0], zero)).validate()
    with pytest.raises(SchemeError, match="等次方案“ab”不是预设方案"):
        dataclasses.replace(zhifa, policy="ab").validate()


def catalogue_fault(code: str, change: Callable[[dict[str, Any]], object]) -> None:
    scheme = schemes.load_preset(code)
    data = catalogue_json(scheme)
    change(data["items"][0])
    scheme_rules.check_catalogue(scheme, data)


def test_a_catalogue_preset_must_use_the_schemes_prefix_and_components() -> None:
    with pytest.raises(SchemeError, match="项目 ZB-01 的编号应以“DJ-”开头"):
        catalogue_fault("dangjian", lambda item: item.update(code="ZB-01"))
    with pytest.raises(SchemeError, match="项目 DJ-01 的积分组成“bonus”不是本积分制的组成（basic、performance）"):
        catalogue_fault("dangjian", lambda item: item.update(component="bonus"))
    with pytest.raises(SchemeError, match="项目编号 JC-02 重复"):
        catalogue_fault("jiceng", lambda item: item.update(code="JC-02"))
    with pytest.raises(SchemeError, match="属于积分制“zhifa”"):
        zhifa = catalogue_json(schemes.load_preset("zhifa"))
        scheme_rules.check_catalogue(schemes.load_preset("duiwu"), zhifa)


def test_schemes_run_side_by_side_need_their_own_codes_and_prefixes() -> None:
    dangjian, duiwu = schemes.load_preset("dangjian"), schemes.load_preset("duiwu")
    with pytest.raises(SchemeError, match="项目编号前缀重复：DJ-"):
        scheme_rules.check_together([dangjian, dataclasses.replace(duiwu, item_prefix="DJ-")])
    with pytest.raises(SchemeError, match="积分制代码重复：dangjian"):
        scheme_rules.check_together([dangjian, dataclasses.replace(duiwu, code="dangjian")])


def test_unreadable_text_and_unknown_presets_are_refused_in_chinese() -> None:
    with pytest.raises(SchemeError, match="不是有效的 JSON：第 1 行"):
        Scheme.from_json("{code: person")
    with pytest.raises(SchemeError, match="必须是一个 JSON 对象"):
        Scheme.from_json("[1, 2]")
    with pytest.raises(SchemeError, match="没有名为“wuhai”的预设积分制"):
        schemes.load_preset("wuhai")
    with pytest.raises(KeyError, match="没有组成"):
        PERSON.component("quantity")
