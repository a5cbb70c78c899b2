"""A station whose officer 王建国 (001) has a 政绩档案 with something in every aspect, for the
six-aspect tests of the file's data, its PDF and the desktop screen.

March (locked, reviewer-rated 五级): entries of every bundled category, one reversed, evidence
files, a verified complaint linked to its deduction, a late finding, the reviewer's level and
remark; April: a remark; May–July: probation; the year: the title 执法办案标兵.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desktop.models.db import Database
from desktop.models.people import Person
from desktop.services import accountability, awards, complaints, ledger, probation, ratings, scoring
from tests.services.builders import World, locked, period, person, rec, world

TODAY = dt.date(2026, 8, 15)  # H1 over, H2 under way
REMARK = "工作积极，服务群众热情"
APRIL_REMARK = "出勤正常，办案质量有提高"
FINDING = "经核实，该同志接待群众时态度生硬属实"
YEAR_TITLE = "执法办案标兵"


@dataclass
class FileWorld:
    w: World
    subject_id: int
    badge: str
    reversed_id: int
    complaint_entry_id: int


def day(month: int, d: int) -> dt.date:
    return dt.date(2026, month, d)


def build(db: Database) -> FileWorld:
    w = world(db, starting_score=800, policy="five_level_rated")
    with w.tx() as s:
        subject = person(s, w.dept, "001", name="王建国")
        others = [person(s, w.dept, f"00{i}", name=f"同事{i}") for i in range(2, 6)]
        for d in range(2, 7):
            rec(s, w.clerk, subject, "ZB-01", day(3, d))
        for i, other in enumerate(others):
            rec(s, w.clerk, other, "ZB-01", day(3, 2), qty=i + 1)
        rec(s, w.clerk, subject, "DL-01", day(3, 9), note="主题党日")
        rec(s, w.clerk, subject, "BA-01", day(3, 11), note="办理盗窃案", with_evidence=True)
        [wrong] = rec(s, w.clerk, subject, "JR-02", day(3, 12), note="未佩戴警号")
        ledger.reverse(s, w.clerk, wrong.id, "经核实当日佩戴，录入错误")
        [complained] = rec(s, w.clerk, subject, "FW-05", day(3, 18), points=30, note="群众投诉态度生硬",
                           with_evidence=True)
        rec(s, w.clerk, subject, "SJ-01", day(3, 19), note="市局通报表扬", with_evidence=True)
        rec(s, w.clerk, subject, "SJ-03", day(3, 20), points=20, note="信息被市局采用", with_evidence=True)
        rec(s, w.clerk, subject, "NW-02", day(3, 23))
        rec(s, w.clerk, subject, "JR-01", day(3, 24))
        march = period(s, "2026-03")
        for row in scoring.calculate(s, march):
            level = row.engine_grade or "合格"
            if row.person_id == subject.id:
                ratings.rate(s, w.chief, march, row.person_id, "优秀", reason="主动承担专项任务", remark=REMARK)
            else:
                ratings.rate(s, w.chief, march, row.person_id, level)
        complaint = complaints.register(s, w.clerk, received_on=day(3, 17), source="hotline",
                                        content="民警接待群众态度生硬", badge="001")
        complaints.verify(s, w.clerk, complaint.id, "属实", FINDING, follow_up="批评教育",
                          entry_id=complained.id)
        subject_id, wrong_id, complained_id = subject.id, wrong.id, complained.id
    with w.tx() as s:
        locked(s, w, "2026-03")
    with w.tx() as s:
        accountability.record(s, w.clerk, "001", "ZB-08", day(3, 10), "督察通报：3月10日迟到")
        for d in (1, 2, 3):
            rec(s, w.clerk, s.get(Person, subject_id), "ZB-01", day(4, d))
        ratings.rate(s, w.chief, period(s, "2026-04"), subject_id, "", remark=APRIL_REMARK)
        probation.add(s, w.chief, "001", day(5, 1), day(7, 31), "discipline", "工作日饮酒")
        awards.give(s, w.chief, period(s, "2026"), subject_id, YEAR_TITLE, note="全年办案数第一")
    return FileWorld(w, subject_id, "001", wrong_id, complained_id)

