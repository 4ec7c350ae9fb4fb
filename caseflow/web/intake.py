"""Registering a new case at the window: a complaint (intake), an adjudication or mediation
request, or an expedited pre-examination request from an applicant with an approved filing
(procedures.md §2; the eligibility check in ``case_open`` names each failed condition beside its
field). Fair complaints come through the desk."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.cases.models import Case
from caseflow.extensions import db
from caseflow.nonces import NonceSpent, nonce_case_record, nonce_spend
from caseflow.web import bp
from caseflow.web.access import role_required
from caseflow.web.forms import CaseOpenForm
from caseflow.web.helpers import channel_label, workflow_label
from caseflow.web.transaction import committing

#: The procedures a caseworker opens from this page.
OPENED_HERE = ("intake", "adjudication", "mediation", "pre_exam", "penalty")

#: How long a submitted form's token is remembered: longer than its CSRF token is accepted.
SUBMISSION_KEPT = timedelta(days=1)

#: A service's field key → the form field it belongs beside.
FIELD_NAMES = {
    "right.patent_type": "patent_type",
    "right.classification": "classification",
    "right.pct": "right_pct",
    "right.divisional": "right_divisional",
    "right.number": "right_number",
    "right.kind": "right_kind",
    "respondent.code": "respondent_code",
}


def _approved_applicants():
    from caseflow.applicants.selectors import applicants_list

    unit = current_user.unit
    if unit is None:
        return []
    return applicants_list(unit=unit, status="approved")


def _form() -> CaseOpenForm:
    from caseflow.cases.services import workflows_opened_at
    from workflows.intake import CHANNELS

    form = CaseOpenForm()
    # Only what the unit runs (a fair desk's complaints come through the desk).
    unit = current_user.unit
    offered = [n for n in OPENED_HERE if unit is not None and n in workflows_opened_at(unit)]
    if request.method == "GET" and request.args.get("workflow") in offered:
        form.workflow.data = request.args["workflow"]
    form.workflow.choices = [(name, workflow_label(name)) for name in offered]
    form.channel.choices = [
        (code, channel_label(code)) for code, _label in CHANNELS if code != "fair_desk"
    ]
    form.applicant_id.choices = [(0, _("— 请选择 —"))] + [
        (a.id, f"{a.name}（{a.credit_code}）") for a in _approved_applicants()
    ]
    return form


def _complainant(form) -> dict:
    """The requester as typed; for a pre-exam request left blank, its contact alone (the case
    service names the filed applicant, ``caseflow.cases.services._requester_as_filed``)."""
    if form.workflow.data == "pre_exam" and not (form.complainant_name.data or "").strip():
        return {"contact": form.complainant_contact.data or None}
    return {
        "name": form.complainant_name.data,
        "kind": form.complainant_kind.data,
        "country": form.complainant_country.data or None,
        "contact": form.complainant_contact.data,
    }


def _right(form) -> dict:
    right = {
        "kind": form.right_kind.data,
        "number": form.right_number.data or None,
        "patent_type": form.patent_type.data or None,
        "classification": form.classification.data or None,
    }
    if form.workflow.data == "pre_exam":
        right.update(pct=bool(form.right_pct.data), divisional=bool(form.right_divisional.data))
    return right


@bp.route("/cases/new", methods=["GET", "POST"])
@role_required("caseworker", "supervisor")
def case_new():
    from caseflow.applicants.models import Applicant
    from caseflow.cases.services import case_open

    form = _form()
    status = 200
    if form.validate_on_submit():
        pre_exam = form.workflow.data == "pre_exam"
        applicant = (
            db.session.get(Applicant, form.applicant_id.data)
            if pre_exam and form.applicant_id.data
            else None
        )
        names = lambda key: FIELD_NAMES.get(key, key.replace(".", "_"))  # noqa: E731
        # Without it (a client that is not this page) each submit opens a case, as before.
        submission = form.submission.data or None
        with committing(form, names=names, flash_error=False) as step:
            if submission:
                nonce_spend("case_new", submission, lifetime=SUBMISSION_KEPT)
            if pre_exam and applicant is None:
                # No filing chosen: the eligibility check names that and every other failed
                # condition at once, as it would inside case_open.
                from caseflow.applicants.services import applicant_check_eligible

                applicant_check_eligible(
                    unit=current_user.unit, applicant_id=None, right=_right(form)
                )
            case = case_open(
                workflow=form.workflow.data,
                unit=current_user.unit,
                actor=current_user,
                title=form.title.data,
                channel=form.channel.data,
                received_at=form.received_at.data,
                complainant=_complainant(form),
                respondent={
                    "name": form.respondent_name.data or None,
                    "contact": form.respondent_contact.data or None,
                    # Checked (GB 32100 checksum) and matched against the credit register.
                    "code": form.respondent_code.data or None,
                }
                if form.respondent_name.data
                else None,
                right=_right(form),
                priority=bool(form.priority.data),
                applicant_id=applicant.id if applicant else (form.applicant_id.data or None),
            )
            if submission:
                nonce_case_record("case_new", submission, case_id=case.id)
        if isinstance(step.error, NonceSpent) and step.error.case_id:
            # The form was sent twice: the first opened the case, which is what the person
            # wanted to see. It is their unit's, so they may read it.
            earlier = db.session.get(Case, step.error.case_id)
            flash(
                _("此表单已经提交过，没有重复登记：案件为 %(number)s", number=earlier.number),
                "info",
            )
            return redirect(url_for("web.case_detail", case_id=earlier.id))
        if step.failed:
            form.form_errors.extend(f"{key}: {reason}" for key, reason in step.left.items())
            flash(step.message, "error")
            status = step.status
        else:
            flash(_("已登记 %(number)s", number=case.number), "success")
            return redirect(url_for("web.case_detail", case_id=case.id))
    elif form.is_submitted():
        flash(_("请更正下面标出的错误"), "error")
        status = 422
    return render_template("web/case_new.html", form=form), status
