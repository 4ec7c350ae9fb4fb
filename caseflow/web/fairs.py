"""Fairs at a fair desk: register an edition, load its exhibitor list from CSV or XLSX (all rows or
none, each bad row named), and see its exhibitors with the repeat-infringer flag (procedures.md §5).

Writes go through ``caseflow.fairs.services``; the views only parse and show what they say."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.extensions import db
from caseflow.web import bp
from caseflow.web import selectors as sel
from caseflow.web.access import role_required
from caseflow.web.filters import domain_message, in_language
from caseflow.web.forms import ExhibitorImportForm, FairForm
from caseflow.web.transaction import committing

FAIR_PAGE_ROLES = ("desk_officer", "supervisor")
#: Read one byte past the importer's limit, so it refuses an oversized file without us reading it all.
UPLOAD_READ_LIMIT = 2 * 1024 * 1024 + 1


def _require_fair_desk():
    """Fairs belong to fair desks: staff of a centre have no fair pages (admins see them all)."""
    if not current_user.is_admin and (
        current_user.unit is None or current_user.unit.kind != "fair_desk"
    ):
        abort(403)


def _fair_form() -> FairForm:
    form = FairForm(prefix="fair")
    desks = [u for u in sel.units_all() if u.kind == "fair_desk"]
    form.unit_id.choices = [(u.id, f"{u.code} {u.name}") for u in desks]
    if not current_user.is_admin:
        form.unit_id.data = current_user.unit_id
    return form


def _render_list(form, status=200):
    from caseflow.fairs.selectors import fairs_exhibitor_counts, fairs_list

    fairs = fairs_list(user=current_user)
    counts = fairs_exhibitor_counts(fairs)
    return render_template("web/fairs.html", fairs=fairs, counts=counts, form=form), status


@bp.route("/fairs")
@role_required(*FAIR_PAGE_ROLES)
def fairs():
    _require_fair_desk()
    return _render_list(_fair_form())


@bp.route("/fairs", methods=["POST"])
@role_required(*FAIR_PAGE_ROLES)
def fair_new():
    from caseflow.accounts.models import Unit
    from caseflow.fairs.services import fair_create

    _require_fair_desk()
    form = _fair_form()
    if not form.validate_on_submit():
        flash(_("请更正下面标出的错误"), "error")
        return _render_list(form, 422)
    unit = db.session.get(Unit, form.unit_id.data) if current_user.is_admin else current_user.unit
    if unit is None:
        form.unit_id.errors = [*list(form.unit_id.errors), _("此项为必填项")]
        return _render_list(form, 422)
    with committing(form, names={"unit": "unit_id"}) as step:
        fair = fair_create(
            unit=unit,
            actor=current_user,
            name=form.name.data,
            venue=form.venue.data,
            opens_at=form.opens_at.data,
            closes_at=form.closes_at.data,
            organiser=form.organiser.data,
        )
    if step.failed:
        if len(step.left) == len(step.error.fields or {}):  # no field took any: above the form
            form.form_errors.append(step.error.message)
        return _render_list(form, step.status)
    flash(_("已登记展会 %(name)s，请导入参展商名单", name=fair.name), "success")
    return redirect(url_for("web.fair_detail", fair_id=fair.id))


def _render_fair(fair, form=None, row_errors=None, status=200):
    from caseflow.fairs.selectors import fair_exhibitor_listings

    listings = fair_exhibitor_listings(fair)
    return (
        render_template(
            "web/fair.html",
            fair=fair,
            listings=listings,
            repeat_count=sum(1 for x in listings if x.is_repeat_infringer),
            form=form or ExhibitorImportForm(prefix="import", formdata=None),
            row_errors=row_errors or [],
        ),
        status,
    )


@bp.route("/fairs/<int:fair_id>")
@role_required(*FAIR_PAGE_ROLES)
def fair_detail(fair_id):
    from caseflow.fairs.selectors import fair_get

    _require_fair_desk()
    return _render_fair(fair_get(fair_id, user=current_user))


@bp.route("/fairs/<int:fair_id>/exhibitors", methods=["POST"])
@role_required(*FAIR_PAGE_ROLES)
def fair_exhibitors_import(fair_id):
    from caseflow.fairs.selectors import fair_get
    from caseflow.fairs.services import exhibitors_import

    _require_fair_desk()
    fair = fair_get(fair_id, user=current_user)
    form = ExhibitorImportForm(prefix="import")
    if not form.validate_on_submit():
        return _render_fair(fair, form, status=422)
    upload = form.file.data
    with committing() as step:
        added = exhibitors_import(
            fair,
            actor=current_user,
            filename=upload.filename or "",
            content=upload.read(UPLOAD_READ_LIMIT),
        )
    if step.failed:
        exc = step.error
        rows = (exc.fields or {}).get("rows")
        row_errors = []
        if isinstance(rows, dict):
            # Each reason is "中文 / English": the page shows the reader's language.
            row_errors = sorted(
                ((number, in_language(reason)) for number, reason in rows.items()),
                key=lambda item: int(item[0]) if item[0].isdigit() else 0,
            )
        form.file.errors = [*list(form.file.errors), domain_message(exc)]
        if isinstance(rows, str) or (exc.fields or {}).get("file"):
            form.file.errors.append(
                in_language(rows if isinstance(rows, str) else exc.fields["file"])
            )
        return _render_fair(fair, form, row_errors=row_errors, status=exc.status)
    flash(_("已导入 %(n)s 家参展商", n=len(added)), "success")
    return redirect(url_for("web.fair_detail", fair_id=fair.id))
