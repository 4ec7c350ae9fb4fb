"""Login and logout."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from caseflow.accounts.forms import LoginForm
from caseflow.accounts.services import login_is_throttled, user_authenticate

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes to the start page."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("web.index")


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
            if user is not None:
                login_user(user, remember=form.remember.data)
                return redirect(_safe_next(request.args.get("next")))
            form.password.errors.append(_("用户名或密码不正确"))
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("accounts.login"))
