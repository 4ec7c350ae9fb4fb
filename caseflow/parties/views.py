"""Pages of the parties area: the online complaint form ``/complain``, a party's page
``/p/{token}``, and the case page's service panel (consent, paper service, party links).

The public status page ``/status`` is ``caseflow.web.public``; its lookup lives here too.
"""

import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

import workflows
from caseflow.cases.evidence import EVIDENCE_MAX_BYTES
from caseflow.errors import DomainError, Malformed, ValidationFailed
from caseflow.extensions import db
from caseflow.nonces import NonceSpent, nonce_case_record, nonce_spend
from caseflow.notices.selectors import notices_replaced_by
from caseflow.parties import selectors as sel
from caseflow.parties.captcha import captcha_enabled, captcha_new
from caseflow.parties.ratelimit import rate_check, rate_hit, retry_after_header
from caseflow.parties.services import (
    ACTION_LABELS,
    MAX_FILES,
    PartyActor,
    delivery_consent_set,
    notice_service_record,
    party_action_for,
    party_consent_get,
    party_link_issue,
    party_link_open,
    party_link_revoke,
    party_link_url,
)
from caseflow.parties.submissions import party_submit, waiver_field
from caseflow.timeutil import utcnow
from caseflow.web.filters import fields_summary, in_language
from caseflow.web.transaction import committing

bp = Blueprint("parties", __name__)
bp.after_app_request(retry_after_header)

#: What the browser checks before uploading (the server checks again): the evidence limit a file.
MAX_FILE_MB = EVIDENCE_MAX_BYTES // (1024 * 1024)
ACCEPT = ".pdf,.jpg,.jpeg,.png,.webp,.heic,.doc,.docx,.txt,image/*,application/pdf"


def _english() -> bool:
    from caseflow.web.filters import _english as english

    return english()


def _message(exc: DomainError) -> str:
    return exc.message_en if _english() and exc.message_en else exc.message


def _field_errors(exc: DomainError) -> dict:
    """Field → the reason in the page's language (the services write ``中文 / English``)."""
    return {name: in_language(str(reason)) for name, reason in (exc.fields or {}).items()}


#: The public form's fields as a person reads them: the summary above the form names each field
#: in error by these, never by its key (``complainant.name``).
_COMPLAINT_LABELS = {
    "unit": _l("受理单位"),
    "title": _l("标题"),
    "facts": _l("投诉事实和理由"),  # as the form labels it
    "complainant": _l("投诉人"),
    "complainant.name": _l("投诉人姓名或名称"),
    "complainant.kind": _l("投诉人类型"),
    "complainant.country": _l("投诉人国家或地区"),
    "complainant.contact": _l("投诉人联系电话或地址"),
    "respondent": _l("被投诉人"),
    "respondent.name": _l("被投诉人姓名或名称"),
    "respondent.contact": _l("被投诉人地址、网店或展位"),
    "right": _l("权利"),
    "right.kind": _l("权利类型"),
    "right.number": _l("专利号/注册号"),
    "right.patent_type": _l("专利类型"),
    "consent": _l("电子送达"),
    "consent.email": _l("电子邮箱"),
    "consent.phone": _l("手机号码"),
    "captcha_answer": _l("验证码"),
    "files": _l("附件"),
}


#: The element each refused field is on, for the links of the summary above the form (the
#: fields without one, such as ``complainant``, are named in its message only).
_COMPLAINT_FIELD_IDS = {
    name: "f-" + name.replace(".", "-").replace("_answer", "")
    for name in (
        "unit", "complainant.name", "complainant.contact", "complainant.country",
        "complainant.kind", "respondent.name", "respondent.contact", "right.kind",
        "right.number", "facts", "files", "consent.email", "consent.phone", "captcha_answer",
    )
}
_PARTY_SUBMIT_LABELS = {"text": _l("内容"), "files": _l("附件")}
_PARTY_FIELD_IDS = {"text": "f-text", "files": "f-files", "email": "c-email", "phone": "c-phone"}


def _error_links(errors: dict, labels: dict, field_ids: dict) -> list[tuple[str, str]]:
    """(element id, label) of each field in error that the form shows, in the form's order."""
    return [(field_ids[name], str(labels[name])) for name in field_ids if name in errors and name in labels]


#: The service panel's forms on the case page (electronic service, paper service).
_DELIVERY_LABELS = {"email": _l("电子邮箱"), "phone": _l("手机号码"), "role": _l("当事人")}
_SERVICE_LABELS = {"served_at": _l("送达日期"), "method": _l("送达方式"), "note": _l("备注")}


def _form_no_nul() -> None:
    for key, value in request.form.items(multi=True):
        if "\x00" in key or "\x00" in value:
            raise Malformed("请求含有空字符（NUL）", message_en="the request contains a NUL character")


def _uploads(name: str = "files") -> list[tuple[str, bytes]]:
    files = [f for f in request.files.getlist(name) if f and f.filename]
    if len(files) > MAX_FILES:
        raise ValidationFailed(
            f"最多{MAX_FILES}个文件",
            message_en=f"at most {MAX_FILES} files",
            fields={"files": f"最多{MAX_FILES}个文件 / at most {MAX_FILES} files"},
        )
    if any("\x00" in f.filename for f in files):
        raise Malformed("文件名含有空字符（NUL）", message_en="a file name contains a NUL character")
    return [(f.filename, f.read()) for f in files]


# -- /complain ----------------------------------------------------------------------------------


def _units():
    from sqlalchemy import select

    from caseflow.accounts.models import Unit

    return list(
        db.session.scalars(select(Unit).where(Unit.kind != "fair_desk").order_by(Unit.code))
    )


def _complaint_body(form) -> dict:
    def get(name):
        return (form.get(name) or "").strip()

    body = {
        "unit": get("unit"),
        "title": get("title"),
        "facts": get("facts"),
        "complainant": {
            "name": get("complainant.name"),
            "kind": get("complainant.kind") or "person",
            "country": get("complainant.country"),
            "contact": get("complainant.contact"),
        },
        "respondent": {"name": get("respondent.name"), "contact": get("respondent.contact")},
        "right": {
            "kind": get("right.kind"),
            "number": get("right.number"),
            "patent_type": get("right.patent_type") if get("right.kind") == "patent" else "",
        },
        "website": form.get("website") or "",
        "captcha_token": form.get("captcha_token"),
        "captcha_answer": form.get("captcha_answer"),
    }
    if form.get("consent.consent"):
        body["consent"] = {
            "consent": True,
            "email": get("consent.email"),
            "phone": get("consent.phone"),
        }
    return body


@bp.route("/complain", methods=["GET", "POST"])
def complain():
    """网上投诉举报: the form, on a phone as on a desk (parties.md §1)."""
    from caseflow.parties.api import public_complaint_file

    values, errors, status, message = {}, {}, 200, None
    if request.method == "POST":
        values = request.form.to_dict()
        # The page's one-time token: a second send of the same form (a double tap, a resend
        # after a dropped connection) files nothing, with or without the captcha.
        submission = request.form.get("submission") or None
        with committing(flash_error=False) as step:
            _form_no_nul()
            if submission:
                nonce_spend("complain", submission, lifetime=FORM_KEPT)
            filing = public_complaint_file(_complaint_body(request.form), _uploads())
            if submission:
                nonce_case_record("complain", submission, case_id=filing.case.id)
        if isinstance(step.error, NonceSpent):
            if step.error.case_id and (session.get(_FILED_KEY) or {}).get("case") == step.error.case_id:
                # This browser filed it: show the receipt it is waiting for.
                return redirect(url_for("parties.complain_filed"), 303)
            flash(_("此投诉已经提交过，没有重复提交。请凭案件编号和查询码查询办理进度。"), "info")
            return redirect(url_for("web.public_status"), 303)
        if step.failed:
            exc = step.error
            status, errors = exc.status, _field_errors(exc)
            # The banner names each field by its label; a refusal not about the form's fields
            # (a limit, a closed unit) keeps its own words.
            message = fields_summary(exc.fields, _COMPLAINT_LABELS) or _message(exc)
        else:
            # Post/Redirect/Get: a reload of the receipt page must not file the complaint again.
            # Only this browser's signed session names the case; the status code stays on the server.
            session[_FILED_KEY] = {
                "case": filing.case.id,
                "receipt": filing.receipt_id,
                "at": utcnow().timestamp(),
            }
            return redirect(url_for("parties.complain_filed"), 303)
    captcha = captcha_new() if captcha_enabled() else None
    return (
        render_template(
            "parties/complain.html",
            values=values,
            errors=errors,
            message=message,
            error_links=_error_links(errors, _COMPLAINT_LABELS, _COMPLAINT_FIELD_IDS),
            units=_units(),
            captcha=captcha,
            submission=secrets.token_urlsafe(16),
            max_file_mb=MAX_FILE_MB,
            max_files=MAX_FILES,
            accept=ACCEPT,
        ),
        status,
    )


#: How long a sent form's one-time token is remembered (a form left open longer than a day
#: has long lost its CSRF token).
FORM_KEPT = timedelta(days=1)

#: How long the filer's browser may reopen (or reload) its receipt page; after that the case is
#: found like any other, by its number and status code on ``/status``.
FILED_PAGE_SECONDS = 30 * 60
_FILED_KEY = "complaint_filed"


@bp.get("/complain/filed")
def complain_filed():
    """投诉已提交: the receipt page the filing redirects to, for the browser that filed it."""
    from caseflow.cases.models import Case
    from caseflow.parties.api import filing_answer
    from caseflow.parties.filing import Filing
    from caseflow.timeutil import parse_instant

    filed = session.get(_FILED_KEY) or {}
    age = utcnow().timestamp() - float(filed.get("at") or 0)
    case = db.session.get(Case, filed["case"]) if filed.get("case") else None
    if case is None or not 0 <= age <= FILED_PAGE_SECONDS:
        session.pop(_FILED_KEY, None)
        flash(_("投诉回执页面已过期，请凭案件编号和查询码查询办理进度。"), "info")
        return redirect(url_for("web.public_status"), 303)
    answer = filing_answer(Filing(case=case, receipt_id=filed.get("receipt")))
    received_at = parse_instant(answer["received_at"])
    response = make_response(
        render_template("parties/filed.html", answer=answer, received_at=received_at)
    )
    # The page shows the status code: no shared or back-button cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


# -- /status ------------------------------------------------------------------------------------


def public_status_page():
    """``/status``: a GET with ``number`` and ``code`` (what the QR opens) or the form's POST."""
    source = request.form if request.method == "POST" else request.args
    number = (source.get("number") or "").strip()
    code = (source.get("code") or "").strip()
    result, error, status = None, None, 200
    if number or code or request.method == "POST":
        try:
            if "\x00" in number + code:
                raise Malformed("请求含有空字符（NUL）", message_en="the request contains a NUL character")
            rate_check("status_miss")
            case = sel.case_by_public_code(number, code)
            if case is None:
                rate_hit("status_miss")
                db.session.commit()
                # One answer for a wrong number and a wrong code: the page confirms no numbers.
                error, status = _("案件编号或查询码不正确"), 404
            else:
                result = sel.case_public_status(case)
        except DomainError as exc:
            db.session.rollback()
            error, status = _message(exc), exc.status
    return (
        render_template(
            "parties/status.html",
            number=number[:40],
            code=code[:16],
            result=result,
            error=error,
        ),
        status,
    )


# -- /p/{token} ---------------------------------------------------------------------------------


def _open_link(token: str):
    """The party's link, or the error page: bad tokens count against the address."""
    rate_check("link_miss")
    try:
        return party_link_open(token)
    except DomainError:
        rate_hit("link_miss")
        db.session.commit()
        raise


def _party_page(
    link, *, errors=None, message=None, consent_message=None, values=None, labels=None, status=200
):
    """``message``: a refused submission, shown in its section; ``consent_message``: a refused
    consent, shown in the 电子送达 section; ``labels``: the refused form's fields by name."""
    case = link.case
    consent = party_consent_get(case.id, link.role)
    trigger = party_action_for(case, link.role)
    notices = sel.party_notices(case, link.role)
    return (
        render_template(
            "parties/party.html",
            token=request.view_args["token"],
            link=link,
            case=case,
            role=link.role,
            status=sel.case_public_status(case, role=link.role),
            notices=notices,
            # A notice a correction replaced is void: the page says so and by which document.
            replaced_by=notices_replaced_by(notices),
            consent=consent,
            trigger=trigger,
            waiver=waiver_field(case, trigger),
            action_label=ACTION_LABELS.get(trigger, ("", ""))[1 if _english() else 0],
            errors=errors or {},
            error_links=_error_links(errors or {}, labels or {}, _PARTY_FIELD_IDS),
            message=message,
            consent_message=consent_message,
            values=values or {},
            max_file_mb=MAX_FILE_MB,
            max_files=MAX_FILES,
            accept=ACCEPT,
        ),
        status,
    )


def _mark_opened(link) -> None:
    """The party's first opening of its link is recorded on its electronic services (§4)."""
    from sqlalchemy import update

    from caseflow.parties.models import NoticeDelivery

    now = utcnow()
    if link.last_used_at is None:
        link.last_used_at = now
    db.session.execute(
        update(NoticeDelivery)
        .where(
            NoticeDelivery.case_id == link.case_id,
            NoticeDelivery.role == link.role,
            NoticeDelivery.status == "sent",
            NoticeDelivery.method.in_(("email", "sms")),
            NoticeDelivery.opened_at.is_(None),
        )
        .values(opened_at=now)
    )
    db.session.commit()


@bp.get("/p/<token>")
def party_page(token: str):
    link = _open_link(token)
    _mark_opened(link)
    return _party_page(link)


@bp.post("/p/<token>/submit")
def party_submit_form(token: str):
    link = _open_link(token)
    text = request.form.get("text", "")
    waive_hearing = request.form.get("waive_hearing") == "1"
    with committing(flash_error=False) as step:
        _form_no_nul()
        party_submit(link=link, text=text, files=_uploads(), waive_hearing=waive_hearing)
    if step.failed:
        exc = step.error
        link = _open_link(token)
        return _party_page(
            link,
            errors=_field_errors(exc),
            message=_message(exc),
            values={"text": text, "waive_hearing": waive_hearing},
            labels=_PARTY_SUBMIT_LABELS,
            status=exc.status,
        )
    flash(_("已提交，承办人将依法处理。"), "success")
    return redirect(url_for("parties.party_page", token=token), 303)


@bp.post("/p/<token>/consent")
def party_consent_form(token: str):
    link = _open_link(token)
    consent = request.form.get("consent") == "1"
    with committing(flash_error=False) as step:
        _form_no_nul()
        delivery_consent_set(
            case=link.case,
            role=link.role,
            email=request.form.get("email"),
            phone=request.form.get("phone"),
            consent=consent,
            by=PartyActor(side=link.role, unit_id=link.case.unit_id),
            # The page shows the addresses masked: a blank field keeps its channel.
            blank_keeps=True,
            drop=tuple(c for c in ("email", "phone") if request.form.get(f"drop_{c}") == "1"),
        )
    if step.failed:
        exc = step.error
        link = _open_link(token)
        return _party_page(
            link,
            errors=_field_errors(exc),
            # "请更正：电子邮箱（电子邮箱格式不正确）": labels, never the form's keys.
            consent_message=fields_summary(exc.fields, _DELIVERY_LABELS) or _message(exc),
            values=request.form.to_dict(),
            labels=_DELIVERY_LABELS,
            status=exc.status,
        )
    flash(_("已同意电子送达。") if consent else _("已撤回电子送达同意，今后文书将纸质送达。"), "success")
    return redirect(url_for("parties.party_page", token=token) + "#consent", 303)


@bp.get("/p/<token>/notices/<int:notice_id>.pdf")
def party_notice_pdf(token: str, notice_id: int):
    from caseflow.notices.views import send_pdf

    link = _open_link(token)
    notice = next((n for n in sel.party_notices(link.case, link.role) if n.id == notice_id), None)
    if notice is None:
        abort(404)
    return send_pdf(notice)


# -- what the public pages say of parties and their periods ------------------------------------

#: A period a party counts from its own receipt, worded where no date can be given (the period to
#: sue on /status, or before that party was served): ``selectors.RECEIPT_RULES`` in the page's
#: language.
_RECEIPT_RULES = {
    "days": _l("自收到之日起%(n)s日内"),
    "workdays": _l("自收到之日起%(n)s个工作日内"),
    "months": _l("自收到之日起%(n)s个月内"),
}


@bp.app_template_filter("receipt_rule")
def _receipt_rule(period: str) -> str:
    count, _sep, unit = (period or "").partition(" ")
    return str(_RECEIPT_RULES[unit]) % {"n": count}


#: The catalogue's context of the procedures' party names (当事人 is also the heading "Parties").
PARTY_ROLE_CONTEXT = "party_role"


def party_role_label(workflow: str, role: str) -> str:
    """How the case's procedure names the party ``role`` (被请求人, 被申请人, 当事人…), in the
    page's language; the procedures that name none (intake, pre-examination) keep the general
    words."""
    from flask_babel import pgettext

    labels = workflows.PARTY_LABELS.get(workflow)
    if labels is None:
        return _("被请求人/被投诉人") if role == "respondent" else _("请求人/投诉人")
    label = labels[1] if role == "respondent" else labels[0]
    return pgettext(PARTY_ROLE_CONTEXT, label)  # extracted from workflows/ (translations.extract)


# -- the case page's service panel (staff) ------------------------------------------------------


@bp.app_template_filter("mask")
def _mask(address: str) -> str:
    from caseflow.parties.services import mask_address

    return mask_address(address or "")


@bp.app_context_processor
def _party_panel_helper():
    return {
        "party_panel": party_panel,
        "notice_delivery": sel.notice_delivery_json,
        "party_role_label": party_role_label,
    }


def party_panel(case) -> dict:
    """What the case page shows of each party's service: consent and whether a link exists, and
    (``deliveries``) the service rows of its notices by notice. Three queries for the panel."""
    from sqlalchemy import select

    from caseflow.parties.models import PartyConsent, PartyLink

    linked = set(
        db.session.scalars(
            select(PartyLink.role).where(
                PartyLink.case_id == case.id, PartyLink.revoked_at.is_(None)
            )
        )
    )
    consents = {
        consent.role: consent
        for consent in db.session.scalars(select(PartyConsent).where(PartyConsent.case_id == case.id))
    }
    panel = {
        role: {"consent": consents.get(role), "has_link": role in linked}
        for role in ("complainant", "respondent")
    }
    # Only the parties the procedure has: a pre-examination has no respondent to serve.
    panel["roles"] = workflows.party_roles(case.workflow)
    panel["deliveries"] = sel.case_deliveries(case.id)
    return panel


def _staff_case(case_id):
    from caseflow.cases.selectors import case_get

    return case_get(case_id, user=current_user)


@bp.post("/cases/<case_id>/parties/<role>/delivery")
@login_required
def case_delivery_form(case_id: str, role: str):
    case = _staff_case(case_id)
    with committing(labels=_DELIVERY_LABELS) as step:
        _form_no_nul()
        delivery_consent_set(
            case=case,
            role=role,
            email=request.form.get("email"),
            phone=request.form.get("phone"),
            consent=request.form.get("consent") == "1",
            by=current_user,
        )
    if not step.failed:
        flash(_("送达方式已更新"), "success")
    return redirect(url_for("web.case_detail", case_id=case.id) + "#service")


@bp.post("/cases/<case_id>/parties/<role>/link")
@login_required
def case_link_form(case_id: str, role: str):
    case = _staff_case(case_id)
    revoke, token = bool(request.form.get("revoke")), None
    with committing() as step:
        if revoke:
            party_link_revoke(case=case, role=role, actor=current_user)
        else:
            token = party_link_issue(case=case, role=role, actor=current_user)
    if not step.failed and revoke:
        flash(_("当事人链接已撤销"), "success")
    elif not step.failed:
        g.party_link_shown = party_link_url(token)
        flash(_("当事人链接：") + party_link_url(token), "success")
    return redirect(url_for("web.case_detail", case_id=case.id) + "#service")


@bp.post("/notices/<int:notice_id>/service")
@login_required
def notice_service_form(notice_id: int):
    from caseflow.notices.selectors import notice_get_visible

    notice = notice_get_visible(user=current_user, notice_id=notice_id)
    case_id = notice.case_id
    with committing(labels=_SERVICE_LABELS) as step:
        _form_no_nul()
        # A bare date is read by the service, as the API's is (served that day, within the
        # notice's issue and now).
        served = (request.form.get("served_at") or "").strip()
        notice_service_record(
            notice=notice,
            served_at=served or None,
            method=request.form.get("method"),
            actor=current_user,
            note=request.form.get("note") or "",
            party=request.form.get("party") or None,
        )
    if not step.failed:
        flash(_("送达已登记"), "success")
    return redirect(url_for("web.case_detail", case_id=case_id) + "#notices")
