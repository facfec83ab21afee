"""A campaign's plan in the database: made from templates, changed measure by measure by the
ministry (and by a municipality for its own schools), every approved version kept whole."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app import access, audit
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import Campaign
from app.models.org import Organisation
from app.models.plan import Plan, PlanMeasure, PlanVersion
from app.models.types import utcnow
from app.models.user import User
from app.plans import measures as m
from app.plans.templates import TEMPLATES, parse_keys


def plan_of(campaign: Campaign) -> Plan:
    """The campaign's plan (every campaign has one)."""
    plan = db.session.scalars(sa.select(Plan).where(Plan.campaign_id == campaign.id)).first()
    if plan is None:
        raise InvalidInput(_("The campaign has no plan."))
    return plan


def active_measures(plan: Plan, municipality_id: int | None = None) -> list[PlanMeasure]:
    """The plan's measures in force for the cases of a municipality (the region's, and that
    municipality's own), in order."""
    return [
        row
        for row in plan.measures
        if row.active and row.municipality_id in (None, municipality_id)
    ]


def export(plan: Plan) -> dict[str, Any]:
    """The plan as plain data: what a version keeps and the XLSX carries."""
    return {
        "title": plan.title,
        "template": plan.template_key,
        "default_level": plan.default_level,
        "version": plan.version,
        "measures": [
            {
                **m.to_row(m.from_row(row), row.position),
                "municipality_id": row.municipality_id,
                "overrides": _key_of(plan, row.overrides_id),
                "withdrawn": not row.active,
            }
            for row in plan.measures
        ],
    }


def _key_of(plan: Plan, measure_id: int | None) -> str | None:
    return next((row.key for row in plan.measures if row.id == measure_id), None)


def create_plan(
    campaign: Campaign, templates: str | tuple[str, ...], *, actor: User | None
) -> Plan:
    """The campaign's plan, made from one or more templates for the campaign's VPR year."""
    try:
        keys = parse_keys(templates)
    except KeyError as err:
        raise InvalidInput(_("Unknown plan template: %(key)s.", key=str(err.args[0]))) from err
    chosen = [TEMPLATES[k] for k in keys]
    plan = Plan(
        campaign_id=campaign.id,
        template_key="+".join(keys),
        title="; ".join(t.title for t in chosen),
        default_level=next((t.default_level for t in chosen if t.default_level), None),
        assumptions="\n\n".join(t.assumptions for t in chosen),
        version=1,
        updated_by_id=actor.id if actor else None,
    )
    db.session.add(plan)
    db.session.flush()
    position = 0
    for template in chosen:
        for measure in template.measures(campaign.vpr_year):
            position += 1
            db.session.add(PlanMeasure(plan_id=plan.id, **m.to_row(measure, position)))
    db.session.flush()
    db.session.refresh(plan, ["measures"])
    titles = "; ".join(f"«{template.title}»" for template in chosen)
    _keep_version(plan, _("Made from the templates: %(keys)s.", keys=titles), actor)
    audit.record(
        "plan.created",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        org_id=campaign.region_id,
        after={"campaign_id": campaign.id, "templates": list(keys), "measures": position},
    )
    return plan


def _keep_version(plan: Plan, reason: str | None, actor: User | None) -> None:
    db.session.add(
        PlanVersion(
            plan_id=plan.id,
            version=plan.version,
            data=_jsonable(export(plan)),
            reason=reason,
            created_by_id=actor.id if actor else None,
        )
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Change:
    """What one change of the plan did to a measure: before and after, as stored."""

    measure: PlanMeasure
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _snapshot(row: PlanMeasure) -> dict[str, Any]:
    return _jsonable(m.to_row(m.from_row(row), row.position))  # type: ignore[no-any-return]


def _check(values: m.Measure) -> None:
    if not values.title.strip():
        raise InvalidInput(_("Describe the measure."))
    if len(values.number) > m.NUMBER_MAX or len(values.seed) > m.SEED_MAX:
        raise InvalidInput(_("The number or the source is too long."))
    if not values.tracks:
        raise InvalidInput(_("Choose the lists (tracks) the measure applies to."))
    if values.milestone not in m.MILESTONES:
        raise InvalidInput(_("Unknown milestone."))
    if not (values.takes in m.TAKES_PLAIN or values.takes.startswith(m.TAKES_PREFIXES)):
        raise InvalidInput(_("Unknown way of answering the measure."))
    if any(level not in m.ALL_LEVELS for level in values.levels):
        raise InvalidInput(_("The support levels are 1, 2 and 3."))


def save_measure(
    plan: Plan,
    key: str | None,
    values: m.Measure,
    *,
    actor: User,
    reason: str,
    municipality: Organisation | None = None,
    overrides: str | None = None,
) -> Change:
    """Add a measure (``key`` None) or change one; the plan's next version, with the reason.
    A municipality changes only its own measures; one that ``overrides`` a regional measure
    replaces it for the municipality's schools with an earlier internal date."""
    campaign = plan.campaign
    if municipality is None and not access.can_edit_plan(actor, campaign):
        raise NotAllowed(_("Only the ministry of the campaign's region edits its plan."))
    if municipality is not None and not access.can_extend_plan(actor, campaign, municipality.id):
        raise NotAllowed(_("A municipality adds measures for its own schools only."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the plan changes (it is recorded in every case)."))
    _check(values)
    row = next((r for r in plan.measures if r.key == key), None) if key else None
    if key and row is None:
        raise InvalidInput(_("No such measure in the plan."))
    owner = municipality.id if municipality else None
    if row is not None and row.municipality_id != owner:
        raise NotAllowed(_("This measure belongs to another plan."))
    replaced = _overridden(plan, overrides, values, municipality)
    before = _snapshot(row) if row is not None else None
    last = max((r.position for r in plan.measures), default=0)
    position = row.position if row is not None else last + 1
    new_key = row.key if row is not None else _fresh_key(plan, values.key or "measure")
    columns = m.to_row(values.shifted(key=new_key), position)
    if before is not None and before == _jsonable(columns):
        return Change(row, before, before)  # type: ignore[arg-type]
    if row is None:
        row = PlanMeasure(plan_id=plan.id, municipality_id=owner, **columns)
        db.session.add(row)
    else:
        for name, value in columns.items():
            setattr(row, name, value)
    if replaced is not None:
        row.overrides_id = replaced.id
    _bump(plan, actor, reason)
    after = _snapshot(row)
    audit.record(
        "plan.measure_saved",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        org_id=owner or campaign.region_id,
        before=before,
        after=after,
        reason=reason,
    )
    return Change(row, before, after)


def _overridden(
    plan: Plan, key: str | None, values: m.Measure, municipality: Organisation | None
) -> PlanMeasure | None:
    """The regional measure a municipality's own one replaces, checked: the municipality may
    set an earlier date for its schools, never a later one."""
    if not key:
        return None
    if municipality is None:
        raise InvalidInput(_("Only a municipality's own measure replaces a regional one."))
    regional = next((r for r in plan.measures if r.key == key and r.municipality_id is None), None)
    if regional is None or not regional.active:
        raise InvalidInput(_("No such measure in the plan."))
    if regional.due_on is not None and (
        values.when.due is None or values.when.due > regional.due_on
    ):
        raise InvalidInput(
            _(
                "A municipality may set an earlier date than the region's (%(day)s), not a later one.",
                day=regional.due_on.strftime("%d.%m.%Y"),
            )
        )
    return regional


def _fresh_key(plan: Plan, wanted: str) -> str:
    taken = {r.key for r in plan.measures}
    base = "".join(c if c.isalnum() or c == "_" else "_" for c in wanted.lower())[:50] or "measure"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return key


def _bump(plan: Plan, actor: User, reason: str) -> None:
    plan.version += 1
    plan.updated_at, plan.updated_by_id = utcnow(), actor.id
    db.session.flush()
    db.session.refresh(plan, ["measures"])
    _keep_version(plan, reason, actor)


def withdraw_measure(plan: Plan, key: str, *, actor: User, reason: str) -> Change:
    """Take a measure out of the plan (its open obligations are waived by the caller)."""
    row = next((r for r in plan.measures if r.key == key), None)
    if row is None:
        raise InvalidInput(_("No such measure in the plan."))
    allowed = (
        access.can_edit_plan(actor, plan.campaign)
        if row.municipality_id is None
        else access.can_extend_plan(actor, plan.campaign, row.municipality_id)
    )
    if not allowed:
        raise NotAllowed(_("Only the ministry of the campaign's region edits its plan."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the plan changes (it is recorded in every case)."))
    if not row.active:
        return Change(row, None, None)
    row.withdrawn_at, row.withdrawn_reason = utcnow(), reason
    _bump(plan, actor, reason)
    audit.record(
        "plan.measure_withdrawn",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        org_id=row.municipality_id or plan.campaign.region_id,
        before={"key": key, "title": row.title},
        reason=reason,
    )
    return Change(row, _snapshot(row), None)


@dataclass
class Replaced:
    """What a whole new list of the region's measures changed in the plan."""

    added: list[str]
    changed: list[str]
    withdrawn: list[str]

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.withdrawn)


def replace_measures(plan: Plan, new: list[m.Measure], *, actor: User, reason: str) -> Replaced:
    """Make the region's measures those of ``new`` (a plan read back from its workbook): a row
    with a known key changes that measure, one without adds a measure, a measure missing from
    the list is withdrawn; all of it one new version of the plan."""
    if not access.can_edit_plan(actor, plan.campaign):
        raise NotAllowed(_("Only the ministry of the campaign's region edits its plan."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the plan changes (it is recorded in every case)."))
    for values in new:
        _check(values)
    rows = {r.key: r for r in plan.measures if r.municipality_id is None}
    done = Replaced([], [], [])
    seen: set[str] = set()
    for position, values in enumerate(new, start=1):
        row = rows.get(values.key) if values.key else None
        if row is None:
            key = _fresh_key(plan, values.key or values.number or "measure")
            db.session.add(
                PlanMeasure(plan_id=plan.id, **m.to_row(values.shifted(key=key), position))
            )
            db.session.flush()
            db.session.refresh(plan, ["measures"])
            done.added.append(key)
            seen.add(key)
            continue
        seen.add(row.key)
        columns = m.to_row(values.shifted(key=row.key), position)
        if _snapshot(row) != _jsonable(columns) or not row.active:
            for name, value in columns.items():
                setattr(row, name, value)
            row.withdrawn_at = row.withdrawn_reason = None
            done.changed.append(row.key)
    for key, row in rows.items():
        if key not in seen and row.active:
            row.withdrawn_at, row.withdrawn_reason = utcnow(), reason
            done.withdrawn.append(key)
    if not done.any:
        return done
    _bump(plan, actor, reason)
    audit.record(
        "plan.replaced",
        actor=actor,
        object_type="plan",
        object_id=plan.id,
        org_id=plan.campaign.region_id,
        after={"added": done.added, "changed": done.changed, "withdrawn": done.withdrawn},
        reason=reason,
    )
    return done
