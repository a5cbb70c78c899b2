"""Render page 1 of every printed document of the demo station to docs/samples/*.png.

    PYTHONPATH=. python scripts/pdf_samples.py [--db demo.db] [--period 2026-08]

Works on a copy of the demo database, to which it adds a drawn portrait for the award
winners and a drawn signature for the signers (the demo has neither), so the samples
show every element of the documents. Needs `pdftoppm` (Debian: poppler-utils).
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from desktop.exporters.pdf.fonts import FontChoice, system_candidates
from desktop.models.accounts import User
from desktop.models.db import open_database
from desktop.models.enums import PeriodKind, PeriodState
from desktop.models.periods import Period
from desktop.services import awards, documents, roster, signoff
from desktop.services.actor import Actor
from desktop.services.demo import build_demo

SYSTEM = Actor.system("samples")
ROOT = Path(__file__).resolve().parent.parent


def portrait() -> bytes:
    """A neutral head-and-shoulders silhouette on an ID-photo blue background."""
    img = Image.new("RGB", (350, 490), (67, 142, 219))
    d = ImageDraw.Draw(img)
    d.ellipse((105, 70, 245, 230), fill=(236, 214, 196))
    d.pieslice((40, 250, 310, 600), 180, 360, fill=(34, 45, 70))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def signature(name: str) -> bytes:
    """A name written in the CJK font, slanted, on a transparent background."""
    font = ImageFont.truetype(str(FontChoice(system_candidates()[0]).path), 64)
    img = Image.new("RGBA", (420, 120), (0, 0, 0, 0))
    ImageDraw.Draw(img).text((10, 20), name.split("（")[0], font=font, fill=(20, 30, 110, 255))
    img = img.transform(img.size, Image.Transform.AFFINE, (1, 0.25, -20, 0, 1, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def page_one(pdf: Path, png: Path) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(png.with_suffix(""))], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="演示数据库（默认新建一个）")
    parser.add_argument("--period", help="月份，默认最近一个已锁定的月份")
    parser.add_argument("--out", default=str(ROOT / "docs" / "samples"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jifen-samples-"))
    db_path = work / "demo.db"
    if args.db:
        shutil.copy(args.db, db_path)
    else:
        build_demo(db_path)
    db = open_database(db_path)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with db.transaction() as s:
        locked = s.scalars(select(Period).where(Period.kind == PeriodKind.MONTH.value,
                                                Period.state == PeriodState.LOCKED.value)
                           .order_by(Period.start.desc())).first()
        assert locked is not None, "the demo has no locked month"
        period = s.scalar(select(Period).where(Period.code == args.period)) if args.period else locked
        for award in awards.awards_of(s, period):
            roster.set_photo(s, SYSTEM, award.person_id, portrait(), "image/png")
        for sig in signoff.signatures(s, period):
            user = s.get(User, sig.user_id)
            documents.set_signature(s, SYSTEM, signature(sig.signer_name), username=user.username)
    with db.session() as s:
        sheets = documents.grade_sheet_data(s, period.code)
        biggest = max(sheets, key=lambda d: len(d.rows)).department
        winners = awards.awards_of(s, period)
        badge = winners[0].person.badge if winners else sheets[0].rows[0].badge
        docs = {
            "grade_sheet": lambda p: documents.write_grade_sheets(s, period.code, p, biggest),
            "confirm_sheet": lambda p: documents.write_confirm_sheets(s, period.code, p, [badge]),
            "certificate": lambda p: documents.write_certificates(s, period.code, p),
            "board": lambda p: documents.write_board(s, period.code, p),
            "performance_file": lambda p: documents.write_performance_file(s, period.year, badge, p),
        }
        for name, write in docs.items():
            pdf = write(work / f"{name}.pdf")
            page_one(pdf, out / f"{name}.png")
            print(f"{out / name}.png  ←  {pdf}")
    db.dispose()


if __name__ == "__main__":
    main()
