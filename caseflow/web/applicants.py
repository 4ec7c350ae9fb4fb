"""Applicants' filings (备案) for expedited pre-examination: a caseworker registers one, a
supervisor approves or rejects it, and may revoke it once approved (procedures.md §2). Only an approved filing may ask for a
``pre_exam`` case, opened from ``/cases/new``."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.web import bp
from caseflow.web import selectors as sel
from caseflow.web.access import role_required
from caseflow.web.forms import ApplicantDecisionForm, ApplicantForm
from caseflow.web.transaction import committing

ROLES = ("caseworker", "supervisor")


def _unit():
    """The unit whose filings are shown: the user's own; an admin picks one (``?unit=ZS``)."""
    from caseflow.applicants.services import unit_does_pre_exam

    if not current_user.is_admin:
        unit = current_user.unit
    else:
        code = request.values.get("unit")
        centres = [u for u in sel.units_all() if unit_does_pre_exam(u)]
        unit = next((u for u in centres if u.code == code), centres[0] if centres else None)
    if not unit_does_pre_exam(unit):
        abort(403)
    return unit


def _render(unit, form=None, status=200):
    from caseflow.applicants.models import APPLICANT_STATUS_LABELS
    from caseflow.applicants.selectors import applicants_list
    from caseflow.applicants.services import unit_does_pre_exam

    return (
        render_template(
            "web/applicants.html",
            unit=unit,
            applicants=applicants_list(unit=unit),
            form=form or ApplicantForm(formdata=None),
            decision_form=ApplicantDecisionForm(prefix="decision", formdata=None),
            status_labels=APPLICANT_STATUS_LABELS,
            units=[u for u in sel.units_all() if unit_does_pre_exam(u)]
            if current_user.is_admin
            else [],
            can_decide=current_user.role in ("supervisor", "admin"),
        ),
        status,
    )


@bp.route("/applicants")
@role_required(*ROLES)
def applicants():
    return _render(_unit())


@bp.route("/applicants", methods=["POST"])
@role_required(*ROLES)
def applicant_new():
    from caseflow.applicants.services import applicant_register

    unit = _unit()
    form = ApplicantForm()
    if not form.validate_on_submit():
        flash(_("请更正下面标出的错误"), "error")
        return _render(unit, form, 422)
    with committing(form) as step:
        applicant = applicant_register(
            unit=unit, actor=current_user, name=form.name.data, credit_code=form.credit_code.data
        )
    if step.failed:
        return _render(unit, form, step.status)
    flash(_("已登记备案：%(name)s，待部门负责人审核", name=applicant.name), "success")
    return redirect(url_for("web.applicants", unit=unit.code))


def _decide(applicant_id, service, message, *, with_reason=False):
    from caseflow.applicants.selectors import applicant_get

    applicant = applicant_get(applicant_id, user=current_user)
    form = ApplicantDecisionForm(prefix="decision")
    if not form.validate_on_submit():
        abort(400)
    reason = {"reason": form.reason.data} if with_reason else {}
    with committing() as step:
        service(applicant, actor=current_user, **reason)
    if step.failed:
        return redirect(url_for("web.applicants", unit=applicant.unit.code))
    flash(message % {"name": applicant.name}, "success")
    return redirect(url_for("web.applicants", unit=applicant.unit.code))


@bp.route("/applicants/<int:applicant_id>/approve", methods=["POST"])
@role_required("supervisor")
def applicant_approve(applicant_id):
    from caseflow.applicants.services import applicant_approve as approve

    return _decide(applicant_id, approve, _("已审核通过 %(name)s 的备案"))


@bp.route("/applicants/<int:applicant_id>/revoke", methods=["POST"])
@role_required("supervisor")
def applicant_revoke(applicant_id):
    from caseflow.applicants.services import applicant_revoke as revoke

    return _decide(applicant_id, revoke, _("已撤销 %(name)s 的备案"), with_reason=True)


@bp.route("/applicants/<int:applicant_id>/reject", methods=["POST"])
@role_required("supervisor")
def applicant_reject(applicant_id):
    from caseflow.applicants.services import applicant_reject as reject

    return _decide(
        applicant_id, reject, _("已驳回 %(name)s 的备案，可重新登记"), with_reason=True
    )
