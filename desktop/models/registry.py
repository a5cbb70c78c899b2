"""Every model module, imported: `Base.metadata` then knows every table and the mappers can
resolve every relationship. `desktop.models.db` and the migrations import this.

The package itself imports nothing, so light modules such as `desktop.models.enums` can be
used before SQLAlchemy is loaded (the program shows its login window that way).
"""


from desktop.models.accounts import User
from desktop.models.audit import AuditEvent, RowSeal
from desktop.models.base import Base
from desktop.models.catalogue import CatalogueItem, CatalogueVersion
from desktop.models.grading import Award, GradeOverride, GradePolicy, PolicyVersion, ScoreResult
from desktop.models.ledger import Entry, EntrySum, EvidenceBlob, EvidenceFile
from desktop.models.oversight import (
    Complaint,
    LateFinding,
    Probation,
    Rating,
    ReviewerAssignment,
    RevokedSignature,
    SheetSignOff,
)
from desktop.models.people import Absence, DepartmentMove, Person
from desktop.models.periods import Confirmation, Period, PeriodTransition, SignOff
from desktop.models.reports import ReportEvidence, SelfReport
from desktop.models.scheme_results import SchemeResult, SchemeSignOff
from desktop.models.station import Department, Setting, SignoffStep, Station
from desktop.models.units import CaseReview, SchemeRow, Unit, UnitMember

__all__ = [
    "Absence",
    "AuditEvent",
    "Award",
    "Base",
    "CaseReview",
    "CatalogueItem",
    "CatalogueVersion",
    "Complaint",
    "Confirmation",
    "Department",
    "DepartmentMove",
    "Entry",
    "EntrySum",
    "EvidenceBlob",
    "EvidenceFile",
    "GradeOverride",
    "GradePolicy",
    "LateFinding",
    "Period",
    "PeriodTransition",
    "Person",
    "PolicyVersion",
    "Probation",
    "Rating",
    "ReportEvidence",
    "ReviewerAssignment",
    "RevokedSignature",
    "RowSeal",
    "SchemeResult",
    "SchemeRow",
    "SchemeSignOff",
    "ScoreResult",
    "SelfReport",
    "Setting",
    "SheetSignOff",
    "SignOff",
    "SignoffStep",
    "Station",
    "Unit",
    "UnitMember",
    "User",
]
