"""A small arithmetic captcha for the public filing form, with no outside service.

The question's answer travels in a token signed with SECRET_KEY (valid 30 minutes); the server
keeps only the nonces of the tokens already used, each until its token expires, so that one
solved captcha files once (``caseflow.nonces``). It only slows down scripts that do not read the page; the real limits
are the per-address count and the honeypot. ``CASEFLOW_PUBLIC_CAPTCHA=off`` switches it off
(parties.md §1: automated checks must be able to file).
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from caseflow.errors import Malformed
from caseflow.nonces import NonceSpent, nonce_spend

MAX_AGE_SECONDS = 30 * 60


def captcha_enabled() -> bool:
    # config.py reads the switch (a value it cannot read stops the app at start).
    return current_app.config.get("CASEFLOW_PUBLIC_CAPTCHA", True) is not False


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="caseflow-captcha")


def _digest(nonce: str, answer: str) -> str:
    return hashlib.sha256(f"{nonce}:{answer}".encode()).hexdigest()


def captcha_new() -> dict:
    """``{"question": "3 + 4 = ?", "token": …}``."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_hex(8)
    token = _serializer().dumps({"n": nonce, "h": _digest(nonce, str(a + b))})
    return {"question": f"{a} + {b} = ?", "token": token}


def captcha_ok(token, answer) -> bool:
    if not isinstance(token, str) or not isinstance(answer, str | int) or len(token) > 500:
        return False
    try:
        payload = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return False
    answer = str(answer).strip()
    if not (isinstance(payload, dict) and payload.get("h") == _digest(str(payload.get("n")), answer)):
        return False
    try:  # spent with the filing: a filing refused afterwards (rolled back) leaves it unspent
        nonce_spend("captcha", str(payload["n"]), lifetime=timedelta(seconds=MAX_AGE_SECONDS))
    except (NonceSpent, Malformed):
        return False
    return True
