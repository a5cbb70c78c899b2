"""The 政绩档案's six aspects: the category mapping (default, station override, validation) and
what the yearly file files under each aspect, with the month's level, remark and the ranks."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.services import file_aspects, periods, scoring, station_settings
from desktop.services.documents_file import performance_file_data
from desktop.services.errors import PermissionDenied, ValidationError
from tests.services import file_world
from tests.services.builders import World


@pytest.fixture
def fw(db) -> file_world.FileWorld:
    return file_world.build(db)


def file_of(fw: file_world.FileWorld):
    with fw.w.db.session() as s:
        return performance_file_data(s, 2026, fw.badge, today=file_world.TODAY)


def block(month, aspect: str):
    return next(b for b in month.aspects if b.aspect == aspect)


def whats(month, aspect: str) -> list[str]:
    return [i.what for i in block(month, aspect).items]


# -- the mapping ---------------------------------------------------------------------------------
def test_every_bundled_category_has_a_default_aspect(w: World) -> None:
    with w.tx() as s:
        amap = file_aspects.aspect_map(s)
        categories = file_aspects.known_categories(s)
        rows = file_aspects.listing(s)
    assert set(categories) <= set(file_aspects.DEFAULTS)
    assert set(file_aspects.DEFAULTS.values()) <= set(file_aspects.ASPECTS)
    assert amap.of("值班备勤") == "考勤考核" and amap.of("党风廉政") == "政治表现"
    assert amap.of("执法办案") == amap.of("接警处警") == amap.of("日常工作管理") == "工作成绩"
    assert amap.of("警容风纪") == "遵纪守法" and amap.of("内务秩序管理") == "生活作风"
    assert amap.of("上级考评") == "奖励惩处"
    assert amap.of("上级考评", "SJ-06") == "奖励惩处"  # 荣立三等功: a reward
    assert amap.of("上级考评", "SJ-03") == "工作成绩"  # 工作信息被上级采用: the work itself
    assert amap.of("某个新类别") == file_aspects.FALLBACK == "工作成绩"
    assert [r.aspect for r in rows] == sorted((r.aspect for r in rows), key=file_aspects.ASPECTS.index)
    assert {r.source for r in rows} == {"default"}
    assert "SJ-03" in next(r for r in rows if r.category == "上级考评").note


def test_a_station_files_a_category_elsewhere_and_back(w: World) -> None:
    with w.tx() as s:
        row = file_aspects.set_aspect(s, w.admin, " 服务态度 ", "工作成绩")
        assert (row.category, row.aspect, row.source) == ("服务态度", "工作成绩", "station")
        assert file_aspects.aspect_map(s).of("服务态度") == "工作成绩"
        assert station_settings.file_aspects(s) == {"服务态度": "工作成绩"}
        file_aspects.set_aspect(s, w.admin, "上级考评", "工作成绩")
        amap = file_aspects.aspect_map(s)
        assert amap.of("上级考评", "SJ-06") == "工作成绩" and amap.exceptions("上级考评") == {}
        file_aspects.set_aspect(s, w.admin, "服务态度", "默认")
        file_aspects.set_aspect(s, w.admin, "上级考评", "奖励惩处")  # the default itself: no choice kept
        assert station_settings.file_aspects(s) == {}
        assert file_aspects.aspect_map(s).of("服务态度") == "生活作风"


def test_bad_mappings_are_refused_in_chinese(w: World) -> None:
    with w.tx() as s:
        with pytest.raises(ValidationError, match="“作风”不是政绩档案的方面，应为 政治表现、遵纪守法"):
            file_aspects.set_aspect(s, w.admin, "服务态度", "作风")
        with pytest.raises(ValidationError, match="类别“后勤保障”不在考核细则中，现有类别：值班备勤"):
            file_aspects.set_aspect(s, w.admin, "后勤保障", "工作成绩")
        with pytest.raises(ValidationError, match="类别不能为空"):
            file_aspects.set_aspect(s, w.admin, "  ", "工作成绩")
        with pytest.raises(ValidationError, match="请写出政绩档案的方面"):
            file_aspects.set_aspect(s, w.admin, "服务态度", " ")
        with pytest.raises(ValidationError, match="不在考核细则中"):
            file_aspects.set_overrides(s, w.admin, {"服务态度": "工作成绩", "没有": "政治表现"})
        with pytest.raises(PermissionDenied, match="修改单位设置"):
            file_aspects.set_aspect(s, w.clerk, "服务态度", "工作成绩")
        assert station_settings.file_aspects(s) == {}
        # A damaged or hand-edited setting never breaks the file: it reads as the defaults.
        station_settings.put(s, w.admin, "file_aspects", "{not json")
        assert file_aspects.aspect_map(s).of("服务态度") == "生活作风"
        station_settings.put(s, w.admin, "file_aspects", '{"服务态度": "不存在的方面", "值班备勤": "工作成绩"}')
        assert file_aspects.aspect_map(s).overrides == {"值班备勤": "工作成绩"}


# -- the file ------------------------------------------------------------------------------------
def test_entries_land_in_their_aspects(fw: file_world.FileWorld) -> None:
    data = file_of(fw)
    assert data.aspect_names == list(file_aspects.ASPECTS)
    march = data.aspect_months[2]
    assert [b.aspect for b in march.aspects] == list(file_aspects.ASPECTS)
    assert whats(march, "政治表现") == ["参加党组织生活（“三会一课”、主题党日）"]
    assert whats(march, "考勤考核") == ["按时到岗"] * 5 and block(march, "考勤考核").plus == 50
    assert whats(march, "工作成绩") == ["办理刑事案件（主办）", "工作信息被上级采用"]
    case = block(march, "工作成绩").items[0]
    assert (case.when, case.points, case.note, case.evidence) == ("11日", 30, "办理盗窃案", ("证明材料.pdf",))
    assert whats(march, "生活作风") == ["被群众有效投诉（经核实）", "内务检查被评为优秀"]
    assert block(march, "生活作风").minus == 30 and block(march, "生活作风").plus == 10
    # The wrong entry and its reversal cancel out: no live fact, in no aspect.
    assert whats(march, "遵纪守法") == ["警容风纪检查被评为优秀"]
    assert not any("着装不规范" in i.what for m in data.aspect_months for b in m.aspects for i in b.items)
    assert "受到市局通报表扬" in whats(march, "奖励惩处")
    assert whats(data.aspect_months[3], "考勤考核") == ["按时到岗"] * 3
    assert not any(b.items for b in data.aspect_months[0].aspects)


def test_a_station_mapping_moves_entries(fw: file_world.FileWorld) -> None:
    with fw.w.tx() as s:
        file_aspects.set_aspect(s, fw.w.admin, "服务态度", "工作成绩")
    march = file_of(fw).aspect_months[2]
    assert "被群众有效投诉（经核实）" in whats(march, "工作成绩")
    assert whats(march, "生活作风") == ["内务检查被评为优秀"]


def test_awards_complaints_probation_and_late_findings_are_rewards(fw: file_world.FileWorld) -> None:
    data = file_of(fw)
    kinds = {r.kind: r for r in data.rewards}
    assert set(kinds) == {"award", "complaint", "probation", "late"}
    assert kinds["award"].what == file_world.YEAR_TITLE and kinds["award"].note == "全年办案数第一"
    complaint = kinds["complaint"]
    assert complaint.when == "3月17日" and file_world.FINDING in complaint.note
    assert "关联扣分：3月18日 被群众有效投诉（经核实） -3.0 分" in complaint.note and complaint.points is None
    assert kinds["probation"].what == "试岗：不遵守纪律规定" and kinds["probation"].when == "5月1日至7月31日"
    assert kinds["late"].what == "锁定后查实：迟到、早退" and kinds["late"].points == -20
    march = data.aspect_months[2]
    assert [i.kind for i in block(march, "奖励惩处").items] == ["late", "complaint", "entry"]  # by day
    # Probation shows in every month it covers; the yearly title only in the year's table.
    covered = [m.number for m in data.aspect_months if any(i.kind == "probation" for i in block(m, "奖励惩处").items)]
    assert covered == [5, 6, 7]
    assert not any(i.kind == "award" for m in data.aspect_months for i in block(m, "奖励惩处").items)
    assert any(e.what == file_world.YEAR_TITLE for e in data.awards)  # the summary's 奖励情况 as before


def test_month_level_remark_and_reviewer(fw: file_world.FileWorld) -> None:
    data = file_of(fw)
    march, april, may = data.aspect_months[2], data.aspect_months[3], data.aspect_months[4]
    assert (march.level, march.rated, march.remark, march.reviewer) == ("优秀", True, file_world.REMARK, "chief")
    assert march.suggested and march.suggested != "优秀"  # the reviewer went above the points' suggestion
    assert data.months[2].grade == "优秀" and march.state == "已锁定"
    assert april.remark == file_world.APRIL_REMARK and not april.rated and april.level == data.months[3].grade
    assert (may.level, may.remark, may.state) == ("", "", "无记录")


def test_half_year_ranks_and_the_year_review(fw: file_world.FileWorld) -> None:
    data = file_of(fw)
    first, second = data.halves
    with fw.w.db.session() as s:
        h1 = periods.transient(periods.parse_period("2026-H1"))
        row = next(r for r in scoring.calculate(s, h1) if r.person_id == fw.subject_id)
        year = periods.find_period(s, "2026")  # the yearly title opened it
        year_row = next(r for r in scoring.results(s, year) if r.person_id == fw.subject_id)
    assert (first.label, first.code, first.has_data) == ("上半年", "2026-H1", True)
    assert (first.total, first.rank, first.of) == (row.total, row.rank_department, 5)
    assert first.grade and first.note == ""
    assert (second.label, second.has_data, second.state) == ("下半年", False, "无记录")  # nothing since July
    review = data.year_review
    assert review is not None and (review.label, review.total, review.rank) == ("全年", year_row.total, 1)
    assert "期末未到" in review.note
    later = performance_file_data_on(fw, dt.date(2027, 1, 10))
    assert later.year_review is not None and "期末未到" not in later.year_review.note


def performance_file_data_on(fw: file_world.FileWorld, today: dt.date):
    with fw.w.db.session() as s:
        return performance_file_data(s, 2026, fw.badge, today=today)


def test_a_future_half_is_not_yet_due(fw: file_world.FileWorld) -> None:
    data = performance_file_data_on(fw, dt.date(2026, 4, 20))
    assert data.halves[1].state == "未到" and not data.halves[1].has_data
