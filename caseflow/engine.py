"""The engine: fires a workflow trigger on one case, with its clocks, audit event and notices, in one
transaction.

One ``transitions.Machine`` per workflow, built once from ``workflows/`` and shared
(``auto_transitions=False``: state changes only through a declared trigger). A case is never
registered with the machine: ``machine.events[trigger].trigger(case)`` reads and writes
``case.state`` directly (stack-notes: 8.5 µs a transition, nothing kept per case).

Order of checks in ``case_fire`` (nothing changes until all pass): the actor's unit (403), the
trigger exists (422), the actor's role (403), the version (409), the current state (409), the
``occurred_at`` (422), the data (422), the guards (422, or 409 for a clock not yet expired). Then,
in one transaction: the one ``transition`` event, the clock effects, any linked case, the state
and version, the notices, in the caller's transaction: any failure rolls it back whole. The caller commits (a page, the API, a command, a job); after that commit the
queued notices are rendered; a rendering failure leaves them pending and never undoes the step.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from transitions import Machine, MachineError

import workflows
from caseflow.accounts.models import ROLE_LABELS, Actor
from caseflow.cases.locks import case_lock
from caseflow.cases.models import Case, CaseLink, Event
from caseflow.clocks.models import Clock, ClockEntry
from caseflow.clocks.services import ACTIVE, clock_start_defined
from caseflow.errors import (
    NotFound,
    PermissionDenied,
    StateConflict,
    ValidationFailed,
    VersionConflict,
)
from caseflow.extensions import db
from caseflow.inserts import row_insert
from caseflow.step_writes import step_flush
from caseflow.text import text_strip
from caseflow.timeutil import (
    chinese_date,
    instant_reason,
    iso,
    local_date,
    parse_instant,
    start_of_local_day,
    to_local,
    utcnow,
)
from caseflow.transaction import after_commit
from workflows._schema import STRING_MAX_CHARS, Guard, clock_extension

log = logging.getLogger(__name__)

#: A client's clock may run a little ahead of ours; beyond this an occurred_at is "in the future".
FUTURE_TOLERANCE = timedelta(seconds=5)

#: The notices area resolves these two party roles; applicants and exhibitors are those parties.
_PARTY_OF = {
    "complainant": "complainant",
    "applicant": "complainant",
    "respondent": "respondent",
    "exhibitor": "respondent",
}


# --- machines ----------------------------------------------------------------------------------


@cache
def machine_for(name: str) -> Machine:
    """The shared machine of workflow ``name``, built on first use."""
    wf = workflows.get(name)
    return Machine(
        model=None,
        states=[s.name for s in wf.STATES],
        transitions=[
            {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
            for t in wf.TRANSITIONS
        ],
        initial=wf.INITIAL,
        auto_transitions=False,
        send_event=True,
    )


def _transition_row(wf, trigger: str):
    row = workflows.transition(wf, trigger)
    if row is None:
        raise ValidationFailed(
            f"流程“{wf.LABEL}”没有操作“{trigger}”",
            message_en=f"workflow {wf.NAME} has no trigger {trigger!r}",
            fields={"trigger": "未知的操作 / unknown trigger"},
        )
    return row


# --- data validation ---------------------------------------------------------------------------

#: The longest text a field takes (a decision's findings run to a few thousand characters; fifty
#: thousand is far beyond any real document and far below what a PDF render can bear).
TEXT_MAX_CHARS = 50_000
#: The most operative items or terms one document carries.
LINES_MAX = 100


def _clean_text(value, *, limit=TEXT_MAX_CHARS):
    if not isinstance(value, str):
        raise ValueError("应为文本 / must be text")
    if "\x00" in value:
        # A NUL byte is never typed; PostgreSQL refuses it in text and a PDF cannot print it.
        raise ValueError("含有非法字符（NUL） / contains a NUL character")
    if len(value) > limit:
        raise ValueError(f"不能超过{limit}个字符 / longer than {limit} characters")
    return text_strip(value)


def clean_field(spec, value):
    """The cleaned value of one field, or raise ValueError with the reason (Chinese / English)."""
    if spec.type == "string":
        return _clean_text(value, limit=STRING_MAX_CHARS)
    if spec.type == "text":
        return _clean_text(value)
    if spec.type == "lines":
        if isinstance(value, str):
            raise ValueError("应为文本列表，每项一条 / must be a list of texts")
        if not isinstance(value, list) or len(value) > LINES_MAX:
            raise ValueError(f"应为不超过{LINES_MAX}项的文本列表 / a list of at most {LINES_MAX}")
        lines = [_clean_text(v) for v in value]
        if sum(len(v) for v in lines) > TEXT_MAX_CHARS:
            raise ValueError(f"合计不能超过{TEXT_MAX_CHARS}个字符 / longer than {TEXT_MAX_CHARS}")
        return [v for v in lines if v]
    if spec.type == "instant":
        if not isinstance(value, str):
            raise ValueError("应为 ISO 8601 时间 / must be an ISO 8601 instant")
        try:
            return parse_instant(value)
        except ValueError as exc:
            raise ValueError(instant_reason(exc)) from None
    if spec.type == "choice":
        from caseflow.cases.services import choice_clean

        # The Chinese half names the choices as the form shows them, the English their codes.
        return choice_clean(spec, value)
    if spec.type == "names":
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError("应为姓名列表 / must be a list of names")
        names = [_clean_text(v, limit=200) for v in value]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            # A panel of 张三, 张三, 张三 is one person: the odd-count guard must not count it as three.
            raise ValueError(f"姓名重复：{'、'.join(repeated)} / repeated: {', '.join(repeated)}")
        return names
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise ValueError("应为 true 或 false / must be true or false")
        return value
    if spec.type == "unit":
        if not isinstance(value, str):
            raise ValueError("应为单位代码 / must be a unit code")
        return value.strip()
    if spec.type == "amount":
        return _clean_amount(value)
    if spec.type in ("application_number", "patent_number"):
        from caseflow.patents import application_number_clean, patent_number_clean

        if not isinstance(value, str):
            raise ValueError("应为文本 / must be text")
        if spec.type == "application_number":
            return application_number_clean(value)
        return patent_number_clean(value)
    raise ValueError(f"unknown field type {spec.type}")


def _clean_amount(value):
    """A sum of RMB: a number (or numeric text) not below zero, to the fen; whole yuan as int."""
    if isinstance(value, bool):
        raise ValueError("应为金额（元） / must be an amount in RMB")
    if isinstance(value, str):
        try:
            value = float(value.replace(",", "").strip())
        except ValueError:
            raise ValueError("应为金额（元） / must be an amount in RMB") from None
    if not isinstance(value, int | float) or value != value or value in (float("inf"),):
        raise ValueError("应为金额（元） / must be an amount in RMB")
    if value < 0 or value > 10**12:
        raise ValueError("金额应在 0 至 1,000,000,000,000 元之间 / out of range")
    # RMB is paid to the fen: 1.001 元 is a typing error, not 1 元 (a notice must print what was
    # typed). The shortest decimal form of the number tells its places, as the user wrote them.
    places = Decimal(repr(value)).as_tuple().exponent  # finite here: an int
    if isinstance(places, int) and places < -2:
        raise ValueError("金额最多保留两位小数（分） / at most two decimals")
    value = round(float(value), 2)
    return int(value) if value.is_integer() else value


def _is_watch_clock(workflow_name: str, name: str) -> bool:
    definition = workflows.clock(workflows.get(workflow_name), name)
    return definition is not None and definition.watch


def _empty(value) -> bool:
    return value is None or value == "" or value == []


def _with_draft(case, row, data):
    """``data`` completed from the case's saved draft of the step's document: a drafted field the
    trigger's data leaves out is the draft's (notices.md: drafted on the case before the step)."""
    drafted = [f.name for f in row.fields if f.drafted]
    if not drafted or row.notice is None or not isinstance(data, dict):
        return data
    draft = ((case.data or {}).get("drafts") or {}).get(row.notice.kind) or {}
    out = dict(data)
    for name in drafted:
        if _empty(out.get(name)) and not _empty(draft.get(name)):
            out[name] = draft[name]
    return out


def _clean_photo(case, value):
    """A ``photo`` field: the id of evidence filed on this case (the web form uploads the photo
    first) becomes its id, name and SHA-256; a text reference (API clients) is kept as text."""
    from caseflow.cases.evidence import Evidence

    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        item = db.session.get(Evidence, int(value))
        if item is None or case is None or item.case_id != case.id:
            raise ValueError("不是本案的证据 / not evidence of this case")
        return {"evidence_id": item.id, "filename": item.filename, "sha256": item.sha256}
    if isinstance(value, str):
        return value.strip()
    raise ValueError("应为证据编号 / must be an evidence id")


def _clean_data(row, data: dict, case=None) -> dict:
    """``data`` checked against the trigger's fields: (cleaned data, with instants parsed)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationFailed(
            "data 应为 JSON 对象", message_en="data must be an object", fields={"data": "object"}
        )
    # Only the trigger's own fields reach the case: its data is merged into case.data, where
    # caseflow keeps what it computes (repeat_of, drafts, sessions) and a client must not write.
    declared = {spec.name for spec in row.fields}
    errors = {
        name: f"“{row.label}”没有此项 / not a field of {row.trigger}"
        for name in data
        if name not in declared
    }
    cleaned = {name: value for name, value in data.items() if name in declared}
    for spec in row.fields:
        value = data.get(spec.name)
        if not _empty(value):
            try:
                if spec.type == "photo":
                    value = _clean_photo(case, value)
                else:
                    value = clean_field(spec, value)
            except ValueError as exc:
                errors[spec.name] = f"{spec.label}：{exc}"
                continue
        if _empty(value):
            if spec.required:
                errors[spec.name] = f"必填：{spec.label} / required"
            cleaned.pop(spec.name, None)
            continue
        cleaned[spec.name] = value
    if errors:
        raise ValidationFailed(
            "请补全或更正：" + "；".join(errors.values()),
            message_en="invalid data: " + ", ".join(errors),
            fields=errors,
        )
    return cleaned


# --- guards ------------------------------------------------------------------------------------


def _reason(guard) -> str:
    """A guard's refusal as a field's reason: Chinese, then English."""
    return f"{guard.message} / {guard.message_en or guard.message}"


def _guard_clock_expired(case, guard, occurred_at, data):
    name = guard.params["clock"]
    clock = _latest_clock(case, name)
    if _waived(clock, guard):
        return
    if clock is None or clock.status == "paused" or clock.due_at > occurred_at:
        raise StateConflict(
            guard.message, message_en=guard.message_en, fields={"trigger": _reason(guard)}
        )


def _waived(clock, guard) -> bool:
    """``clock_expired`` with ``or_waived_by``: the step that ended this very clock recorded the
    party's waiver in that field (a waiver answers one notice: a new notice, a new period)."""
    field = guard.params.get("or_waived_by")
    if not field or clock is None or clock.status not in ("met", "breached"):
        return False
    stopped_by = _stopping_event(clock)
    return stopped_by is not None and bool((stopped_by.data or {}).get(field))


def _stopping_event(clock) -> Event | None:
    """The audit event of the step that stopped ``clock`` (its ``stop`` entry)."""
    return db.session.scalar(
        select(Event)
        .join(ClockEntry, ClockEntry.event_id == Event.id)
        .where(ClockEntry.clock_id == clock.id, ClockEntry.action == "stop")
        .limit(1)
    )


def _min_notice_first_day(case, guard, occurred_at) -> date:
    """The first day a ``min_notice`` guard accepts: the n-th working day after the notice."""
    from caseflow.calendar.periods import due_compute

    first_day = due_compute(occurred_at, guard.params["period"], unit_id=case.unit_id).due_on
    assert first_day is not None  # the guard's period counts days
    return first_day


def _guard_min_notice(case, guard, occurred_at, data):
    field = guard.params["field"]
    # The n-th working day after the notice is the first day the hearing may be held.
    first_day = _min_notice_first_day(case, guard, occurred_at)
    if data[field] < start_of_local_day(first_day):
        raise ValidationFailed(
            guard.message,
            message_en=guard.message_en,
            fields={
                field: f"{guard.message}（最早 {chinese_date(first_day)}） / "
                f"{guard.message_en or guard.message} (earliest {first_day.isoformat()})"
            },
        )


def _field_day(case, guard) -> date | None:
    """The local day of the instant the case's data holds in ``guard.params["field"]``."""
    value = (case.data or {}).get(guard.params["field"])
    if not isinstance(value, str) or not value:
        return None
    return local_date(parse_instant(value))


def _guard_not_before_field(case, guard, occurred_at, data):
    """The step happens no earlier than the day the case's data fixed for it (a hearing is
    recorded held on its day or later, never before it)."""
    day = _field_day(case, guard)
    if day is not None and local_date(occurred_at) < day:
        raise StateConflict(
            f"{guard.message}（{chinese_date(day)}起可操作）",
            message_en=f"{guard.message_en or guard.message} (from {day.isoformat()})",
            fields={
                "occurred_at": f"不能早于{chinese_date(day)} / not before {day.isoformat()}"
            },
        )


def _guard_odd_count(case, guard, occurred_at, data):
    field, minimum = guard.params["field"], guard.params["minimum"]
    count = len(data.get(field) or [])
    if count < minimum or count % 2 == 0:
        raise ValidationFailed(
            guard.message, message_en=guard.message_en, fields={field: guard.message}
        )


def _guard_min_count(case, guard, occurred_at, data):
    field, minimum = guard.params["field"], guard.params["minimum"]
    if len(data.get(field) or []) < minimum:
        raise ValidationFailed(
            guard.message, message_en=guard.message_en, fields={field: guard.message}
        )


def _guard_any_of(case, guard, occurred_at, data):
    """At least one of ``fields`` is given and not zero or false (a penalty proposes something)."""
    fields = guard.params["fields"]
    if not any(data.get(f) for f in fields):
        raise ValidationFailed(
            guard.message,
            message_en=guard.message_en,
            fields={f: f"{guard.message} / {guard.message_en}" for f in fields},
        )


def _guard_required_when(case, guard, occurred_at, data):
    """``data[field]`` is given wherever ``data[when]`` is given and not zero."""
    field, when = guard.params["field"], guard.params["when"]
    if data.get(when) and _empty(data.get(field)):
        raise ValidationFailed(
            guard.message,
            message_en=guard.message_en,
            fields={field: f"{guard.message} / {guard.message_en}"},
        )


def _guard_clock_settled(case, guard, occurred_at, data):
    """The case has no active clock of that name: the duty it tracks has been done."""
    name = guard.params["clock"]
    if _active_of(case, name, None) is not None:
        raise StateConflict(
            guard.message, message_en=guard.message_en, fields={"trigger": _reason(guard)}
        )


def _guard_clock_running(case, guard, occurred_at, data):
    """The clock is active and its period has not run out at ``occurred_at``; or, with
    ``or_ended_by``, one of those steps ended it early and its period still runs."""
    if not _clock_period_open(case, guard, occurred_at, None):
        raise StateConflict(
            guard.message, message_en=guard.message_en, fields={"trigger": _reason(guard)}
        )


def _guard_before_clock_due(case, guard, occurred_at, data):
    """The step happened before the case's running clock of that name ran out: an answer the
    party gave after its period is not that answer (a consent out of time is no consent). The
    instant is what counts, not when it is recorded: a timely answer may be recorded later."""
    name = guard.params["clock"]
    clock = _active_of(case, name, None)
    if clock is None or clock.status != "running" or occurred_at < clock.due_at:
        return
    definition = workflows.clock(workflows.get(case.workflow), name)
    label = definition.label if definition is not None else name
    # due_at is the instant after the period's last moment (a day period: the next midnight).
    last_day = local_date(clock.due_at - timedelta(microseconds=1))
    raise ValidationFailed(
        f"{guard.message}（期限已于{chinese_date(last_day)}届满）",
        message_en=f"{guard.message_en or guard.message} (the period ended on "
        f"{last_day.isoformat()})",
        fields={
            "occurred_at": f"晚于{label}（{chinese_date(last_day)}届满） / "
            f"after the period that ended on {last_day.isoformat()}"
        },
    )


def _clock_period_open(case, guard, at, clocks) -> bool:
    """``clock_running``'s test (the guard and ``guard_wait`` share it)."""
    name = guard.params["clock"]
    clock = _active_of(case, name, clocks)
    if clock is not None:
        return not (clock.status == "running" and clock.due_at <= at)
    ended_by = guard.params.get("or_ended_by") or ()
    ended = _latest_of(case, name, clocks)
    if not ended_by or ended is None or ended.status not in ("met", "breached"):
        return False
    # 行政处罚法 arts 63–64: a statement ends the statement period, not the right to ask for a
    # hearing within it; a period ended by any other step (a hearing asked for) stays ended.
    stopped_by = _stopping_event(ended)
    return stopped_by is not None and stopped_by.trigger in ended_by and ended.due_at > at


def _yuan(amount) -> str:
    return f"{amount:,.2f}".rstrip("0").rstrip(".")


def _guard_fine_bound(case, guard, occurred_at, data):
    """Patent Law art 68 [V]: a fine of at most ``multiple`` × the illegal income; at most
    ``ceiling`` where there is no illegal income or it is at most ``threshold``."""
    p = guard.params
    fine, income = data.get(p["fine"]), data.get(p["income"]) or 0
    if fine is None:
        return
    if income > p["threshold"]:
        bound = income * p["multiple"]
        why = f"违法所得{_yuan(income)}元的{p['multiple']}倍，即{_yuan(bound)}元"
        why_en = (
            f"{p['multiple']} times the illegal income of {_yuan(income)} RMB, i.e. "
            f"{_yuan(bound)} RMB"
        )
    else:
        bound = p["ceiling"]
        why = (
            f"无违法所得或违法所得在{_yuan(p['threshold'])}元以下的，最高可处{_yuan(bound)}元"
        )
        why_en = (
            f"{_yuan(bound)} RMB where there is no illegal income or it is at most "
            f"{_yuan(p['threshold'])} RMB"
        )
    if fine > bound:
        raise ValidationFailed(
            f"{guard.message}：{why}",
            message_en=f"{guard.message_en}: at most {why_en}",
            fields={p["fine"]: f"超过上限{_yuan(bound)}元 / over the bound of {_yuan(bound)} RMB"},
        )


def _guard_as_notified(case, guard, occurred_at, data):
    """The decision is no heavier than the notice announced (行政处罚法 arts 44–45, 62): each
    ``at_most`` amount at most the notified one, each ``same`` amount equal to it (absent counts
    as zero). The case's latest ``step`` event is the notice in force: a re-notification
    replaces it. No such step (the machine admits none): it passes."""
    p = guard.params
    notified = db.session.scalar(
        select(Event.data)
        .where(Event.case_id == case.id, Event.kind == "transition", Event.trigger == p["step"])
        .order_by(Event.id.desc())
        .limit(1)
    )
    if notified is None:
        return
    errors, errors_en = {}, []
    for field, told in p.get("at_most", {}).items():
        bound = notified.get(told) or 0
        if (data.get(field) or 0) > bound:
            errors[field] = f"超过事先告知的{_yuan(bound)}元 / over the {_yuan(bound)} RMB notified"
            errors_en.append(f"{field} over the {_yuan(bound)} RMB notified")
    for field, told in p.get("same", {}).items():
        expected = notified.get(told) or 0
        if (data.get(field) or 0) != expected:
            errors[field] = (
                f"与事先告知的{_yuan(expected)}元不一致 / not the {_yuan(expected)} RMB notified"
            )
            errors_en.append(f"{field} is not the {_yuan(expected)} RMB notified")
    if errors:
        labels = {f.name: f.label for t in workflows.get(case.workflow).TRANSITIONS for f in t.fields}
        raise ValidationFailed(
            f"{guard.message}："
            + "；".join(f"{labels.get(k, k)}{v.split(' / ')[0]}" for k, v in errors.items()),
            message_en=f"{guard.message_en}: " + "; ".join(errors_en),
            fields=errors,
        )


@dataclass(frozen=True)
class GuardWait:
    """Why a guard cannot pass at an instant, and from when it can (``guard_wait``).

    ``kind``:
    - ``until``: it passes by time alone from ``from_at`` (a clock's due instant; for a day-based
      clock the next day's 00:00 local, i.e. the rolled-over last day + 1);
    - ``clock``: a clock of its must first start (``clock_status`` ``missing``) or resume
      (``paused``) and then run out: no date can be told yet;
    - ``action``: a step must be done first (``actions``: the triggers that settle the clock);
    - ``never``: it can no longer pass (the clock ran out at ``ended_at``);
    - ``field``: it does not block the step, but the typed ``field`` must be on or after
      ``from_at`` (the start of the earliest day).
    """

    guard: Guard
    kind: str
    clock: str | None = None
    from_at: datetime | None = None
    period_unit: str = "days"
    clock_status: str | None = None
    ended_at: datetime | None = None
    actions: tuple = ()
    field: str | None = None

    @property
    def from_on(self) -> date | None:
        """The first local day on which the guard can pass."""
        return local_date(self.from_at) if self.from_at is not None else None

    @property
    def blocks(self) -> bool:
        """Whether the step cannot be done now, whatever is typed."""
        return self.kind != "field"


def _latest_clock(case, name):
    return db.session.scalars(
        select(Clock).where(Clock.case_id == case.id, Clock.name == name).order_by(Clock.id.desc())
    ).first()


def _settling_triggers(case, name) -> tuple:
    """The transitions from the case's state that stop or cancel clock ``name``."""
    wf = workflows.get(case.workflow)
    return tuple(
        t
        for t in wf.TRANSITIONS
        if case.state in t.sources
        and any(e.clock == name and e.action in ("stop", "cancel") for e in t.clocks)
    )


def _latest_of(case, name, clocks: list[Clock] | None):
    """The case's latest clock ``name``: from ``clocks`` (every clock of the case, as the case
    page has read them) when given, else read."""
    if clocks is None:
        return _latest_clock(case, name)
    return max((c for c in clocks if c.name == name), key=lambda c: c.id, default=None)


def _active_of(case, name, clocks: list[Clock] | None):
    """The case's running or paused clock ``name`` (there is at most one), as ``_latest_of``."""
    if clocks is None:
        return db.session.scalars(
            select(Clock).where(
                Clock.case_id == case.id,
                Clock.name == name,
                Clock.status.in_(ACTIVE),
            )
        ).first()
    return next((c for c in clocks if c.name == name and c.status in ACTIVE), None)


def guard_wait(
    case: Case, guard: Guard, at: datetime, clocks: list[Clock] | None = None
) -> GuardWait | None:
    """What ``guard`` waits for on ``case`` at ``at``: None when time does not hold it back
    (it passes now, or it depends only on the data typed: ``odd_count``, ``min_count``,
    ``fine_bound``, ``as_notified``, ``any_of``, ``required_when``).
    ``clocks``: every clock of the case, when the caller has read them (the case page).

    The instants are exactly the guards' own tests (``GUARDS``), so a step offered as possible
    "from" a day passes its guard from that day's first instant and not one microsecond before.
    """
    name = guard.params.get("clock")
    if guard.name == "clock_expired":
        clock = _latest_of(case, name, clocks)
        if _waived(clock, guard):
            return None
        if clock is None or clock.status == "paused":
            status = "missing" if clock is None else "paused"
            return GuardWait(guard, "clock", clock=name, clock_status=status)
        if clock.due_at > at:
            return GuardWait(
                guard, "until", clock=name, from_at=clock.due_at, period_unit=clock.period_unit
            )
        return None
    if guard.name == "clock_settled":
        if _active_of(case, name, clocks) is None:
            return None
        return GuardWait(guard, "action", clock=name, actions=_settling_triggers(case, name))
    if guard.name == "clock_running":
        clock = _active_of(case, name, clocks)
        if _clock_period_open(case, guard, at, clocks):
            return None
        if clock is None:
            ended = _latest_of(case, name, clocks)
            return GuardWait(
                guard,
                "never",
                clock=name,
                ended_at=ended.due_at if ended is not None else None,
                period_unit=ended.period_unit if ended is not None else "days",
            )
        if clock.status == "running" and clock.due_at <= at:
            return GuardWait(
                guard, "never", clock=name, ended_at=clock.due_at, period_unit=clock.period_unit
            )
        return None
    if guard.name == "not_before_field":
        day = _field_day(case, guard)
        if day is not None and at < start_of_local_day(day):
            return GuardWait(guard, "until", from_at=start_of_local_day(day))
        return None
    if guard.name == "min_notice":
        first_day = _min_notice_first_day(case, guard, at)
        return GuardWait(
            guard, "field", field=guard.params["field"], from_at=start_of_local_day(first_day)
        )
    return None


def transition_waits(
    case: Case, transition, at: datetime, clocks: list[Clock] | None = None
) -> list[GuardWait]:
    """``guard_wait`` for each of ``transition``'s guards that time holds back at ``at``."""
    return [w for g in transition.guards if (w := guard_wait(case, g, at, clocks)) is not None]


#: Guard implementations by the name the workflow modules use (``workflows._schema.Guard``).
GUARDS = {
    "any_of": _guard_any_of,
    "as_notified": _guard_as_notified,
    "before_clock_due": _guard_before_clock_due,
    "clock_expired": _guard_clock_expired,
    "clock_running": _guard_clock_running,
    "clock_settled": _guard_clock_settled,
    "fine_bound": _guard_fine_bound,
    "min_count": _guard_min_count,
    "min_notice": _guard_min_notice,
    "not_before_field": _guard_not_before_field,
    "odd_count": _guard_odd_count,
    "required_when": _guard_required_when,
}


def _effect_credit_record(case, row, event, data, *, actor, at, notice):
    from caseflow.credit.services import credit_records_for_decision

    credit_records_for_decision(case, event=event, data=data, actor=actor, at=at, notice=notice)


def _effect_right_number(case, row, event, data, *, actor, at, notice):
    """The granted patent's number becomes the case's right (notices print right.number)."""
    if data.get("patent_number"):
        case.right = {**(case.right or {}), "number": data["patent_number"]}


#: Effects a transition names (``Transition.effects``), run in its transaction after the state
#: changed and the notice was queued.
EFFECTS = {"credit_record": _effect_credit_record, "right_number": _effect_right_number}


# --- clocks ------------------------------------------------------------------------------------


def _apply_clocks(case, row, *, at, actor, event, note, data):
    """The row's clock effects, in order. The clock services ignore a stop, pause or resume of a
    clock the case does not have active (e.g. ``closing_target`` where no target was promised).
    An effect with a ``when`` applies only where ``data[when]`` is given and not zero or false."""
    from caseflow.clocks import services as clocks

    for effect in row.clocks:
        name = effect.clock
        if effect.when is not None and not data.get(effect.when):
            continue
        if effect.action == "stop_all":
            clocks.clocks_stop_all(case, at=at, actor=actor, event=event)
        elif effect.action == "pause_all":
            clocks.clocks_pause_all(case, at=at, actor=actor, event=event)
        elif effect.action == "resume_all":
            clocks.clocks_resume_all(case, at=at, actor=actor, event=event)
        elif effect.action == "start":
            try:
                clock_start_defined(case, name, started_at=at, actor=actor, event=event)
            except StateConflict:
                # A new order restarts its clock (compliance: rectification → withdrawal). The
                # refusal comes before the clock service writes anything.
                clocks.clock_stop(case, name, at=at, actor=actor, event=event)
                clock_start_defined(case, name, started_at=at, actor=actor, event=event)
        elif effect.action == "stop" and _is_watch_clock(case.workflow, name):
            # Someone else's deadline: ending it is never the centre's met or breached.
            clocks.clock_cancel(case, name, at=at, actor=actor, event=event)
        elif effect.action == "stop":
            clocks.clock_stop(case, name, at=at, actor=actor, event=event)
        elif effect.action == "cancel":
            clocks.clock_cancel(case, name, at=at, actor=actor, event=event)
        elif effect.action == "pause":
            clocks.clock_pause(case, name, at=at, actor=actor, event=event)
        elif effect.action == "resume":
            clocks.clock_resume(case, name, at=at, actor=actor, event=event)
        elif effect.action == "extend":
            clock_def = workflows.clock(workflows.get(case.workflow), name)
            assert clock_def is not None  # tests/workflows: every clock named is defined
            step, maximum = clock_extension(clock_def, profile=case.unit.profile)
            try:
                clocks.clock_extend(
                    case, name, by=step, at=at, actor=actor, event=event, maximum=maximum, note=note
                )
            except ValidationFailed as exc:
                # The service names its own argument (by); the step's request sends no period
                # (the workflow sets it): what is refused is the step itself.
                raise ValidationFailed(
                    exc.message,
                    message_en=exc.message_en,
                    fields={"trigger": "；".join(exc.fields.values())},
                ) from None


# --- linked cases ------------------------------------------------------------------------------


def _open_linked(case, row, data, *, actor, at):
    """The case ``row.opens`` asks for, if ``data`` asks for it; linked to ``case``."""
    from caseflow.accounts.models import Unit
    from caseflow.cases.services import case_open_linked

    spec = row.opens
    if spec is None or data.get(spec.when_field) not in spec.when_values:
        return None
    target_workflow = spec.workflow or data[spec.workflow_field]
    target_workflow = spec.workflow_of.get(target_workflow, target_workflow)
    target = workflows.get(target_workflow)
    if target.OPENING.complainant and not case.complainant_name:
        # An adjudication or a mediation is a named party's request: an anonymous report can
        # become a penalty clue, never someone's dispute.
        raise ValidationFailed(
            f"匿名举报不能转为“{target.LABEL}”：请求人须具名",
            message_en=f"an anonymous report cannot become a {target_workflow} case",
            fields={
                spec.when_field: f"匿名举报不能转为{target.LABEL} / an anonymous report cannot "
                f"become a {target_workflow} case"
            },
        )
    unit = case.unit
    code = data.get(spec.unit_field) if spec.unit_field else None
    if code and unit.kind != "fair_desk" and str(code).strip() != unit.code:
        # A centre decides its own linked case (a failed mediation's adjudication): it hands
        # nothing to another centre this way.
        raise ValidationFailed(
            f"本案由{unit.name}受理，不能指定其他接收单位",
            message_en=f"the linked case stays at {unit.code}; name no other unit",
            fields={
                spec.unit_field: f"保护中心的案件由本中心受理，请留空 / stays at {unit.code}: "
                "leave it empty"
            },
        )
    if not code and spec.unit_field and unit.kind == "fair_desk":
        # A fair desk decides nothing after the fair: the linked case needs its receiving centre.
        raise ValidationFailed(
            "请选择接收单位",
            message_en="name the receiving centre",
            fields={spec.unit_field: "必填：接收单位 / required: the receiving centre"},
        )
    if code:
        unit = db.session.scalars(select(Unit).where(Unit.code == str(code).strip())).first()
        if unit is None:
            raise ValidationFailed(
                f"接收单位不存在：{code}",
                message_en=f"no such receiving centre {code}",
                fields={spec.unit_field: "未知的单位代码 / unknown unit code"},
            )
        if unit.kind == "fair_desk":
            # A desk closes with its fair: the case needs a centre to decide it after.
            raise ValidationFailed(
                f"{unit.name}（{unit.code}）是展会投诉站，不能接收移交的案件，请选择保护中心",
                message_en=f"{unit.code} is a fair desk and cannot receive the case; name a centre",
                fields={
                    spec.unit_field: "展会投诉站不能接收，请选择保护中心 / a fair desk cannot "
                    "receive it: name a centre"
                },
            )
    linked = case_open_linked(
        case,
        workflow=target_workflow,
        unit=unit,
        actor=actor,
        at=at,
        received_at=at if spec.received_at_step else None,
    )
    db.session.add(CaseLink(source=case, target=linked, kind=spec.kind))
    from caseflow.parties.services import consents_carry_over

    consents_carry_over(case, linked)
    return linked


# --- firing ------------------------------------------------------------------------------------


def _check_scope(case: Case, actor: Actor | None) -> None:
    if actor is None or not actor.can_see_unit(case.unit_id):
        # Like a missing case: another unit's case numbers cannot be confirmed.
        raise NotFound("案件不存在", message_en="No such case")


def _occurred_at(case, occurred_at, now):
    if occurred_at is None:
        occurred_at = now
    elif isinstance(occurred_at, str):
        try:
            occurred_at = parse_instant(occurred_at)
        except ValueError as exc:
            zh, _, en = instant_reason(exc).partition(" / ")
            raise ValidationFailed(
                f"发生时间不正确：{zh}",
                message_en=f"occurred_at: {en}",
                fields={"occurred_at": instant_reason(exc)},
            ) from None
    elif occurred_at.tzinfo is None:
        raise ValidationFailed(
            "发生时间须带时区",
            message_en="occurred_at needs a UTC offset",
            fields={"occurred_at": "naive"},
        )
    if occurred_at > now + FUTURE_TOLERANCE:
        raise ValidationFailed(
            "发生时间不能晚于现在",
            message_en="occurred_at is in the future",
            fields={"occurred_at": "不能是将来的时间 / in the future"},
        )
    if case.last_event_at and occurred_at < case.last_event_at:
        last = to_local(case.last_event_at)
        shown = f"{last.year}年{last.month}月{last.day}日 {last:%H:%M}"
        raise ValidationFailed(
            f"发生时间不能早于上一操作（{shown}）",
            message_en=f"occurred_at is before the previous event ({iso(case.last_event_at)})",
            fields={
                "occurred_at": f"不能早于上一操作（{shown}） / "
                f"must not be before the previous step ({last:%Y-%m-%d %H:%M})"
            },
        )
    return occurred_at


def case_fire(
    case: Case,
    trigger: str,
    actor: Actor,
    *,
    occurred_at=None,
    note: str = "",
    data: dict | None = None,
    version: int | None = None,
    render_notices: bool | None = None,
) -> Event:
    """Fire ``trigger`` on ``case`` as ``actor``; the transition's audit event. The caller commits.

    It is flushed, not committed: the page, the API request, the CLI command or the job that
    called it commits (``caseflow/transaction.py``). A ``caseflow.errors.DomainError`` (or any
    failure) rolls the transaction back whole, the caller's earlier work in it included: a step
    is all or nothing, and the edge would discard a refused request's writes anyway. (No
    savepoint: SQLite's driver releases one as a commit when it has not begun the transaction.)
    ``render_notices=False`` leaves the queued notices pending (the scheduler's retry renders
    them); the default is the app's ``CASEFLOW_RENDER_NOTICES_INLINE`` (true unless set false).
    Rendering is registered to run after that commit, never before and never on a rollback.
    """
    if render_notices is None:
        render_notices = current_app.config.get("CASEFLOW_RENDER_NOTICES_INLINE", True)
    try:
        event, notice_ids = _fire(case, trigger, actor, occurred_at, note, data, version)
    except StaleDataError:
        db.session.rollback()
        raise VersionConflict.stale_write() from None
    except Exception:
        db.session.rollback()
        raise
    log.info("case %s: %s by %s → %s", case.number, trigger, actor.username, case.state)
    if notice_ids and render_notices:
        after_commit(db.session, _render_after_commit, notice_ids)
    return event


def _render_after_commit(notice_ids):
    try:
        from caseflow.notices.services import notices_render_pending

        notices_render_pending(notice_ids)
    except Exception:  # the step is committed; the notices stay pending for the retry
        log.exception("notices %s: rendering after commit failed", notice_ids)
        db.session.rollback()


def _fire(case: Case, trigger: str, actor: Actor, occurred_at, note, data, version):
    _check_scope(case, actor)
    wf = workflows.get(case.workflow)
    row = _transition_row(wf, trigger)
    # A party firing through its own link (parties.md §5) carries the triggers it may fire.
    if actor.role not in row.roles and trigger not in getattr(actor, "party_triggers", ()):
        raise PermissionDenied(
            f"“{row.label}”须由{'或'.join(ROLE_LABELS[r] for r in row.roles)}办理",
            message_en=f"{trigger} needs the role {' or '.join(row.roles)}",
        )
    # Lock the row: concurrent steps on one case queue here and the losers see the new version
    # (caseflow/cases/locks.py; on SQLite the versioned UPDATE is the guard).
    case_lock(case)
    if version is not None and version != case.version:
        raise VersionConflict(
            "案件已被他人修改，请刷新后重试",
            message_en=f"stale version {version}; the case is at version {case.version}",
            fields={"version": f"当前版本 {case.version} / now at version {case.version}"},
        )
    from_state = case.state
    if from_state not in row.sources:
        state = workflows.state(wf, from_state)
        why = f"案件处于“{state.label if state else from_state}”，不能“{row.label}”"
        raise StateConflict(
            why,
            message_en=f"{trigger} is not allowed in state {from_state}",
            fields={"trigger": f"{why} / not allowed in {from_state}"},
        )
    now = utcnow()
    at = _occurred_at(case, occurred_at, now)
    cleaned = _clean_data(row, _with_draft(case, row, data), case)
    for guard in row.guards:
        GUARDS[guard.name](case, guard, at, cleaned)
    note = note or ""

    dest = row.dest or from_state
    if row.returns_to:
        dest = _state_before(case, from_state, row.returns_to)
    stored = {k: (iso(v) if hasattr(v, "tzinfo") else v) for k, v in cleaned.items()}
    # Written at once (the clock history rows and the notice name it), not by the flush.
    event = row_insert(
        Event,
        # The id, not the relationship: no backref into case.events (the commit expires it).
        case_id=case.id,
        kind="transition",
        actor_id=actor.id,
        actor_name=getattr(actor, "actor_name", None),
        trigger=trigger,
        from_state=from_state,
        to_state=dest,
        occurred_at=at,
        recorded_at=now,
        note=note,
        data=stored,
    )
    from caseflow.clocks.services import clocks_batch

    # One read of the case's active clocks, no flush between the effects, next_due_at once.
    with clocks_batch(case):
        _apply_clocks(
            case,
            row,
            at=at,
            actor=actor,
            event=event,
            note=cleaned.get("reason") or note,
            data=cleaned,
        )
    linked = _open_linked(case, row, cleaned, actor=actor, at=at)
    if linked is not None:
        event.data = {**stored, "linked_case": linked.number}

    # The case row last, so the clock services' flushes do not each rewrite it.
    try:
        machine_for(case.workflow).events[trigger].trigger(case)
    except MachineError as exc:  # already checked above; kept as the machine's last word
        raise StateConflict(
            str(exc), fields={"trigger": f"此状态下不能办理 / not allowed in {from_state}"}
        ) from None
    if row.returns_to:
        case.state = dest
    case.data = {**(case.data or {}), **stored}
    case.last_event_at = at
    case.version = case.version + 1
    reached = workflows.state(wf, case.state)
    assert reached is not None  # tests/workflows: every destination is a declared state
    if reached.final:
        case.is_closed, case.closed_at = True, at
    notice_ids = []
    notice_due = (
        row.notice is not None
        and case.channel not in row.notice.unless_channels
        # An anonymous reporter has no name to write to (SAMR Order 20 art 31: only a real-name
        # reporter is told the decision).
        and not (_PARTY_OF.get(row.notice.addressee) == "complainant" and not case.complainant_name)
    )
    if notice_due:
        from caseflow.notices.services import notice_queue

        # The counter's upsert need not flush the step first: notice_queue flushes it all once.
        with db.session.no_autoflush:
            notice = notice_queue(
                case=case,
                kind=row.notice.kind,
                event=event,
                addressee=_PARTY_OF.get(row.notice.addressee, row.notice.addressee),
            )
            notice_ids.append(notice.id)
            for role in row.notice.also_to:
                # Each party is told of the step in a notice of its own (a case may name no
                # respondent yet: then there is nobody to write to).
                if _PARTY_OF[role] == "respondent" and not case.respondent_name:
                    continue
                copy = notice_queue(
                    case=case, kind=row.notice.kind, event=event, addressee=_PARTY_OF[role]
                )
                notice_ids.append(copy.id)
    for name in row.effects:
        EFFECTS[name](
            case, row, event, cleaned, actor=actor, at=at, notice=notice if notice_due else None
        )
    # Written now, inside the step: a stale version raises here. The case and its clocks as
    # plain statements (caseflow/step_writes.py), the rest through the flush.
    step_flush(case)
    return event, notice_ids


def _state_before(case, current: str, allowed: tuple) -> str:
    """The state the case was in before it entered ``current`` (its last transition into it), if
    one of ``allowed``; else the first of them."""
    previous = db.session.scalar(
        select(Event.from_state)
        .where(Event.case_id == case.id, Event.kind == "transition", Event.to_state == current)
        .order_by(Event.id.desc())
        .limit(1)
    )
    if isinstance(previous, str) and previous in allowed:
        return previous
    return allowed[0]


# --- reading -----------------------------------------------------------------------------------


def available_triggers(case: Case, user: Actor | None) -> list:
    """The transition rows ``user`` may fire on ``case`` now (role, unit and state; the guards
    are checked when fired)."""
    if user is None or not user.can_see_unit(case.unit_id):
        return []
    wf = workflows.get(case.workflow)
    return [t for t in wf.TRANSITIONS if case.state in t.sources and user.role in t.roles]


def field_describe(f) -> dict:
    out = {"name": f.name, "type": f.type, "label": f.label, "required": f.required}
    if f.choices:
        out["choices"] = [{"value": v, "label": label} for v, label in f.choices]
    if f.help:
        out["help"] = f.help
    if f.drafted:
        out["drafted"] = True
    return out


def transition_describe(t) -> dict:
    return {
        "trigger": t.trigger,
        "label": t.label,
        "sources": list(t.sources),
        "dest": t.dest,
        "roles": list(t.roles),
        "fields": [field_describe(f) for f in t.fields],
        "guards": [
            {"name": g.name, "params": dict(g.params), "message": g.message} for g in t.guards
        ],
        "clocks": [
            {"action": e.action, "clock": e.clock, **({"when": e.when} if e.when else {})}
            for e in t.clocks
        ],
        "notice": ({"kind": t.notice.kind, "addressee": t.notice.addressee} if t.notice else None),
        "opens": (
            {"kind": t.opens.kind, "workflow": t.opens.workflow or f"data.{t.opens.workflow_field}"}
            if t.opens
            else None
        ),
        "occurred_at_label": t.occurred_at_label or None,
        # dest null with returns_to: back to the state the case left (penalty's resume).
        "returns_to": list(t.returns_to),
        "effects": list(t.effects),
    }


def workflow_describe(name: str) -> dict:
    """Everything about a workflow a client needs: states, transitions with their forms, clocks."""
    wf = workflows.get(name)
    return {
        "name": wf.NAME,
        "code": wf.CODE,
        "label": wf.LABEL,
        "initial": wf.INITIAL,
        "states": [{"name": s.name, "label": s.label, "final": s.final} for s in wf.STATES],
        "transitions": [transition_describe(t) for t in wf.TRANSITIONS],
        "clocks": [
            {
                "name": c.name,
                "label": c.label,
                "period": c.period,
                "variant_key": c.variant_key,
                "variants": dict(c.variants),
                "fixed": c.fixed,
                "cap": c.cap,
                "start_basis": c.start_basis,
                "extension_step": c.extension_step,
                "extension_max": c.extension_max,
                "basis": c.basis,
                "evidence": c.evidence,
            }
            for c in wf.CLOCKS
        ],
        "opening_clocks": list(wf.OPENING_CLOCKS),
    }
