"""Configuration, read from the environment by ``create_app`` (never at import time elsewhere).

Every variable of interfaces.md is read here; the web server, the CLI and the scheduler share it.
"""

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, or one generated once into the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        # Several processes may start at once on a new machine (web workers, the scheduler, test
        # workers): the key is written whole under a private name and linked into place, so the
        # first one wins and nobody ever reads a half-written key.
        instance_path.mkdir(parents=True, exist_ok=True)
        draft = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()


class ConfigError(ValueError):
    """An environment variable whose value caseflow cannot use; the message names it."""


def _whole_number(name: str, default: int | None, *, minimum: int, unit: str):
    """The variable as a whole number of at least ``minimum``, ``default`` when unset or empty."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{name}={text!r}: expected a whole number of {unit}") from None
    if value < minimum:
        raise ConfigError(f"{name}={text!r}: expected at least {minimum} {unit}")
    return value


_ON, _OFF = ("1", "on", "true", "yes"), ("0", "off", "false", "no")


def _switch(name: str, default: bool) -> bool:
    """The variable as on or off (``on``/``off``, ``1``/``0``, ``true``/``false``, ``yes``/``no``)."""
    text = os.environ.get(name, "").strip().lower()
    if not text:
        return default
    if text in _ON:
        return True
    if text in _OFF:
        return False
    raise ConfigError(f"{name}={text!r}: expected on or off")


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _log_level(name: str, default: str) -> str:
    text = os.environ.get(name, "").strip().upper() or default
    if text not in _LOG_LEVELS:
        raise ConfigError(f"{name}={text!r}: expected one of {', '.join(_LOG_LEVELS)}")
    return text


def _time_zone(name: str, default: str) -> str:
    """The variable as a zone of the IANA database (``Asia/Shanghai``), checked here: every day
    boundary and every date shown is counted in it, so a wrong name must not wait for the first
    request to fail."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"{name}={text!r}: expected a time zone of the IANA database, such as Asia/Shanghai"
        ) from None
    return text


_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _storage(name: str, default: str) -> str:
    """A folder, or ``s3://bucket/prefix`` (``caseflow.storage``): no other scheme is spoken, and
    ``ftp://x/y`` taken for a path would be a folder ``ftp:/x/y`` in the working directory."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if text.startswith("s3://"):
        if not text.removeprefix("s3://").partition("/")[0]:
            raise ConfigError(f"{name}={text!r}: expected s3://bucket/prefix, with a bucket")
        return text
    if _URL_SCHEME.match(text):
        raise ConfigError(f"{name}={text!r}: expected a folder (a path) or s3://bucket/prefix")
    return text


def storage_folder_prepare(value: str, name: str = "CASEFLOW_STORAGE") -> None:
    """Create the storage folder if it is missing, and check that it can be written: a path under
    a file, a mount that is not there or a folder owned by another user would otherwise fail as a
    traceback in every process, or later, at the first notice or upload. An object store
    (``s3://``) is checked by its first use."""
    if value.startswith("s3://"):
        return
    folder = Path(value)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"{name}: cannot create or write the folder {folder}: {exc.strerror or exc}"
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(
            f"{name}: cannot create or write the folder {folder}: not writable by this user"
        )


def _port(name: str, parts) -> int | None:
    """The port of a split address, None when it names none; one that is not a port is refused."""
    try:
        port = parts.port
    except ValueError:  # not a number, or beyond 65535
        port = 0
    if port == 0:
        raise ConfigError(f"{name}: the port after the host is not a number from 1 to 65535")
    return port


def _smtp_url(name: str) -> str | None:
    """``smtp://[user:pass@]host:port`` (``?starttls=1`` for STARTTLS), ``smtps://…`` or unset
    (``caseflow.alerts.delivery``).
    The message never repeats the value: it may hold the mail server's password."""
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("smtp", "smtps"):
        scheme = f"{parts.scheme}://" if parts.scheme else "no scheme"
        raise ConfigError(
            f"{name}: expected smtp://[user:pass@]host:port or smtps://…, not {scheme}"
        )
    _port(name, parts)
    # The one option caseflow.alerts.delivery reads: another spelling (starttls=yes) would be
    # taken for no STARTTLS, and the password sent in clear.
    if parts.query and parts.query != "starttls=1":
        raise ConfigError(
            f"{name}: expected nothing after the port but ?starttls=1 (smtp://host:587?starttls=1)"
        )
    return text


#: A sender address: a local part, ``@`` and a host name (``caseflow@localhost`` is the default).
_MAIL_ADDRESS = r"[^@\s<>\"(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"
_MAIL_FROM = re.compile(rf"{_MAIL_ADDRESS}|[^<>@\"]*[^<>@\"\s]\s*<{_MAIL_ADDRESS}>")


def _mail_from(name: str, default: str) -> str:
    """The sender of every mail: an address, or a name and an address in angle brackets. One
    that is not an address would have every mail refused by the server, and retried for ever."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not _MAIL_FROM.fullmatch(text):
        raise ConfigError(
            f"{name}={text!r}: expected an e-mail address such as caseflow@ipc.example.cn,"
            " or 名称 <caseflow@ipc.example.cn>"
        )
    return text


def _http_url(name: str, *, base: bool = False) -> str | None:
    """``http(s)://host[:port][/path]`` or unset: the public address printed under every notice's
    QR code, the webhook and the SMS gateway. A typo (``htps://``, a bare host) would otherwise
    surface only at the first render or delivery, as notices left pending or mails in retry.
    The message never repeats the value: a webhook's address often carries its key. A ``base``
    address has pages appended to it (``/verify/<code>``), so it takes no ``?query`` or ``#``."""
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name}: expected an address https://host[/path] (or http://)")
    _port(name, parts)
    if base and (parts.query or parts.fragment):
        raise ConfigError(f"{name}: expected the site's address alone, with no ?query or #part")
    return text


#: What operators type for PostgreSQL (``postgres://`` is what hosting panels and libpq tools
#: print), read as the driver caseflow ships, psycopg 3.
_POSTGRES_SPELLINGS = ("postgresql+psycopg://", "postgresql://", "postgres://")


def _database_url(name: str, default: str) -> str:
    """``sqlite:///path`` or ``postgresql+psycopg://user:password@host:port/name`` (also spelled
    ``postgresql://`` or ``postgres://``). Anything else would surface as a traceback of
    SQLAlchemy's at the first query, in every process. The message never repeats the value: it
    holds the database's password."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    expected = (
        f"{name}: expected sqlite:///path or postgresql+psycopg://user:password@host:5432/name"
        " (postgresql:// and postgres:// are read as postgresql+psycopg://)"
    )
    if text.startswith("sqlite:///"):
        return text
    for spelling in _POSTGRES_SPELLINGS:
        if text.startswith(spelling):
            _port(name, urlsplit(text))
            return "postgresql+psycopg://" + text.removeprefix(spelling)
    scheme = text.partition("://")[0] if "://" in text else ""
    if _URL_SCHEME.match(text) and not scheme.startswith("sqlite"):
        raise ConfigError(f"{expected}, not {scheme}://")
    raise ConfigError(expected)


def from_environment(instance_path: str) -> dict:
    instance = Path(instance_path)
    return {
        "SQLALCHEMY_DATABASE_URI": _database_url(
            "DATABASE_URL", f"sqlite:///{instance / 'caseflow.db'}"
        ),
        "SECRET_KEY": _secret_key(instance),
        "CASEFLOW_STORAGE": _storage("CASEFLOW_STORAGE", str(instance / "storage")),
        "CASEFLOW_TIMEZONE": _time_zone("CASEFLOW_TIMEZONE", "Asia/Shanghai"),
        "SMTP_URL": _smtp_url("SMTP_URL"),
        "CASEFLOW_WEBHOOK_URL": _http_url("CASEFLOW_WEBHOOK_URL"),
        "CASEFLOW_WEBHOOK_SECRET": os.environ.get("CASEFLOW_WEBHOOK_SECRET"),
        "CASEFLOW_SWEEP_SECONDS": _whole_number(
            "CASEFLOW_SWEEP_SECONDS", 60, minimum=1, unit="seconds"
        ),
        #: The address printed under a notice's QR code (the public verification page).
        "CASEFLOW_PUBLIC_URL": _http_url("CASEFLOW_PUBLIC_URL", base=True),
        "CASEFLOW_MAIL_FROM": _mail_from("CASEFLOW_MAIL_FROM", "caseflow@localhost"),
        #: parties.md: the public filing form's captcha (``off`` for automated checks), and the
        #: SMS gateway (a signed webhook like CASEFLOW_WEBHOOK_URL) for electronic service.
        "CASEFLOW_PUBLIC_CAPTCHA": _switch("CASEFLOW_PUBLIC_CAPTCHA", True),
        "CASEFLOW_SMS_URL": _http_url("CASEFLOW_SMS_URL"),
        "CASEFLOW_SMS_SECRET": os.environ.get("CASEFLOW_SMS_SECRET"),
        #: How many reverse proxies (nginx, a load balancer) stand in front and set X-Forwarded-*;
        #: 0 trusts none of those headers.
        "CASEFLOW_PROXY_HOPS": _whole_number("CASEFLOW_PROXY_HOPS", 0, minimum=0, unit="proxies"),
        #: Days an API token lives.
        "CASEFLOW_TOKEN_DAYS": _whole_number("CASEFLOW_TOKEN_DAYS", 90, minimum=1, unit="days"),
        #: A step's notices render in the request that fired it, after its commit, so its answer
        #: shows them issued; off leaves them to the scheduler's render pool (a busy desk's
        #: web workers then spend no WeasyPrint time).
        "CASEFLOW_RENDER_NOTICES_INLINE": _switch("CASEFLOW_RENDER_NOTICES_INLINE", True),
        #: The scheduler's render pool: its processes (unset: one per core) and the renders
        #: after which each is replaced, so that its memory stays flat.
        "CASEFLOW_NOTICE_WORKERS": _whole_number(
            "CASEFLOW_NOTICE_WORKERS", None, minimum=1, unit="processes"
        ),
        "CASEFLOW_NOTICE_RENDERS_PER_WORKER": _whole_number(
            "CASEFLOW_NOTICE_RENDERS_PER_WORKER", 50, minimum=1, unit="renders"
        ),
        #: INFO logs a line per step, notice, alert raised and message sent; WARNING only what went
        #: wrong.
        "CASEFLOW_LOG_LEVEL": _log_level("CASEFLOW_LOG_LEVEL", "INFO"),
    }


#: Defaults that do not come from the environment.
DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "LANGUAGES": {"zh_CN": "中文", "en": "English"},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    #: A remember cookie lasts two weeks (not Flask-Login's year); each login gets a new one.
    "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
    # Secure is added to every cookie whenever the request is https (caseflow.security).
    #: CSRF tokens live no longer than a working day, and die with the session at logout.
    "WTF_CSRF_TIME_LIMIT": 12 * 3600,
    #: Uploads: the whole request, = caseflow.cases.evidence.REQUEST_MAX_BYTES (12 files of
    #: 10 MB and the form's text); tests/web check the two agree. Imports bound themselves
    #: while reading (caseflow.fairs.importing).
    "MAX_CONTENT_LENGTH": 122 * 1024 * 1024,
    #: Failed logins allowed per user name and address within LOGIN_WINDOW_SECONDS.
    "LOGIN_MAX_FAILURES": 5,
    #: Failed logins from one address, whatever the names, within the window.
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 50,
    "LOGIN_WINDOW_SECONDS": 15 * 60,
    #: werkzeug's password hashing method. "scrypt" is werkzeug's default cost (N=32768, r=8,
    #: p=1: about 0.1 s a hash, which is the point). Only the test harness lowers it, as Django's
    #: test settings do with their fast hasher: the scheme stays scrypt, the cost is not tested.
    "PASSWORD_HASH_METHOD": "scrypt",
}
