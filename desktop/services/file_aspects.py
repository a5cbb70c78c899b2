"""The six aspects of the 政绩档案 (科尔沁: 政治表现、遵纪守法、工作成绩、考勤考核、生活作风、奖励惩处)
and which aspect each catalogue category files under.

The bundled catalogue's categories have a default aspect; a station may file a category
elsewhere (the `file_aspects` station setting, JSON {category: aspect}, only the categories it
changes). A category nobody filed — a new one, or one only an old catalogue had — falls into
工作成绩, so no entry ever drops out of the file.

    amap = aspect_map(session)            # AspectMap: amap.of("值班备勤") -> "考勤考核"
    amap.of("上级考评", "SJ-03")           # -> "工作成绩": a few items are filed apart (ITEM_DEFAULTS)
    listing(session)                      # every known category, its aspect and where that comes from
    set_aspect(session, actor, "服务态度", "工作成绩")   # "默认" puts the default back
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.catalogue import CatalogueItem, CatalogueVersion
from desktop.models.ledger import Entry
from desktop.services import station_settings
from desktop.services.actor import Actor, require
from desktop.services.errors import ValidationError

ASPECTS = ("政治表现", "遵纪守法", "工作成绩", "考勤考核", "生活作风", "奖励惩处")
FALLBACK = "工作成绩"
REWARDS = "奖励惩处"
RESET_WORDS = ("默认", "default")

# The bundled catalogue (resources/catalogue/default.json). 服务态度 is the officer's 作风 toward
# the public (“门难进、脸难看”, 群众投诉); 内务秩序管理 is conduct at the station (内务, 请销假,
# 服从管理); 警容风纪 is dress and discipline rules (禁酒令, 警车) — 遵纪守法. 上级考评 holds the
# commendations (表扬、嘉奖、三等功) and sanctions (通报批评、警诫) from above: 奖励惩处.
DEFAULTS: dict[str, str] = {
    "党风廉政": "政治表现",
    "警容风纪": "遵纪守法",
    "值班备勤": "考勤考核",
    "接警处警": "工作成绩",
    "执法办案": "工作成绩",
    "日常工作管理": "工作成绩",
    "服务态度": "生活作风",
    "内务秩序管理": "生活作风",
    "上级考评": "奖励惩处",
}
# Within 上级考评, the items that judge the work itself rather than commend or sanction the
# officer: filed under 工作成绩 while the station leaves 上级考评 where it is by default.
ITEM_DEFAULTS: dict[str, tuple[str, str]] = {
    "SJ-03": ("上级考评", "工作成绩"),  # 工作信息被上级采用
    "SJ-09": ("上级考评", "工作成绩"),  # 上级执法质量考评、案件评查发现问题
    "SJ-10": ("上级考评", "工作成绩"),  # 上级抽查考核不合格
}
SOURCE_LABELS = {"default": "默认", "station": "本单位设置", "fallback": "未归类（计入工作成绩）"}


@dataclass(frozen=True)
class AspectMap:
    """Category -> aspect: the defaults, then the station's own choices."""

    overrides: dict[str, str]

    def of(self, category: str, item_code: str = "") -> str:
        if category in self.overrides:
            return self.overrides[category]
        refined = ITEM_DEFAULTS.get(item_code)
        if refined is not None and refined[0] == category:
            return refined[1]
        return DEFAULTS.get(category) or FALLBACK

    def exceptions(self, category: str) -> dict[str, str]:
        """Items of `category` filed apart from it (only while the category keeps its default)."""
        if category in self.overrides:
            return {}
        return {code: aspect for code, (cat, aspect) in ITEM_DEFAULTS.items() if cat == category}

    def source(self, category: str) -> str:
        if category in self.overrides:
            return "station"
        return "default" if category in DEFAULTS else "fallback"


@dataclass(frozen=True)
class AspectRow:
    category: str
    aspect: str
    source: str  # default | station | fallback
    in_catalogue: bool
    exceptions: tuple[tuple[str, str], ...] = ()  # (item code, aspect) filed apart from the category

    @property
    def note(self) -> str:
        by_aspect: dict[str, list[str]] = {}
        for code, aspect in self.exceptions:
            by_aspect.setdefault(aspect, []).append(code)
        text = "；".join(f"{'、'.join(codes)} 计入{aspect}" for aspect, codes in by_aspect.items())
        return text if self.in_catalogue else "；".join(x for x in (text, "考核细则中已无此类别") if x)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    def as_json(self) -> dict[str, object]:
        return {"category": self.category, "aspect": self.aspect, "source": self.source,
                "source_label": self.source_label, "default": DEFAULTS.get(self.category, FALLBACK),
                "in_catalogue": self.in_catalogue, "exceptions": dict(self.exceptions), "note": self.note}


def aspect_map(session: Session) -> AspectMap:
    """The mapping in force. A stored choice naming no aspect (a hand-edited setting) is ignored."""
    stored = station_settings.file_aspects(session)
    return AspectMap({c: a for c, a in stored.items() if a in ASPECTS})


def known_categories(session: Session) -> list[str]:
    """The person scheme's categories, in catalogue order (newest version first), then any
    category only old entries still carry."""
    rows = session.execute(
        select(CatalogueItem.category).join(CatalogueVersion, CatalogueVersion.id == CatalogueItem.version_id)
        .where(CatalogueVersion.scheme == "person")
        .order_by(CatalogueVersion.effective_from.desc(), CatalogueItem.sort_order, CatalogueItem.id)).scalars()
    found = list(dict.fromkeys(rows))
    used = session.scalars(select(Entry.category).where(Entry.scheme == "person").distinct())
    found += sorted(c for c in set(used) if c not in found)
    return found


def listing(session: Session) -> list[AspectRow]:
    """Every known category with its aspect, plus stored choices for categories no longer known."""
    amap = aspect_map(session)
    categories = known_categories(session)
    rows = [AspectRow(c, amap.of(c), amap.source(c), True, tuple(amap.exceptions(c).items())) for c in categories]
    rows += [AspectRow(c, amap.of(c), "station", False) for c in amap.overrides if c not in categories]
    order = {a: i for i, a in enumerate(ASPECTS)}
    return sorted(rows, key=lambda r: order[r.aspect])  # stable: catalogue order within an aspect


def aspect_name(text: str) -> str:
    """One of the six aspects, as a clerk typed it (surrounding spaces allowed)."""
    value = text.strip()
    if value in ASPECTS:
        return value
    if not value:
        raise ValidationError(f"请写出政绩档案的方面：{'、'.join(ASPECTS)}")
    raise ValidationError(f"“{value}”不是政绩档案的方面，应为 {'、'.join(ASPECTS)} 之一（写“默认”恢复默认归类）")


def validate_overrides(session: Session, overrides: dict[str, str]) -> dict[str, str]:
    """Check a whole mapping {category: aspect}; gives back the cleaned one (defaults left out)."""
    known = set(known_categories(session))
    out: dict[str, str] = {}
    for raw_category, raw_aspect in overrides.items():
        if not isinstance(raw_category, str) or not isinstance(raw_aspect, str):
            raise ValidationError("归类应写作 {\"类别\": \"方面\"}，类别和方面都是文字")
        category = raw_category.strip()
        if not category:
            raise ValidationError("类别不能为空，应为考核细则中的类别，如 值班备勤")
        if len(category) > 50:
            raise ValidationError(f"类别“{category[:20]}…”超过 50 字，考核细则中没有这样的类别")
        if category not in known:
            choices = "、".join(known_categories(session)) or "（考核细则中还没有类别）"
            raise ValidationError(f"类别“{category}”不在考核细则中，现有类别：{choices}")
        aspect = aspect_name(raw_aspect)
        if aspect != DEFAULTS.get(category, FALLBACK):
            out[category] = aspect
    return out


def set_overrides(session: Session, actor: Actor, overrides: dict[str, str]) -> dict[str, str]:
    """Replace the station's choices with `overrides` (all validated); audited as a setting."""
    require(actor, "station.edit")
    clean = validate_overrides(session, overrides)
    station_settings.set_file_aspects(session, actor, clean)
    return clean


def set_aspect(session: Session, actor: Actor, category: str, aspect: str) -> AspectRow:
    """File one category under `aspect`; "默认" (or the default aspect itself) removes the choice.

    Only the pair given is checked: a stored choice for a category a later catalogue dropped stays.
    """
    require(actor, "station.edit")
    name = category.strip()
    current = dict(aspect_map(session).overrides)
    if aspect.strip() in RESET_WORDS:
        if name not in current:
            validate_overrides(session, {name: FALLBACK})  # an unknown category is still refused
        current.pop(name, None)
    else:
        clean = validate_overrides(session, {name: aspect})
        current.pop(name, None)
        current.update(clean)
    station_settings.set_file_aspects(session, actor, current)
    amap = AspectMap(current)
    return AspectRow(name, amap.of(name), amap.source(name), name in known_categories(session),
                     tuple(amap.exceptions(name).items()))
