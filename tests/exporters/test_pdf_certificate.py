"""Award certificates: landscape A4, one page per award, photo when there is one."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image as PILImage
from pypdf import PdfReader

from desktop.exporters.pdf import render_certificates
from desktop.exporters.pdf.data import CertificateData
from desktop.services import awards, documents, roster
from desktop.services.errors import NotFound
from tests import factories
from tests.exporters.conftest import MARCH, fonts_of, march, pdf_text, sign_all


def _png(size: tuple[int, int] = (240, 320)) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", size, (90, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


def _images(page) -> int:
    xobjects = page["/Resources"].get("/XObject") or {}
    return sum(1 for x in xobjects.values() if x.get_object()["/Subtype"] == "/Image")


@pytest.fixture
def awarded_db(station_db):
    sign_all(station_db)
    with station_db.transaction() as s:
        best = awards.candidates(s, march(s))[0].row
        assert best.badge == "100104"
        roster.set_photo(s, factories.SYSTEM, best.person_id, _png(), "image/png")
        awards.give(s, factories.login(s, "chief"), march(s), best.person_id, "闪光民警")
    return station_db


def test_certificate_of_the_month(awarded_db, tmp_path):
    with awarded_db.session() as s:
        out = documents.write_certificates(s, MARCH, tmp_path / "cert.pdf")
    reader = PdfReader(str(out))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    text = pdf_text(out)
    for part in ("荣 誉 证 书", "刘洋", "“闪光民警”", "2026年3月", "测试派出所", "盖章处", "证书编号：2026-03-001",
                 "特发此证，以资鼓励。", "治安中队"):
        assert part in text, part
    assert _images(reader.pages[0]) == 1
    assert all(fonts_of(out).values())


def test_filter_by_award_name(awarded_db, tmp_path):
    with awarded_db.session() as s:
        assert len(documents.certificate_data(s, MARCH, "闪光民警")) == 1
        with pytest.raises(NotFound, match="闪光辅警"):
            documents.write_certificates(s, MARCH, tmp_path / "none.pdf", "闪光辅警")
        with pytest.raises(NotFound, match="2026年4月"):
            documents.write_certificates(s, "2026-04", tmp_path / "none.pdf")


def test_batch_is_one_page_each_and_photo_is_optional(tmp_path):
    common = dict(identity="民警", department="治安中队", period_label="2026年3月", station="滨河派出所",
                  issuer="滨河派出所", issued_on=dt.date(2026, 4, 2))
    certs = [
        CertificateData(title="闪光民警", name="王建国", number="2026-03-001", photo=_png(), **common),
        CertificateData(title="闪光辅警", name="孙丽", number="2026-03-002", photo=None, **common),
        CertificateData(title="闪光民警", name="李明", number="2026-03-003", photo=b"not an image", **common),
    ]
    out = render_certificates(certs, tmp_path / "batch.pdf")
    reader = PdfReader(str(out))
    assert len(reader.pages) == 3
    assert [_images(p) for p in reader.pages] == [1, 0, 0]  # a broken photo is left out, not fatal
    texts = [p.extract_text() for p in reader.pages]
    assert "王建国" in texts[0] and "“闪光辅警”" in texts[1] and "2026年4月2日" in texts[2]
