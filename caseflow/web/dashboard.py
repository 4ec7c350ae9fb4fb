"""The supervisor dashboard: what is overdue or due soon, by unit and caseworker; on-time rates,
median days to close, workload, the weekly trend; an XLSX export; extensions and suspensions
approved from the list."""

import io
from datetime import date, timedelta

from flask import abort, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import workflows
from caseflow.cases.selectors import case_get
from caseflow.engine import available_triggers
from caseflow.errors import ValidationFailed
from caseflow.supervision.report import annual_report, report_unit, report_year
from caseflow.supervision.selectors import approvals_queue, waiting_text
from caseflow.supervision.squeeze import squeezed_open_clocks
from caseflow.timeutil import local_date, utcnow
from caseflow.web import bp
from caseflow.web import selectors as sel
from caseflow.web.access import role_required
from caseflow.web.export import annual_report_workbook, dashboard_workbook
from caseflow.web.forms import PeriodForm, trigger_form_class

#: The supervisor's steps offered beside a late case (procedures.md: extend, suspend).
APPROVALS = ("extend", "suspend")
#: The 待审批 list on the dashboard shows the longest waiting; its heading gives the total.
QUEUE_LIMIT = 10


def _period() -> tuple[PeriodForm, date, date]:
    """The period asked for, or the last twelve weeks. A bad or reversed range is refused beside
    its fields (the figures then show the default period); it is never silently swapped."""
    form = PeriodForm(request.args)
    valid = form.validate()
    today = local_date(utcnow())
    date_to = (form.date_to.data if valid else None) or today
    date_from = (form.date_from.data if valid else None) or date_to - timedelta(weeks=12)
    if valid and date_from > date_to:  # only a start was given, and it is after today
        form.date_from.errors = [*form.date_from.errors, _("起日不能晚于止日")]
        valid = False
    if not valid:
        date_to, date_from = today, today - timedelta(weeks=12)
    else:
        form.date_from.data, form.date_to.data = date_from, date_to
    return form, date_from, date_to


#: One line under each figure: how it is counted (the same definitions as GET /api/v1/stats).
EXPLAIN = {
    "overdue": _l("仍在计时、已过到期日的时限（每个时限计一次）"),
    "due_soon": _l("已用去计时时间的 75%（不含暂停）或已到最后一日、尚未超期的时限"),
    "on_time": _l("期内结束的时限按期完成的比例；仍在计时而已过到期日的计为超期"),
    "open": _l("尚未结案的案件"),
    "approvals": _l(
        "有仅限部门负责人操作的步骤（裁决、延长、中止、恢复、审批等）待办的案件，"
        "以及本单位待公示、待撤下的信用记录"
    ),
    "median": _l("期内结案案件从收到到结案的日历天数中位数"),
    "workload": _l("各承办人在办案件数，及其中下一时限已超期的件数"),
    "squeeze": _l("最近到期的 60 个按日历日或月计算的时限中，期限内工作日明显少于通常（如跨国庆长假）的"),
}


def _approvals(rows, now) -> dict:
    """For each listed case, the extend/suspend steps the supervisor may take from the list. The
    forms themselves load on demand (``dashboard_approval``), so fifty late cases stay light.
    An extension of a clock listed as already run out is not offered: it is granted only while
    the period runs (deadlines.md §3), and would be refused."""
    run_out: dict = {}
    for clock, case in rows:
        if clock.status == "running" and clock.due_at < now:
            run_out.setdefault(case.id, set()).add(clock.name)
    offered = {}
    for _clock, case in rows:
        if case.id not in offered:
            offered[case.id] = [
                t
                for t in available_triggers(case, current_user)
                if t.trigger in APPROVALS
                and not any(
                    e.action == "extend" and e.clock in run_out.get(case.id, ())
                    for e in t.clocks
                )
            ]
    return offered


@bp.route("/dashboard")
@role_required("supervisor")
def dashboard():
    form, date_from, date_to = _period()
    now = utcnow()
    board = sel.dashboard_build(current_user, date_from=date_from, date_to=date_to, now=now)
    return render_template(
        "web/dashboard.html",
        form=form,
        board=board,
        approvals=_approvals(board.overdue + board.due_soon, now),
        queue=approvals_queue(current_user, now=now, limit=QUEUE_LIMIT),
        squeezed=squeezed_open_clocks(current_user, now=now, limit=QUEUE_LIMIT),
        waiting_text=waiting_text,
        explain=EXPLAIN,
        workflow_labels={name: module.LABEL for name, module in workflows.WORKFLOWS.items()},
        now=now,
    ), (422 if form.errors else 200)


@bp.route("/dashboard.xlsx")
@role_required("supervisor")
def dashboard_export():
    form, date_from, date_to = _period()
    if form.errors:  # a bad range is refused, not exported for another period
        return dashboard()
    now = utcnow()
    # The page shows the soonest; the workbook is the whole list (a supervisor works from it).
    board = sel.dashboard_build(
        current_user, date_from=date_from, date_to=date_to, now=now, list_limit=sel.EXPORT_LIMIT
    )
    return _xlsx(
        dashboard_workbook(board, now=now),
        f"督办看板_{date_from.isoformat()}_{date_to.isoformat()}.xlsx",
    )


def _xlsx(content: bytes, name: str):
    return send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=name,
    )


@bp.route("/stats/report.xlsx")
@role_required("supervisor", "admin")
def stats_report_xlsx():
    """The annual statistics (年度统计报表) of the user's unit, for ``year``."""
    try:
        year = report_year(request.args.get("year", local_date(utcnow()).year))
        unit = report_unit(current_user, request.args.get("unit"))
    except ValidationFailed as exc:
        abort(400, description=exc.message)
    report = annual_report(current_user, year=year, unit=unit)
    code = unit.code if unit is not None else "ALL"
    return _xlsx(annual_report_workbook(report), f"年度统计_{code}_{year}.xlsx")


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
