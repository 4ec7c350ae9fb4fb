"""The start page, health check, language switch, error pages and template helpers."""

import io
from urllib.parse import urlsplit, urlunsplit

from flask import abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, text
from werkzeug.exceptions import HTTPException

from caseflow.accounts.models import ROLE_LABELS
from caseflow.errors import DomainError
from caseflow.extensions import db, login_manager
from caseflow.translations.runtime import N_
from caseflow.web import bp
from caseflow.web.access import safe_next


@login_manager.user_loader
def _load_user(session_id: str):
    """The user of a session or remember cookie, if it is still good: ``id:generation:secret``
    (``User.get_id``) whose generation is the user's current one and whose per-login secret
    names a live session record. Logout, a password change or reset, deactivation and ``users
    revoke`` raise the generation; the account page ends single sessions by deleting their
    record. Either way every copy of the cookie dies on every node at its next request."""
    from caseflow.accounts.models import User
    from caseflow.accounts.services import session_check

    parts = (session_id or "").split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None  # a cookie from before generations, or not ours
    user = db.session.get(User, int(parts[0]))
    if user is None or not user.active or user.session_generation != int(parts[1]):
        return None
    if session_check(user.id, parts[2]) is None:
        return None  # this login was logged out from the account page, or idled out
    user.login_nonce = parts[2]  # so that get_id() answers what the cookie holds
    return user


login_manager.login_view = "accounts.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"
login_manager.localize_callback = _


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        return _json_error(401, "not_authenticated", "需要登录或 API 令牌", {})
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    endpoints = _endpoints()
    landing = LANDING.get(current_user.role, "web.inbox")
    if landing in endpoints:
        return redirect(url_for(landing))
    if "web.inbox" in endpoints:
        return redirect(url_for("web.inbox"))
    return render_template("web/home.html")


#: Each role starts the day on its own page (a login without ``next`` lands here): supervisors on
#: the dashboard with its 待审批 list, desk officers on the fair desk, admins on administration.
LANDING = {
    "supervisor": "web.dashboard",
    "desk_officer": "web.fair_desk",
    "admin": "web.admin",
}


def _endpoints() -> set[str]:
    from flask import current_app

    return set(current_app.view_functions)


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("select 1"))
    except Exception:  # noqa: BLE001 — any database failure means unhealthy
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    """The language switch: for this browser's session and, for a signed-in user, saved on the
    user (their next login elsewhere opens in it)."""
    from caseflow.accounts.services import LOCALES, user_locale_set
    from caseflow.web.transaction import committing

    if code in LOCALES:
        session["lang"] = code
        if current_user.is_authenticated and current_user.locale != code:
            with committing():
                user_locale_set(current_user, locale=code)
    target = request.form.get("next")
    if not target and request.referrer:
        # Back to the page the switch was on, when it is one of ours.
        referrer = urlsplit(request.referrer)
        if referrer.netloc == request.host:
            target = urlunsplit(("", "", referrer.path, referrer.query, ""))
    return redirect(safe_next(target, "/"))


def page_to_reopen() -> str:
    """Where the language switch returns to: this page when it was opened with GET; after a
    refused POST (a page rendered by a form's endpoint), the page the form lives on — this URL
    when it also answers GET (/complain), else the same-site referrer when it answers GET, else
    the nearest parent path that does (/p/<token>/consent → /p/<token>), else the start page.
    Never a POST-only URL, which would answer 405."""
    if request.method == "GET":
        return request.full_path
    adapter = current_app.url_map.bind("")

    def answers_get(path: str) -> bool:
        try:
            adapter.match(path, method="GET")
        except HTTPException:
            return False
        return True

    if answers_get(request.path):
        return request.path
    if request.referrer:
        referrer = urlsplit(request.referrer)
        if referrer.netloc == request.host and answers_get(referrer.path):
            return urlunsplit(("", "", referrer.path, referrer.query, ""))
    path = request.path.rstrip("/")
    while "/" in path.strip("/"):
        path = path.rsplit("/", 1)[0]
        if answers_get(path):
            return path
    return "/"


def _json_error(status: int, code: str, message: str, fields: dict):
    response = jsonify(error={"code": code, "message": message, "fields": fields})
    response.status_code = status
    return response


ERROR_TITLES = {
    400: "请求有误",
    401: "需要登录",
    403: "无权访问",
    404: "页面不存在",
    405: "不支持的操作",
    409: "状态冲突",
    413: "上传的文件过大",
    422: "数据无效",
    429: "请求过于频繁",
    500: "系统错误",
}


#: What a person who opened such an address in the browser should do (a page, not the API):
#: a form's address bookmarked or typed is the usual way to meet a 405.
PAGE_ERROR_MESSAGES = {
    405: N_("此地址只接受表单提交，不能直接打开。请回到原页面重新操作。"),
}

#: The pages the public opens without an account: their errors keep the public layout.
PUBLIC_PREFIXES = ("/p/", "/complain", "/status", "/verify/")

#: (a party's link?, status) → the title of the public error page.
PUBLIC_ERROR_TITLES = {
    (True, 404): N_("当事人链接无效"),
    (True, 410): N_("当事人链接已失效"),
}


def register_error_pages(app) -> None:
    """Chinese error pages for the UI, JSON errors for the API; never a traceback."""

    def render(status: int, message: str, code: str, fields: dict | None = None):
        if request.path.startswith("/api/"):
            return _json_error(status, code, message, fields or {})
        if request.path.startswith(PUBLIC_PREFIXES):
            # A party's link opened from a text message: the public layout, and /status.
            key = (request.path.startswith("/p/"), status)
            title = _(PUBLIC_ERROR_TITLES.get(key) or ERROR_TITLES.get(status, "出错了"))
            page = render_template("parties/error.html", status=status, title=title, message=message)
            return page, status
        title = _(ERROR_TITLES.get(status, "出错了"))
        return render_template("error.html", status=status, title=title, message=message), status

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        db.session.rollback()
        if request.path.startswith("/api/"):
            english = request.accept_languages.best_match(["zh", "zh_CN", "en"]) == "en"
        else:  # a page: the language the person chose
            from caseflow.web.filters import _english

            english = _english()
        message = exc.message_en if english and exc.message_en else exc.message
        return render(exc.status, message, exc.code, exc.fields)

    @app.errorhandler(413)
    def _too_large(exc):
        """Over the request limit: the page the form was on, with the reason as a form error.
        The body is drained first so the browser reads the answer instead of a reset."""
        if request.path.startswith("/api/"):
            return render(413, _(ERROR_TITLES[413]), "too_large")
        page = TOO_LARGE_PAGES.get(request.endpoint)
        message = _too_large_message()
        if page is None or not current_user.is_authenticated:
            _too_large_fields()  # read the rest, so the browser sees this page
            return render(413, message, "too_large")
        try:
            response = page(message, **(request.view_args or {}))
        except DomainError as domain:
            return _domain_error(domain)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = {413: "too_large", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.code, "http_error"
        )
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            code = "csrf"
            message = _("表单已过期或缺少安全令牌（CSRF），请刷新页面后重试。")
        elif exc.code in PAGE_ERROR_MESSAGES and not request.path.startswith("/api/"):
            message = _(PAGE_ERROR_MESSAGES[exc.code])
        else:
            message = _(ERROR_TITLES.get(exc.code, exc.name))
        return render(exc.code or 500, message, code)

    @app.errorhandler(OverflowError)
    def _out_of_range(exc: OverflowError):
        # A date or a number beyond what Python's dates or the database hold (9999-12-31 plus a
        # day, an id of thirty digits) that no check before it caught: bad input, not our fault.
        db.session.rollback()
        app.logger.warning("out of range on %s %s: %s", request.method, request.path, exc)
        return render(422, _("日期或数字超出可处理的范围，请核对后重试。"), "out_of_range")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render(500, _("系统内部错误，已记录。请稍后再试。"), "internal")


def _too_large_message() -> str:
    from caseflow.cases.evidence import EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES, REQUEST_MAX_BYTES

    return _(
        "上传的文件合计超过 %(total)s MB，未能接收。单个文件不超过 %(file)s MB，一次最多 %(count)s 个；"
        "请减少文件后重新选择并提交，已填写的内容请核对。",
        total=REQUEST_MAX_BYTES // 1048576,
        file=EVIDENCE_MAX_BYTES // 1048576,
        count=EVIDENCE_MAX_FILES,
    )


class _Sink(io.RawIOBase):
    """Where the files of an over-limit request go: nowhere (only its text fields are kept)."""

    def writable(self):
        return True

    def readable(self):
        return True

    def seekable(self):
        return True

    def write(self, data):
        return len(data)

    def seek(self, offset, whence=0):
        return 0

    def readinto(self, buffer):
        return 0


def _too_large_fields(limit: int = 1 << 30):
    """The text fields of an over-limit request, its files dropped. The body is read to the end
    (up to 1 GB) so the browser gets our page rather than a connection reset. None when it is
    not a form or is over 1 GB."""
    from werkzeug.formparser import parse_form_data

    if (request.content_length or 0) > limit:
        return None
    try:
        _stream, form, _files = parse_form_data(
            request.environ,
            stream_factory=lambda *args, **kwargs: _Sink(),
            max_form_memory_size=1 << 20,
            max_content_length=None,
            silent=True,
        )
    except Exception:  # noqa: BLE001 — a malformed body: the page without the typed text
        return None
    return form


def _case_too_large(message: str, case_id: str, **_ignored):
    import workflows
    from caseflow.cases.selectors import case_get
    from caseflow.web.cases import _render_case, _trigger_form
    from caseflow.web.forms import EvidenceForm

    case = case_get(case_id, user=current_user)
    fields = _too_large_fields()
    action = (fields or {}).get("_do", "evidence")
    trigger = (request.view_args or {}).get("trigger") or (
        action.removeprefix("fire:") if action.startswith("fire:") else None
    )
    transition = workflows.transition(workflows.get(case.workflow), trigger) if trigger else None
    if transition is not None:
        form = _trigger_form(case, transition, formdata=fields)
        form.form_errors.append(message)
        for name in form.file_fields:
            form[name].errors = [message]
        return _render_case(case, forms={trigger: form}, open_trigger=trigger, status=413)
    form = EvidenceForm(prefix="evidence", formdata=fields)
    form.file.errors = [message]
    return _render_case(case, evidence_form=form, status=413)


def _desk_too_large(message: str, **_ignored):
    from caseflow.web.fair_desk import fair_desk_too_large

    return fair_desk_too_large(message, _too_large_fields())


#: Pages with upload forms: a request over the limit comes back to them with a form error.
TOO_LARGE_PAGES = {
    "web.case_detail": _case_too_large,
    "web.case_evidence_upload": _case_too_large,
    "web.case_fire_form": _case_too_large,
    "web.fair_desk": _desk_too_large,
}


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: the same icon, no 404 in the log."""
    from flask import current_app, send_from_directory

    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


def register_template_helpers(app) -> None:
    from caseflow.web import filters

    # The same filters as the web pages': ISO dates when the page is in English.
    app.add_template_filter(filters.cn_date, "cn_date")
    app.add_template_filter(filters.cn_datetime, "cn_datetime")
    app.add_template_filter(filters.browser_label, "browser_label")
    # Punctuation between the page's own words, by language (the public pages use it too).
    app.add_template_filter(filters.in_parens, "in_parens")
    app.add_template_filter(filters.enumeration, "enumeration")
    app.add_template_global(filters.punct, "punct")
    # The templates' ``_``/``gettext`` and friends: the callables Flask-Babel installs, with the
    # request's translations looked up once rather than once per text.
    translations = filters.request_translations
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    @app.context_processor
    def _globals():
        from flask_babel import get_locale

        return {
            "role_labels": ROLE_LABELS,
            "current_locale": "en" if str(get_locale() or "").startswith("en") else "zh_CN",
            "endpoints": _endpoints(),
            "page_to_reopen": page_to_reopen,
        }


@bp.route("/units/<code>")
@login_required
def unit_profile(code: str):
    """A unit's profile: its fields, clock overrides and document-number patterns (members only)."""
    from caseflow.accounts.models import Unit
    from caseflow.web.access import require_unit

    unit = db.session.scalar(select(Unit).filter_by(code=code))
    if unit is None:
        abort(404)
    require_unit(unit.id)
    return render_template("web/unit.html", unit=unit)
