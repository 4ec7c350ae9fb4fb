"""The JSON API, ``/api/v1``. Bearer tokens only (no cookies, so no CSRF); errors are JSON.

Area modules add their routes to ``bp``; ``api_user()`` is the authenticated user and
``json_body()`` the request's JSON object (400 when it is not one).
"""

import importlib
import logging

from flask import Blueprint, g, jsonify, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from caseflow.errors import Malformed, NotAuthenticated
from caseflow.extensions import csrf, db

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

#: Routes that need no token.
PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def _authenticate():
    from caseflow.accounts.services import token_authenticate

    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(
            "需要 API 令牌（Authorization: Bearer …）", message_en="API token required"
        )
    user = token_authenticate(token.strip())
    if db.session.dirty:  # its use, at most once a minute: recorded whatever the request comes to
        db.session.commit()
    if user is None:
        raise NotAuthenticated("API 令牌无效、已过期或已吊销", message_en="invalid, expired or revoked API token")
    g.api_user = user


@bp.after_request
def _transaction_edge(response):
    """The API's transaction edge (``caseflow/transaction.py``): the services flush, a request
    that succeeded commits here (its after-commit effects run then), any other answer rolls back
    whole. A view whose answer shows what happens after the commit (rendered notices) commits
    itself first; committing again here is then a no-op."""
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        # Someone else's write won between our reads and this commit: nothing of ours is stored.
        db.session.rollback()
        log.warning("API %s %s: conflict at commit", request.method, request.path)
        error = {
            "code": "version_conflict",
            "message": "数据已被他人修改，请刷新后重试",
            "fields": {},
        }
        if request.accept_languages.best_match(["zh", "zh_CN", "en"]) == "en":
            error["message"] = "the data was changed by someone else; reload and retry"
        conflict = jsonify(error=error)
        conflict.status_code = 409
        return conflict
    return response


# NUL bytes, over-deep JSON and ids out of range are refused for the web and the API alike by
# ``caseflow.security`` (one guard) before any route here runs.


def api_user():
    return g.api_user


def json_body() -> dict:
    """The request's JSON object; anything else is a 400 with a clear message."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Malformed(
            "请求体必须是 JSON 对象", message_en="the request body must be a JSON object"
        )
    return data


@bp.get("/me")
def me():
    """Who this token belongs to: name, role and unit."""
    user = api_user()
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "unit": user.unit.code if user.unit else None,
    }


#: Area modules with routes on ``bp``, imported once the helpers above exist.
ROUTE_MODULES = (
    "caseflow.api.workflows",
    "caseflow.api.cases",
    "caseflow.api.case_documents",
    "caseflow.api.openapi",
    "caseflow.api.calendar",
    "caseflow.api.applicants",
    "caseflow.api.fairs",
    "caseflow.api.notices",
    "caseflow.api.alerts",
    "caseflow.api.supervision",
    "caseflow.parties.api",
    "caseflow.api.credit",
    "caseflow.api.tokens",
)

for _module in ROUTE_MODULES:
    importlib.import_module(_module)
