"""What the bench scripts share: the application on a fresh database, migrated and holding the
official calendar, with nothing sent out (no SMTP, no webhook).

Imported as ``bench.common`` by scripts whose ``sys.path[0]`` is the repository (never ``bench/``
itself: ``bench/transitions.py`` would shadow the package of that name).
"""

import logging
import os
import secrets

from caseflow import create_app
from caseflow.extensions import db


def bench_app(url: str, storage: str, *, migrate: bool = True, **config):
    """An app on the database at ``url`` (migrated and seeded with the official calendar unless
    ``migrate`` is false), its files under ``storage``; ``config`` overrides the settings."""
    # Quiet: no line per step or render between the figures, here or in the processes the app
    # starts (the render pool's workers read the environment).
    os.environ.setdefault("CASEFLOW_LOG_LEVEL", "WARNING")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "CASEFLOW_STORAGE": storage,
            "TESTING": True,
            "SECRET_KEY": "bench-" + secrets.token_hex(4),
            "SMTP_URL": None,
            "CASEFLOW_WEBHOOK_URL": None,
            **config,
        }
    )
    logging.getLogger().setLevel(logging.WARNING)
    if migrate:
        with app.app_context():
            from flask_migrate import upgrade

            from caseflow.calendar.services import calendar_seed_official

            upgrade()
            calendar_seed_official()
            db.session.commit()
    return app
