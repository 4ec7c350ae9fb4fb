"""The case page: parties, state, clocks, audit timeline, notices, links, evidence, and one form per
trigger the user may fire now (built from the workflow's data).

Every form on the page posts to the case's own URL (``/cases/<id>``, with ``_do`` naming the
form): a refused post is re-rendered there with the errors beside the fields, so a reload or a
bookmark is the case page, never a 405 on an action URL. A successful post redirects (PRG).
"""

import io
from urllib.parse import quote

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

import workflows
from caseflow.applicants.selectors import applicant_of_case
from caseflow.cases.evidence import (
    EVIDENCE_MAX_BYTES,
    EVIDENCE_MAX_FILES,
    REQUEST_MAX_BYTES,
    Evidence,
    evidence_add,
    evidence_bytes,
    evidence_download_names,
    evidence_is_image,
    evidence_thumbnail,
)
from caseflow.cases.selectors import (
    case_clocks,
    case_events,
    case_get,
    case_get_by_number,
    case_get_readable,
    case_links,
    case_notices,
)
from caseflow.errors import DomainError, VersionConflict
from caseflow.extensions import db
from caseflow.notices.selectors import notices_needing_correction
from caseflow.storage import storage as file_store
from caseflow.web import bp
from caseflow.web import selectors as sel
from caseflow.web.access import safe_next
from caseflow.web.documents import documents_context
from caseflow.web.filters import action_label, domain_message
from caseflow.web.forms import (
    AssignForm,
    EvidenceForm,
    draft_prefill,
    row_id,
    step_warning,
    trigger_form_class,
    unit_choices_fill,
)
from caseflow.web.helpers import workflow_steps
from caseflow.web.transaction import committing


def upload_limits() -> dict:
    """The upload limits as the forms print them and the browser checks them (data attributes)."""
    return {
        "data-max-file": EVIDENCE_MAX_BYTES,
        "data-max-files": EVIDENCE_MAX_FILES,
        "data-max-request": REQUEST_MAX_BYTES,
    }


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


def blocked_until(case, transition, now=None, clocks=None) -> str | None:
    """Why ``transition`` cannot pass its guards yet, with the date from which it can
    (``2026年12月8日（周二）起可操作（答辩期限届满后）``), or None when time holds nothing back.

    The engine says what each guard waits for (``caseflow.engine.guard_wait``): a clock's due
    instant, which for a day-based clock is 00:00 of the day after its rolled-over last day; a
    step that settles a clock; or nothing any more, when the period to do it has run out. The
    guards on typed data (the number of handlers, a hearing date) are checked when fired.
    ``clocks``: every clock of the case, when the page has read them."""
    from caseflow.engine import transition_waits
    from caseflow.timeutil import utcnow
    from caseflow.web.filters import _english, action_label, deadline_text, from_text

    reasons = []
    for wait in transition_waits(case, transition, now or utcnow(), clocks):
        label = _clock_label(case.workflow, wait.clock) if wait.clock else ""
        if wait.kind == "until" and not wait.clock:  # a day the case's data fixed (a hearing)
            message = _guard_message(wait.guard, _english())
            reasons.append(
                _("%(date)s起可操作（%(message)s）", date=from_text(wait.from_at), message=message)
            )
        elif wait.kind == "until":
            reasons.append(
                _("%(date)s起可操作（%(clock)s届满后）", date=from_text(wait.from_at), clock=label)
            )
        elif wait.kind == "clock" and wait.clock_status == "paused":
            reasons.append(_("%(clock)s已暂停：恢复计时并届满后可操作", clock=label))
        elif wait.kind == "clock":
            reasons.append(_("%(clock)s届满后可操作", clock=label))
        elif wait.kind == "action":
            message = _guard_message(wait.guard, _english())
            if wait.actions:
                joiner = ", " if _english() else "、"
                actions = joiner.join(action_label(t.label) for t in wait.actions)
                message = _("%(message)s（%(actions)s后可操作）", message=message, actions=actions)
            reasons.append(message)
        elif wait.kind == "never":
            message = _guard_message(wait.guard, _english())
            if wait.ended_at is not None:
                message = _(
                    "%(message)s（%(clock)s已于%(date)s届满）",
                    message=message,
                    clock=label,
                    date=deadline_text(wait.ended_at, wait.period_unit),
                )
            reasons.append(message)
    if not reasons:
        return None
    text = "; ".join(reasons) if _english() else "；".join(reasons)
    return text[0].upper() + text[1:]


def field_hints(case, transition, now=None) -> dict:
    """``{field: text}``: the earliest value a guard accepts in a typed field if the step is done
    now (a hearing three working days after today's notice at the earliest)."""
    from caseflow.engine import guard_wait
    from caseflow.timeutil import utcnow
    from caseflow.web.filters import from_text

    hints = {}
    for guard in transition.guards:
        if guard.name != "min_notice":  # the clock guards block the step instead
            continue
        wait = guard_wait(case, guard, now or utcnow())
        if wait is not None and wait.field and wait.from_at is not None:
            hints[wait.field] = _("今日通知的，最早可定于%(date)s", date=from_text(wait.from_at))
    return hints


def _guard_message(guard, english: bool) -> str:
    if english:
        return guard.message_en or _("尚不能操作")
    return guard.message or _("尚不能操作")


def _clock_label(workflow: str, name: str) -> str:
    from caseflow.web.helpers import clock_label

    return clock_label(workflow, name)


def _trigger_form(case, transition, **kwargs):
    form = trigger_form_class(case.workflow, transition)(prefix=transition.trigger, **kwargs)
    link = transition.opens
    if link is not None and link.unit_field in form and case.unit.kind != "fair_desk":
        # Only a fair desk names a receiving centre (engine._open_linked): a centre keeps the
        # case it opens, so its form has no picker.
        del form[link.unit_field]
        form.data_fields = tuple(n for n in form.data_fields if n != link.unit_field)
    unit_choices_fill(form)
    if "confirmed" in form:
        form.confirmed.label.text = _("我已核对，确认%(step)s", step=action_label(transition.label))
    if kwargs.get("formdata", ...) is None:  # shown, not posted
        draft_prefill(form, case, transition)
    return form


def _render_case(
    case, *, forms=None, open_trigger=None, evidence_form=None, documents=None, status=200,
    read_only=False,
):
    clocks = case_clocks(case, active_first=True)
    transitions = [] if read_only else _available(case, current_user)
    forms = dict(forms or {})
    blocked = {}
    for transition in transitions:
        if transition.trigger not in forms:
            form = _trigger_form(case, transition, formdata=None)
            form.version.data = case.version
            forms[transition.trigger] = form
        reason = blocked_until(case, transition, clocks=clocks)
        if reason and transition.trigger != open_trigger:
            blocked[transition.trigger] = reason
        elif not reason:
            form = forms[transition.trigger]
            for name, hint in field_hints(case, transition).items():
                if name in form:
                    form[name].description = hint
    events = case_events(case)
    visited = {e.from_state for e in events if e.from_state} | {
        e.to_state for e in events if e.to_state
    }
    assign_form = None
    if not read_only and _may_assign(case) and not case.is_closed:
        assign_form = AssignForm(prefix="assign", formdata=None)
        assign_form.assignee_id.choices = [
            (u.id, u.display_name) for u in sel.unit_members(case.unit_id)
        ]
        assign_form.assignee_id.data = case.assignee_id
    evidence = [] if read_only else list(
        db.session.scalars(
            select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id)
        )
    )
    notices = case_notices(case)
    return (
        render_template(
            "web/case.html",
            case=case,
            workflow=workflows.get(case.workflow),
            steps=workflow_steps(case.workflow, case.state, visited),
            clocks=clocks,
            events=events,
            notices=notices,
            corrections=[] if read_only else notices_needing_correction(case, notices),
            links=_links_shown(case, read_only),
            party_roles=workflows.party_roles(case.workflow),
            # A pre-exam's filing (备案): the applicant's name and credit code.
            applicant=applicant_of_case(case),
            evidence=evidence,
            evidence_is_image=evidence_is_image,
            evidence_form=evidence_form or EvidenceForm(prefix="evidence", formdata=None),
            upload_limits=upload_limits(),
            transitions=transitions,
            blocked=blocked,
            forms=forms,
            warnings={t.trigger: step_warning(case.workflow, t) for t in transitions},
            open_trigger=open_trigger,
            assign_form=assign_form,
            # Drafts, compensation, mediation sessions, the confirmation bundle.
            documents=None if read_only else documents_context(case, current_user, forms=documents),
            read_only=read_only,
        ),
        status,
    )


def _links_shown(case, read_only: bool) -> list:
    """The case's links; on another unit's case followed read-only, only the link to the
    viewer's own case: its other links name cases the viewer has no part in."""
    links = case_links(case)
    if read_only:
        links = [link for link in links if link[2].unit_id == current_user.unit_id]
    return links


def _may_assign(case) -> bool:
    """Supervisors assign; at a fair desk the officers hand a complaint to one another too."""
    if current_user.role in ("supervisor", "admin"):
        return True
    return current_user.role == "desk_officer" and case.workflow == "fair_complaint"


@bp.route("/cases/<case_id>", methods=["GET", "POST"])
@login_required
def case_detail(case_id: str):
    if request.method == "GET":
        case, read_only = case_get_readable(case_id, user=current_user)
        return _render_case(case, read_only=read_only)
    case = case_get(case_id, user=current_user)
    action = request.form.get("_do", "")
    if action.startswith("fire:"):
        return _fire(case, action.removeprefix("fire:"), confirming=True)
    if action == "evidence":
        return _evidence_upload(case)
    abort(400)


@bp.route("/cases/number/<number>")
@login_required
def case_by_number(number: str):
    case = case_get_by_number(number, user=current_user)
    return redirect(url_for("web.case_detail", case_id=case.id))


@bp.route("/cases/<case_id>/fire/<trigger>", methods=["GET", "POST"])
@login_required
def case_fire_form(case_id: str, trigger: str):
    """The desk board's one-tap forms post here (with ``next``); a GET (a reload, a bookmark)
    goes to the case page instead of a 405."""
    case = case_get(case_id, user=current_user)
    if request.method == "GET":
        return redirect(url_for("web.case_detail", case_id=case.id) + f"#trigger-{trigger}")
    return _fire(case, trigger)


def _posted_version(raw) -> int | None:
    """The case version the form was rendered at (a hidden field), or None when it was not sent;
    anything else was not written by our page."""
    if not raw:
        return None
    version = row_id(raw)
    if version is None:
        raise VersionConflict(
            "页面已失效，请刷新后重试",
            message_en="the page is out of date; reload it and try again",
            fields={"version": "无效的版本号 / not a version"},
        )
    return version


def _fire(case, trigger: str, *, confirming: bool = False):
    """Fire ``trigger`` from a posted form. ``confirming``: the case page's form, where a step
    that cannot be taken back fires only with its box ticked (the desk board and the approvals
    list confirm in their own way)."""
    from caseflow.engine import case_fire

    transition = workflows.transition(workflows.get(case.workflow), trigger)
    if transition is None:
        abort(404)
    form = _trigger_form(case, transition)
    valid = form.validate_on_submit()
    if confirming and "confirmed" in form and not form.confirmed.data:
        form.confirmed.errors = [_("请勾选后再提交")]
        valid = False
    if not valid:
        flash(_("请更正下面标出的错误"), "error")
        return _render_case(case, forms={trigger: form}, open_trigger=trigger, status=422)
    stored = []

    def forget_files():  # the rows are gone with the rollback; so are their files
        for key in stored:
            file_store().delete(key)

    # The photo's evidence rows and the step commit together, or neither does.
    with committing(form, names=lambda key: key.removeprefix("data."), flash_error=False,
                    on_rollback=forget_files) as step:
        data = form.data_values()
        for name in form.file_fields:  # a photo taken there: filed as evidence first
            upload = form[name].data
            try:
                item = evidence_add(
                    case=case,
                    actor=current_user,
                    filename=upload.filename or "photo.jpg",
                    content=upload.read(),
                    description=_(transition.label),
                )
            except DomainError as exc:
                exc.fields = {name: domain_message(exc)}
                raise
            stored.append(item.path)
            data[name] = item.id
        version = _posted_version(form.version.data)
        case_fire(
            case,
            trigger,
            current_user,
            occurred_at=form.occurred_at.data,
            note=form.note.data or "",
            data=data,
            version=version,
        )
    if step.failed:
        case = case_get(case.id, user=current_user)
        if len(step.left) == len(step.error.fields or {}):  # no field took it: above the form
            form.form_errors.append(step.message)
        flash(step.message, "error")
        return _render_case(case, forms={trigger: form}, open_trigger=trigger, status=step.status)
    flash(_("%(number)s 已完成：%(step)s", number=case.number, step=action_label(transition.label)), "success")
    # Back to where the step was fired from (the desk board), else to the case.
    return redirect(safe_next(request.form.get("next"), url_for("web.case_detail", case_id=case.id)))


@bp.route("/cases/<case_id>/assign", methods=["POST"])
@login_required
def case_assign_form(case_id: str):
    from caseflow.accounts.models import User
    from caseflow.cases.services import case_assign

    case = case_get(case_id, user=current_user)
    if not _may_assign(case):
        abort(403)
    form = AssignForm(prefix="assign")
    form.assignee_id.choices = [(u.id, u.display_name) for u in sel.unit_members(case.unit_id)]
    if form.validate_on_submit():
        case_assign(case, assignee=db.session.get(User, form.assignee_id.data), actor=current_user)
        db.session.commit()  # a refusal: the error page, as before
        flash(_("已分配承办人"), "success")
    elif form.csrf_token.errors:
        flash(_("表单已过期，请重试"), "error")
    else:
        # Not one of the unit's members (another unit's, a forged id): said, never silent.
        flash(_("未分配：请从本单位人员中选择承办人"), "error")
    return redirect(url_for("web.case_detail", case_id=case.id))


@bp.route("/cases/<case_id>/evidence", methods=["POST"])
@login_required
def case_evidence_upload(case_id: str):
    return _evidence_upload(case_get(case_id, user=current_user))


def _evidence_upload(case):
    if current_user.role == "viewer":
        abort(403)
    form = EvidenceForm(prefix="evidence")
    if form.validate_on_submit():
        upload = form.file.data
        with committing(flash_error=False) as step:
            item = evidence_add(
                case=case,
                actor=current_user,
                filename=upload.filename or "",
                content=upload.read(),
                description=form.description.data or "",
            )
        if step.failed:
            form.file.errors = [*list(form.file.errors), step.message]
            # The page links the first upload of the same bytes.
            form.duplicate_of = (step.error.fields or {}).get("duplicate_of")
            return _render_case(case, evidence_form=form, status=step.status)
        flash(_("已上传 %(name)s，SHA-256 %(sha)s", name=item.filename, sha=item.sha256), "success")
        return redirect(url_for("web.case_detail", case_id=case.id) + "#evidence")
    return _render_case(case, evidence_form=form, status=422)


def _evidence_for_reading(evidence_id: int) -> Evidence:
    item = db.session.get(Evidence, evidence_id)
    if item is None:
        abort(404)
    # Only the case's own unit: the read-only view of a linked case of another unit lists no
    # evidence, and its files are not another unit's to download.
    case_get(item.case_id, user=current_user)
    return item


@bp.route("/evidence/<int:evidence_id>")
@login_required
def evidence_download(evidence_id: int):
    item = _evidence_for_reading(evidence_id)
    name, fallback = evidence_download_names(item)
    response = send_file(
        io.BytesIO(evidence_bytes(item)),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=fallback,
    )
    # The person's own file name (RFC 6266 filename*), and an ASCII name old clients can keep.
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


@bp.route("/evidence/<int:evidence_id>/thumbnail")
@login_required
def evidence_thumbnail_view(evidence_id: int):
    item = _evidence_for_reading(evidence_id)
    thumbnail = evidence_thumbnail(item)
    if thumbnail is None:
        if not evidence_is_image(item):
            abort(404)
        # An image too large to shrink cheaply, or damaged: the case page shows an icon.
        return current_app.send_static_file("image-icon.svg")
    response = send_file(io.BytesIO(thumbnail), mimetype="image/jpeg", max_age=86400)
    return response
