"""What every page of the UI shares: template filters, the alerts badge, workflow labels, roles.

Imported by each view module, so it registers once on the blueprint whatever the import order.
"""

from flask_babel import gettext

import workflows
from caseflow.web import bp
from caseflow.web import filters as f
from caseflow.web.filters import clock_label  # noqa: F401  (views import it from here)
from workflows._schema import clock_extension

_CHANNEL_LABELS = dict(getattr(workflows.WORKFLOWS["intake"], "CHANNELS", ()))


def _tr(text: str) -> str:
    """``gettext`` remembered for the request: a list page asks for the same few labels (a
    workflow, its states and clocks) once per row, and each gettext call looks up the locale."""
    from flask import has_request_context, request

    if not has_request_context():
        return gettext(text)
    # On the request itself: an application context (and its ``g``) may outlive one request.
    cache = request.environ.setdefault("caseflow.label_cache", {})
    found = cache.get(text)
    if found is None:
        found = cache[text] = gettext(text)
    return found


def channel_label(code: str | None) -> str:
    return gettext(_CHANNEL_LABELS[code]) if code in _CHANNEL_LABELS else (code or "")


def workflow_label(name: str) -> str:
    module = workflows.WORKFLOWS.get(name)
    return _tr(module.LABEL) if module else name


def state_label(workflow_name: str, state_name: str) -> str:
    module = workflows.WORKFLOWS.get(workflow_name)
    state = workflows.state(module, state_name) if module else None
    return _tr(state.label) if state else state_name


def clock_label_cached(workflow_name: str, clock_name: str) -> str:
    """``filters.clock_label`` with the translation remembered for the request (a list asks for
    the same few clocks once per row)."""
    module = workflows.WORKFLOWS.get(workflow_name)
    clock = workflows.clock(module, clock_name) if module else None
    return _tr(clock.label) if clock else clock_name


def trigger_label(workflow_name: str, trigger: str | None) -> str:
    if not trigger:
        return ""
    module = workflows.WORKFLOWS.get(workflow_name)
    transition = workflows.transition(module, trigger) if module else None
    return _tr(transition.label) if transition else trigger


def workflow_steps(workflow_name: str, current: str, visited: set[str]) -> list[dict]:
    """The states as a step list for the case page: done, current, or still ahead."""
    module = workflows.WORKFLOWS[workflow_name]
    steps = []
    for state in module.STATES:
        status = "current" if state.name == current else "done" if state.name in visited else ""
        steps.append(
            {
                "name": state.name,
                "label": gettext(state.label),
                "final": state.final,
                "status": status,
            }
        )
    return steps


def workflow_choices() -> list[tuple[str, str]]:
    return [(name, gettext(module.LABEL)) for name, module in workflows.WORKFLOWS.items()]


@bp.app_context_processor
def _web_globals():
    return {
        "workflow_label": workflow_label,
        "state_label": state_label,
        "clock_label": clock_label_cached,
        "trigger_label": trigger_label,
        "action_label": f.action_label,
        "clock_override_text": clock_override_text,
        "credit_setting_texts": credit_setting_texts,
        "doc_pattern_label": doc_pattern_label,
        "event_note": f.event_note,
        "event_details": f.event_details,
        "event_kind_label": f.event_kind_label,
        "number_example": _number_example(),
    }


def clock_name_label(name: str) -> str:
    """A clock's label by its name alone (unit profiles name clocks without a workflow)."""
    for module in workflows.WORKFLOWS.values():
        for clock in module.CLOCKS:
            if clock.name == name:
                return gettext(clock.label)
    return name


_VARIANTS = {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}
_RIGHT_KINDS = {"patent": "专利", "trademark": "商标", "copyright": "著作权", "unknown": "未注明"}


def right_type_label(code: str) -> str:
    """A right type as the annual report counts it (``patent:design``): 专利（外观设计）."""
    kind, _, variant = code.partition(":")
    label = gettext(_RIGHT_KINDS.get(kind, kind))
    if variant:
        label += f.in_parens(gettext(_VARIANTS.get(variant, variant)))
    return label


def clock_override_text(name: str, value) -> str:
    """One clock override of a unit profile as people read it: 授权目标期限：外观设计 10 个工作日."""
    if value is None:
        period = gettext("不计")
    elif isinstance(value, dict):
        period = (", " if f._english() else "，").join(
            f"{gettext(_VARIANTS.get(k, k))} {f.period_cn(v) if v else gettext('不计')}" for k, v in value.items()
        )
    else:
        period = f.period_cn(str(value))
    return f"{clock_name_label(name)}{': ' if f._english() else '：'}{period}"


def credit_setting_texts(credit: dict | None) -> list[str]:
    """A unit's credit settings (``profile["credit"]``, credit.md) as a supervisor reads them:
    较低数额罚款：低于 10,000 元. Keys the page does not know are left out, never shown raw."""
    texts = []
    for key, value in (credit or {}).items():
        if key == "small_fine_threshold" and isinstance(value, int | float):
            texts.append(gettext("较低数额罚款：低于 %(amount)s 元", amount=f"{value:,}"))
        elif key == "display" and value:
            texts.append(gettext("信用记录公示期限：%(period)s", period=f.period_cn(str(value))))
        elif key == "display_minor" and value:
            texts.append(
                gettext("警告或较低数额罚款的公示期限：%(period)s", period=f.period_cn(str(value)))
            )
        elif key == "repair_after" and value:
            texts.append(gettext("公示满 %(period)s后可申请信用修复", period=f.period_cn(str(value))))
        elif key == "credit_auto_publish":
            texts.append(gettext("记录后自动公示") if value else gettext("经部门负责人确认后公示"))
    return texts


def doc_pattern_label(kind: str) -> str:
    """The document a 文号 pattern of a unit profile numbers (默认文号格式 for ``default``)."""
    from caseflow.notices.kinds import KINDS

    if kind == "default":
        return gettext("默认文号格式")
    return gettext(KINDS[kind][0]) if kind in KINDS else kind


def _number_example() -> str:
    """A case number in the user's own unit's shape, for placeholders (never another unit's)."""
    from flask_login import current_user

    from caseflow.timeutil import local_date, utcnow

    unit = getattr(current_user, "unit", None) if getattr(current_user, "is_authenticated", False) else None
    if unit is None:
        return ""
    workflow = "fair_complaint" if unit.kind == "fair_desk" else "adjudication"
    code = getattr(workflows.get(workflow), "CODE", "")
    return f"{unit.code}-{code}-{local_date(utcnow()).year}-00123"


for _name, _filter in {
    "clock_due_text": f.clock_due_text,
    "alert_due_text": f.alert_due_text,
    "alert_provisional": f.alert_provisional,
    "deadline_text": f.deadline_text,
    "file_size": f.file_size,
    "hours_until": f.hours_until,
    "period_cn": f.period_cn,
    "in_language": f.in_language,
    "channel_cn": channel_label,
}.items():
    bp.add_app_template_filter(_filter, _name)


def countdown_counter(period_unit: str, unit_id: int | None):
    """How the countdown beside a clock counts days: ``workdays_between`` on its unit's calendar
    for a working-day clock, None (calendar days, or hours) otherwise."""
    if period_unit != "workdays":
        return None
    from flask import g

    from caseflow.calendar.periods import calendar_for_context

    # One calendar per unit and request: a page counts days for many clocks, and a unit's
    # local closures (a typhoon day) are not working days for its clocks.
    if "web_calendars" not in g:
        g.web_calendars = {}
    if unit_id not in g.web_calendars:
        g.web_calendars[unit_id] = calendar_for_context(unit_id)
    return g.web_calendars[unit_id].workdays_between


def _countdown(clock, now=None):
    """The countdown shown beside a clock: working days for day-based clocks, hours for fairs."""
    unit_id = clock.case.unit_id if clock.case is not None else None
    return f.countdown(clock, now, workdays_between=countdown_counter(clock.period_unit, unit_id))


bp.add_app_template_global(_countdown, "countdown")


def _clock_squeeze_text(clock) -> str:
    """本期限内仅 16 个工作日（通常约 21 个） for a running calendar-day clock whose period a
    holiday squeezes (counted on the current calendar, so a newly loaded year updates it)."""
    from flask import g

    from caseflow.supervision.squeeze import clock_squeeze

    if not clock.is_active:
        return ""
    if "web_calendars" not in g:
        g.web_calendars = {}
    unit_id = clock.case.unit_id if clock.case is not None else None
    if unit_id not in g.web_calendars:
        from caseflow.calendar.periods import calendar_for_context

        g.web_calendars[unit_id] = calendar_for_context(unit_id)
    found = clock_squeeze(clock, g.web_calendars[unit_id])
    if found is None:
        return ""
    return gettext(
        "本期限内仅 %(n)s 个工作日（通常约 %(usual)s 个）", n=found.workdays, usual=found.usual
    )


def _clock_period_text(clock) -> str:
    """3 个月, and for an extended clock 3 个月（已延长 1 个月）: the extension in its step's unit
    (the definition's, or the unit profile's override)."""
    text = f.period_cn(clock.period)
    if not clock.extended or clock.case is None:
        return text
    definition = workflows.clock(workflows.get(clock.case.workflow), clock.name)
    step = clock_extension(definition, profile=clock.case.unit.profile)[0] if definition else None
    unit = str(step).partition(" ")[2] if step else clock.period_unit
    extension = f.period_cn(f"{clock.extended} {unit}")
    return gettext("%(period)s（已延长 %(extension)s）", period=text, extension=extension)


bp.add_app_template_global(_clock_squeeze_text, "clock_squeeze_text")
bp.add_app_template_global(_clock_period_text, "clock_period_text")
bp.add_app_template_global(f.clock_state, "clock_state")
bp.add_app_template_global(f.BADGE_LABELS, "BADGE_LABELS")


def unit_workflows(unit) -> list[str]:
    """The workflows a unit runs: a fair desk its complaints; a centre the rest (pre-examination
    only where its profile names technical fields). No unit (an admin): all."""
    if unit is None:
        return list(workflows.WORKFLOWS)
    if unit.kind == "fair_desk":
        return ["fair_complaint"]
    names = [name for name in workflows.WORKFLOWS if name != "fair_complaint"]
    if not (unit.profile or {}).get("fields"):
        names = [name for name in names if name != "pre_exam"]
    return names


def state_choices(workflow_name: str | None = None, within=None) -> list[tuple[str, str]]:
    """States for the inbox filter: of one workflow, or of the workflows ``within`` (default all).
    One option per label: states of several workflows that read the same (已申请 is both
    adjudication's ``filed`` and mediation's ``requested``) share it, their names joined by
    commas."""
    names_in = [workflow_name] if workflow_name in workflows.WORKFLOWS else list(within or workflows.WORKFLOWS)
    by_label: dict[str, list[str]] = {}
    for name in names_in:
        for state in workflows.WORKFLOWS[name].STATES:
            states = by_label.setdefault(gettext(state.label), [])
            if state.name not in states:
                states.append(state.name)
    return [(",".join(states), label) for label, states in by_label.items()]
