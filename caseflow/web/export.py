"""The supervisor dashboard and the annual statistics as XLSX workbooks (openpyxl), made for a
statistician: real Excel dates and percentages, a frozen header, an autofilter on every table,
a days-overdue column, and every text cell written as text (a party named ``=HYPERLINK(…)`` is
shown, never evaluated: formula injection neutralised)."""

import io
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from caseflow.text import is_formula_like
from caseflow.timeutil import deadline_day, local_date, to_local
from caseflow.web.helpers import (
    channel_label,
    clock_label,
    right_type_label,
    state_label,
    workflow_label,
)

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"


@dataclass(frozen=True)
class Percent:
    """A share (0…1) written as an Excel percentage."""

    value: float | None


def _put(cell, value) -> None:
    """Write one cell with its real type. Strings are always text: openpyxl would store a string
    beginning with ``=`` as a live formula, so the type is forced and Excel's quote prefix set."""
    if isinstance(value, Percent):
        cell.value = value.value
        cell.number_format = PERCENT_FORMAT
    elif isinstance(value, datetime):
        # Excel has no time zones: the local wall time, as the pages show it.
        cell.value = to_local(value).replace(tzinfo=None)
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    else:
        cell.value = value


def _sheet(workbook, title, header, rows):
    sheet = workbook.create_sheet(title)
    for column, text in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column)
        _put(cell, str(text))
        cell.font = Font(bold=True)
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            _put(sheet.cell(row=count + 1, column=column), value)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{sheet.cell(row=count + 1, column=len(header)).coordinate}"
    for column in sheet.columns:
        width = max(len(str(c.value if c.value is not None else "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(12, width * 1.6), 60)
    return sheet


def _cut_short(sheet: str, rows: list, total: int):
    """A line of 说明 when a list holds fewer clocks than there are: never a silent cut."""
    if len(rows) < total:
        yield (sheet, f"仅列出最早到期的 {len(rows)} 条，共 {total} 条")


def _late_rows(rows, today: date, *, ahead: bool = False):
    """The rows of a list, ending with the calendar days past the last day, or with ``ahead``
    the days left until it (0 on the last day itself)."""
    for clock, case in rows:
        due_on = deadline_day(clock.due_at, clock.period_unit)
        yield (
            case.unit.code,
            case.assignee.display_name if case.assignee else "未分配",
            case.number,
            workflow_label(case.workflow),
            state_label(case.workflow, case.state),
            clock_label(case.workflow, clock.name),
            due_on,
            max((due_on - today).days if ahead else (today - due_on).days, 0),
        )


def dashboard_workbook(board, *, now: datetime) -> bytes:
    """The dashboard's tables for ``board`` (``selectors.Dashboard``) as XLSX bytes."""
    today = local_date(now)
    workbook = Workbook()
    workbook.remove(workbook.active)
    header = ("单位", "承办人", "案件编号", "流程", "状态", "时限", "最后一日")
    _sheet(workbook, "超期", (*header, "超期天数"), _late_rows(board.overdue, today))
    _sheet(workbook, "临期", (*header, "剩余天数"), _late_rows(board.due_soon, today, ahead=True))
    _sheet(
        workbook,
        "按期率",
        ("流程", "时限", "按期", "超期（含仍在计时已超期）", "按期率"),
        (
            (workflow_label(wf), clock_label(wf, name), met, missed, Percent(rate))
            for wf, name, met, missed, rate in board.on_time
        ),
    )
    _sheet(
        workbook,
        "结案天数中位数",
        ("流程", "中位数（天）"),
        ((workflow_label(wf), days) for wf, days in board.median_days_to_close.items()),
    )
    _sheet(
        workbook,
        "工作量",
        ("承办人", "在办", "其中超期"),
        ((u.display_name if u else "未分配", n, late) for u, n, late in board.workload),
    )
    _sheet(
        workbook,
        "每周趋势",
        ("周（周一）", "新收", "结案", "超期"),
        ((week, opened, closed, late) for week, opened, closed, late in board.trend),
    )
    meta = _sheet(
        workbook,
        "说明",
        ("项目", "内容"),
        (
            ("统计期间起", board.date_from),
            ("统计期间止", board.date_to),
            ("导出时间", now),
            ("按期率", "期内结束的时限按期完成的比例；仍在计时而已过到期日的计为超期"),
            ("临期", "已用去计时时间的 75%（不含暂停）或已到最后一日、尚未超期的时限"),
            *_cut_short("超期", board.overdue, board.overdue_total),
            *_cut_short("临期", board.due_soon, board.due_soon_total),
        ),
    )
    workbook.move_sheet(meta, -(len(workbook.sheetnames) - 1))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def annual_report_workbook(report: dict) -> bytes:
    """``caseflow.supervision.report.annual_report`` as a workbook: one summary row per workflow,
    then one sheet per breakdown."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    flows = report["workflows"]
    _sheet(
        workbook,
        "汇总",
        ("流程", "收案", "结案", "涉外", "结案天数中位数", "结案天数第90百分位", "按期", "超期", "按期率"),
        (
            (
                w["label"],
                w["received"],
                w["closed"],
                w["foreign_related"],
                w["days_to_close"]["median"],
                w["days_to_close"]["p90"],
                sum(p["met"] for p in w["promises"]),
                sum(p["missed"] for p in w["promises"]),
                Percent(_share(w["promises"])),
            )
            for w in flows
        ),
    )
    _sheet(
        workbook,
        "各项时限按期率",
        ("流程", "时限", "按期", "超期", "按期率"),
        (
            (w["label"], p["label"], p["met"], p["missed"], Percent(p["on_time_share"]))
            for w in flows
            for p in w["promises"]
        ),
    )
    _sheet(
        workbook,
        "按渠道",
        ("流程", "渠道", "收案"),
        ((w["label"], channel_label(ch) if ch != "unknown" else "未注明", n) for w in flows for ch, n in w["by_channel"].items()),
    )
    _sheet(
        workbook,
        "按权利类型",
        ("流程", "权利类型", "收案"),
        (
            (w["label"], right_type_label(kind), n)
            for w in flows
            for kind, n in w["by_right_type"].items()
        ),
    )
    _sheet(
        workbook,
        "结案结果",
        ("流程", "结果", "件数"),
        ((w["label"], o["label"], o["cases"]) for w in flows for o in w["outcomes"]),
    )
    _sheet(
        workbook,
        "转入其他程序",
        ("流程", "转入", "件数"),
        ((w["label"], o["label"], o["cases"]) for w in flows for o in w["went_on_to"]),
    )
    pre = next((w.get("pre_exam") for w in flows if w.get("pre_exam")), None)
    if pre is not None:
        _sheet(
            workbook,
            "预审",
            ("项目", "数值"),
            (
                ("预审合格", pre["qualified"]),
                ("预审不合格", pre["not_qualified"]),
                ("合格率", Percent(pre["qualification_rate"])),
                ("授权周期中位数（自预审请求，天）", pre["grant_days_from_request"]["median"]),
                ("授权周期第90百分位（自预审请求，天）", pre["grant_days_from_request"]["p90"]),
                ("授权周期中位数（自正式递交，天）", pre["grant_days_from_filing"]["median"]),
                ("授权周期第90百分位（自正式递交，天）", pre["grant_days_from_filing"]["p90"]),
            ),
        )
    fairs = next((w.get("fairs") for w in flows if w.get("fairs") is not None), None)
    if fairs is not None:
        _sheet(workbook, "展会", ("展会", "投诉"), ((f["name"], f["cases"]) for f in fairs))
    meta = _sheet(
        workbook,
        "说明",
        ("项目", "内容"),
        (
            ("年度", report["year"]),
            ("单位", report["unit_name"] or "全部单位"),
            ("统计期间起", date(report["year"], 1, 1)),
            ("统计期间止", date(report["year"], 12, 31)),
            ("生成时间", report["generated_at"]),
        ),
    )
    workbook.move_sheet(meta, -(len(workbook.sheetnames) - 1))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _share(promises) -> float | None:
    met = sum(p["met"] for p in promises)
    decided = met + sum(p["missed"] for p in promises)
    return met / decided if decided else None
