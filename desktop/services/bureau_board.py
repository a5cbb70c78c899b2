"""The bureau's board (公示栏): every station on a bureau server ranked together for a period.

Each station keeps its own schema on the server (`stores.schema_for`), so its results are its
own service's: `scoring.results` in that schema, frozen rows once the station locked the period,
a fresh computation before. Nothing is copied or re-graded here; the board only ranks what the
stations' own sheets say, by the county merge's rule (within each 考核序列 across stations:
total, then fewer deductions, then higher base; true ties share a rank), and adds one rank over
the whole bureau. Grades stay each station's: they were given under its own policy.

Only the bureau's offices read it (`bureau.read`): an account of the bureau's own schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import stores
from desktop.models.db import Database
from desktop.models.enums import PeriodState
from desktop.models.station import Station
from desktop.services import periods, scoring
from desktop.services.actor import Actor, require
from desktop.services.errors import ValidationError
from desktop.services.exchange.merge import NO_SEQUENCE, RANK_RULE, rank_sequences

BOARD_RULE = RANK_RULE + "全局名次按总分在全局所有参与排名人员中排列，规则相同。"


@dataclass
class StationRows:
    """One station's results for the period, in the shape the county merge ranks."""

    code: str
    name: str
    schema: str
    locked: bool
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Board:
    period: str
    stations: list[StationRows] = field(default_factory=list)
    ranked: list[dict[str, Any]] = field(default_factory=list)  # one per person, board order
    missing: list[str] = field(default_factory=list)  # stations with nobody on the roster in the period


def _row(row: scoring.ScoreRow) -> dict[str, Any]:
    return {"badge": row.badge, "name": row.name, "identity": row.identity, "department": row.department,
            "sequence": row.sequence, "base": row.base, "dept_bonus": row.dept_bonus,
            "dept_deduction": row.dept_deduction, "higher_bonus": row.higher_bonus,
            "higher_deduction": row.higher_deduction, "total": row.ranked_total, "grade": row.grade,
            "excluded_reason": row.excluded_reason, "rank_department": row.rank_department}


def _station_rows(session: Session, schema: str, code: str) -> StationRows | None:
    station = session.scalars(select(Station).order_by(Station.id)).first()
    if station is None:
        return None
    # A period the station never opened is computed as it stands, as its own `score` would.
    found = periods.find_period(session, code) or periods.transient(periods.parse_period(code))
    rows = [_row(r) for r in scoring.results(session, found)]
    return StationRows(station.code, station.name, schema, found.state == PeriodState.LOCKED.value, rows)


def _schemas(bureau: Database) -> list[str]:
    if not bureau.is_server:
        raise ValidationError("全局公示栏只在局服务器上使用：请用 --db postgresql://… 连接局服务器")
    with bureau.engine.connect() as conn:
        return stores.station_schemas(conn)


def stations(bureau: Database) -> list[tuple[str, str, str]]:
    """(schema, station code, station name) of every station on the bureau's server."""
    schemas = _schemas(bureau)
    found = []
    for schema in schemas:
        engine = stores.schema_engine(bureau.engine.url, schema)
        try:
            with Session(engine) as session:
                station = session.scalars(select(Station).order_by(Station.id)).first()
                if station is not None:
                    found.append((schema, station.code, station.name))
        finally:
            engine.dispose()
    return found


def board(bureau: Database, actor: Actor, period_code: str) -> Board:
    """Every station's people for `period_code`, ranked together (see the module docstring)."""
    require(actor, "bureau.read")
    code = periods.parse_period(period_code).code
    result = Board(period=code)
    for schema in _schemas(bureau):  # each schema opened once: its station row is read with its results
        engine = stores.schema_engine(bureau.engine.url, schema)
        try:
            with Session(engine) as session:
                rows = _station_rows(session, schema, code)
        finally:
            engine.dispose()
        if rows is None:
            continue
        result.stations.append(rows)
        if not rows.rows:
            result.missing.append(f"{rows.code} {rows.name}")
    result.ranked = rank_sequences(result.stations)
    _rank_all(result.ranked)
    # The board reads top down over the whole bureau; those out of the ranking (一把手 …) last.
    result.ranked.sort(key=lambda r: (r["_rank_all"] is None, r["_rank_all"] or 0, _key(r)))
    return result


def _key(row: dict[str, Any]) -> tuple[int, int, int]:
    return (-(row["total"] or 0), row["dept_deduction"] + row["higher_deduction"], -(row["base"] or 0))


def _rank_all(ranked: list[dict[str, Any]]) -> None:
    """The rank over the whole bureau, beside the rank within the sequence."""
    position, last = 0, None
    for index, row in enumerate(sorted((r for r in ranked if r["_rank"] is not None), key=_key), start=1):
        if _key(row) != last:
            position, last = index, _key(row)
        row["_rank_all"] = position
    for row in ranked:
        row.setdefault("_rank_all", None)


def listing(result: Board) -> list[dict[str, Any]]:
    """The board as the command line's stable fields (docs/cli.md)."""
    from desktop.services.points import fmt

    out = []
    for row in result.ranked:
        station: StationRows = row["_station"]
        out.append({
            "rank_all": row["_rank_all"], "sequence": row["_sequence"] if row["_sequence"] != NO_SEQUENCE else "",
            "rank_sequence": row["_rank"], "station_code": station.code, "station": station.name,
            "locked": station.locked, "department": row["department"], "badge": row["badge"], "name": row["name"],
            "total": fmt(row["total"]), "grade": row["grade"] or "", "excluded_reason": row["excluded_reason"],
        })
    return out
