"""Administration: users and roles, units and their profiles, the working-day calendar (load next
year's official schedule; see which years are provisional), and the outbox's failed deliveries."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow.accounts.models import ROLE_LABELS, ROLES
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.timeutil import local_date, utcnow
from caseflow.web import bp
from caseflow.web import selectors as sel
from caseflow.web.access import role_required
from caseflow.web.forms import CalendarUploadForm, UserForm

TABS = (("users", "用户与角色"), ("units", "单位"), ("calendar", "工作日历"), ("outbox", "消息发送"))


def _user_form(formdata=None) -> UserForm:
    form = UserForm(prefix="user", formdata=formdata)
    form.role.choices = [(role, ROLE_LABELS[role]) for role in ROLES]
    form.unit_id.choices = [(0, "—（仅管理员）")] + [(u.id, f"{u.code} {u.name}") for u in sel.units_all()]
    return form


def _calendar_years() -> list[dict]:
    """Last year, this year and the next two, with their status (official or provisional)."""
    from caseflow.calendar.selectors import calendar_year_get

    this_year = local_date(utcnow()).year
    return [calendar_year_get(year) for year in range(this_year - 1, this_year + 3)]


def _outbox_counts() -> dict:
    try:
        from caseflow.alerts.selectors import outbox_counts
    except ImportError:  # the alerts area is not in this tree
        return {}
    return outbox_counts()


def _render(tab, *, user_form=None, calendar_form=None, status=200):
    context = {"tab": tab, "tabs": TABS}
    if tab == "users":
        context.update(users=sel.users_all(), user_form=user_form or _user_form(), role_labels=ROLE_LABELS)
    elif tab == "units":
        context.update(units=sel.units_all())
    elif tab == "calendar":
        context.update(
            years=_calendar_years(),
            calendar_form=calendar_form or CalendarUploadForm(prefix="calendar", formdata=None),
        )
    else:
        context.update(outbox=_outbox_counts())
    return render_template("web/admin.html", **context), status


@bp.route("/admin")
@role_required("admin")
def admin():
    tab = request.args.get("tab", "users")
    return _render(tab if tab in dict(TABS) else "users")


@bp.route("/admin/users", methods=["POST"])
@role_required("admin")
def admin_user_create():
    from caseflow.accounts.models import Unit
    from caseflow.accounts.services import user_create

    form = _user_form(request.form)
    if not form.validate_on_submit():
        return _render("users", user_form=form, status=422)
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
    try:
        user = user_create(
            username=form.username.data.strip(),
            password=form.password.data,
            role=form.role.data,
            unit_code=unit.code if unit else None,
            display_name=form.display_name.data.strip(),
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        for key, reason in exc.fields.items():
            target = getattr(form, {"unit": "unit_id"}.get(key, key), None)
            if target is not None:
                target.errors = [*list(target.errors), reason]
        return _render("users", user_form=form, status=exc.status)
    flash(f"已创建用户 {user.username}（{ROLE_LABELS[user.role]}）", "success")
    return redirect(url_for("web.admin", tab="users"))


@bp.route("/admin/calendar", methods=["POST"])
@role_required("admin")
def admin_calendar_load():
    from caseflow.calendar.services import calendar_load

    form = CalendarUploadForm(prefix="calendar")
    if not form.validate_on_submit():
        return _render("calendar", calendar_form=form, status=422)
    upload = form.file.data
    try:
        text = upload.read().decode("utf-8-sig")
        result = calendar_load(text, source=f"上传：{upload.filename}", actor=current_user)
        db.session.commit()
    except (DomainError, ValueError, UnicodeDecodeError) as exc:
        db.session.rollback()
        form.file.errors = [*list(form.file.errors), getattr(exc, "message", None) or f"文件有误：{exc}"]
        return _render("calendar", calendar_form=form, status=422)
    flash(
        f"已载入 {result.year} 年官方安排：放假 {result.holidays} 天，调休上班 {result.workdays} 天；"
        f"{len(result.moved)} 个时限的到期日随之调整",
        "success",
    )
    return redirect(url_for("web.admin", tab="calendar"))
