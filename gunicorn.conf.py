"""gunicorn settings read from the working directory (``gunicorn wsgi:app`` picks this file up).

The ``Server`` header names no software or version (ASVS 14.3.3): gunicorn writes its name into
every response's headers; caseflow's says only what it is.

The environment is checked in the master before any worker starts (``on_starting``).
"""

import gunicorn.http.wsgi
from gunicorn.glogging import Logger

gunicorn.http.wsgi.SERVER = "caseflow"

# Imports are bounded (caseflow.fairs.importing), so no request needs the default 30 s.
timeout = 30

# Which proxies are believed about the client's scheme and address is CASEFLOW_PROXY_HOPS alone,
# read by caseflow's ProxyFix (caseflow.security): 0 believes no X-Forwarded-* header, 1 the one
# nginx in front. gunicorn by default believes X-Forwarded-Proto, -Ssl and -Protocol from
# 127.0.0.1 (and from any peer on a unix socket): a request made on the machine claiming https
# would get HSTS and Secure cookies whatever CASEFLOW_PROXY_HOPS says, and behind nginx a
# client's own X-Forwarded-Ssl (nginx passes it on) would count. So gunicorn believes none.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}


class SecretsRedactingLogger(Logger):
    """The access log (``--access-logfile -``, deployment.md) without the secrets a URL carries:
    a party's link ``/p/<token>`` keeps its first six characters, the /status lookup's ``code=``
    none, in the request line, the path, the query, the Referer and the Location alike
    (``caseflow.security.secrets_redact``; security.md 7.1.1, 8.3.1)."""

    def atoms(self, resp, req, environ, request_time):
        from caseflow.security import secrets_redact

        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: secrets_redact(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }


logger_class = SecretsRedactingLogger


def on_starting(server):
    """A value caseflow cannot use (config.py) ends gunicorn here, in the master, with one line
    naming the variable and status 1: a worker failing on it would print a traceback instead."""
    import config
    from caseflow import ROOT

    try:
        settings = config.from_environment(str(ROOT / "instance"))
        config.storage_folder_prepare(settings["CASEFLOW_STORAGE"])
    except config.ConfigError as exc:
        raise SystemExit(f"caseflow: {exc}") from None
