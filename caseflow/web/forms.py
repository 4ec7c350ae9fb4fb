"""Flask-WTF forms of the web UI. Every message a person sees here is Chinese.

``trigger_form_class(transition)`` builds one form per trigger from the workflow's data
(``workflows._schema.Field``): the workflow module is the single place a step's fields are declared.
"""

import re
import secrets
from datetime import datetime

from flask_babel import LazyString, lazy_pgettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

import workflows
from caseflow.security import ID_MAX
from caseflow.text import is_blank
from caseflow.timeutil import FIRST_YEAR, LAST_YEAR, OutOfRange, check_year, parse_instant, utcnow
from workflows._schema import STRING_MAX_CHARS

REQUIRED = _l("此项为必填项")

#: A party that is not a person: 单位 here is an organisation (English "Organisation"), while the
#: same word heading a column of the admin pages is a unit of caseflow ("Unit").
PARTY_ORGANISATION = lazy_pgettext("party", "单位")

def row_id(raw) -> int | None:
    """A row id typed or posted as text, or None when it cannot name a row (beyond ``ID_MAX``, the
    columns' range, it would overflow the driver rather than find nothing)."""
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= ID_MAX:
        return None
    return int(text)


def field_errors_apply(form, fields: dict | None, name_of=lambda key: key) -> dict:
    """Put a service's field errors (``ValidationFailed.fields``) beside the form's fields, each
    under the field ``name_of(key)`` names. Returns the errors no field took, for the caller to
    show above the form."""
    from caseflow.web.filters import in_language

    left = {}
    for key, reason in (fields or {}).items():
        field = getattr(form, name_of(key), None)
        if field is not None and hasattr(field, "errors") and isinstance(reason, str):
            text = in_language(reason)
            # A service's bare "required" reads beside a field as the form's own check does.
            field.errors = [*list(field.errors), str(REQUIRED) if text == "required" else text]
        else:
            left[key] = reason
    return left


def options(*pairs) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms options: wtforms 3.3 deprecates plain tuples as
    ``SelectField`` choices (removed in 3.4); ``SelectChoice`` is its replacement."""
    return [SelectChoice(value, label) for value, label in pairs]


PATENT_TYPE_CHOICES = options(
    ("", "—"),
    ("invention", _l("发明")),
    ("utility_model", _l("实用新型")),
    ("design", _l("外观设计")),
)


class _Required(DataRequired):
    """DataRequired that also takes text of invisible characters only (a pasted zero-width
    space, a byte-order mark) for blank (``caseflow.text``)."""

    def __call__(self, form, field):
        if isinstance(field.data, str) and is_blank(field.data):
            field.errors[:] = []
            raise StopValidation(self.message)
        super().__call__(form, field)


def _required():
    return _Required(message=REQUIRED)


#: Dates are typed, not picked: the browser's date widgets follow the browser's own language (a
#: Chromium set to English shows mm/dd/yyyy even on a zh-CN page), and a desk officer types
#: 2026-10-23 faster than they click through a calendar. The placeholder shows the format (never
#: an example date: one printed into the page goes stale, and looks like a value already typed).
DATE_FORMAT = _l("年-月-日")
DATETIME_FORMAT = _l("年-月-日 时:分")
DATE_INPUT = {"type": "text", "inputmode": "numeric", "size": 12}
DATETIME_INPUT = {"type": "text", "size": 18}


_DATE_SHAPE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2}))?\s*$")


def _impossible_or_malformed(raw: str, *, with_time: bool):
    """The reason a typed date is refused: a date that does not exist (2026-12-32, 2027-02-29,
    25:00) is told apart from one typed in the wrong shape."""
    match = _DATE_SHAPE.match(raw or "")
    if match:
        return _l("没有这个日期或时间：%(value)s（请核对月份的天数和时刻）", value=(raw or "").strip())
    if with_time:
        return _l("日期时间格式不正确，应为 年-月-日 时:分，如 %(example)s", example=_example_instant())
    return _l("日期格式不正确，应为 年-月-日，如 %(example)s", example=_example_date())


def _year_out_of_range():
    return _l("年份应在%(first)s至%(last)s年之间", first=FIRST_YEAR, last=LAST_YEAR)


def _example_date() -> str:
    from caseflow.timeutil import local_date

    return local_date(utcnow()).isoformat()


def _example_instant() -> str:
    return _example_date() + " 09:30"


class LocalDateTimeField(StringField):
    """A typed date and time (``2026-10-23 14:30``, also ``2026-10-23T14:30``) read as
    Asia/Shanghai time; ``data`` is an aware UTC instant."""

    def __init__(self, *args, **kwargs):
        render_kw = kwargs.setdefault("render_kw", {})
        for key, value in DATETIME_INPUT.items():
            render_kw.setdefault(key, value)
        super().__init__(*args, **kwargs)

    def __call__(self, **kwargs):
        if "placeholder" not in self.render_kw:
            kwargs.setdefault("placeholder", str(DATETIME_FORMAT))
        return super().__call__(**kwargs)

    def process_formdata(self, valuelist):
        self.raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not self.raw:
            return
        try:
            self.data = parse_instant(self.raw)
        except OutOfRange as exc:
            raise ValueError(_year_out_of_range()) from exc
        except ValueError as exc:
            self.data = None
            raise ValueError(_impossible_or_malformed(self.raw, with_time=True)) from exc

    def pre_validate(self, form):
        # A typed value that is not a date must say so: without this, DataRequired (which clears
        # the field's errors) would report an impossible 2026-12-32 as "required".
        if self.process_errors:
            raise StopValidation()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, datetime):
            from caseflow.timeutil import to_local

            return to_local(self.data).strftime("%Y-%m-%d %H:%M")
        return ""


class LocalDateField(DateField):
    """A typed calendar date, ``2026-10-23``; a wrong one is refused in Chinese."""

    def __init__(self, *args, **kwargs):
        render_kw = kwargs.setdefault("render_kw", {})
        for key, value in DATE_INPUT.items():
            render_kw.setdefault(key, value)
        super().__init__(*args, **kwargs)

    def __call__(self, **kwargs):
        if "placeholder" not in self.render_kw:
            kwargs.setdefault("placeholder", str(DATE_FORMAT))
        return super().__call__(**kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata([v.strip() for v in valuelist])
        except ValueError as exc:
            raise ValueError(_impossible_or_malformed(valuelist[0] if valuelist else "", with_time=False)) from exc
        if self.data is not None:
            try:
                check_year(self.data)
            except OutOfRange as exc:
                self.data = None
                raise ValueError(_year_out_of_range()) from exc

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def _not_in_future(form, field):
    if field.data and field.data > utcnow():
        raise ValidationError(_l("时间不能晚于当前时间"))


class NamesField(TextAreaField):
    """A list of names, one per line (or separated by 、 , ，)."""

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        self.data = [name.strip() for name in re.split(r"[\n,，、;；]+", text) if name.strip()]

    def _value(self):
        return "\n".join(self.data or []) if isinstance(self.data, list) else (self.data or "")


def _lines_within_2000(form, field):
    if sum(len(line) for line in field.data or []) > 2000:
        raise ValidationError(_l("不超过2000字"))


class LinesField(TextAreaField):
    """Numbered items or terms: one per line (the document numbers them)."""

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        self.data = [line.strip() for line in text.splitlines() if line.strip()]

    def _value(self):
        return "\n".join(self.data or []) if isinstance(self.data, list) else (self.data or "")


#: A drafted text may be long (a decision's findings); the service holds it to 50,000 characters.
DRAFT_MAX = 50_000


def _help_join(*parts):
    """Help texts in the request's language, one after the other (the form classes are cached
    across requests, so the join is lazy)."""
    from caseflow.web.filters import punct

    return LazyString(lambda: punct("semicolon").join(str(part) for part in parts if part))


def _data_field(spec, *, drafted_in_trigger=False):
    """The WTForms field for one ``workflows._schema.Field``. In a trigger's form a drafted
    field may be left empty: the engine takes the saved draft."""
    required = spec.required and not drafted_in_trigger
    validators = [_required()] if required else [Optional()]
    help_text = _l(spec.help) if spec.help else ""
    if drafted_in_trigger:
        # Both: how to type it (每行一项) and where an empty field's text comes from.
        help_text = _help_join(help_text, _l("留空则使用已保存的草稿"))
    kwargs = {"label": _l(spec.label), "description": help_text}
    if spec.type == "lines":
        return LinesField(validators=validators, render_kw={"rows": 4}, **kwargs)
    if spec.drafted and spec.type == "text":
        return TextAreaField(
            validators=[*validators, Length(max=DRAFT_MAX, message=_l("不超过50000字"))],
            render_kw={"rows": 6},
            **kwargs,
        )
    if spec.type in ("string", "application_number", "patent_number"):
        # The engine's limit for every client (workflows._schema.STRING_MAX_CHARS).
        too_long = _l("不超过%(n)s字", n=STRING_MAX_CHARS)
        return StringField(
            validators=[*validators, Length(max=STRING_MAX_CHARS, message=too_long)], **kwargs
        )
    if spec.type == "text":
        return TextAreaField(
            validators=[*validators, Length(max=4000, message=_l("不超过4000字"))], **kwargs
        )
    if spec.type == "instant":
        return LocalDateTimeField(validators=validators, **kwargs)
    if spec.type == "choice":
        choices = options(
            ("", _l("— 请选择 —")), *[(value, _l(label)) for value, label in spec.choices]
        )
        return SelectField(choices=choices, validators=validators, validate_choice=False, **kwargs)
    if spec.type == "names":
        return NamesField(validators=validators, **kwargs)
    if spec.type == "boolean":
        return BooleanField(validators=[Optional()], **kwargs)
    if spec.type == "amount":
        # RMB; the engine parses and bounds it (a fine over the art 68 bound is refused there).
        return StringField(
            validators=[*validators, Length(max=20)],
            render_kw={"inputmode": "decimal", "class": "amount"},
            **kwargs,
        )
    if spec.type == "unit":
        # Choices (the units that exist) are filled in per request: ``unit_choices_fill``.
        return SelectField(validators=validators, validate_choice=True, **kwargs)
    if spec.type == "photo":
        return FileField(
            validators=[FileRequired(message=REQUIRED)] if spec.required else [Optional()],
            render_kw={"accept": "image/*", "capture": "environment", "data-downscale": "1"},
            **kwargs,
        )
    return StringField(validators=validators, **kwargs)


def unit_choices_fill(form, *, exclude_kind: str = "fair_desk") -> None:
    """Offer the units that exist (protection centres, not fair desks) in every ``unit`` field."""
    from sqlalchemy import select

    from caseflow.accounts.models import Unit
    from caseflow.extensions import db

    units = None
    for name in getattr(form, "data_fields", ()):
        field = getattr(form, name)
        if isinstance(field, SelectField) and field.choices is None:
            if units is None:
                units = db.session.scalars(
                    select(Unit).where(Unit.kind != exclude_kind).order_by(Unit.code)
                ).all()
            field.choices = options(("", _l("— 请选择 —")), *((u.code, f"{u.name}（{u.code}）") for u in units))


#: Steps the desk cannot take back: the orders and every outcome that ends the complaint. The web
#: form asks for a second, explicit tap, and first for the text that goes onto the notice (what
#: must be done, the agreed terms) when the step has one: an order's text is optional for the API,
#: but a notice printed at the desk with a stock clause tells the exhibitor nothing (the agreed
#: terms the workflow requires everywhere: an agreement carries them, notices.md).
#: (procedures.md §5)
IRREVERSIBLE = {
    ("fair_complaint", "order_rectification"): "measures",
    ("fair_complaint", "order_withdrawal"): "items",
    ("fair_complaint", "find_not_infringing"): None,
    ("fair_complaint", "mediate"): "terms",
}


def step_warning(workflow_name: str, transition):
    """What the case page says above the confirmation of a step that cannot be taken back: one
    that ends the case or issues a notice (the notice is numbered and served at once). None for
    a step that can be corrected by a later one."""
    target = workflows.state(workflows.get(workflow_name), transition.dest)
    ends = bool(target and target.final)
    if ends and transition.notice:
        return _l("此操作不能撤回：案件即告办结，所有时限停止，文书将立即出具。")
    if ends:
        return _l("此操作不能撤回：案件即告办结，所有时限停止。")
    if transition.notice:
        return _l("此操作不能撤回，文书将立即出具。")
    return None


class TriggerFormBase(FlaskForm):
    """The part every transition shares (procedures.md: actor, occurred_at, note, data)."""

    occurred_at = LocalDateTimeField(
        _l("发生时间"),
        validators=[Optional(), _not_in_future],
        description=_l("留空即为现在；可以补录过去的时间"),
    )
    note = TextAreaField(
        _l("备注"), validators=[Optional(), Length(max=2000, message=_l("不超过2000字"))]
    )
    version = HiddenField()

    #: Names of the fields that go into ``data``.
    data_fields: tuple = ()

    #: Names of the ``photo`` fields: files the view files as evidence before firing.
    file_fields: tuple = ()

    def data_values(self) -> dict:
        values = {}
        for name in self.data_fields:
            if name in self.file_fields:
                continue
            value = getattr(self, name).data
            if isinstance(value, datetime):
                value = value.isoformat()
            if value in (None, "", []):
                continue
            values[name] = value
        return values

    def errors_apply(self, fields: dict) -> bool:
        """Put a service's field errors beside the fields; False when none matched a field."""
        left = field_errors_apply(self, fields, lambda key: key.removeprefix("data."))
        return len(left) < len(fields or {})


_FORM_CACHE: dict = {}


def draft_prefill(form, case, transition) -> None:
    """A fresh form of a step whose drafted text the web asks for (``IRREVERSIBLE``) starts from
    the case's saved draft: the officer reads and confirms what will be printed, not retypes it."""
    from caseflow.cases.drafts import draft_get

    name = IRREVERSIBLE.get((case.workflow, transition.trigger))
    spec = next((f for f in transition.fields if f.name == name), None)
    if spec is None or not spec.drafted or transition.notice is None or form[name].data:
        return
    saved = draft_get(case, transition.notice.kind).get(name)
    if saved:
        form[name].data = saved


def trigger_form_class(workflow_name: str, transition):
    """A FlaskForm class for ``transition`` with one field per ``transition.fields``."""
    key = (workflow_name, transition.trigger)
    if key not in _FORM_CACHE:
        attrs = {
            spec.name: _data_field(spec, drafted_in_trigger=spec.drafted)
            for spec in transition.fields
        }
        attrs["data_fields"] = tuple(spec.name for spec in transition.fields)
        attrs["file_fields"] = tuple(s.name for s in transition.fields if s.type == "photo")
        text_field = IRREVERSIBLE.get(key)
        if text_field:
            spec = next(s for s in transition.fields if s.name == text_field)
            description = _l(spec.help) if spec.help else ""
            if spec.type == "lines":
                attrs[text_field] = LinesField(
                    _l(spec.label),
                    validators=[_required(), _lines_within_2000],
                    description=description,
                    render_kw={"rows": 4},
                )
            else:
                attrs[text_field] = TextAreaField(
                    _l(spec.label),
                    validators=[_required(), Length(max=2000, message=_l("不超过2000字"))],
                    description=description,
                )
        if step_warning(workflow_name, transition):
            # Ticked on the case page before the step fires (the view checks it there): a box
            # rather than a script, so the page stays safe without JavaScript.
            attrs["confirmed"] = BooleanField(_l("我已核对，确认执行此操作"))
        if transition.occurred_at_label:
            attrs["occurred_at"] = LocalDateTimeField(
                _l(transition.occurred_at_label), validators=[Optional(), _not_in_future]
            )
        _FORM_CACHE[key] = type(f"TriggerForm_{transition.trigger}", (TriggerFormBase,), attrs)
    return _FORM_CACHE[key]


_DRAFT_FORM_CACHE: dict = {}


class DraftFormBase(FlaskForm):
    data_fields: tuple = ()

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in self.data_fields}


def draft_form_class(workflow_name: str, kind: str):
    """The form for drafting document ``kind``: its drafted fields, all optional (a draft may be
    partial; the issuing step requires what it requires)."""
    from caseflow.cases.drafts import draft_fields

    key = (workflow_name, kind)
    if key not in _DRAFT_FORM_CACHE:
        fields = draft_fields(workflow_name, kind)
        attrs = {}
        for spec in fields:
            attrs[spec.name] = _data_field(
                type(spec)(
                    spec.name, spec.type, spec.label, required=False, drafted=True, help=spec.help
                )
            )
        attrs["data_fields"] = tuple(spec.name for spec in fields)
        _DRAFT_FORM_CACHE[key] = type(f"DraftForm_{kind}", (DraftFormBase,), attrs)
    return _DRAFT_FORM_CACHE[key]


class CompensationForm(FlaskForm):
    """The compensation worksheet (Patent Law art 71); the service checks every figure."""

    basis = SelectField(
        _l("计算依据"),
        choices=options(
            ("actual_loss", _l("权利人的实际损失")),
            ("infringer_profit", _l("侵权人因侵权所获得的利益")),
            ("licence_fee", _l("专利许可使用费的倍数")),
            ("statutory", _l("法定赔偿（3万至500万元）")),
        ),
        validators=[_required()],
    )
    actual_loss = StringField(_l("实际损失（元）"), validators=[Optional(), Length(max=32)])
    infringer_profit = StringField(_l("侵权获利（元）"), validators=[Optional(), Length(max=32)])
    licence_fee = StringField(_l("许可使用费（元）"), validators=[Optional(), Length(max=32)])
    licence_multiple = StringField(
        _l("许可使用费倍数（1–5）"), validators=[Optional(), Length(max=8)]
    )
    statutory_amount = StringField(
        _l("法定赔偿数额（元）"), validators=[Optional(), Length(max=32)]
    )
    wilful = BooleanField(_l("故意侵权且情节严重（惩罚性赔偿）"))
    punitive_multiple = StringField(
        _l("惩罚性赔偿倍数（1–5）"), validators=[Optional(), Length(max=8)]
    )
    costs = StringField(_l("合理开支（元）"), validators=[Optional(), Length(max=32)])
    explanation = TextAreaField(
        _l("说明"), validators=[Optional(), Length(max=5000, message=_l("不超过5000字"))]
    )

    FIGURES = (
        "actual_loss",
        "infringer_profit",
        "licence_fee",
        "licence_multiple",
        "statutory_amount",
        "punitive_multiple",
        "costs",
    )

    def values(self) -> dict:
        out = {"basis": self.basis.data, "wilful": bool(self.wilful.data)}
        for name in self.FIGURES:
            value = (getattr(self, name).data or "").strip()
            if value:
                out[name] = value
        if self.explanation.data:
            out["explanation"] = self.explanation.data
        return out


class SessionForm(FlaskForm):
    """One mediation session: its date, who attended, what came of it."""

    held_on = LocalDateField(_l("调解日期"), validators=[InputRequired(message=REQUIRED)])
    attendees = NamesField(
        _l("参加人员"), validators=[_required()], description=_l("每行一人，或用顿号分隔")
    )
    outcome = TextAreaField(
        _l("调解情况"), validators=[_required(), Length(max=5000, message=_l("不超过5000字"))]
    )


class AssignForm(FlaskForm):
    assignee_id = SelectField(
        _l("承办人"), coerce=int, validators=[InputRequired(message=REQUIRED)]
    )


class ClaimForm(FlaskForm):
    pass


class EvidenceForm(FlaskForm):
    file = FileField(_l("证据文件"), validators=[_required()])
    description = StringField(
        _l("说明"), validators=[Optional(), Length(max=300, message=_l("不超过300字"))]
    )


class PublicLookupForm(FlaskForm):
    number = StringField(_l("案件编号"), validators=[_required(), Length(max=40)])
    code = StringField(_l("查询码"), validators=[_required(), Length(max=16)])


class DeskComplaintForm(FlaskForm):
    """Lodging a fair complaint at the desk (procedures.md §5), built to take under a minute."""

    fair_id = SelectField(_l("展会"), coerce=int, validators=[InputRequired(message=REQUIRED)])
    exhibitor_id = IntegerField(
        _l("被投诉展商"),
        validators=[
            InputRequired(message=_l("请选择被投诉展商")),
            NumberRange(min=1, max=ID_MAX, message=_l("请选择被投诉展商")),
        ],
    )
    complainant_name = StringField(_l("投诉人"), validators=[_required(), Length(max=200)])
    complainant_country = StringField(
        _l("国家/地区"), default="CN", validators=[Optional(), Length(max=40)]
    )
    complainant_contact = StringField(_l("联系方式"), validators=[_required(), Length(max=120)])
    right_kind = SelectField(
        _l("权利类型"),
        choices=options(
            ("patent", _l("专利")), ("trademark", _l("商标")), ("copyright", _l("著作权"))
        ),
        default="patent",
    )
    right_number = StringField(_l("权利号"), validators=[_required(), Length(max=60)])
    patent_type = SelectField(
        _l("专利类型"),
        choices=PATENT_TYPE_CHOICES,
        validators=[Optional()],
    )
    priority = BooleanField(_l("优先处理（境外权利人/品牌方）"))
    fast_mode = BooleanField(_l("投诉人同意快速处理模式"))
    complainant_kind = SelectField(
        _l("投诉人类型"),
        choices=options(("company", PARTY_ORGANISATION), ("person", _l("个人"))),
        default="company",
    )
    title = StringField(_l("事由"), validators=[Optional(), Length(max=300)])
    facts = TextAreaField(
        _l("投诉事实"),
        validators=[Optional(), Length(max=4000, message=_l("不超过4000字"))],
        description=_l("涉嫌侵权的展品、型号及现场情况"),
    )
    photos = MultipleFileField(_l("现场照片"))


class InboxFilterForm(FlaskForm):
    class Meta:
        csrf = False

    workflow = SelectField(_l("流程"), validators=[Optional()], validate_choice=False)
    state = SelectField(_l("状态"), validators=[Optional()], validate_choice=False)
    overdue = BooleanField(_l("仅超期"))
    due_before = LocalDateField(_l("到期早于"), validators=[Optional()])
    q = StringField(_l("编号或当事人"), validators=[Optional()])


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    date_from = LocalDateField(_l("起"), validators=[Optional()])
    date_to = LocalDateField(_l("止"), validators=[Optional()])

    def validate_date_to(self, field):
        # A reversed range is refused beside the fields, never silently swapped.
        if field.data and self.date_from.data and self.date_from.data > field.data:
            raise ValidationError(_l("止日不能早于起日"))


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[_required(), Length(max=80)])
    display_name = StringField(_l("姓名"), validators=[_required(), Length(max=120)])
    #: Where alerts and account mails (password reset, new token) go; checked by the service.
    email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("角色"), validators=[_required()])
    unit_id = SelectField(_l("所属单位"), coerce=int, validators=[Optional()])
    password = PasswordField(
        _l("初始密码"), validators=[_required(), Length(min=12, message=_l("至少12位"))]
    )


class CalendarUploadForm(FlaskForm):
    #: Empty: the national schedule; a unit code: that unit's local closures (e.g. a typhoon day).
    unit = SelectField(_l("适用范围"), validate_choice=True)
    file = FileField(_l("年度安排文件"), validators=[_required()])
    #: Loading recounts the open cases' deadlines at once: ticked first, as a step on the case page.
    confirmed = BooleanField(
        _l("我已核对：载入后在办案件的时限将立即重新计算"),
        validators=[DataRequired(message=_l("请勾选后再提交"))],
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        local = _l("本单位临时停工")
        self.unit.choices = options(
            ("", _l("全国（国务院办公厅放假安排）")),
            *((unit.code, f"{unit.name} · {local}") for unit in units),
        )


def _required_unless_pre_exam(form, field):
    """A pre-examination request is the applicant's own: its name comes from the filing; a
    penalty found in an inspection has no reporter (``Opening.complainant`` of the workflow); a
    report in writing may be anonymous (``Opening.anonymous_channels``)."""
    import workflows

    opened = workflows.WORKFLOWS.get(form.workflow.data)
    if opened is not None and (
        not opened.OPENING.complainant or form.channel.data in opened.OPENING.anonymous_channels
    ):
        if is_blank(field.data):
            raise StopValidation()  # no message: optional here
        return
    if is_blank(field.data):
        raise StopValidation(REQUIRED)


class CaseOpenForm(FlaskForm):
    """A request or complaint registered at the window (procedures.md: SAMR Order 20 art 9 asks a
    phone or walk-in intake for the complainant's name and contact, the respondent and the facts)."""

    workflow = SelectField(_l("程序"), validators=[_required()])
    channel = SelectField(_l("来源渠道"), validators=[_required()])
    received_at = LocalDateTimeField(
        _l("收到时间"), validators=[Optional(), _not_in_future], description=_l("留空即为现在")
    )
    title = StringField(
        _l("案由"),
        validators=[_required(), Length(max=300)],
        # A pre-exam's notices print it as the application's name (名称为“…”的…专利申请).
        description=_l("快速预审：填写专利申请名称，将印在通知书上"),
    )
    complainant_name = StringField(
        _l("请求人/投诉人"),
        validators=[_required_unless_pre_exam, Length(max=200)],
        description=_l(
            "快速预审：留空即为备案申请人；执法检查发现的处罚案件、书面匿名举报可不填举报人"
        ),
    )
    complainant_kind = SelectField(
        _l("类型"),
        choices=options(("company", PARTY_ORGANISATION), ("person", _l("个人"))),
        default="company",
    )
    complainant_country = StringField(
        _l("国家/地区"), default="CN", validators=[Optional(), Length(max=40)]
    )
    complainant_contact = StringField(
        _l("联系方式"), validators=[_required_unless_pre_exam, Length(max=120)]
    )
    respondent_name = StringField(_l("被请求人/被投诉人"), validators=[Optional(), Length(max=200)])
    respondent_contact = StringField(
        _l("被请求人联系方式"), validators=[Optional(), Length(max=120)]
    )
    respondent_code = StringField(
        _l("被请求人统一社会信用代码"),
        validators=[Optional(), Length(max=40)],
        description=_l("已知时填写：用于核对信用记录和重复侵权"),
    )
    right_kind = SelectField(
        _l("权利类型"),
        choices=options(
            ("patent", _l("专利")), ("trademark", _l("商标")), ("copyright", _l("著作权"))
        ),
        default="patent",
    )
    right_number = StringField(_l("权利号"), validators=[Optional(), Length(max=60)])
    patent_type = SelectField(
        _l("专利类型"),
        choices=PATENT_TYPE_CHOICES,
        validators=[Optional()],
    )
    classification = StringField(
        _l("分类号"),
        validators=[Optional(), Length(max=60)],
        description=_l(
            "快速预审：发明、实用新型填 IPC 分类号（如 F21V 23/00），外观设计填洛迦诺分类号（如 26-05）"
        ),
    )
    applicant_id = SelectField(_l("备案申请人"), coerce=int, validators=[Optional()])
    right_pct = BooleanField(_l("PCT 申请"))
    right_divisional = BooleanField(_l("分案申请"))
    #: A one-time token of this copy of the form: a second submit of it (a double click, a
    #: resent request) opens no second case (``caseflow.nonces``).
    submission = HiddenField(default=lambda: secrets.token_urlsafe(16))
    priority = BooleanField(_l("优先处理"))


class UserEditForm(FlaskForm):
    """An admin changes a user's name, e-mail address, role, unit and active flag."""

    display_name = StringField(_l("姓名"), validators=[_required(), Length(max=120)])
    email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("角色"), validators=[_required()])
    unit_id = SelectField(_l("所属单位"), coerce=int, validators=[Optional()])
    active = BooleanField(_l("启用"))


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("新密码"), validators=[_required(), Length(min=12, message=_l("至少12位"))]
    )


class ListField(StringField):
    """Codes separated by commas, 、 or blanks; ``data`` is the list."""

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        self.data = [x for x in re.split(r"[\s,，、;；]+", text) if x]

    def _value(self):
        return "、".join(self.data or []) if isinstance(self.data, list) else (self.data or "")


class UnitProfileFormBase(FlaskForm):
    """A unit's profile; the clock and document-number fields are added per workflow data by
    ``unit_profile_form_class``."""

    ipc = ListField(
        _l("受理领域：IPC 分类（发明、实用新型）"), description=_l("如 F21、H05B，以顿号或逗号分隔")
    )
    locarno = ListField(_l("受理领域：洛迦诺分类（外观设计）"), description=_l("如 26 或 26-05"))
    contact = TextAreaField(_l("联系方式（印在文书上）"), validators=[Optional(), Length(max=300)])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=300)])
    # 行政处罚法 art 59 item 5: named by the penalty decisions as the routes of review.
    review_body = StringField(
        _l("行政复议机关"),
        validators=[Optional(), Length(max=100)],
        description=_l("印在行政处罚决定书上，如 中山市人民政府；留空则写“依法申请行政复议”"),
    )
    court = StringField(
        _l("行政诉讼管辖法院"),
        validators=[Optional(), Length(max=100)],
        description=_l("印在行政处罚决定书上，如 广州知识产权法院；留空则写“依法向人民法院”"),
    )
    seal_image = FileField(
        _l("印章图片"), description=_l("PNG 格式，不超过 1 MB；留空则保留现有印章")
    )

    #: (profile key, form field name, clock or kind name, variant or None), filled in per class.
    clock_inputs: tuple = ()
    pattern_inputs: tuple = ()

    def errors_apply(self, fields: dict) -> bool:
        """A service's field errors (``clocks.review.design``) beside the matching inputs."""
        names = {"fields.ipc": "ipc", "fields.locarno": "locarno"}
        for _key, name, clock, variant in self.clock_inputs:
            names[f"clocks.{clock}" + (f".{variant}" if variant else "")] = name
        for kind, name in self.pattern_inputs:
            names[f"doc_patterns.{kind}"] = name
        left = field_errors_apply(self, fields, lambda key: names.get(key, key))
        return len(left) < len(fields or {})


_PROFILE_FORM: dict = {}


def unit_profile_form_class():
    """The profile form with one input per workflow clock (per patent type where the clock
    depends on it) and one document-number pattern per notice kind."""
    if "form" in _PROFILE_FORM:
        return _PROFILE_FORM["form"]
    import workflows
    from caseflow.notices.kinds import KINDS
    from workflows._schema import clock_period

    attrs, clock_inputs, pattern_inputs = {}, [], []
    seen = set()
    for module in workflows.WORKFLOWS.values():
        for clock in module.CLOCKS:
            if clock.name in seen or clock.fixed:
                continue
            seen.add(clock.name)
            # Per patent type where the period depends on it (procedures.md §2); other clocks
            # take one period, which then applies to every variant of theirs.
            if clock.variant_key == "patent_type":
                variants = ["invention", "utility_model", "design"]
            else:
                variants = [None]
            for variant in variants:
                name = f"clock__{clock.name}" + (f"__{variant}" if variant else "")
                default = clock_period(clock, variant=variant) if variant else clock.period
                attrs[name] = StringField(
                    _l(clock.label),
                    validators=[Optional(), Length(max=40)],
                    render_kw={"placeholder": default or "—", "data-variant": variant or ""},
                )
                clock_inputs.append((clock.name, name, clock.name, variant))
    for kind in ("default", *KINDS):
        name = f"doc__{kind}"
        label = _l("默认文号格式") if kind == "default" else _l(KINDS[kind][0])
        attrs[name] = StringField(label, validators=[Optional(), Length(max=60)])
        pattern_inputs.append((kind, name))
    attrs["clock_inputs"], attrs["pattern_inputs"] = tuple(clock_inputs), tuple(pattern_inputs)
    _PROFILE_FORM["form"] = type("UnitProfileForm", (UnitProfileFormBase,), attrs)
    return _PROFILE_FORM["form"]


class FairForm(FlaskForm):
    """One edition of a fair at a fair desk (procedures.md §5)."""

    unit_id = SelectField(_l("投诉站"), coerce=int, validators=[Optional()])
    name = StringField(_l("展会名称"), validators=[_required(), Length(max=200)])
    venue = StringField(_l("场馆"), validators=[Optional(), Length(max=200)])
    organiser = StringField(_l("主办方"), validators=[Optional(), Length(max=200)])
    opens_at = LocalDateTimeField(_l("开展时间"), validators=[_required()])
    closes_at = LocalDateTimeField(_l("闭展时间"), validators=[_required()])


class ExhibitorImportForm(FlaskForm):
    file = FileField(
        _l("参展商名单（CSV 或 XLSX）"),
        validators=[_required()],
        description=_l(
            "表头：名称、展位号、国家或地区（或 name、booth、country），可加统一社会信用代码；"
            "有任何一行出错则整份不导入"
        ),
    )


class ApplicantForm(FlaskForm):
    """An applicant's filing (备案) for expedited pre-examination (procedures.md §2)."""

    name = StringField(_l("申请人名称"), validators=[_required(), Length(max=200)])
    credit_code = StringField(
        _l("统一社会信用代码"),
        validators=[_required(), Length(max=40)],
        # Not an example code: one from a real region reads as another unit's applicant.
        render_kw={"placeholder": _l("18 位字母或数字"), "autocomplete": "off"},
    )


class ApplicantDecisionForm(FlaskForm):
    """Approve, reject or revoke a filing; the reason is required to reject (the service says)."""

    reason = StringField(_l("理由"), validators=[Optional(), Length(max=1000)])


class CreditEndForm(FlaskForm):
    """Record that a credit record's decision was revoked, or withdraw the record (credit.md):
    a reason, then a second, explicit confirmation (``confirmed``) before anything is written."""

    reason = TextAreaField(
        _l("理由"),
        validators=[_required(), Length(max=1000)],
        render_kw={"rows": 2},
    )
    confirmed = HiddenField()
