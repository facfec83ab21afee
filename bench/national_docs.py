"""Documents of the national benchmark: one document per case and measure with a version per
hand-in (an upload, or the record printed when it is handed in), the municipalities' acts (one
document answering the measure in every case of the municipality in the campaign), and generated
documents. Metadata only: no file is stored, but every version has a well-formed SHA-256."""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from app.paperwork import catalog
from app.workflows.clock import local_date
from bench import national_names as nn
from bench.national import YEARS, Person
from bench.national_cases import PlannedCase

if TYPE_CHECKING:
    from bench.national_walk import Ob, Planned, Walker

PDF = ("pdf", "application/pdf", "PDF")
DOCX = ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX")
GENERATED_KINDS = (
    "case_history",
    "recheck_protocol",
    "information_certificate",
    "roadmap",
    "self_analysis",
    "director_evaluation",
)
# The record a measure's hand-in prints (with the template app/stages/* print it with) and the
# title of its file (a key of national_names.FILE_TITLES).
PRINTED = {
    "form:self_analysis": ("self_analysis", "self_analysis"),
    "form:risk_questionnaire": ("stage_form", "questionnaire"),
    "record:recheck_protocol": ("recheck_protocol", "recheck_protocol"),
    "record:director_indicators": ("stage_form", "director_indicators"),
    "record:director_evaluation": ("director_evaluation", "director_evaluation"),
    "record:competence_assessment": ("stage_form", "assessment"),
    "roadmap:school": ("roadmap", "roadmap"),
    "roadmap:mentor": ("roadmap", "plan"),
    "roadmap:municipal": ("roadmap", "roadmap"),
}
LATE_ACTS = 0.1  # of the municipalities' acts, handed in after their term


def sha_of(document_id: int, number: int) -> str:
    """A well-formed SHA-256 for a version whose content the benchmark does not store."""
    return hashlib.sha256(f"oko-bench:{document_id}:{number}".encode()).hexdigest()


@dataclass
class Version:
    id: int
    document_id: int
    number: int
    filename: str
    mime: str
    size: int
    uploaded_at: datetime
    uploaded_by: int
    template_key: str | None = None
    review_status: str | None = None
    review_comment: str | None = None
    reviewed_at: datetime | None = None
    reviewed_by: int | None = None


@dataclass
class Documents:
    rng: random.Random
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    versions: list[Version] = field(default_factory=list)
    of_case: dict[tuple[int, str], int] = field(default_factory=dict)
    latest: dict[int, Version] = field(default_factory=dict)

    def create(
        self,
        owner: int,
        case_id: int | None,
        campaign_id: int,
        obligation_type: str | None,
        kind: str,
        at: datetime,
        by: int,
        generated: bool = False,
    ) -> int:
        doc_id = len(self.rows) + 1
        self.rows.append(
            (doc_id, owner, case_id, campaign_id, obligation_type, kind, generated, at, by)
        )
        return doc_id

    def add_version(
        self,
        doc_id: int,
        title: str,
        at: datetime,
        by: Person,
        fmt: tuple[str, str, str],
        template: str | None = None,
    ) -> Version:
        previous = self.latest.get(doc_id)
        number = previous.number + 1 if previous else 1
        version = Version(
            len(self.versions) + 1,
            doc_id,
            number,
            f"{title}.{fmt[0]}",
            fmt[1],
            self.rng.randint(30_000, 2_500_000),
            at,
            by.id,
            template,
        )
        self.versions.append(version)
        self.latest[doc_id] = version
        return version

    def _of(self, ob: Ob, kind: str, at: datetime, actor: Person) -> int:
        """The document of the case's measure (made on its first hand-in)."""
        case, key = ob.case, (ob.case.id, ob.key)
        if key not in self.of_case:
            self.of_case[key] = self.create(
                case.school.id, case.id, case.campaign_id, ob.key, kind, at, actor.id
            )
        return self.of_case[key]

    def upload(self, walker: Walker, ob: Ob, at: datetime, actor: Person) -> int:
        """A hand-in of a case's own document: a new version, recorded as uploaded."""
        case, kind = ob.case, ob.document_types[0]
        doc_id = self._of(ob, kind, at, actor)
        fmt = PDF if self.rng.random() < 0.7 else DOCX
        version = self.add_version(
            doc_id, f"{nn.FILE_TITLES[kind]} {case.school.login}", at, actor, fmt
        )
        version.review_status = "pending"
        walker.event(
            at,
            actor,
            "document.uploaded",
            "document",
            doc_id,
            case,
            after=_upload_after(version, fmt, doc_id),
        )
        return doc_id

    def print_record(self, walker: Walker, ob: Ob, at: datetime, actor: Person) -> int:
        """A hand-in of a case's record (a form, a protocol, a roadmap): the record printed with
        its template as the next version of the measure's document."""
        case, (template, title) = ob.case, PRINTED[ob.measure.takes]
        doc_id = self._of(ob, ob.key, at, actor)
        version = self.add_version(
            doc_id, f"{nn.FILE_TITLES[title]} {case.school.login}", at, actor, DOCX, template
        )
        version.review_status = "pending"
        after = _upload_after(version, DOCX, doc_id) | {"template": f"{template}@1"}
        walker.event(at, actor, "document.generated", "document", doc_id, case, after=after)
        return doc_id

    def decide(
        self, ob: Ob, accept: bool, comment: str | None, at: datetime, actor: Person
    ) -> int | None:
        """Mark the obligation's latest version; its number, or None without a document."""
        if ob.document_id is None:
            return None
        version = self.latest[ob.document_id]
        if version.review_status == "pending" or version.reviewed_at is None:
            version.review_status = "accepted" if accept else "returned"
            version.review_comment, version.reviewed_at, version.reviewed_by = comment, at, actor.id
        return version.number

    def generate(self, walker: Walker, cases: list[PlannedCase], count: int) -> None:
        """Generated documents (history reports, protocols, forms) until ``count`` versions."""
        rng, made = self.rng, 0
        kinds_of = {
            case.id: [k for k in GENERATED_KINDS if _belongs(k, case)] or ["case_history"]
            for case in cases
        }
        while made < count and cases:
            case = rng.choice(cases)
            kind = rng.choice(kinds_of[case.id])
            actor = walker.person_for(case, rng.choice(("municipal", "ministry")))
            start, end = case.steps[0].at, case.ended_at
            doc_id = None
            versions = min(count - made, rng.choice((1, 1, 1, 2, 3)))
            for at in sorted(
                start + (end - start) * rng.uniform(0.05, 0.99) for _ in range(versions)
            ):
                if doc_id is None:
                    doc_id = self.create(
                        case.school.id,
                        case.id,
                        case.campaign_id,
                        None,
                        kind,
                        at,
                        actor.id,
                        generated=True,
                    )
                version = self.add_version(doc_id, kind, at, actor, DOCX, template=kind)
                after = _upload_after(version, DOCX, doc_id) | {"template": f"{kind}@1"}
                walker.event(at, actor, "document.generated", "document", doc_id, case, after=after)
                made += 1


def _belongs(kind: str, case: PlannedCase) -> bool:
    """paperwork.generate.applies(): the case's track, and a measure asking for the document."""
    takes = {o.measure.takes for o in case.obligations}
    return catalog.belongs_to(catalog.kind(kind), case.category, takes)


def _upload_after(version: Version, fmt: tuple[str, str, str], doc_id: int) -> dict[str, Any]:
    return {
        "version": version.number,
        "filename": version.filename,
        "sha256": sha_of(doc_id, version.number),
        "size": version.size,
        "type": fmt[2],
        "template": None,
    }


@dataclass
class Round:
    """One hand-in of a municipal act and the reviewer's decision on it."""

    version: Version
    decision: str | None = None  # "accepted", "returned" or None (awaiting review)
    decided_at: datetime | None = None


@dataclass
class Act:
    document_id: int
    uploader: Person
    reviewer: Person | None  # None: done when handed in
    template: str | None  # the template of a printed record (a municipal roadmap)
    rounds: list[Round] = field(default_factory=list)


@dataclass
class Acts:
    """The shared hand-ins: a municipality's act (or a regional document) answering its measure
    in every case of the municipality (or the region) in the campaign."""

    rng: random.Random
    acts: dict[tuple[int, int, str], Act] = field(default_factory=dict)

    @staticmethod
    def answers(ob: Ob) -> bool:
        """Whether an act answers the obligation: a shared measure handed in with a document."""
        return ob.shared and bool(ob.document_types or ob.measure.takes in PRINTED)

    @staticmethod
    def key_of(ob: Ob) -> tuple[int, int, str]:
        """(owner, campaign, measure): shared.owner_of() and the document it looks for."""
        school = ob.case.school
        owner = school.municipality_id if ob.measure.scope == "municipality" else school.region_id
        return owner, ob.case.campaign_id, ob.key

    def plan(self, walker: Walker, cases: list[PlannedCase], orders: dict[int, str]) -> None:
        """Date every act within the term of its measure (now and then after it), before the
        first of its cases is closed; in the current campaign some are missing or unreviewed."""
        shared: dict[tuple[int, int, str], list[Ob]] = defaultdict(list)
        for case in cases:
            for ob in case.obligations:
                if self.answers(ob):
                    shared[self.key_of(ob)].append(ob)
        for key, obs in sorted(shared.items()):
            current = obs[0].case.year == YEARS[-1]
            state = orders.get(key[0], "accepted") if current else "accepted"
            if state != "none":
                self._plan_act(walker, key, obs, state)

    def _plan_act(
        self, walker: Walker, key: tuple[int, int, str], obs: list[Ob], state: str
    ) -> None:
        rng, first = self.rng, max(ob.created for ob in obs)
        limit = min(ob.case.ended_at for ob in obs)
        due = min((ob.due for ob in obs if ob.due), default=None)
        deadline = limit
        if due is not None:
            day = due + timedelta(days=rng.randint(5, 30)) if rng.random() < LATE_ACTS else due
            deadline = min(limit, datetime.combine(day, time(14, tzinfo=UTC)))
        if deadline <= first + timedelta(days=1):
            deadline = first + (limit - first) * 0.5
        owner, campaign_id, measure = key
        sample = obs[0]
        uploader = walker.responsible(sample)
        reviewer = walker.reviewing(sample) if sample.reviewer else None
        template = PRINTED.get(sample.measure.takes, (None, ""))[0]
        kind = (sample.document_types or [measure])[0]
        at = _office(walker, first + (deadline - first) * rng.uniform(0.15, 0.45), first)
        if at >= limit:
            return
        doc_id = walker.documents.create(owner, None, campaign_id, measure, kind, at, uploader.id)
        act = self.acts[key] = Act(doc_id, uploader, reviewer, template)
        title = nn.FILE_TITLES[PRINTED[sample.measure.takes][1] if template else kind]
        returned = reviewer is not None and state != "submitted" and rng.random() < 0.15
        for last in (False, True) if returned else (True,):
            act.rounds.append(Round(self._upload(walker, act, at, title)))
            if reviewer is None or (last and state == "submitted"):
                break
            decided = _office(walker, at + (deadline - at) * rng.uniform(0.3, 0.7), at)
            if decided >= limit:
                break  # still awaiting review when the first of its cases ends
            self._decide(act.rounds[-1], decided, accept=last)
            at = _office(walker, decided + (deadline - decided) * rng.uniform(0.2, 0.5), decided)
            if at >= limit:
                break

    def _upload(self, walker: Walker, act: Act, at: datetime, title: str) -> Version:
        fmt = DOCX if act.template else PDF
        version = walker.documents.add_version(
            act.document_id, f"{title} {act.document_id}", at, act.uploader, fmt, act.template
        )
        version.review_status = "pending"
        after = _upload_after(version, fmt, act.document_id)
        if act.template:
            after["template"] = f"{act.template}@1"
        walker.event(
            at,
            act.uploader,
            "document.generated" if act.template else "document.uploaded",
            "document",
            act.document_id,
            None,
            org_id=act.uploader.org_id,
            after=after,
        )
        return version

    def _decide(self, round_: Round, at: datetime, *, accept: bool) -> None:
        round_.decision, round_.decided_at = ("accepted" if accept else "returned"), at
        version = round_.version
        version.review_status = round_.decision
        version.reviewed_at = at
        version.review_comment = None if accept else "Акт не согласован с министерством."

    def moments(self, walker: Walker, ob: Ob) -> list[Planned]:
        """What the act does to one case's obligation: answers it on entry (the act was there
        before the case), or hands it in and has it decided along with every other case."""
        act = self.acts.get(self.key_of(ob))
        if act is None:
            return []
        entered, end = ob.created, ob.case.ended_at
        out: list[Planned] = []
        before_entry = [r for r in act.rounds if r.version.uploaded_at <= entered]
        if before_entry and _state_at(before_entry[-1], entered) != "returned":
            out.append((entered, _call(_answer_on_entry, walker, ob, act, before_entry[-1])))
        for moment, kind, round_ in _moments(act):
            if entered < moment < end:
                out.append((moment, _call(_apply, walker, ob, act, round_, kind)))
        return out


def _office(walker: Walker, moment: datetime, after: datetime) -> datetime:
    """The moment moved into the working hours of a working day (from its own day on), after
    ``after``."""
    return walker.moment(walker.calendar.next_working(local_date(moment)), after)


def _call(do: Any, *args: Any) -> Any:
    return lambda: do(*args)


def _apply(walker: Walker, ob: Ob, act: Act, round_: Round, kind: str) -> None:
    if kind == "upload" and ob.status in ("open", "returned"):
        _hand_in(walker, ob, act, round_)
    elif kind == "decision" and ob.status == "submitted":
        _review(walker, ob, act, round_)


def _state_at(round_: Round, moment: datetime) -> str:
    if round_.decided_at is not None and round_.decided_at <= moment:
        return round_.decision or "pending"
    return "pending"


def _moments(act: Act) -> list[tuple[datetime, str, Round]]:
    out = []
    for round_ in act.rounds:
        out.append((round_.version.uploaded_at, "upload", round_))
        if round_.decided_at is not None:
            out.append((round_.decided_at, "decision", round_))
    return sorted(out, key=lambda m: m[0])


def _answer_on_entry(walker: Walker, ob: Ob, act: Act, round_: Round) -> None:
    """derive._answer_from_shared(): a case that joins later is answered by the act."""
    accepted = _state_at(round_, ob.created) == "accepted"
    ob.document_id, ob.submitted_at = act.document_id, round_.version.uploaded_at
    ob.status = "accepted" if accepted else "submitted"
    if accepted:
        ob.completed_at = round_.version.uploaded_at
    after = {"status": ob.status, "document_id": act.document_id, "version": round_.version.number}
    actor = walker.ministry(ob.case)
    walker.event(
        ob.created,
        actor,
        "obligation.satisfied_by_act",
        "obligation",
        ob.id,
        ob.case,
        before={"status": "open"},
        after=after,
    )
    walker.refresh(ob.case, ob.created, actor)


def _hand_in(walker: Walker, ob: Ob, act: Act, round_: Round) -> None:
    at, before = round_.version.uploaded_at, ob.status
    ob.document_id, ob.submitted_at, ob.comment = act.document_id, at, None
    if ob.reviewer is None:
        ob.status, ob.completed_at = "accepted", at
    else:
        ob.status = "submitted"
    ob.updated_at, ob.updated_by, ob.version = at, act.uploader.id, ob.version + 1
    walker.event(
        at,
        act.uploader,
        "obligation.submitted",
        "obligation",
        ob.id,
        ob.case,
        before={"status": before},
        after={"status": ob.status},
    )
    walker.settled(ob, at, act.uploader)


def _review(walker: Walker, ob: Ob, act: Act, round_: Round) -> None:
    at, accept = round_.decided_at, round_.decision == "accepted"
    assert at is not None
    assert act.reviewer is not None
    ob.status = "accepted" if accept else "returned"
    ob.comment = round_.version.review_comment
    if accept:
        ob.completed_at = ob.submitted_at
    ob.updated_at, ob.updated_by, ob.version = at, act.reviewer.id, ob.version + 1
    action = "obligation.accepted" if accept else "obligation.returned"
    walker.event(
        at,
        act.reviewer,
        action,
        "obligation",
        ob.id,
        ob.case,
        before={"status": "submitted"},
        after={"status": ob.status, "document_version": round_.version.number},
        reason=ob.comment,
    )
    walker.settled(ob, at, act.reviewer)
