"""Sending notices by e-mail after the transaction that created them has committed.

The outbox rows are claimed (pending → sending) in a short committed transaction, then sent one
by one, each marked sent in its own commit as soon as the server has taken it. A crash leaves the
rows not yet marked in "sending", retried after STALE minutes: e-mail is at-least-once only for
the one message in flight at the crash, the in-app notice exactly once.

A row is marked only if it is still in this claim: a sweep that adds obligations to a notice
whose e-mail is in flight puts it back to pending, and that stands, so the e-mail goes again
with what was added.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import formataddr, make_msgid, parseaddr

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models.notify import Notification
from app.models.types import utcnow
from app.notices import texts

log = logging.getLogger(__name__)
STALE = timedelta(minutes=10)


def _claim(limit: int) -> tuple[list[int], datetime]:
    now = utcnow()
    stmt = (
        sa.select(Notification.id)
        .where(
            sa.or_(
                Notification.email_status == "pending",
                sa.and_(
                    Notification.email_status == "sending",
                    Notification.email_attempted_at < now - STALE,
                ),
            )
        )
        .order_by(Notification.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(stmt))
    if ids:
        db.session.execute(
            sa.update(Notification)
            .where(Notification.id.in_(ids))
            .values(email_status="sending", email_attempted_at=now)
        )
    db.session.commit()
    return ids, now


def _mark(notification_id: int, claimed_at: datetime, status: str) -> None:
    """Record how the e-mail went, unless the row has left this claim since."""
    values: dict[str, object] = {"email_status": status}
    if status == "sent":
        values["emailed_at"] = utcnow()
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.email_status == "sending",
            Notification.email_attempted_at == claimed_at,
        )
        .values(**values)
    )


def _address(name: str, email: str) -> str:
    return formataddr((name, email), charset="utf-8")


def message_for(notification: Notification) -> Message:
    """The e-mail of a notice, in the recipient's language.

    Built with the classic ``email.header.Header``: the newer policy's folder drops the space
    between two words of a long Cyrillic subject when a fold falls there (about one subject
    in eight of ours), which ``Header`` never does.
    """
    subject, body = texts.in_locale(notification, notification.user.locale or "ru")
    message = MIMEText(body, "plain", "utf-8")
    message["From"] = _address(*parseaddr(current_app.config["OKO_MAIL_FROM"]))
    message["To"] = _address(notification.user.full_name, notification.user.email)
    message["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]  # compat32 takes it
    message["Message-ID"] = make_msgid(domain="oko.local")
    return message


def _smtp() -> smtplib.SMTP | None:
    cfg = current_app.config
    if not cfg["OKO_SMTP_HOST"]:
        return None
    client = smtplib.SMTP(cfg["OKO_SMTP_HOST"], cfg["OKO_SMTP_PORT"], timeout=15)
    if cfg["OKO_SMTP_STARTTLS"]:
        client.starttls()
    if cfg["OKO_SMTP_USER"]:
        client.login(cfg["OKO_SMTP_USER"], cfg["OKO_SMTP_PASSWORD"])
    return client


def deliver_pending(limit: int = 200) -> int:
    """Send the outbox; returns how many e-mails went out."""
    ids, claimed_at = _claim(limit)
    if not ids:
        return 0
    client = _smtp()
    sent = 0
    try:
        for notification in db.session.scalars(
            sa.select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id)
        ).all():
            if client is None:  # no SMTP configured: the in-app notice stands
                _mark(notification.id, claimed_at, "skipped")
                continue
            try:
                client.send_message(message_for(notification))
            except (smtplib.SMTPException, OSError):
                log.exception("e-mail for notification %s failed", notification.id)
                _mark(notification.id, claimed_at, "failed")
            else:
                _mark(notification.id, claimed_at, "sent")
                sent += 1
            # Each one on its own: a crash later in the batch must not send this one again.
            db.session.commit()
        db.session.commit()
    finally:
        if client is not None:
            client.quit()
    return sent
