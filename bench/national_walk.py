"""Playing the planned cases through their campaign's plan: every measure that applies to a case
is an obligation from the day the case opens, with its own term (app.workflows.derive); each is
handed in, returned, accepted or waived on days its term makes plausible (most on time, some
late, some still owed), with document versions, printed records and municipal acts that answer
every case of a municipality; the leader school of a ШНОР case and the terms that follow its
assignment, returns for rework, closings, the stage as the milestone summary of the obligations
(app.workflows.stages), and the history event each of these writes in the real operations."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.models.case import Category, Level
from app.models.plan import DateKind, PlanMeasure, Scope
from app.plans import measures as m
from app.plans.calendar import WorkingCalendar
from app.workflows.cases import REWORK_DAYS
from app.workflows.clock import local_date
from app.workflows.derive import terms
from app.workflows.stages import CLOSED_STAGE, DONE_STAGE
from bench import national_names as nn
from bench.national import LEVEL_ROLE, Directory, Person
from bench.national_cases import PlannedCase, Step
from bench.national_docs import PRINTED, Acts, Documents

PENDING = ("open", "returned")
DONE = ("accepted", "waived")
OUTCOMES = ("accepted", "submitted", "returned", "open", "waived")
# What becomes of an obligation of an open case (weights of OUTCOMES): past its term; not yet due
# (work handed in ahead of the term); due before an escalated case was closed.
PAST_DUE = (72, 7, 6, 13, 2)
NOT_YET_DUE = (20, 15, 3, 62, 0)
ESCALATED = (80, 5, 5, 10, 0)
LATE_SHARE = 0.15  # of the obligations handed in past their term's day, handed in late
WAIVE_SHARE = 0.02  # of a resolved case's required obligations, waived by the ministry
LEADER = "record:leader_assignment"
ATTENDANCE = "attendance"
# What the app writes in Russian: waive(), act_on_case() closing, accept_on_record() of a session.
WAIVE_REASON = "Обязательство снято решением рабочей группы министерства."
CLOSED_REASON = "Сопровождение закрыто."
SESSION = "Стратегическая сессия по управлению качеством образования"
ATTENDED = f"Управленческая команда участвовала в «{SESSION}»."
# Milestones whose obligations may be returned for rework (each case's own work, not an act,
# an attendance or the leader school's assignment).
REWORKABLE = ("certificate", "director_evaluation", "recheck", "diagnostics")


@dataclass
class Stay:
    """One stay of a case at a milestone (a case_stage row)."""

    id: int
    case_id: int
    stage: str
    entered: datetime
    by: int | None
    reason: str | None
    left: datetime | None = None


@dataclass(eq=False)
class Ob:
    id: int
    case: PlannedCase
    measure: PlanMeasure
    period: str
    opened_on: date
    due: date | None
    level: str  # the responsible level
    reviewer: str | None  # the reviewing level (None: done when handed in)
    responsible_org: int
    created: datetime
    document_types: list[str]
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
    def key(self) -> str:
        return self.measure.key

    @property
    def stage(self) -> str:
        return self.measure.milestone

    @property
    def required(self) -> bool:
        return self.measure.required

    @property
    def shared(self) -> bool:
        """One hand-in answers every case of the municipality (or the region)."""
        return self.measure.scope is not Scope.SCHOOL

    @property
    def ends(self) -> datetime:
        """The end of the window in which things happen to this obligation."""
        return self.completed_at or self.case.ended_at

    def overdue_on(self, day: date) -> bool:
        """Obligation.is_overdue()."""
        if self.status not in PENDING or self.due is None:
            return False
        return self.due < day if self.measure.inclusive else self.due <= day


Planned = tuple[datetime, Callable[[], None]]


def summary(case: PlannedCase) -> str:
    """app.workflows.stages.summary: the first milestone with a required obligation owed."""
    if case.status != "open":
        return CLOSED_STAGE
    owed = {o.stage for o in case.obligations if o.required and o.status not in DONE}
    return next((key for key in m.MILESTONE_ORDER if key in owed), DONE_STAGE)


@dataclass
class Walker:
    """Walks cases and collects every row and history event they produce."""

    directory: Directory
    calendar: WorkingCalendar
    rng: random.Random
    acts: Acts
    documents: Documents
    events: list[tuple[Any, ...]] = field(default_factory=list)
    stays: list[Stay] = field(default_factory=list)
    obligations: list[Ob] = field(default_factory=list)
    mentorships: list[tuple[Any, ...]] = field(default_factory=list)
    leaders: dict[int, int] = field(default_factory=dict)  # case id -> its leader school
    listed: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

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

    def person_for(self, case: PlannedCase, role: str) -> Person:
        """The account of a role ("school", "municipal", "ministry") acting in the case."""
        if role == "school":
            return self.directory.person(case.school.id, "school")
        if role == "municipal":
            return self.directory.person(case.school.municipality_id, "municipal")
        return self.ministry(case)

    def org_of(self, case: PlannedCase, level: str) -> int:
        """derive.org_of_level: the organisation acting for a level in the case."""
        if level == Level.SCHOOL:
            return case.school.id
        if level == Level.LEADER_SCHOOL and case.id in self.leaders:
            return self.leaders[case.id]
        if level in (Level.LEADER_SCHOOL, Level.MUNICIPALITY, Level.METHOD_CENTRE):
            return case.school.municipality_id
        return case.school.region_id

    def acting(self, level: str, org_id: int) -> Person:
        """The account acting for a level of responsibility in an organisation."""
        return self.directory.person(org_id, LEVEL_ROLE[level])

    def responsible(self, ob: Ob) -> Person:
        return self.acting(ob.level, ob.responsible_org)

    def reviewing(self, ob: Ob) -> Person:
        level = ob.reviewer or Level.REGION
        return self.acting(level, self.org_of(ob.case, level))

    # cases ----------------------------------------------------------------------------------

    def open(self, case: PlannedCase) -> None:
        """open_case(): the case, an obligation for every measure of the plan that applies to it,
        and its first stay."""
        actor, at = self.ministry(case), case.steps[0].at
        self.listed[case.campaign_id].add(case.school.id)
        case.created_after = {
            "campaign_id": case.campaign_id,
            "school": case.school.login,
            "category": case.category,
            "markers": case.markers,
            "support_level": case.support_level,
            "source": "flag_list",
        }
        self.event(at, actor, "case.created", "case", case.id, case, after=case.created_after)
        case.updated_at, case.updated_by = at, actor.id
        plan = self.directory.plans[case.campaign_id]
        level = m.effective_level(case.support_level, plan.default_level)
        for measure in plan.measures:
            track = Category(case.category)
            if not m.applies(measure, track=track, level=level, years_on_list=case.years_on_list):
                continue
            reviewer = m.reviewer_for(measure, level)
            for term in terms(measure, case.opened_on, self.calendar):
                ob = Ob(
                    len(self.obligations) + 1,
                    case,
                    measure,
                    term.period,
                    term.opened_on,
                    term.due,
                    measure.responsible,
                    reviewer.value if reviewer else None,
                    self.org_of(case, measure.responsible),
                    at,
                    m.from_row(measure).document_types,
                )
                ob.updated_at, ob.updated_by = at, actor.id
                self.obligations.append(ob)
                case.obligations.append(ob)
        for ob in case.obligations:
            after = {
                "measure": ob.key,
                "period": ob.period or None,
                "milestone": ob.stage,
                "responsible_org_id": ob.responsible_org,
                "opened_on": ob.opened_on.isoformat(),
                "due_date": ob.due.isoformat() if ob.due else None,
                "inclusive": ob.measure.inclusive,
            }
            self.event(at, actor, "obligation.created", "obligation", ob.id, case, after=after)
        self.refresh(case, at, actor)

    def refresh(
        self, case: PlannedCase, at: datetime, actor: Person | None, reason: str | None = None
    ) -> None:
        """stages.refresh(): a new stay when the milestone summary changes."""
        stage = summary(case)
        if case.stays and case.stage == stage:
            return
        if case.stays:
            case.stays[-1].left = at
            case.version += 1
        stay = Stay(len(self.stays) + 1, case.id, stage, at, actor.id if actor else None, reason)
        self.stays.append(stay)
        case.stays.append(stay)
        case.stage = stage

    def settled(self, ob: Ob, at: datetime, actor: Person) -> None:
        """obligations._settled(): the terms that follow an accepted obligation start, and the
        case's stage follows its obligations."""
        if ob.status == "accepted":
            self._follow_ups(ob, at, actor)
        self.refresh(ob.case, at, actor)

    def walk(self, case: PlannedCase) -> None:
        """Everything that happens to an opened case up to its closing, or up to now, in the
        order it happens."""
        planned: list[Planned] = []
        accepted: dict[str, tuple[datetime, datetime]] = {}  # key: (accepted, done as of)
        following = []
        for ob in case.obligations:
            if ob.measure.date_kind is DateKind.AFTER_MEASURE:
                following.append(ob)
            elif ob.shared and self.acts.answers(ob):
                planned += self.acts.moments(self, ob)
            else:
                steps = self._lifecycle(ob, case.steps[0].at, ob.due)
                planned += self._actions(ob, steps)
                done = _accepted_at(ob, steps)
                if done is not None:
                    accepted[ob.key] = done
        for ob in following:
            if ob.measure.after_key not in accepted:
                continue  # waits for a measure that is never accepted
            start, completed = accepted[ob.measure.after_key]
            due = self.calendar.add_working_days(local_date(completed), ob.measure.days or 0)
            steps = self._lifecycle(ob, start, due)
            planned += self._actions(ob, steps)
        planned += self._rework_plan(case, accepted)
        closing = case.closing
        if closing is not None:
            planned.append((closing.at, lambda: self._close(case, closing)))
        planned.sort(key=lambda p: p[0])
        for _at, do in planned:
            do()
        case.steps.sort(key=lambda s: s.at)

    # what becomes of an obligation ------------------------------------------------------------

    def moment(self, day: date, after: datetime | None = None) -> datetime:
        """A moment of the working day (09:00–18:00 Moscow time), after ``after``."""
        moment = datetime.combine(day, time(6, tzinfo=UTC)) + timedelta(
            minutes=self.rng.randint(0, 539)
        )
        return max(moment, after + timedelta(minutes=1)) if after else moment

    def _first_day(self, ob: Ob, start: datetime) -> date:
        """The first working day the obligation can be answered on: after ``start`` (the case
        opening, the measure it follows accepted), from the first day of its period."""
        day = max(local_date(start) + timedelta(days=1), ob.opened_on)
        if ob.measure.date_kind is DateKind.PERIOD and ob.measure.starts_on:
            day = max(day, ob.measure.starts_on)
        return self.calendar.next_working(day)

    def _outcome(self, ob: Ob, due: date | None, first: date, last: date) -> str:
        rng, closing = self.rng, ob.case.closing
        if closing is not None and closing.action == "close_resolved":
            if ob.required:
                return "waived" if rng.random() < WAIVE_SHARE else "accepted"
            return "accepted" if rng.random() < 0.4 else "open"
        if closing is not None:
            if due is not None and due < last:
                return rng.choices(OUTCOMES, ESCALATED)[0]
            return rng.choices(("accepted", "submitted", "open"), (15, 5, 80))[0]
        if due is None:
            return "accepted" if rng.random() < (0.2 if ob.required else 0.3) else "open"
        if due < last:
            return rng.choices(OUTCOMES, PAST_DUE)[0]
        return "open" if first > last else rng.choices(OUTCOMES, NOT_YET_DUE)[0]

    def _hand_in_day(
        self, ob: Ob, due: date | None, first: date, last: date, outcome: str
    ) -> date | None:
        """A day the responsible party hands it in: a few working days before its term (early
        in a «с … по …» period), now and then after it; ahead of a term still to come."""
        cal, rng = self.calendar, self.rng
        if due is None:
            return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
        if due >= last:
            if first > last:
                return None
            return cal.next_working(first + timedelta(days=rng.randint(0, (last - first).days)))
        if outcome == "submitted" and ob.case.closing is None:
            # still awaiting review: handed in lately
            return max(first, cal.previous_working(last - timedelta(days=rng.randint(1, 25))))
        if rng.random() < LATE_SHARE:
            return cal.add_working_days(due, rng.randint(1, 12))
        if ob.measure.date_kind is DateKind.PERIOD:
            return max(first, min(cal.add_working_days(first, rng.randint(3, 12)), due))
        return max(first, cal.previous_working(due - timedelta(days=rng.randint(2, 9))))

    def _lifecycle(self, ob: Ob, start: datetime, due: date | None) -> list[tuple[datetime, str]]:
        """The actions on one obligation, each at its moment, from ``start`` to the case's end;
        what would come after the end (now, or the closing) does not happen."""
        cal, rng, end = self.calendar, self.rng, ob.case.ended_at
        first, last = self._first_day(ob, start), local_date(end)
        outcome = self._outcome(ob, due, first, last)
        takes = ob.measure.takes
        if ob.reviewer is None and outcome in ("submitted", "returned"):
            outcome = "accepted"  # nobody reviews it: handing it in is doing it
        if takes == ATTENDANCE and outcome in ("submitted", "returned"):
            outcome = "open"  # the ministry records the attendance, or nothing happens
        if outcome == "open" or first > last:
            return []
        if outcome == "waived":
            limit = min(last, (due or last) + timedelta(days=20))
            day = first + timedelta(days=rng.randint(0, max(0, (limit - first).days)))
            names = [("waive", cal.next_working(day))]
        else:
            day = self._hand_in_day(ob, due, first, last, outcome)
            if day is None:
                return []
            names = self._rounds(ob, outcome, day)
        steps: list[tuple[datetime, str]] = []
        for name, when in names:
            moment = self.moment(when, steps[-1][0] if steps else start)
            if moment >= end:
                break
            steps.append((moment, name))
        return steps

    def _rounds(self, ob: Ob, outcome: str, day: date) -> list[tuple[str, date]]:
        """Hand-in, returns and hand-ins again, and the decision, on their days."""
        cal, rng, takes = self.calendar, self.rng, ob.measure.takes
        if takes == ATTENDANCE:
            return [("attend", day)]
        hand_in = "assign" if takes == LEADER else "submit"
        names = [(hand_in, day)]
        if ob.reviewer is None:
            return names
        rounds = rng.choices((0, 1, 2), (92, 6, 2))[0]
        for _n in range(rounds):
            day = cal.add_working_days(day, rng.randint(1, 4))
            names.append(("return", day))
            day = cal.add_working_days(day, rng.randint(2, 6))
            names.append(("submit", day))
        final = {"accepted": "accept", "returned": "return"}.get(outcome)
        if final:
            names.append((final, cal.add_working_days(day, rng.randint(1, 4))))
        return names

    def _actions(self, ob: Ob, steps: list[tuple[datetime, str]]) -> list[Planned]:
        do = {
            "submit": self._submit,
            "assign": self._assign_leader,
            "return": self._return,
            "accept": self._accept,
            "attend": self._attend,
            "waive": self._waive,
        }
        return [(at, _bound(do[name], ob, at)) for at, name in steps]

    def _rework_plan(
        self, case: PlannedCase, accepted: dict[str, tuple[datetime, datetime]]
    ) -> list[Planned]:
        """Now and then a case's milestone is returned for rework once its obligations are
        accepted, and handed in again."""
        if not case.rework:
            return []
        end = case.ended_at
        candidates = []
        for milestone in REWORKABLE:
            obs = [o for o in case.obligations if o.stage == milestone]
            done = [accepted[o.key][0] for o in obs if o.key in accepted]
            if obs and not any(o.shared for o in obs) and done:
                candidates.append((milestone, max(done)))
        if not candidates:
            return []
        milestone, latest = self.rng.choice(candidates)
        at = self.moment(
            self.calendar.next_working(local_date(latest) + timedelta(days=self.rng.randint(3, 20)))
        )
        if at + timedelta(days=15) >= end:
            return []
        reason = nn.RETURN_REASONS[milestone]
        case.steps.append(Step(f"return:{milestone}", at, reason))
        planned: list[Planned] = [(at, lambda: self._rework(case, at, milestone, reason))]
        today = local_date(at)
        fresh = self.calendar.add_working_days(today, REWORK_DAYS)
        for ob in case.obligations:
            if ob.stage != milestone or ob.key not in accepted or accepted[ob.key][0] >= at:
                continue
            inclusive = ob.measure.inclusive
            overdue = ob.due is not None and (ob.due < today if inclusive else ob.due <= today)
            due = fresh if overdue else ob.due
            steps = self._lifecycle(ob, at, due)
            planned += self._actions(ob, steps)
        return planned

    # operations, as app.workflows.obligations and app.workflows.cases do them ------------------

    def _touch(self, ob: Ob, at: datetime, actor: Person) -> None:
        ob.updated_at, ob.updated_by, ob.version = at, actor.id, ob.version + 1

    def _submit(self, ob: Ob, at: datetime) -> None:
        if ob.status not in PENDING:
            return
        actor = self.responsible(ob)
        if ob.document_types:
            ob.document_id = self.documents.upload(self, ob, at, actor)
        elif ob.measure.takes in PRINTED:
            ob.document_id = self.documents.print_record(self, ob, at, actor)
        before = ob.status
        ob.submitted_at, ob.comment = at, None
        if ob.reviewer is None:
            ob.status, ob.completed_at = "accepted", at
        else:
            ob.status = "submitted"
        self._touch(ob, at, actor)
        self.event(
            at,
            actor,
            "obligation.submitted",
            "obligation",
            ob.id,
            ob.case,
            before={"status": before},
            after={"status": ob.status},
        )
        self.settled(ob, at, actor)

    def _decide(self, ob: Ob, at: datetime, accept: bool, comment: str | None = None) -> None:
        actor = self.reviewing(ob)
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
        self.settled(ob, at, actor)

    def _accept(self, ob: Ob, at: datetime) -> None:
        if ob.status == "submitted":
            self._decide(ob, at, True)

    def _return(self, ob: Ob, at: datetime) -> None:
        if ob.status == "submitted":
            self._decide(ob, at, False, self.rng.choice(nn.RETURN_COMMENTS))

    def _waive(self, ob: Ob, at: datetime, *, cause: str | None = None) -> None:
        """waive() by the ministry; with a cause, what closing the case does to what is open."""
        if ob.status in DONE:
            return
        actor = self.ministry(ob.case)
        before = ob.status
        reason = ob.case.closing.reason if cause and ob.case.closing else None
        reason = (reason or CLOSED_REASON) if cause else WAIVE_REASON
        ob.status, ob.completed_at, ob.comment = "waived", at, reason
        self._touch(ob, at, actor)
        after = {"status": "waived"} | ({"cause": cause} if cause else {})
        self.event(
            at,
            actor,
            "obligation.waived",
            "obligation",
            ob.id,
            ob.case,
            before={"status": before},
            after=after,
            reason=reason,
        )
        if cause is None:
            self.settled(ob, at, actor)

    def _attend(self, ob: Ob, at: datetime) -> None:
        """accept_on_record(): the ministry records that the management team attended."""
        if ob.status in DONE:
            return
        actor, before = self.ministry(ob.case), ob.status
        ob.status, ob.submitted_at, ob.completed_at = "accepted", at, at
        self._touch(ob, at, actor)
        self.event(
            at,
            actor,
            "obligation.accepted",
            "obligation",
            ob.id,
            ob.case,
            before={"status": before},
            after={"status": "accepted"},
            reason=ATTENDED,
        )
        self.settled(ob, at, actor)

    def _assign_leader(self, ob: Ob, at: datetime) -> None:
        """shnor.assign_leader(): a school of the region not on the campaign's lists mentors the
        case; the leader school's measures become its own and the assignment is handed in."""
        if ob.status not in PENDING:
            return
        case, actor = ob.case, self.responsible(ob)
        region = self.directory.schools_of_region[case.school.region_id]
        listed = self.listed[case.campaign_id]
        free = [s for s in self.rng.sample(region, min(len(region), 20)) if s not in listed]
        if not free:
            return
        leader = self.directory.schools[free[0]]
        self.leaders[case.id] = leader.id
        self.mentorships.append((len(self.mentorships) + 1, case.id, leader.id, at, actor.id))
        self.event(
            at,
            actor,
            "mentoring.assigned",
            "case",
            case.id,
            case,
            after={"leader_school_id": leader.id, "leader": leader.name},
        )
        for other in case.obligations:
            if other.level == Level.LEADER_SCHOOL and other.status not in DONE:
                other.responsible_org = leader.id
        self._submit(ob, at)

    def _follow_ups(self, done: Ob, at: datetime, actor: Person) -> None:
        """derive.follow_ups(): the measures «N working days after» this one get their terms."""
        assert done.completed_at is not None
        for ob in done.case.obligations:
            if (
                ob.due is None
                and ob.status not in DONE
                and ob.measure.date_kind is DateKind.AFTER_MEASURE
                and ob.measure.after_key == done.key
            ):
                completed_on = local_date(done.completed_at)
                ob.due = self.calendar.add_working_days(completed_on, ob.measure.days or 0)
                ob.version += 1
                after = {
                    "due_date": ob.due.isoformat(),
                    "cause": "after_measure",
                    "after": done.key,
                }
                self.event(
                    at,
                    actor,
                    "obligation.due_changed",
                    "obligation",
                    ob.id,
                    ob.case,
                    before={"due_date": None},
                    after=after,
                )

    def _rework(self, case: PlannedCase, at: datetime, milestone: str, reason: str) -> None:
        """act_on_case() with return:<milestone>: its accepted obligations are reopened with the
        reason, a fresh term for one whose term has run out."""
        actor = self.person_for(case, "municipal")
        before = {"stage": case.stage, "status": case.status}
        today = local_date(at)
        fresh = self.calendar.add_working_days(today, REWORK_DAYS)
        reopened = []
        for ob in case.obligations:
            if ob.stage != milestone or ob.status != "accepted":
                continue
            was = {"status": ob.status, "due_date": ob.due.isoformat() if ob.due else None}
            ob.status, ob.completed_at, ob.comment = "returned", None, reason
            if ob.overdue_on(today):
                ob.due = fresh
            self._touch(ob, at, actor)
            self.event(
                at,
                actor,
                "obligation.reopened",
                "obligation",
                ob.id,
                case,
                before=was,
                after={"status": ob.status, "due_date": ob.due.isoformat() if ob.due else None},
                reason=reason,
            )
            reopened.append(ob.id)
        self._case_action(case, at, actor, f"return:{milestone}", before, reason, reopened)

    def _close(self, case: PlannedCase, step: Step) -> None:
        """act_on_case() closing the case: the ministry first waives the required obligations
        still owed (a resolved case has none), then the closing waives what is open."""
        actor, at = self.ministry(case), step.at
        assert step.action is not None
        if step.action == "close_resolved":
            for ob in case.obligations:
                if ob.required and ob.status not in DONE:
                    self._waive(ob, at - timedelta(minutes=1))
        before = {"stage": case.stage, "status": case.status}
        case.status = "resolved" if step.action == "close_resolved" else "escalated"
        for ob in case.obligations:
            self._waive(ob, at, cause="case_closed")
        self._case_action(case, at, actor, step.action, before, step.reason, [])

    def _case_action(
        self,
        case: PlannedCase,
        at: datetime,
        actor: Person,
        action: str,
        before: dict[str, Any],
        reason: str | None,
        reopened: list[int],
    ) -> None:
        self.refresh(case, at, actor, reason)
        after = {"stage": case.stage, "status": case.status, "action": action, "reopened": reopened}
        self.event(
            at,
            actor,
            "case.action",
            "case",
            case.id,
            case,
            before=before,
            after=after,
            reason=reason,
        )
        case.updated_at, case.updated_by, case.version = at, actor.id, case.version + 1


def _bound(do: Callable[[Ob, datetime], None], ob: Ob, at: datetime) -> Callable[[], None]:
    return lambda: do(ob, at)


def _accepted_at(ob: Ob, steps: list[tuple[datetime, str]]) -> tuple[datetime, datetime] | None:
    """When a planned lifecycle ends with the obligation accepted, and the moment it counts as
    done from (its last hand-in); None when it does not end accepted."""
    if not steps:
        return None
    at, name = steps[-1]
    if name == "accept":
        return at, next(t for t, n in reversed(steps) if n == "submit")
    if name == "attend" or (name in ("submit", "assign") and ob.reviewer is None):
        return at, at
    return None


def working_days_before(calendar: WorkingCalendar, day: date, count: int) -> date:
    """The date ``count`` working days before ``day``."""
    while count > 0:
        day -= timedelta(days=1)
        if calendar.is_working(day):
            count -= 1
    return day
