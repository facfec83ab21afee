"""Operations on user accounts. The acting user is always an argument."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app import access, audit
from app.accounts import sessions, throttle
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.models.org import Organisation
from app.models.types import utcnow
from app.models.user import Role, User

MIN_PASSWORD_LENGTH = 10
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A hash of a random password, checked when the login name is unknown so that the response
# takes as long as for a real account (no user enumeration by timing).
_DUMMY_HASH: str | None = None


class LoginRefused(Exception):
    """Wrong credentials, a disabled account, or too many attempts (``wait_seconds`` > 0)."""

    def __init__(self, wait_seconds: int = 0) -> None:
        super().__init__("login refused")
        self.wait_seconds = wait_seconds


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        probe = User()
        probe.set_password(secrets.token_hex(16))
        _DUMMY_HASH = probe.password_hash
    return _DUMMY_HASH


def normalise_email(email: str) -> str:
    """E-mail addresses are compared in lower case without surrounding spaces."""
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The account with this e-mail, if any."""
    return db.session.scalars(sa.select(User).where(User.email == normalise_email(email))).first()


def authenticate(
    email: str, password: str, *, ip: str | None, policy: throttle.Policy, now: datetime
) -> User:
    """Check credentials under the throttle; return the user or raise LoginRefused. The
    attempt is counted before the password is checked (see app.accounts.throttle)."""
    wait = throttle.attempt(email, ip, policy, now)
    if wait:
        raise LoginRefused(wait)
    user = find_user(email)
    if user is None:
        User(password_hash=_dummy_hash()).check_password(password)
        ok = False
    else:
        ok = user.check_password(password) and user.active
    if not ok or user is None:
        raise LoginRefused(0)
    throttle.register_success(email, ip)
    user.last_login_at = now
    return user


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short or trivially uniform."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH)
        )
    if len(set(password)) < 4:
        raise InvalidInput(_("The password is too simple."))


def _require_admin(actor: User) -> None:
    if not access.can_manage_users(actor):
        raise NotAllowed(_("Only an administrator can manage users."))


def _user_snapshot(user: User) -> dict[str, object]:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role.value,
        "organisation_id": user.organisation_id,
        "active": user.active,
    }


def create_user(
    *,
    email: str,
    full_name: str,
    role: Role,
    organisation: Organisation,
    password: str,
    actor: User | None,
    position: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Create an account; ``actor`` None means the command line (a system action).
    ``password_hash``: the hash of ``password`` computed once for many accounts (the demo)."""
    if actor is not None:
        _require_admin(actor)
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise InvalidInput(_("Enter a valid e-mail address."))
    if find_user(email) is not None:
        raise InvalidInput(_("A user with this e-mail already exists."))
    if organisation.kind is not role.org_kind:
        raise InvalidInput(_("This role cannot belong to this kind of organisation."))
    check_password_strength(password)
    user = User(
        email=email,
        full_name=full_name.strip(),
        position=position,
        role=role,
        organisation=organisation,
        active=True,
    )
    if password_hash is None:
        user.set_password(password)
    else:
        user.password_hash = password_hash
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        actor=actor,
        object_type="user",
        object_id=user.id,
        org_id=organisation.id,
        after=_user_snapshot(user),
    )
    return user


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Enable or disable an account; disabling ends its sessions."""
    _require_admin(actor)
    if user.id == actor.id and not active:
        raise InvalidInput(_("You cannot disable your own account."))
    if user.active == active:
        return
    before = _user_snapshot(user)
    user.active = active
    sessions.end_everything(user, now=utcnow())
    audit.record(
        "user.enabled" if active else "user.disabled",
        actor=actor,
        object_type="user",
        object_id=user.id,
        org_id=user.organisation_id,
        before=before,
        after=_user_snapshot(user),
    )


def generate_password() -> str:
    """A random password that is easy to dictate: four groups of four characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def reset_password(user: User, *, actor: User) -> str:
    """Set a new random password, end the user's sessions, tokens and feed, and return the
    password once."""
    _require_admin(actor)
    password = generate_password()
    user.set_password(password)
    sessions.end_everything(user, now=utcnow())
    audit.record(
        "user.password_reset",
        actor=actor,
        object_type="user",
        object_id=user.id,
        org_id=user.organisation_id,
    )
    return password


def change_own_password(user: User, old: str, new: str) -> None:
    """The user changes their password; every session ends (the caller opens a new one for the
    browser that changed it), and so do the API tokens and the calendar feed."""
    if not user.check_password(old):
        raise InvalidInput(_("The current password is wrong."))
    check_password_strength(new)
    user.set_password(new)
    sessions.end_everything(user, now=utcnow())
    audit.record(
        "user.password_changed",
        actor=user,
        object_type="user",
        object_id=user.id,
        org_id=user.organisation_id,
    )


def set_locale(user: User, locale: str, allowed: tuple[str, ...]) -> None:
    """Remember the user's interface language."""
    if locale not in allowed:
        raise InvalidInput(_("Unknown language."))
    user.locale = locale


def users_of(role: Role, org_id: int) -> list[User]:
    """The active people of a role in an organisation, oldest account first."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.organisation_id == org_id, User.role == role, User.active.is_(True))
            .order_by(User.id)
        )
    )


def acting_users(org_id: int) -> list[User]:
    """The people who do an organisation's work (by its kind: the ministry's for a region, …)."""
    org = db.session.get(Organisation, org_id)
    return users_of(access.role_for_kind(org.kind), org_id) if org is not None else []
