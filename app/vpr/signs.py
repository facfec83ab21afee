"""Computing the signs for a year from stored results, the proposed list, and approving it
into cases through the same importer as a federal list."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app import audit, lazy
from app.analytics.exams import exam_confirmation
from app.analytics.proposed import proposed_list, proposed_list_csv, proposed_list_xlsx
from app.analytics.signs import compute_signs
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.models.org import Organisation, OrgKind
from app.models.types import utcnow
from app.models.user import User
from app.models.vpr import SignRun, SignRunSchool
from app.vpr import exams, store
from app.workflows.flags import REGIONAL, FlagReport, import_flags

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")


def _jsonable(value: Any) -> Any:
    return json.loads(
        json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v))
    )


def _schools(region: Organisation) -> pd.DataFrame:
    municipality = sa.orm.aliased(Organisation)
    rows = db.session.execute(
        sa.select(
            Organisation.login, Organisation.name, municipality.name, Organisation.specialised
        )
        .join(municipality, municipality.id == Organisation.municipality_id)
        .where(Organisation.kind == OrgKind.SCHOOL, Organisation.region_id == region.id)
    ).all()
    return pd.DataFrame(rows, columns=["login", "name", "municipality", "specialised"])


def compute_run(region: Organisation, year: int, *, actor: User | None) -> SignRun:
    """Run every sign over the region's results of ``year`` (and ``year - 1`` for sign 5)."""
    frame = store.load_frame(region, [year - 1, year, year + 1])  # sign 5 looks both ways
    if frame.empty or not (frame["year"] == year).any():
        raise InvalidInput(_("There are no results for %(year)d.", year=year))
    schools = _schools(region)
    specialised = schools.loc[schools["specialised"], "login"].tolist()
    specs = store.load_specs([year - 1, year, year + 1])
    external = exam_confirmation(
        exams.load_exams(region, [year]), {s.subject: s.code for s in specs}
    )
    result = compute_signs(
        frame,
        specs,
        year=year,
        specialised=specialised,
        external=external if not external.empty else None,
    )
    markers = _jsonable(result.markers.to_dict("records"))
    evidence = _jsonable(result.evidence())
    run = SignRun(
        region_id=region.id,
        year=year,
        rules=_jsonable(result.rules),
        markers=markers,
        evidence=evidence,
        created_by_id=actor.id if actor else None,
        schools=len({m["school_login"] for m in markers if m["marker"]}),
    )
    db.session.add(run)
    db.session.flush()
    _store_by_school(run, markers, evidence)
    audit.record(
        "signs.computed",
        actor=actor,
        object_type="sign_run",
        object_id=run.id,
        org_id=region.id,
        after={
            "year": year,
            "schools_with_markers": run.schools,
            "rules": {k: v.get("version") for k, v in run.rules.items()},
        },
    )
    return run


def latest_run(region: Organisation, year: int | None = None) -> SignRun | None:
    stmt = sa.select(SignRun).where(SignRun.region_id == region.id)
    if year is not None:
        stmt = stmt.where(SignRun.year == year)
    return db.session.scalars(stmt.order_by(SignRun.id.desc()).limit(1)).first()


def proposed(run: SignRun, region: Organisation) -> pd.DataFrame:
    """The run's proposed list in the §3 layout."""
    markers = pd.DataFrame(run.markers)
    if markers.empty:
        return pd.DataFrame()
    return proposed_list(markers, _schools(region))


def proposed_bytes(run: SignRun, region: Organisation, fmt: str) -> bytes:
    """The proposed list as a CSV or XLSX file."""
    frame = proposed(run, region)
    return proposed_list_csv(frame) if fmt == "csv" else proposed_list_xlsx(frame)


def approve(
    run: SignRun,
    region: Organisation,
    *,
    actor: User,
    logins: Iterable[str] | None = None,
    reasons: Mapping[str, str] | None = None,
    dropped: Mapping[str, str] | None = None,
) -> FlagReport:
    """Approve the proposed list school by school: the chosen schools (default: every school
    not decided yet) get their markers as the region's own, beside any federal markers of an
    existing case, or a new case; `dropped` schools are left out with their reason."""
    frame = proposed(run, region)
    decided = set(run.decisions or {})
    listed = set(frame["Логин"]) if not frame.empty else set()
    chosen = (listed - decided) if logins is None else set(logins)
    dropped = dict(dropped or {})
    again = (chosen | set(dropped)) & decided
    if again or (logins is None and not dropped and not chosen):
        raise Conflict(_("This list has already been approved."))
    if not chosen and not dropped:
        raise InvalidInput(_("Tick a school to approve, or give the reason to drop one."))
    unknown = (chosen | set(dropped)) - listed
    if unknown:
        raise InvalidInput(
            _("Not on the proposed list: %(logins)s.", logins=", ".join(sorted(unknown)))
        )
    reasons = dict(reasons or {})
    report = FlagReport()
    if chosen:
        part = frame[frame["Логин"].isin(chosen)]
        report = import_flags(
            proposed_list_csv(part), region=region, actor=actor, source=REGIONAL, reasons=reasons
        )
        if not report.ok:
            return report
    now = utcnow()
    decisions = dict(run.decisions or {})
    for login in sorted(chosen):
        decisions[login] = _decision("added", reasons.get(login, ""), actor, now)
    for login, reason in sorted(dropped.items()):
        decisions[login] = _decision("dropped", reason, actor, now)
        audit.record(
            "signs.school_dropped",
            actor=actor,
            object_type="sign_run",
            object_id=run.id,
            org_id=region.id,
            after={"year": run.year, "school": login, "reason": reason},
        )
    run.decisions = decisions
    if run.approved_at is None:
        run.approved_at, run.approved_by_id = now, actor.id
    audit.record(
        "signs.approved",
        actor=actor,
        object_type="sign_run",
        object_id=run.id,
        org_id=region.id,
        after={
            "year": run.year,
            "schools_added": sorted(chosen),
            "schools_dropped": sorted(dropped),
            "cases_created": len(report.cases_created),
        },
    )
    return report


def _decision(kind: str, reason: str, actor: User, when: Any) -> dict[str, Any]:
    return {"decision": kind, "reason": reason, "by": actor.id, "at": when.isoformat()}


def _store_by_school(
    run: SignRun, markers: list[dict[str, Any]], evidence: list[dict[str, Any]]
) -> None:
    """Each school's markers and evidence in a row of its own (one multi-row INSERT)."""
    parts: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for key, items in (("markers", markers), ("evidence", evidence)):
        for item in items:
            login = str(item.get("school_login") or "")
            parts.setdefault(login, {"markers": [], "evidence": []})[key].append(item)
    if parts:
        db.session.execute(
            sa.insert(SignRunSchool),
            [{"run_id": run.id, "school_login": k, **part} for k, part in parts.items()],
        )


def _school_part(run: SignRun, login: str) -> SignRunSchool | None:
    """The school's row of the run, read once per loaded run (a run's rows never change)."""
    parts: dict[str, SignRunSchool | None] = sa.inspect(run).info.setdefault("schools", {})
    if login not in parts:
        parts[login] = db.session.get(SignRunSchool, (run.id, login))
    return parts[login]


def school_run(region_id: int, year: int, login: str) -> sa.Row[Any] | None:
    """The region's newest run of ``year`` (``id``, ``year``, ``created_at``) with one school's
    part of it (``evidence`` and ``markers``, None when the run holds nothing of the school):
    one statement of plain rows, built once, for the case page."""
    params = {"region_id": region_id, "year": year, "login": login}
    return db.session.execute(_SCHOOL_RUN, params).first()


_SCHOOL_RUN = (
    sa.select(
        SignRun.id,
        SignRun.year,
        SignRun.created_at,
        SignRunSchool.evidence,
        SignRunSchool.markers,
    )
    .outerjoin(
        SignRunSchool,
        sa.and_(
            SignRunSchool.run_id == SignRun.id,
            SignRunSchool.school_login == sa.bindparam("login", type_=sa.String),
        ),
    )
    .where(
        SignRun.region_id == sa.bindparam("region_id", type_=sa.Integer),
        SignRun.year == sa.bindparam("year", type_=sa.SmallInteger),
    )
    .order_by(SignRun.id.desc())
    .limit(1)
)


def evidence_of(run: SignRun, login: str) -> list[dict[str, Any]]:
    """The fired signs' evidence for one school: one row by primary key, not the region's run."""
    part = _school_part(run, login)
    return list(part.evidence) if part is not None else []


def works_of(run: SignRun, login: str) -> list[dict[str, Any]]:
    """The markers of one school's works in the run (same one row as `evidence_of`)."""
    part = _school_part(run, login)
    return list(part.markers) if part is not None else []
