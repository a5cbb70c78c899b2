"""The printed documents of a scheme other than the person scheme, for the screen and the
command line alike: the 积分排名表, the 通报 and (执法办案) the 案件台账."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from desktop.exporters.pdf.bulletin import render_bulletin
from desktop.exporters.pdf.bulletin_text import bulletin_data
from desktop.exporters.pdf.case_ledger import render_case_ledger
from desktop.exporters.pdf.scheme_data import case_ledger_data, font_of, scheme_sheet_data
from desktop.exporters.pdf.scheme_sheet import render_scheme_sheet


def write_scheme_sheet(session: Session, scheme: str, period: str, path: str | Path) -> Path:
    return render_scheme_sheet(scheme_sheet_data(session, scheme, period), path, font=font_of(session))


def write_bulletin(session: Session, scheme: str, period: str, path: str | Path) -> Path:
    return render_bulletin(bulletin_data(session, scheme, period), path, font=font_of(session))


def write_case_sheet(session: Session, period: str, path: str | Path, scheme: str = "zhifa",
                     unit: str | None = None) -> Path:
    return render_case_ledger(case_ledger_data(session, period, scheme, unit), path, font=font_of(session))
