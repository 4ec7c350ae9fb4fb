"""The case page's document panels: drafting a decision or agreement with its preview, the
compensation worksheet, the mediation session log, and the confirmation bundle for the court.
The services decide; these views put their errors beside the fields, in Chinese."""

from flask import Response, abort, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from caseflow.cases.bundle import (
    bundle_check,
    bundle_filename,
    bundle_stream,
    verify_base_url,
)
from caseflow.cases.compensation import compensation_save
from caseflow.cases.drafts import (
    draft_preview_notice,
    draft_save,
)
from caseflow.cases.selectors import case_get
from caseflow.cases.sessions import session_record
from caseflow.errors import DomainError
from caseflow.web import bp
from caseflow.web.forms import CompensationForm, SessionForm, draft_form_class
from caseflow.web.transaction import committing


def _back(case, anchor):
    return redirect(url_for("web.case_detail", case_id=case.id) + anchor)


def _rerender(case, key, form, step):
    """The case page again with the refused form (``committing`` rolled back, flashed and put
    the field errors beside the inputs)."""
    from caseflow.web.cases import _render_case

    case = case_get(case.id, user=current_user)
    if step.left:
        form.form_errors.append(step.message)
    return _render_case(case, documents={key: form}, status=step.status)


@bp.route("/cases/<case_id>/drafts/<kind>", methods=["POST"])
@login_required
def case_draft_save(case_id: str, kind: str):
    from caseflow.web.cases import _render_case

    case = case_get(case_id, user=current_user)
    key = f"draft-{kind}"
    try:
        form = draft_form_class(case.workflow, kind)(prefix=key)
    except Exception:  # noqa: BLE001 -- an unknown kind has no form
        abort(404)
    if not form.data_fields:
        abort(404)
    if not form.validate_on_submit():
        flash(_("请更正下面标出的错误"), "error")
        return _render_case(case, documents={key: form}, status=422)
    with committing(form) as step:
        draft_save(case, kind, form.values(), actor=current_user)
    if step.failed:
        return _rerender(case, key, form, step)
    flash(_("草稿已保存，可预览；签发前仍可修改"), "success")
    return _back(case, f"#draft-{kind}")


@bp.route("/cases/<case_id>/drafts/<kind>/preview")
@login_required
def case_draft_preview(case_id: str, kind: str):
    """The saved draft in the notice's own layout: PDF, or HTML with ``format=html``."""
    from caseflow.notices.render import html_to_pdf, notice_html

    case = case_get(case_id, user=current_user)
    try:
        html = notice_html(draft_preview_notice(case, kind))
    except DomainError:
        abort(404)
    if request.args.get("format") == "html":
        return Response(html, mimetype="text/html")
    return Response(
        html_to_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{case.number}-{kind}-draft.pdf"'},
    )


@bp.route("/cases/<case_id>/compensation", methods=["POST"])
@login_required
def case_compensation_save(case_id: str):
    case = case_get(case_id, user=current_user)
    form = CompensationForm(prefix="compensation")
    if not form.validate_on_submit():
        from caseflow.web.cases import _render_case

        flash(_("请更正下面标出的错误"), "error")
        return _render_case(case, documents={"compensation": form}, status=422)
    with committing(form) as step:
        sheet = compensation_save(case, form.values(), actor=current_user)
    if step.failed:
        return _rerender(case, "compensation", form, step)
    flash(
        _(
            "赔偿数额参考已保存：%(amount)s",
            amount=f"{sheet['amount_capital']}（{sheet['amount_text']} 元）",
        ),
        "success",
    )
    return _back(case, "#compensation")


@bp.route("/cases/<case_id>/mediation-sessions", methods=["POST"])
@login_required
def case_session_record(case_id: str):
    case = case_get(case_id, user=current_user)
    form = SessionForm(prefix="session")
    if not form.validate_on_submit():
        from caseflow.web.cases import _render_case

        flash(_("请更正下面标出的错误"), "error")
        return _render_case(case, documents={"session": form}, status=422)
    with committing(form) as step:
        session_record(
            case,
            held_on=form.held_on.data.isoformat(),
            attendees=form.attendees.data,
            outcome=form.outcome.data,
            actor=current_user,
        )
    if step.failed:
        return _rerender(case, "session", form, step)
    flash(_("调解记录已保存"), "success")
    return _back(case, "#sessions")


@bp.route("/cases/<case_id>/confirmation-bundle")
@login_required
def case_confirmation_bundle(case_id: str):
    case = case_get(case_id, user=current_user)
    try:
        bundle_check(case)
    except DomainError:
        abort(404)
    return Response(
        stream_with_context(bundle_stream(case, verify_base=verify_base_url())),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{bundle_filename(case)}"'},
    )
