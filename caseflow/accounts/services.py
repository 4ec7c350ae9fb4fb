"""Writes for units, users and API tokens. Passwords are scrypt-hashed, tokens SHA-256-hashed."""

import hashlib
import logging
import re
import secrets
import unicodedata
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from caseflow.accounts.models import ROLES, UNIT_KINDS, ApiToken, LoginAttempt, Unit, User
from caseflow.errors import PermissionDenied, ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import utcnow

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
#: How precisely ``ApiToken.last_used_at`` follows the token's use.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


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
    now = utcnow()
    # Record use at most once a minute: a script calling the API must not pay a commit per request.
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        row.last_used_at = now
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


# --- administration: unit profiles and users (the admin pages; every change is logged) ---------

#: A seal is a small PNG (GB/T 9704 prints it at 42 mm); anything bigger is a scan gone wrong.
SEAL_MAX_BYTES = 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: What an admin types to switch a clock off at a unit (stored as ``None``).
CLOCK_OFF_WORDS = ("关闭", "off", "none")
_IPC_PREFIX = re.compile(r"^[A-H](\d{2}([A-Z](\d{1,4}(/\d{1,6})?)?)?)?$")
_LOCARNO_CLASS = re.compile(r"^\d{1,2}(-\d{1,2})?$")
_PERIOD_HELP = "期限格式不正确，应为数字加单位，如 5 workdays、15 days、3 months、24 hours"


def _require_admin(actor, what):
    if actor is None or not actor.is_admin:
        raise PermissionDenied(f"只有管理员可以{what}", message_en=f"only admins may {what}")


def _profile_clocks(clocks: dict, known: dict, fields: dict) -> dict:
    """The ``clocks`` section from what the admin typed: ``""`` keeps the workflow's default (the
    key is dropped), 关闭/off switches the clock off (``None``), a dict holds one period per
    variant (patent type)."""
    from caseflow.calendar import parse_period

    def period(text, key):
        text = (text or "").strip() if isinstance(text, str) else text
        if text is None or (isinstance(text, str) and text.lower() in CLOCK_OFF_WORDS):
            return None
        try:
            return str(parse_period(text))
        except ValueError:
            fields[key] = _PERIOD_HELP
            return text

    section = {}
    for name, value in (clocks or {}).items():
        if name not in known:
            fields[f"clocks.{name}"] = f"未知的时限：{name}"
            continue
        if isinstance(value, dict):
            variants = {}
            for variant, text in value.items():
                if isinstance(text, str) and not text.strip():
                    continue
                variants[variant] = period(text, f"clocks.{name}.{variant}")
            if variants:
                section[name] = variants
        elif not (isinstance(value, str) and not value.strip()):
            section[name] = period(value, f"clocks.{name}")
    return section


def _profile_fields(values: dict, fields: dict) -> dict:
    """IPC class prefixes and Locarno classes, upper-cased, duplicates dropped, order kept."""
    section = {}
    for scheme, pattern, example in (
        ("ipc", _IPC_PREFIX, "F21、H05B、G06F"),
        ("locarno", _LOCARNO_CLASS, "26、26-05"),
    ):
        clean, bad = [], []
        for item in (values or {}).get(scheme) or ():
            item = unicodedata.normalize("NFKC", str(item)).strip().upper().replace(" ", "")
            if not item:
                continue
            if scheme == "locarno":
                item = item.replace(".", "-")
            if not pattern.match(item):
                bad.append(item)
            elif item not in clean:
                clean.append(item)
        if bad:
            fields[f"fields.{scheme}"] = f"分类号格式不正确：{'、'.join(bad)}（例：{example}）"
        section[scheme] = clean
    return section


def _profile_doc_patterns(patterns: dict, known_kinds, fields: dict) -> dict:
    """Document-number patterns by notice kind; each must hold ``{year}`` and ``{seq}`` (the
    sequence is gapless per pattern and year) and nothing else in braces."""
    section = {}
    for kind, pattern in (patterns or {}).items():
        pattern = (pattern or "").strip()
        key = f"doc_patterns.{kind}"
        if kind != "default" and kind not in known_kinds:
            fields[key] = f"未知的文书种类：{kind}"
            continue
        if not pattern:
            if kind == "default":
                fields[key] = "默认文号格式不能为空"
            continue
        missing = [part for part in ("{year}", "{seq}") if part not in pattern]
        if missing:
            fields[key] = (
                f"文号格式须包含 {' 和 '.join(missing)}，如 中维裁字〔{{year}}〕第{{seq}}号"
            )
        else:
            try:
                pattern.format(year=2026, seq=1)
            except (KeyError, IndexError, ValueError):
                fields[key] = "文号格式中只能使用 {year} 和 {seq} 两个占位符"
        if len(pattern) > 60:
            fields[key] = "文号格式不能超过60个字符"
        section[kind] = pattern
    return section


def _seal_store(unit, filename: str, content: bytes, fields: dict) -> str | None:
    """Check a seal upload; the path it will be stored at, or None when refused."""
    if len(content) > SEAL_MAX_BYTES:
        fields["seal_image"] = (
            f"印章图片不能超过1 MB（上传的文件为 {len(content) / 1048576:.1f} MB）"
        )
        return None
    # The bytes decide, not the name: a renamed JPEG or PDF would break every notice's render.
    if not content.startswith(PNG_SIGNATURE):
        fields["seal_image"] = "印章图片须为 PNG 格式（文件内容不是 PNG）"
        return None
    digest = hashlib.sha256(content).hexdigest()[:16]
    return str(Path(current_app.config["CASEFLOW_STORAGE"]) / "seals" / f"{unit.code}-{digest}.png")


def unit_profile_update(
    unit,
    *,
    actor,
    clocks=None,
    fields=None,
    doc_patterns=None,
    contact=None,
    address=None,
    seal_filename=None,
    seal_content: bytes | None = None,
) -> Unit:
    """Change a unit's profile (admins): clock overrides, the pre-examination field lists, the
    document-number patterns, contact and address, and the seal image. A section passed as None
    is left as it is; every value is checked first and ``ValidationFailed`` names each bad one
    (keys ``clocks.review.design``, ``fields.ipc``, ``doc_patterns.decision``, ``seal_image``).
    Flushes; the caller commits. The seal is written under CASEFLOW_STORAGE/seals/."""
    import workflows
    from caseflow.notices.kinds import KINDS

    _require_admin(actor, "修改单位配置")
    errors: dict = {}
    profile = dict(unit.profile or {})
    if clocks is not None:
        known = {c.name: c for m in workflows.WORKFLOWS.values() for c in m.CLOCKS}
        profile["clocks"] = _profile_clocks(clocks, known, errors)
    if fields is not None:
        profile["fields"] = _profile_fields(fields, errors)
    if doc_patterns is not None:
        profile["doc_patterns"] = _profile_doc_patterns(doc_patterns, KINDS, errors)
    for key, value in (("contact", contact), ("address", address)):
        if value is not None:
            value = value.strip()
            if len(value) > 300:
                errors[key] = "不能超过300个字符"
            profile[key] = value
    seal_path = None
    if seal_content is not None:
        seal_path = _seal_store(unit, seal_filename or "", seal_content, errors)
    if errors:
        raise ValidationFailed(
            "单位配置有误：" + "；".join(errors.values()),
            message_en="invalid unit profile: " + ", ".join(errors),
            fields=errors,
        )
    if seal_path:
        Path(seal_path).parent.mkdir(parents=True, exist_ok=True)
        Path(seal_path).write_bytes(seal_content)
        profile["seal_image"] = seal_path
    changed = sorted(
        k
        for k in set(profile) | set(unit.profile or {})
        if profile.get(k) != (unit.profile or {}).get(k)
    )
    unit.profile = profile  # a new dict: the JSON column tracks assignment, not mutation
    db.session.flush()
    log.info(
        "unit %s profile changed by %s: %s",
        unit.code,
        actor.username,
        ", ".join(changed) or "nothing",
    )
    return unit


def user_update(user, *, actor, role, unit_code, active: bool) -> User:
    """Change a user's role, unit and active flag (admins). An admin cannot lock themselves out:
    their own role and active flag stay. Flushes; the caller commits."""
    _require_admin(actor, "修改用户")
    errors = {}
    if role not in ROLES:
        errors["role"] = f"未知角色 {role!r}"
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).filter_by(code=unit_code))
        if unit is None:
            errors["unit"] = f"未知单位 {unit_code!r}"
    elif role != "admin":
        errors["unit"] = "除管理员外，用户必须属于一个单位"
    if user.id == actor.id:
        if role != "admin":
            errors["role"] = "不能取消自己的管理员角色"
        if not active:
            errors["active"] = "不能停用自己的账号"
    if errors:
        raise ValidationFailed("；".join(errors.values()), message_en="invalid user", fields=errors)
    before = (user.role, user.unit.code if user.unit else None, user.active)
    user.role, user.unit, user.active = role, unit, bool(active)
    db.session.flush()
    log.info(
        "user %s changed by %s: role/unit/active %s -> %s",
        user.username,
        actor.username,
        before,
        (role, unit_code or None, bool(active)),
    )
    return user


def user_password_reset(user, *, actor, password: str) -> User:
    """Set a new password for ``user`` (admins); their failed-login record is cleared so they can
    log in at once. Flushes; the caller commits."""
    _require_admin(actor, "重置密码")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"密码至少 {MIN_PASSWORD_LENGTH} 位",
            message_en=f"at least {MIN_PASSWORD_LENGTH} characters",
            fields={"password": f"密码至少 {MIN_PASSWORD_LENGTH} 位"},
        )
    user.password_hash = generate_password_hash(password)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.username == user.username))
    db.session.flush()
    log.info("password of %s reset by %s", user.username, actor.username)
    return user
