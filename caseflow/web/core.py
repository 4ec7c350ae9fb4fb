"""The start page, health check, language switch, error pages and template helpers."""


from flask import abort, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, text
from werkzeug.exceptions import HTTPException

from caseflow.accounts.models import ROLE_LABELS
from caseflow.errors import DomainError
from caseflow.extensions import db, login_manager
from caseflow.web import bp


@login_manager.user_loader
def _load_user(session_id: str):
    """The user of a session or remember cookie, if it is still good: ``id:generation:nonce``
    (``User.get_id``) whose generation is the user's current one. Logout, a password change or
    reset, deactivation and ``users revoke`` raise the generation, so every copy of the cookie
    dies on every node at its next request."""
    from caseflow.accounts.models import User

    parts = (session_id or "").split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None  # a cookie from before generations, or not ours
    user = db.session.get(User, int(parts[0]))
    if user is None or not user.active or user.session_generation != int(parts[1]):
        return None
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
    if "web.inbox" in _endpoints():
        return redirect(url_for("web.inbox"))
    return render_template("web/home.html")


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
    if code in ("zh_CN", "en"):
        session["lang"] = code
    target = request.form.get("next") or request.referrer or "/"
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    return redirect(target)


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


def register_error_pages(app) -> None:
    """Chinese error pages for the UI, JSON errors for the API; never a traceback."""

    def render(status: int, message: str, code: str, fields: dict | None = None):
        if request.path.startswith("/api/"):
            return _json_error(status, code, message, fields or {})
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

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = {413: "too_large", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.code, "http_error"
        )
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            code = "csrf"
            message = _("表单已过期或缺少安全令牌（CSRF），请刷新页面后重试。")
        else:
            message = _(ERROR_TITLES.get(exc.code, exc.name))
        return render(exc.code or 500, message, code)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render(500, _("系统内部错误，已记录。请稍后再试。"), "internal")


def register_template_helpers(app) -> None:
    from caseflow.web import filters

    # The same filters as the web pages': ISO dates when the page is in English.
    app.add_template_filter(filters.cn_date, "cn_date")
    app.add_template_filter(filters.cn_datetime, "cn_datetime")

    @app.context_processor
    def _globals():
        from flask_babel import get_locale

        return {
            "role_labels": ROLE_LABELS,
            "current_locale": "en" if str(get_locale() or "").startswith("en") else "zh_CN",
            "endpoints": _endpoints(),
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
