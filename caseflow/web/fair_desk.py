"""Fair desk mode, for a tablet at the complaint desk (768 px): lodge a complaint in under a minute,
watch today's complaints against their hour clocks and the fair's close, and order outcomes in one tap.
"""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

import workflows
from caseflow.cases.selectors import case_clocks, case_notices
from caseflow.cases.services import desk_complaint_lodge
from caseflow.fairs.selectors import exhibitors_search, fair_get, fairs_list
from caseflow.timeutil import local_date, start_of_local_day, utcnow
from caseflow.web import bp
from caseflow.web import selectors as sel
from caseflow.web.access import role_required
from caseflow.web.cases import upload_limits
from caseflow.web.filters import action_label, enumeration
from caseflow.web.forms import (
    IRREVERSIBLE,
    DeskComplaintForm,
    draft_prefill,
    trigger_form_class,
)
from caseflow.web.transaction import committing

#: Outcome buttons on the board, in the order a desk officer reaches for them. Triggers that need
#: no typed data are one tap. A step that cannot be taken back (an order, or an outcome that ends
#: the complaint) opens a small form on the card instead: what goes onto its notice when it has
#: such a text, the photo for compliance, then a confirming tap.
ONE_TAP = (
    "accept",
    "notify_respondent",
    "receive_answer",
    "order_withdrawal",
    "order_rectification",
    "confirm_compliance",
    "find_not_infringing",
    "mediate",
)


def _current_fair(fairs, fair_id):
    if fair_id:
        return fair_get(fair_id, user=current_user)
    now = utcnow()
    running = [f for f in fairs if f.opens_at <= now <= f.closes_at]
    return (running or fairs or [None])[0]


def _board(fair):
    """Today's complaints at ``fair`` and every one still open, priority first, with one-tap forms."""
    from caseflow.engine import available_triggers

    cases = sel.fair_board_cases(fair, since=start_of_local_day(local_date(utcnow())))
    module = workflows.get("fair_complaint")
    cards = []
    for case in cases:
        names = {
            item if isinstance(item, str) else getattr(item, "trigger", None)
            for item in available_triggers(case, current_user)
        }
        actions = []
        for trigger in ONE_TAP:
            transition = workflows.transition(module, trigger)
            if trigger not in names:
                continue
            form = trigger_form_class(case.workflow, transition)(prefix=trigger, formdata=None)
            form.version.data = case.version
            draft_prefill(form, case, transition)
            ends = workflows.state(module, transition.dest).final
            if ends or (case.workflow, trigger) in IRREVERSIBLE:
                kind = "confirm"
            elif form.file_fields:
                kind = "photo"
            elif not any(f.required for f in transition.fields):
                kind = "tap"
            else:
                continue
            if kind != "tap":  # one form per card: ids unique on the board
                for name in form.data_fields:
                    form[name].id = form[name].label.field_id = f"{trigger}-{case.id}-{name}"
            actions.append(
                {
                    "transition": transition,
                    "form": form,
                    "kind": kind,
                    "ends": ends,
                    "submit": _confirm_label(transition) if kind == "confirm" else action_label(transition.label),
                }
            )
        cards.append(
            {
                "case": case,
                "clocks": [c for c in case_clocks(case, active_first=True) if c.is_active],
                "actions": actions,
                "notices": case_notices(case),
            }
        )
    return cards


def _confirm_label(transition) -> str:
    # 确认已整改/已撤展 already says it: not "确认：确认已整改/已撤展".
    if transition.label.startswith("确认"):
        return action_label(transition.label)
    return _("确认：%(step)s", step=action_label(transition.label))


@bp.route("/desk", methods=["GET", "POST"])
@role_required("desk_officer", "supervisor")
def fair_desk():
    fairs = fairs_list(user=current_user)
    fair = _current_fair(fairs, request.values.get("fair_id", type=int))
    form = DeskComplaintForm()
    form.fair_id.choices = [(f.id, f.name) for f in fairs]
    if fair is not None and request.method == "GET":
        form.fair_id.data = fair.id
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            names = lambda key: {"right.number": "right_number"}.get(key, key.split(".")[-1])  # noqa: E731
            with committing(form, names=names, flash_error=False) as step:
                case = desk_complaint_lodge(
                    actor=current_user,
                    fair_id=form.fair_id.data,
                    exhibitor_id=form.exhibitor_id.data,
                    complainant={
                        "name": form.complainant_name.data.strip(),
                        "kind": form.complainant_kind.data or "company",
                        "country": (form.complainant_country.data or "CN").strip(),
                        "contact": form.complainant_contact.data.strip(),
                    },
                    right={
                        "kind": form.right_kind.data,
                        "number": form.right_number.data.strip(),
                        "patent_type": form.patent_type.data or None,
                    },
                    priority=bool(form.priority.data),
                    fast_mode=bool(form.fast_mode.data),
                    title=form.title.data or "",
                    facts=(form.facts.data or "").strip(),
                    photos=[p for p in (form.photos.data or []) if getattr(p, "filename", "")],
                )
            if step.failed:
                if len(step.left) == len(step.error.fields or {}):  # no field took any
                    form.form_errors.append(step.message)
                flash(step.message, "error")
                status = step.status
            else:
                flash(_("已登记投诉 %(number)s", number=case.number), "success")
                return redirect(url_for("web.fair_desk", fair_id=case.fair_id) + "#board")
        else:
            flash(_("请更正下面标出的错误"), "error")
            status = 422
        _photos_not_kept(form)
    return _desk_page(form, fair, fairs, status, query=request.form.get("q", ""))


def _photos_not_kept(form) -> None:
    """A refused lodging comes back with what was typed, but a page cannot put files back into a
    file input: say so beside the photos, naming them, or the officer lodges without them."""
    names = [p.filename for p in (form.photos.data or []) if getattr(p, "filename", "")]
    if names:
        form.photos.errors = [
            *form.photos.errors,
            ngettext(
                "刚才选择的 %(num)d 个文件（%(names)s）没有上传，请重新选择",
                "刚才选择的 %(num)d 个文件（%(names)s）没有上传，请重新选择",
                len(names),
                names=enumeration(names),
            ),
        ]


def _desk_page(form, fair, fairs, status=200, query=""):
    picked = None
    if form.exhibitor_id.data and fair is not None:
        picked = next(
            (
                x
                for x in exhibitors_search(fair, None, limit=2000)
                if x.exhibitor.id == form.exhibitor_id.data
            ),
            None,
        )
    return (
        render_template(
            "web/fair_desk.html",
            fair=fair,
            fairs=fairs,
            form=form,
            picked=picked,
            # The booth or name typed in the search box, back in it after a refusal.
            query=query,
            cards=_board(fair) if fair else [],
            now=utcnow(),
            closing_soon=fair is not None and fair.closes_at - utcnow() < timedelta(hours=4),
            upload_limits=upload_limits(),
            example_booth=next(
                (x.exhibitor.booth for x in exhibitors_search(fair, None, limit=1)), None
            ) if fair is not None else None,
        ),
        status,
    )


@bp.route("/desk/exhibitors")
@role_required("desk_officer", "supervisor")
def fair_desk_exhibitors():
    """The exhibitor picker (an htmx fragment): by booth or name, repeat infringers flagged."""
    fair = fair_get(request.args.get("fair_id", type=int), user=current_user)
    q = request.args.get("q", "")
    listings = exhibitors_search(fair, q, limit=20) if q.strip() else []
    return render_template("web/_exhibitor_results.html", listings=listings, q=q)


def fair_desk_too_large(message: str, fields=None):
    """The desk page for a request over the upload limit (the body was not read): the form comes
    back with the reason on top, not a bare 413. The browser checks the limits before sending, so
    this is the fallback for a browser without JavaScript."""
    fairs = fairs_list(user=current_user)
    fair = _current_fair(fairs, request.args.get("fair_id", type=int))
    form = DeskComplaintForm(formdata=fields)  # what was typed comes back; the photos do not
    form.fair_id.choices = [(f.id, f.name) for f in fairs]
    if fair is not None and not form.fair_id.data:
        form.fair_id.data = fair.id
    form.form_errors.append(message)
    form.photos.errors = [message]
    return _desk_page(form, fair, fairs, 413, query=(fields or {}).get("q", ""))
