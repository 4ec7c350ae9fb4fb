"""From a notice row to PDF bytes: the template context, the QR code, WeasyPrint.

Pure reads: nothing here writes to the database or to storage (services.py does both), so the
benchmark and the tests can render the same HTML that an issued notice is made from.
"""

import base64
import mimetypes
import os
import re
from datetime import datetime
from html import unescape

from flask import current_app
from markupsafe import Markup
from sqlalchemy import select

import workflows
from caseflow.accounts.models import Unit
from caseflow.clocks.models import Clock, ClockEntry
from caseflow.extensions import db
from caseflow.notices.chinese import (
    chinese_number,
    chinese_numeral_date,
    deadline_text,
    instant_text,
    period_text,
)
from caseflow.notices.kinds import (
    RECEIPT_CLOCKS,
    kind_addressee_role,
    kind_announced_clocks,
    kind_family,
    kind_legal_basis,
)
from caseflow.notices.models import Notice
from caseflow.notices.qr import qr_data_uri
from caseflow.timeutil import chinese_date, deadline_day, local_date, parse_instant
from workflows._schema import clock_period
from workflows.fair_complaint import REFERRAL_TARGETS
from workflows.intake import DEPARTMENTS

PATENT_TYPES = {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}
SUSPENSION_REASONS = {
    "invalidation": "涉案专利权被请求宣告无效",
    "appraisal": "需要进行技术鉴定",
    "publication": "需要公告送达",
    "ownership": "涉案专利权属存在争议",
}


def masthead_size(name: str) -> float:
    """The 版头's font size in points: 26 pt, or smaller so the name fits the 156 mm (≈442 pt)
    text width on one line, letter spacing included."""
    return round(min(26.0, 430.0 / max(len(name), 1) - 2.0), 1)


def right_text(right: dict) -> str:
    """ZL202310123456.7号发明专利 / 第12345678号注册商标 — how the body names the right."""
    # Numbers are entered as printed on certificates, sometimes as 第35123456号 already.
    number = str((right or {}).get("number") or "").strip().removeprefix("第").removesuffix("号")
    kind = (right or {}).get("kind") or "patent"
    if kind == "trademark":
        return f"第{number}号注册商标" if number else "注册商标"
    if kind == "copyright":
        return f"登记号为{number}的作品著作权" if number else "著作权"
    label = PATENT_TYPES.get((right or {}).get("patent_type"), "") + "专利"
    return f"{number}号{label}" if number else label


def application_text(case) -> str:
    """The patent application a pre-examination is about: its title and type."""
    label = PATENT_TYPES.get((case.right or {}).get("patent_type"), "") + "专利申请"
    name = case.title or (case.right or {}).get("number") or ""
    return f"名称为“{name}”的{label}" if name else label


#: Where notices point in debug and tests when CASEFLOW_PUBLIC_URL is unset.
DEVELOPMENT_PUBLIC_URL = "http://localhost:5000"


class PublicUrlMissing(RuntimeError):
    """CASEFLOW_PUBLIC_URL is unset outside debug and tests: the notice stays pending."""


def verify_url(code: str) -> str:
    """The public address printed under the QR code: ``CASEFLOW_PUBLIC_URL`` and nothing else.

    Never the request's Host header: a forged one would be printed on an official notice and in
    its QR code. Without the setting only debug and tests render (with a localhost address); in
    production the render fails and the notice stays pending until the operator sets it.
    """
    config = current_app.config
    base = config.get("CASEFLOW_PUBLIC_URL")
    if not base:
        if not (current_app.debug or current_app.testing):
            raise PublicUrlMissing(
                "CASEFLOW_PUBLIC_URL is not set: refusing to print a verification address"
            )
        base = DEVELOPMENT_PUBLIC_URL
    return f"{base.rstrip('/')}/verify/{code}"


def seal_data_uri(unit) -> str | None:
    """The unit's seal image as a data: URI; None draws the placeholder.

    A configured seal that cannot be read is an error, not a silent placeholder: the notice stays
    pending until the operator fixes the path, rather than going out unsealed.
    """
    path = (unit.profile or {}).get("seal_image")
    if not path:
        return None
    if path.startswith("storage:"):  # uploaded through the admin page: shared by every node
        from caseflow.storage import storage

        data = storage().get(path.removeprefix("storage:"))
        return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    if not os.path.isabs(path):
        path = os.path.join(current_app.instance_path, path)
    mime = mimetypes.guess_type(path)[0] or "image/png"
    with open(path, "rb") as handle:
        return f"data:{mime};base64," + base64.b64encode(handle.read()).decode("ascii")


def announced_deadlines(notice) -> dict[str, tuple[str, Clock, datetime]]:
    """clock name → (the due date as printed, its clock, the due instant printed), for the clocks
    this notice announces.

    The due date is the one the issuing transition set (its ``ClockEntry.due_after``), so a retry
    days later prints what the party was told at the time even if the clock moved since; a
    correction (``replaces_id``) prints the clock's current due date.
    """
    role = (notice.addressee or {}).get("role") or kind_addressee_role(
        notice.case.workflow, notice.kind
    )
    names = kind_announced_clocks(notice.case.workflow, notice.kind, role)
    if not names:
        return {}
    clocks = db.session.scalars(
        select(Clock)
        .where(Clock.case_id == notice.case_id, Clock.name.in_(names))
        .order_by(Clock.id)
    ).all()
    entries = {}
    if notice.event_id is not None:
        rows = db.session.execute(
            select(ClockEntry.clock_id, ClockEntry.due_after)
            .where(ClockEntry.event_id == notice.event_id, ClockEntry.due_after.is_not(None))
            .order_by(ClockEntry.id)
        ).all()
        entries = {clock_id: due for clock_id, due in rows}
    found = {}
    for clock in clocks:  # oldest first, so the latest row of a name wins
        touched = found.get(clock.name, (False,))[0]
        if clock.id in entries and notice.replaces_id is not None:
            # A correction exists to announce the date as it stands now (a calendar recompute
            # moved it since the notice it corrects); it is issued once and never re-rendered.
            found[clock.name] = (True, clock, clock.due_at)
        elif clock.id in entries:
            found[clock.name] = (True, clock, entries[clock.id])
        elif not touched and clock.is_active:
            # A clock the step left alone is printed while it still runs: a stopped one's date
            # no longer binds anyone (the answer a suspension found already given).
            found[clock.name] = (False, clock, clock.due_at)
    return {
        name: (deadline_text(clock, due_at=due_at), clock, due_at)
        for name, (_, clock, due_at) in found.items()
    }


def provisional_years(printed: dict[str, tuple[str, Clock, datetime]]) -> list[int]:
    """The years, not yet official, in which the printed deadlines (``announced_deadlines``)
    fall: those whose clocks were counted on the provisional calendar (``Clock.provisional``)."""
    return sorted(
        {
            deadline_day(due_at, clock.period_unit).year
            for _, clock, due_at in printed.values()
            if clock.provisional and due_at is not None
        }
    )


def receipt_period(notice) -> str:
    """十五日 / 五个工作日: the period of the clock that counts from the party's receipt of this
    notice (``RECEIPT_CLOCKS``), as the clock its step started counts it; "" when it has none."""
    name = RECEIPT_CLOCKS.get(notice.kind)
    definition = workflows.clock(workflows.get(notice.case.workflow), name) if name else None
    if definition is None:
        return ""
    period = None
    if notice.event_id is not None:
        period = db.session.scalar(
            select(Clock.period)
            .join(ClockEntry, ClockEntry.clock_id == Clock.id)
            .where(
                ClockEntry.event_id == notice.event_id,
                ClockEntry.action == "start",
                Clock.name == name,
            )
            .limit(1)
        )
    if not period:  # a step that started no such clock: the unit's period for it
        profile = notice.unit.profile or {}
        period = clock_period(definition, profile=profile) or definition.period
    return period_text(period)


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def workflow_reason_is_text(case, data: dict) -> bool:
    """``data.reason`` is free text, except the suspension's reason, which is a code."""
    return bool(_text(data.get("reason"))) and data.get("reason") not in SUSPENSION_REASONS


def _referral_target(data: dict) -> tuple[str, str]:
    """Whom a fair desk refers a case to, as (addressee, what it is asked to do): a centre to
    adjudicate (移交…依法裁决), or the court to handle it (移交人民法院依法处理)."""
    if data.get("target_name"):
        return data["target_name"], f"{data['target_name']}依法处理"
    if data.get("target") == "adjudication":
        code = data.get("target_unit")
        unit = db.session.scalar(select(Unit).where(Unit.code == code)) if code else None
        name = (
            (unit.profile or {}).get("full_name") or unit.name if unit else "有关知识产权管理部门"
        )
        return name, f"{name}依法裁决"
    name = dict(REFERRAL_TARGETS).get(data.get("target"), "有关机关")
    return name, f"{name}依法处理"


#: The step that files (立案) a case, by workflow: a decision names the day it took effect.
FILING_TRIGGERS = {"adjudication": "accept", "penalty": "file_case"}


def filing_instant(case):
    """When the case was filed (立案): its filing step's ``occurred_at``, or None before it."""
    trigger = FILING_TRIGGERS.get(case.workflow)
    if trigger is None or case.id is None:
        return None
    from caseflow.cases.models import Event

    return db.session.scalar(
        select(Event.occurred_at)
        .where(Event.case_id == case.id, Event.kind == "transition", Event.trigger == trigger)
        .order_by(Event.id.desc())
        .limit(1)
    )


def _earlier_notice(notice, kind: str, *, other_step: bool = False):
    """The case's latest notice of ``kind`` before this one to the same addressee (a lapse
    cites its correction; each party's hearing notice, the one it had before).
    ``other_step``: issued by another step, not a correction of this step's own notice (a
    postponed hearing's notice cites the one it replaces)."""
    query = select(Notice).where(
        Notice.case_id == notice.case_id, Notice.kind == kind, Notice.id < notice.id
    )
    if other_step and notice.event_id is not None:
        query = query.where(Notice.event_id != notice.event_id)
    role = (notice.addressee or {}).get("role")
    earlier = db.session.scalars(query.order_by(Notice.id.desc()).limit(20))
    return next((n for n in earlier if (n.addressee or {}).get("role") == role), None)


def _contact(profile: dict, names=()) -> dict:
    """The unit's contact block: a dict (person, phone, address) or one line of text.

    A contact line that begins with the unit's name (often its short name) loses it: the masthead
    and the signature name the unit once, by its full name, and a reader must not meet two names
    for one issuer."""
    contact = profile.get("contact") or {}
    if isinstance(contact, str):
        text = contact.strip()
        for name in sorted({n for n in names if n}, key=len, reverse=True):
            squeezed = re.sub(r"\s+", "", name)
            pattern = r"\s*".join(map(re.escape, squeezed))
            text = re.sub(rf"^{pattern}[\s，,:：]*", "", text)
        return {"text": text} if text else {}
    return dict(contact)


def clause(text) -> str:
    """Free text set inside a printed sentence: trimmed, without its own closing punctuation (the
    template supplies it), so a reason never ends a sentence twice or not at all."""
    return _text(text).rstrip("。．.；;，,、 ") if text else ""


#: What may follow a copy of a template's own words at the start of typed text (经审理查明：).
_AFTER_PREFIX = "：:，,、 \u3000"


def unprefixed(text, *prefixes) -> str:
    """Typed text set after a template's own words (经审理查明：, 经核查，, 因对方当事人), without
    a leading copy of them, or of the party word the template already says (被请求人): the
    caseworker often types them too, and the notice would print them twice."""
    text = _text(text)
    ordered = sorted((p for p in prefixes if p), key=len, reverse=True)  # 经审理查明 before 经审
    while match := next((p for p in ordered if text.startswith(p)), None):
        text = text[len(match) :].lstrip(_AFTER_PREFIX)
    return text


def paragraphs(text) -> list[str]:
    """A drafted text as printed paragraphs: one per non-empty line, each ending a sentence."""
    out = []
    for line in _text(text).splitlines():
        line = line.strip()
        if line:
            out.append(line if line[-1] in "。！？；：”）)" else line + "。")
        # An empty line is only a paragraph break.
    return out


def numbered(lines) -> list[str]:
    """Operative items or terms, each ending with a full stop; the template numbers them."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    return paragraphs("\n".join(str(x) for x in (lines or []) if isinstance(x, str)))


#: A number the typist put before an item of a list (1. 2、 （3） 一、): the template numbers the
#: items itself. Never a figure that starts the text (1.5倍, 3件样品).
_TYPED_NUMBER = re.compile(
    r"^(?:[（(]\s*(?:\d+|[一二三四五六七八九十]+)\s*[)）]|(?:\d+|[一二三四五六七八九十]+)\s*[.．、](?!\d))\s*"
)


def listed(text) -> list[str]:
    """List-like typed text (the items to correct, an examiner's problems), one item a line, as
    the items a template numbers itself the way a decision's items are printed: each line
    without the number typed before it, a ； or ， closing it made a full stop."""
    lines = (_TYPED_NUMBER.sub("", line.strip()) for line in _text(text).splitlines())
    return paragraphs("\n".join(line.rstrip("；;，,、 ") for line in lines))


#: The word by which a drafted item of a 行政处罚决定书 names a penalty the decision's own fields
#: also carry (警告, 没收, 罚款): such an item is printed once, from the field.
_PENALTY_WORDS = (("warning", "警告"), ("confiscation", "没收"), ("fine", "罚款"))


def _money(amount) -> str:
    return f"{amount or 0:,.2f}"


def penalty_items(data: dict) -> list[dict]:
    """The penalties of a 行政处罚决定书 (行政处罚法 art 59: the kind and amount of each), each
    once, to be numbered: the drafted items in their order, where an item that names the warning,
    the confiscation or the fine is printed from that field instead (the amount the credit record
    and the payment clause use), and a field no item names follows at the end. Each entry is
    ``{"text"}`` or, for the fine, ``{"fine", "income"}`` (the amounts as printed)."""
    fields = {}
    if data.get("warning"):
        fields["warning"] = {"text": "警告。"}
    confiscation = clause(data.get("confiscation"))
    if confiscation:
        fields["confiscation"] = {"text": f"没收{confiscation.removeprefix('没收')}。"}
    if data.get("fine"):
        income = data.get("illegal_income")
        fields["fine"] = {"fine": _money(data["fine"]), "income": _money(income) if income else ""}
    out, placed = [], set()
    for item in numbered(data.get("items")):
        named = [key for key, word in _PENALTY_WORDS if key in fields and word in item]
        if not named:
            out.append({"text": item})
        for key in named:
            if key not in placed:
                out.append(fields[key])
                placed.add(key)
    out.extend(fields[key] for key, _ in _PENALTY_WORDS if key in fields and key not in placed)
    return out


def intent_items(data: dict) -> list[dict]:
    """The penalties an intent notice (事先告知书) announces, as ``penalty_items`` gives a
    decision's: a warning as a warning, the confiscation, the fine (never 罚款0.00元). An intent
    recorded before the confiscation was its own field announces the illegal income's."""
    confiscation = data.get("confiscation")
    if not _text(confiscation) and data.get("illegal_income"):
        confiscation = f"违法所得人民币{_money(data['illegal_income'])}元"
    return penalty_items(
        {
            "warning": data.get("warning"),
            "confiscation": confiscation,
            "fine": data.get("proposed_fine"),
            "illegal_income": data.get("illegal_income"),
        }
    )


def _answered(case) -> bool:
    """Whether the fair desk recorded the exhibitor's answer (its ``receive_answer`` step)."""
    from caseflow.cases.models import Event

    return (
        db.session.scalar(
            select(Event.id)
            .where(Event.case_id == case.id, Event.trigger == "receive_answer")
            .limit(1)
        )
        is not None
    )


def _answer_status(case, event) -> str:
    """What a fair outcome may say of the exhibitor's answer: ``received``; ``lapsed`` (its
    period ran out before the decision: 在规定期限内未提交); or ``none`` (decided before the period
    ended, which 展会办法 art 14 allows). The notice states the fact, never an answer it lacks."""
    if _answered(case):
        return "received"
    clock = db.session.scalar(
        select(Clock)
        .where(Clock.case_id == case.id, Clock.name == "fair_answer")
        .order_by(Clock.id.desc())
        .limit(1)
    )
    decided_at = event.occurred_at if event is not None else None
    if clock is not None and decided_at is not None and clock.due_at <= decided_at:
        return "lapsed"
    return "none"


def _referral_facts(case, event) -> dict:
    """What a 移交函 may say of the case it hands on: whether (and when) the desk accepted it, and
    whether the fair had closed when it was referred. The fair's close is the fixed due time of
    the complaint's ``decision_by_close`` clock (started at lodging; a complaint lodged after
    the close has none). A referral while the fair runs is not one "展会期间未能处理完毕"."""
    from caseflow.cases.models import Event

    accepted_at = db.session.scalar(
        select(Event.occurred_at)
        .where(Event.case_id == case.id, Event.kind == "transition", Event.trigger == "accept")
        .order_by(Event.id)
        .limit(1)
    )
    close = db.session.scalar(
        select(Clock.due_at)
        .where(Clock.case_id == case.id, Clock.name == "decision_by_close")
        .order_by(Clock.id)
        .limit(1)
    )
    referred_at = event.occurred_at if event is not None else None
    closed = close is None or (referred_at is not None and close <= referred_at)
    return {
        "accepted_date": chinese_date(local_date(accepted_at)) if accepted_at else "",
        "fair_closed": closed,
        "fair_closed_date": chinese_date(local_date(close)) if closed and close else "",
    }


def _attachments(notice, case) -> list[str]:
    """What a letter may say it encloses: only what the case actually holds. A 移交函 must not
    claim an answer that was never received (procedures.md §5: the answer is optional)."""
    from caseflow.cases.evidence import Evidence

    out = ["投诉材料"]
    if _answered(case):
        out.append("答辩材料")
    evidence = db.session.scalar(
        select(db.func.count(Evidence.id)).where(Evidence.case_id == case.id)
    )
    if evidence:
        out.append(f"证据材料{evidence}件")
    return out


#: The decisions that state the evidence of the facts found (行政处罚法 art 59 item 2).
EVIDENCE_KINDS = ("penalty_decision", "no_penalty_decision")


def evidence_relied_on(notice, case) -> list[str]:
    """The evidence a 行政处罚决定书 states (行政处罚法 art 59 item 2): the case's evidence
    records filed before its step, each by its description, or its file's name where it has none.
    Nothing else of them (who filed it, the audit note) is printed."""
    from caseflow.cases.evidence import Evidence

    query = select(Evidence).where(Evidence.case_id == case.id)
    if notice.event is not None:  # a retry days later lists what the decision rested on
        query = query.where(Evidence.uploaded_at <= notice.event.recorded_at)
    rows = db.session.scalars(query.order_by(Evidence.uploaded_at, Evidence.id))
    return [clause(row.description) or row.filename for row in rows]


def authority_name(kind: str, data: dict) -> str:
    """The authority a letter of ``kind`` is addressed to, from its step's data: a 移交函 goes to
    the centre or court the case is referred to."""
    if kind == "referral_letter":
        return _referral_target(data)[0]
    return "有关机关"


def _addressee_name(notice, data: dict) -> str:
    # A 移交函 issued before letters had their own addressee (recorded as the complainant's)
    # still names the authority the case is referred to.
    if notice.kind == "referral_letter" and (data.get("target_name") or data.get("target")):
        return _referral_target(data)[0]
    return (notice.addressee or {}).get("name") or ""


def _party(case, role: str) -> dict:
    party = dict((case.complainant if role == "complainant" else case.respondent) or {})
    party.setdefault(
        "name", case.complainant_name if role == "complainant" else case.respondent_name
    )
    return party


def notice_context(notice) -> dict:
    """Everything a notice template may print, read from the case, the event and the clocks."""
    case, unit, event = notice.case, notice.unit, notice.event
    data = dict(event.data or {}) if event is not None else {}
    # The caseworker's note (event.note) is internal: it is never read here, so no notice can
    # print it (notices.md).
    issued_on = local_date(notice.issued_at)
    # The step's own date (中止、撤回、结案 "自…起"): its event's, also on a correction, which is
    # issued later but speaks of the same step (notices.md "Content").
    step_on = local_date(event.occurred_at) if event is not None else issued_on
    deadlines = announced_deadlines(notice)
    complainant, respondent = _party(case, "complainant"), _party(case, "respondent")
    labels = workflows.PARTY_LABELS.get(case.workflow, ("申请人", "被申请人"))
    profile = unit.profile or {}
    hearing_text = ""
    if data.get("hearing_at"):
        hearing_text = instant_text(parse_instant(str(data["hearing_at"])))
    filed_at = filing_instant(case)
    accepted_date = chinese_date(local_date(filed_at)) if filed_at else ""
    replaces_number = notice.replaces.document_number if notice.replaces_id else ""
    # A draft's preview has no id yet, and no earlier notice to cite.
    correction = _earlier_notice(notice, "correction_notice") if notice.id else None
    earlier_hearing = (
        _earlier_notice(notice, "hearing_notice", other_step=True)
        if notice.id and notice.kind == "hearing_notice"
        else None
    )
    return {
        "notice": notice,
        "kind": notice.kind,
        "family": kind_family(notice.kind),
        "workflow": case.workflow,
        "title": notice.title,
        # The full name (版头, 署名) from the profile: the unit's short display name may differ.
        "unit_name": profile.get("full_name") or unit.name,
        "masthead_pt": masthead_size(profile.get("full_name") or unit.name),
        "document_number": notice.document_number,
        # One unbreakable run: a line may not end inside 案号 ZS-ADJ-2026-00004 at its hyphens.
        "case_number": Markup('<span class="nobr">{}</span>').format(case.number),
        "case_title": case.title,
        "addressee_name": _addressee_name(notice, data),
        "addressee_role": (notice.addressee or {}).get("role") or "",
        # 你方与…之间: the other side of the dispute from the addressee's.
        "other_party_name": complainant.get("name", "")
        if (notice.addressee or {}).get("role") in ("respondent", "exhibitor")
        else respondent.get("name", ""),
        "complainant": complainant,
        "respondent": respondent,
        "complainant_name": complainant.get("name", ""),
        "respondent_name": respondent.get("name", ""),
        "complainant_label": labels[0],
        "respondent_label": labels[1],
        "booth": data.get("booth")
        or respondent.get("booth")
        or (case.data or {}).get("booth")
        or "",
        "right_text": right_text(case.right),
        "application_text": application_text(case),
        "received_date": chinese_date(local_date(case.received_at)),
        # The online filing's receipt states the moment received (parties.md §1: received time).
        "received_time": instant_text(case.received_at),
        "accepted_date": accepted_date,
        "occurred_date": chinese_date(step_on),
        # The transition's reason field (reject, disqualify, terminate…); never the note.
        "reason": clause(data.get("reason")) if workflow_reason_is_text(case, data) else "",
        # The examiner's opinion of a pre-examination (request_revision's ``opinion``).
        "opinion": listed(data.get("opinion")),
        "items": clause(data.get("items")) or clause(data.get("missing")),
        # What a correction notice asks for, item by item.
        "correction_items": listed(data.get("items") or data.get("missing")),
        # A decision's or agreement's drafted text (workflows._schema.DECISION_FIELDS).
        "findings": paragraphs(data.get("findings")),
        "reasoning": paragraphs(data.get("reasoning")),
        "operative_items": numbered(data.get("items"))
        if isinstance(data.get("items"), list)
        else [],
        "terms": numbered(data.get("terms")),
        "penalty_items": penalty_items(data)
        if notice.kind == "penalty_decision"
        else intent_items(data)
        if notice.kind == "penalty_intent_notice"
        else [],
        "preview": bool(getattr(notice, "preview", False)),
        "chinese_number": chinese_number,
        "unprefixed": unprefixed,
        # Beside a draft only, as a reference; an issued notice never prints the estimate.
        "compensation": (case.data or {}).get("compensation")
        if getattr(notice, "preview", False)
        else None,
        "attachments": _attachments(notice, case) if notice.kind == "referral_letter" else [],
        "evidence": evidence_relied_on(notice, case) if notice.kind in EVIDENCE_KINDS else [],
        # 行政处罚法 art 59 item 5: where to seek review (profile keys; absent: general wording).
        "review_body": _text(profile.get("review_body")),
        "court": _text(profile.get("court")),
        "answer_status": _answer_status(case, event) if notice.kind == "outcome_notice" else "",
        "department": data.get("department_name")
        or dict(DEPARTMENTS).get(data.get("department"), "有关部门"),
        "referral_target": _referral_target(data)[1],
        "referral": _referral_facts(case, event) if notice.kind == "referral_letter" else {},
        "data": data,
        "handlers_count": "",
        "suspension_reason": SUSPENSION_REASONS.get(
            data.get("reason"), data.get("reason") or "法定事由"
        ),
        "hearing_text": hearing_text,
        "deadlines": {name: text for name, (text, _, _) in deadlines.items()},
        "provisional_years": provisional_years(deadlines),
        "receipt_period": receipt_period(notice),
        "legal_basis": kind_legal_basis(
            case.workflow, notice.kind, (case.data or {}).get("complaint_type")
        ),
        "contact": _contact(profile, (unit.name, profile.get("full_name"))),
        "seal_src": seal_data_uri(unit),
        "qr_src": qr_data_uri(verify_url(notice.verification_code)),
        "verification_code": notice.verification_code,
        "verify_url": verify_url(notice.verification_code),
        "issue_date_cn": chinese_numeral_date(issued_on),
        "replaces_number": replaces_number,
        "correction_sent_date": chinese_date(local_date(correction.issued_at))
        if correction
        else "",
        "correction_number": f"以{correction.document_number}" if correction else "",
        # A postponed hearing: the notice it replaces, by its date and number.
        "earlier_hearing_date": chinese_date(local_date(earlier_hearing.issued_at))
        if earlier_hearing
        else "",
        "earlier_hearing_number": earlier_hearing.document_number if earlier_hearing else "",
        "routed_to": routed_case(notice, case),
        # parties.md §2: every notice to a party prints the case's status code and its QR.
        **status_block(notice),
    }


def routed_case(notice, case) -> dict | None:
    """The case an intake's acceptance opened (its ``route``): the 受理通知书 names its
    procedure and number, and, for a dispute the complainant is a party to, its status code, so
    that the complainant can follow the new case from the day it is opened rather than from its
    own 立案通知书. A penalty clue's informant is no party to the penalty: no code."""
    if notice.kind != "acceptance_notice" or case.workflow != "intake":
        return None
    from caseflow.cases.models import CaseLink

    target = db.session.scalar(
        select(CaseLink.target_id).where(CaseLink.source_id == case.id, CaseLink.kind == "route")
    )
    if target is None:
        return None
    from caseflow.cases.models import Case

    opened = db.session.get(Case, target)
    return {
        "workflow": opened.workflow,
        "procedure": workflows.get(opened.workflow).LABEL,
        "number": opened.number,
        "code": opened.public_code if opened.workflow != "penalty" else "",
    }


def status_block(notice) -> dict:
    """The status code and a QR to ``/status?number=…&code=…``, for a notice to a party."""
    to_party = (notice.addressee or {}).get("role") in ("complainant", "respondent", "parties")
    # A 移交函 is addressed to the receiving centre or court (_addressee_name), not to a party:
    # the complainant's code to its case has no place in another authority's letter.
    if not to_party or notice.kind == "referral_letter":
        return {"status_code": ""}
    from caseflow.parties.selectors import public_status_url

    url = public_status_url(notice.case)
    return {
        "status_code": notice.case.public_code,
        "status_url": url,
        # Half-millimetre modules (about 17 mm) in the top-right margin.
        "status_qr_src": qr_data_uri(url, module_mm=0.5),
    }


def notice_html(notice) -> str:
    """The notice's HTML. The template is rendered without the app's context processors: a
    document must not depend on who is logged in or on a request (the CLI retry has neither)."""
    template = current_app.jinja_env.get_template(f"notices/{notice.kind}.html")
    return keep_latin_together(template.render(**notice_context(notice)))


#: A run of Latin text with spaces in it: a foreign party's name, an address, a phone number.
#: It starts at a letter or digit that follows none of ``&``, ``#`` or another letter or digit:
#: never inside an escaped character (``&#34;Lumiere Design``, ``&lt;Star Light``), which a span
#: would cut in two and print as text.
_LATIN_RUN = re.compile(
    r"(?<![&#A-Za-z0-9])[A-Za-z0-9][\x21-\x3b\x3d\x3f-\x7e]*(?: +[\x21-\x3b\x3d\x3f-\x7e]+)+"
)
#: Latin characters are about half a Chinese one wide: 40 fit half of a 28-character line.
LATIN_RUN_MAX = 40
#: A word this short (&, Co., KG, AG, Ltd.) is never the first on a line: a legal form stays whole.
LATIN_SHORT_WORD = 4
_TEXT_NODE = re.compile(r">([^<]+)<")
_STYLE_BLOCK = re.compile(r"(<style\b.*?</style>)", re.S)


def latin_pieces(run: str) -> list[str]:
    """A Latin run (HTML-escaped text) cut at its spaces into the pieces a line may break
    between: the whole run when it fits ``LATIN_RUN_MAX``, else word by word, a short word kept
    with the one before it (GmbH & Co. KG), no piece over ``LATIN_RUN_MAX`` characters."""
    if len(unescape(run)) <= LATIN_RUN_MAX:
        return [" ".join(run.split())]  # set as pre: one space between words, as it reads
    pieces = []
    for word in run.split():
        joined = f"{pieces[-1]} {word}" if pieces else word
        short = len(unescape(word)) <= LATIN_SHORT_WORD
        if pieces and short and len(unescape(joined)) <= LATIN_RUN_MAX:
            pieces[-1] = joined
        else:
            pieces.append(word)
    return pieces


def keep_latin_together(html: str) -> str:
    """Every Latin run with spaces in the body's text set as atomic boxes.

    WeasyPrint justifies a line only by widening its spaces; a Chinese line has none, so a line
    holding "Lumiere Design GmbH" put all of the line's slack into those two spaces. An
    inline-block is not stretched and does not wrap. A run longer than ``LATIN_RUN_MAX`` (an
    English street address, a long company name) must still wrap: it becomes one box per
    ``latin_pieces`` piece, each but the last keeping its space inside, so a line breaks only
    between pieces and no space is left for the justification to widen. Only text between tags
    after ``<body>`` is touched, never an attribute or the stylesheet."""
    head, marker, body = html.partition("<body>")
    if not marker:
        return html

    def wrap_run(match):
        pieces = latin_pieces(match.group(0))
        last = len(pieces) - 1
        return "".join(
            f'<span class="latin">{piece}{"" if n == last else " "}</span>'
            for n, piece in enumerate(pieces)
        )

    def in_text(match):
        return ">" + _LATIN_RUN.sub(wrap_run, match.group(1)) + "<"

    # A <style> in the body (the status code's margin box) is CSS, not text: left as it is.
    parts = _STYLE_BLOCK.split(body)
    return (
        head
        + marker
        + "".join(
            part if _STYLE_BLOCK.fullmatch(part) else _TEXT_NODE.sub(in_text, part)
            for part in parts
        )
    )


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint, imported here: the import costs ~0.6 s, which web requests that never render
    should not pay."""
    from weasyprint import HTML

    from caseflow.notices.fonts import pdf_fonts_compact

    # The finisher cuts each embedded CJK face to the glyphs used (~320 KB → ~45 KB a page).
    return HTML(string=html, base_url=current_app.root_path).write_pdf(finisher=pdf_fonts_compact)
