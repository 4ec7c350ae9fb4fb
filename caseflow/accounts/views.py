"""Login and logout, one's own password and one's own sessions (the account page)."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from caseflow.accounts.forms import LoginForm, PasswordChangeForm
from caseflow.accounts.services import (
    login_is_throttled,
    session_end,
    session_is,
    session_open,
    sessions_end_others,
    sessions_of,
    user_authenticate,
    user_password_change,
    user_sessions_end,
)
from caseflow.errors import NotFound
from caseflow.extensions import db
from caseflow.web.access import safe_next
from caseflow.web.transaction import committing

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        remote = request.remote_addr or "-"
        if login_is_throttled(form.username.data, remote):
            flash(_("登录失败次数过多，请十五分钟后再试。"), "error")
            status = 429
        else:
            user = user_authenticate(form.username.data, form.password.data, remote)
            db.session.commit()  # a failed attempt counts for the throttle
            if user is not None:
                _session_start(user, remember=form.remember.data)
                db.session.commit()
                return redirect(safe_next(request.args.get("next"), url_for("web.index")))
            form.password.errors.append(_("用户名或密码不正确"))
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


def _session_start(user, *, remember: bool) -> None:
    """A fresh session (no fixation, a new CSRF secret) and, when asked, a remember cookie that
    no earlier login had: the per-login nonce is part of what it holds."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    # The per-login secret names this login's session record (listed on the account page).
    user.login_nonce = session_open(
        user,
        remote_addr=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""),
    )
    login_user(user, remember=remember)


def _session_end() -> None:
    """Forget this browser's session, its CSRF secret and its remember cookie."""
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Logging out ends every session of the user, not just this browser's: a copied session or
    remember cookie stops working at once (ASVS 3.3.1)."""
    user_sessions_end(current_user)
    db.session.commit()
    _session_end()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password_change():
    """Change one's own password (the current one is asked for); every session ends with it."""
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        with committing(flash_error=False) as step:
            user_password_change(current_user, current=form.current.data, new=form.new.data)
        if step.failed:
            for key, reason in step.error.fields.items():
                getattr(form, "current" if key == "current" else "new").errors.append(reason)
            status = step.status
        else:
            _session_end()
            flash(_("密码已修改，请用新密码重新登录。"), "success")
            return redirect(url_for("accounts.login"))
    elif request.method == "POST":
        status = 422
    return render_template("accounts/password.html", form=form), status


@bp.route("/account")
@login_required
def account():
    """One's own account: the sessions open in other browsers, each of which can be ended."""
    sessions = sessions_of(current_user)
    current = next((row for row in sessions if session_is(row, current_user.login_nonce)), None)
    return render_template("accounts/account.html", sessions=sessions, current=current)


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def session_logout(session_id: int):
    """Log one session out; this browser's own session logs out like the logout button."""
    user = current_user._get_current_object()
    try:
        row = session_end(user, session_id)
    except NotFound:
        db.session.rollback()
        flash(_("没有这个会话，可能已经退出。"), "error")
        return redirect(url_for("accounts.account"))
    this_one = session_is(row, user.login_nonce)
    db.session.commit()
    if this_one:
        _session_end()
        flash(_("您已退出登录。"), "info")
        return redirect(url_for("accounts.login"))
    flash(_("该会话已退出。"), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def sessions_logout_others():
    """Log out every other session of the user; this one stays."""
    ended = sessions_end_others(current_user, keep_secret=current_user.login_nonce)
    db.session.commit()
    flash(_("已退出其他 %(count)d 个会话。", count=ended), "success")
    return redirect(url_for("accounts.account"))
