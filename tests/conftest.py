"""The test harness: one migrated database per run, cleaned between tests, and factories.

SQLite by default. ``CASEFLOW_TEST_DATABASE_URL`` (a PostgreSQL URL) makes the run create a
throwaway database on that server and drop it at the end; ``scripts/test`` runs both passes.
Tests marked ``postgres`` run only in the PostgreSQL pass; under ``CI=true`` a PostgreSQL that
cannot be reached fails the run instead of skipping.
"""

import os
import secrets
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import make_url, text

from caseflow import create_app
from caseflow.extensions import db
from tests.support import PASSWORD, MailServer, free_port, login_form_post

ROOT = Path(__file__).resolve().parent.parent

#: Tables that keep their rows between tests (the official calendar, seeded once per run).
KEPT_TABLE_PREFIXES = ("calendar_", "alembic_")


def _pg_admin_connect(url):
    import psycopg

    admin = url.set(drivername="postgresql", database="postgres")
    return psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("CASEFLOW_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"caseflow_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with _pg_admin_connect(url) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001
        message = f"PostgreSQL at {url.render_as_string()} cannot be reached: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    yield url.set(database=name).render_as_string(hide_password=False)
    with _pg_admin_connect(url) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The app on a database built by the migrations (not ``create_all``), with the official
    calendar seeded once."""
    storage = tmp_path_factory.mktemp("storage")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "TESTING": True,
            "CASEFLOW_STORAGE": str(storage),
            "SECRET_KEY": "test-" + secrets.token_hex(8),
            "SMTP_URL": None,
            "CASEFLOW_WEBHOOK_URL": None,
            # parties.md §1: automated checks file with the captcha switched off.
            "CASEFLOW_PUBLIC_CAPTCHA": False,
            # scrypt at 1/32 of the production cost (about 4 ms instead of 0.1 s a hash): users
            # are made and logged in thousands of times a run. The production cost is tested
            # (tests/foundation/test_accounts.py).
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        from caseflow.calendar.services import calendar_seed_official

        calendar_seed_official()
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _wipe(app):
    tables = _wiped_tables()
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # DELETE, not TRUNCATE: a TRUNCATE of every table gives each a new file and costs
            # about a second a test; these tables hold a handful of rows. Their id sequences start
            # again at 1 as TRUNCATE … RESTART IDENTITY did (tests may read ids), those of the kept
            # calendar tables do not. One round trip.
            conn.exec_driver_sql(_pg_wipe_sql(conn, tuple(t.name for t in tables)))
        else:
            for table in tables:
                conn.execute(table.delete())
        # The wipe empties the units' closures, which are calendar data: change the calendar's
        # token as a load does, or a process's cached index would keep the last test's closures.
        conn.execute(text("UPDATE calendar_state SET token = :token"), {"token": uuid.uuid4().hex})


def _wiped_tables():
    """Every table but the kept ones, children before parents (the foreign keys allow it)."""
    return [
        t for t in reversed(db.metadata.sorted_tables) if not t.name.startswith(KEPT_TABLE_PREFIXES)
    ]


_pg_wipe_statements: dict[tuple[str, ...], str] = {}


def _pg_wipe_sql(conn, names: tuple[str, ...]) -> str:
    if names not in _pg_wipe_statements:
        sequences = conn.execute(
            text(
                "SELECT seq FROM (SELECT pg_get_serial_sequence(quote_ident(table_name),"
                " column_name) AS seq FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = ANY(:names)) owned"
                " WHERE seq IS NOT NULL"
            ),
            {"names": list(names)},
        ).scalars()
        _pg_wipe_statements[names] = "; ".join(
            [f'DELETE FROM "{name}"' for name in names]
            + [f"SELECT setval('{seq}', 1, false)" for seq in sequences]
        )
    return _pg_wipe_statements[names]


@pytest.fixture(autouse=True)
def app_context(request, app):
    """Every test runs inside an app context and starts from an empty (but migrated) database."""
    if request.node.get_closest_marker("postgres") and not app.config[
        "SQLALCHEMY_DATABASE_URI"
    ].startswith("postgresql"):
        pytest.skip("runs in the PostgreSQL pass (scripts/test)")
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        _wipe(app)


#: "Now" for every test: a Monday of the official 2026 calendar, late in the year, so that the
#: back-dated events the tests write (2026-05 … 2026-11) lie in the past and in the same year as the
#: case and document numbers they expect. Tests never see the machine's date.
PINNED_NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def pinned_now(request, time_machine):
    """Every test runs with the process's wall clock at ``PINNED_NOW``, still ticking so durations,
    timeouts and throttling windows behave; the suite passes on any day (``scripts/test --date``).
    A test that needs another "now" calls ``time_machine.move_to(...)`` itself. Subprocesses get
    the same clock through ``tests.support.pinned_env``."""
    time_machine.move_to(PINNED_NOW, tick=True)
    return PINNED_NOW


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


# --- factories ---------------------------------------------------------------------------------


@pytest.fixture
def make_unit():
    """``make_unit(code="ZS", kind="rapid_centre", profile=None)``; profile defaults to the seeded
    profile of that code when there is one."""
    from caseflow.accounts.services import unit_upsert

    def factory(code="ZS", kind=None, name=None, profile=None):
        seeded = _seed_profile(code)
        unit = unit_upsert(
            code=code,
            name=name or (seeded["name"] if seeded else f"测试单位 {code}"),
            kind=kind or (seeded["kind"] if seeded else "protection_centre"),
            profile=profile if profile is not None else (seeded["profile"] if seeded else {}),
        )
        db.session.commit()
        return unit

    return factory


def _seed_profile(code):
    from workflows.profiles import UNIT_PROFILES

    return next((p for p in UNIT_PROFILES if p["code"] == code), None)


@pytest.fixture
def units(make_unit):
    """The three seeded units: ``units["ZS"]``, ``units["PD"]``, ``units["CF"]``."""
    return {
        "ZS": make_unit("ZS", kind="rapid_centre"),
        "PD": make_unit("PD", kind="protection_centre"),
        "CF": make_unit("CF", kind="fair_desk"),
    }


@pytest.fixture
def make_user():
    """``make_user(role="caseworker", unit=unit_or_code, username=None)``; password is PASSWORD."""
    from caseflow.accounts.services import user_create

    def factory(role="caseworker", unit=None, username=None, **kwargs):
        code = getattr(unit, "code", unit)
        user = user_create(
            username=username or f"{role}_{uuid.uuid4().hex[:6]}",
            password=PASSWORD,
            role=role,
            unit_code=code,
            **kwargs,
        )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_token():
    from caseflow.accounts.services import token_create

    def factory(user):
        token = token_create(user)
        db.session.commit()
        return token

    return factory


@pytest.fixture
def api(client, make_token):
    """``api(user).get(path)`` / ``.post(path, json=…)``: the test client with a bearer token."""

    class _Api:
        def __init__(self, token):
            self.headers = {"Authorization": f"Bearer {token}"}

        def _call(self, method, path, **kwargs):
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return client.open(path, method=method, headers=headers, **kwargs)

        def get(self, path, **kw):
            return self._call("GET", path, **kw)

        def post(self, path, **kw):
            return self._call("POST", path, **kw)

        def put(self, path, **kw):
            return self._call("PUT", path, **kw)

    return lambda user: _Api(make_token(user))


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in through the real login form (with its CSRF token)."""

    def do_login(user, password=PASSWORD):
        response = login_form_post(client, user.username, password)
        assert response.status_code == 302, response.text
        return client

    return do_login


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A real SMTP server (aiosmtpd) on 127.0.0.1, and ``SMTP_URL`` pointing at it: the
    ``MailServer`` holding what it received."""
    from aiosmtpd.controller import Controller

    received = MailServer()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    received.port = controller.port
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    yield received
    controller.stop()
