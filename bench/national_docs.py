"""Documents of the national benchmark: one document per case and obligation type with a version
per hand-in, the municipalities' acts (one document answering the obligation in every case of
the municipality in the campaign), and generated documents. Metadata only: no file is stored,
but every version has a well-formed SHA-256."""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.workflows import registry
from app.workflows.definitions import ObligationSpec
from bench import national_names as nn
from bench.national import Person
from bench.national_cases import NOW, YEARS, PlannedCase

if TYPE_CHECKING:
    from bench.national_walk import Ob, Walker

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

    def upload(self, walker: Walker, ob: Ob, at: datetime, actor: Person) -> int:
        """A hand-in of a case's own document: a new version, recorded as uploaded."""
        case, kind = ob.case, ob.spec.documents[0]
        key = (case.id, ob.spec.key)
        if key not in self.of_case:
            self.of_case[key] = self.create(
                case.school.id, case.id, case.campaign_id, ob.spec.key, kind, at, actor.id
            )
        doc_id = self.of_case[key]
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
        while made < count:
            case = rng.choice(cases)
            kind = rng.choice(GENERATED_KINDS)
            actor = walker.person_for(case, rng.choice(("municipal", "ministry")))
            start, end = case.steps[0].at, case.ended_at
            doc_id = None
            for _n in range(min(count - made, rng.choice((1, 1, 1, 2, 3)))):
                at = start + (end - start) * rng.uniform(0.05, 0.99)
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
    """One hand-in of a municipal act and the ministry's decision on it."""

    version: Version
    decision: str | None = None  # "accepted", "returned" or None (awaiting review)
    decided_at: datetime | None = None


@dataclass
class Act:
    document_id: int
    uploader: Person
    reviewer: Person
    rounds: list[Round] = field(default_factory=list)


@dataclass
class Acts:
    """The municipalities' acts, planned from the stage visits of every case."""

    rng: random.Random
    acts: dict[tuple[int, int, str], Act] = field(default_factory=dict)

    def plan(self, walker: Walker, cases: list[PlannedCase], orders: dict[int, str]) -> None:
        """Date every act so that it is accepted before the first case leaves its stage."""
        windows: dict[tuple[int, int, str], list[tuple[datetime, datetime | None]]]
        windows = defaultdict(list)
        campaign_year = {}
        for case in cases:
            campaign_year[case.campaign_id] = case.year
            for i, step in enumerate(case.steps):
                left = case.steps[i + 1].at if i + 1 < len(case.steps) else None
                for spec in case.workflow.stage(step.stage).obligations:
                    if spec.municipality_wide:
                        key = (case.school.municipality_id, case.campaign_id, spec.key)
                        windows[key].append((step.at, left))
        for key, spans in sorted(windows.items()):
            state = orders[key[0]] if campaign_year[key[1]] == YEARS[-1] else "accepted"
            if state != "none":
                self._plan_act(walker, key, spans, state)

    def _plan_act(
        self,
        walker: Walker,
        key: tuple[int, int, str],
        spans: list[tuple[datetime, datetime | None]],
        state: str,
    ) -> None:
        rng, directory = self.rng, walker.directory
        mid, campaign_id, obligation_type = key
        uploader = directory.person(mid, "municipal")
        reviewer = directory.person(directory.municipality_region[mid], "ministry")
        first = min(entered for entered, _l in spans)
        deadline = min((left for _e, left in spans if left), default=NOW - (NOW - first) * 0.1)
        spec = _spec(obligation_type)
        at = first + (deadline - first) * rng.uniform(0.15, 0.45)
        doc_id = walker.documents.create(
            mid, None, campaign_id, obligation_type, spec.documents[0], at, uploader.id
        )
        act = self.acts[key] = Act(doc_id, uploader, reviewer)
        returned = state != "submitted" and rng.random() < 0.15
        for last in (False, True) if returned else (True,):
            act.rounds.append(Round(self._upload(walker, act, at, spec.documents[0])))
            if last and state == "submitted":
                break
            decided = at + (deadline - at) * rng.uniform(0.3, 0.7)
            self._decide(act.rounds[-1], decided, accept=last)
            at = decided + (deadline - decided) * rng.uniform(0.2, 0.5)

    def _upload(self, walker: Walker, act: Act, at: datetime, kind: str) -> Version:
        title = f"{nn.FILE_TITLES[kind]} {act.document_id}"
        version = walker.documents.add_version(act.document_id, title, at, act.uploader, PDF)
        version.review_status = "pending"
        walker.event(
            at,
            act.uploader,
            "document.uploaded",
            "document",
            act.document_id,
            None,
            org_id=act.uploader.org_id,
            after=_upload_after(version, PDF, act.document_id),
        )
        return version

    def _decide(self, round_: Round, at: datetime, *, accept: bool) -> None:
        round_.decision, round_.decided_at = ("accepted" if accept else "returned"), at
        version = round_.version
        version.review_status = round_.decision
        version.reviewed_at = at
        version.review_comment = None if accept else "Приказ не согласован с министерством."

    def apply(self, walker: Walker, ob: Ob, end: datetime) -> None:
        """What the act did to one case's obligation: answered it on entry (the act was there
        before the case), or handed it in and had it decided along with every other case."""
        act = self.acts.get((ob.case.school.municipality_id, ob.case.campaign_id, ob.spec.key))
        if act is None:
            return
        entered = ob.visit.entered
        before_entry = [r for r in act.rounds if r.version.uploaded_at <= entered]
        if before_entry and _state_at(before_entry[-1], entered) != "returned":
            _answer_on_entry(walker, ob, act, before_entry[-1])
        for moment, kind, round_ in _moments(act):
            if not entered < moment < end:
                continue
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
    accepted = _state_at(round_, ob.visit.entered) == "accepted"
    ob.document_id, ob.submitted_at = act.document_id, round_.version.uploaded_at
    ob.status = "accepted" if accepted else "submitted"
    if accepted:
        ob.completed_at = round_.version.uploaded_at
    after = {"status": ob.status, "document_id": act.document_id, "version": round_.version.number}
    actor = walker.directory.person(ob.case.school.region_id, "ministry")
    walker.event(
        ob.visit.entered,
        actor,
        "obligation.satisfied_by_act",
        "obligation",
        ob.id,
        ob.case,
        before={"status": "open"},
        after=after,
    )


def _hand_in(walker: Walker, ob: Ob, act: Act, round_: Round) -> None:
    at, before = round_.version.uploaded_at, ob.status
    ob.document_id, ob.status, ob.submitted_at, ob.comment = act.document_id, "submitted", at, None
    ob.updated_at, ob.updated_by, ob.version = at, act.uploader.id, ob.version + 1
    walker.event(
        at,
        act.uploader,
        "obligation.submitted",
        "obligation",
        ob.id,
        ob.case,
        before={"status": before},
        after={"status": "submitted"},
    )


def _review(walker: Walker, ob: Ob, act: Act, round_: Round) -> None:
    at, accept = round_.decided_at, round_.decision == "accepted"
    assert at is not None
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


def _spec(obligation_type: str) -> ObligationSpec:
    return next(
        spec
        for workflow in registry.all_workflows()
        if (spec := workflow.obligation_spec(obligation_type)) is not None
    )
