"""The JSON API, ``/api/v1``. Bearer tokens only (no cookies, so no CSRF); errors are JSON.

Area modules add their routes to ``bp``; ``api_user()`` is the authenticated user and
``json_body()`` the request's JSON object (400 when it is not one).
"""

import importlib

from flask import Blueprint, g, request

from caseflow.errors import Malformed, NotAuthenticated, NotFound
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
        raise NotAuthenticated("API 令牌无效或已吊销", message_en="invalid or revoked API token")
    g.api_user = user


#: Row ids are 32-bit integers on PostgreSQL; a larger id in a path names nothing.
ID_MAX = 2_147_483_647


@bp.url_value_preprocessor
def _ids_in_range(_endpoint, values):
    for name, value in (values or {}).items():
        if (isinstance(value, int) and not 0 < value <= ID_MAX) or (
            isinstance(value, str) and "\x00" in value
        ):
            raise NotFound("不存在", message_en=f"no such {name.removesuffix('_id')}")


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


_NUL_ZH, _NUL_EN = "请求含有空字符（NUL）", "the request contains a NUL character"


@bp.before_request
def _json_parsable():
    """A JSON body nested too deep for the parser, or text with NUL characters, is malformed, not
    a server error: the body is parsed once here (Werkzeug caches the result) so that every route
    sees a clean 400."""
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            raise Malformed(
                "JSON 嵌套过深", message_en="the JSON body is nested too deeply"
            ) from None
        if _has_nul(body):
            raise Malformed(_NUL_ZH, message_en=_NUL_EN)
    # PostgreSQL text cannot hold NUL; no field of ours has a use for it.
    if any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        raise Malformed(_NUL_ZH, message_en=_NUL_EN)


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
)

for _module in ROUTE_MODULES:
    importlib.import_module(_module)
