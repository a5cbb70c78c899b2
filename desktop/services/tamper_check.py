"""Everything `jifen audit verify` checks, in one report that claims only what it checked.

1. the audit chain, event by event (`audit.verify`);
2. every row that decides a grade against its seal (`seal_verify`), with the derived tables;
3. the database's schema against what the migrations make (an extra trigger or view is how an
   insider would rewrite future entries), when the check is available;
4. the chain against earlier heads: codes given with `--against` (a printed sheet's code, an
   export, a backup) and the newest backups in the backup folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from desktop.models.db import Database
from desktop.services import audit, chain_head, seal_verify
from desktop.services.errors import JifenError

MAX_LINES = 40  # findings listed one per line; the rest are counted by table


@dataclass
class TamperReport:
    chain_ok: bool = True
    chain_checked: int = 0
    chain_problem: str = ""
    chain_broken_at: int | None = None
    rows: seal_verify.RowReport = field(default_factory=seal_verify.RowReport)
    schema_checked: bool = False
    schema_problems: list[str] = field(default_factory=list)
    against: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (source, code, problems)
    backups_checked: int = 0
    backup_problems: list[str] = field(default_factory=list)
    head: str = ""

    @property
    def ok(self) -> bool:
        return (self.chain_ok and self.rows.ok and not self.schema_problems and not self.backup_problems
                and not any(p for _, _, p in self.against))

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.chain_ok:
            out.append(f"审计记录哈希链逐条校验通过：共 {self.chain_checked} 条，链头 {self.head}")
        else:
            out.append(f"审计记录被改动：从第 {self.chain_broken_at} 条起哈希链断裂 —— {self.chain_problem}"
                       f"（此前 {self.chain_checked} 条校验通过）")
        rows = self.rows
        if not rows.sealed:
            out.append("数据行尚未封存（数据库来自没有行封存的版本且从未升级）：无法核对数据行")
        elif rows.ok:
            out.append(f"数据行与封存一致：共核对 {rows.rows_checked} 行（人员、细则、积分记录、佐证、周期、确认、签核、"
                       "等次调整、奖励、政策等）")
        for problem in rows.seal_problems:
            out.append(f"行封存不符：{problem}")
        for finding in rows.findings[:MAX_LINES]:
            out.append(f"在本程序之外改动：{finding.line()}")
        if len(rows.findings) > MAX_LINES:
            counts: dict[str, int] = {}
            for finding in rows.findings:
                label = seal_verify.TABLE_LABELS.get(finding.table, finding.table)
                counts[label] = counts.get(label, 0) + 1
            out.append(f"……共 {len(rows.findings)} 行在本程序之外改动（" +
                       "，".join(f"{k} {v} 行" for k, v in counts.items()) + "），完整清单用 --format json 查看")
        if self.schema_checked:
            out.extend(f"数据库结构不符：{p}" for p in self.schema_problems)
            if not self.schema_problems:
                out.append("数据库结构（表、索引、触发器、视图）与本程序建立的一致")
        for source, code, problems in self.against:
            out.extend(f"与{source}比对不符：{p}" for p in problems)
            if not problems:
                out.append(f"与{source}比对一致：其审计链码 {code} 仍在数据库中，此前的记录未被改写")
        out.extend(f"与备份比对不符：{p}" for p in self.backup_problems)
        if self.backups_checked and not self.backup_problems:
            out.append(f"与备份文件夹中最近的 {self.backups_checked} 个备份比对一致")
        elif not self.backups_checked:
            out.append("备份文件夹中没有可比对的备份：未与备份比对（可用 --against 指定纸面表上的审计链码或备份文件）")
        if not self.ok:
            out.append("请从备份中找出改动前的数据库，并追查改动人")
        return out

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok, "head": self.head,
            "chain": {"ok": self.chain_ok, "checked": self.chain_checked, "broken_at": self.chain_broken_at,
                      "problem": self.chain_problem},
            "rows": {"ok": self.rows.ok, "sealed": self.rows.sealed, "checked": self.rows.rows_checked,
                     "seal_problems": self.rows.seal_problems,
                     "findings": [f.as_json() for f in self.rows.findings]},
            "schema": {"checked": self.schema_checked, "problems": self.schema_problems},
            "against": [{"source": s, "code": c, "problems": p} for s, c, p in self.against],
            "backups": {"checked": self.backups_checked, "problems": self.backup_problems},
        }


def check(db: Database, against: list[str] | None = None) -> TamperReport:
    report = TamperReport()
    with db.session() as session:
        chain = audit.verify(session)
        report.chain_ok, report.chain_checked, report.chain_problem = chain.ok, chain.checked, chain.reason
        report.chain_broken_at = chain.broken_at
        report.rows = seal_verify.verify_rows(session)
        report.head = chain_head.head_code(session)
        for value in against or []:
            source, code = _source(value)
            report.against.append((source, code, chain_head.check_code(session, code)))
    if db.path is not None:
        _schema(db.path, report)
        _backups(db.path, report)
    return report


def _source(value: str) -> tuple[str, str]:
    """(what it is, its code) for an `--against` value: a code or a file holding one."""
    path = Path(value)
    if path.is_file():
        return f"文件“{path.name}”", chain_head.code_in_file(path)
    if chain_head.CODE.search(value.strip().upper()) is None:
        raise JifenError(f"--against “{value}”既不是文件，也不是审计链码（应形如 123-9F3A2C7B）")
    return "审计链码", value.strip().upper()


def _schema(path: Path, report: TamperReport) -> None:
    from desktop.services.backup_schema import schema_differences

    report.schema_checked = True
    report.schema_problems = list(schema_differences(path))


def _backups(path: Path, report: TamperReport) -> None:
    from desktop.services import backup

    report.backup_problems, report.backups_checked = backup.compare_with_backups(path)
