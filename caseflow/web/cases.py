"""The case page: parties, state, clocks, audit timeline, notices, links, evidence, and one form per
trigger the user may fire now (built from the workflow's data)."""

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

import workflows
from caseflow.cases.evidence import Evidence, evidence_add, evidence_bytes
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.web import bp
from caseflow.web import selectors as sel
from caseflow.web.forms import AssignForm, EvidenceForm, trigger_form_class
from caseflow.web.helpers import workflow_steps


def _available(case, user) -> list:
    """The Transition rows ``user`` may fire on ``case`` now (the engine decides)."""
    from caseflow.engine import available_triggers

    module = workflows.get(case.workflow)
    out = []
    for item in available_triggers(case, user):
        name = item if isinstance(item, str) else getattr(item, "trigger", None)
        transition = workflows.transition(module, name)
        if transition is not None:
            out.append(transition)
    return out


def _safe_next(target: str | None) -> str | None:
    """A same-site path to go back to (the desk board), or None."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


def _notices(case) -> list:
    try:
        from caseflow.notices.models import Notice
    except ImportError:
        return []
    return list(db.session.scalars(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id)))


def _render_case(case, *, forms=None, open_trigger=None, evidence_form=None, status=200):
    transitions = _available(case, current_user)
    forms = dict(forms or {})
    for transition in transitions:
        if transition.trigger not in forms:
            form = trigger_form_class(case.workflow, transition)(
                prefix=transition.trigger, formdata=None
            )
            form.version.data = case.version
            forms[transition.trigger] = form
    events = sel.case_events(case)
    visited = {e.from_state for e in events if e.from_state} | {
        e.to_state for e in events if e.to_state
    }
    assign_form = None
    if current_user.role in ("supervisor", "admin") and not case.is_closed:
        assign_form = AssignForm(prefix="assign")
        assign_form.assignee_id.choices = [
            (u.id, u.display_name) for u in sel.unit_members(case.unit_id)
        ]
        assign_form.assignee_id.data = case.assignee_id
    evidence = list(
        db.session.scalars(select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id))
    )
    return (
        render_template(
            "web/case.html",
            case=case,
            workflow=workflows.get(case.workflow),
            steps=workflow_steps(case.workflow, case.state, visited),
            clocks=sel.case_clocks(case),
            events=events,
            notices=_notices(case),
            links=sel.case_links(case),
            evidence=evidence,
            evidence_form=evidence_form or EvidenceForm(prefix="evidence", formdata=None),
            transitions=transitions,
            forms=forms,
            open_trigger=open_trigger,
            assign_form=assign_form,
        ),
        status,
    )


@bp.route("/cases/<case_id>")
@login_required
def case_detail(case_id: str):
    return _render_case(sel.case_for_user(case_id, current_user))


@bp.route("/cases/number/<number>")
@login_required
def case_by_number(number: str):
    case = sel.case_by_number_for_user(number, current_user)
    return redirect(url_for("web.case_detail", case_id=case.id))


@bp.route("/cases/<case_id>/fire/<trigger>", methods=["POST"])
@login_required
def case_fire_form(case_id: str, trigger: str):
    from caseflow.engine import case_fire

    case = sel.case_for_user(case_id, current_user)
    transition = workflows.transition(workflows.get(case.workflow), trigger)
    if transition is None:
        abort(404)
    form = trigger_form_class(case.workflow, transition)(prefix=trigger)
    if not form.validate_on_submit():
        flash(_("请更正下面标出的错误"), "error")
        return _render_case(case, forms={trigger: form}, open_trigger=trigger, status=422)
    try:
        version = int(form.version.data) if form.version.data else None
        case_fire(
            case,
            trigger,
            current_user,
            occurred_at=form.occurred_at.data,
            note=form.note.data or "",
            data=form.data_values(),
            version=version,
        )
    except DomainError as exc:
        db.session.rollback()
        case = sel.case_for_user(case_id, current_user)
        if exc.fields and form.errors_apply(exc.fields):
            flash(exc.message, "error")
        else:
            form.form_errors.append(exc.message)
            flash(exc.message, "error")
        return _render_case(case, forms={trigger: form}, open_trigger=trigger, status=exc.status)
    flash(_("%(number)s 已完成：%(step)s", number=case.number, step=_(transition.label)), "success")
    return redirect(_safe_next(request.form.get("next")) or url_for("web.case_detail", case_id=case.id))


@bp.route("/cases/<case_id>/assign", methods=["POST"])
@login_required
def case_assign_form(case_id: str):
    from caseflow.accounts.models import User
    from caseflow.cases.services import case_assign

    case = sel.case_for_user(case_id, current_user)
    form = AssignForm(prefix="assign")
    form.assignee_id.choices = [(u.id, u.display_name) for u in sel.unit_members(case.unit_id)]
    if form.validate_on_submit():
        case_assign(case, assignee=db.session.get(User, form.assignee_id.data), actor=current_user)
        flash(_("已分配承办人"), "success")
    return redirect(url_for("web.case_detail", case_id=case.id))


@bp.route("/cases/<case_id>/evidence", methods=["POST"])
@login_required
def case_evidence_upload(case_id: str):
    case = sel.case_for_user(case_id, current_user)
    if current_user.role == "viewer":
        abort(403)
    form = EvidenceForm(prefix="evidence")
    if form.validate_on_submit():
        upload = form.file.data
        try:
            item = evidence_add(
                case=case,
                actor=current_user,
                filename=upload.filename or "",
                content=upload.read(),
                description=form.description.data or "",
            )
        except DomainError as exc:
            db.session.rollback()
            form.file.errors = [*list(form.file.errors), exc.fields.get("file", exc.message)]
            return _render_case(case, evidence_form=form, status=exc.status)
        flash(_("已上传 %(name)s，SHA-256 %(sha)s", name=item.filename, sha=item.sha256), "success")
        return redirect(url_for("web.case_detail", case_id=case.id) + "#evidence")
    return _render_case(case, evidence_form=form, status=422)


@bp.route("/evidence/<int:evidence_id>")
@login_required
def evidence_download(evidence_id: int):
    item = db.session.get(Evidence, evidence_id)
    if item is None:
        abort(404)
    sel.case_for_user(item.case_id, current_user)
    return send_file(
        io.BytesIO(evidence_bytes(item)),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.filename,
    )

