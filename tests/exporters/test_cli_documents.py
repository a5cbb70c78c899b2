"""`jifen grade-sheet … verify` through the command line's argument parser and main()."""

from __future__ import annotations

import pytest

from desktop import cli
from desktop.services import documents
from tests.exporters.conftest import MARCH, pdf_text, sign_all


@pytest.fixture
def db_path(station_db):
    sign_all(station_db)
    return str(station_db.path)


def run(db_path: str, *argv: str) -> int:
    return cli.main(["--db", db_path, *argv])


def test_every_document_command_writes_a_pdf(db_path, tmp_path, capsys):
    commands = {
        "grade.pdf": ["grade-sheet", "--period", MARCH, "--department", "治安中队"],
        "confirm.pdf": ["confirm-sheet", "--period", MARCH, "--person", "100101"],
        "board.pdf": ["board", "--period", MARCH],
        "file.pdf": ["file", "--year", "2026", "--person", "100101"],
    }
    for name, argv in commands.items():
        out = tmp_path / name
        assert run(db_path, *argv, "-o", str(out)) == 0, name
        assert out.stat().st_size > 1000
        assert "已生成" in capsys.readouterr().out
    assert "王建国" in pdf_text(tmp_path / "confirm.pdf")


def test_verify_exit_status(db_path, station_db, capsys):
    with station_db.session() as s:
        code = documents.grade_sheet_data(s, MARCH, "治安中队")[0].verification.code
    assert run(db_path, "verify", code) == 0
    assert "核验通过" in capsys.readouterr().out
    tampered = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert run(db_path, "verify", tampered) == 1
    assert "核验未通过" in capsys.readouterr().out


def test_user_errors_exit_2_with_one_chinese_line(db_path, tmp_path, capsys):
    assert run(db_path, "certificate", "--period", MARCH, "--award", "闪光辅警", "-o", str(tmp_path / "c.pdf")) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：") and "闪光辅警" in err and "\n" not in err
    assert run(db_path, "grade-sheet", "--period", "2026-13", "-o", str(tmp_path / "g.pdf")) == 2
    assert "月份" in capsys.readouterr().err
    assert run(db_path, "board", "--period", MARCH, "-o", str(tmp_path / "no" / "b.pdf")) == 2
    assert "不存在" in capsys.readouterr().err
    assert run(db_path, "verify", "JF-XYZ") == 2
