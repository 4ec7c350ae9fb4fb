"""caseflow: case handling for China's IP protection centres and trade-fair complaint desks.

The app exists only inside ``create_app``; read it top to bottom to see what caseflow is made of.
"""

import importlib
import logging
from pathlib import Path

from flask import Flask, request, session
from flask_login import current_user

import config
from caseflow.extensions import babel, csrf, db, login_manager, migrate
from caseflow.timeutil import local_zone

ROOT = Path(__file__).resolve().parent.parent

#: Blueprints, as "module:attribute".
BLUEPRINTS = (
    "caseflow.web:bp",
    "caseflow.accounts.views:bp",
    "caseflow.api:bp",
    "caseflow.notices.views:bp",
    "caseflow.alerts.views:bp",
    "caseflow.parties.views:bp",
)

#: Modules with a ``register_cli(app)`` function adding ``flask --app wsgi …`` commands.
CLI_MODULES = (
    "caseflow.cli",
    "caseflow.accounts.cli",
    "caseflow.calendar.cli",
    "caseflow.cases.cli",
    "caseflow.api.cli",
    "caseflow.fairs.cli",
    "caseflow.notices.cli",
    "caseflow.alerts.cli",
    "caseflow.backup",
    "caseflow.translations.cli",
    "caseflow.supervision.cli",
)


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(config.DEFAULTS)
    app.config.update(config.from_environment(app.instance_path))
    app.config.update(overrides or {})
    app.json.ensure_ascii = False  # the API speaks Chinese: UTF-8 text, not \uXXXX escapes
    config.storage_folder_prepare(str(app.config["CASEFLOW_STORAGE"]))
    logging.basicConfig(
        level=app.config.get("CASEFLOW_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("weasyprint", "fontTools", "apscheduler.executors.default"):
        logging.getLogger(chatty).setLevel(logging.WARNING)

    import caseflow.models  # noqa: F401  (the whole schema, for Alembic and relationships)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: local_zone().key)
    _configure_sqlite(app)
    from caseflow import security

    security.init_app(app)  # proxies, cookie flags, the bad-bytes guard, security headers

    # A calendar load or deletion moves the open clocks' due dates (deadlines.md §1); the calendar
    # knows no clocks, so the clocks area subscribes here.
    from caseflow.calendar.services import calendar_on_change
    from caseflow.clocks.services import clocks_recompute_for_change

    calendar_on_change(clocks_recompute_for_change)
    # …and then a credit record's display and repair dates follow its moved clocks (credit.md):
    # registered after the recompute, so that it reads the clocks as moved.
    from caseflow.credit.services import credit_dates_follow_clocks

    calendar_on_change(credit_dates_follow_clocks)

    # A notice to a party that consented to electronic service is also delivered electronically
    # (parties.md §4); notices know no parties, so the parties area subscribes here.
    from caseflow.notices.services import notice_on_queued
    from caseflow.parties.services import notice_deliveries_queue

    notice_on_queued(notice_deliveries_queue)

    for spec in BLUEPRINTS:
        module_name, attribute = spec.split(":")
        app.register_blueprint(getattr(importlib.import_module(module_name), attribute))
    for module_name in CLI_MODULES:
        importlib.import_module(module_name).register_cli(app)
    # Once every command is registered: each says so when the database cannot serve it, and
    # shows a usage error as one line.
    importlib.import_module("caseflow.cli").explain_missing_schema(app)
    importlib.import_module("caseflow.cli").one_line_usage_errors(app)

    from caseflow.web.core import register_error_pages, register_template_helpers

    register_error_pages(app)
    register_template_helpers(app)
    from caseflow.transaction import lost_writes_guard, reads_end_with_commit

    lost_writes_guard(app, db.session)
    reads_end_with_commit(app, db.session)
    return app


def _select_locale() -> str:
    """zh_CN unless the user chose English (per session, or saved on the user)."""
    languages = ("zh_CN", "en")
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale:
        return current_user.locale
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(["zh_CN", "zh", "en"]) or "zh_CN"
    return "zh_CN"


def _configure_sqlite(app: Flask) -> None:
    """WAL, a busy timeout and foreign keys on SQLite (stack notes: the measured baseline)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Reads straight from the mapped file rather than through SQLite's 2 MB page cache:
            # with 100,000 cases the lists' index probes land on pages of a 150 MB file
            # (bench/pages.py --model dense).
            cursor.execute("PRAGMA mmap_size=268435456")
            cursor.close()
