"""The caseworker's inbox: my cases and my unit's unassigned ones, soonest due first."""

from dataclasses import dataclass
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Row

from caseflow.accounts.models import User
from caseflow.extensions import db
from caseflow.supervision.services import (
    cases_reassign,
    filter_query,
    saved_filter_delete,
    saved_filter_save,
    saved_filters_of,
)
from caseflow.timeutil import deadline_chinese, deadline_english, utcnow
from caseflow.web import bp
from caseflow.web import filters as f
from caseflow.web import selectors as sel
from caseflow.web.access import role_required, safe_next
from caseflow.web.forms import ClaimForm as CsrfOnlyForm
from caseflow.web.forms import InboxFilterForm, row_id
from caseflow.web.helpers import (
    clock_label_cached,
    countdown_counter,
    state_choices,
    state_label,
    unit_workflows,
    workflow_choices,
    workflow_label,
)
from caseflow.web.transaction import committing

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
    now = utcnow()
    page = sel.inbox_page(current_user, filters, now=now)
    counts = sel.inbox_counts(current_user)
    can_reassign = current_user.role in ("supervisor", "admin")
    return render_template(
        "web/inbox.html",
        form=form,
        page=page,
        rows=rows_shown(page.rows, now),
        tab=tab,
        tabs=TABS,
        counts=counts,
        filters=filters,
        saved_filters=saved_filters_of(current_user),
        current_query=filter_query(request.args),
        members=sel.unit_members(current_user.unit_id) if can_reassign else [],
        can_reassign=can_reassign,
    )


@dataclass(frozen=True, slots=True)
class ShownRow:
    """One inbox row with its texts already written. A page of 50 rows asked the template for a
    dozen calls each (labels, links, the due text, the countdown), most of the page's time."""

    case: Row  # the columns of ``caseflow.web.selectors._CASE_COLUMNS`` and ``assignee_name``
    badge: str
    badge_text: str
    provisional: bool
    href: str
    claim_href: str
    workflow: str
    state: str
    clock: str  # 立案审查期限 · 2026年11月25日（周三）, or "" when no clock runs
    countdown: str


def rows_shown(rows: list[sel.InboxRow], now: datetime) -> list[ShownRow]:
    """The page's rows as the inbox prints them, in the request's language."""
    # One URL built per page with each row's case id put in (url_for per row cost most of a row).
    case_href = url_for("web.case_detail", case_id="CASE-ID")
    claim_href = url_for("web.case_claim_form", case_id="CASE-ID")
    due_text = deadline_english if f._english() else deadline_chinese
    labels: dict[tuple, str] = {}  # a page repeats a few workflows, states, clocks and badges

    def label(write, *key) -> str:
        found = labels.get((write, *key))
        if found is None:
            found = labels[(write, *key)] = write(*key)
        return found

    shown = []
    for row in rows:
        case, clock = row.case, row.clock
        shown.append(
            ShownRow(
                case=case,
                badge=row.badge,
                badge_text=label(_badge_text, row.badge),
                provisional=row.provisional,
                href=case_href.replace("CASE-ID", case.id, 1),
                claim_href=claim_href.replace("CASE-ID", case.id, 1),
                workflow=label(workflow_label, case.workflow),
                state=label(state_label, case.workflow, case.state),
                clock=(
                    f"{label(clock_label_cached, case.workflow, clock.name)} · "
                    f"{due_text(clock.due_at, clock.period_unit)}"
                    if clock
                    else ""
                ),
                countdown=(
                    f.countdown(
                        clock, now, workdays_between=countdown_counter(clock.period_unit, case.unit_id)
                    )
                    if clock
                    else ""
                ),
            )
        )
    return shown


def _badge_text(badge: str) -> str:
    return _(f.BADGE_LABELS.get(badge, badge))


@bp.route("/inbox/reassign", methods=["POST"])
@role_required("supervisor")
def inbox_reassign():
    """Bulk reassignment of the cases ticked in the inbox (all or none)."""
    back = _safe_back(request.form.get("next"))
    if not CsrfOnlyForm().validate_on_submit():
        flash(_("表单已过期，请重试"), "error")
        return redirect(back)
    raw = request.form.get("assignee_id", "")
    assignee = None
    if raw:
        assignee = db.session.get(User, user_id) if (user_id := row_id(raw)) else None
        if assignee is None:
            flash(_("承办人不存在"), "error")
            return redirect(back)
    with committing() as step:
        cases = cases_reassign(
            case_ids=request.form.getlist("case_ids"), assignee=assignee, actor=current_user
        )
    if not step.failed:
        who = assignee.display_name if assignee else _("未分配")
        flash(_("已将 %(n)s 件案件分配给 %(who)s", n=len(cases), who=who), "success")
    return redirect(back)


@bp.route("/inbox/filters", methods=["POST"])
@login_required
def inbox_filter_save():
    back = _safe_back(request.form.get("next"))
    if not CsrfOnlyForm().validate_on_submit():
        flash(_("表单已过期，请重试"), "error")
        return redirect(back)
    with committing() as step:
        saved = saved_filter_save(
            user=current_user, name=request.form.get("name", ""), query=request.form.get("query", "")
        )
    if step.failed:
        return redirect(back)
    flash(_("已保存筛选「%(name)s」", name=saved.name), "success")
    return redirect(url_for("web.inbox") + "?" + saved.query if saved.query else url_for("web.inbox"))


@bp.route("/inbox/filters/<int:filter_id>/delete", methods=["POST"])
@login_required
def inbox_filter_delete(filter_id: int):
    if CsrfOnlyForm().validate_on_submit():
        with committing():
            saved_filter_delete(user=current_user, filter_id=filter_id)
    return redirect(url_for("web.inbox"))


def _safe_back(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.inbox")


@bp.route("/cases/<case_id>/claim", methods=["POST"])
@login_required
def case_claim_form(case_id: str):
    from caseflow.cases.selectors import case_get
    from caseflow.cases.services import case_claim
    from caseflow.web.forms import ClaimForm

    case = case_get(case_id, user=current_user)
    if ClaimForm().validate_on_submit():
        case_claim(case=case, actor=current_user)  # a conflict: the 409 page
        db.session.commit()
        flash(_("已认领案件 %(number)s", number=case.number), "success")
    return redirect(safe_next(request.form.get("next"), url_for("web.inbox")))


# The "new case" page is reached from the inbox; importing it registers its route on ``bp``.
from caseflow.web import intake as _intake  # noqa: E402, F401
