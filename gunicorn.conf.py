"""gunicorn settings read from the working directory (``gunicorn wsgi:app`` picks this file up).

The ``Server`` header names no software or version (ASVS 14.3.3): gunicorn writes its name into
every response's headers; caseflow's says only what it is.

The environment is checked in the master before any worker starts (``on_starting``).
"""

import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = "caseflow"

# Imports are bounded (caseflow.fairs.importing), so no request needs the default 30 s.
timeout = 30


def on_starting(server):
    """A value caseflow cannot use (config.py) ends gunicorn here, in the master, with one line
    naming the variable and status 1: a worker failing on it would print a traceback instead."""
    import config
    from caseflow import ROOT

    try:
        config.from_environment(str(ROOT / "instance"))
    except config.ConfigError as exc:
        raise SystemExit(f"caseflow: {exc}") from None
