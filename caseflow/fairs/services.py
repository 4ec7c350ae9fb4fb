"""Writes for fairs and exhibitors, and the fair-desk checks ``case_open`` runs for a
``fair_complaint`` (procedures.md §5).

``fair_create``, ``exhibitors_add`` and ``exhibitors_import`` commit; ``fair_complaint_check`` and
``fair_complaint_start_clocks`` work inside the caller's transaction (``case_open``);
``fairs_start_post_fair_clocks`` is a scheduler job and commits what it started.
"""

import logging
import unicodedata
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

import workflows
from caseflow.applicants.creditcode import credit_code_normalise, credit_code_problem
from caseflow.cases.models import Case
from caseflow.clocks.models import Clock
from caseflow.clocks.services import clock_start
from caseflow.errors import DomainError, PermissionDenied, ValidationFailed
from caseflow.extensions import db
from caseflow.fairs.importing import country_normalise, name_key, rows_from_upload
from caseflow.fairs.models import Exhibitor, Fair
from caseflow.timeutil import OutOfRange, parse_instant
from workflows import fair_complaint
from workflows._schema import clock_period

log = logging.getLogger(__name__)

#: Who runs a fair desk's fairs and exhibitor lists.
FAIR_ROLES = ("desk_officer", "supervisor", "admin")
#: States in which a complaint has found the exhibitor infringing (for the repeat-infringer flag).
INFRINGING_STATES = ("rectification_ordered", "withdrawal_ordered", "resolved")
#: A row the desk can still read on paper; longer is a pasted paragraph.
NAME_MAX, BOOTH_MAX = 200, 40


def _require_fair_desk_role(actor, unit, what):
    """``what`` the actor is about to do, "中文 / English" (登记展会 / register fairs)."""
    zh, _sep, en = what.partition(" / ")
    if actor is None or actor.role not in FAIR_ROLES:
        raise PermissionDenied(f"无权{zh}", message_en=f"not allowed to {en}")
    if not actor.is_admin and actor.unit_id != unit.id:
        raise PermissionDenied(f"无权{zh}：不是本单位用户", message_en="not a user of this unit")


def _instant(value, field, fields):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str) and value.strip():
        try:
            return parse_instant(value)
        except OutOfRange as exc:
            fields[field] = str(exc)
            return None
        except ValueError:
            pass
    fields[field] = (
        "应为带时区的ISO 8601时间，如 2026-10-15T09:00:00+08:00"
        " / an ISO 8601 instant with its offset, e.g. 2026-10-15T09:00:00+08:00"
    )
    return None


def fair_create(*, unit, actor, name, venue, opens_at, closes_at, organiser) -> Fair:
    """Register one edition of a fair at a fair desk ``unit``; the fair belongs to that unit."""
    _require_fair_desk_role(actor, unit, "登记展会 / register fairs")
    fields = {}
    if unit.kind != "fair_desk":
        fields["unit"] = "只有展会投诉站可以登记展会 / only a fair desk registers fairs"
    name, venue, organiser = ((x or "").strip() for x in (name, venue, organiser))
    if not name:
        fields["name"] = "展会名称不能为空 / the name is empty"
    elif len(name) > NAME_MAX:
        fields["name"] = f"展会名称不能超过{NAME_MAX}个字符 / at most {NAME_MAX} characters"
    if len(venue) > NAME_MAX:
        fields["venue"] = f"场馆不能超过{NAME_MAX}个字符 / at most {NAME_MAX} characters"
    if len(organiser) > NAME_MAX:
        fields["organiser"] = f"主办方不能超过{NAME_MAX}个字符 / at most {NAME_MAX} characters"
    opens_at = _instant(opens_at, "opens_at", fields)
    closes_at = _instant(closes_at, "closes_at", fields)
    if opens_at and closes_at and closes_at <= opens_at:
        fields["closes_at"] = "闭展时间应晚于开展时间 / must be after opens_at"
    if fields:
        raise ValidationFailed(
            "展会信息有误：" + "；".join(fields.values()), message_en="invalid fair", fields=fields
        )
    fair = Fair(
        unit_id=unit.id,
        name=name,
        venue=venue,
        organiser=organiser,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=actor.id,
    )
    db.session.add(fair)
    db.session.flush()
    log.info("fair %s created at %s by %s", fair.id, unit.code, actor.username)
    return fair


def _row_problems(row, *, taken_booths) -> tuple[dict | None, list[tuple[str, str]]]:
    """The clean row and the reasons it is refused, each (Chinese, English); empty when fine."""
    if not isinstance(row, dict):
        return None, [
            ("应为包含 name、booth、country 的对象", "an object with name, booth, country")
        ]
    problems = []
    name = unicodedata.normalize("NFKC", str(row.get("name") or "")).strip()
    booth = unicodedata.normalize("NFKC", str(row.get("booth") or "")).strip().upper()
    country_text = str(row.get("country") or "").strip()
    if not name:
        problems.append(("名称不能为空", "the name is empty"))
    elif len(name) > NAME_MAX:
        problems.append(
            (f"名称不能超过{NAME_MAX}个字符", f"the name is over {NAME_MAX} characters")
        )
    elif not name_key(name):
        problems.append(("名称须包含文字", "the name has no letters"))
    if not booth:
        problems.append(("展位号不能为空", "the booth is empty"))
    elif len(booth) > BOOTH_MAX:
        problems.append(
            (f"展位号不能超过{BOOTH_MAX}个字符", f"the booth is over {BOOTH_MAX} characters")
        )
    elif booth in taken_booths:
        problems.append(
            (f"展位号 {booth} 重复（{taken_booths[booth]}）", f"booth {booth} is taken")
        )
    country = country_normalise(country_text)
    if not country_text:
        problems.append(("国家或地区不能为空", "the country is empty"))
    elif country is None:
        problems.append((f"无法识别的国家或地区：{country_text}", "unknown country or region"))
    clean = {"name": name, "booth": booth, "country": country}
    code_text = str(row.get("credit_code") or "").strip()
    if code_text:
        code = credit_code_normalise(code_text)
        problem = credit_code_problem(code)
        if problem:
            zh, _, en = problem.partition(" / ")
            problems.append((zh, en or zh))
        else:
            clean["credit_code"] = code
    return clean, problems


def exhibitors_add(fair, *, actor, rows, row_numbers=None) -> list[Exhibitor]:
    """Add exhibitors to ``fair``, all or none.

    Every row is checked (name, booth unique at the fair, a known country or region); any problem
    refuses the whole list with ``fields={"rows": {"3": "reason"}}``, keyed by ``row_numbers`` (the
    spreadsheet's row numbers for an upload) or else by 1-based position.
    """
    _require_fair_desk_role(actor, fair.unit, "登记参展商 / register exhibitors")
    if not isinstance(rows, list) or not rows:
        raise ValidationFailed(
            "参展商列表为空",
            message_en="no exhibitors given",
            fields={"rows": "至少一行 / at least one row"},
        )
    numbers = list(row_numbers) if row_numbers else list(range(1, len(rows) + 1))
    existing = db.session.execute(
        select(Exhibitor.booth, Exhibitor.name).where(Exhibitor.fair_id == fair.id)
    ).all()
    taken = {booth: f"已登记为 {name}" for booth, name in existing}
    errors, clean_rows = {}, []
    for number, row in zip(numbers, rows, strict=True):
        clean, problems = _row_problems(row, taken_booths=taken)
        if problems:
            # One reason a row, "中文；中文 / English; English" as every field reason reads.
            errors[str(number)] = (
                "；".join(zh for zh, _en in problems)
                + " / "
                + "; ".join(en for _zh, en in problems)
            )
            continue
        taken[clean["booth"]] = f"与第{number}行相同"
        clean_rows.append(clean)
    if errors:
        raise ValidationFailed(
            f"{len(errors)}行有误，未导入任何参展商",
            message_en=f"{len(errors)} invalid rows; nothing was loaded",
            fields={"rows": errors},
        )
    exhibitors = [
        Exhibitor(fair_id=fair.id, name_key=name_key(row["name"]), **row) for row in clean_rows
    ]
    db.session.add_all(exhibitors)
    try:
        db.session.flush()  # the caller commits
    except IntegrityError as exc:
        # Someone loaded the same booth meanwhile; the unique constraint keeps the list whole.
        db.session.rollback()
        raise ValidationFailed(
            "展位号与同时导入的数据冲突，未导入任何参展商，请重试",
            message_en="booth taken concurrently; nothing was loaded",
            fields={"rows": "展位号冲突 / booth taken meanwhile; retry"},
        ) from exc
    log.info("%d exhibitors added to fair %s by %s", len(exhibitors), fair.id, actor.username)
    return exhibitors


def exhibitors_import(fair, *, actor, filename, content: bytes) -> list[Exhibitor]:
    """Load an exhibitor list from a CSV or XLSX upload (header 名称/name, 展位号/booth,
    国家或地区/country); per-row errors carry the spreadsheet's row numbers."""
    _require_fair_desk_role(actor, fair.unit, "登记参展商 / register exhibitors")
    numbered = rows_from_upload(filename, content)
    return exhibitors_add(
        fair,
        actor=actor,
        rows=[row for _number, row in numbered],
        row_numbers=[number for number, _row in numbered],
    )


def _fold(text) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split()).casefold()


def _right_number_key(number) -> str:
    """``ZL 2023 1 0123456.7`` and ``202310123456.7`` are the same patent."""
    folded = _fold(number).upper()
    return folded[2:] if folded.startswith("ZL") else folded


def fair_complaint_check(
    *, unit, fair_id, exhibitor_id, complainant, right, data, exclude_case_id=None
) -> tuple[Fair, Exhibitor]:
    """The fair and the exhibitor, if the desk of ``unit`` may take this complaint.

    Refused with the reason shown (展会知识产权保护办法 arts 8–9, 21) when the fair is not this
    desk's, the exhibitor is not at that fair, the right is in invalidation, the dispute is
    already in court, or the same complainant already lodged the same right against the same
    exhibitor at this fair.
    """
    complainant, right, data = complainant or {}, right or {}, data or {}
    fair = db.session.get(Fair, _int(fair_id)) if _int(fair_id) else None
    if fair is None or fair.unit_id != unit.id:
        raise ValidationFailed(
            "展会不存在或不属于本投诉站",
            message_en="no such fair at this desk",
            fields={"fair_id": "展会不存在或不属于本投诉站 / no such fair at this desk"},
        )
    exhibitor = db.session.get(Exhibitor, _int(exhibitor_id)) if _int(exhibitor_id) else None
    if exhibitor is None or exhibitor.fair_id != fair.id:
        raise ValidationFailed(
            "被投诉参展商不在该展会的参展商名单中",
            message_en="the exhibitor is not at this fair",
            fields={"exhibitor_id": "参展商不在该展会 / not an exhibitor at this fair"},
        )
    if data.get("right_in_invalidation"):
        raise ValidationFailed(
            "涉案权利正处于无效宣告程序中，不予受理",
            message_en="the right is in invalidation proceedings",
            fields={"data.right_in_invalidation": "权利处于无效程序中 / the right is in invalidation proceedings"},
        )
    if data.get("in_court"):
        raise ValidationFailed(
            "该纠纷已向人民法院起诉，不予受理",
            message_en="the dispute is already before a court",
            fields={"data.in_court": "纠纷已进入诉讼程序 / the dispute is already before a court"},
        )
    name, number = _fold(complainant.get("name")), _right_number_key(right.get("number"))
    if name and number:
        query = select(Case).where(
            Case.workflow == fair_complaint.NAME,
            Case.fair_id == fair.id,
            Case.exhibitor_id == exhibitor.id,
        )
        if exclude_case_id:
            query = query.where(Case.id != exclude_case_id)
        for earlier in db.session.scalars(query):
            if (
                _fold(earlier.complainant_name or (earlier.complainant or {}).get("name")) == name
                and _right_number_key((earlier.right or {}).get("number")) == number
            ):
                raise ValidationFailed(
                    f"重复投诉：同一投诉人已就同一权利对该参展商投诉（{earlier.number}）",
                    message_en=f"duplicate of complaint {earlier.number}",
                    fields={
                        "right.number": f"重复投诉，见 {earlier.number} / a duplicate of {earlier.number}"
                    },
                )
    return fair, exhibitor


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def fair_complaint_priority(complainant, data) -> bool:
    """Complaints by a foreign rights holder or a brand owner go first (展会办法; procedures §5)."""
    complainant, data = complainant or {}, data or {}
    country = complainant.get("country")
    code = country_normalise(country) if country else None
    foreign = bool(country) and (code or str(country).strip().upper()) != "CN"
    brand_owner = bool(
        data.get("brand_owner")
        or complainant.get("brand_owner")
        or complainant.get("role") == "brand_owner"
    )
    return foreign or brand_owner


def _period(unit, name):
    """The period ``unit`` uses for the fair clock ``name`` (None: switched off there)."""
    return clock_period(workflows.clock(fair_complaint, name), profile=unit.profile)


def _has_clock(case, name, *, active_only) -> bool:
    query = select(Clock.id).where(Clock.case_id == case.id, Clock.name == name)
    if active_only:
        query = query.where(Clock.status.in_(("running", "paused")))
    return db.session.scalar(query.limit(1)) is not None


def fair_complaint_start_clocks(case, *, actor=None, event=None) -> None:
    """Start a new complaint's clocks: ``desk_review`` (2 hours from lodging, by default) and
    ``decision_by_close`` (at the fair's close). A clock already running is left alone."""
    fair = db.session.get(Fair, case.fair_id)
    unit = case.unit
    period = _period(unit, "desk_review")
    if period and not _has_clock(case, "desk_review", active_only=True):
        clock_start(
            case,
            "desk_review",
            period=period,
            started_at=case.received_at,
            actor=actor,
            event=event,
        )
    # A complaint lodged after the close has no close to meet; the post-fair clock covers it.
    if (
        fair is not None
        and case.received_at < fair.closes_at
        and not _has_clock(case, "decision_by_close", active_only=True)
    ):
        clock_start(
            case,
            "decision_by_close",
            fixed_due_at=fair.closes_at,
            started_at=case.received_at,
            actor=actor,
            event=event,
        )


def fairs_start_post_fair_clocks(now) -> int:
    """Give every complaint still open at a closed fair its ``post_fair`` clock (15 workdays from
    the close, by default), once per case. Run every minute by the scheduler; returns how many
    clocks it started and commits them."""
    has_post_fair = exists().where(Clock.case_id == Case.id, Clock.name == "post_fair")
    rows = db.session.execute(
        select(Case, Fair)
        .join(Fair, Fair.id == Case.fair_id)
        .where(
            Case.workflow == fair_complaint.NAME,
            Case.is_closed == False,  # noqa: E712 -- SQLite uses the index for "= 0", not "NOT"
            Fair.closes_at <= now,
            ~has_post_fair,
        )
        .order_by(Case.id)
    ).all()
    started = 0
    for case, fair in rows:
        period = _period(case.unit, "post_fair")
        if not period:
            continue
        try:
            with db.session.begin_nested():
                clock_start(case, "post_fair", period=period, started_at=fair.closes_at)
        except DomainError as exc:
            # One bad profile period must not stop the sweep for every other complaint.
            log.error("post_fair clock not started on %s: %s", case.number, exc.message)
            continue
        started += 1
    if not started:
        return 0
    try:
        db.session.commit()
    except IntegrityError:
        # Another sweep started the same clocks first (one active clock per name and case).
        db.session.rollback()
        return 0
        log.info("post_fair clocks started on %d complaints", started)
    return started
