"""The supervisor dashboard: what is overdue or due soon, by unit and caseworker; on-time rates,
median days to close, workload, the weekly trend; an XLSX export; extensions and suspensions
approved from the list."""

import io
from datetime import date, timedelta

from flask import abort, render_template, request, send_file
from flask_login import current_user

import workflows
from caseflow.cases.selectors import case_get
from caseflow.engine import available_triggers
from caseflow.timeutil import local_date, utcnow
from caseflow.web import bp
from caseflow.web import selectors as sel
from caseflow.web.access import role_required
from caseflow.web.export import dashboard_workbook
from caseflow.web.forms import PeriodForm, trigger_form_class

#: The supervisor's steps offered beside a late case (procedures.md: extend, suspend).
APPROVALS = ("extend", "suspend")


def _period() -> tuple[PeriodForm, date, date]:
    form = PeriodForm(request.args)
    form.validate()
    today = local_date(utcnow())
    date_to = form.date_to.data if form.date_to.data and not form.date_to.errors else today
    date_from = (
        form.date_from.data
        if form.date_from.data and not form.date_from.errors
        else date_to - timedelta(weeks=12)
    )
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    form.date_from.data, form.date_to.data = date_from, date_to
    return form, date_from, date_to


def _approvals(rows) -> dict:
    """For each listed case, the extend/suspend steps the supervisor may take from the list. The
    forms themselves load on demand (``dashboard_approval``), so fifty late cases stay light."""
    offered = {}
    for _clock, case in rows:
        if case.id not in offered:
            offered[case.id] = [
                t for t in available_triggers(case, current_user) if t.trigger in APPROVALS
            ]
    return offered


@bp.route("/dashboard")
@role_required("supervisor")
def dashboard():
    form, date_from, date_to = _period()
    board = sel.dashboard_build(current_user, date_from=date_from, date_to=date_to)
    return render_template(
        "web/dashboard.html",
        form=form,
        board=board,
        approvals=_approvals(board.overdue + board.due_soon),
        workflow_labels={name: module.LABEL for name, module in workflows.WORKFLOWS.items()},
        now=utcnow(),
    )


@bp.route("/dashboard.xlsx")
@role_required("supervisor")
def dashboard_export():
    _form, date_from, date_to = _period()
    board = sel.dashboard_build(current_user, date_from=date_from, date_to=date_to)
    content = dashboard_workbook(board)
    return send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"督办看板_{date_from.isoformat()}_{date_to.isoformat()}.xlsx",
    )


@bp.route("/dashboard/approve/<case_id>/<trigger>")
@role_required("supervisor")
def dashboard_approval(case_id: str, trigger: str):
    """The form of one approval (an htmx fragment put into the dashboard's row)."""
    case = case_get(case_id, user=current_user)
    transition = next(
        (t for t in available_triggers(case, current_user) if t.trigger == trigger), None
    )
    if transition is None or trigger not in APPROVALS:
        abort(404)
    form = trigger_form_class(case.workflow, transition)(prefix=trigger, formdata=None)
    form.version.data = case.version
    return render_template(
        "web/_approval_form.html", case=case, t=transition, f=form, next=request.args.get("next")
    )
