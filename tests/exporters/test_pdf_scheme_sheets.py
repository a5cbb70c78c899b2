"""Printed documents of the unit schemes: 积分排名表, 通报 and 案件台账, read back from the PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desktop import cli
from desktop.exporters.pdf.bulletin import render_bulletin
from desktop.exporters.pdf.bulletin_text import bulletin_data
from desktop.exporters.pdf.case_ledger import render_case_ledger
from desktop.exporters.pdf.scheme_data import DRAFT_MARK, case_ledger_data, scheme_sheet_data
from desktop.exporters.pdf.scheme_sheet import render_scheme_sheet
from desktop.models.db import Database
from desktop.services import cases, ledger, scheme_registry, scheme_signing, units
from desktop.services.errors import ValidationError
from tests.exporters.conftest import fonts_of, pdf_pages, pdf_text
from tests.services.builders import PASSWORD, World, evidence, person, world

MARCH = "2026-03"
LONG_POST = "汉阳镇青泥村、双河口村、龙垭村联合农村警务室"
ADJUST_REASON = "证据不足，按一般治安案件计分"
POSTS = (("P1", "城关警务室", 1), ("P2", "东关警务室", 1), ("P3", "涧池警务室", 2), ("P4", LONG_POST, 2))
DEPARTMENTS = (("D1", "刑侦大队"), ("D2", "治安大队"), ("D3", "交警大队"), ("D4", "城关派出所"))


def day(n: int) -> dt.date:
    return dt.date(2026, 3, n)


def _unit_rec(s, w: World, code: str, item: str, n: int, *, points: int | None = None, qty: int = 1,
              note: str = "", proof: bool = False) -> list:  # type: ignore[no-untyped-def]
    unit = units.unit_by_code(s, code)
    return ledger.record(s, w.clerk, ledger.EntryInput((), item, day(n), quantity=qty, points_tenths=points, note=note,
                                                       unit_ids=[unit.id], evidence=[evidence()] if proof else []))


def build(db: Database) -> World:
    """4 posts over 2 classes (基层基础), 3 officers in 2 sequences with confirmed, adjusted and
    pending cases (执法办案), 4 departments (队伍管理) whose bottom two lose eligibility."""
    w = world(db)
    with w.tx() as s:
        for code in ("jiceng", "zhifa", "duiwu"):
            scheme_registry.install(s, w.admin, code, catalogue_from=dt.date(2026, 1, 1))
        for code, name, klass in POSTS:
            units.add_unit(s, w.clerk, units.UnitInput(code=code, name=name, kind="post", post_class=klass))
        for code, name in DEPARTMENTS:
            units.add_unit(s, w.clerk, units.UnitInput(code=code, name=name, kind="department"))
        # 基层基础: class 1 — P1 ahead of P2; class 2 — P4 (long name) ahead of P3, which has a complaint.
        for code, base in (("P1", 185), ("P2", 160), ("P3", 150), ("P4", 175)):
            _unit_rec(s, w, code, "JC-01", 3, points=base)
        _unit_rec(s, w, "P1", "JC-12", 8, qty=2)
        _unit_rec(s, w, "P2", "JC-22", 9, qty=3, note="抽查漏登出租房屋3户")
        _unit_rec(s, w, "P3", "JC-28", 12, points=40, note="群众投诉接警后未及时回访", proof=True)
        # 执法办案
        wang = person(s, w.dept, "801", name="王建国", sequence="派出所序列")
        li = person(s, w.dept, "802", name="李明", sequence="派出所序列")
        zhang = person(s, w.dept, "803", name="张伟", sequence="刑事侦查序列")
        [main] = ledger.record(s, w.clerk, ledger.EntryInput([wang.id], "ZF-01", day(5), case_no="刑2026-031",
                                                              case_type="刑事"))
        [helper] = ledger.record(s, w.clerk, ledger.EntryInput([li.id], "ZF-02", day(5), case_no="刑2026-031",
                                                                case_type="刑事"))
        [flaw] = ledger.record(s, w.clerk, ledger.EntryInput([wang.id], "ZF-22", day(20), case_no="刑2026-031",
                                                              case_type="刑事", note="询问笔录未签名"))
        [second] = ledger.record(s, w.clerk, ledger.EntryInput([li.id], "ZF-01", day(10), case_no="治2026-102",
                                                                case_type="行政"))
        ledger.record(s, w.clerk, ledger.EntryInput([zhang.id], "ZF-01", day(15), case_no="刑2026-045",
                                                    case_type="刑事"))
        for entry in (main, helper, flaw):
            cases.review(s, w.clerk, entry.id, "confirmed")
        cases.review(s, w.clerk, second.id, "adjusted", points_tenths=15, reason=ADJUST_REASON)
        # 队伍管理: D1 > D2 > D3 > D4 (D4 with a negative entry)
        for code, base in (("D1", 50), ("D2", 45), ("D3", 40), ("D4", 35)):
            _unit_rec(s, w, code, "DW-01", 4, points=base)
        _unit_rec(s, w, "D1", "DW-31", 18, proof=True)
        _unit_rec(s, w, "D4", "DW-41", 22, note="单位被县局通报批评", proof=True)
    return w


@pytest.fixture
def w(db: Database) -> World:
    return build(db)


def _row(text: str, code: str, length: int) -> list[str]:
    """The cells of a subject's row from its code on: a ruled table reads one cell per word."""
    tokens = text.split()
    at = tokens.index(code)
    return tokens[at:at + length]


def test_ranking_sheet_groups_by_class_in_rank_order(w: World, tmp_path: Path) -> None:
    out = tmp_path / "jiceng.pdf"
    with w.db.session() as s:
        data = scheme_sheet_data(s, "jiceng", MARCH)
        render_scheme_sheet(data, out)
    text = pdf_text(out)
    assert "测试派出所 2026年3月 基层基础积分排名表" in text
    assert [g.title for g in data.groups] == ["一类警务室", "二类警务室"]
    assert [[line.code for line in g.lines] for g in data.groups] == [["P1", "P2"], ["P4", "P3"]]
    # in the PDF: each class's heading, then its posts in rank order
    order = [text.index(s) for s in ("一类警务室（2个）", "P1", "P2", "二类警务室（2个）", "P4", "P3")]
    assert order == sorted(order)
    for header in ("排名", "代码", "名称", "类别", "基础分", "加分项", "扣分项", "总分", "等次", "说明"):
        assert header in text
    assert "待审核" not in text  # the pending column is 执法办案's only
    assert _row(text, "P1", 9) == ["P1", "城关警务室", "一类", "18.5", "6.0", "0.0", "24.5", "一般", "本组"]
    assert _row(text, "P2", 7) == ["P2", "东关警务室", "一类", "16.0", "0.0", "1.5", "14.5"]
    assert _row(text, "P3", 7) == ["P3", "涧池警务室", "二类", "15.0", "0.0", "4.0", "11.0"]
    # the long name wraps inside its cell (over lines), none of it clipped
    assert LONG_POST not in text and LONG_POST in "".join(text.split())
    assert all(fonts_of(out).values())


def test_draft_mark_until_locked_and_signers_after(w: World, tmp_path: Path) -> None:
    with w.db.session() as s:
        draft = render_scheme_sheet(scheme_sheet_data(s, "jiceng", MARCH), tmp_path / "draft.pdf")
    text = pdf_text(draft)
    assert DRAFT_MARK in text and "签字：＿＿" in text and "派出所所长审核" in text and "治安大队复核通报" in text
    assert text.count("日期：＿＿＿＿年") == 2
    with w.tx() as s:
        scheme_signing.freeze(s, w.clerk, "jiceng", MARCH)
        scheme_signing.sign(s, w.chief, "jiceng", MARCH, PASSWORD)
    with w.db.session() as s:
        half = pdf_text(render_scheme_sheet(scheme_sheet_data(s, "jiceng", MARCH), tmp_path / "half.pdf"))
    assert "签核中" in half and DRAFT_MARK not in half and "已签 1 步，共 2 步" in half
    assert "签字：chief" in half and half.count("日期：＿＿＿＿年") == 1
    with w.tx() as s:
        scheme_signing.sign(s, w.clerk, "jiceng", MARCH, PASSWORD)
    with w.db.session() as s:
        data = scheme_sheet_data(s, "jiceng", MARCH)
        done = pdf_text(render_scheme_sheet(data, tmp_path / "locked.pdf"))
    assert data.mark == ""
    assert DRAFT_MARK not in done and "签核中" not in done and "已锁定" in done
    assert "签字：chief" in done and "签字：clerk" in done and "日期：＿＿" not in done
    assert data.digest[:16] in done.replace("\n", "")


def test_zhifa_sheet_ranks_within_sequence_with_pending_points(w: World, tmp_path: Path) -> None:
    with w.db.session() as s:
        data = scheme_sheet_data(s, "zhifa", MARCH)
        out = render_scheme_sheet(data, tmp_path / "zhifa.pdf")
    text = pdf_text(out)
    assert "执法办案积分排名表" in text and "警号" in text and "序列" in text and "待审核" in text
    assert [g.title for g in data.groups][:2] == ["刑事侦查序列", "派出所序列"]
    # 数量分 5, 质效分 1 (subtracted), nothing pending; the assistant's adjusted case counts 1.5
    assert _row(text, "801", 7) == ["801", "王建国", "派出所序列", "5.0", "1.0", "4.0", "一般"]
    assert _row(text, "802", 7) == ["802", "李明", "派出所序列", "3.5", "0.0", "3.5", "一般"]
    # the unreviewed case counts nothing yet: 5.0 pending beside a total of 0.0
    assert _row(text, "803", 7) == ["803", "张伟", "刑事侦查序列", "0.0", "0.0", "0.0", "5.0"]


def test_bulletin_names_top_and_bottom_and_consequences(w: World, tmp_path: Path) -> None:
    with w.db.session() as s:
        data = bulletin_data(s, "duiwu", "2026-Q1")
        out = render_bulletin(data, tmp_path / "duiwu.pdf")
    text = pdf_text(out).replace("\n", "")
    assert "关于2026年第一季度队伍管理工作积分情况的通报" in text
    assert "测试县公安局政工室" in text and "各所队室：" in text
    assert "排名前列的是刑侦大队（7.0分）、治安大队（4.5分）；排名靠后的是交警大队（4.0分）、城关派出所（0.5分）" in text
    assert "平均4.0分，最高刑侦大队（7.0分），最低城关派出所（0.5分）" in text
    assert "交警大队、城关派出所排名末位，须在全局会议上作表态发言" in text
    assert "城关派出所“受到诫勉、通报批评等组织处理”，扣3.0分" in text
    assert DRAFT_MARK in text
    pages = pdf_pages(out)
    assert "附件" in pages[-1] and "刑侦大队" in pages[-1] and "总分" in pages[-1]
    with w.db.session() as s:
        year = bulletin_data(s, "duiwu", "2026")
    said = " ".join(p for sec in year.sections for p in sec.paragraphs)
    assert "建议将刑侦大队、治安大队" in said and "评为“队伍管理先进单位”" in said
    assert "交警大队、城关派出所排名末位，取消本年度评先评优资格" in said
    assert year.title == "关于2026年度队伍管理工作积分情况的通报"


def test_zhifa_bulletin_counts_pending_cases(w: World, tmp_path: Path) -> None:
    with w.db.session() as s:
        data = bulletin_data(s, "zhifa", MARCH)
        text = pdf_text(render_bulletin(data, tmp_path / "zhifa.pdf")).replace("\n", "")
    assert "本期共录入案件3件，尚有1条案件积分待法制大队审核" in text
    assert "其中1条经审核调整了分值" in text
    assert "王建国“程序瑕疵（文书不规范、手续不全等）”（案件刑2026-031），扣1.0分" in text


def test_case_ledger_shows_review_states_and_reason(w: World, tmp_path: Path) -> None:
    with w.db.session() as s:
        data = case_ledger_data(s, MARCH)
        out = render_case_ledger(data, tmp_path / "cases.pdf")
    text = pdf_text(out)
    flat = text.replace("\n", "")
    assert "测试派出所 2026年3月 执法办案案件台账" in text
    assert [r.case_no for r in data.rows] == ["刑2026-031", "刑2026-045", "治2026-102"]
    first, pending, adjusted = data.rows
    assert (first.people, first.recorded, first.counted) == ("王建国、李明", "6.0", "6.0")  # 5 + 2 − 1
    assert "3条均已确认（审核人：clerk）" in first.status
    assert "含扣分：王建国“程序瑕疵（文书不规范、手续不全等）”扣1.0分" in first.status
    assert (pending.recorded, pending.counted, pending.status) == ("5.0", "0.0", "待审核")
    assert (adjusted.recorded, adjusted.counted) == ("5.0", "1.5")
    assert ADJUST_REASON in flat and "已调整：5.0分调为1.5分" in flat and "待审核" in text
    assert (data.recorded_total, data.counted_total, data.pending) == ("16.0", "7.5", 1)
    assert "合计" in text and "16.0" in text and "7.5" in text


def test_case_ledger_of_one_unit_and_refusals(w: World) -> None:
    with w.tx() as s:
        units.add_unit(s, w.clerk, units.UnitInput(code="E1", name="城关派出所办案队", kind="enforcement",
                                                   sequence="派出所序列"))
        units.add_member(s, w.clerk, "E1", "802", start=dt.date(2026, 1, 1))
    with w.db.session() as s:
        data = case_ledger_data(s, MARCH, unit_code="E1")
        assert data.unit == "城关派出所办案队"
        assert [r.case_no for r in data.rows] == ["刑2026-031", "治2026-102"]
        with pytest.raises(ValidationError, match="不追溯案件"):
            case_ledger_data(s, MARCH, "jiceng")
        with pytest.raises(ValidationError, match="grade-sheet"):
            scheme_sheet_data(s, "person", MARCH)


def _run(db: Database, *argv: str) -> int:
    return cli.main(["--db", str(db.path), *argv])


def test_cli_commands_write_pdfs(w: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commands = {
        "sheet.pdf": ["scheme-sheet", "--scheme", "jiceng", "--period", MARCH],
        "year.pdf": ["scheme-sheet", "--scheme", "duiwu", "--period", "2026"],
        "bulletin.pdf": ["bulletin", "--scheme", "duiwu", "--period", "2026-Q1"],
        "cases.pdf": ["case-sheet", "--period", MARCH],
    }
    for name, argv in commands.items():
        out = tmp_path / name
        assert _run(w.db, *argv, "-o", str(out)) == 0, name
        assert out.stat().st_size > 1000
        assert "已生成" in capsys.readouterr().out
    assert "取消本年度评先评优资格" in pdf_text(tmp_path / "year.pdf").replace("\n", "")
    assert ADJUST_REASON in pdf_text(tmp_path / "cases.pdf").replace("\n", "")


def test_cli_errors_exit_2_with_one_chinese_line(w: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases_ = [
        (["scheme-sheet", "--scheme", "person", "--period", MARCH], "grade-sheet"),
        (["bulletin", "--scheme", "person", "--period", MARCH], "grade-sheet"),
        (["scheme-sheet", "--scheme", "nosuch", "--period", MARCH], "nosuch"),
        (["case-sheet", "--period", MARCH, "--scheme", "duiwu"], "不追溯案件"),
        (["case-sheet", "--period", MARCH, "--unit", "NOPE"], "NOPE"),
        (["bulletin", "--scheme", "duiwu", "--period", "2026-13"], "月份"),
    ]
    for argv, needle in cases_:
        assert _run(w.db, *argv, "-o", str(tmp_path / "x.pdf")) == 2, argv
        err = capsys.readouterr().err.strip()
        assert err.startswith("错误：") and needle in err and "\n" not in err, err
    assert not (tmp_path / "x.pdf").exists()


def test_many_posts_paginate_with_the_header_on_every_page(w: World, tmp_path: Path) -> None:
    with w.tx() as s:
        for i in range(60):
            unit = units.add_unit(s, w.clerk, units.UnitInput(code=f"Q{i:02d}", name=f"第{i}号警务室", kind="post",
                                                              post_class=3))
            ledger.record(s, w.clerk, ledger.EntryInput((), "JC-01", day(3), points_tenths=5 + i, unit_ids=[unit.id]))
    with w.db.session() as s:
        out = render_scheme_sheet(scheme_sheet_data(s, "jiceng", MARCH), tmp_path / "many.pdf")
    pages = pdf_pages(out)
    with_rows = [p for p in pages if "第1号警务室" in p or "Q5" in p]
    assert len(with_rows) >= 2
    assert all(p.split()[:3] == ["排名", "代码", "名称"] for p in with_rows[1:])  # the header repeats on top
    assert "".join(pages).count("三类警务室（60个）") == 1  # the group's title once, not on every page
    assert "审核签字" in pages[-1] and f"第 1 页 共 {len(pages)} 页" in pages[0]
    codes = [t for t in "\n".join(pages).split() if t.startswith("Q") and t[1:].isdigit()]
    assert codes == [f"Q{i:02d}" for i in range(59, -1, -1)]  # highest first, none lost at a page break


def test_landscape_only_when_the_columns_need_it(w: World) -> None:
    from dataclasses import replace

    from reportlab.lib.pagesizes import A4, landscape

    from desktop.exporters.pdf.scheme_sheet import page_of

    with w.db.session() as s:
        data = scheme_sheet_data(s, "jiceng", MARCH)
    assert page_of(data) == A4
    assert page_of(replace(data, components=[f"组成{i}" for i in range(6)])) == landscape(A4)


def test_jifen_verify_checks_a_ranking_sheet_code(w: World, capsys: pytest.CaptureFixture[str]) -> None:
    with w.tx() as s:
        scheme_signing.freeze(s, w.clerk, "jiceng", MARCH)
    with w.db.session() as s:
        v = scheme_sheet_data(s, "jiceng", MARCH).verification
    assert v is not None and v.code.startswith("JFS-2026-03-JICENG-")
    assert _run(w.db, "verify", v.code) == 0
    assert "核验通过" in capsys.readouterr().out
    assert _run(w.db, "verify", v.qr_text) == 0
    capsys.readouterr()
    tampered = v.code[:-1] + ("0" if v.code[-1] != "0" else "1")
    assert _run(w.db, "verify", tampered) == 1
    assert "核验未通过" in capsys.readouterr().out
    with w.tx() as s:  # an entry after submitting: the paper still shows what was submitted
        _unit_rec(s, w, "P2", "JC-12", 20)
    assert _run(w.db, "verify", v.code.lower()) == 1
    assert "提交签核时固定的结果一致" in capsys.readouterr().out
