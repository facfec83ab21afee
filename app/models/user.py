"""Users, roles and the failed-login throttle."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from app import names
from app.extensions import db
from app.models.org import Organisation, OrgKind
from app.models.types import UTCDateTime, str_enum, utcnow


class Role(enum.StrEnum):
    MINISTRY = "ministry"
    INSTITUTE = "institute"
    MUNICIPAL = "municipal"
    METHOD_CENTRE = "method_centre"
    SCHOOL = "school"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])

    @property
    def org_kind(self) -> OrgKind:
        """The kind of organisation a user of this role belongs to."""
        return ROLE_ORG_KIND[self]


ROLE_LABELS = {
    Role.MINISTRY: _l("Ministry"),
    Role.INSTITUTE: _l("Regional institute"),
    Role.MUNICIPAL: _l("Municipality"),
    Role.METHOD_CENTRE: _l("Methodological centre"),
    Role.SCHOOL: _l("School"),
    Role.AUDITOR: _l("Auditor"),
    Role.ADMIN: _l("Administrator"),
}

ROLE_ORG_KIND = {
    Role.MINISTRY: OrgKind.REGION,
    Role.AUDITOR: OrgKind.REGION,
    Role.ADMIN: OrgKind.REGION,
    Role.INSTITUTE: OrgKind.INSTITUTE,
    Role.MUNICIPAL: OrgKind.MUNICIPALITY,
    Role.METHOD_CENTRE: OrgKind.METHOD_CENTRE,
    Role.SCHOOL: OrgKind.SCHOOL,
}
# The role whose people do the work of an organisation of each kind.
ACTING_ROLE = {
    OrgKind.REGION: Role.MINISTRY,
    OrgKind.INSTITUTE: Role.INSTITUTE,
    OrgKind.MUNICIPALITY: Role.MUNICIPAL,
    OrgKind.METHOD_CENTRE: Role.METHOD_CENTRE,
    OrgKind.SCHOOL: Role.SCHOOL,
}
# The roles whose people do the work of their organisation (hand in, review); the auditor and the
# administrator of a region only read and administer.
ACTING_ROLES = frozenset(
    {Role.MINISTRY, Role.INSTITUTE, Role.MUNICIPAL, Role.METHOD_CENTRE, Role.SCHOOL}
)

# scrypt with werkzeug's defaults (N=2**15, r=8, p=1): a memory-hard KDF.
PASSWORD_METHOD = "scrypt"  # noqa: S105 -- a hash method name, not a password


class User(db.Model):
    """A person who logs in; belongs to exactly one organisation and has one role."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(300))
    position: Mapped[str | None] = mapped_column(sa.String(300))
    password_hash: Mapped[str] = mapped_column(sa.String(300))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role", 16))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(sa.String(5), default="ru")
    # Bumped on password reset or disabling: every session cookie issued before becomes invalid.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "each": an e-mail per notice; "digest": one e-mail a day; "none": the in-app centre only.
    email_mode: Mapped[str] = mapped_column(sa.String(8), default="each")
    # The person's choice per kind of notice (each / digest / none), over email_mode.
    notice_modes: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    # SHA-256 of the secret in the user's calendar feed URL; None: no feed.
    calendar_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Kept from the name and e-mail by _keep_search_key: what the administrators' search looks in
    # (Cyrillic folded on every database, see app.names).
    search_key: Mapped[str] = mapped_column(sa.String(600), default="", index=True)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @validates("full_name", "email")
    def _keep_search_key(self, key: str, value: str) -> str:
        name = value if key == "full_name" else self.full_name
        email = value if key == "email" else self.email
        self.search_key = names.person_search_key(name or "", email or "")
        return value

    @classmethod
    def scope_org_id(cls) -> sa.ColumnElement[int]:
        """A user is seen by whoever sees their organisation."""
        return cls.organisation_id  # type: ignore[return-value]

    # Flask-Login protocol -------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    # Passwords --------------------------------------------------------------------------------
    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class UserSession(db.Model):
    """A logged-in browser: the cookie carries a random secret, the database its SHA-256, so
    that logging out, a password change, a reset or disabling ends the session for good."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginThrottle(db.Model):
    """Failed login attempts per login name, whether or not such a user exists."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiToken(db.Model):
    """A personal token for the REST API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))  # shown to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
