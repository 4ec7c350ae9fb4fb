"""The supervisor dashboard as an XLSX workbook (openpyxl): one sheet per table of the page."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from caseflow.web.filters import cn_date, cn_datetime
from caseflow.web.helpers import clock_label, state_label, workflow_label


def _sheet(workbook, title, header, rows):
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, width * 1.6), 60)
    return sheet


def _late_rows(rows):
    for clock, case in rows:
        yield (
            case.unit.code,
            case.assignee.display_name if case.assignee else "未分配",
            case.number,
            workflow_label(case.workflow),
            state_label(case.workflow, case.state),
            clock_label(case.workflow, clock.name),
            cn_datetime(clock.due_at),
        )


def dashboard_workbook(board) -> bytes:
    """The dashboard's tables for ``board`` (``selectors.Dashboard``) as XLSX bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    late_header = ("单位", "承办人", "案件编号", "流程", "状态", "时限", "到期")
    _sheet(workbook, "超期", late_header, _late_rows(board.overdue))
    _sheet(workbook, "临期", late_header, _late_rows(board.due_soon))
    _sheet(
        workbook,
        "按期率",
        ("流程", "时限", "按期", "超期", "按期率"),
        (
            (workflow_label(wf), clock_label(wf, name), met, breached, round(rate, 4))
            for wf, name, met, breached, rate in board.on_time
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
        ((cn_date(week), opened, closed, late) for week, opened, closed, late in board.trend),
    )
    meta = workbook.create_sheet("说明", 0)
    meta.append(["统计期间", f"{cn_date(board.date_from)} 至 {cn_date(board.date_to)}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
