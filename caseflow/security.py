"""What every request and response goes through, web and API alike (ASVS V3, V5, V14).

- ``ProxyFix`` trusts ``CASEFLOW_PROXY_HOPS`` proxies for the client address and https;
- every cookie gets ``Secure`` when the request is https and ``SameSite=Lax`` when it has none;
- one guard turns bad bytes into a 400 before any view or database sees them: NUL or a lone
  surrogate anywhere in the path, query, form or JSON body (naming the field), and integer
  parameters out of range;
- security headers on every response: CSP without inline script (a nonce for the rare inline
  block), ``frame-ancestors 'none'``, ``nosniff``, ``Referrer-Policy``, ``no-store`` on signed-in
  pages, HSTS when https.
"""

import re
import secrets

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from caseflow.errors import Malformed, NotFound

#: Row ids are 32-bit integers on PostgreSQL; a larger id in a path names nothing.
ID_MAX = 2_147_483_647
#: Query parameters that are integers: beyond ``ID_MAX`` they overflow the database driver.
INTEGER_PARAMS = frozenset({"page", "limit", "fair_id", "unit_id", "case_id", "per_page"})

_NUL_ZH, _NUL_EN = "请求含有空字符（NUL）", "the request contains a NUL character"
_SURROGATE_ZH = "请求含有无效字符（孤立的 UTF-16 代理项）"
_SURROGATE_EN = "the request contains an invalid character (a lone UTF-16 surrogate)"


def init_app(app: Flask) -> None:
    hops = app.config.get("CASEFLOW_PROXY_HOPS") or 0
    app.wsgi_app = _CookieFlags(app.wsgi_app)
    if hops:
        # Outermost, so that the cookie flags see the scheme the client used.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    app.before_request(_forget_previous_request)
    app.before_request(_refuse_bad_bytes)
    app.url_value_preprocessor(_ids_in_range)
    app.after_request(_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce


class _CookieFlags:
    """Adds ``Secure`` to every Set-Cookie of an https request and ``SameSite=Lax`` where none is
    set: the session, the remember cookie and anything added later, in one place."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        https = environ.get("wsgi.url_scheme") == "https"

        def flagged_start_response(status, headers, exc_info=None):
            fixed = []
            for name, value in headers:
                if name.lower() == "set-cookie":
                    lower = value.lower()
                    if https and "; secure" not in lower:
                        value += "; Secure"
                    if "samesite=" not in lower:
                        value += "; SameSite=Lax"
                fixed.append((name, value))
            return start_response(status, fixed, exc_info)

        return self.wsgi_app(environ, flagged_start_response)


#: What ``g`` holds about one request's user. ``g`` belongs to the app context, which outlives a
#: request when the caller already holds one (the test harness, a CLI command issuing requests):
#: a user, CSRF token or nonce must never carry over into the next request.
_PER_REQUEST = ("_login_user", "api_user", "csrf_token", "csp_nonce")


def _forget_previous_request():
    for key in _PER_REQUEST:
        g.pop(key, None)


#: Characters no text of ours can hold. PostgreSQL text refuses NUL; a lone UTF-16 surrogate
#: (JSON's ``"\ud800"`` escape decodes to one) cannot be encoded as UTF-8 by either database's
#: driver. Both failed only at flush, as a 500.
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def _bad_character(text: str) -> Malformed | None:
    """The refusal for ``text`` when it holds a bad character, else None."""
    found = _BAD_CHARACTER.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return Malformed(_NUL_ZH, message_en=_NUL_EN)
    return Malformed(_SURROGATE_ZH, message_en=_SURROGATE_EN)


def _refuse_in_field(name: str, text: str) -> None:
    """Refuses ``text`` if it holds a bad character, naming the field it came in."""
    refusal = _bad_character(text)
    if refusal is not None:
        # The name itself may be the bad text: shown as U+FFFD, the answer can always be encoded.
        name = _BAD_CHARACTER.sub("\ufffd", name)
        raise Malformed(
            f"字段 {name}：{refusal.message}",
            message_en=f"{name}: {refusal.message_en}",
            fields={name: refusal.message_en},
        )


def refuse_bad_characters(value, name: str = "") -> None:
    """Walks a JSON value: a bad character in any key or string is refused, naming its place
    (``parties[0].name``) so that the client knows which value to fix. The guard walks every JSON
    body; a view that decodes JSON from a form part calls it on what it decoded."""
    if isinstance(value, str):
        _refuse_in_field(name or "body", value)
    elif isinstance(value, dict):
        for key, item in value.items():
            place = f"{name}.{key}" if name else key
            _refuse_in_field(place, key)
            refuse_bad_characters(item, place)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            refuse_bad_characters(item, f"{name}[{index}]")


def _refuse_bad_bytes():
    """PostgreSQL text cannot hold NUL, neither database can store a lone surrogate, and no field
    of ours has a use for either; integers beyond the columns overflow the driver. All are the
    client's mistake: 400, never 500, naming the field where there is one."""
    for text in (request.path, request.query_string.decode("latin-1")):
        refusal = _bad_character(text)
        if refusal is not None:
            raise refusal
    for key, value in request.args.items(multi=True):
        _refuse_in_field(key, key)
        _refuse_in_field(key, value)
        if key in INTEGER_PARAMS and value.strip():
            _integer_in_range(key, value)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            try:
                body = request.get_json(silent=True)
            except RecursionError:
                raise Malformed(
                    "JSON 嵌套过深", message_en="the JSON body is nested too deeply"
                ) from None
            refuse_bad_characters(body)
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in request.form.items(multi=True):
                _refuse_in_field(key, key)
                _refuse_in_field(key, value)
            for key, upload in request.files.items(multi=True):
                _refuse_in_field(key, upload.filename or "")


def _integer_in_range(name: str, text: str) -> None:
    try:
        number = int(text)
    except ValueError:
        return  # not a number at all: the view's own parsing answers (usually the default)
    if abs(number) > ID_MAX:  # small and negative values are the view's to judge
        raise Malformed(
            f"参数 {name} 超出范围（不能超过 {ID_MAX}）",
            message_en=f"{name} is out of range (at most {ID_MAX})",
            fields={name: f"≤ {ID_MAX}"},
        )


def _ids_in_range(_endpoint, values):
    """An id in a path beyond the columns' range names nothing: 404, like any missing row. NUL in
    a path part is malformed (this runs before ``before_request``, so it checks too)."""
    for name, value in (values or {}).items():
        refusal = _bad_character(value) if isinstance(value, str) else None
        if refusal is not None:
            raise refusal
        if isinstance(value, int) and not 0 < value <= ID_MAX:
            raise NotFound("不存在", message_en=f"no such {name.removesuffix('_id')}")


#: A party's link, ``/p/<token>``: the token lets whoever holds it act as the party (parties.md),
#: so a log keeps its first six characters (enough to tell links apart), never the rest.
_PARTY_LINK = re.compile(r"(/p/[^/?#\s\"]{6})[^/?#\s\"]+")
#: Query values that are secrets: the /status lookup's ``code`` (and any token or key a client
#: might put in a query string by mistake). /verify/<code> is printed on every notice: public.
_SECRET_QUERY = re.compile(r"((?:^|[?&])(?:code|token|key|secret|password)=)[^&#\s\"]+", re.IGNORECASE)


def secrets_redact(text: str) -> str:
    """``text`` (a request line, a path, a query, a Referer or Location) without the secrets a
    URL may carry; for the access log (gunicorn.conf.py), ASVS 7.1.1 and 8.3.1."""
    return _SECRET_QUERY.sub(r"\1…", _PARTY_LINK.sub(r"\1…", text))


def csp_nonce() -> str:
    """This response's CSP nonce, for an inline ``<script nonce=…>`` that cannot be a file."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _signed_in() -> bool:
    user = g.get("_login_user")
    return bool(g.get("api_user") or (user is not None and user.is_authenticated))


def _security_headers(response):
    nonce = g.get("csp_nonce")
    script_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; "
        f"script-src {script_src}; "
        # Style attributes remain in a few templates; styles cannot run code.
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if _signed_in():
        # A signed-in page holds case data: no browser or proxy may keep a copy (ASVS 8.2.1).
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
