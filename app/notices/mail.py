"""Sending notices by e-mail after the transaction that created them has committed.

The outbox rows are claimed (pending → sending) in a short committed transaction, then sent one
by one, each marked sent in its own commit as soon as the server has taken it. A crash leaves the
rows not yet marked in "sending", retried after STALE minutes: e-mail is at-least-once only for
the one message in flight at the crash, the in-app notice exactly once.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models.notify import Notification
from app.models.types import utcnow
from app.notices import texts

log = logging.getLogger(__name__)
STALE = timedelta(minutes=10)


def _claim(limit: int) -> list[int]:
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
    return ids


def message_for(notification: Notification) -> EmailMessage:
    """The e-mail of a notice, in the recipient's language."""
    subject, body = texts.in_locale(notification, notification.user.locale or "ru")
    message = EmailMessage()
    message["From"] = current_app.config["OKO_MAIL_FROM"]
    message["To"] = formataddr((notification.user.full_name, notification.user.email))
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="oko.local")
    message.set_content(body)
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
    ids = _claim(limit)
    if not ids:
        return 0
    client = _smtp()
    sent = 0
    try:
        for notification in db.session.scalars(
            sa.select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id)
        ).all():
            if client is None:
                notification.email_status = (
                    "skipped"  # no SMTP configured: the in-app notice stands
                )
                continue
            try:
                client.send_message(message_for(notification))
            except (smtplib.SMTPException, OSError):
                log.exception("e-mail for notification %s failed", notification.id)
                notification.email_status = "failed"
            else:
                notification.email_status, notification.emailed_at = "sent", utcnow()
                sent += 1
            # Each one on its own: a crash later in the batch must not send this one again.
            db.session.commit()
        db.session.commit()
    finally:
        if client is not None:
            client.quit()
    return sent
