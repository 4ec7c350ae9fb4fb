"""The parties area's JSON routes (interfaces.md): the public ones need no token —
``POST /public/complaints``, ``GET /public/status``, ``GET /public/receipt``, ``GET
/public/captcha`` — and the staff ones do: ``PUT /cases/{id}/parties/{role}/delivery``,
``PUT /notices/{id}/service``, ``POST``/``DELETE /cases/{id}/parties/{role}/link``."""

import json

from flask import jsonify, request

from caseflow.api import PUBLIC_ENDPOINTS, api_user, bp, json_body
from caseflow.api.schema import body_check
from caseflow.cases.selectors import case_get
from caseflow.errors import Malformed, NotFound, ValidationFailed
from caseflow.extensions import db
from caseflow.notices.selectors import notice_get_visible
from caseflow.notices.views import send_pdf
from caseflow.parties.captcha import captcha_answer, captcha_enabled, captcha_new, captcha_spend
from caseflow.parties.filing import Filing, complaint_check, complaint_file
from caseflow.parties.ratelimit import rate_check, rate_hit
from caseflow.parties.selectors import (
    case_by_public_code,
    case_public_status,
    party_consent_json,
)
from caseflow.parties.services import (
    MAX_FILES,
    delivery_consent_set,
    notice_service_record,
    party_link_issue,
    party_link_revoke,
    party_link_url,
)
from caseflow.security import refuse_bad_characters
from caseflow.timeutil import iso

PUBLIC_ENDPOINTS.update(
    {
        "api.public_complaints_create",
        "api.public_status",
        "api.public_receipt",
        "api.public_captcha",
    }
)

#: The hidden field a person never sees and a form-filling script fills in.
HONEYPOT = "website"

_NUL_ZH, _NUL_EN = "请求含有空字符（NUL）", "the request contains a NUL character"


def _no_nul(value) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise Malformed(_NUL_ZH, message_en=_NUL_EN)
    if isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key)
            _no_nul(item)
    if isinstance(value, list):
        for item in value:
            _no_nul(item)


def _set_path(body: dict, dotted: str, value) -> None:
    head, _, rest = dotted.partition(".")
    if not rest:
        body[head] = value
        return
    inner = body.setdefault(head, {})
    if isinstance(inner, dict):
        _set_path(inner, rest, value)


def _multipart_body() -> tuple[dict, list[tuple[str, bytes]]]:
    """A multipart filing: the fields either as one ``data`` JSON part or as dotted form fields
    (``complainant.name``…), and the evidence under ``files``."""
    form = request.form
    for key, value in form.items(multi=True):
        _no_nul(key)
        _no_nul(value)
    if "data" in form:
        try:
            body = json.loads(form["data"])
        except (ValueError, RecursionError):
            raise Malformed("data 不是有效的 JSON", message_en="data is not valid JSON") from None
        if not isinstance(body, dict):
            raise Malformed("data 必须是 JSON 对象", message_en="data must be a JSON object")
        refuse_bad_characters(body, "data")
    else:
        body = {}
        for key in form:
            if key in ("csrf_token", "files"):
                continue
            _set_path(body, key, form.get(key))
        consent = body.get("consent")
        if isinstance(consent, dict) and isinstance(consent.get("consent"), str):
            consent["consent"] = consent["consent"].lower() in ("1", "true", "on", "yes")
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    if len(uploads) > MAX_FILES:
        raise ValidationFailed(
            f"最多{MAX_FILES}个文件",
            message_en=f"at most {MAX_FILES} files",
            fields={"files": f"最多{MAX_FILES}个文件 / at most {MAX_FILES} files"},
        )
    files = [(f.filename, f.read()) for f in uploads]
    for name, _content in files:
        _no_nul(name)
    return body, files


def filing_answer(filing) -> dict:
    from caseflow.clocks.models import Clock
    from caseflow.notices.models import Notice

    case = filing.case
    receipt = db.session.get(Notice, filing.receipt_id) if filing.receipt_id else None
    clock = db.session.scalar(
        db.select(Clock).where(Clock.case_id == case.id, Clock.name == "acceptance")
    )
    receipt_url = f"/api/v1/public/receipt?number={case.number}&code={case.public_code}"
    return {
        "number": case.number,
        "public_code": case.public_code,
        "workflow": case.workflow,
        "state": case.state,
        "channel": case.channel,
        "received_at": iso(case.received_at),
        "acceptance_due_at": iso(clock.due_at) if clock else None,
        "status_url": f"/status?number={case.number}&code={case.public_code}",
        "filing_receipt": {
            "kind": "filing_receipt",
            "document_number": receipt.document_number if receipt else None,
            "status": receipt.status if receipt else None,
            "url": receipt_url,
        },
    }


def public_complaint_accept(body: dict, files) -> dict:
    """The API's filing: :func:`public_complaint_file`, answered as the document says."""
    return filing_answer(public_complaint_file(body, files))


def public_complaint_file(body: dict, files) -> Filing:
    """Shared by the API and the web form: limits, honeypot, the body against the document's
    ``PublicComplaint`` (one contract for both doors), captcha, then the filing (committed)."""
    rate_check("filing")
    if body.get(HONEYPOT):
        rate_hit("filing")
        db.session.commit()
        raise Malformed("提交被拒绝", message_en="submission refused")
    body_check(body, "PublicComplaint")
    clean = {k: v for k, v in body.items() if k not in (HONEYPOT, "captcha_token", "captcha_answer")}
    if captcha_enabled():
        rate_check("captcha_miss")
    if captcha_enabled() and not captcha_answer(body.get("captcha_token"), body.get("captcha_answer")):
        # The token is spent (one answer per question) and the miss counted for good, though
        # the refusal rolls back: committed on their own, without what the request wrote so far
        # (the web form's send token: this send filed nothing, and a resend is answered alike).
        db.session.rollback()
        captcha_spend(body.get("captcha_token"))
        rate_hit("captcha_miss")
        db.session.commit()
        # Nothing is filed without the right answer, but the form's own mistakes come back with
        # it: a filer on a phone should not answer the sum only to learn a field was empty.
        fields = {
            "captcha_answer": "验证码不正确或已过期，请回答新的题目"
            " / Wrong or expired captcha: answer a new question"
        }
        message = "验证码不正确或已过期，请回答新的题目"
        message_en = (
            "Wrong or expired captcha answer: a question takes one answer;"
            " get a new one (GET /api/v1/public/captcha)"
        )
        try:
            complaint_check(clean, files)
        except ValidationFailed as exc:
            fields = {**exc.fields, **fields}
            message, message_en = f"{exc.message}；{message}", f"{exc.message_en}; {message_en}"
        raise ValidationFailed(message, message_en=message_en, fields=fields)
    filing = complaint_file(clean, files)
    rate_hit("filing")
    db.session.commit()  # then the receipt renders (registered by complaint_file)
    return filing


@bp.post("/public/complaints")
def public_complaints_create():
    """Online filing (parties.md §1): JSON, or multipart with evidence files."""
    if request.mimetype == "multipart/form-data":
        body, files = _multipart_body()
    else:
        body, files = json_body(), []
    return jsonify(public_complaint_accept(body, files)), 201


@bp.get("/public/captcha")
def public_captcha():
    if not captcha_enabled():
        return {"enabled": False}
    return {"enabled": True, **captcha_new()}


def _lookup():
    """The case a ``number``/``code`` pair names; a miss counts against the address (20 an
    hour, then 429), and an unknown number answers exactly like a wrong code."""
    rate_check("status_miss")
    number, code = request.args.get("number"), request.args.get("code")
    case = case_by_public_code(number, code)
    if case is None:
        rate_hit("status_miss")
        db.session.commit()
        raise NotFound(
            "案件编号或查询码不正确",
            message_en="unknown case number or wrong status code",
            fields={"code": "案件编号或查询码不正确 / number or code not recognised"},
        )
    return case


@bp.get("/public/status")
def public_status():
    return jsonify(case_public_status(_lookup()).as_json())


@bp.get("/public/receipt")
def public_receipt():
    """The filing receipt PDF, for whoever holds the number and the status code."""
    from caseflow.notices.models import Notice

    case = _lookup()
    receipt = db.session.scalar(
        db.select(Notice)
        .where(Notice.case_id == case.id, Notice.kind == "filing_receipt")
        .order_by(Notice.id.desc())
    )
    if receipt is None:
        raise NotFound("该案件没有网上投诉回执", message_en="this case has no filing receipt")
    return send_pdf(receipt)


# -- staff routes -------------------------------------------------------------------------------


@bp.put("/cases/<case_id>/parties/<role>/delivery")
def party_delivery_put(case_id, role):
    """Consent to electronic service (送达地址确认书): ``{"email", "phone", "consent"}``."""
    user = api_user()
    case = case_get(case_id, user=user)
    body = body_check(json_body(), "DeliveryConsent")
    record = delivery_consent_set(
        case=case,
        role=role,
        email=body.get("email"),
        phone=body.get("phone"),
        consent=body["consent"],
        by=user,
    )
    return jsonify({"case_id": case.id, "role": role, **party_consent_json(record)})


@bp.put("/notices/<int:notice_id>/service")
def notice_service_put(notice_id: int):
    """A paper service: ``{"served_at", "method": post|in_person|public_notice, "note"}``, and
    for a ruling served on both sides the ``party`` served (complainant|respondent)."""
    from caseflow.parties.selectors import notice_delivery_json

    user = api_user()
    notice = notice_get_visible(user=user, notice_id=notice_id)
    body = body_check(json_body(), "PaperService")
    notice_service_record(
        notice=notice,
        served_at=body["served_at"],
        method=body["method"],
        actor=user,
        note=body.get("note") or "",
        party=body.get("party"),
    )
    return jsonify({"notice_id": notice.id, "delivery": notice_delivery_json(notice)})


@bp.post("/cases/<case_id>/parties/<role>/link")
def party_link_create(case_id, role):
    """The party's personal link (to print or send); the same link until it is revoked; 409
    once the case was closed more than 90 days ago."""
    user = api_user()
    case = case_get(case_id, user=user)
    token = party_link_issue(case=case, role=role, actor=user)
    db.session.commit()
    return jsonify({"case_id": case.id, "role": role, "url": party_link_url(token)}), 201


@bp.delete("/cases/<case_id>/parties/<role>/link")
def party_link_delete(case_id, role):
    user = api_user()
    case = case_get(case_id, user=user)
    revoked = party_link_revoke(case=case, role=role, actor=user)
    return jsonify({"case_id": case.id, "role": role, "revoked": revoked})
