"""The compensation worksheet (赔偿数额参考): Patent Law art 71 as pure functions, and the service
that keeps the worksheet on an adjudication or mediation case (procedures.md §4).

Art 71: damages are the right holder's actual loss; where it is hard to determine, the
infringer's profits; where both are hard to determine, a reasonable multiple of the licence fee;
where none of them can be determined, statutory damages from 30,000 to 5,000,000 RMB. For wilful
infringement with serious circumstances, one to five times the amount so found (punitive; not
applied to statutory damages: 最高法惩罚性赔偿解释 (2021) art 5 takes the first three as its
base). The right holder's reasonable costs of stopping the infringement are added. The result is
a reference beside the draft, never binding: the parties agree on, or the court decides, damages.

Every amount is a ``Decimal`` to the fen; a figure with more places, out of its bounds, or not a
number is refused with the field named.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from caseflow.errors import PermissionDenied, ValidationFailed
from caseflow.notices.chinese import rmb_capital, rmb_figures

FEN = Decimal("0.01")
STATUTORY_MIN = Decimal("30000")
STATUTORY_MAX = Decimal("5000000")
MULTIPLE_MIN, MULTIPLE_MAX = Decimal("1"), Decimal("5")
#: Far beyond any patent damages ever awarded; keeps the arithmetic and the capitals sane.
AMOUNT_MAX = Decimal("100000000000")
#: The workflows a worksheet belongs to.
WORKFLOWS = ("adjudication", "mediation")

#: art 71's order: (basis, its figure, label).
BASES = (
    ("actual_loss", "actual_loss", "权利人的实际损失"),
    ("infringer_profit", "infringer_profit", "侵权人因侵权所获得的利益"),
    ("licence_fee", "licence_fee", "专利许可使用费的倍数"),
    ("statutory", "statutory_amount", "法定赔偿"),
)
BASIS_LABELS = {basis: label for basis, _figure, label in BASES}
#: The fields a worksheet takes (everything else is refused).
FIELDS = (
    "basis",
    "actual_loss",
    "infringer_profit",
    "licence_fee",
    "multiple",
    "licence_multiple",
    "statutory_amount",
    "wilful",
    "punitive_multiple",
    "costs",
    "explanation",
)


def _amount(name, value, errors, *, minimum=Decimal("0"), maximum=AMOUNT_MAX, label=""):
    """``value`` as a Decimal to the fen, or None with ``errors[name]`` set."""
    if not _given(value):
        errors[name] = f"必填：{label} / required"
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        errors[name] = f"{label}应为数字 / must be a number"
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        errors[name] = f"{label}应为数字 / must be a number"
        return None
    if not number.is_finite():
        errors[name] = f"{label}应为数字 / must be a number"
        return None
    if number < minimum or number > maximum:
        errors[name] = (
            f"{label}应在{rmb_figures(minimum)}至{rmb_figures(maximum)}之间"
            f" / must be between {minimum} and {maximum}"
        )
        return None
    if number != number.quantize(FEN, rounding=ROUND_HALF_UP):
        errors[name] = f"{label}最多精确到分（两位小数） / at most two decimals"
        return None
    return number.quantize(FEN)


def _multiple(name, value, errors, label):
    """A multiple from 1 to 5 (art 71: 一倍以上五倍以下), to two decimals."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        errors[name] = f"{label}应为1至5之间的数 / must be a number from 1 to 5"
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not MULTIPLE_MIN <= number <= MULTIPLE_MAX:
        # 一倍以上五倍以下 (art 71).
        errors[name] = f"{label}应在1至5倍之间 / must be from 1 to 5"
        return None
    if number != number.quantize(FEN):
        errors[name] = f"{label}最多两位小数 / at most two decimals"
        return None
    return number


#: procedures.md §4 writes the licence-fee basis ``licence_fee × multiple``; ``licence_multiple``
#: is caseflow's older name for the same figure, still accepted.
MULTIPLE_NAMES = ("multiple", "licence_multiple")


def _licence_multiple(values, errors):
    """The licence fee's multiple under either name (1 when neither is given), reported under
    the name the client sent; the two names with different values are refused."""
    given = [name for name in MULTIPLE_NAMES if _given(values.get(name))]
    if not given:
        return _multiple("multiple", 1, errors, "许可使用费倍数")
    scratch: dict = {}
    numbers = {name: _multiple(name, values[name], scratch, "许可使用费倍数") for name in given}
    if scratch:
        errors.update(scratch)
        return None
    if len(set(numbers.values())) > 1:
        errors["multiple"] = (
            "multiple 与 licence_multiple 不一致（二者为同一倍数）"
            " / differs from licence_multiple (two names of one figure)"
        )
        return None
    return numbers[given[0]]


def _given(value) -> bool:
    return value is not None and value != ""


def compensation_compute(values: dict) -> dict:
    """The worksheet: what was entered (cleaned), the damages, the estimate ``amount``, ``range``
    where the basis gives one, and which basis applies and why. Raises ``ValidationFailed``
    naming every bad field; pure (no database)."""
    if not isinstance(values, dict):
        raise ValidationFailed(
            "应为 JSON 对象",
            message_en="the worksheet must be an object",
            fields={"body": "object"},
        )
    errors = {k: "未知的字段 / unknown field" for k in values if k not in FIELDS}
    basis = values.get("basis")
    if not isinstance(basis, str) or basis not in BASIS_LABELS:
        basis = None
        errors["basis"] = (
            "计算依据应为 actual_loss、infringer_profit、licence_fee 或 statutory 之一"
            " / must be one of actual_loss, infringer_profit, licence_fee, statutory"
        )
    else:
        # art 71's order: an earlier basis that can be determined excludes the later ones.
        order = [b for b, _f, _l in BASES]
        for earlier, figure, label in BASES[: order.index(basis)]:
            if _given(values.get(figure)):
                errors["basis"] = (
                    f"已填写{label}，依专利法第七十一条应优先按{label}确定，不能适用"
                    f"{BASIS_LABELS[basis]} / {earlier} is given, so art 71 applies it first"
                )
                break
        for _later, figure, _label in BASES[order.index(basis) + 1 :]:
            if _given(values.get(figure)):
                errors[figure] = (
                    f"计算依据为{BASIS_LABELS[basis]}，不填此项 / not used with {basis}"
                )
        for name in MULTIPLE_NAMES:
            if basis != "licence_fee" and _given(values.get(name)):
                errors[name] = "仅用于许可使用费倍数 / only with licence_fee"

    cleaned: dict = {"basis": basis}
    base = None
    if basis == "actual_loss" and "basis" not in errors:
        base = _amount("actual_loss", values.get("actual_loss"), errors, label="实际损失")
        cleaned["actual_loss"] = base
    elif basis == "infringer_profit" and "basis" not in errors:
        base = _amount("infringer_profit", values.get("infringer_profit"), errors, label="侵权获利")
        cleaned["infringer_profit"] = base
    elif basis == "licence_fee" and "basis" not in errors:
        fee = _amount("licence_fee", values.get("licence_fee"), errors, label="许可使用费")
        multiple = _licence_multiple(values, errors)
        cleaned.update(licence_fee=fee, licence_multiple=multiple)
        if fee is not None and multiple is not None:
            base = (fee * multiple).quantize(FEN, rounding=ROUND_HALF_UP)
    elif basis == "statutory" and "basis" not in errors:
        base = _amount(
            "statutory_amount",
            values.get("statutory_amount"),
            errors,
            minimum=STATUTORY_MIN,
            maximum=STATUTORY_MAX,
            label="法定赔偿数额",
        )
        cleaned["statutory_amount"] = base

    wilful = values.get("wilful", False)
    if not isinstance(wilful, bool):
        errors["wilful"] = "应为 true 或 false / must be true or false"
        wilful = False
    punitive = None
    if wilful:
        if basis == "statutory":
            errors["punitive_multiple"] = (
                "法定赔偿不适用惩罚性赔偿倍数 / punitive damages do not apply to statutory damages"
            )
        else:
            punitive = _multiple(
                "punitive_multiple", values.get("punitive_multiple"), errors, "惩罚性赔偿倍数"
            )
    elif _given(values.get("punitive_multiple")):
        errors["punitive_multiple"] = (
            "仅适用于故意侵权且情节严重的情形 / only for wilful infringement (set wilful)"
        )
    costs = Decimal("0.00")
    if _given(values.get("costs")):
        costs = _amount("costs", values.get("costs"), errors, label="合理开支")
    explanation = values.get("explanation")
    explanation = "" if explanation is None else explanation
    if not isinstance(explanation, str) or "\x00" in explanation or len(explanation) > 5000:
        errors["explanation"] = "说明应为不超过5000字的文本 / text of at most 5000 characters"
        explanation = ""
    if errors:
        raise ValidationFailed(
            "赔偿数额参考有误：" + "；".join(errors.values()),
            message_en="invalid compensation worksheet: " + ", ".join(errors),
            fields=errors,
        )

    factor = punitive or Decimal("1")
    damages = (base * factor).quantize(FEN, rounding=ROUND_HALF_UP)
    amount = damages + costs
    value_range = None
    if basis == "licence_fee":
        value_range = [
            (cleaned["licence_fee"] * MULTIPLE_MIN * factor + costs).quantize(FEN),
            (cleaned["licence_fee"] * MULTIPLE_MAX * factor + costs).quantize(FEN),
        ]
    elif basis == "statutory":
        value_range = [STATUTORY_MIN + costs, STATUTORY_MAX + costs]
    elif punitive is not None:
        value_range = [base * MULTIPLE_MIN + costs, (base * MULTIPLE_MAX).quantize(FEN) + costs]
    return {
        "basis": basis,
        "basis_label": BASIS_LABELS[basis],
        "figures": {k: _text(v) for k, v in cleaned.items() if k != "basis"},
        "wilful": wilful,
        "punitive_multiple": _text(punitive),
        "costs": _text(costs),
        "base": _text(base),
        "damages": _text(damages),
        "amount": _text(amount),
        "amount_text": rmb_figures(amount),
        "amount_capital": rmb_capital(amount),
        "range": [_text(v) for v in value_range] if value_range else None,
        "why": _why(basis, cleaned, punitive, costs),
        "explanation": explanation.strip(),
    }


def _text(value) -> str | None:
    return None if value is None else str(value)


def _why(basis, cleaned, punitive, costs) -> str:
    """Which basis applies and why, in the words of art 71."""
    reasons = {
        "actual_loss": "权利人因被侵权所受到的实际损失可以确定，按实际损失确定赔偿数额"
        "（专利法第七十一条第一款）",
        "infringer_profit": "权利人的实际损失难以确定，按侵权人因侵权所获得的利益确定"
        "（专利法第七十一条第一款）",
        "licence_fee": "权利人的损失和侵权人获得的利益均难以确定，参照该专利许可使用费的"
        f"{cleaned.get('licence_multiple')}倍合理确定（专利法第七十一条第一款）",
        "statutory": "权利人的损失、侵权人获得的利益和专利许可使用费均难以确定，"
        "在三万元以上五百万元以下确定赔偿（专利法第七十一条第二款）",
    }
    text = reasons[basis]
    if punitive is not None:
        text += f"；侵权人故意侵权且情节严重，按上述数额的{punitive}倍确定（第七十一条第一款）"
    if costs:
        text += (
            f"；另加权利人为制止侵权行为支付的合理开支{rmb_figures(costs)}元（第七十一条第三款）"
        )
    return text + "。"


def compensation_save(case, values: dict, *, actor, at=None) -> dict:
    """Compute and keep the worksheet on ``case`` (``case.data["compensation"]``) with one
    ``compensation`` audit event; the caller commits. Nothing changes when it is refused."""
    from caseflow.cases.models import Event
    from caseflow.cases.services import case_running_check
    from caseflow.extensions import db
    from caseflow.timeutil import iso, utcnow

    if actor is None or not actor.can_see_unit(case.unit_id):
        raise PermissionDenied(
            "无权办理其他单位的案件", message_en="this case belongs to another unit"
        )
    if actor.role not in ("caseworker", "supervisor", "admin"):
        raise PermissionDenied("无权填写赔偿数额参考", message_en="your role may not do this")
    if case.workflow not in WORKFLOWS:
        raise ValidationFailed(
            "赔偿数额参考仅用于行政裁决和调解案件",
            message_en="the worksheet belongs to adjudication and mediation cases",
            fields={"workflow": case.workflow},
        )
    case_running_check(case, record="填写赔偿数额参考", record_en="changes to the worksheet")
    sheet = compensation_compute(values)
    now = at or utcnow()
    sheet["saved_at"] = iso(now)
    sheet["saved_by"] = actor.username
    case.data = {**(case.data or {}), "compensation": sheet}
    db.session.add(
        Event(
            case_id=case.id,
            kind="compensation",
            actor_id=actor.id,
            occurred_at=now,
            recorded_at=now,
            note=f"赔偿数额参考：{sheet['basis_label']} {sheet['amount_text']} 元",
            data={"basis": sheet["basis"], "amount": sheet["amount"]},
        )
    )
    db.session.flush()
    return sheet


def compensation_get(case) -> dict | None:
    return (case.data or {}).get("compensation")


#: The worksheet's figures as the API answers them on top, under the spec's names.
_FIGURE_NAMES = {"licence_multiple": "multiple"}


def _number(text):
    """A stored amount or multiple (a decimal string) as a JSON number: an int when whole, else
    a number to the fen."""
    if text is None:
        return None
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value.quantize(FEN))


def compensation_json(sheet: dict | None) -> dict:
    """The API's answer for a kept worksheet: its fields, ``amount`` and ``range`` on top, as
    procedures.md §4 names them, amounts as numbers; the stored worksheet (decimal strings) in
    ``compensation`` as before."""
    if sheet is None:
        return {"compensation": None}
    figures = {
        _FIGURE_NAMES.get(name, name): _number(value)
        for name, value in (sheet.get("figures") or {}).items()
    }
    return {
        "basis": sheet["basis"],
        "basis_label": sheet["basis_label"],
        **figures,
        "wilful": sheet["wilful"],
        "punitive_multiple": _number(sheet["punitive_multiple"]),
        "costs": _number(sheet["costs"]),
        "base": _number(sheet["base"]),
        "damages": _number(sheet["damages"]),
        "amount": _number(sheet["amount"]),
        "amount_text": sheet["amount_text"],
        "amount_capital": sheet["amount_capital"],
        "range": [_number(v) for v in sheet["range"]] if sheet.get("range") else None,
        "why": sheet["why"],
        "explanation": sheet["explanation"],
        "saved_at": sheet.get("saved_at"),
        "saved_by": sheet.get("saved_by"),
        "compensation": sheet,
    }
