"""The JSON API, ``/api/v1``. Bearer tokens only (no cookies, so no CSRF); errors are JSON.

Area modules add their routes to ``bp``; ``api_user()`` is the authenticated user and
``json_body()`` the request's JSON object (400 when it is not one).
"""

import importlib

from flask import Blueprint, g, request

from caseflow.errors import Malformed, NotAuthenticated
from caseflow.extensions import csrf

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
    if user is None:
        raise NotAuthenticated("API 令牌无效、已过期或已吊销", message_en="invalid, expired or revoked API token")
    g.api_user = user


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
