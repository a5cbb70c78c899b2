"""Catalogue versions by effective date: old months keep their points; bad versions are refused."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy.orm import Session

from desktop.models.catalogue import CatalogueVersion
from desktop.models.enums import Component, PointsMode
from desktop.services import catalogue, scoring
from desktop.services.catalogue import ItemSpec
from desktop.services.errors import NotFound, PermissionDenied, ValidationError
from tests.services.builders import World, count, period, person, rec, row_of

APRIL = dt.date(2026, 4, 1)


def revised(session: Session, changes: dict[str, dict[str, object]]) -> list[ItemSpec]:
    """The catalogue in force in March with some items changed."""
    specs = [ItemSpec.of(item) for item in catalogue.items_in_force(session, dt.date(2026, 3, 1))]
    return [dataclasses.replace(spec, **changes.get(spec.code, {})) for spec in specs]


def test_new_version_changes_later_months_only(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        rec(s, w.clerk, p, "ZB-01", dt.date(2026, 3, 31), times=3)  # 1.0 each in March
        march_before = scoring.calculate(s, period(s, "2026-03"))
    with w.tx() as s:
        catalogue.create_version(s, w.clerk, APRIL, "2026年4月修订",
                                 revised(s, {"ZB-01": {"points_tenths": 20, "name": "按时到岗（修订）"}}))
    with w.tx() as s:
        (late_march,) = rec(s, w.clerk, p, "ZB-01", dt.date(2026, 3, 30))  # still the March version
        (april,) = rec(s, w.clerk, p, "ZB-01", APRIL)
        assert (late_march.points_tenths, late_march.item_name) == (10, "按时到岗")
        assert (april.points_tenths, april.item_name) == (20, "按时到岗（修订）")
        assert late_march.item_id != april.item_id
        march = row_of(scoring.calculate(s, period(s, "2026-03")), p)
        assert row_of(march_before, p).base == 30
        assert march.base == 40  # the three old entries plus the late one, all at 1.0
        assert row_of(scoring.calculate(s, period(s, "2026-04")), p).base == 20
        assert row_of(scoring.calculate(s, period(s, "2026-Q2")), p).base == 20
        assert row_of(scoring.calculate(s, period(s, "2026")), p).base == 60


def test_old_entries_keep_their_snapshot_when_the_cap_changes(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        rec(s, w.clerk, p, "ZB-07", dt.date(2026, 3, 3), times=7)  # 14.0, March cap 10.0
        catalogue.create_version(s, w.clerk, APRIL, "放宽上限", revised(s, {"ZB-07": {"monthly_cap_tenths": 200}}))
        rec(s, w.clerk, p, "ZB-07", dt.date(2026, 4, 3), times=7)  # 14.0, April cap 20.0
        assert row_of(scoring.calculate(s, period(s, "2026-03")), p).dept_bonus == 100
        assert row_of(scoring.calculate(s, period(s, "2026-04")), p).dept_bonus == 140


def test_a_version_starting_mid_month_does_not_grant_a_second_monthly_cap(w: World) -> None:
    with w.tx() as s:
        p = person(s, w.dept, "001")
        early = rec(s, w.clerk, p, "ZB-07", dt.date(2026, 3, 3), times=6)  # 12.0, cap 10.0
        catalogue.create_version(s, w.clerk, dt.date(2026, 3, 15), "月中修订", revised(s, {}))
        late = rec(s, w.clerk, p, "ZB-07", dt.date(2026, 3, 20), times=6)  # another 12.0 under the new version
        assert early[0].item_id != late[0].item_id
        assert row_of(scoring.calculate(s, period(s, "2026-03")), p).dept_bonus == 100  # one cap a month
        assert row_of(scoring.calculate(s, period(s, "2026-Q1")), p).dept_bonus == 100


def test_version_in_force_is_chosen_by_date(w: World) -> None:
    with w.tx() as s:
        first = catalogue.version_in_force(s, dt.date(2026, 3, 31))
        second = catalogue.create_version(s, w.clerk, APRIL, "第二版", revised(s, {}))
        assert catalogue.version_in_force(s, dt.date(2026, 3, 31)).id == first.id
        assert catalogue.version_in_force(s, APRIL).id == second.id
        assert catalogue.version_in_force(s, dt.date(2027, 1, 1)).id == second.id
        assert [v.id for v in catalogue.list_versions(s)] == [first.id, second.id]
        with pytest.raises(NotFound, match="2025年12月31日 没有生效的考核细则"):
            catalogue.version_in_force(s, dt.date(2025, 12, 31))


def _spec(code: str = "T-01", **kw: object) -> ItemSpec:
    values: dict[str, object] = {"code": code, "category": "测试", "name": f"测试项目{code}",
                                 "component": Component.BASE, "points_tenths": 10}
    values.update(kw)
    return ItemSpec(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("specs", "message"), [
    ([_spec("T-01"), _spec("T-02"), _spec("T-01")], "考核项目编号重复：T-01"),
    ([_spec(points_mode=PointsMode.RANGE, min_tenths=50, max_tenths=10)], "下限不大于上限"),
    ([_spec(points_mode=PointsMode.RANGE, min_tenths=10)], "区间赋分需要下限和上限"),
    ([_spec(points_tenths=-10)], "分值填正数"),
    ([_spec(monthly_cap_tenths=0)], "月上限必须大于 0"),
    ([_spec(name="  ")], "编号、名称和类别都不能为空"),
])
def test_bad_versions_are_refused_and_nothing_is_saved(w: World, specs: list[ItemSpec], message: str) -> None:
    with w.tx() as s:
        before = count(s, CatalogueVersion)
        with pytest.raises(ValidationError, match=message):
            catalogue.create_version(s, w.clerk, APRIL, "有错的版本", specs)
        assert count(s, CatalogueVersion) == before


def test_two_versions_on_one_date_are_refused(w: World) -> None:
    with w.tx() as s:
        catalogue.create_version(s, w.clerk, APRIL, "第二版", [_spec()])
        with pytest.raises(ValidationError, match="2026年4月1日 生效的考核细则版本已存在"):
            catalogue.create_version(s, w.clerk, APRIL, "第三版", [_spec()])


@pytest.mark.parametrize("who", ["officer", "chief"])
def test_only_clerk_and_admin_edit_the_catalogue(w: World, who: str) -> None:
    with w.tx() as s, pytest.raises(PermissionDenied, match="无权维护考核细则"):
        catalogue.create_version(s, getattr(w, who), APRIL, "越权版本", [_spec()])


def test_item_spec_from_json_parses_points_as_tenths() -> None:
    spec = ItemSpec.from_json({"code": "X-1", "category": "测试", "name": "区间", "component": "dept_bonus",
                               "points_mode": "range", "points": "2", "min": "0.5", "max": "5",
                               "monthly_cap": "12.5"})
    assert (spec.points_tenths, spec.min_tenths, spec.max_tenths, spec.monthly_cap_tenths) == (20, 5, 50, 125)
    with pytest.raises(ValidationError, match="最多保留一位小数"):
        ItemSpec.from_json({"code": "X-2", "category": "测试", "name": "坏", "component": "base", "points": "0.25"})
    with pytest.raises(ValidationError, match="X-3"):
        ItemSpec.from_json({"code": "X-3", "category": "测试", "name": "坏", "component": "nonsense"})
