"""How dates and deadlines are written on a notice.

The issue date is written in Chinese numerals (二〇二六年十月十日), as notices.md asks; deadlines in
the body use Arabic numerals the way a reader is told a date (2026年10月23日前).
"""

from datetime import date, datetime, timedelta

from caseflow.timeutil import chinese_date, local_date, to_local

_DIGITS = "〇一二三四五六七八九"


def chinese_year(year: int) -> str:
    """2026 → 二〇二六: a year is read digit by digit."""
    return "".join(_DIGITS[int(d)] for d in str(year))


def chinese_number(n: int) -> str:
    """1–31 as counted: 十, 十一, 二十, 二十三, 三十一."""
    if not 0 < n < 100:
        raise ValueError(f"month or day expected, got {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[ones] if ones else "")


def chinese_numeral_date(day: date) -> str:
    """二〇二六年十月十日 — the issue date under the seal."""
    return f"{chinese_year(day.year)}年{chinese_number(day.month)}月{chinese_number(day.day)}日"


def deadline_day(clock, due_at: datetime | None = None) -> date:
    """The last day a party may act on a day-based clock.

    ``due_at`` is 24:00 of the last day, i.e. the next day's 00:00 local (deadlines.md §2), so the
    day printed is the one before it. ``last_day_on`` is not used: it is the day *before* the
    roll-over to the next working day (what pauses and extensions count from), and a party who
    reads it would think a period ends on a Sunday that in law runs on to Monday (Patent
    Implementing Regulations art 5).
    """
    return local_date((due_at or clock.due_at) - timedelta(microseconds=1))


def deadline_text(clock, due_at: datetime | None = None) -> str:
    """2026年10月23日 for a day clock; 2026年10月23日14时30分 for an hour or fixed clock (fairs
    count in clock hours, so the hour matters). ``due_at`` overrides the clock's current one."""
    if clock.period_unit in ("hours", "fixed"):
        return instant_text(due_at or clock.due_at)
    return chinese_date(deadline_day(clock, due_at))


#: How a period's unit is read in a sentence of law: 十五日, 五个工作日, 三个月, 二小时.
_PERIOD_UNITS = {"days": "日", "workdays": "个工作日", "months": "个月", "hours": "小时"}


def period_text(period: str) -> str:
    """``15 days`` → 十五日, ``5 workdays`` → 五个工作日: a period as the law words it, for a
    deadline that counts from the party's receipt and so has no date yet (notices.md)."""
    count, _, unit = (period or "").strip().partition(" ")
    if unit not in _PERIOD_UNITS or not count.isdigit():
        raise ValueError(f"a period like '15 days' expected, got {period!r}")
    return chinese_number(int(count)) + _PERIOD_UNITS[unit]


def instant_text(instant: datetime) -> str:
    local = to_local(instant)
    return f"{chinese_date(local.date())}{local.hour}时{local.minute:02d}分"


_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CAPITAL_SMALL_UNITS = ("", "拾", "佰", "仟")
_CAPITAL_BIG_UNITS = ("", "万", "亿", "万亿")


def _capital_group(n: int) -> str:
    """0–9999 in capitals, with 零 for the inner zeros (1005 → 壹仟零伍)."""
    out, zero = "", False
    for position in range(3, -1, -1):
        digit = n // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _CAPITAL_DIGITS[digit] + _CAPITAL_SMALL_UNITS[position]
    return out


def rmb_capital(amount) -> str:
    """人民币伍拾万元整 — an amount in yuan (a ``Decimal`` to the fen) in the capitals an amount
    is written in on a document (大写金额, 《支付结算办法》附件 正确填写票据和结算凭证的基本规定):
    壹拾 is written out, 零 marks skipped places, 整 closes an amount without fen."""
    from decimal import ROUND_HALF_UP, Decimal

    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError("a negative amount has no capital form")
    fen_total = int(amount * 100)
    yuan, fen_part = divmod(fen_total, 100)
    jiao, fen = divmod(fen_part, 10)
    if yuan >= 10**16:
        raise ValueError("amount too large")
    text = ""
    if yuan:
        groups = []
        rest = yuan
        while rest:
            rest, group = divmod(rest, 10000)
            groups.append(group)
        pending_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                pending_zero = bool(text)
                continue
            if text and (pending_zero or group < 1000):
                text += "零"
            text += _capital_group(group) + _CAPITAL_BIG_UNITS[index]
            pending_zero = False
        text += "元"
    if not jiao and not fen:
        return "人民币" + (text or "零元") + "整"
    if jiao:
        text += _CAPITAL_DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _CAPITAL_DIGITS[fen] + "分"
    else:
        text += "整"
    return "人民币" + text


def rmb_figures(amount) -> str:
    """500,000.00 — the figures printed beside the capitals."""
    from decimal import ROUND_HALF_UP, Decimal

    return f"{Decimal(amount).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
