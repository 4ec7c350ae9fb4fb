"""The caseworker's inbox: my cases and my unit's unassigned ones, soonest due first."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from caseflow.web import bp
from caseflow.web import selectors as sel
from caseflow.web.access import safe_next
from caseflow.web.forms import InboxFilterForm
from caseflow.web.helpers import state_choices, unit_workflows, workflow_choices

TABS = (
    ("inbox", "我的待办"),
    ("mine", "我承办的"),
    ("unassigned", "本单位未分配"),
    ("all", "本单位全部"),
)


@bp.route("/inbox")
@login_required
def inbox():
    form = InboxFilterForm(request.args)
    runs = unit_workflows(current_user.unit)
    form.workflow.choices = [("", _("全部流程")), *(c for c in workflow_choices() if c[0] in runs)]
    form.state.choices = [("", _("全部状态")), *state_choices(request.args.get("workflow"), within=runs)]
    form.validate()
    tab = request.args.get("tab", "inbox")
    if tab not in dict(TABS):
        tab = "inbox"
    filters = sel.InboxFilters(
        tab=tab,
        workflow=form.workflow.data or None,
        state=(form.state.data or "").strip() or None,
        overdue=bool(form.overdue.data),
        due_before=form.due_before.data if not form.due_before.errors else None,
        q=(form.q.data or "").strip() or None,
        page=request.args.get("page", 1, type=int),
    )
    page = sel.inbox_page(current_user, filters)
    counts = sel.inbox_counts(current_user)
    return render_template(
        "web/inbox.html", form=form, page=page, tab=tab, tabs=TABS, counts=counts, filters=filters
    )


@bp.route("/cases/<case_id>/claim", methods=["POST"])
@login_required
def case_claim_form(case_id: str):
    from caseflow.cases.selectors import case_get
    from caseflow.cases.services import case_claim
    from caseflow.web.forms import ClaimForm

    case = case_get(case_id, user=current_user)
    if ClaimForm().validate_on_submit():
        case_claim(case=case, actor=current_user)
        flash(_("已认领案件 %(number)s", number=case.number), "success")
    return redirect(safe_next(request.form.get("next"), url_for("web.inbox")))


# The "new case" page is reached from the inbox; importing it registers its route on ``bp``.
from caseflow.web import intake as _intake  # noqa: E402, F401
