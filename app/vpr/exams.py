"""State exam results (ОГЭ, ЕГЭ) of the region's schools: imported whole or not at all, and read
back for sign 1."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _

from app import audit, lazy
from app.analytics.exams import read_exam_results
from app.extensions import db
from app.models.org import Organisation, OrgKind
from app.models.user import User
from app.models.vpr import ExamResult
from app.tabular import Problem

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

logger = logging.getLogger(__name__)


@dataclass
class ExamReport:
    """What an exam results file did: its problems (then nothing was written) or its counts."""

    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    units: int = 0  # (year, exam, subject, school) replaced

    @property
    def ok(self) -> bool:
        """True when the file was imported."""
        return not self.problems


def import_exams(data: bytes, *, region: Organisation, actor: User | None) -> ExamReport:
    """Import a §7 file: every school must be the region's; each (year, exam, subject, school)
    in the file replaces what was stored for it."""
    frame, problems = read_exam_results(data)
    report = ExamReport(problems=list(problems))
    if report.problems:
        return report
    schools: dict[str, int] = {
        str(login): int(org_id)
        for login, org_id in db.session.execute(
            sa.select(Organisation.login, Organisation.id).where(
                Organisation.region_id == region.id, Organisation.kind == OrgKind.SCHOOL
            )
        )
    }
    for row, login in zip(frame["row"], frame["school_login"], strict=True):
        if login not in schools:
            report.problems.append(
                Problem(int(row), "Логин ОО", _("No school of the region has this login."))
            )
    if report.problems:
        return report
    frame["school_id"] = frame["school_login"].map(schools)
    units = frame[["year", "exam", "subject", "school_id"]].drop_duplicates()
    for unit in units.itertuples(index=False):
        db.session.execute(
            sa.delete(ExamResult).where(
                ExamResult.year == int(unit.year),
                ExamResult.exam == unit.exam,
                ExamResult.subject == unit.subject,
                ExamResult.school_id == int(unit.school_id),
            )
        )
    db.session.execute(
        sa.insert(ExamResult),
        [
            {
                "year": int(r.year),
                "exam": r.exam,
                "subject": r.subject,
                "school_id": int(r.school_id),
                "participant": r.participant,
                "score": int(r.score),
                "test_score": None if pd.isna(r.test_score) else int(r.test_score),
                "mark": None if pd.isna(r.mark) else int(r.mark),
            }
            for r in frame.itertuples(index=False)
        ],
    )
    report.rows, report.units = len(frame), len(units)
    audit.record(
        "exams.imported",
        actor=actor,
        object_type="organisation",
        object_id=region.id,
        org_id=region.id,
        after={"rows": report.rows, "units": report.units},
    )
    return report


def load_exams(region: Organisation, years: Iterable[int]) -> pd.DataFrame:
    """The stored exam results of the region's schools in `years`, shaped like §7's frame."""
    stmt = (
        sa.select(
            ExamResult.year,
            ExamResult.exam,
            ExamResult.subject,
            Organisation.login.label("school_login"),
            ExamResult.participant,
            ExamResult.score,
            ExamResult.test_score,
            ExamResult.mark,
        )
        .join(Organisation, Organisation.id == ExamResult.school_id)
        .where(Organisation.region_id == region.id, ExamResult.year.in_(list(years)))
    )
    frame = pd.read_sql(stmt, db.session.connection())
    for column in ("test_score", "mark"):
        frame[column] = frame[column].astype("Int16")
    return frame


def counts(region: Organisation) -> list[tuple[int, str, int]]:
    """(year, exam, participants) stored for the region, newest first."""
    rows = db.session.execute(
        sa.select(ExamResult.year, ExamResult.exam, sa.func.count())
        .join(Organisation, Organisation.id == ExamResult.school_id)
        .where(Organisation.region_id == region.id)
        .group_by(ExamResult.year, ExamResult.exam)
        .order_by(ExamResult.year.desc(), ExamResult.exam)
    ).all()
    return [(int(y), str(e), int(n)) for y, e, n in rows]
