"""Writes on applicants' filings, and the pre-examination eligibility check.

``applicant_check_eligible`` runs inside ``case_open`` for a ``pre_exam`` case (procedures.md §2):
every check is made and each failure named, but any one of them refuses the request (一票否决).
"""

import logging
import re
import unicodedata

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from caseflow.applicants.creditcode import credit_code_normalise, credit_code_problem
from caseflow.applicants.models import ENDED_STATUSES, Applicant
from caseflow.errors import PermissionDenied, StateConflict, ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import utcnow

log = logging.getLogger(__name__)

#: Who may register a filing at their unit; approval is a supervisor's (or an admin's).
REGISTER_ROLES = ("caseworker", "supervisor", "admin")
APPROVE_ROLES = ("supervisor", "admin")
PATENT_TYPES = ("invention", "utility_model", "design")
PATENT_TYPE_LABELS = {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}

_IPC = re.compile(r"^[A-H]\d{2}[A-Z]?")
_LOCARNO = re.compile(r"^(\d{1,2})(?:[-.](\d{1,2}))?$")


def _require_unit_role(actor, unit, roles, what):
    """``what`` the actor is about to do, "中文 / English" (登记备案 / register filings)."""
    zh, _sep, en = what.partition(" / ")
    if actor is None or actor.role not in roles:
        raise PermissionDenied(f"无权{zh}", message_en=f"not allowed to {en}")
    if not actor.is_admin and actor.unit_id != unit.id:
        raise PermissionDenied(f"无权{zh}：不是本单位用户", message_en="not a user of this unit")


def unit_does_pre_exam(unit) -> bool:
    """Whether ``unit`` keeps filings: a centre does; a fair's complaint desk does no
    pre-examination (the pages and the API ask this one rule)."""
    return unit is not None and unit.kind != "fair_desk"


def applicant_register(*, unit, actor, name, credit_code) -> Applicant:
    """Record a filing (备案) at ``unit``; it waits for a supervisor's approval. Flushed; the
    caller commits (as for every service here)."""
    _require_unit_role(actor, unit, REGISTER_ROLES, "登记备案 / register filings")
    if not unit_does_pre_exam(unit):
        raise PermissionDenied(
            "展会投诉站不办理快速预审，不能登记备案",
            message_en="a fair desk does no pre-examination and keeps no filings",
        )
    name = (name or "").strip()
    code = credit_code_normalise(credit_code)
    fields = {}
    if not name:
        fields["name"] = "名称不能为空 / the name is empty"
    elif len(name) > 200:
        fields["name"] = "名称不能超过200个字符 / at most 200 characters"
    problem = credit_code_problem(code)
    if problem:
        fields["credit_code"] = problem
    if fields:
        raise ValidationFailed("备案信息有误", message_en="invalid filing", fields=fields)
    existing = db.session.scalar(
        select(Applicant).where(
            Applicant.unit_id == unit.id,
            Applicant.credit_code == code,
            Applicant.status.not_in(ENDED_STATUSES),
        )
    )
    if existing is not None:
        raise ValidationFailed(
            "该统一社会信用代码已在本单位备案",
            message_en="this credit code is already filed at this unit",
            fields={"credit_code": f"已备案（编号 {existing.id}，{existing.status_label}） / already filed (no. {existing.id}, {existing.status})"},
        )
    applicant = Applicant(
        unit_id=unit.id, name=name, credit_code=code, status="pending", registered_by_id=actor.id
    )
    db.session.add(applicant)
    try:
        db.session.flush()
    except IntegrityError as exc:
        # Two clerks registering the same code at once: the unique constraint decides.
        db.session.rollback()
        raise ValidationFailed(
            "该统一社会信用代码已在本单位备案",
            message_en="this credit code is already filed at this unit",
            fields={"credit_code": "已备案 / already filed"},
        ) from exc
    log.info("applicant %s registered at %s by %s", applicant.id, unit.code, actor.username)
    return applicant


def applicant_approve(applicant, *, actor) -> Applicant:
    """Approve a pending filing: only a supervisor of its unit, or an admin."""
    _require_unit_role(actor, applicant.unit, APPROVE_ROLES, "审核备案 / review filings")
    _applicant_move(
        applicant, verb="审核通过", from_status="pending", to_status="approved",
        approved_by_id=actor.id, approved_at=utcnow(),
    )
    log.info("applicant %s approved by %s", applicant.id, actor.username)
    return applicant


def _reason(reason, *, required: bool) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if required and not reason:
        raise ValidationFailed(
            "请填写理由", message_en="a reason is required", fields={"reason": "必填：理由 / required"}
        )
    if len(reason) > 1000:
        raise ValidationFailed(
            "理由不能超过1000个字符",
            message_en="the reason is longer than 1000 characters",
            fields={"reason": "不能超过1000个字符 / longer than 1000 characters"},
        )
    return reason


def applicant_reject(applicant, *, actor, reason) -> Applicant:
    """Refuse a pending filing, with the reason; the organisation may then file again."""
    return _applicant_end(
        applicant, actor=actor, reason=reason, reason_required=True,
        action="审核备案 / review filings", verb="驳回", from_status="pending", to_status="rejected",
    )


def applicant_revoke(applicant, *, actor, reason="") -> Applicant:
    """Revoke an approved filing; from then on its pre-exam requests are refused."""
    return _applicant_end(
        applicant, actor=actor, reason=reason, reason_required=False,
        action="撤销备案 / revoke filings", verb="撤销", from_status="approved", to_status="revoked",
    )


def _applicant_end(
    applicant,
    *,
    actor,
    reason,
    reason_required: bool,
    action: str,
    verb: str,
    from_status: str,
    to_status: str,
) -> Applicant:
    """Move a filing from ``from_status`` to ``to_status`` (rejected or revoked), recording who
    ended it and when: only a supervisor of its unit, or an admin."""
    _require_unit_role(actor, applicant.unit, APPROVE_ROLES, action)
    reason = _reason(reason, required=reason_required)
    _applicant_move(
        applicant, verb=verb, from_status=from_status, to_status=to_status,
        revoked_by_id=actor.id, revoked_at=utcnow(), end_reason=reason or None,
    )
    log.info(
        "applicant %s %s by %s: %s",
        applicant.id, to_status, actor.username, reason or "（未说明理由）",
    )
    return applicant


def _applicant_move(applicant, *, verb: str, from_status: str, to_status: str, **values) -> None:
    """Moves the filing from ``from_status`` to ``to_status`` with ``values``, in one conditional
    UPDATE rather than a check and a write: of two decisions at once (approve and reject, a
    double submit) the first wins and the other is refused with the status it found, so that no
    supervisor is told of a decision another one overwrote."""
    moved = db.session.execute(
        update(Applicant)
        .where(Applicant.id == applicant.id, Applicant.status == from_status)
        .values(status=to_status, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(applicant)
    if not moved:
        raise StateConflict(
            f"备案状态为“{applicant.status_label}”，不能{verb}",
            message_en=f"filing is {applicant.status}, not {from_status}",
        )


def _ipc_normalise(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()


def _locarno_normalise(text: str) -> str | None:
    """``26-05``, ``26.05``, ``2605`` and ``26`` as ``26-05`` / ``26``; None if not Locarno."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if re.fullmatch(r"\d{4}", text):
        text = f"{text[:2]}-{text[2:]}"
    match = _LOCARNO.match(text)
    if not match:
        return None
    cls, sub = match.groups()
    return f"{int(cls):02d}-{int(sub):02d}" if sub else f"{int(cls):02d}"


def classification_in_fields(patent_type: str, classification: str, fields: dict) -> bool:
    """Whether a classification falls in a unit's field list: an IPC class prefix for inventions
    and utility models ("F21V 23/00" is in "F21"), a Locarno class for designs ("26-05" is in
    "26"; a field "26-05" admits only that subclass)."""
    if patent_type == "design":
        wanted = _locarno_normalise(classification)
        if wanted is None:
            return False
        for field in fields.get("locarno") or ():
            prefix = _locarno_normalise(str(field))
            if prefix and (wanted == prefix or wanted.startswith(prefix + "-")):
                return True
        return False
    wanted = _ipc_normalise(classification)
    return any(wanted.startswith(_ipc_normalise(str(p))) for p in fields.get("ipc") or ())


#: The patent types in English words, for the English half of a reason.
_PATENT_TYPE_WORDS = {"invention": "invention", "utility_model": "utility model", "design": "design"}


def applicant_check_eligible(*, unit, applicant_id, right) -> Applicant:
    """The applicant, if ``unit`` may take its pre-examination request for ``right``.

    Otherwise ``ValidationFailed`` naming every failed check (一票否决: any one refuses).
    """
    right = right or {}
    fields = {}
    applicant = None
    try:
        applicant = db.session.get(Applicant, int(applicant_id)) if applicant_id else None
    except (TypeError, ValueError):
        applicant = None
    if applicant is None or applicant.unit_id != unit.id:
        fields["applicant_id"] = "申请人未在本单位备案 / no filing of this applicant at this unit"
    elif applicant.status == "pending":
        fields["applicant_id"] = "申请人备案尚未审核通过 / the filing is not approved yet"
    elif applicant.status == "rejected":
        fields["applicant_id"] = "申请人备案未通过审核 / the filing was rejected"
    elif not applicant.is_active:
        fields["applicant_id"] = "申请人备案已撤销 / the filing was revoked"

    if right.get("pct"):
        fields["right.pct"] = "PCT申请不予快速预审 / PCT applications are not pre-examined"
    if right.get("divisional"):
        fields["right.divisional"] = "分案申请不予快速预审 / divisional applications are not pre-examined"

    patent_type = right.get("patent_type")
    classification = str(right.get("classification") or "").strip()
    unit_fields = (unit.profile or {}).get("fields") or {}
    if patent_type not in PATENT_TYPES:
        fields["right.patent_type"] = "专利类型应为发明、实用新型或外观设计 / an invention, a utility model or a design"
    elif not classification:
        fields["right.classification"] = (
            "须填写洛迦诺分类号 / Locarno class required"
            if patent_type == "design"
            else "须填写IPC分类号 / IPC class required"
        )
    elif patent_type != "design" and not _IPC.match(_ipc_normalise(classification)):
        fields["right.classification"] = f"IPC分类号格式不正确：{classification} / not an IPC class"
    elif patent_type == "design" and _locarno_normalise(classification) is None:
        fields["right.classification"] = f"洛迦诺分类号格式不正确：{classification} / not a Locarno class"
    elif not classification_in_fields(patent_type, classification, unit_fields):
        scheme = "locarno" if patent_type == "design" else "ipc"
        listed = [str(x) for x in unit_fields.get(scheme) or ()]
        fields["right.classification"] = (
            f"分类号 {classification} 不在本中心{PATENT_TYPE_LABELS[patent_type]}预审领域内"
            f"（{'、'.join(listed) or '无'}） / {classification} is outside this centre's "
            f"{_PATENT_TYPE_WORDS[patent_type]} fields ({', '.join(listed) or 'none'})"
        )

    if fields:
        # The English page reads the reasons in words, as the Chinese one does, not field codes.
        raise ValidationFailed(
            "不符合快速预审条件：" + "；".join(fields.values()),
            message_en="not eligible for expedited pre-examination: "
            + "; ".join(reason.partition(" / ")[2] or reason for reason in fields.values()),
            fields=fields,
        )
    return applicant
