"""Writes for units, users and API tokens. Passwords are scrypt-hashed, tokens SHA-256-hashed."""

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from caseflow.accounts.models import ROLES, UNIT_KINDS, ApiToken, LoginAttempt, Unit, User
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import utcnow

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8


def unit_upsert(*, code: str, name: str, kind: str, profile: dict) -> Unit:
    """Create or update a unit by code (seed data is idempotent)."""
    if kind not in UNIT_KINDS:
        raise ValidationFailed(f"未知的单位类型：{kind}", fields={"kind": "未知的单位类型"})
    unit = db.session.scalar(select(Unit).filter_by(code=code))
    if unit is None:
        unit = Unit(code=code, name=name, kind=kind, profile=profile)
        db.session.add(unit)
    else:
        unit.name, unit.kind, unit.profile = name, kind, profile
    db.session.flush()
    return unit


def user_create(
    *,
    username: str,
    password: str,
    role: str,
    unit_code: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
) -> User:
    """Create a user. Bad role, unknown unit or a taken name raise before anything is written."""
    fields = {}
    if role not in ROLES:
        fields["role"] = f"未知角色 {role!r}，可选：{', '.join(ROLES)}"
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).filter_by(code=unit_code))
        if unit is None:
            fields["unit"] = f"未知单位 {unit_code!r}"
    elif role != "admin" and role in ROLES:
        fields["unit"] = "除管理员外，用户必须属于一个单位"
    if not username or len(username) > 80:
        fields["username"] = "用户名不能为空，且不超过 80 个字符"
    elif db.session.scalar(select(User.id).filter_by(username=username)) is not None:
        fields["username"] = f"用户名 {username!r} 已存在"
    if len(password or "") < MIN_PASSWORD_LENGTH:
        fields["password"] = f"密码至少 {MIN_PASSWORD_LENGTH} 位"
    if fields:
        raise ValidationFailed("；".join(fields.values()), fields=fields)
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=generate_password_hash(password),
        role=role,
        unit=unit,
        email=email,
    )
    db.session.add(user)
    db.session.flush()
    log.info("user created: %s (%s, %s)", username, role, unit_code or "-")
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(user: User) -> str:
    """A new API token for ``user``. Returned once; only its SHA-256 is stored."""
    token = "cf_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=_token_digest(token)))
    db.session.flush()
    return token


def token_authenticate(token: str) -> User | None:
    row = db.session.scalar(
        select(ApiToken).filter_by(token_hash=_token_digest(token), revoked=False)
    )
    if row is None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    db.session.commit()
    return row.user


def login_is_throttled(username: str, remote_addr: str) -> bool:
    """Too many recent failures for this name, or from this address."""
    window_start = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    recent = LoginAttempt.attempted_at >= window_start
    by_name = db.session.scalar(
        select(func.count()).where(recent, LoginAttempt.username == username)
    )
    by_addr = db.session.scalar(
        select(func.count()).where(recent, LoginAttempt.remote_addr == remote_addr)
    )
    return by_name >= limit or by_addr >= limit * 4


def user_authenticate(username: str, password: str, remote_addr: str) -> User | None:
    """The user if the password is right; every failure is recorded for throttling."""
    user = db.session.scalar(select(User).filter_by(username=username))
    if user is not None and user.active and check_password_hash(user.password_hash, password):
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
        db.session.commit()
        return user
    db.session.add(LoginAttempt(username=username[:80], remote_addr=remote_addr[:64]))
    db.session.commit()
    log.warning("failed login for %r from %s", username, remote_addr)
    return None
