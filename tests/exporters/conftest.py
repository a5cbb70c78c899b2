"""A small station with a month of entries, for the document tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.models.db import Database
from desktop.models.enums import Identity
from desktop.models.periods import Period
from desktop.services import ledger, periods, signoff
from desktop.services.ledger import EntryInput
from tests import factories
from tests.services.builders import confirm_everyone

MARCH = "2026-03"


def record(session, person_ids, code: str, day: int, quantity: int = 1, points: int | None = None,
           note: str = "") -> list:
    return ledger.record(session, factories.SYSTEM, EntryInput(
        person_ids=person_ids, item_code=code, occurred_on=dt.date(2026, 3, day), quantity=quantity,
        points_tenths=points, note=note))


def build_station(db: Database, *, extra_people: int = 0) -> None:
    """治安中队 (head + 5, plus `extra_people`), 一类警务室 of 3; March entries with a reversal."""
    with db.transaction() as s:
        factories.station(s)
        zhian = factories.department(s, "治安中队")
        post = factories.department(s, "城关警务室", post_class=1)
        head = factories.person(s, zhian, "100001", "赵所长", is_head=True)
        people = [factories.person(s, zhian, f"10010{i}", name) for i, name in
                  enumerate(["王建国", "李明", "张伟", "刘洋", "陈静"], start=1)]
        people.append(factories.person(s, post, "200001", "孙丽", identity=Identity.AUXILIARY))
        people += [factories.person(s, post, f"20000{i}", f"社区民警{i}") for i in (2, 3)]
        people += [factories.person(s, zhian, f"3{i:05d}", f"队员{i:03d}") for i in range(extra_people)]
        everyone = [head.id] + [p.id for p in people]
        for day in range(2, 22):
            record(s, everyone, "ZB-01", day)
        for day in range(2, 22, 2):
            record(s, everyone, "ZB-02", day)
        for day in (6, 13, 20, 27):
            record(s, everyone, "RC-02", day, note="业务培训")
            record(s, everyone, "DL-01", day + 1, note="主题党日")
        for day in (7, 14, 21):
            record(s, everyone, "ZB-05", day, note="大型活动安保")
        for n, p in enumerate(people[:8]):
            record(s, [p.id], "BA-01", 5 + n, quantity=n % 4 + 1, note="办理盗窃案")
            for night in range(n + 3):
                record(s, [p.id], "ZB-03", night + 3)
        record(s, [people[0].id], "JJ-03", 10, points=35, note="救助落水群众")
        record(s, [people[1].id], "ZB-08", 11, note="迟到 10 分钟")
        wrong = record(s, [people[2].id], "JR-02", 12, note="未佩戴警号")
        ledger.reverse(s, factories.SYSTEM, wrong[0].id, "经核实当日佩戴，录入错误")
        record(s, [people[3].id], "SJ-10", 15, note="县局抽查警情回访不合格")


def march(session) -> Period:
    return periods.get_or_create(session, MARCH)


def sign_all(db: Database) -> None:
    """Submit March for review and sign both steps (chief, then jdy); this locks it."""
    with db.transaction() as s:
        periods.start_review(s, factories.SYSTEM, march(s))
        confirm_everyone(s, factories.SYSTEM, march(s))
    for username in ("chief", "jdy"):
        with db.transaction() as s:
            signoff.sign(s, factories.login(s, username), march(s), factories.PASSWORD)


@pytest.fixture
def station_db(db: Database) -> Database:
    build_station(db)
    return db


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def pdf_text(path: Path) -> str:
    return "\n".join(pdf_pages(path))


def fonts_of(path: Path) -> dict[str, bool]:
    """Every font used on any page -> whether its glyphs are embedded (FontFile/FontFile2/FontFile3)."""
    found: dict[str, bool] = {}
    for page in PdfReader(str(path)).pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources else None
        for ref in (fonts.get_object().values() if fonts else []):
            font = ref.get_object()
            targets = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            embedded = all(
                any(k in t["/FontDescriptor"].get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                if "/FontDescriptor" in t else False
                for t in targets
            )
            found[str(font["/BaseFont"])] = embedded
    return found
