"""Seal every row that decides a grade into the audit chain, as the program writes it.

The hash chain says who did what; it said nothing about the rows themselves, so a raw edit of
an entry in the SQLite file went unnoticed. Now each committing transaction that changed
covered rows appends one `rows.seal` audit event whose detail is the digest of what it sealed:
for every changed row, its table, key and the SHA-256 of its stored values (`row_seals` keeps
those, with the row itself so a report can name a changed field). `seal_verify` re-hashes the
tables against the latest seal of each row.

Changes are seen in the program's own process, never by database triggers: a trigger would
seal an insider's raw edit as readily as ours. Unit-of-work writes come from `after_flush`;
bulk statements (`session.execute(insert(...), rows)`, `delete(...).where(...)`) from
`do_orm_execute`, which reads the keys they touch (the WHERE clause's rows before a delete or
update, the `id` or `uuid` of each inserted row). A bulk write whose rows cannot be told is a
programming error and refuses to commit, so no write path can silently skip the seal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, event, insert, inspect, select, text
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from desktop.models.audit import AuditEvent, RowSeal
from desktop.models.base import Base

# The tables whose rows decide a grade (or who may decide one). Left out: the audit trail
# itself, the seals, `entry_sums` (kept by triggers from entries; `seal_verify` recomputes it)
# and `evidence_blobs` (addressed by their own SHA-256, which `seal_verify` checks).
COVERED = (
    "stations", "departments", "signoff_steps", "settings", "users", "people", "absences", "department_moves",
    "catalogue_versions", "catalogue_items", "entries", "evidence_files", "periods",
    "period_transitions", "confirmations", "signoffs", "grade_policies", "policy_versions",
    "score_results", "grade_overrides", "awards", "units", "unit_members", "schemes", "case_reviews",
    "scheme_results", "scheme_signoffs", "self_reports", "report_evidence", "reviewer_assignments",
    "ratings", "sheet_signoffs", "revoked_signatures", "probations", "complaints", "late_findings",
)
SEAL_ACTIONS = ("rows.seal", "rows.baseline", "rows.migrated")
# Columns a migration added to covered tables, by revision. A row sealed before the upgrade
# hashes differently after it only because of these; `reseal_migrated` seals it afresh when,
# without them, it is still exactly what was sealed (a row edited behind our back before the
# upgrade is left as it is, and still shows as edited).
ADDED_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "0007": {"entries": ("unit_id", "scheme", "case_no", "case_type"), "catalogue_versions": ("scheme",)},
    "0009": {"catalogue_items": ("self_report",), "signoff_steps": ("scope", "signer", "signer_badge")},
    "0010": {"people": ("id_number",),
             "score_results": ("person_badge", "person_name", "person_identity", "department_name")},
}
# An audit event's `sealed` column: {rows, tables, digest} of the rows its transaction sealed.
_INFO = "jifen.seals"
_CHUNK = 500


@dataclass
class _Pending:
    keys: dict[str, set[Any]] = field(default_factory=dict)
    uuids: dict[str, set[str]] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    sealing: bool = False

    def add(self, table: str, key: Any) -> None:
        self.keys.setdefault(table, set()).add(key)

    def empty(self) -> bool:
        return not (self.keys or self.uuids or self.unknown)


def table_of(name: str) -> Table:
    return Base.metadata.tables[name]


def key_column(name: str) -> str:
    (column,) = table_of(name).primary_key.columns
    return column.name


def install(factory: sessionmaker[Session]) -> None:
    """Seal the covered rows each session of `factory` commits."""
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _on_execute)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_rollback", _forget)


def _pending(session: Session) -> _Pending:
    found = session.info.get(_INFO)
    if found is None:
        found = session.info[_INFO] = _Pending()
    return found


def _forget(session: Session) -> None:
    session.info.pop(_INFO, None)


def _after_flush(session: Session, _context: Any) -> None:
    pending = _pending(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in COVERED:
            # Not `identity`: a new object gets it only after the flush; its key is set by now.
            key = inspect(obj).mapper.primary_key_from_instance(obj)[0]
            if key is not None:
                pending.add(table, key)


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name not in COVERED:
        return
    pending = _pending(state.session)
    if state.is_insert:
        params = state.parameters
        rows = params if isinstance(params, list) else [params] if params else []
        if not rows:
            pending.unknown.add(name)
        for row in rows:
            if row.get("id") is not None:
                pending.add(name, row["id"])
            elif row.get("uuid"):
                pending.uuids.setdefault(name, set()).add(row["uuid"])
            else:
                pending.unknown.add(name)
        return
    # An UPDATE or DELETE: its rows, read before it runs (a deleted row is sealed as gone).
    params = state.parameters
    if isinstance(params, list) and params and all(p.get("id") is not None for p in params):
        for row in params:  # ORM bulk UPDATE by primary key
            pending.add(name, row["id"])
        return
    where = state.statement.whereclause
    query = select(table.c[key_column(name)])
    if where is not None:
        query = query.where(where)
    for key in state.session.execute(query).scalars():
        pending.add(name, key)


def _before_commit(session: Session) -> None:
    pending = session.info.get(_INFO)
    if pending is not None and pending.sealing:
        return
    session.flush()  # commit flushes only after this event: the last changes must be seen now
    pending = session.info.pop(_INFO, None)
    if pending is None or pending.empty():
        return
    if pending.unknown:
        raise RuntimeError(f"bulk write to {sorted(pending.unknown)} without row ids or uuids: rows cannot be sealed")
    for name, uuids in pending.uuids.items():
        column = table_of(name).c
        for chunk in _chunks(sorted(uuids)):
            query = select(column[key_column(name)]).where(column["uuid"].in_(chunk))
            for key in session.execute(query).scalars():
                pending.add(name, key)
    marker = _Pending(sealing=True)
    session.info[_INFO] = marker
    try:
        seal(session, pending.keys, action="rows.seal")
    finally:
        session.info.pop(_INFO, None)


# -- row states ----------------------------------------------------------------------------

_AS_STORED = frozenset({str, int, float, type(None)})  # what SQLite hands back, kept as it is


def plain(value: Any) -> Any:
    """A stored value in a form JSON keeps exactly (the same for SQLite's and PostgreSQL's)."""
    if value.__class__ in _AS_STORED:  # nearly every value of a row read raw: told at once
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return {"sha256": hashlib.sha256(bytes(value)).hexdigest()}
    if isinstance(value, dt.datetime):
        # As SQLAlchemy writes a DateTime into SQLite (always with microseconds): a station's
        # seals then still hold once its file is pushed to a server, which hands back datetimes.
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


_STATE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))  # made once, not per row
_SORTED = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # for a dict made in sorted key order


def state_json(row: dict[str, Any]) -> str:
    return _STATE.encode({k: plain(v) for k, v in row.items()})


def row_digest(table: str, key: Any, state: str) -> str:
    return hashlib.sha256(f"{table}\0{key}\0{state}".encode()).hexdigest()


def combined_digest(sealed: Iterable[tuple[str, str, str | None]]) -> str:
    """The digest a seal event carries: of its (table, key, row digest) triples, in order."""
    payload = json.dumps(sorted(sealed, key=lambda s: (s[0], s[1])), separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def read_rows(session: Session, table: str, keys: Iterable[Any] | None = None) -> Iterator[tuple[str, str]]:
    """(key, canonical state) of the table's rows, as stored: raw values, no type conversion,
    so a value typed into the file by hand is hashed as it is, not as the program would read it."""
    pk = key_column(table)
    if keys is None:
        yield from _states(session.execute(text(f'SELECT * FROM "{table}"')), pk)
        return
    query = text(f'SELECT * FROM "{table}" WHERE "{pk}" IN :keys').bindparams(bindparam("keys", expanding=True))
    for chunk in _chunks(sorted(keys, key=str)):
        yield from _states(session.execute(query, {"keys": chunk}), pk)


def _states(result: Any, pk: str) -> Iterator[tuple[str, str]]:
    """`state_json` of each row, the columns put in sorted order once for the whole result rather
    than sorted in every row's JSON (an import seals 110,000 rows: 2.1 -> 1.6 s), the same text."""
    columns = list(result.keys())
    order = sorted(range(len(columns)), key=columns.__getitem__)
    names = [columns[i] for i in order]
    at = columns.index(pk)
    encode = _SORTED.encode
    for row in result:
        values = [row[i] for i in order]
        if not all(v.__class__ in _AS_STORED for v in values):
            values = list(map(plain, values))
        yield str(row[at]), encode(dict(zip(names, values, strict=True)))


def latest_seals(session: Session, table: str, keys: list[str] | None = None) -> dict[str, str | None]:
    """The digest each row was last sealed with (None: sealed as deleted)."""
    latest = (select(RowSeal.row_key, RowSeal.digest).where(RowSeal.table_name == table)
              .order_by(RowSeal.id))
    found: dict[str, str | None] = {}
    if keys is None:
        for key, digest in session.execute(latest):
            found[key] = digest
        return found
    for chunk in _chunks(keys):
        for key, digest in session.execute(latest.where(RowSeal.row_key.in_(chunk))):
            found[key] = digest
    return found


def seal(session: Session, keys: dict[str, set[Any]], *, action: str) -> AuditEvent | None:
    """Seal the current state of these rows (those changed since their last seal)."""
    sealed: list[tuple[str, str, str | None, str]] = []
    for table in sorted(keys):
        states = dict(read_rows(session, table, keys[table]))
        wanted = sorted({str(k) for k in keys[table]})
        before = latest_seals(session, table, wanted)
        for key in wanted:
            state = states.get(key)
            digest = row_digest(table, key, state) if state is not None else None
            if (key in before and before[key] == digest) or (key not in before and digest is None):
                continue  # unchanged since its seal, or created and deleted in this transaction
            sealed.append((table, key, digest, state or ""))
    return _write(session, sealed, action)


def baseline(session: Session) -> AuditEvent | None:
    """Seal every covered row: a database upgraded from before row seals, sealed once."""
    sealed = [(table, key, row_digest(table, key, state), state)
              for table in COVERED for key, state in read_rows(session, table)]
    return _write(session, sealed, "rows.baseline")


def reseal_migrated(session: Session, from_revision: str | None) -> AuditEvent | None:
    """After an upgrade from `from_revision`: seal again the rows whose only change is a column
    the migrations since added (see ADDED_COLUMNS)."""
    added: dict[str, set[str]] = {}
    for revision, tables in ADDED_COLUMNS.items():
        if from_revision is not None and revision > from_revision:
            for table, columns in tables.items():
                added.setdefault(table, set()).update(columns)
    sealed: list[tuple[str, str, str | None, str]] = []
    for table in sorted(added):
        before = latest_seals(session, table)
        for key, state in read_rows(session, table):
            digest = row_digest(table, key, state)
            if before.get(key) in (None, digest):
                continue
            old = json.loads(state)
            for column in added[table]:
                old.pop(column, None)
            if row_digest(table, key, json.dumps(old, ensure_ascii=False, sort_keys=True,
                                                 separators=(",", ":"))) == before[key]:
                sealed.append((table, key, digest, state))
    return _write(session, sealed, "rows.migrated")


def has_seals(session: Session) -> bool:
    """Whether the chain has ever sealed rows (then a missing seal is tampering, never a reason
    to seal afresh)."""
    query = select(AuditEvent.id).where(AuditEvent.action.in_(SEAL_ACTIONS) | (AuditEvent.sealed != "")).limit(1)
    return session.scalar(query) is not None


def needs_baseline(session: Session) -> bool:
    if has_seals(session):
        return False
    return any(session.execute(text(f'SELECT 1 FROM "{t}" LIMIT 1')).first() for t in COVERED)


def _write(session: Session, sealed: list[tuple[str, str, str | None, str]], action: str) -> AuditEvent | None:
    """Record the seal: in the transaction's own newest audit event when it has one (so the
    event carries the digest of the rows it wrote), else in an event of its own."""
    from desktop.services import audit
    from desktop.services.actor import Actor

    if not sealed:
        return None
    sealed.sort(key=lambda s: (s[0], s[1]))
    counts: dict[str, int] = {}
    for table, *_ in sealed:
        counts[table] = counts.get(table, 0) + 1
    summary = {"rows": len(sealed), "tables": counts, "digest": combined_digest((t, k, d) for t, k, d, _ in sealed)}
    own = session.info.pop(audit.LAST_EVENT_INFO, None)
    if action == "rows.seal" and own is not None and audit.seal_newest(session, own, summary):
        event_row = own
    else:
        actor = session.info.get(audit.ACTOR_INFO) or Actor.system("seal")
        event_row = audit.record(session, actor, action, "rows", "", rows=len(sealed), tables=counts)
        session.info.pop(audit.LAST_EVENT_INFO, None)
        audit.seal_newest(session, event_row, summary)
    session.info.pop(audit.LAST_EVENT_INFO, None)
    session.execute(insert(RowSeal.__table__), [
        {"event_id": event_row.id, "table_name": t, "row_key": k, "digest": d, "state": s} for t, k, d, s in sealed])
    return event_row


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]
