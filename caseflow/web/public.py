"""The public status page (no login): a party types the case number and the public code printed
on the acceptance notice and sees the stage and the public dates, nothing else."""

from flask import render_template
from flask_babel import gettext as _

from caseflow.cases.selectors import case_public_lookup
from caseflow.web import bp
from caseflow.web.forms import PublicLookupForm


@bp.route("/status", methods=["GET", "POST"])
def public_status():
    form = PublicLookupForm()
    result, status = None, 200
    if form.validate_on_submit():
        result = case_public_lookup(form.number.data, form.code.data)
        if result is None:
            # One message for a wrong number and a wrong code: the page must not confirm numbers.
            form.code.errors = [*list(form.code.errors), _("案件编号或查询码不正确")]
            status = 404
    elif form.is_submitted():
        status = 422
    return render_template("web/public_status.html", form=form, result=result), status
