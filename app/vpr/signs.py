"""Computing the signs for a year from stored results, the proposed list, and approving it
into cases through the same importer as a federal list."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import sqlalchemy as sa
from flask_babel import gettext as _

from app import audit
from app.analytics.proposed import proposed_list, proposed_list_csv, proposed_list_xlsx
from app.analytics.signs import compute_signs
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.models.org import Organisation, OrgKind
from app.models.types import utcnow
from app.models.user import User
from app.models.vpr import SignRun
from app.vpr import store
from app.workflows.flags import FlagReport, import_flags


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
    frame = store.load_frame(region, [year - 1, year])
    if frame.empty or not (frame["year"] == year).any():
        raise InvalidInput(_("There are no results for %(year)d.", year=year))
    schools = _schools(region)
    specialised = schools.loc[schools["specialised"], "login"].tolist()
    result = compute_signs(
        frame, store.load_specs([year - 1, year]), year=year, specialised=specialised
    )
    markers = _jsonable(result.markers.to_dict("records"))
    run = SignRun(
        region_id=region.id,
        year=year,
        rules=_jsonable(result.rules),
        markers=markers,
        evidence=_jsonable(result.evidence()),
        created_by_id=actor.id if actor else None,
        schools=len({m["school_login"] for m in markers if m["marker"]}),
    )
    db.session.add(run)
    db.session.flush()
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


def approve(run: SignRun, region: Organisation, *, actor: User) -> FlagReport:
    """Turn the proposed list into the campaign's cases exactly as a federal list would."""
    if run.approved_at is not None:
        raise Conflict(_("This list has already been approved."))
    report = import_flags(proposed_bytes(run, region, "csv"), region=region, actor=actor)
    if report.ok:
        run.approved_at, run.approved_by_id = utcnow(), actor.id
        audit.record(
            "signs.approved",
            actor=actor,
            object_type="sign_run",
            object_id=run.id,
            org_id=region.id,
            after={"year": run.year, "cases_created": len(report.cases_created)},
        )
    return report


def evidence_of(run: SignRun, login: str) -> list[dict[str, Any]]:
    """The fired signs' evidence for one school."""
    return [e for e in run.evidence if e.get("school_login") == login]
