"""Registering a new case at the window: a complaint (intake), an adjudication request or a
mediation request. Pre-exam requests need an approved filing and come through the API; fair
complaints through the desk."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.web import bp
from caseflow.web.access import role_required
from caseflow.web.forms import CaseOpenForm
from caseflow.web.helpers import channel_label, workflow_label

#: The procedures a caseworker opens from this page.
OPENED_HERE = ("intake", "adjudication", "mediation")


def _form() -> CaseOpenForm:
    from workflows.intake import CHANNELS

    form = CaseOpenForm()
    form.workflow.choices = [(name, workflow_label(name)) for name in OPENED_HERE]
    form.channel.choices = [
        (code, channel_label(code)) for code, _label in CHANNELS if code != "fair_desk"
    ]
    return form


@bp.route("/cases/new", methods=["GET", "POST"])
@role_required("caseworker", "supervisor")
def case_new():
    from caseflow.cases.services import case_open

    form = _form()
    status = 200
    if form.validate_on_submit():
        try:
            case = case_open(
                workflow=form.workflow.data,
                unit=current_user.unit,
                actor=current_user,
                title=form.title.data,
                channel=form.channel.data,
                received_at=form.received_at.data,
                complainant={
                    "name": form.complainant_name.data,
                    "kind": form.complainant_kind.data,
                    "country": form.complainant_country.data or None,
                    "contact": form.complainant_contact.data,
                },
                respondent={
                    "name": form.respondent_name.data or None,
                    "contact": form.respondent_contact.data or None,
                }
                if form.respondent_name.data
                else None,
                right={
                    "kind": form.right_kind.data,
                    "number": form.right_number.data or None,
                    "patent_type": form.patent_type.data or None,
                    "classification": form.classification.data or None,
                },
                priority=bool(form.priority.data),
            )
        except DomainError as exc:
            db.session.rollback()
            for key, reason in exc.fields.items():
                name = key.replace(".", "_")
                target = getattr(form, name, None)
                if target is not None and hasattr(target, "errors"):
                    target.errors = [*list(target.errors), reason]
                else:
                    form.form_errors.append(f"{key}: {reason}")
            flash(exc.message, "error")
            status = exc.status
        else:
            flash(_("已登记 %(number)s", number=case.number), "success")
            return redirect(url_for("web.case_detail", case_id=case.id))
    elif form.is_submitted():
        flash(_("请更正下面标出的错误"), "error")
        status = 422
    return render_template("web/case_new.html", form=form), status
