"""Analytic data attached to a case: the school's student marks (§4) for the correlation
analysis of its information certificate, and the recheck results (§5) for the protocol."""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app import access, lazy
from app.analytics import charts
from app.analytics.correlation import correlation_records, describe, read_student_marks
from app.analytics.recheck import read_recheck
from app.documents import checks, storage
from app.documents.versions import store_version
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import Case
from app.models.document import Document, DocumentVersion
from app.models.figures import DataFigures
from app.models.user import User
from app.stages import recheck
from app.tabular import FileRefused, Problem

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

STUDENT_MARKS = "student_marks"
RECHECK_RESULTS = "recheck_results"
MEASURES = {
    "q1": "Четверть 1",
    "q2": "Четверть 2",
    "q3": "Четверть 3",
    "q4": "Четверть 4",
    "attestation": "Промежуточная аттестация",
    "vpr": "ВПР",
    "oge": "ОГЭ",
    "ege": "ЕГЭ",
}


# The reader of each kind: bytes -> (frame, problems).
READERS: dict[str, Callable[[bytes], tuple[pd.DataFrame, list[Problem]]]] = {
    STUDENT_MARKS: read_student_marks,
    RECHECK_RESULTS: read_recheck,
}


def upload(case: Case, key: str, name: str, data: bytes, *, actor: User) -> DocumentVersion:
    """Check the table by content and by its format, then store it as the next version."""
    if not access.can_upload_data(actor, case, key):
        raise NotAllowed(_("Your role does not upload this data."))
    kind, filename = checks.check_data_file(name, data, current_app.config["MAX_CONTENT_LENGTH"])
    frame, problems = READERS[key](data)
    if problems:
        raise FileRefused(problems)
    if not (frame["school_login"].astype(str) == case.school.login).any():
        raise InvalidInput(
            _("The file has no rows for the school %(login)s.", login=case.school.login)
        )
    document = db.session.scalars(
        sa.select(Document).where(Document.case_id == case.id, Document.kind == key)
    ).first()
    if document is None:
        document = Document(
            owner_org_id=case.school_id,
            case_id=case.id,
            campaign_id=case.campaign_id,
            kind=key,
            created_by_id=actor.id,
        )
        db.session.add(document)
        db.session.flush()
    version = store_version(document, data, kind, filename, actor=actor)
    if key == RECHECK_RESULTS:  # the rows become the commission's works
        recheck.import_works(case, data, actor=actor)
    if key == STUDENT_MARKS:  # read once, here: the case page shows the stored figures
        login = case.school.login or ""
        if db.session.get(DataFigures, (version.sha256, key, login)) is None:
            school = frame[frame["school_login"].astype(str) == login]
            db.session.add(
                DataFigures(
                    sha256=version.sha256, kind=key, school_login=login, figures=_figures(school)
                )
            )
    return version


def _plain(value: Any) -> Any:
    """A value JSON keeps: numpy scalars as numbers, NaN as None, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _figures(frame: pd.DataFrame) -> dict[str, Any]:
    """The correlation rows (without their wording, which is said in the reader's language)
    and the charts (titled in Russian, like the documents they go into) of a school's marks."""
    rows = []
    for r in correlation_records(frame, by=("subject", "class")):  # no NaN: absent fields
        r.pop("wording", None)
        rows.append(
            {
                **_plain(r),
                "measure_label": MEASURES.get(r["measure"], r["measure"]),
                "compared_label": MEASURES.get(r["compared_with"], r["compared_with"]),
            }
        )
    with force_locale("ru"):
        images = _correlation_charts(rows)
    return {
        "rows": rows,
        "images": {name: base64.b64encode(png).decode() for name, png in images.items()},
    }


def _latest_version(case: Case, key: str) -> DocumentVersion | None:
    return db.session.scalars(
        sa.select(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(Document.case_id == case.id, Document.kind == key)
        .order_by(DocumentVersion.id.desc())
        .limit(1)
    ).first()


def latest(case: Case, key: str) -> tuple[DocumentVersion, pd.DataFrame] | None:
    """The newest uploaded table of this kind, read back (the school's rows only)."""
    version = _latest_version(case, key)
    if version is None:
        return None
    frame, _problems = READERS[key](storage.store().get(version.sha256))
    return version, frame[frame["school_login"].astype(str) == case.school.login]


def correlations(
    case: Case, *, images: bool = True, documents: Sequence[Document] | None = None
) -> dict[str, Any] | None:
    """The correlation analysis of the school's marks, with charts (``images``: name → PNG;
    empty unless asked for) and the charts' names (``charts``); None without data. The figures
    were stored when the file was uploaded (a file kept from before is read now). With
    ``documents`` (every document of the case, their versions loaded: the case page's), the
    newest marks are found among them rather than read again."""
    if documents is None:
        version = _latest_version(case, STUDENT_MARKS)
    else:
        marks = [
            v
            for d in documents
            if d.case_id == case.id and d.kind == STUDENT_MARKS
            for v in d.versions
        ]
        version = max(marks, key=lambda v: v.id, default=None)
    if version is None:
        return None
    figures = _figures_of(case, version)
    rows = [{**r, "wording": describe(r)} for r in figures["rows"]]
    drawn = figures["images"]
    return {
        "version": version,
        "rows": rows,
        "charts": list(drawn),
        "images": {name: base64.b64decode(data) for name, data in drawn.items()} if images else {},
    }


def correlation_chart(case: Case, name: str) -> bytes | None:
    """One chart of the correlation of the school's marks as PNG (the case page shows each
    from its own address); None without data or without that chart."""
    version = _latest_version(case, STUDENT_MARKS)
    if version is None:
        return None
    data = _figures_of(case, version)["images"].get(name)
    return base64.b64decode(data) if data else None


def _figures_of(case: Case, version: DocumentVersion) -> dict[str, Any]:
    login = case.school.login or ""
    stored = db.session.get(DataFigures, (version.sha256, STUDENT_MARKS, login))
    if stored is not None:
        return dict(stored.figures)
    frame, _problems = read_student_marks(storage.store().get(version.sha256))
    return _figures(frame[frame["school_login"].astype(str) == login])


def _correlation_charts(rows: list[dict[str, Any]]) -> dict[str, bytes]:
    usable = [r for r in rows if r["status"] == "ok" and r.get("confirmed") is not None]
    images: dict[str, bytes] = {}
    if usable:
        bars = pd.DataFrame(
            [
                {
                    "label": f"{r['subject']}, {r['class']}: {r['measure_label']} / {r['compared_label']}",
                    "lowered": r["lowered"],
                    "confirmed": r["confirmed"],
                    "raised": r["raised"],
                }
                for r in usable[:12]
            ]
        )
        images["agreement"] = charts.agreement_png(
            bars, title=_("Marks lowered, confirmed and raised")
        )
        first = next((r for r in usable if r.get("contingency")), None)
        if first is not None:
            images["contingency"] = charts.contingency_png(
                first["contingency"],
                x_label=first["compared_label"],
                y_label=first["measure_label"],
                title=f"{first['subject']}, {first['class']}",
            )
    return images
