"""The credit register's pages (credit.md): the public list ``/credit`` (no login, zh-CN and
English, laid out for a phone), and for staff the register with filters, a record's page, a
subject's history and the supervisor's repair queue. A supervisor publishes and repairs from the
queue or the record's page, and records a revocation and withdraws a record from its page (a
reason, then a confirmation)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import workflows.credit as spec
from caseflow.credit import selectors
from caseflow.credit.services import CREDIT_ROLES
from caseflow.credit.subjects import subject_name_key
from caseflow.extensions import db
from caseflow.timeutil import local_date, utcnow
from caseflow.web import bp
from caseflow.web.access import require_unit, role_required, safe_next
from caseflow.web.forms import CreditEndForm
from caseflow.web.transaction import committing

STAFF = ("caseworker", "supervisor", "desk_officer", "viewer")


@bp.route("/credit")
def credit_public():
    """Published records still displayed: name, code, kind, document number, dates. Nothing
    pending, expired, repaired or withdrawn."""
    q = request.args.get("q", "")[:100]
    page = request.args.get("page", "1")
    page = min(int(page), 100_000) if page.isdigit() and int(page) > 0 else 1
    records, has_next = selectors.credit_public_list(local_date(utcnow()), q=q, page=page)
    # A display end counted on a provisional year is marked 暂定 (deadlines.md §1).
    provisional = selectors.credit_dates_provisional(records)
    return render_template(
        "web/credit_public.html",
        records=records,
        q=q,
        page=page,
        has_next=has_next,
        kinds=dict(spec.KINDS),
        provisional=provisional,
        any_provisional=any("display" in days for days in provisional.values()),
    )


def _visible(record) -> bool:
    """The whole record for its own unit (and admins) or once published; else only the fact."""
    return selectors.record_shown_in_full(record, current_user)


@bp.route("/credit/register")
@role_required(*STAFF)
def credit_register():
    args = request.args
    kind = args.get("kind", "") if args.get("kind", "") in dict(spec.KINDS) else ""
    status = args.get("status", "") if args.get("status", "") in dict(spec.STATUSES) else ""
    try:
        page = max(1, min(int(args.get("page", 1)), 100_000))
    except ValueError:
        page = 1
    result = selectors.credit_records_page(
        page=page,
        q=args.get("q", "")[:100],
        code=args.get("code", "")[:18],
        kind=kind,
        status=status,
        seen_by=current_user,
    )
    return render_template(
        "web/credit_register.html",
        result=result,
        filters={
            "q": args.get("q", ""),
            "code": args.get("code", ""),
            "kind": kind,
            "status": status,
        },
        kinds=spec.KINDS,
        statuses=spec.STATUSES,
        visible=_visible,
        can_act=current_user.role in CREDIT_ROLES,
    )


@bp.route("/credit/subject")
@role_required(*STAFF)
def credit_subject():
    code = request.args.get("code", "").strip().upper()[:18] or None
    name = request.args.get("name", "")[:200]
    history = selectors.credit_subject_history(code=code, key=subject_name_key(name))
    return render_template(
        "web/credit_subject.html",
        code=code,
        name=name,
        history=history,
        kinds=dict(spec.KINDS),
        statuses=dict(spec.STATUSES),
        visible=_visible,
    )


@bp.route("/credit/repairs")
@role_required("supervisor")
def credit_repairs():
    unit = current_user.unit
    today = local_date(utcnow())
    from sqlalchemy import func, select

    from caseflow.credit.models import CreditRecord

    pending, queue, totals = [], [], {"pending": 0, "queue": 0}
    if unit is not None:
        pending_query = selectors.credit_records_query(unit=unit.id, status="pending_publication")
        # The oldest decision first: its 20 working days to publish run out first.
        pending = db.session.scalars(
            pending_query.order_by(None)
            .order_by(CreditRecord.decided_on, CreditRecord.id)
            .limit(200)
        ).all()
        queue = selectors.credit_repair_queue(unit.id, today)
        # A list is shown a first part at a time (the oldest first); the page says how many
        # there are in all, so that none is taken for the whole.
        totals["pending"] = db.session.scalar(
            select(func.count()).select_from(pending_query.order_by(None).subquery())
        )
        totals["queue"] = db.session.scalar(
            select(func.count(CreditRecord.id)).where(
                CreditRecord.unit_id == unit.id, CreditRecord.status == "published"
            )
        )
    return render_template(
        "web/credit_repairs.html",
        pending=pending,
        queue=queue,
        totals=totals,
        today=today,
        kinds=dict(spec.KINDS),
    )


@bp.app_template_global()
def credit_waiting() -> dict:
    """The supervisor's credit steps waiting (the dashboard's line): records of the unit to
    publish, and records whose repair may be approved now."""
    from sqlalchemy import func, select

    unit = current_user.unit if current_user.is_authenticated else None
    if unit is None:
        return {"pending": 0, "repairable": 0}

    def count(query):
        return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))

    return {
        "pending": count(
            selectors.credit_records_query(unit=unit.id, status="pending_publication")
        ),
        "repairable": count(
            selectors.credit_records_query(unit=unit.id, repairable_on=local_date(utcnow()))
        ),
    }


def _act(record_id, action):
    from caseflow.credit import services

    record = selectors.credit_record_get(record_id)
    with committing() as step:
        if action == "publish":
            services.credit_record_publish(record, actor=current_user)
        else:
            services.credit_record_repair(
                record, actor=current_user, reason=request.form.get("reason", "")
            )
    if not step.failed:
        flash(_("已公示") if action == "publish" else _("已信用修复"), "success")
    return redirect(safe_next(request.form.get("next"), url_for("web.credit_repairs")))


@bp.route("/credit/<int:record_id>/publish", methods=["POST"])
@role_required("supervisor")
def credit_publish(record_id):
    return _act(record_id, "publish")


@bp.route("/credit/<int:record_id>/repair", methods=["POST"])
@role_required("supervisor")
def credit_repair(record_id):
    return _act(record_id, "repair")


# --- one record: its page, revocation and withdrawal --------------------------------------------

#: The steps that end a record's time on the register, taken from its page (credit.md): the
#: source decision was revoked (the 3-workday ``withdrawal`` clock starts), and then the record is
#: withdrawn (off the public list, its clocks stopped). Each: button, question, done message.
END_STEPS = {
    "revoke": (
        _l("登记决定已撤销"),
        _l("确认登记该记录所依据的决定已被撤销？登记后须在三个工作日内撤下该记录。"),
        _l("已登记决定撤销，请在三个工作日内撤下该记录"),
    ),
    "withdraw": (
        _l("撤下记录"),
        _l("确认撤下该信用记录？撤下后不再公示，也不能恢复。"),
        _l("已撤下该信用记录"),
    ),
}
#: Statuses from which a record can still be revoked or withdrawn (the services' rule).
OPEN_STATUSES = ("pending_publication", "published")


def _can_act(record) -> bool:
    """Whether the user may publish, repair, revoke and withdraw this record: the services'
    rule (``CREDIT_ROLES`` of the record's unit), asked before offering a button."""
    return current_user.role in CREDIT_ROLES and current_user.can_see_unit(record.unit_id)


def _end_steps_offered(record) -> list[str]:
    """Revocation first; withdrawal only once it is recorded (the services refuse it before)."""
    if record.status not in OPEN_STATUSES:
        return []
    return ["withdraw"] if record.revoked_at else ["revoke"]


def _record_page(record, *, forms=None, confirm=None, status=200):
    own = current_user.can_see_unit(record.unit_id)
    can_act = _can_act(record)
    end_forms = {step: CreditEndForm(prefix=step, formdata=None) for step in END_STEPS}
    end_forms.update(forms or {})
    today = local_date(utcnow())
    return render_template(
        "web/credit_record.html",
        record=record,
        full=_visible(record),
        own=own,
        clocks=selectors.credit_record_clocks(record) if own else [],
        events=selectors.credit_record_events(record) if own else [],
        can_act=can_act,
        can_publish=can_act and record.status == "pending_publication" and not record.revoked_at,
        can_repair=can_act
        and record.status == "published"
        and record.repair_eligible_on is not None
        and record.repair_eligible_on <= today,
        end_steps=_end_steps_offered(record) if can_act else [],
        end_forms=end_forms,
        end_labels=END_STEPS,
        provisional=selectors.credit_dates_provisional([record])[record.id],
        confirm=confirm,
        kinds=dict(spec.KINDS),
        statuses=dict(spec.STATUSES),
    ), status


@bp.route("/credit/<int:record_id>")
@role_required(*STAFF)
def credit_record(record_id):
    """One record: of the user's unit in full with its clocks, audit trail and the supervisor's
    steps; of another unit only the fact (unless published)."""
    return _record_page(selectors.credit_record_get(record_id))


@bp.route("/credit/<int:record_id>/<any(revoke, withdraw):step>", methods=["POST"])
@role_required("supervisor")
def credit_end(record_id, step):
    """Revoke or withdraw: the form with its reason, then the same form confirmed. Nothing is
    written before the confirmation; a refusal comes back beside the field or as a message."""
    from caseflow.credit import services

    record = selectors.credit_record_get(record_id)
    require_unit(record.unit_id)  # another unit's record answers as a missing one
    form = CreditEndForm(prefix=step)
    if not form.validate_on_submit():
        return _record_page(record, forms={step: form}, status=422)
    if form.confirmed.data != "yes":
        form.confirmed.data = "yes"
        return _record_page(record, forms={step: form}, confirm=step)
    write = services.credit_record_revoke if step == "revoke" else services.credit_record_withdraw
    with committing(form, flash_error=False) as outcome:
        write(record, actor=current_user, reason=form.reason.data)
    if outcome.failed:
        if form.reason.errors:
            return _record_page(record, forms={step: form}, status=outcome.status)
        flash(outcome.message, "error")
    else:
        flash(str(END_STEPS[step][2]), "success")
    return redirect(url_for("web.credit_record", record_id=record.id))


@bp.app_template_global()
def credit_kind_label(kind: str) -> str:
    """A record kind's Chinese name (translate it with ``_()`` in the template)."""
    return selectors.kind_label(kind)


@bp.app_template_global()
def credit_status_label(status: str) -> str:
    return selectors.status_label(status)
