"""Generating .docx documents from a case's data with the active template version, and managing
template versions (version 1 of each kind is the file shipped in app/documents/templates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from app import access, audit
from app.access.records import ISSUED_BY_MUNICIPALITY, ISSUED_BY_REGION
from app.accounts.users import acting_users
from app.documents import checks, storage
from app.documents.render import DocumentTemplateError, render, unknown_variables
from app.documents.templates import BUNDLED_VERSION, active_template
from app.documents.versions import store_version
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.legal.registration import signed_original
from app.models.case import Case, Obligation
from app.models.document import Document, DocumentTemplate, DocumentVersion
from app.models.org import Organisation
from app.models.types import utcnow
from app.models.user import User
from app.paperwork import catalog
from app.paperwork.contexts import BUILDERS
from app.paperwork.samples import sample, sample_images
from app.stages.printing import common
from app.stages.records import PENDING_STATUSES, current_obligation, require_responsible
from app.workflows.clock import case_zone
from app.workflows.handin import hand_in_version
from app.workflows.locking import lock


def applies(case: Case, key: str) -> bool:
    """Whether the document belongs to the case: its track, and a measure of its plan that asks
    for it."""
    takes = {o.takes for o in case.obligations}
    return catalog.has_kind(key) and catalog.belongs_to(
        catalog.kind(key), str(case.category), takes
    )


def applicable_kinds(case: Case) -> list[catalog.DocumentKind]:
    """The kinds of document that belong to the case (``applies``), its obligations read once."""
    takes, track = {o.takes for o in case.obligations}, str(case.category)
    return [k for k in catalog.KINDS if catalog.belongs_to(k, track, takes)]


def kinds_for(
    user: User, case: Case, applicable: list[catalog.DocumentKind] | None = None
) -> list[catalog.DocumentKind]:
    """The documents this user may generate for the case (of ``applicable``, when the caller
    has them already: ``applicable_kinds(case)``)."""
    kinds = applicable_kinds(case) if applicable is None else applicable
    return [k for k in kinds if access.can_generate(user, case, k.key)]


def register_template(key: str, data: bytes, filename: str, *, actor: User) -> DocumentTemplate:
    """An administrator's new version of a template: refused, naming the variables, when it asks
    for anything the product does not provide, or when it cannot render the reference context."""
    if not access.can_manage_templates(actor):
        raise NotAllowed(_("Only an administrator uploads templates."))
    kind = catalog.kind(key)
    if checks.detect(data) is not checks.DOCX:
        raise InvalidInput(_("A template must be a .docx file."))
    try:
        unknown = unknown_variables(data, kind.variables)
        if unknown:
            raise InvalidInput(
                _(
                    "The template asks for variables the product does not provide: %(names)s.",
                    names=", ".join(unknown),
                )
            )
        render(data, sample(key), sample_images(), strict=True)
    except DocumentTemplateError as err:
        raise InvalidInput(_("The template cannot be used: %(reason)s", reason=str(err))) from err
    latest = db.session.scalar(
        sa.select(sa.func.max(DocumentTemplate.version)).where(DocumentTemplate.key == key)
    )
    version = max(latest or BUNDLED_VERSION, BUNDLED_VERSION) + 1
    db.session.execute(
        sa.update(DocumentTemplate).where(DocumentTemplate.key == key).values(active=False)
    )
    row = DocumentTemplate(
        key=key,
        version=version,
        sha256=storage.store().put(data),
        filename=filename[:200] or kind.filename,
        active=True,
        uploaded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "template.uploaded",
        actor=actor,
        object_type="template",
        object_id=row.id,
        org_id=actor.organisation_id,
        after={"key": key, "version": version, "sha256": row.sha256},
    )
    return row


def _document(case: Case, key: str, actor: User) -> Document:
    municipal = key == "municipal_order"
    regional = key in REGIONAL
    issuer = case.municipality_id if case.municipality_id is not None else case.campaign.region_id
    owner = case.campaign.region_id if regional else issuer if municipal else case.school_id
    case_id = None if municipal or regional else case.id
    found = db.session.scalars(
        sa.select(Document).where(
            Document.owner_org_id == owner,
            Document.kind == key,
            Document.campaign_id == case.campaign_id,
            Document.case_id.is_(None) if case_id is None else Document.case_id == case_id,
        )
    ).first()
    if found is not None:
        return found
    document = Document(
        owner_org_id=owner,
        case_id=case_id,
        campaign_id=case.campaign_id,
        kind=key,
        generated=True,
        created_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    return document


# The ministry's own papers of a campaign: the order approving the list and its covering letter.
REGIONAL = ISSUED_BY_REGION


def issuing_organisation(case: Case, key: str) -> Organisation:
    """Who issues the kind's paper for the case: the municipality (or, for a school under the
    region, the ministry) for its acts, the school for the rest."""
    if key in REGIONAL:
        return db.session.get(Organisation, case.campaign.region_id) or case.school
    if key in ISSUED_BY_MUNICIPALITY or key == "case_history":
        return (
            case.municipality
            or db.session.get(Organisation, case.campaign.region_id)
            or case.school
        )
    return case.school


def default_author(case: Case, key: str) -> User | None:
    """Who generates the kind's paper when nobody is named (the command line): a person of the
    issuing organisation, else of the region, whose role produces it."""
    region_id = case.campaign.region_id
    for org_id in (issuing_organisation(case, key).id, region_id):
        for user in acting_users(org_id):
            if access.can_generate(user, case, key):
                return user
    for user in db.session.scalars(sa.select(User).where(User.organisation_id == region_id)):
        if user.active and access.can_generate(user, case, key):
            return user
    return None


def registered(document: Document) -> dict[str, Any]:
    """The number and date the issuer's office gave the document's signed act, if any."""
    latest = signed_original(document) if document.id is not None else None
    if latest is None or latest.reg_number is None:
        return {}
    return {"number": latest.reg_number, "date": latest.reg_date}


def _render_kind(
    case: Case, key: str, actor: User, document: Document | None
) -> tuple[bytes, str, int]:
    """The kind's document filled with the case's data: its bytes, file name and the template
    version used."""
    version, template = active_template(key)
    with force_locale("ru"):
        extra, images = BUILDERS[key](case, actor)
        context = {**common(case, issuing_organisation(case, key)), **extra}
        if key == "regional_order" and context["order"] and context["order"]["day"]:
            # The approving order is the campaign's legal record: its own number and date.
            context["document"] |= {
                "number": context["order"]["number"],
                "date": context["order"]["day"],
            }
        elif document is not None:
            context["document"] = {**context["document"], **registered(document)}
        title = str(catalog.kind(key).title)
    data = render(template, context, images, timezone=str(case_zone(case)))
    issuer = case.municipality.name if case.municipality else context["region"]["name"]
    owner_name = (
        context["region"]["name"]
        if key in REGIONAL
        else issuer
        if key == "municipal_order"
        else case.school.name
    )
    return data, checks.sanitise_filename(f"{title} — {owner_name}", checks.DOCX), version


def generate(case: Case, key: str, *, actor: User) -> DocumentVersion:
    """Fill the kind's active template with the case's data and store it as the next version."""
    if not access.can_generate(actor, case, key):
        raise NotAllowed(_("Your role does not produce this document."))
    if not applies(case, key):
        raise InvalidInput(_("This document does not belong to the case's track and plan."))
    document = _document(case, key, actor)
    data, filename, version = _render_kind(case, key, actor, document)
    return store_version(
        document, data, checks.DOCX, filename, actor=actor, template=(key, version)
    )


def hands_in(key: str) -> str | None:
    """What the kind's generated paper answers when handed in (a measure's «takes»), for the
    papers that answer a measure by a document; None for the rest."""
    needs = catalog.kind(key).needs if catalog.has_kind(key) else None
    return needs if needs is not None and needs.startswith("document:") else None


def can_hand_in(user: User, case: Case, key: str) -> bool:
    """Whether the user may generate the paper and hand it in as the obligation's version now."""
    takes = hands_in(key)
    if takes is None or not applies(case, key) or not access.can_generate(user, case, key):
        return False
    obligation = current_obligation(case, takes)
    return (
        obligation is not None
        and obligation.status in PENDING_STATUSES
        and access.is_responsible(user, obligation)
    )


def hand_in_generated(
    case: Case, key: str, *, actor: User, now: datetime | None = None
) -> DocumentVersion:
    """Generate the paper and hand it in directly as the next version of the obligation it
    answers (no download and upload again)."""
    takes = hands_in(key)
    if takes is None or not applies(case, key):
        raise InvalidInput(_("This document is not handed in as a generated paper."))
    if not access.can_generate(actor, case, key):
        raise NotAllowed(_("Your role does not produce this document."))
    obligation = lock(Obligation, require_responsible(actor, case, takes).id)
    data, filename, version = _render_kind(case, key, actor, None)
    return hand_in_version(
        obligation,
        data,
        checks.DOCX,
        filename,
        actor=actor,
        now=now or utcnow(),
        template=(key, version),
    )
