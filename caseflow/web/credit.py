"""The credit register's pages (credit.md): the public list ``/credit`` (no login, zh-CN and
English, laid out for a phone), and for staff the register with filters, a subject's history and
the supervisor's repair queue with publish and repair."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import workflows.credit as spec
from caseflow.credit import selectors
from caseflow.credit.subjects import subject_name_key
from caseflow.extensions import db
from caseflow.timeutil import local_date, utcnow
from caseflow.web import bp
from caseflow.web.access import role_required, safe_next
from caseflow.web.transaction import committing

STAFF = ("caseworker", "supervisor", "desk_officer", "viewer")


@bp.route("/credit")
def credit_public():
    """Published records still displayed: name, code, kind, document number, dates. Nothing
    pending, expired, repaired or withdrawn."""
    q = request.args.get("q", "")[:100]
    records = selectors.credit_public_list(local_date(utcnow()), q=q)
    return render_template("web/credit_public.html", records=records, q=q, kinds=dict(spec.KINDS))


def _visible(record) -> bool:
    """The whole record for its own unit (and admins) or once published; else only the fact."""
    return current_user.can_see_unit(record.unit_id) or record.status == "published"


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
        can_act=current_user.role in ("supervisor", "admin"),
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
    pending, queue = [], []
    if unit is not None:
        pending = selectors.credit_records_query(unit=unit.id, status="pending_publication")
        pending = db.session.scalars(pending.limit(200)).all()
        queue = selectors.credit_repair_queue(unit.id, today)
    return render_template(
        "web/credit_repairs.html",
        pending=pending,
        queue=queue,
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
