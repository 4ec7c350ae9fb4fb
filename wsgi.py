"""Entry point: ``flask --app wsgi …`` and ``gunicorn wsgi:app``."""

from caseflow import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # The operator's environment, not a bug: one line naming the variable and status 1 for the
    # CLI and the scheduler, not a traceback. (gunicorn checks in its master, gunicorn.conf.py.)
    raise SystemExit(f"caseflow: {exc}") from None
