"""The schemes (积分制) a station runs, kept in the `schemes` table.

The person scheme is always run, whether or not it has a row; the others come from a preset
(`install`, e.g. 汉阴's 党建工作, 基层基础, 执法办案, 队伍管理) or a definition file, each
with its own catalogue installed from the preset named in the definition.

    install(session, actor, "zhifa", catalogue_from=dt.date(2026, 1, 1))
    active(session)              # [Scheme …], the person scheme first
    scheme_of(session, "zhifa")  # Scheme, or NotFound naming the schemes the station runs
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.catalogue import CatalogueItem, CatalogueVersion
from desktop.models.units import PERSON_SCHEME, SchemeRow
from desktop.paths import resource
from desktop.services import audit, catalogue, scheme_rules, schemes
from desktop.services.actor import Actor, require
from desktop.services.errors import NotFound, ValidationError


def active(session: Session) -> list[schemes.Scheme]:
    # The definitions alone: each is parsed once per text (`_parsed`), and scoring asks every month.
    definitions = session.scalars(select(SchemeRow.definition).where(SchemeRow.active.is_(True))
                                  .order_by(SchemeRow.sort_order, SchemeRow.id))
    found = [_parsed(definition) for definition in definitions]
    if not any(s.code == PERSON_SCHEME for s in found):
        found.insert(0, schemes.load_preset(PERSON_SCHEME))
    return found


@functools.lru_cache(maxsize=64)
def _parsed(definition: str) -> schemes.Scheme:
    """A stored definition, parsed and validated once per text: lists of entries ask for the
    schemes on every page, and validating reads the catalogue presets. Schemes are frozen."""
    return schemes.Scheme.from_json(definition)


def scheme_of(session: Session, code: str) -> schemes.Scheme:
    code = code.strip()
    for scheme in active(session):
        if scheme.code == code:
            return scheme
    codes = "、".join(f"{s.code}（{s.name}）" for s in active(session))
    raise NotFound(f"本单位没有代码为“{code}”的积分制；现有：{codes}")


def install(session: Session, actor: Actor, code_or_scheme: str | schemes.Scheme, *,
            catalogue_from: dt.date) -> schemes.Scheme:
    """Run a scheme from now on: its row, and its preset catalogue from `catalogue_from`."""
    require(actor, "station.edit")
    scheme = schemes.load_preset(code_or_scheme) if isinstance(code_or_scheme, str) else code_or_scheme
    scheme.validate()
    if session.scalar(select(SchemeRow.id).where(SchemeRow.code == scheme.code)) is not None:
        raise ValidationError(f"积分制“{scheme.name}”（{scheme.code}）已经在运行")
    # Item codes must stay unique across the schemes a station runs: prefixes may not repeat.
    scheme_rules.check_together([*active(session), scheme])
    taken = session.scalar(select(CatalogueItem.code).join(CatalogueVersion)
                           .where(CatalogueVersion.scheme != scheme.code,
                                  CatalogueItem.code.startswith(scheme.item_prefix, autoescape=True)).limit(1))
    if scheme.item_prefix and taken is not None:
        raise ValidationError(f"积分制“{scheme.name}”的项目编号前缀“{scheme.item_prefix}”已被现有项目 {taken} 使用，"
                              "请换一个前缀（项目编号须在各积分制之间唯一）")
    order = len(list(session.scalars(select(SchemeRow.id))))
    row = SchemeRow(code=scheme.code, name=scheme.name, subject=scheme.subject, definition=scheme.to_json(),
                    sort_order=order)
    session.add(row)
    session.flush()
    if scheme.code != PERSON_SCHEME and scheme.catalogue:
        data = json.loads(resource("catalogue", scheme.catalogue).read_text("utf-8"))
        components = frozenset(c.key for c in scheme.components)
        specs = [catalogue.ItemSpec.from_json(raw, components) for raw in data["items"]]
        catalogue.create_version(session, actor, catalogue_from, data["name"], specs, note=data.get("note", ""),
                                 scheme=scheme.code)
    audit.record(session, actor, "scheme.install", "scheme", row.uuid, code=scheme.code, name=scheme.name,
                 subject=scheme.subject, catalogue_from=catalogue_from)
    return scheme


def component_map(session: Session) -> dict[tuple[str, str], tuple[str, int]]:
    """(scheme code, component key) -> (label, sign) for every scheme the station runs: a list
    of entries from several schemes shows 加分项 as + and 扣分项 as − by each one's own rule."""
    return {(s.code, c.key): (c.label, c.sign) for s in active(session) for c in s.components}


def add_definition(session: Session, actor: Actor, raw: dict[str, Any], *, catalogue_from: dt.date,
                   where: str = "") -> schemes.Scheme:
    """A station's own scheme from its JSON definition (the form `scheme export` writes), with
    its catalogue items inline under "items" (the catalogue file's item form) or added later by
    `catalogue add-version --scheme`. Validated whole before anything is stored."""
    if not isinstance(raw, dict):
        raise ValidationError(f"积分制定义{where}应为 JSON 对象 {{…}}")
    raw = dict(raw)
    items = raw.pop("items", None)
    catalogue_name = str(raw.pop("catalogue_name", "") or "")
    raw.setdefault("catalogue", "")
    scheme = schemes.Scheme.from_json(raw)
    specs: list[catalogue.ItemSpec] = []
    if items is not None:
        scheme_rules.check_catalogue(scheme, {"name": catalogue_name, "items": items}, file=f"定义文件{where}中的细则项目")
        keys = frozenset(c.key for c in scheme.components)
        specs = [catalogue.ItemSpec.from_json(item, keys) for item in items]
    install(session, actor, scheme, catalogue_from=catalogue_from)
    if specs:
        catalogue.create_version(session, actor, catalogue_from, catalogue_name or f"{scheme.name}考核细则", specs,
                                 scheme=scheme.code)
    return scheme
