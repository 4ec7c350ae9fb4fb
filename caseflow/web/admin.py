"""Administration: users and roles, units and their profiles, the working-day calendar (load next
year's official schedule; see which years are provisional), and the outbox's failed deliveries."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from caseflow.accounts.models import ROLE_LABELS, ROLES
from caseflow.accounts.services import token_revoke, tokens_of, user_revoke
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.timeutil import local_date, utcnow
from caseflow.web import bp
from caseflow.web import selectors as sel
from caseflow.web.access import role_required
from caseflow.web.forms import (
    CalendarUploadForm,
    PasswordResetForm,
    UserEditForm,
    UserForm,
    unit_profile_form_class,
)
from caseflow.web.transaction import committing

#: Read one byte past the service's limit, so an oversized seal is refused without reading it all.
SEAL_READ_LIMIT = 1024 * 1024 + 1

TABS = (
    ("users", "用户与角色"),
    ("units", "单位"),
    ("calendar", "工作日历"),
    ("outbox", "消息发送"),
)


def _user_form(formdata=None) -> UserForm:
    form = UserForm(prefix="user", formdata=formdata)
    form.role.choices = [(role, _(ROLE_LABELS[role])) for role in ROLES]
    form.unit_id.choices = [(0, _("—（仅管理员）"))] + [
        (u.id, f"{u.code} {u.name}") for u in sel.units_all()
    ]
    return form


def _units():
    from caseflow.accounts.models import Unit

    return db.session.scalars(select(Unit).order_by(Unit.code)).all()


def _calendar_years() -> list[dict]:
    """Last year, this year and the next two, with their status (official or provisional)."""
    from caseflow.calendar.selectors import calendar_year_get

    this_year = local_date(utcnow()).year
    return [calendar_year_get(year) for year in range(this_year - 1, this_year + 3)]


def _outbox_counts() -> dict:
    """Messages per status: the alerts' and the account mails' (credential changes)."""
    from caseflow.accounts.mail import account_mail_counts
    from caseflow.alerts.selectors import outbox_counts

    return {"alerts": outbox_counts(), "account_mails": account_mail_counts()}


def _render(tab, *, user_form=None, calendar_form=None, status=200):
    context = {"tab": tab, "tabs": TABS}
    if tab == "users":
        context.update(
            users=sel.users_all(), user_form=user_form or _user_form(), role_labels=ROLE_LABELS
        )
    elif tab == "units":
        context.update(units=sel.units_all())
    elif tab == "calendar":
        from caseflow.calendar.selectors import unit_closures_loaded

        context.update(
            years=_calendar_years(),
            closures=unit_closures_loaded(),
            calendar_form=calendar_form
            or CalendarUploadForm(prefix="calendar", formdata=None, units=_units()),
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
    with committing(form, names={"unit": "unit_id"}, flash_error=False) as step:
        user = user_create(
            username=form.username.data.strip(),
            password=form.password.data,
            role=form.role.data,
            unit_code=unit.code if unit else None,
            display_name=form.display_name.data.strip(),
            email=form.email.data or "",
            actor=current_user,
        )
    if step.failed:
        return _render("users", user_form=form, status=step.status)
    flash(
        _("已创建用户 %(name)s（%(role)s）", name=user.username, role=_(ROLE_LABELS[user.role])),
        "success",
    )
    return redirect(url_for("web.admin", tab="users"))


@bp.route("/admin/calendar", methods=["POST"])
@role_required("admin")
def admin_calendar_load():
    from caseflow.calendar.services import calendar_load

    form = CalendarUploadForm(prefix="calendar", units=_units())
    if not form.validate_on_submit():
        return _render("calendar", calendar_form=form, status=422)
    upload = form.file.data
    try:
        text = upload.read().decode("utf-8-sig")
        result = calendar_load(
            text,
            source=f"上传：{upload.filename}",
            actor=current_user,
            unit=form.unit.data or None,
        )
        db.session.commit()
    except (DomainError, ValueError, UnicodeDecodeError) as exc:
        from caseflow.web.filters import domain_message

        db.session.rollback()
        if isinstance(exc, DomainError):
            reason = domain_message(exc)
        elif isinstance(exc, UnicodeDecodeError):
            reason = _("文件不是 UTF-8 编码的文本")
        else:
            reason = _("文件有误，未载入")
        form.file.errors = [*list(form.file.errors), reason]
        return _render("calendar", calendar_form=form, status=422)
    if form.unit.data:
        flash(
            _(
                "已载入 %(unit)s %(year)s 年临时停工安排：停工 %(holidays)s 天；"
                "%(moved)s 个时限的到期日随之调整",
                unit=form.unit.data,
                year=result.year,
                holidays=result.holidays,
                moved=len(result.moved),
            ),
            "success",
        )
        return redirect(url_for("web.admin", tab="calendar"))
    flash(
        _(
            "已载入 %(year)s 年官方安排：放假 %(holidays)s 天，调休上班 %(workdays)s 天；"
            "%(moved)s 个时限的到期日随之调整",
            year=result.year,
            holidays=result.holidays,
            workdays=result.workdays,
            moved=len(result.moved),
        ),
        "success",
    )
    return redirect(url_for("web.admin", tab="calendar"))


@bp.route("/admin/calendar/closures/<code>/<int:year>/remove", methods=["POST"])
@role_required("admin")
def admin_closures_remove(code, year):
    """Remove a unit's local closures of a year (a typhoon notice withdrawn): the same as loading
    an empty closures file for that year, so the unit's clocks are recounted as by any load."""
    from caseflow.calendar.services import calendar_load

    unit = _unit_or_404(code)
    if not request.form.get("confirmed"):
        # The box beside 撤销 (the browser asks for it too): the unit's deadlines move at once.
        flash(_("未撤销：请先勾选确认，撤销后在办案件的时限将立即重新计算"), "error")
        return redirect(url_for("web.admin", tab="calendar"))
    with committing() as step:
        result = calendar_load(
            "", source="管理页面撤销", year=year, actor=current_user, unit=unit
        )
    if not step.failed:
        flash(
            _(
                "已撤销 %(unit)s %(year)s 年的临时停工安排；%(moved)s 个时限的到期日随之调整",
                unit=unit.code,
                year=year,
                moved=len(result.moved),
            ),
            "success",
        )
    return redirect(url_for("web.admin", tab="calendar"))


def _unit_or_404(code):
    from sqlalchemy import select

    from caseflow.accounts.models import Unit

    unit = db.session.scalar(select(Unit).filter_by(code=code))
    if unit is None:
        abort(404)
    return unit


def _profile_form(unit, *, submitted: bool):
    """The profile form: the request's data (and seal upload) when submitted, else ``unit.profile``."""
    form_class = unit_profile_form_class()
    if submitted:
        return form_class()
    form = form_class(formdata=None)
    profile = unit.profile or {}
    form.ipc.data = list((profile.get("fields") or {}).get("ipc") or [])
    form.locarno.data = list((profile.get("fields") or {}).get("locarno") or [])
    form.contact.data = profile.get("contact") or ""
    form.address.data = profile.get("address") or ""
    form.review_body.data = profile.get("review_body") or ""
    form.court.data = profile.get("court") or ""
    clocks = profile.get("clocks") or {}
    for _key, name, clock, variant in form.clock_inputs:
        value = clocks.get(clock, "")
        if isinstance(value, dict):
            value = value.get(variant, "") if variant else ""
        getattr(form, name).data = _("关闭") if value is None else value
    patterns = profile.get("doc_patterns") or {}
    for kind, name in form.pattern_inputs:
        getattr(form, name).data = patterns.get(kind, "")
    return form


def _clocks_from(form) -> dict:
    clocks: dict = {}
    for _key, name, clock, variant in form.clock_inputs:
        value = getattr(form, name).data or ""
        if variant:
            clocks.setdefault(clock, {})[variant] = value
        else:
            clocks[clock] = value
    return clocks


@bp.route("/admin/units/<code>", methods=["GET", "POST"])
@role_required("admin")
def admin_unit_edit(code):
    """A unit's profile: clock overrides, pre-examination fields, 文号 patterns, contact, review
    bodies, seal."""
    from caseflow.accounts.services import unit_profile_update

    unit = _unit_or_404(code)
    form = _profile_form(unit, submitted=request.method == "POST")
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            upload = form.seal_image.data
            has_seal = bool(getattr(upload, "filename", ""))
            with committing(flash_error=False) as step:
                unit_profile_update(
                    unit,
                    actor=current_user,
                    clocks=_clocks_from(form),
                    fields={"ipc": form.ipc.data or [], "locarno": form.locarno.data or []},
                    doc_patterns={
                        kind: getattr(form, name).data or "" for kind, name in form.pattern_inputs
                    },
                    contact=form.contact.data or "",
                    address=form.address.data or "",
                    review_body=form.review_body.data or "",
                    court=form.court.data or "",
                    seal_filename=upload.filename if has_seal else None,
                    seal_content=upload.read(SEAL_READ_LIMIT) if has_seal else None,
                )
            if step.failed:
                if not form.errors_apply(step.error.fields):
                    form.form_errors.append(step.error.message)
                flash(_("请更正下面标出的错误"), "error")
                status = step.status
            else:
                flash(_("已保存 %(unit)s 的配置", unit=unit.name), "success")
                return redirect(url_for("web.admin_unit_edit", code=unit.code))
        else:
            flash(_("请更正下面标出的错误"), "error")
            status = 422
    return render_template(
        "web/admin_unit.html", unit=unit, form=form, tabs=TABS, tab="units"
    ), status


def _user_edit_form(user, formdata=None) -> UserEditForm:
    form = UserEditForm(prefix="edit", formdata=formdata)
    form.role.choices = [(role, _(ROLE_LABELS[role])) for role in ROLES]
    form.unit_id.choices = [(0, _("—（仅管理员）"))] + [
        (u.id, f"{u.code} {u.name}") for u in sel.units_all()
    ]
    if formdata is None:
        form.display_name.data, form.email.data = user.display_name, user.email or ""
        form.role.data, form.unit_id.data, form.active.data = (
            user.role,
            user.unit_id or 0,
            user.active,
        )
    return form


def _render_user(user, *, edit_form=None, password_form=None, status=200):
    return (
        render_template(
            "web/admin_user.html",
            user=user,
            edit_form=edit_form or _user_edit_form(user),
            password_form=password_form or PasswordResetForm(prefix="password", formdata=None),
            tokens=tokens_of(user),
            now=utcnow(),
            tabs=TABS,
            tab="users",
        ),
        status,
    )


def _user_or_404(user_id):
    from caseflow.accounts.models import User

    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/users/<int:user_id>")
@role_required("admin")
def admin_user(user_id):
    return _render_user(_user_or_404(user_id))


@bp.route("/admin/users/<int:user_id>/edit", methods=["POST"])
@role_required("admin")
def admin_user_edit(user_id):
    from caseflow.accounts.models import Unit
    from caseflow.accounts.services import user_update

    user = _user_or_404(user_id)
    form = _user_edit_form(user, request.form)
    if not form.validate_on_submit():
        return _render_user(user, edit_form=form, status=422)
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
    old_unit = user.unit
    with committing(form, names={"unit": "unit_id"}, flash_error=False) as step:
        change = user_update(
            user,
            actor=current_user,
            role=form.role.data,
            unit_code=unit.code if unit else None,
            active=bool(form.active.data),
            display_name=form.display_name.data,
            email=form.email.data or "",
        )
    if step.failed:
        return _render_user(user, edit_form=form, status=step.status)
    flash(_("已更新用户 %(name)s", name=user.username), "success")
    if change.released:
        flash(
            _(
                "%(name)s 承办的 %(count)s 件未结案件已退回%(unit)s的未分配案件，"
                "请部门负责人在待办的“未分配”中重新分配：%(numbers)s",
                name=user.display_name,
                count=len(change.released),
                unit=old_unit.name if old_unit else "",
                numbers=_("、").join(case.number for case in change.released),
            ),
            "info",
        )
    return redirect(url_for("web.admin_user", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@role_required("admin")
def admin_user_password(user_id):
    from caseflow.accounts.services import user_password_reset

    user = _user_or_404(user_id)
    form = PasswordResetForm(prefix="password")
    if not form.validate_on_submit():
        return _render_user(user, password_form=form, status=422)
    with committing(flash_error=False) as step:
        user_password_reset(user, actor=current_user, password=form.password.data)
    if step.failed:
        form.password.errors = [*list(form.password.errors), *step.error.fields.values()]
        return _render_user(user, password_form=form, status=step.status)
    flash(_("已重置 %(name)s 的密码", name=user.username), "success")
    return redirect(url_for("web.admin_user", user_id=user.id))


@bp.route("/admin/tokens/<int:token_id>/revoke", methods=["POST"])
@role_required("admin")
def admin_token_revoke(token_id):
    """Revoke one API token at once."""
    row = token_revoke(token_id, actor=current_user)
    db.session.commit()
    flash(_("已吊销令牌 #%(id)s", id=row.id), "success")
    return redirect(url_for("web.admin_user", user_id=row.user_id))


@bp.route("/admin/users/<int:user_id>/revoke", methods=["POST"])
@role_required("admin")
def admin_user_revoke(user_id):
    """End every web session and revoke every API token of a user (a lost laptop, a leaver)."""
    user = _user_or_404(user_id)
    user_revoke(user, actor=current_user)
    db.session.commit()
    flash(_("已结束 %(name)s 的所有会话并吊销其全部令牌", name=user.username), "success")
    return redirect(url_for("web.admin_user", user_id=user.id))
