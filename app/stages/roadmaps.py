"""Roadmaps as items, edited on screen, with a monthly progress report due on the last Monday of
each month (seed 004)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import access, audit
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import PENDING_STATUSES, Campaign, Case, Category, Obligation
from app.models.document import Roadmap, RoadmapItem, RoadmapReport, RoadmapStatus
from app.models.org import Organisation, OrgKind
from app.models.plan import DateKind
from app.models.types import utcnow
from app.models.user import User
from app.plans import calendar, dates
from app.plans import measures as m
from app.plans.service import plan_of
from app.stages.printing import director_signatory
from app.workflows import obligations
from app.workflows.locking import lock

STATUS_LABELS = {
    RoadmapStatus.PLANNED: _l("planned"),
    RoadmapStatus.IN_PROGRESS: _l("in progress"),
    RoadmapStatus.DONE: _l("done"),
    RoadmapStatus.NOT_DONE: _l("not done"),
}
# The joint plan of a ШНОР school with its leader school is a roadmap of this category.
MENTOR_PLAN = "mentor_plan"
# What a plan's monthly reporting measure takes.
REPORT_TAKES = "record:roadmap_report"

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


# Typical measures of a ШНОР school's roadmap, after the regional measures of seed 003 and the
# municipal roadmap 1.2 of seed 002.
SHNOR_MEASURES = (
    (
        "Анализ внутренних и внешних причин низких образовательных результатов по итогам "
        "анкетирования",
        "март",
        "Директор, заместитель директора по УВР",
        "Выявлены причины низких результатов, намечены меры",
    ),
    (
        "Участие педагогов в оценке профессиональных компетенций и в адресных программах "
        "повышения квалификации",
        "март – ноябрь",
        "Заместитель директора по УВР",
        "Педагоги с дефицитами прошли курсы",
    ),
    (
        "Совместные мероприятия со школой-лидером: посещение уроков, методические дни, "
        "наставничество",
        "в течение года",
        "Директор, руководители ШМО",
        "Проведены совместные мероприятия по плану",
    ),
    (
        "Индивидуальные образовательные маршруты для обучающихся группы риска учебной неуспешности",
        "в течение года",
        "Классные руководители, учителя-предметники",
        "Снижение доли неудовлетворительных отметок",
    ),
    (
        "Работа с родителями: информационные встречи, вовлечение в жизнь школы",
        "в течение года",
        "Классные руководители",
        "Проведено не менее двух встреч",
    ),
)
TITLES = {
    "objectivity": "Дорожная карта повышения объективности оценочных процедур в {year} учебном году",
    "low_results": "Дорожная карта повышения качества образования и перехода в эффективный режим "
    "функционирования в {year} учебном году",
    "adverse": "Дорожная карта повышения качества образования в условиях неблагоприятных "
    "социальных факторов в {year} учебном году",
    MENTOR_PLAN: "Совместный план работы со школой-лидером в {year} учебном году",
}
PREFILLS = {
    "objectivity": SCHOOL_MEASURES,
    "low_results": SHNOR_MEASURES,
    "adverse": SHNOR_MEASURES,
}


def report_periods(campaign: Campaign) -> list[tuple[str, date]]:
    """(YYYY-MM, due date) of the monthly roadmap report: the months of the plan's monthly
    reporting measure, or else November to May of the campaign's school year, each due on the
    last Monday of the month that is a working day."""
    rule = next(
        (
            m.rule_of(row)
            for row in plan_of(campaign).measures
            if row.active and row.takes == REPORT_TAKES and row.date_kind is DateKind.MONTHLY
        ),
        dates.monthly(date(campaign.vpr_year, 11, 1), date(campaign.vpr_year + 1, 5, 31)),
    )
    assert rule.start is not None
    assert rule.due is not None
    cal = calendar.load(rule.start, rule.due, campaign.region_id)
    return [(period, due) for period, _first, due in dates.months(rule, cal)]


def roadmap_of(owner: Organisation, campaign: Campaign, category: str, *, actor: User) -> Roadmap:
    """The owner's roadmap for the campaign and track (or the joint plan with a leader school);
    created on first use, a school's with the typical measures of its track."""
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
        title=TITLES.get(category, TITLES["objectivity"]).format(year=campaign.school_year),
    )
    db.session.add(roadmap)
    db.session.flush()
    if owner.kind is OrgKind.SCHOOL:
        prefill = PREFILLS.get(category, ())
        for position, (measure, deadline, responsible, indicator) in enumerate(prefill, 1):
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


def start_school_roadmap(case: Case, *, actor: User) -> Roadmap:
    """The case's school starts its roadmap for the case's campaign and track."""
    if not access.can_start_roadmap(actor, case):
        raise NotAllowed(_("The case's school starts its roadmap while the case is open."))
    return roadmap_of(case.school, case.campaign, case.category.value, actor=actor)


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
    _hand_in_reports(roadmap, period, actor=actor, now=report.submitted_at)
    return report


def _hand_in_reports(roadmap: Roadmap, period: str, *, actor: User, now: datetime) -> None:
    """The month's report answers the plan's monthly reporting obligations the roadmap's owner
    owes (for a municipality or its methodological centre, those of every case it reports on)."""
    ids = db.session.scalars(
        sa.select(Obligation.id)
        .join(Case, Case.id == Obligation.case_id)
        .where(
            Obligation.responsible_org_id == roadmap.owner_org_id,
            Case.campaign_id == roadmap.campaign_id,
            Obligation.takes == REPORT_TAKES,
            Obligation.period == period,
            Obligation.status.in_(PENDING_STATUSES),
        )
        .order_by(Obligation.id)
    ).all()
    for obligation_id in ids:
        obligation = lock(Obligation, obligation_id)
        if access.is_responsible(actor, obligation):
            obligations.hand_in(obligation, actor=actor, now=now)


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
    title = (
        found.title
        if found
        else TITLES.get(case.category.value, TITLES["objectivity"]).format(
            year=case.campaign.school_year
        )
    )
    return {
        "title": title,
        "approved_by": None,
        "items": items,
        "signatory": director_signatory(case),
    }
