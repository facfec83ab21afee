"""Roadmaps as items, edited on screen, with a monthly progress report due on the last Monday of
each month (seed 004)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import access, audit
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import Campaign, Case, Category
from app.models.document import Roadmap, RoadmapItem, RoadmapReport, RoadmapStatus
from app.models.org import Organisation, OrgKind
from app.models.types import utcnow
from app.models.user import User
from app.stages.printing import director_signatory
from app.workflows.due import report_periods

STATUS_LABELS = {
    RoadmapStatus.PLANNED: _l("planned"),
    RoadmapStatus.IN_PROGRESS: _l("in progress"),
    RoadmapStatus.DONE: _l("done"),
    RoadmapStatus.NOT_DONE: _l("not done"),
}
# The joint plan of a ШНОР school with its leader school is a roadmap of this category.
MENTOR_PLAN = "mentor_plan"

# Typical measures of a school's objectivity roadmap, after the municipal roadmap of seed 004.
SCHOOL_MEASURES = (
    (
        "Самодиагностика причин необъективности результатов ВПР по шаблону «Семь шагов»",
        "до 30 ноября",
        "Директор, заместитель директора по УВР",
        "Самоанализ сдан в МБУ «ИМЦ»",
    ),
    (
        "Сопоставление результатов ВПР с текущей и промежуточной аттестацией у одних и тех же обучающихся",
        "ноябрь – декабрь",
        "Заместитель директора по УВР",
        "Аналитическая справка о соответствии отметок",
    ),
    (
        "Корректировка планов школьных методических объединений по предметам с признаками необъективности",
        "ноябрь",
        "Руководители ШМО",
        "Планы ШМО утверждены",
    ),
    (
        "Участие учителей математики и русского языка в курсах повышения квалификации",
        "ноябрь – май",
        "Заместитель директора по УВР",
        "Не менее двух учителей прошли КПК",
    ),
    (
        "Обеспечение общественного наблюдения и видеонаблюдения при проведении оценочных процедур",
        "постоянно",
        "Директор",
        "Наблюдатели присутствуют на всех процедурах",
    ),
    (
        "Проверка работ комиссией с участием учителей других школ; шифрование работ",
        "при каждой процедуре",
        "Заместитель директора по УВР",
        "Доля подтверждённых отметок не ниже 90 %",
    ),
    (
        "Педагогический совет по итогам анализа объективности оценивания",
        "январь",
        "Директор",
        "Протокол педсовета, решения",
    ),
    (
        "Информационные встречи с родителями об объективной оценке результатов",
        "в течение учебного года",
        "Классные руководители",
        "Проведено не менее двух встреч",
    ),
)


def roadmap_of(owner: Organisation, campaign: Campaign, category: str, *, actor: User) -> Roadmap:
    """The owner's roadmap for the campaign; created (with typical measures) on first use."""
    found = db.session.scalars(
        sa.select(Roadmap).where(
            Roadmap.owner_org_id == owner.id,
            Roadmap.campaign_id == campaign.id,
            Roadmap.category == category,
        )
    ).first()
    if found is not None:
        return found
    roadmap = Roadmap(
        owner_org_id=owner.id,
        campaign_id=campaign.id,
        category=category,
        title=f"Дорожная карта повышения объективности оценочных процедур в {campaign.school_year} учебном году",
    )
    db.session.add(roadmap)
    db.session.flush()
    if owner.kind is OrgKind.SCHOOL:
        for position, (measure, deadline, responsible, indicator) in enumerate(SCHOOL_MEASURES, 1):
            db.session.add(
                RoadmapItem(
                    roadmap_id=roadmap.id,
                    position=position,
                    measure=measure,
                    deadline=deadline,
                    responsible=responsible,
                    indicator=indicator,
                )
            )
    audit.record(
        "roadmap.created",
        actor=actor,
        object_type="roadmap",
        object_id=roadmap.id,
        org_id=owner.id,
        after={"campaign_id": campaign.id, "category": category},
    )
    db.session.flush()
    db.session.refresh(roadmap, ["items"])
    return roadmap


@dataclass(frozen=True)
class ItemValues:
    measure: str
    deadline: str
    responsible: str
    indicator: str
    status: RoadmapStatus
    progress_note: str | None = None

    def cleaned(self) -> ItemValues:
        if not self.measure.strip():
            raise InvalidInput(_("Describe the measure."))
        return ItemValues(
            self.measure.strip(),
            self.deadline.strip(),
            self.responsible.strip(),
            self.indicator.strip(),
            self.status,
            (self.progress_note or "").strip() or None,
        )


def _snapshot(item: RoadmapItem) -> dict[str, object]:
    return {
        "measure": item.measure,
        "deadline": item.deadline,
        "responsible": item.responsible,
        "indicator": item.indicator,
        "status": item.status.value,
        "note": item.progress_note,
    }


def save_item(
    roadmap: Roadmap, item_id: int | None, values: ItemValues, *, actor: User
) -> RoadmapItem:
    """Add a measure, or change one; recorded in the history."""
    if not access.can_edit_roadmap(actor, roadmap):
        raise NotAllowed(_("Only the roadmap's own organisation edits it."))
    values = values.cleaned()
    item = next((i for i in roadmap.items if i.id == item_id), None) if item_id else None
    if item_id and item is None:
        raise InvalidInput(_("No such measure in this roadmap."))
    before = _snapshot(item) if item else None
    if item is None:
        item = RoadmapItem(roadmap_id=roadmap.id, position=len(roadmap.items) + 1)
        db.session.add(item)
        roadmap.items.append(item)
    item.measure, item.deadline, item.responsible = (
        values.measure,
        values.deadline,
        values.responsible,
    )
    item.indicator, item.status, item.progress_note = (
        values.indicator,
        values.status,
        values.progress_note,
    )
    item.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "roadmap.item_saved",
        actor=actor,
        object_type="roadmap",
        object_id=roadmap.id,
        org_id=roadmap.owner_org_id,
        before=before,
        after=_snapshot(item),
    )
    return item


def submit_report(
    roadmap: Roadmap, period: str, text: str, *, actor: User, now: datetime | None = None
) -> RoadmapReport:
    """The monthly progress report for a period of the campaign."""
    if not access.can_edit_roadmap(actor, roadmap):
        raise NotAllowed(_("Only the roadmap's own organisation reports on it."))
    campaign = db.session.get(Campaign, roadmap.campaign_id)
    assert campaign is not None
    due = dict(report_periods(campaign)).get(period)
    if due is None:
        raise InvalidInput(_("No report is due for this month."))
    if not text.strip():
        raise InvalidInput(_("Write what was done this month."))
    if any(r.period == period for r in roadmap.reports):
        raise InvalidInput(_("The report for this month is already submitted."))
    report = RoadmapReport(
        roadmap_id=roadmap.id,
        period=period,
        due_date=due,
        text=text.strip(),
        submitted_at=now or utcnow(),
        submitted_by_id=actor.id,
    )
    db.session.add(report)
    roadmap.reports.append(report)
    db.session.flush()
    audit.record(
        "roadmap.report_submitted",
        actor=actor,
        object_type="roadmap",
        object_id=roadmap.id,
        org_id=roadmap.owner_org_id,
        after={"period": period, "due_date": due},
    )
    return report


def roadmap_case(roadmap: Roadmap) -> Case | None:
    """The case a school's roadmap belongs to (the same school and campaign)."""
    category = Category.LOW_RESULTS if roadmap.category == MENTOR_PLAN else roadmap.category
    return db.session.scalars(
        sa.select(Case).where(
            Case.school_id == roadmap.owner_org_id,
            Case.campaign_id == roadmap.campaign_id,
            Case.category == category,
        )
    ).first()


def school_roadmap(case: Case) -> Roadmap | None:
    """The school's own roadmap for the case's campaign and track, if started."""
    return db.session.scalars(
        sa.select(Roadmap).where(
            Roadmap.owner_org_id == case.school_id,
            Roadmap.campaign_id == case.campaign_id,
            Roadmap.category == case.category.value,
        )
    ).first()


def printable(case: Case, roadmap: Roadmap | None = None) -> dict[str, Any]:
    """The document context of a roadmap (default: the school's own one for the case): its
    measures as the seeds' roadmap tables list them (call under the document's locale)."""
    found = roadmap if roadmap is not None else school_roadmap(case)
    status = {s: str(label) for s, label in STATUS_LABELS.items()}
    items = [
        {
            "section": None,
            "number": i.position,
            "measure": i.measure,
            "deadline": i.deadline,
            "responsible": i.responsible,
            "indicator": i.indicator,
            "status": status.get(i.status),
            "progress": i.progress_note,
        }
        for i in (found.items if found else [])
    ]
    return {"approved_by": None, "items": items, "signatory": director_signatory(case)}
