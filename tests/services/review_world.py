"""A station of two departments with heads, a leader in charge and officers' accounts (#15).

治安中队: head 中队长 H (韩队长), members A (安民警), B (白民警) and L (李副所长, a leader who
sits in it); 巡逻中队: head G (高队长), member C. L leads both departments. Accounts uA, uH,
uG, uL, uC (officer role), all with the builders' password. The chain: 部门负责人审核 (each
department's head), then 所长签字 (any chief).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop.models.enums import Role
from desktop.services import reviewers, roster, units
from desktop.services.actor import Actor
from desktop.services.roster import ChainStep
from tests import factories
from tests.services.builders import SYSTEM, World, add_user, world


@dataclass
class Station:
    w: World
    people: dict[str, int]
    actors: dict[str, Actor]


def review_station(db) -> Station:
    w = world(db)
    with w.tx() as s:
        other = factories.department(s, "巡逻中队")
        made = {
            "H": factories.person(s, w.dept, "H01", "韩队长"), "A": factories.person(s, w.dept, "A01", "安民警"),
            "B": factories.person(s, w.dept, "B01", "白民警"), "G": factories.person(s, other, "G01", "高队长"),
            "C": factories.person(s, other, "C01", "陈民警"), "L": factories.person(s, w.dept, "L01", "李副所长"),
        }
        made["L"].position = "副所长"
        for key, dept in (("H", w.dept), ("G", other)):
            unit = units.for_department(s, SYSTEM, dept)
            units.add_member(s, SYSTEM, unit.code, made[key].badge, start=dt.date(2026, 1, 1), role="head")
        for dept in ("治安中队", "巡逻中队"):
            reviewers.set_leader_in_charge(s, SYSTEM, dept, "L01")
        actors = {k: add_user(s, f"u{k}", Role.OFFICER, made[k].id) for k in ("A", "H", "G", "L", "C")}
        roster.set_signoff_chain(s, SYSTEM, [ChainStep("部门负责人审核", signer="head"),
                                             ChainStep("所长签字", Role.CHIEF)])
        ids = {k: p.id for k, p in made.items()}
    return Station(w, ids, actors)
