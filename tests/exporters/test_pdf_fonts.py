"""Choosing the CJK font: settings first, then the system; a clear error when there is none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop.exporters.pdf import fonts
from desktop.exporters.pdf.fonts import FontMissing, register_font


@pytest.fixture(autouse=True)
def _fresh_cache():
    register_font.cache_clear()
    yield
    register_font.cache_clear()


def test_a_system_font_is_found():
    candidates = fonts.system_candidates()
    assert candidates, "this machine needs a CJK font (apt-get install fonts-wqy-microhei)"
    assert register_font().startswith("JifenCJK-")


def test_the_font_in_the_settings_wins():
    path = fonts.system_candidates()[-1]
    assert register_font(str(path)) == fonts.FontChoice(path).name


def test_a_missing_setting_names_the_setting():
    with pytest.raises(FontMissing, match=re.escape("设置中指定的打印字体“/nowhere/font.ttf”找不到")):
        register_font("/nowhere/font.ttf")


def test_an_unusable_file_says_what_is_needed(tmp_path):
    bad = tmp_path / "broken.ttf"
    bad.write_bytes(b"not a font")
    with pytest.raises(FontMissing, match="TrueType"):
        register_font(str(bad))


def test_no_font_at_all_says_what_to_install(monkeypatch):
    monkeypatch.setattr(fonts, "system_candidates", lambda: [])
    with pytest.raises(FontMissing, match="apt-get install fonts-wqy-microhei"):
        register_font()


def test_windows_names_map_to_font_files(monkeypatch, tmp_path):
    folder = tmp_path / "Fonts"
    folder.mkdir()
    source = fonts.system_candidates()[0]
    (folder / "simsun.ttc").write_bytes(Path(source).read_bytes())
    monkeypatch.setattr(fonts, "windows_font_dirs", lambda: [folder])
    assert fonts.resolve_preference("宋体") == folder / "simsun.ttc"
    assert fonts.resolve_preference("SimSun") == folder / "simsun.ttc"
