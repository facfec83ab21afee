"""The campaign's approving order (приказ об утверждении перечня): recording it, checked and
with its history, and the block every generated document cites it from."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app import access, audit
from app.errors import Conflict, NotAllowed
from app.extensions import db
from app.legal.numbers import (
    InvalidField,
    check_not_ahead,
    check_number,
    clean,
    clean_number,
    dotted,
    reference,
)
from app.models.audit import AuditEvent
from app.models.case import Campaign
from app.models.user import User
from app.russian import genitive

log = logging.getLogger(__name__)

RECORDED = "campaign.order_recorded"
# The longest value of each text field (the columns' lengths).
LENGTHS = {"title": 500, "issuer": 300, "signatory_name": 200, "signatory_position": 300}
_QUOTES = "«»\"'“”„ "


@dataclass(frozen=True)
class OrderValues:
    """What the ministry records of its order; None where nothing is known."""

    number: str | None = None
    date: date | None = None
    title: str | None = None  # «Об утверждении перечня …», without the quotes
    issuer: str | None = None  # the issuing body in the nominative: «Министерство образования …»
    signatory_name: str | None = None
    signatory_position: str | None = None

    def cleaned(self) -> OrderValues:
        """Whitespace collapsed, a leading «№» and the title's own quotes dropped."""
        title = clean(self.title)
        return OrderValues(
            number=clean_number(self.number),
            date=self.date,
            title=clean(title.strip(_QUOTES)) if title else None,
            issuer=clean(self.issuer),
            signatory_name=clean(self.signatory_name),
            signatory_position=clean(self.signatory_position),
        )


COLUMNS = {
    "number": "order_number",
    "date": "order_date",
    "title": "order_title",
    "issuer": "order_issuer",
    "signatory_name": "order_signatory_name",
    "signatory_position": "order_signatory_position",
}


def order_of(campaign: Campaign) -> OrderValues:
    """The order as the campaign records it."""
    return OrderValues(**{name: getattr(campaign, column) for name, column in COLUMNS.items()})


def check(values: OrderValues, campaign: Campaign, today: date) -> None:
    """Refuse an order that cannot be: a number without its date or the other way round, a title
    or signatory without either, a date in the future or before the VPR year, too long texts."""
    for name, limit in LENGTHS.items():
        text = getattr(values, name)
        if text and len(text) > limit:
            raise InvalidField(name, _("At most %(n)d characters.", n=limit))
    described = values.title or values.issuer or values.signatory_name or values.signatory_position
    if values.number is None and values.date is None:
        if described:
            raise InvalidField(
                "number",
                _("Enter the order's number and date: the title, issuer and signatory are theirs."),
            )
        return
    if values.date is None:
        raise InvalidField("date", _("Enter the date of order № %(n)s.", n=values.number))
    if values.number is None:
        raise InvalidField(
            "number", _("Enter the number of the order of %(day)s.", day=dotted(values.date))
        )
    check_number(values.number)
    check_not_ahead(values.date, today)
    if values.date.year < campaign.vpr_year:
        raise InvalidField(
            "date",
            _(
                "The order approves the list of the VPR of %(year)d: it cannot be dated before "
                "01.01.%(year)d.",
                year=campaign.vpr_year,
            ),
        )
    if bool(values.signatory_name) != bool(values.signatory_position):
        missing = "signatory_position" if values.signatory_name else "signatory_name"
        raise InvalidField(missing, _("A signature block has both the position and the name."))


def _stale(campaign: Campaign) -> Conflict:
    last = db.session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.object_type == "campaign",
            AuditEvent.object_id == campaign.id,
            AuditEvent.action == RECORDED,
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    if last is None:
        return Conflict(
            _("The campaign changed after you opened it. Reload the page and try again.")
        )
    return Conflict(
        _(
            "%(who)s changed the order at %(when)s, after you opened the page. Reload the page "
            "and try again.",
            who=last.actor_name,
            when=last.occurred_at.strftime("%d.%m.%Y %H:%M UTC"),
        )
    )


def record_order(
    campaign: Campaign,
    values: OrderValues,
    *,
    actor: User,
    today: date,
    expected_version: int | None,
) -> bool:
    """Record the campaign's approving order; the history keeps what each field was and became.
    False when nothing changed."""
    if not access.can_record_order(actor, campaign):
        raise NotAllowed(_("Only the ministry of the campaign's region records its order."))
    campaign = db.session.scalars(
        sa.select(Campaign)
        .where(Campaign.id == campaign.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if expected_version is not None and campaign.version != expected_version:
        raise _stale(campaign)
    values = values.cleaned()
    check(values, campaign, today)
    before, after = dataclasses.asdict(order_of(campaign)), dataclasses.asdict(values)
    changed = [name for name in COLUMNS if before[name] != after[name]]
    if not changed:
        return False
    for name in changed:
        setattr(campaign, COLUMNS[name], after[name])
    db.session.flush()
    audit.record(
        RECORDED,
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        org_id=campaign.region_id,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    log.info("campaign %s: order fields %s recorded by user %s", campaign.id, changed, actor.id)
    return True


def printable(campaign: Campaign) -> dict[str, Any] | None:
    """The order as documents cite it, or None when neither its number nor its date is recorded
    (a document then leaves the citation out): {number, date «03.11.2023», day, title, issuer,
    issuer_genitive, reference «от 03.11.2023 № 1592/1», signatory {name, position} | None}."""
    order = order_of(campaign)
    if order.number is None and order.date is None:
        return None
    return {
        "number": order.number,
        "date": dotted(order.date) if order.date else None,
        "day": order.date,
        "title": order.title,
        "issuer": order.issuer,
        "issuer_genitive": genitive(order.issuer) if order.issuer else None,
        "reference": reference(order.number, order.date),
        "signatory": {"name": order.signatory_name, "position": order.signatory_position}
        if order.signatory_name
        else None,
    }
