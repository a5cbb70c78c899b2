"""The benchmark's synthetic database: a county (2,000 people, ~400,000 entries) or a station.

The station, catalogue, policies, departments and users go through the ordinary services (a
few dozen rows); people and the ledger are bulk-inserted (`session.execute(insert(...), rows)`
a month at a time), which builds the county in well under a minute instead of the hours that
400,000 `ledger.record` calls would take. The item mix follows the demo station: duty days with
their calls, night patrols, party life and study, each sequence's own work, occasional bonuses
and deductions, higher-level adjustments, a veto and reversals, with each item's catalogue points.

A built database is kept in a cache folder, keyed by scale, dataset version, schema head and
the last month, so repeated runs reuse it; the cases only read it (the self-report case writes to
a copy). Since data version 3 the station also runs the four 汉阴 schemes with their units and
monthly unit and case entries (`dataset_units`).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import tempfile
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from desktop.bench import dataset_units
from desktop.models.db import Database, head_revision, open_database
from desktop.models.enums import DepartmentKind, EntrySource, Identity, PointsMode, Role
from desktop.models.ledger import Entry
from desktop.models.people import Person
from desktop.services import accounts, audit, catalogue, policies, roster
from desktop.services.actor import Actor
from desktop.services.demo_people import GIVEN, SURNAMES
from desktop.services.periods import PeriodSpec, month_of

DATASET_VERSION = 3  # 3: the schemes, their units and entries, and an officer's account
SEED = 2026
SYSTEM = Actor.system("bench")
CLERK = ("neiqin", "内勤", Role.CLERK, "neiqin123")
USERS = (("admin", "系统管理员", Role.ADMIN, "admin123"), CLERK, ("suozhang", "所长", Role.CHIEF, "suozhang123"))


@dataclass(frozen=True)
class Scale:
    name: str
    departments: int
    people_per_department: int
    months: int


SCALES = {
    "tiny": Scale("tiny", 3, 4, 3),  # for the test that runs the whole benchmark
    "station": Scale("station", 5, 7, 12),
    "county": Scale("county", 20, 100, 12),
}
PUBLIC_SCALES = ("station", "county")

# (name, kind, post class, sequence); a county is several stations of these five.
TEMPLATES = (
    ("综合室", DepartmentKind.OFFICE, None, "综合管理"),
    ("治安管理中队", DepartmentKind.OFFICE, None, "治安管理"),
    ("案件办理中队", DepartmentKind.OFFICE, None, "执法办案"),
    ("社区警务室", DepartmentKind.POST, 1, "社区警务"),
    ("村居警务室", DepartmentKind.POST, 2, "社区警务"),
)
STATION_NAMES = ("城关", "新华", "滨河", "海北", "千里山", "乌达", "拉僧庙", "巴彦")
NOTES = {
    "BA-01": "主办刑事案件", "BA-03": "主办治安案件", "BA-07": "移送审查起诉", "BA-08": "行政拘留",
    "BA-09": "调解邻里纠纷", "BA-14": "法律文书填写不规范", "RC-03": "一标三实采集", "RC-04": "流动人口登记",
    "RC-06": "社区安全防范宣传", "RC-07": "撰写工作信息", "RC-08": "完成交办的专项统计任务",
    "RC-11": "月报表迟报", "FW-02": "群众好评", "JJ-03": "处警中救助群众", "DL-01": "支部主题党日",
    "RC-01": "集中政治理论学习", "RC-02": "警务技能训练", "NW-01": "谈心谈话", "SJ-02": "县局通报表扬",
    "SJ-03": "工作信息被县局采用", "SJ-08": "县局督察发现问题", "DL-08": "违反工作纪律受到警告处分",
}


@dataclass
class DatasetInfo:
    """What the cases need to know about a built database."""

    scale: str
    path: str
    people: int
    departments: int
    entries: int
    months: list[str]
    score_month: str  # the month scored and printed (the newest)
    export_period: str  # the quarter exported and imported (the one with most entries)
    export_entries: int
    username: str  # the clerk the start case logs in as
    officer: str = ""  # the officer account the self-report case saves as

    @property
    def db_path(self) -> Path:
        return Path(self.path)


def default_cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "jifen-bench"


def month_list(count: int, today: dt.date) -> list[PeriodSpec]:
    """`count` months ending with the current one (the month a clerk is working on)."""
    months = [month_of(today)]
    while len(months) < count:
        months.insert(0, month_of(months[0].start - dt.timedelta(days=1)))
    return months


def ensure(scale: str, *, cache_dir: Path | None = None, rebuild: bool = False,
           today: dt.date | None = None, say: Any = print) -> DatasetInfo:
    """The cached database for `scale`, built first if it is missing or out of date."""
    spec = SCALES[scale]
    months = month_list(spec.months, today or dt.date.today())
    folder = cache_dir or default_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{scale}-v{DATASET_VERSION}-{head_revision()}-{months[-1].code}"
    path, meta = folder / f"{stem}.db", folder / f"{stem}.json"
    if not rebuild and path.is_file() and meta.is_file():
        return DatasetInfo(**json.loads(meta.read_text("utf-8")))
    for stale in folder.glob(f"{scale}-v*"):
        stale.unlink(missing_ok=True)
    say(f"正在生成{scale}规模的测试数据库（{spec.departments} 个部门，"
        f"{spec.departments * spec.people_per_department} 人，{spec.months} 个月）…")
    part = folder / f"{stem}.db.part"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{part}{suffix}").unlink(missing_ok=True)
    info = build(part, spec, months)
    part.replace(path)
    info.path = str(path)
    meta.write_text(json.dumps(asdict(info), ensure_ascii=False, indent=1), "utf-8")
    say(f"测试数据库：{path}（{info.people} 人，{info.entries:,} 条积分记录）")
    return info


@dataclass(frozen=True)
class StationName:
    code: str
    name: str
    seed: str = ""  # "" for the benchmark's own station: its draws are those of data version 2


BENCH_STATION = StationName("150303", "海北公安分局（基准测试）")


def build(path: Path, spec: Scale, months: list[PeriodSpec], station: StationName = BENCH_STATION) -> DatasetInfo:
    rng = random.Random(f"{SEED}-{spec.name}{station.seed}")
    units_rng = random.Random(f"{SEED}-{spec.name}{station.seed}-units")  # the person entries stay as they were
    db = open_database(path)
    try:
        with db.transaction() as session:
            clerk_id = _setup(session, spec, months, station)
            people = _people(session, spec, months, rng)
            made = dataset_units.make_units(session, SYSTEM, people, months[0].start, units_rng)
            officer = dataset_units.add_officer(session, SYSTEM, people, months[0].start)
        ledger = _Ledger(db, rng, people, clerk_id, made, units_rng)
        for index, month in enumerate(months):
            ledger.fill(month, index, len(months))
        with db.transaction() as session:
            audit.record(session, SYSTEM, "bench.dataset", "station", spec.name, people=len(people),
                         entries=ledger.count, months=[m.code for m in months])
        counts = _quarter_counts(db, months)
        quarter = max(counts, key=lambda code: counts[code])
        with db.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        db.dispose()
    return DatasetInfo(scale=spec.name, path=str(path), people=len(people), departments=spec.departments,
                       entries=ledger.count, months=[m.code for m in months], score_month=months[-1].code,
                       export_period=quarter, export_entries=counts[quarter], username=CLERK[0], officer=officer)


def _quarter_counts(db: Database, months: list[PeriodSpec]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with db.session() as session:
        for m in months:
            code = f"{m.year}-Q{(m.number - 1) // 3 + 1}"
            n = session.scalar(select(func.count(Entry.id)).where(Entry.occurred_on >= m.start,
                                                                 Entry.occurred_on <= m.end)) or 0
            counts[code] = counts.get(code, 0) + n
    return counts


def _setup(session: Any, spec: Scale, months: list[PeriodSpec], station: StationName) -> int:
    """Station, policies, catalogue (revised half-way, as in the demo), schemes, departments, users."""
    roster.create_station(session, SYSTEM, code=station.code, name=station.name, county_bureau="海北公安分局")
    policies.install_presets(session, SYSTEM)
    policies.set_station_policy(session, SYSTEM, "abcd")
    catalogue.install_preset(session, SYSTEM, months[0].start)
    if len(months) > 1:
        name, specs = catalogue.load_preset_specs()
        for item in specs:
            if item.code == "ZB-03":
                item.points_tenths, item.monthly_cap_tenths = 15, 225
        catalogue.create_version(session, SYSTEM, months[len(months) // 2].start, name + "（修订）", specs)
    dataset_units.install(session, SYSTEM, months[0].start)
    several = spec.departments > len(TEMPLATES)
    for i in range(spec.departments):
        name, kind, post_class, _ = TEMPLATES[i % len(TEMPLATES)]
        station = STATION_NAMES[i // len(TEMPLATES) % len(STATION_NAMES)]
        full = f"{station}派出所{name}" if several else name
        if post_class is not None:
            post_class = 1 + (i // len(TEMPLATES) + post_class - 1) % 3
        roster.add_department(session, SYSTEM, full, kind=kind, post_class=post_class, code=f"D{i + 1:02d}")
    clerk_id = 0
    for username, display, role, password in USERS:
        user = accounts.create_user(session, SYSTEM, username, display, role, password)
        if username == CLERK[0]:
            clerk_id = user.id
    return clerk_id


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _people(session: Any, spec: Scale, months: list[PeriodSpec], rng: random.Random) -> list[dict[str, Any]]:
    """The roster, bulk-inserted: police and auxiliaries, heads, a few new hires and leavers."""
    depts = roster.get_station(session).departments
    first, last = months[0].start, months[-1].end
    rows: list[dict[str, Any]] = []
    police_no, aux_no = 150001, 1
    for d_index, dept in enumerate(depts):
        sequence = TEMPLATES[d_index % len(TEMPLATES)][3]
        for i in range(spec.people_per_department):
            police = i < max(2, spec.people_per_department * 6 // 10)
            position = ("所长" if d_index % len(TEMPLATES) == 0 else "中队长") if i == 0 else (
                "副中队长" if i == 1 else "民警" if police else "辅警")
            active_from = first - dt.timedelta(days=rng.randint(300, 4000))
            active_to = None
            if rng.random() < 0.01:
                active_from = first + dt.timedelta(days=rng.randint(30, max(31, (last - first).days - 30)))
            elif rng.random() < 0.01:
                active_to = last - dt.timedelta(days=rng.randint(30, max(31, (last - first).days - 30)))
            badge = str(police_no) if police else f"FJ{aux_no:05d}"
            if police:
                police_no += 1
            else:
                aux_no += 1
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            rows.append({
                "id": len(rows) + 1, "uuid": _uuid(rng), "badge": badge, "name": name,
                "identity": (Identity.POLICE if police else Identity.AUXILIARY).value, "position": position,
                "department_id": dept.id, "sequence": sequence if police else f"{sequence}（辅警）",
                "is_head": i == 0 and d_index % len(TEMPLATES) == 0, "active_from": active_from,
                "active_to": active_to,
            })
    session.execute(insert(Person), rows)
    return rows


class _Ledger:
    """Generates a month of entries per person and bulk-inserts them in one statement."""

    def __init__(self, db: Database, rng: random.Random, people: list[dict[str, Any]], clerk_id: int,
                 made: dataset_units.Units, units_rng: random.Random) -> None:
        self.db, self.rng, self.people, self.clerk_id = db, rng, people, clerk_id
        self.count = 0
        self.next_id = 1
        self.rows: list[dict[str, Any]] = []
        with db.session() as session:
            self.versions = [(v.effective_from, {i.code: i for i in v.items})
                             for v in catalogue.list_versions(session)]
            for _, items in self.versions:
                for item in items.values():
                    session.expunge(item)
            self.units = dataset_units.UnitLedger(session, made, units_rng, clerk_id, self.new_id)
        self.batches: dict[tuple[int, dt.date], str] = {}

    def item(self, code: str, day: dt.date) -> Any:
        for start, items in reversed(self.versions):
            if start <= day:
                return items[code]
        return self.versions[0][1][code]

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add(self, person: dict[str, Any], code: str, day: dt.date, quantity: int = 1, *,
            source: EntrySource = EntrySource.MANUAL, batch: str | None = None) -> int:
        item = self.item(code, day)
        if item.points_mode == PointsMode.RANGE.value:
            per = self.rng.randrange(item.min_tenths, item.max_tenths + 1, 5)
        else:
            per = item.points_tenths
        entry_id = self.new_id()
        self.rows.append({
            "id": entry_id, "uuid": _uuid(self.rng), "occurred_on": day, "person_id": person["id"],
            "unit_id": None, "scheme": "person", "case_no": "", "case_type": "",
            "item_id": item.id, "item_code": item.code, "item_name": item.name, "category": item.category,
            "component": item.component, "veto": item.veto, "quantity": quantity, "points_tenths": per * quantity,
            "note": NOTES.get(code, ""), "source": source.value, "batch_uuid": batch, "reverses_id": None,
            "recorded_by_id": self.clerk_id if source != EntrySource.IMPORT else None,
            "recorded_by_name": "内勤" if source != EntrySource.IMPORT else "县局",
            "recorded_at": dt.datetime.combine(day, dt.time(17, self.rng.randint(0, 59))),
        })
        return entry_id

    def reverse(self, original: dict[str, Any]) -> None:
        self.rows.append(original | {
            "id": self.next_id, "uuid": _uuid(self.rng), "points_tenths": -original["points_tenths"],
            "note": "作废：重复录入", "source": EntrySource.REVERSAL.value, "reverses_id": original["id"],
            "batch_uuid": None,
        })
        self.next_id += 1

    def duty_batch(self, person: dict[str, Any], day: dt.date) -> str:
        key = (person["department_id"], day)
        if key not in self.batches:
            self.batches[key] = _uuid(self.rng)
        return self.batches[key]

    def fill(self, month: PeriodSpec, index: int, months: int) -> None:
        days = [month.start + dt.timedelta(days=n) for n in range((month.end - month.start).days + 1)]
        mid = days[14]
        self.batches.clear()
        manual: list[int] = []
        active = [p for p in self.people if _active(p, mid)]
        veto_every = max(1, len(TEMPLATES))
        for n, person in enumerate(active):
            manual += self._person_month(person, days)
            if index == months // 2 and n % (veto_every * 100) == 7 and person["identity"] == "police":
                self.add(person, "DL-08", mid)
        by_id = {row["id"]: row for row in self.rows}
        for entry_id in self.rng.sample(manual, k=len(manual) // 20):
            self.reverse(by_id[entry_id])
        self.rows += self.units.month(month, index == months - 1, _active)
        with self.db.transaction() as session:
            session.execute(insert(Entry), sorted(self.rows, key=lambda r: (r["occurred_on"], r["id"])))
            self.units.insert_reviews(session)
        self.count += len(self.rows)
        self.rows = []

    def _person_month(self, person: dict[str, Any], days: list[dt.date]) -> list[int]:
        """One person's month; returns the ids of manual bonuses and deductions (reversal candidates)."""
        rng, seq = self.rng, person["sequence"]
        days = [d for d in days if _active(person, d)]
        if not days:
            return []
        duty = EntrySource.DUTY
        if not person["is_head"]:
            for day in rng.sample(days, k=min(len(days), rng.randint(3, 5))):
                batch = self.duty_batch(person, day)
                self.add(person, "ZB-02", day, source=duty, batch=batch)
                self.add(person, "JJ-01", day, rng.randint(2, 8), source=duty, batch=batch)
            if seq.startswith(("治安管理", "社区警务")):
                for day in rng.sample(days, k=min(len(days), rng.randint(2, 5))):
                    self.add(person, "ZB-03", day, source=duty, batch=self.duty_batch(person, day))
            if rng.random() < 0.25:
                self.add(person, "ZB-05", rng.choice(days), source=duty)
        day = rng.choice(days)
        if person["identity"] == Identity.POLICE.value:
            self.add(person, "DL-01", days[min(5, len(days) - 1)])
        for code in ("RC-01", "RC-02", "NW-01"):
            self.add(person, code, rng.choice(days))
        manual: list[int] = []
        if seq.startswith("执法办案"):
            self.add(person, "BA-01", day, rng.randint(1, 4))
            self.add(person, "BA-03", day, rng.randint(1, 6))
            if rng.random() < 0.4:
                self.add(person, "BA-07", day, rng.randint(1, 2))
            if rng.random() < 0.2:
                manual.append(self.add(person, "BA-14", day))
        elif seq.startswith("社区警务"):
            self.add(person, "RC-03", day, rng.randint(15, 60))
            self.add(person, "RC-04", day, rng.randint(5, 30))
            self.add(person, "BA-09", day, rng.randint(2, 12))
        elif seq.startswith("治安管理"):
            self.add(person, "BA-03", day, rng.randint(1, 5))
            self.add(person, "BA-08", day, rng.randint(1, 3))
        else:
            self.add(person, "RC-07", day, rng.randint(2, 5))
            self.add(person, "RC-08", day)
            if rng.random() < 0.1:
                manual.append(self.add(person, "RC-11", day))
        if rng.random() < 0.3:
            manual.append(self.add(person, "FW-02", rng.choice(days)))
        if rng.random() < 0.15:
            manual.append(self.add(person, "JJ-03", rng.choice(days)))
        if rng.random() < 0.12:
            manual.append(self.add(person, rng.choice(("ZB-08", "JR-02", "NW-04")), rng.choice(days)))
        for code in ("SJ-02", "SJ-08", "SJ-03"):
            if rng.random() < 0.03:
                self.add(person, code, days[-1], source=EntrySource.IMPORT)
        return manual


def _active(person: dict[str, Any], day: dt.date) -> bool:
    start, end = person["active_from"], person["active_to"]
    return (start is None or start <= day) and (end is None or end >= day)

