"""Filing a complaint online (网上投诉举报, parties.md §1): an ``intake`` case in ``received``
with ``channel = web``, its evidence, the filer's consent to electronic service, and the filing
receipt (网上投诉回执) with the status code."""

import logging
from dataclasses import dataclass

from sqlalchemy import select

from caseflow.accounts.models import Unit
from caseflow.cases.evidence import evidence_check
from caseflow.cases.models import Case, Event
from caseflow.cases.services import PATENT_TYPES, RIGHT_KINDS, case_open
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from caseflow.parties.services import (
    MAX_FILES,
    clean_email,
    clean_phone,
    delivery_consent_set,
    evidence_files_add,
)
from caseflow.text import text_strip
from caseflow.transaction import after_commit

log = logging.getLogger(__name__)


@dataclass
class Filing:
    case: Case
    receipt_id: int | None


# The body has been validated against the OpenAPI document's ``PublicComplaint`` (types,
# lengths, null, the parties' kinds) by ``caseflow.parties.api.public_complaint_accept``, for the API and the web
# form alike; what is left here is what the schema cannot know: blanks, the unit, the right's kinds (the form sends
# an unchosen one as "").


def _text(body, key, errors, *, required=False, prefix=""):
    value = text_strip(body.get(key) or "")
    if required and not value:
        errors[f"{prefix}{key}"] = "必填 / required"
    return value


def _party(body, key, errors, *, contact_required, name_required=True):
    value = body.get(key) or {}
    prefix = f"{key}."
    party = {
        "name": _text(value, "name", errors, required=name_required, prefix=prefix),
        "kind": _text(value, "kind", errors, prefix=prefix) or "person",
        "country": _text(value, "country", errors, prefix=prefix),
        "contact": _text(value, "contact", errors, required=contact_required, prefix=prefix),
    }
    return {k: v for k, v in party.items() if v}


def _right(body, errors):
    value = body.get("right") or {}
    right = {
        "kind": _text(value, "kind", errors),
        "number": _text(value, "number", errors),
        "patent_type": _text(value, "patent_type", errors),
    }
    if right["kind"] and right["kind"] not in RIGHT_KINDS:
        errors["right.kind"] = "应为 patent、trademark 或 copyright / patent, trademark or copyright"
    if right["patent_type"] and right["patent_type"] not in PATENT_TYPES:
        errors["right.patent_type"] = "应为 invention、utility_model 或 design / invention, utility_model or design"
    return {k: v for k, v in right.items() if v}


def _unit(body, errors):
    code = _text(body, "unit", errors, required=True)
    if not code or "unit" in errors:
        return None
    unit = db.session.scalar(select(Unit).where(Unit.code == code.upper()))
    # A fair's desk takes complaints at the fair, not online.
    if unit is None or unit.kind == "fair_desk":
        errors["unit"] = "未知的受理单位 / unknown unit"
        return None
    return unit


def complaint_check(body: dict, files: list[tuple[str, bytes]]) -> dict:
    """Every field and file checked before anything is written; ``ValidationFailed`` names each
    bad field (``files`` for a refused file)."""
    errors: dict = {}
    unit = _unit(body, errors)
    complainant = _party(body, "complainant", errors, contact_required=True)
    # The respondent may be unknown to the filer (an online shop, a stall): optional.
    respondent = _party(body, "respondent", errors, contact_required=False, name_required=False)
    right = _right(body, errors)
    facts = _text(body, "facts", errors, required=True)
    title = _text(body, "title", errors)
    consent = body.get("consent")
    email = phone = None
    wants_consent = False
    if consent is not None:
        wants_consent = consent.get("consent")
        wants_consent = True if wants_consent is None else wants_consent
        email = clean_email(consent.get("email"), errors, "consent.email")
        phone = clean_phone(consent.get("phone"), errors, "consent.phone")
        if wants_consent and not (email or phone) and "consent.email" not in errors:
            errors["consent.email"] = "同意电子送达须提供电子邮箱或手机号码 / e-mail or phone"
    if len(files) > MAX_FILES:
        errors["files"] = f"最多{MAX_FILES}个文件 / at most {MAX_FILES} files"
    else:
        for filename, content in files:
            try:
                evidence_check(filename, content)
            except ValidationFailed as exc:
                errors["files"] = f"{filename}：{exc.message} / {exc.message_en}"
                break
    if errors:
        raise ValidationFailed(
            "投诉信息不完整或有误：" + "；".join(f"{k} {v}" for k, v in errors.items()),
            message_en="invalid complaint: " + ", ".join(errors),
            fields=errors,
        )
    return {
        "unit": unit,
        "complainant": complainant,
        "respondent": respondent,
        "right": right,
        "facts": facts,
        "title": title or (facts[:40] + ("…" if len(facts) > 40 else "")),
        "consent": (email, phone) if wants_consent else None,
    }


def complaint_file(body: dict, files: list[tuple[str, bytes]]) -> Filing:
    """Open the ``web`` intake case, file its evidence, record the consent, queue the receipt.
    Flushed; the caller commits, and the receipt renders after that commit (its number is taken
    in the same transaction)."""
    from caseflow.notices.services import notice_queue

    clean = complaint_check(body, files)
    case = case_open(
        workflow="intake",
        unit=clean["unit"],
        actor=None,
        public=True,
        title=clean["title"],
        channel="web",
        complainant=clean["complainant"],
        respondent=clean["respondent"] or None,
        right=clean["right"] or None,
        data={"facts": clean["facts"], "filed_online": True},
    )
    opened = db.session.scalar(
        select(Event).where(Event.case_id == case.id, Event.kind == "opened")
    )
    if clean["consent"]:
        email, phone = clean["consent"]
        delivery_consent_set(
            case=case, role="complainant", email=email, phone=phone, consent=True,
            by="public",
        )
    receipt = notice_queue(case=case, kind="filing_receipt", event=opened, addressee="complainant")
    receipt_id = receipt.id
    if files:
        evidence_files_add(case, files, actor_name="party:complainant", description="网上投诉证据")
    after_commit(db.session, filing_receipt_render, receipt_id)
    log.info("complaint %s filed online with %d files", case.number, len(files))
    return Filing(case=case, receipt_id=receipt_id)


def filing_receipt_render(receipt_id: int | None) -> None:
    """Render the receipt right after the filing's commit, so the answer can link a PDF; a failure
    leaves it pending for the scheduler's retry (the filing is stored either way)."""
    from flask import current_app

    if receipt_id is None or not current_app.config.get("CASEFLOW_RENDER_NOTICES_INLINE", True):
        return
    from caseflow.notices.services import notices_render_pending

    try:
        notices_render_pending([receipt_id])
    except Exception:  # noqa: BLE001 — the filing is committed; the retry renders it
        log.exception("filing receipt %s: rendering failed; left for the retry", receipt_id)
        db.session.rollback()
