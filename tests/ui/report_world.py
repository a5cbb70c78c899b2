"""A small station for the 自报 and 审核 screens: two departments, each with its head (中队长),
and officer accounts linked to their people (password tests.factories.PASSWORD).

    治安中队  王五 (中队长, account wangwu)  reviews  张三 (zhangsan), 李四 (lisi)
    刑侦中队  赵六 (中队长, account zhaoliu) reviews  孙七 (sunqi)

Reports are made for today: the services refuse days still to come and route by today's reviewer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from desktop.models.db import Database
from desktop.models.enums import Identity, Role
from desktop.services import accounts, periods, roster, scoring
from desktop.services.actor import Actor
from desktop.services.periods import month_of
from tests.factories import PASSWORD, SYSTEM, department
from tests.services.builders import world

TODAY = dt.date.today()
MONTH = month_of(TODAY).code


@dataclass
class ReportWorld:
    db: Database
    people: dict[str, int] = field(default_factory=dict)  # name -> person id

    def actor(self, username: str) -> Actor:
        with self.db.transaction() as session:
            return accounts.login(session, username, PASSWORD)

    def ctx(self, username: str):  # -> AppContext (imported late: Qt)
        from desktop.ui.context import AppContext

        ctx = AppContext(self.db, self.actor(username))
        ctx.set_period(MONTH)
        return ctx

    def total(self, name: str) -> int:
        """The person's points this month, worked out afresh (tenths)."""
        with self.db.session() as session:
            period = periods.find_period(session, MONTH) or periods.transient(month_of(TODAY))
            return next(r.total for r in scoring.calculate(session, period) if r.person_id == self.people[name])


def report_world(db: Database, *, policy: str = "abcd") -> ReportWorld:
    w = world(db, policy=policy)
    out = ReportWorld(db)
    with db.transaction() as session:
        xingzhen = department(session, "刑侦中队")
        for dept, badge, name, position, username in (
                (w.dept, "150010", "王五", "中队长", "wangwu"), (w.dept, "150011", "张三", "民警", "zhangsan"),
                (w.dept, "150012", "李四", "民警", "lisi"), (xingzhen, "150020", "赵六", "中队长", "zhaoliu"),
                (xingzhen, "150021", "孙七", "民警", "sunqi")):
            person = roster.add_person(session, SYSTEM, roster.PersonInput(
                badge=badge, name=name, identity=Identity.POLICE, department_id=dept.id, position=position))
            accounts.create_user(session, SYSTEM, username, name, Role.OFFICER, PASSWORD, person_id=person.id)
            out.people[name] = person.id
    return out
