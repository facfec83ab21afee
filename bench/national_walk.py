"""Playing the planned cases through their workflow definitions: stage visits, the obligations
each stage creates (levels, reviewers, due rules from app/workflows), hand-ins with document
versions, returns, acceptances, waivers, municipal acts that answer every case of a
municipality, and the history event each of these writes in the real operations."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from app.workflows.calendar import WorkingCalendar
from app.workflows.clock import local_date
from app.workflows.definitions import ObligationSpec
from app.workflows.due import due_date
from bench import national_names as nn
from bench.national import Directory, Person
from bench.national_cases import NOW, PlannedCase, Step
from bench.national_docs import Acts, Documents

PENDING = ("open", "returned")
# The state of the current stage's obligations: open, handed in, returned, accepted (weights).
CURRENT_STATES = {2026: (50, 28, 10, 12), 2025: (25, 25, 5, 45)}
WAIVE_SHARE = 0.02


@dataclass
class Visit:
    id: int
    case_id: int
    stage: str
    entered: datetime
    by: int | None
    reason: str | None
    left: datetime | None = None


@dataclass
class Ob:
    id: int
    case: PlannedCase
    visit: Visit
    spec: ObligationSpec
    responsible_org: int
    due: date
    status: str = "open"
    submitted_at: datetime | None = None
    completed_at: datetime | None = None
    comment: str | None = None
    document_id: int | None = None
    responsible_user: int | None = None
    updated_at: datetime | None = None
    updated_by: int | None = None
    version: int = 1

    @property
    def ends(self) -> datetime:
        """The end of the window in which things happen to this obligation."""
        return self.completed_at or self.visit.left or self.case.ended_at


@dataclass
class Walker:
    """Walks cases and collects every row and history event they produce."""

    directory: Directory
    calendar: WorkingCalendar
    schedules: dict[int, dict[str, date]]
    rng: random.Random
    acts: Acts
    documents: Documents
    events: list[tuple[Any, ...]] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    obligations: list[Ob] = field(default_factory=list)

    def event(
        self,
        at: datetime,
        actor: Person | None,
        action: str,
        object_type: str,
        object_id: int | None,
        case: PlannedCase | None,
        *,
        org_id: int | None = None,
        before: Any = None,
        after: Any = None,
        reason: str | None = None,
    ) -> None:
        """Append a history event in the shape app.audit.record() gives it."""
        self.events.append(
            (
                at,
                actor.id if actor else None,
                action,
                object_type,
                object_id,
                org_id if org_id is not None else case.school.id if case else None,
                case.id if case else None,
                before,
                after,
                reason,
            )
        )

    def ministry(self, case: PlannedCase) -> Person:
        return self.directory.person(case.school.region_id, "ministry")

    def person_for(self, case: PlannedCase, role_or_level: str) -> Person:
        """The account acting for a level ("school", "municipality", "region") or role."""
        if role_or_level in ("school",):
            return self.directory.person(case.school.id, "school")
        if role_or_level in ("municipality", "municipal"):
            return self.directory.person(case.school.municipality_id, "municipal")
        return self.ministry(case)

    # cases and stages -----------------------------------------------------------------------

    def walk(self, case: PlannedCase) -> None:
        """Open the case and take every planned step; settle the current stage as of now."""
        for step in case.steps:
            if step.transition is None:
                self._open(case, step)
            else:
                self._move(case, step)
        if case.status == "open":
            self._settle(case, case.visits[-1], NOW, current=True)

    def _open(self, case: PlannedCase, step: Step) -> None:
        actor = self.ministry(case)
        case.created_after = {
            "campaign_id": case.campaign_id,
            "school": case.school.login,
            "category": case.category,
            "workflow": case.workflow.ref,
            "markers": case.markers,
            "support_level": case.support_level,
            "source": "flag_list",
        }
        self.event(step.at, actor, "case.created", "case", case.id, case, after=case.created_after)
        case.updated_at, case.updated_by = step.at, actor.id
        self._enter(case, step, actor)

    def _move(self, case: PlannedCase, step: Step) -> None:
        transition = case.workflow.transition(step.transition or "")
        assert transition is not None, step.transition
        self._settle(case, case.visits[-1], step.at, current=False)
        before = {"stage": case.stage, "status": case.status}
        if transition.resolution:
            case.status = str(transition.resolution)
        elif transition.kind == "back":
            case.status = "open"
        municipal = "municipal" in {r.value for r in transition.roles}
        actor = self.person_for(case, "municipal" if municipal else "ministry")
        self._enter(case, step, actor)
        after = {"stage": case.stage, "status": case.status, "transition": transition.key}
        self.event(
            step.at,
            actor,
            "case.transition",
            "case",
            case.id,
            case,
            before=before,
            after=after,
            reason=step.reason,
        )
        case.updated_at, case.updated_by, case.version = step.at, actor.id, case.version + 1

    def _enter(self, case: PlannedCase, step: Step, actor: Person) -> None:
        if case.visits:
            case.visits[-1].left = step.at
        visit = Visit(len(self.visits) + 1, case.id, step.stage, step.at, actor.id, step.reason)
        self.visits.append(visit)
        case.visits.append(visit)
        case.stage = step.stage
        entered = local_date(step.at)
        for spec in case.workflow.stage(step.stage).obligations:
            org = self.person_for(case, spec.level.value).org_id
            due = due_date(spec.due, self.schedules[case.year], entered, self.calendar)
            ob = Ob(len(self.obligations) + 1, case, visit, spec, org, due)
            ob.updated_at, ob.updated_by = step.at, actor.id
            self.obligations.append(ob)
            case.obligations.append(ob)
            after = {
                "type": spec.key,
                "stage": step.stage,
                "responsible_org_id": org,
                "due_date": due.isoformat(),
                "due_rule": spec.due.encode(),
            }
            self.event(step.at, actor, "obligation.created", "obligation", ob.id, case, after=after)

    # obligations --------------------------------------------------------------------------------

    def _settle(self, case: PlannedCase, visit: Visit, end: datetime, *, current: bool) -> None:
        """Everything that happened to the visit's obligations before ``end``."""
        for ob in (o for o in case.obligations if o.visit is visit):
            if ob.spec.municipality_wide:
                self.acts.apply(self, ob, end)
            elif current:
                final = self.rng.choices(
                    ("open", "submitted", "returned", "accepted"), CURRENT_STATES[case.year]
                )[0]
                self._lifecycle(ob, end, final)
            else:
                final = "waived" if self.rng.random() < WAIVE_SHARE else "accepted"
                self._lifecycle(ob, end, final)

    def _lifecycle(self, ob: Ob, end: datetime, final: str) -> None:
        rounds = 0
        if ob.spec.documents and final != "open":
            rounds = self.rng.choices((0, 1, 2), (92, 6, 2))[0]
        actions = ["submit", *["return", "submit"] * rounds]
        actions += {
            "open": [],
            "submitted": [],
            "returned": ["return"],
            "accepted": ["accept"],
            "waived": ["return", "waive"],
        }[final]
        if final == "open":
            actions = []
        start, span = ob.visit.entered, end - ob.visit.entered
        times = sorted(start + span * self.rng.uniform(0.03, 0.97) for _ in actions)
        for action, at in zip(actions, times, strict=True):
            getattr(self, f"_{action}")(ob, at)

    def _touch(self, ob: Ob, at: datetime, actor: Person) -> None:
        ob.updated_at, ob.updated_by, ob.version = at, actor.id, ob.version + 1

    def _submit(self, ob: Ob, at: datetime) -> None:
        actor = self.person_for(ob.case, ob.spec.level.value)
        if ob.spec.documents:
            ob.document_id = self.documents.upload(self, ob, at, actor)
        before = ob.status
        ob.status, ob.submitted_at, ob.comment = "submitted", at, None
        self._touch(ob, at, actor)
        self.event(
            at,
            actor,
            "obligation.submitted",
            "obligation",
            ob.id,
            ob.case,
            before={"status": before},
            after={"status": "submitted"},
        )

    def _decide(self, ob: Ob, at: datetime, accept: bool, comment: str | None = None) -> None:
        actor = self.person_for(ob.case, ob.spec.reviewer.value if ob.spec.reviewer else "region")
        ob.status = "accepted" if accept else "returned"
        if accept:
            ob.completed_at = ob.submitted_at or at
        ob.comment = comment
        self._touch(ob, at, actor)
        after: dict[str, Any] = {"status": ob.status}
        number = self.documents.decide(ob, accept, comment, at, actor)
        if number is not None:
            after["document_version"] = number
        action = "obligation.accepted" if accept else "obligation.returned"
        self.event(
            at,
            actor,
            action,
            "obligation",
            ob.id,
            ob.case,
            before={"status": "submitted"},
            after=after,
            reason=comment,
        )

    def _accept(self, ob: Ob, at: datetime) -> None:
        self._decide(ob, at, True)

    def _return(self, ob: Ob, at: datetime) -> None:
        if ob.status != "submitted":
            return  # a waiver after nothing was handed in
        self._decide(ob, at, False, self.rng.choice(nn.RETURN_COMMENTS))

    def _waive(self, ob: Ob, at: datetime) -> None:
        actor = self.ministry(ob.case)
        before, reason = ob.status, "Обязательство снято решением рабочей группы министерства."
        ob.status, ob.completed_at, ob.comment = "waived", at, reason
        self._touch(ob, at, actor)
        self.event(
            at,
            actor,
            "obligation.waived",
            "obligation",
            ob.id,
            ob.case,
            before={"status": before},
            after={"status": "waived"},
            reason=reason,
        )


def working_days_before(calendar: WorkingCalendar, day: date, count: int) -> date:
    """The date ``count`` working days before ``day``."""
    while count > 0:
        day -= timedelta(days=1)
        if calendar.is_working(day):
            count -= 1
    return day
