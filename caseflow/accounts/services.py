"""Writes for units, users and API tokens. Passwords are scrypt-hashed, tokens SHA-256-hashed."""

import functools
import hashlib
import io
import json
import logging
import re
import secrets
import unicodedata
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from caseflow.accounts.mail import account_mail_queue
from caseflow.accounts.models import (
    ROLES,
    UNIT_KINDS,
    ApiToken,
    LoginAttempt,
    Unit,
    User,
    UserSession,
)
from caseflow.errors import NotFound, PermissionDenied, ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import local_date, utcnow

log = logging.getLogger(__name__)

#: ASVS 2.1.1: at least 12 characters; 2.1.7: not one of the common passwords bundled with us.
MIN_PASSWORD_LENGTH = 12
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")
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


#: A login name: typed at every login, shown in the audit, so plain letters and digits.
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]*")
#: An e-mail address as a mail server takes it: one @, a dotted domain, no blanks.
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def _who(actor) -> str:
    """Who did it, for the log: the admin's user name, or the command line (run on the server)."""
    return actor.username if actor is not None else "the command line"


def _display_name_clean(value: str | None, fields: dict) -> str | None:
    """The name printed for a user (audit, assignments); None when it is not given."""
    if value is None:
        return None
    value = " ".join(value.split())
    if not value or len(value) > 120:
        fields["display_name"] = "姓名不能为空，且不超过 120 个字符"
    return value


def _email_clean(value: str | None, fields: dict) -> str | None:
    """The address the user's alerts and account mails go to; ``""`` or None: none."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > 200 or not EMAIL.fullmatch(value):
        fields["email"] = f"电子邮箱格式不正确：{value!r}（例：zhang.san@example.cn）"
    return value


def user_create(
    *,
    username: str,
    password: str,
    role: str,
    unit_code: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
    actor=None,
) -> User:
    """Create a user (``actor``: the admin on the admin page; None: the command line or the
    seed). Bad role, unknown unit or a taken name raise before anything is written."""
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
    if role == "admin" and unit_code:
        # An admin serves every unit; tied to one, the role's reach would read as that unit's.
        fields["unit"] = "管理员不属于任何单位"
    if not username or len(username) > 80:
        fields["username"] = "用户名不能为空，且不超过 80 个字符"
    elif not USERNAME.fullmatch(username):
        fields["username"] = "用户名只能由字母、数字和 . _ - @ 组成，且以字母或数字开头"
    elif (
        db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
        is not None
    ):
        # Login compares names exactly: ZS_Caseworker beside zs_caseworker would be two accounts
        # a person cannot tell apart.
        fields["username"] = f"用户名 {username!r} 已存在（不区分大小写）"
    password_problem = password_check(password)
    if password_problem:
        fields["password"] = password_problem[0]
    display_name = _display_name_clean(display_name, fields) if display_name else None
    email = _email_clean(email, fields)
    if fields:
        raise ValidationFailed("；".join(fields.values()), fields=fields)
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=_password_hash(password),
        role=role,
        unit=unit,
        email=email,
    )
    db.session.add(user)
    db.session.flush()
    log.info(
        "user %s created by %s: %s, unit %s, name %r, e-mail %s",
        username,
        _who(actor),
        role,
        unit_code or "-",
        user.display_name,
        email or "-",
    )
    return user


@functools.cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_check(password: str | None) -> tuple[str, str] | None:
    """Why ``password`` may not be used, in Chinese and English, or None when it may."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return (
            f"密码至少 {MIN_PASSWORD_LENGTH} 位",
            f"at least {MIN_PASSWORD_LENGTH} characters",
        )
    if password.lower() in _common_passwords() or len(set(password)) < 4:
        return ("这是常见密码，容易被猜中，请换一个", "a common password, easily guessed")
    return None


def user_sessions_end(user: User) -> None:
    """End every web session and remember cookie of ``user`` on every node: the generation is
    part of what the cookies hold, and the user loader refuses an old one; the session records
    go too. Flushes."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.flush()


# -- web sessions, one record per login (ASVS 3.3.4) ---------------------------------------------

#: How precisely ``UserSession.last_seen_at`` follows use: at most one write a minute per session.
SESSION_SEEN_RESOLUTION = timedelta(minutes=1)


def _session_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def session_idle_limit() -> timedelta:
    """A session unused this long is over, remember cookie or not (the remember cookie's life)."""
    return timedelta(seconds=current_app.config.get("REMEMBER_COOKIE_DURATION", 14 * 24 * 3600))


def session_open(user: User, *, remote_addr: str, user_agent: str, now=None) -> str:
    """Record a new login of ``user`` and return its secret (the cookies carry it; only its
    SHA-256 is stored). The user's sessions idle past the limit are pruned. Flushes."""
    now = now or utcnow()
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.last_seen_at < now - session_idle_limit()
        )
    )
    secret = secrets.token_urlsafe(24)  # 192 bits
    db.session.add(
        UserSession(
            user_id=user.id,
            id_hash=_session_digest(secret),
            created_at=now,
            last_seen_at=now,
            remote_addr=(remote_addr or "")[:64],
            user_agent=(user_agent or "")[:300],
        )
    )
    db.session.flush()
    return secret


def session_check(user_id: int, secret: str, now=None) -> UserSession | None:
    """The live session record of ``user_id`` that ``secret`` names, or None (ended, pruned, idle
    too long, or never ours). Records use at most once a minute, committing only that."""
    now = now or utcnow()
    row = db.session.scalar(
        select(UserSession).filter_by(user_id=user_id, id_hash=_session_digest(secret or ""))
    )
    if row is None or row.last_seen_at < now - session_idle_limit():
        return None
    if now - row.last_seen_at > SESSION_SEEN_RESOLUTION:
        row.last_seen_at = now
        db.session.commit()
    return row


def sessions_of(user: User, now=None) -> list[UserSession]:
    """The user's live sessions, most recently used first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.last_seen_at >= now - session_idle_limit(),
            )
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def session_is(row: UserSession, secret: str | None) -> bool:
    """Whether ``row`` is the session that ``secret`` (this browser's) names."""
    return bool(secret) and row.id_hash == _session_digest(secret)


def session_end(user: User, session_id: int) -> UserSession:
    """The user logs one of their own sessions out: that browser's cookies stop working on every
    node. Someone else's session answers like a missing one. Flushes; the caller commits."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        raise NotFound("没有这个会话", message_en="no such session")
    db.session.delete(row)
    db.session.flush()
    log.warning("session %d of %s ended by its owner", session_id, user.username)
    return row


def sessions_end_others(user: User, *, keep_secret: str) -> int:
    """Log out every session of ``user`` but the one ``keep_secret`` names (this browser).
    Returns how many ended. Flushes; the caller commits."""
    ended = db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.id_hash != _session_digest(keep_secret)
        )
    ).rowcount
    db.session.flush()
    log.warning("%d other sessions of %s ended by its owner", ended, user.username)
    return ended


def user_revoke(user: User, *, actor=None) -> int:
    """``users revoke``: end every session and revoke every API token of ``user`` (a lost laptop,
    a leaver); ``actor`` is the admin (None: the command line). Returns how many tokens were
    revoked. Flushes; the caller commits."""
    user_sessions_end(user)
    count = _tokens_revoke_all(user)
    log.warning(
        "all sessions and %d API tokens of %s revoked by %s", count, user.username, _who(actor)
    )
    return count


def _tokens_revoke_all(user: User) -> int:
    """Revoke every live API token of ``user``; how many. Flushes."""
    tokens = db.session.scalars(select(ApiToken).filter_by(user_id=user.id, revoked=False)).all()
    for token in tokens:
        token.revoked = True
    db.session.flush()
    return len(tokens)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(user: User, *, days: int | None = None, now=None) -> str:
    """A new API token for ``user``, valid ``days`` (CASEFLOW_TOKEN_DAYS, 90 by default).
    Returned once; only its SHA-256 is stored."""
    now = now or utcnow()
    days = days if days is not None else current_app.config.get("CASEFLOW_TOKEN_DAYS", 90)
    if not 0 < days <= 3660:
        raise ValidationFailed(
            "令牌有效期应为 1 至 3660 天", message_en="token lifetime: 1 to 3660 days",
            fields={"days": "1–3660"},
        )
    token = "cf_" + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user,
        token_hash=_token_digest(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    account_mail_queue(user, "token_created", at=now, token_id=row.id, expires_at=row.expires_at)
    # Only ``users token`` on the server creates tokens. The expiry's date is the local one, as
    # the mail and the pages give it (the UTC date is the day before for a token made before 08:00).
    log.warning(
        "API token %d of %s created by the command line, expires %s",
        row.id,
        user.username,
        local_date(row.expires_at).isoformat(),
    )
    return token


def tokens_of(user: User | None = None) -> list[ApiToken]:
    """API tokens, newest first: one user's, or everyone's when ``user`` is None."""
    query = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user is not None:
        query = query.filter_by(user_id=user.id)
    return list(db.session.scalars(query))


def token_revoke(token_id: int, *, actor: User | None) -> ApiToken:
    """Revoke one API token: its owner or an admin may (``actor`` None is the command line).
    Someone else's token answers like a missing one. Flushes; the caller commits."""
    row = db.session.get(ApiToken, token_id)
    if row is None or not (actor is None or actor.is_admin or row.user_id == actor.id):
        raise NotFound("没有这个令牌", message_en="no such token")
    row.revoked = True
    db.session.flush()
    log.warning("API token %d of %s revoked by %s", row.id, row.user.username, _who(actor))
    return row


def token_authenticate(token: str) -> User | None:
    row = db.session.scalar(
        select(ApiToken).filter_by(token_hash=_token_digest(token), revoked=False)
    )
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.expires_at is not None and row.expires_at <= now:
        return None
    # Record use at most once a minute: a script calling the API must not pay a commit per request.
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        row.last_used_at = now  # the API commits it before the request's own work
    return row.user


def login_is_throttled(username: str, remote_addr: str, now=None) -> bool:
    """Throttling slows the guesser, not the owner (ASVS 2.2.1): too many recent failures for
    this name *from this address*, or too many from this address whatever the names. Failures
    elsewhere never lock the owner out; the address ceiling names no account. A refusal is
    logged with the name tried and the address."""
    window_start = (now or utcnow()) - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    recent = LoginAttempt.attempted_at >= window_start
    from_addr = LoginAttempt.remote_addr == remote_addr[:64]
    by_pair = db.session.scalar(
        select(func.count()).where(recent, from_addr, LoginAttempt.username == username[:80])
    )
    if by_pair >= current_app.config["LOGIN_MAX_FAILURES"]:
        throttled = "this name from this address"
    else:
        by_addr = db.session.scalar(select(func.count()).where(recent, from_addr))
        if by_addr < current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]:
            return False
        throttled = "this address"
    # An authentication decision like a failed login (ASVS 7.2.1): logged, never the password.
    log.warning(
        "login refused (throttled: too many failures for %s) for %r from %s",
        throttled,
        username,
        remote_addr,
    )
    return True


def _password_hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    """A hash to check unknown names against, so that they cost what a real user costs."""
    return _dummy_hash_for(current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def user_authenticate(username: str, password: str, remote_addr: str, now=None) -> User | None:
    """The user if the password is right; every failure is recorded for throttling, and records
    older than the window are pruned. An unknown or inactive name pays for a hash check too, so
    the answer's timing does not tell who exists. Flushed; the login page commits either way
    (a failure must count even though the login is refused)."""
    now = now or utcnow()
    user = db.session.scalar(select(User).filter_by(username=username))
    stored = user.password_hash if user is not None else _dummy_hash()
    password_ok = check_password_hash(stored, password)
    if user is not None and user.active and password_ok:
        db.session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.username == username[:80], LoginAttempt.remote_addr == remote_addr[:64]
            )
        )
        return user
    window_start = now - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < window_start))
    db.session.add(
        LoginAttempt(username=username[:80], remote_addr=remote_addr[:64], attempted_at=now)
    )
    db.session.flush()
    log.warning("failed login for %r from %s", username, remote_addr)
    return None


# --- administration: unit profiles and users (the admin pages; every change is logged) ---------

#: A seal is a small PNG (GB/T 9704 prints it at 42 mm); anything bigger is a scan gone wrong.
SEAL_MAX_BYTES = 1024 * 1024
#: A profile's seal_image with this prefix is a storage key, not a path on this machine.
STORED_PREFIX = "storage:"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Width and height of a seal at most: 42 mm at 600 dpi is about 1,000 pixels.
SEAL_MAX_PIXELS = 4000
#: What an admin types to switch a clock off at a unit (stored as ``None``).
CLOCK_OFF_WORDS = ("关闭", "off", "none")
_IPC_PREFIX = re.compile(r"^[A-H](\d{2}([A-Z](\d{1,4}(/\d{1,6})?)?)?)?$")
_LOCARNO_CLASS = re.compile(r"^\d{1,2}(-\d{1,2})?$")
_PERIOD_HELP = (
    "期限格式不正确，应为数字加单位，如 5 workdays、15 days、3 months、24 hours"
    " / a number and a unit, such as 5 workdays, 15 days, 3 months, 24 hours"
)


def _require_admin(actor, what):
    """``what`` the actor is about to do, "中文 / English" (重置密码 / reset passwords)."""
    zh, _sep, en = what.partition(" / ")
    if actor is None or not actor.is_admin:
        raise PermissionDenied(f"只有管理员可以{zh}", message_en=f"only admins may {en}")


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
            fields[f"clocks.{name}"] = f"未知的时限：{name} / unknown clock: {name}"
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
    for scheme, pattern, example, example_en in (
        ("ipc", _IPC_PREFIX, "F21、H05B、G06F", "F21, H05B, G06F"),
        ("locarno", _LOCARNO_CLASS, "26、26-05", "26, 26-05"),
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
            fields[f"fields.{scheme}"] = (
                f"分类号格式不正确：{'、'.join(bad)}（例：{example}）"
                f" / not a class: {', '.join(bad)} (e.g. {example_en})"
            )
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
            fields[key] = f"未知的文书种类：{kind} / unknown kind of notice: {kind}"
            continue
        if not pattern:
            if kind == "default":
                fields[key] = "默认文号格式不能为空 / the default pattern is required"
            continue
        missing = [part for part in ("{year}", "{seq}") if part not in pattern]
        if missing:
            fields[key] = (
                f"文号格式须包含 {' 和 '.join(missing)}，如 中维裁字〔{{year}}〕第{{seq}}号"
                f" / must contain {' and '.join(missing)}, as in 中维裁字〔{{year}}〕第{{seq}}号"
            )
        else:
            try:
                pattern.format(year=2026, seq=1)
            except (KeyError, IndexError, ValueError):
                fields[key] = (
                    "文号格式中只能使用 {year} 和 {seq} 两个占位符"
                    " / only the placeholders {year} and {seq} may be used"
                )
        if len(pattern) > 60:
            fields[key] = "文号格式不能超过60个字符 / longer than 60 characters"
        section[kind] = pattern
    return section


def _seal_problem(content: bytes) -> str | None:
    """Why ``content`` cannot serve as a seal, or None. The image is decoded whole here, as
    WeasyPrint (through Pillow) will decode it for every notice: a PNG that only starts right
    would otherwise be accepted and every notice go out unsealed."""
    from PIL import Image, ImageFile

    if len(content) > SEAL_MAX_BYTES:
        # The page reads one byte past the limit, so the real size is not known here.
        return "印章图片不能超过1 MB（上传的文件超过 1 MB） / the seal image is over 1 MB"
    # The bytes decide, not the name: a renamed JPEG or PDF would break every notice's render.
    if not content.startswith(PNG_SIGNATURE):
        return "印章图片须为 PNG 格式（文件内容不是 PNG） / the seal image must be a PNG"
    # Importing WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process, and a cut
    # stream then "loads" padded with black: the check must not tolerate what it is to find.
    tolerant, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with Image.open(io.BytesIO(content), formats=["PNG"]) as image:
            width, height = image.size
            if width > SEAL_MAX_PIXELS or height > SEAL_MAX_PIXELS:
                return (
                    f"印章图片过大：{width}×{height} 像素，"
                    f"长和宽均不能超过 {SEAL_MAX_PIXELS} 像素 / the seal image is {width}×{height}"
                    f" pixels; at most {SEAL_MAX_PIXELS} each way"
                )
            image.load()  # every row decoded: a truncated or corrupt stream raises here
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return (
            "印章图片已损坏，无法读取，请重新导出 PNG 后上传"
            " / the seal image is damaged; export the PNG again and upload it"
        )
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = tolerant
    return None


def _seal_store(unit, filename: str, content: bytes, fields: dict) -> str | None:
    """Check a seal upload; the path it will be stored at, or None when refused."""
    problem = _seal_problem(content)
    if problem:
        fields["seal_image"] = problem
        return None
    digest = hashlib.sha256(content).hexdigest()[:16]
    return f"seals/{unit.code}-{digest}.png"


#: The longest name of a review body or court (行政复议机关, 管辖法院) a profile keeps.
REVIEW_NAME_MAX = 100


def unit_profile_update(
    unit,
    *,
    actor,
    clocks=None,
    fields=None,
    doc_patterns=None,
    contact=None,
    address=None,
    review_body=None,
    court=None,
    seal_filename=None,
    seal_content: bytes | None = None,
) -> Unit:
    """Change a unit's profile (admins): clock overrides, the pre-examination field lists, the
    document-number patterns, contact and address, the review body and court a penalty decision
    names (empty: the key is removed, the decision keeps the general wording), and the seal
    image. A section passed as None
    is left as it is; every value is checked first and ``ValidationFailed`` names each bad one
    (keys ``clocks.review.design``, ``fields.ipc``, ``doc_patterns.decision``, ``seal_image``).
    Flushes; the caller commits. The seal is written under CASEFLOW_STORAGE/seals/."""
    import workflows
    from caseflow.notices.kinds import KINDS

    _require_admin(actor, "修改单位配置 / change unit profiles")
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
                errors[key] = "不能超过300个字符 / longer than 300 characters"
            profile[key] = value
    for key, value in (("review_body", review_body), ("court", court)):
        if value is not None:
            value = " ".join(value.split())  # a name on one line
            if len(value) > REVIEW_NAME_MAX:
                errors[key] = f"不能超过{REVIEW_NAME_MAX}个字符 / longer than {REVIEW_NAME_MAX} characters"
            if value:
                profile[key] = value
            else:
                profile.pop(key, None)
    seal_path = None
    if seal_content is not None:
        seal_path = _seal_store(unit, seal_filename or "", seal_content, errors)
    if errors:
        # Each reason is "中文 / English": a page shows each half in its own language.
        reasons = [reason.partition(" / ") for reason in errors.values()]
        raise ValidationFailed(
            "单位配置有误：" + "；".join(zh for zh, _sep, _en in reasons),
            message_en="invalid unit profile: " + "; ".join(en or zh for zh, _sep, en in reasons),
            fields=errors,
        )
    if seal_path:
        from caseflow.storage import storage

        storage().put_new(seal_path, seal_content)  # named by its hash: the same seal, the same key
        # In storage (local folder or object store), so every node prints the same seal.
        profile["seal_image"] = STORED_PREFIX + seal_path
    changes = _profile_changes(unit.profile or {}, profile)
    unit.profile = profile  # a new dict: the JSON column tracks assignment, not mutation
    db.session.flush()
    log.info(
        "unit %s profile changed by %s: %s",
        unit.code,
        actor.username,
        "; ".join(changes) or "nothing",
    )
    return unit


def _profile_changes(before: dict, after: dict) -> list[str]:
    """``key: old -> new`` for each value that changed, one level into the sections
    (``clocks.review: {"design": "10 workdays"} -> {"design": "3 workdays"}``), so the log says
    what an admin changed, not only where."""

    def shown(value):
        return "-" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict | None) and isinstance(new, dict | None) and (old or new):
            old, new = old or {}, new or {}
            changes.extend(
                f"{key}.{sub}: {shown(old.get(sub))} -> {shown(new.get(sub))}"
                for sub in sorted(set(old) | set(new))
                if old.get(sub) != new.get(sub)
            )
        else:
            changes.append(f"{key}: {shown(old)} -> {shown(new)}")
    return changes


def user_contact_set(user, *, display_name: str | None = None, email: str | None = None) -> User:
    """``users edit``: set a user's name and/or e-mail address from the command line (None
    leaves a value, ``email=""`` removes the address). Flushes; the caller commits."""
    errors: dict = {}
    if display_name is not None:
        user.display_name = _display_name_clean(display_name, errors)
    if email is not None:
        user.email = _email_clean(email, errors)
    if errors:
        raise ValidationFailed(
            "；".join(errors.values()), message_en="invalid " + ", ".join(errors), fields=errors
        )
    db.session.flush()
    return user


#: The languages a user may choose for the pages (``User.locale``).
LOCALES = ("zh_CN", "en")


def user_locale_set(user, *, locale: str) -> User:
    """Remember the language ``user`` chose with the switch, so that their next login, in any
    browser, opens in it. Flushes; the caller commits."""
    if locale not in LOCALES:
        raise ValidationFailed(
            "不支持的语言 / unsupported language",
            message_en="unsupported language",
            fields={"locale": "应为 zh_CN 或 en / must be zh_CN or en"},
        )
    user.locale = locale
    db.session.flush()
    return user


class UserChange(NamedTuple):
    user: User
    #: The open cases the user may no longer hold, now unassigned (``cases_release``).
    released: list


def user_update(
    user,
    *,
    actor,
    role,
    unit_code,
    active: bool,
    display_name: str | None = None,
    email: str | None = None,
) -> UserChange:
    """Change a user's role, unit and active flag, and their name and e-mail address (admins;
    None keeps the name or the address, ``email=""`` removes the address). An admin cannot lock
    themselves out: their own role and active flag stay. Deactivating ends the user's sessions
    and revokes their API tokens. Open cases the user may no longer hold (moved to another unit,
    made a viewer or an admin, deactivated) go back to their unit's unassigned cases, each with
    an audit event. Flushes; the caller commits."""
    from caseflow.cases.services import cases_release

    _require_admin(actor, "修改用户 / change users")
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
    if role == "admin" and unit_code:
        errors["unit"] = "管理员不属于任何单位"
    if user.id == actor.id:
        if role != "admin":
            errors["role"] = "不能取消自己的管理员角色"
        if not active:
            errors["active"] = "不能停用自己的账号"
    display_name = _display_name_clean(display_name, errors)
    email = _email_clean(email, errors) if email is not None else user.email
    if errors:
        raise ValidationFailed("；".join(errors.values()), message_en="invalid user", fields=errors)
    before = _user_facts(user)
    revoked = None
    if user.active and not active:
        # Deactivation ends every session now, not at the next request, and revokes every API
        # token: re-enabling the user later must not bring a forgotten token back to life.
        user_sessions_end(user)
        revoked = _tokens_revoke_all(user)
    user.role, user.unit, user.active = role, unit, bool(active)
    if display_name is not None:
        user.display_name = display_name
    user.email = email
    db.session.flush()
    released = cases_release(user, actor=actor)
    after = _user_facts(user)
    changes = [
        f"{key} {before[key]!r} -> {after[key]!r}" for key in after if before[key] != after[key]
    ]
    if revoked is not None:
        changes.append(f"all sessions and {revoked} API token(s) revoked")
    if released:
        numbers = ", ".join(case.number for case in released)
        changes.append(f"{len(released)} open case(s) unassigned ({numbers})")
    log.info(
        "user %s changed by %s: %s", user.username, actor.username, "; ".join(changes) or "nothing"
    )
    return UserChange(user, released)


def _user_facts(user: User) -> dict:
    """What an admin may change about a user, as the log shows it (never the password)."""
    return {
        "name": user.display_name,
        "e-mail": user.email,
        "role": user.role,
        "unit": user.unit.code if user.unit else None,
        "active": user.active,
    }


def user_password_reset(user, *, actor, password: str) -> User:
    """Set a new password for ``user`` (admins); their failed-login record is cleared so they can
    log in at once. Flushes; the caller commits."""
    _require_admin(actor, "重置密码 / reset passwords")
    _password_set(user, password)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.username == user.username))
    db.session.flush()
    account_mail_queue(user, "password_reset", at=utcnow(), actor=actor)
    log.info("password of %s reset by %s", user.username, actor.username)
    return user


def _password_set(user: User, password: str) -> None:
    problem = password_check(password)
    if problem:
        raise ValidationFailed(problem[0], message_en=problem[1], fields={"password": problem[0]})
    user.password_hash = _password_hash(password)
    user_sessions_end(user)  # a new password ends every session opened with the old one


def user_password_change(user: User, *, current: str, new: str) -> User:
    """A user changes their own password; the current one must be given (ASVS 2.1.6). Every
    session of the user ends, this one included. Flushes; the caller commits."""
    if not check_password_hash(user.password_hash, current or ""):
        raise ValidationFailed(
            "当前密码不正确", message_en="the current password is wrong",
            fields={"current": "当前密码不正确"},
        )
    if new == current:
        # A change that changes nothing would still end every session and tell the user it
        # was done: say so instead.
        raise ValidationFailed(
            "新密码不能与当前密码相同",
            message_en="the new password is the current one",
            fields={"new": "新密码不能与当前密码相同"},
        )
    _password_set(user, new)
    account_mail_queue(user, "password_changed", at=utcnow())
    log.info("password of %s changed by its owner", user.username)
    return user
