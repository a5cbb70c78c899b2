"""Editing the station, departments and accounts: validated, audited, role-checked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop.models.audit import AuditEvent
from desktop.models.enums import DepartmentKind, Role
from desktop.services import accounts, roster
from desktop.services.errors import PermissionDenied, ValidationError
from tests.factories import SYSTEM, department, login, person, station


def test_station_update_keeps_code_and_is_audited(db):
    with db.transaction() as s:
        station(s)
        admin = login(s, "admin")
        roster.update_station(s, admin, name="新名派出所", county_bureau="某县局", starting_score_tenths=1000)
        st = roster.get_station(s)
        assert (st.code, st.name, st.starting_score_tenths) == ("150302", "新名派出所", 1000)
        assert s.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "station.update"
        with pytest.raises(ValidationError, match="单位名称不能为空"):
            roster.update_station(s, admin, name=" ", county_bureau="", starting_score_tenths=None)
        with pytest.raises(PermissionDenied):
            roster.update_station(s, login(s, "clerk"), name="x", county_bureau="", starting_score_tenths=None)


def test_department_update_rules(db):
    with db.transaction() as s:
        station(s)
        one, two = department(s, "一中队"), department(s, "二中队")
        person(s, one, "001")
        with pytest.raises(ValidationError, match="已存在"):
            roster.update_department(s, SYSTEM, two.id, name="一中队", kind=DepartmentKind.OFFICE, post_class=None)
        with pytest.raises(ValidationError, match="需要指定类别"):
            roster.update_department(s, SYSTEM, two.id, name="二中队", kind=DepartmentKind.POST, post_class=None)
        with pytest.raises(ValidationError, match="还有在岗人员"):
            roster.update_department(s, SYSTEM, one.id, name="一中队", kind=DepartmentKind.OFFICE, post_class=None,
                                     active=False)
        roster.update_department(s, SYSTEM, two.id, name="河西警务室", kind=DepartmentKind.POST, post_class=2)
        assert (two.name, two.kind, two.post_class, two.ranking_group) == ("河西警务室", "post", 2, "post:2")


def test_user_update_guards_the_last_admin_and_self(db):
    with db.transaction() as s:
        station(s)
        admin = login(s, "admin")
        accounts.update_user(s, admin, "clerk", display_name="内勤小李", role=Role.CLERK, active=False)
        with pytest.raises(ValidationError, match="不能更改自己的角色"):
            accounts.update_user(s, admin, "admin", display_name="a", role=Role.CLERK, active=True)
        with pytest.raises(ValidationError, match="最后一个管理员"):
            accounts.update_user(s, SYSTEM, "admin", display_name="a", role=Role.CHIEF, active=True)
        with pytest.raises(PermissionDenied):
            accounts.update_user(s, login(s, "chief"), "officer", display_name="x", role=Role.CHIEF, active=True)
    with db.transaction() as s, pytest.raises(Exception, match="用户名或密码错误"):
        accounts.login(s, "clerk", "secret123")  # a disabled account cannot log in
