"""Units (centres and fair desks), users, their web sessions, API tokens, login attempts and the
mails that tell a user their credentials changed."""

from datetime import datetime
from typing import Protocol, runtime_checkable

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.timeutil import utcnow
from caseflow.types import UTCDateTime

#: Roles of procedures.md; the order is the UI's.
ROLES = ("caseworker", "desk_officer", "supervisor", "admin", "viewer")
ROLE_LABELS = {
    "caseworker": "承办人",
    "desk_officer": "展会投诉站工作人员",
    "supervisor": "部门负责人",
    "admin": "管理员",
    "viewer": "只读用户",
}
UNIT_KINDS = ("protection_centre", "rapid_centre", "fair_desk")


@runtime_checkable
class Actor(Protocol):
    """Who acts in a service call, as the engine, the clocks and the calendar read them: a
    signed-in ``User`` (API token users included). Audit rows keep ``id``; roles and units gate
    what the actor may do; ``username`` goes into logs and calendar loads."""

    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str: ...

    @property
    def display_name(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def unit_id(self) -> int | None: ...

    def can_see_unit(self, unit_id: int | None) -> bool: ...


class Unit(db.Model):
    """A protection centre, a rapid-protection centre or a trade fair's complaint desk."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Short code used in case numbers: ZS, PD, CF.
    code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    #: The unit profile: field whitelists, clock overrides, document-number patterns, contact, seal.
    profile: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)

    __table_args__ = (
        CheckConstraint(
            "kind in ('protection_centre', 'rapid_centre', 'fair_desk')", name="kind_known"
        ),
    )

    def __repr__(self):
        return f"<Unit {self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(120), nullable=False)
    #: werkzeug scrypt hash; the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    #: Admins may have no unit; everyone else belongs to exactly one.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: Part of every session and remember cookie (``get_id``); raising it ends them all (logout,
    #: password change or reset, deactivation, ``users revoke``), on every web node at once.
    session_generation: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )

    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "role in ('caseworker', 'desk_officer', 'supervisor', 'admin', 'viewer')",
            name="role_known",
        ),
        CheckConstraint("role = 'admin' or unit_id is not null", name="unit_unless_admin"),
    )

    @property
    def is_active(self):
        return self.active

    def get_id(self) -> str:
        """What the session and the remember cookie hold: id, generation and a per-login nonce.
        The nonce makes every login's remember cookie a new value (rotation); the generation lets
        one update end every session of the user (see ``caseflow.web.core._load_user``)."""
        nonce = getattr(self, "login_nonce", None) or "0"
        return f"{self.id}:{self.session_generation}:{nonce}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_see_unit(self, unit_id: int | None) -> bool:
        """Users see only their own unit's cases; admins see all."""
        return self.is_admin or (unit_id is not None and unit_id == self.unit_id)

    def __repr__(self):
        return f"<User {self.username} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: After this instant the token is refused (CASEFLOW_TOKEN_DAYS after creation, default 90).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """Failed logins, kept so that guessing is throttled across every web worker. Rows older
    than the throttling window are pruned on each failure."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), nullable=False)
    remote_addr: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    attempted_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, index=True
    )


class UserSession(db.Model):
    """One web login (ASVS 3.3.4): listed on the user's account page, where it can be ended.

    The session and remember cookies carry a per-login secret (``User.get_id``); only its SHA-256
    is stored here. A cookie whose row is gone is refused (``caseflow.web.core._load_user``), so
    deleting the row logs that browser out on every node. Raising the user's session generation
    deletes them all."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    #: SHA-256 (hex) of the per-login secret held by the cookies.
    id_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: Updated at most once a minute while the session is used.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    remote_addr: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    user_agent: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    user: Mapped[User] = relationship()


class AccountMail(db.Model):
    """An e-mail telling a user that their credentials changed (ASVS 2.2.3): password changed or
    reset, API token created. Written in the same transaction as the change; sent after commit
    by the scheduler's outbox job (``caseflow.accounts.mail``), claimed like alert messages."""

    __tablename__ = "account_mails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    #: ``password_changed``, ``password_reset`` or ``token_created``.
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    recipient: Mapped[str] = mapped_column(String(200), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint(
            "kind in ('password_changed', 'password_reset', 'token_created')", name="kind_known"
        ),
        CheckConstraint("status in ('pending', 'sending', 'sent', 'failed')", name="status_known"),
        CheckConstraint("status != 'sent' or sent_at is not null", name="sent_has_time"),
        Index("ix_account_mails_status_next", "status", "next_attempt_at"),
    )
