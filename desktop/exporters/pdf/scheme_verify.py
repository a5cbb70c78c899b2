"""Verification codes of printed 积分排名表 and 通报, and checking such a paper against the database.

The grade sheet's codes (`JF-2026-03-D01-…`, services/sheet_codes.py) name a department of the
person scheme; a unit scheme's paper names its scheme instead:

    JFS-2026-03-JICENG-3FA9-C2B1-D0E4           the short code printed under the QR code
    JFS1;S=150302;C=jiceng;P=2026-03;H=<64 hex>  what the QR code holds

The hex is the start of the digest `scheme_signing` computes over the period's rows (every
subject's components, total, rank, grade and why): the frozen digest the signers signed once the
period is submitted, the live one before. Nothing is stored when a sheet is printed;
`jifen verify CODE` (desktop/cli/documents.py) computes the rows again and compares.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from desktop.exporters.pdf.data import Verification
from desktop.services import scheme_signing
from desktop.services.errors import ValidationError
from desktop.services.periods import parse_period
from desktop.services.roster import get_station

SHORT_HEX = 12
_SHORT = re.compile(r"^JFS-(?P<period>\d{4}(?:-Q[1-4]|-H[12]|-\d{2})?)-(?P<scheme>[A-Z][A-Z0-9_]*)-"
                    r"(?P<hex>[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})$")
_QR = re.compile(r"^JFS1;S=(?P<station>[^;]*);C=(?P<scheme>[^;]+);P=(?P<period>[^;]+);H=(?P<hex>[0-9a-fA-F]{64})$")


def is_scheme_code(text: str) -> bool:
    """Whether `jifen verify` was given a scheme sheet's code rather than a grade sheet's."""
    return unicodedata.normalize("NFKC", text).strip().upper().startswith("JFS")


def short_code(period_code: str, scheme_code: str, digest: str) -> str:
    h = digest[:SHORT_HEX].upper()
    return f"JFS-{period_code}-{scheme_code.upper()}-{h[:4]}-{h[4:8]}-{h[8:12]}"


def verification_of(station_code: str, scheme_code: str, period_code: str, digest: str) -> Verification:
    qr = f"JFS1;S={station_code};C={scheme_code};P={period_code};H={digest}"
    return Verification(code=short_code(period_code, scheme_code, digest), qr_text=qr, digest=digest)


@dataclass(frozen=True)
class SchemeRef:
    scheme_code: str  # lower case, as schemes are named
    period_code: str
    digest: str  # 12 hex digits from a short code, 64 from a QR code (lower case)
    station_code: str | None = None


def parse_code(text: str) -> SchemeRef:
    """The short code (any case, full-width characters, spaces) or the QR text."""
    raw = unicodedata.normalize("NFKC", text).strip()
    if m := _QR.match(raw):
        return SchemeRef(m["scheme"].lower(), parse_period(m["period"]).code, m["hex"].lower(), m["station"])
    compact = re.sub(r"\s+", "", raw).upper()
    if m := _SHORT.match(compact):
        return SchemeRef(m["scheme"].lower(), parse_period(m["period"]).code, m["hex"].replace("-", "").lower())
    raise ValidationError(f"“{text.strip()}”不是积分排名表的核验码；核验码形如 JFS-2026-03-JICENG-3FA9-C2B1-D0E4")


@dataclass
class SchemeVerifyReport:
    code: str
    title: str  # 基层基础 2026年3月 积分排名表
    state_label: str
    matches: bool  # the code's digest is the one the database gives the period now
    changed: bool = False  # submitted, and the entries no longer give the submitted rows
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.matches and not self.changed

    def lines(self) -> list[str]:
        """The report in Chinese, one line per fact (the CLI prints these)."""
        head = f"{self.title}（{self.state_label}），核验码 {self.code}"
        if self.ok:
            verdict = "核验通过：纸质表与数据库一致。"
        elif self.matches:
            verdict = "核验未通过：纸质表与提交签核时固定的结果一致，但此后积分有变动，须重新提交签核。"
        else:
            verdict = ("核验未通过：纸质表与数据库当前数据不符（打印后积分有变动、重新提交或解锁过签核，"
                       "或纸质表不是本程序打印的）。")
        return [head, verdict, *self.notes]


def verify_scheme_code(session: Session, text: str) -> SchemeVerifyReport:
    ref = parse_code(text)
    station = get_station(session)
    if ref.station_code is not None and ref.station_code != station.code:
        raise ValidationError(f"该表属于单位代码 {ref.station_code}，不是本数据库的单位（{station.code}）")
    sheet = scheme_signing.sheet(session, ref.scheme_code, ref.period_code)
    report = SchemeVerifyReport(code=short_code(ref.period_code, ref.scheme_code, ref.digest),
                                title=f"{sheet.scheme.name} {sheet.period.label} 积分排名表",
                                state_label=sheet.state_label, matches=sheet.digest.startswith(ref.digest),
                                changed=sheet.changed)
    signed = "、".join(f"{s.step_title}（{s.signer_name}）" for s in sheet.signatures)
    if signed:
        report.notes.append(f"已签字：{signed}")
    if not report.matches:
        report.notes.append("数据库无法得知纸质表上的原值，请将纸质表与重新打印的排名表逐项核对。")
    return report
