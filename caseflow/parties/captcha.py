"""A small arithmetic captcha for the public filing form, with no outside service.

The question's answer travels in a token signed with SECRET_KEY (valid 30 minutes); the server
keeps only the nonces of the tokens already answered, each until its token expires
(``caseflow.nonces``). A token takes one answer, right or wrong: a sum of two digits has 17
possible answers, and a token that stayed open after a wrong one was solved by trying them all.
Wrong answers are also counted per address (``ratelimit``, bucket ``captcha_miss``). It only
slows down scripts that do not read the page; the real limits are the per-address counts and the
honeypot. ``CASEFLOW_PUBLIC_CAPTCHA=off`` switches it off
(parties.md §1: automated checks must be able to file).
"""

import contextlib
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


def _nonce(token) -> tuple[str, str] | None:
    """The nonce and answer digest of a token of ours, signed and unexpired; else None."""
    if not isinstance(token, str) or len(token) > 500:
        return None
    try:
        payload = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    return str(payload.get("n")), str(payload.get("h"))


def captcha_answer(token, answer) -> bool:
    """Whether ``answer`` solves ``token``'s question, spending the token in the caller's
    transaction (so a filing refused afterwards, rolled back, leaves it for that same answer).
    A wrong answer spends nothing here: the caller refuses, which rolls back, so it spends the
    token with :func:`captcha_spend` in a transaction it commits."""
    read = _nonce(token)
    if read is None or not isinstance(answer, str | int):
        return False
    nonce, digest = read
    if digest != _digest(nonce, str(answer).strip()):
        return False
    try:
        nonce_spend("captcha", nonce, lifetime=timedelta(seconds=MAX_AGE_SECONDS))
    except (NonceSpent, Malformed):
        return False
    return True


def captcha_spend(token) -> None:
    """Spend ``token`` (if it is one of ours and still open) after a wrong answer: a question
    takes one answer. Does not commit."""
    read = _nonce(token)
    if read is None:
        return
    with contextlib.suppress(NonceSpent, Malformed):  # spent already, or not a nonce of ours
        nonce_spend("captcha", read[0], lifetime=timedelta(seconds=MAX_AGE_SECONDS))
