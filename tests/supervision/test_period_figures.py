"""The supervisors' period figures at scale: GET /api/v1/stats and the annual report read the
running totals and bounded row ranges, and give the figures a recount from every case, clock and
event gives. "Now" is pinned with time_machine throughout."""

from collections import defaultdict
from datetime import date, timedelta
from statistics import median

import pytest
import time_machine
from sqlalchemy import event, select

import workflows
from caseflow.cases.models import Case
from caseflow.clocks.models import Clock
from caseflow.extensions import db
from caseflow.supervision.selectors import CLOSING_CLOCKS
from caseflow.supervision.tallies import due_day
from caseflow.timeutil import local_date
from tests.engine.helpers import *  # noqa: F403  (open_case, fire, staff …)
from tests.engine.helpers import at

pytestmark = pytest.mark.usefixtures("pending_notices")

NOW = at("2026-11-30 10:00")
HANDLERS = {"handlers": ["甲", "乙", "丙"]}


def _step(fire, case, trigger, when, **kwargs):
    """A step fired on its own day (a pre-exam's steps may not be back-dated past today)."""
    with time_machine.travel(at(when), tick=False):
        return fire(case, trigger, occurred_at=when, **kwargs)


def _cases_over_several_periods(open_case, fire, applicant):
    """Cases received across 2024–2026 in two units, some on either side of a local midnight
    that is the previous afternoon in UTC (2026-03-31 23:30 is 15:30Z, 04-01 00:10 is 16:10Z);
    closed on time, closed late, withdrawn, granted, overdue and still in time."""
    for unit in ("ZS", "PD"):
        # Intake answered within its 5 working days (met) or three weeks later (breached).
        for received, answered in (
            ("2024-05-06 09:00", "2024-05-07 10:00"),
            ("2025-12-31 23:30", "2026-01-22 10:00"),
            ("2026-01-01 00:10", "2026-01-05 16:00"),
            ("2026-03-31 23:30", "2026-04-01 09:00"),
            ("2026-04-01 00:10", "2026-04-30 09:00"),
            ("2026-06-30 23:59", None),  # overdue since July, still open
            ("2026-11-27 09:00", None),  # in time
        ):
            case = open_case("intake", unit=unit, received_at=received)
            if answered:
                fire(case, "answer", occurred_at=answered)
        # Adjudication: accepted (closing and service clocks run), one withdrawn later.
        for received, withdrawn in (
            ("2025-03-03 09:00", "2025-04-01 10:00"),
            ("2026-02-02 09:00", None),
            ("2026-09-30 23:30", None),
        ):
            case = open_case("adjudication", unit=unit, received_at=received)
            accepted = (local_date(case.received_at) + timedelta(days=2)).isoformat()
            fire(case, "accept", occurred_at=f"{accepted} 10:00", data=HANDLERS)
            if withdrawn:
                fire(case, "withdraw", occurred_at=withdrawn)
    # Pre-exams granted (grant promise met or missed) and one left under review.
    for received, qualified, filed, granted in (
        ("2026-02-02 09:00", "2026-02-03 10:00", "2026-02-04 10:00", "2026-02-10 10:00"),
        ("2026-05-06 09:00", "2026-05-07 10:00", "2026-05-08 10:00", "2026-07-20 10:00"),
    ):
        with time_machine.travel(at(received), tick=False):
            case = open_case("pre_exam", received_at=received, applicant_id=applicant.id)
        _step(fire, case, "start_review", qualified.replace("10:00", "09:30"))
        _step(fire, case, "qualify", qualified)
        _step(fire, case, "record_filing", filed, data={"application_number": "202610012345.1"})
        _step(fire, case, "record_grant", granted)
    with time_machine.travel(at("2026-10-12 09:00"), tick=False):
        open_case("pre_exam", received_at="2026-10-12 09:00", applicant_id=applicant.id)


def _recount(unit_ids, first: date, last: date, now) -> list[dict]:
    """The rows of GET /stats counted one case and one clock at a time, by their local days
    (Asia/Shanghai), from nothing but the rows."""
    cases = [c for c in db.session.scalars(select(Case)) if c.unit_id in unit_ids]
    clocks = [k for k in db.session.scalars(select(Clock)) if k.unit_id in unit_ids]
    workflow_of = {c.id: c.workflow for c in cases}
    centre = [k for k in clocks if k.name not in workflows.uncounted_clock_names()]
    on_time = defaultdict(lambda: [0, 0])  # workflow → [met, missed]
    for clock in centre:
        wf = workflow_of[clock.case_id]
        if clock.status in ("met", "breached") and first <= local_date(clock.stopped_at) <= last:
            on_time[wf][clock.status != "met"] += 1
        elif clock.status == "running" and clock.due_at < now:
            on_time[wf][1] += first <= due_day(clock.due_at) <= last
    out = []
    for name, module in workflows.WORKFLOWS.items():
        cohort = [
            c
            for c in cases
            if c.workflow == name and first <= local_date(c.received_at) <= last
        ]
        ids = {c.id for c in cohort}
        settled = [
            k.status
            for k in clocks
            if k.case_id in ids and k.name == CLOSING_CLOCKS[name]
            and k.status in ("met", "breached")
        ]
        days = [(c.closed_at - c.received_at).total_seconds() / 86400 for c in cohort if c.is_closed]
        met, missed = on_time[name]
        out.append(
            {
                "workflow": name,
                "label": module.LABEL,
                "opened": len(cohort),
                "closed": sum(c.is_closed for c in cohort),
                "open_overdue": sum(
                    1 for c in cohort if not c.is_closed and c.next_due_at and c.next_due_at < now
                ),
                "closing_clock": CLOSING_CLOCKS[name],
                "closing_met_share": (
                    round(settled.count("met") / len(settled), 4) if settled else None
                ),
                "median_days_to_close": round(median(days), 2) if days else None,
                "period_from": first.isoformat(),
                "period_to": last.isoformat(),
                "clocks_met": met,
                "clocks_missed": missed,
                "on_time_share": round(met / (met + missed), 4) if met + missed else None,
            }
        )
    return out


PERIODS = (
    ("2024-01-01", "2026-11-30"),  # several years
    ("2026-01-01", "2026-11-30"),
    ("2025-12-31", "2025-12-31"),  # one local day: 16:00Z on 12-30 to 16:00Z on 12-31
    ("2026-01-01", "2026-03-31"),  # quarters meeting at a local midnight
    ("2026-04-01", "2026-06-30"),
    ("2026-07-01", "2026-09-30"),
    ("2026-10-01", "2026-11-30"),  # up to today: today's clocks past due read from the rows
    ("2026-09-07", "2026-12-31"),  # past today
)


def test_stats_from_the_running_totals_equal_a_recount_from_the_rows(
    api, staff, units, open_case, fire, applicant
):
    _cases_over_several_periods(open_case, fire, applicant)
    zs, pd = units["ZS"].id, units["PD"].id
    readers = (
        (staff["ZS"]["supervisor"], "", {zs}),
        (staff["PD"]["viewer"], "", {pd}),
        (staff["admin"], "", {u.id for u in units.values()}),
        (staff["admin"], "&unit=PD", {pd}),
    )
    counted = set()
    with time_machine.travel(NOW, tick=False):
        for user, unit, unit_ids in readers:
            for first, last in PERIODS:
                body = api(user).get(f"/api/v1/stats?from={first}&to={last}{unit}").get_json()
                want = _recount(
                    unit_ids, date.fromisoformat(first), date.fromisoformat(last), NOW
                )
                assert body["workflows"] == want, (user.username, unit, first, last)
                counted |= {
                    (row["workflow"], key)
                    for row in want
                    for key in ("opened", "closed", "open_overdue", "clocks_met", "clocks_missed")
                    if row[key]
                }
    # The cases exercise every figure, not a table of zeros.
    for wf, key in (
        ("intake", "closed"), ("intake", "open_overdue"), ("intake", "clocks_missed"),
        ("adjudication", "opened"), ("pre_exam", "clocks_met"),
    ):
        assert (wf, key) in counted


def _statements(app):
    """The SQL statements run while the block runs (``with _statements(app) as seen``)."""

    class Seen(list):
        def __enter__(self):
            event.listen(db.engine, "before_cursor_execute", self._add)
            return self

        def __exit__(self, *exc):
            event.remove(db.engine, "before_cursor_execute", self._add)

        def _add(self, conn, cursor, statement, *args):
            self.append(" ".join(statement.split()))

    return Seen()


def test_stats_read_the_cases_once_not_once_per_workflow(
    app, api, staff, open_case, fire, applicant
):
    """The row figures of a period (closed, overdue, median, closing clocks) are one statement
    over the period's cases and one over their clocks, whatever the number of workflows."""
    _cases_over_several_periods(open_case, fire, applicant)
    reader = api(staff["ZS"]["supervisor"])
    with time_machine.travel(NOW, tick=False), _statements(app) as seen:
        assert reader.get("/api/v1/stats?from=2024-01-01&to=2026-11-30").status_code == 200
    over_rows = [s for s in seen if " FROM cases" in s or " FROM clocks" in s]
    assert len(over_rows) <= 3, over_rows  # + today's clocks past due (on-time share)


def _events_read(app):
    """The statements over ``events`` run while the block runs, with their parameters, so that
    the rows each returned can be fetched again and counted."""

    class Read(list):
        def __enter__(self):
            event.listen(db.engine, "before_cursor_execute", self._add)
            return self

        def __exit__(self, *exc):
            event.remove(db.engine, "before_cursor_execute", self._add)

        def _add(self, conn, cursor, statement, parameters, *args):
            if " FROM events" in " ".join(statement.split()):
                self.append((statement, parameters))

        def rows(self):
            connection = db.session.connection()
            return [row for s, p in self for row in connection.exec_driver_sql(s, p).all()]

    return Read()


def test_the_annual_report_reads_only_its_years_pre_exam_steps(
    app, api, staff, open_case, fire, applicant
):
    """2025 and 2026 each hold reviews and grants; case C, filed at CNIPA in December 2025, is
    granted in January 2026. The 2026 report reads its four steps of 2026 and the two filings of
    its grants (C's of 2025 among them), nothing else of 2025; both years' figures are as
    counted by hand."""
    for received, steps in (
        ("2025-03-02 09:00", (("qualify", "2025-03-03"), ("record_filing", "2025-03-04"),
                              ("record_grant", "2025-03-20"))),  # A
        ("2025-06-02 09:00", (("disqualify", "2025-06-03"),)),  # B
        ("2025-12-01 09:00", (("qualify", "2025-12-02"), ("record_filing", "2025-12-29"),
                              ("record_grant", "2026-01-20"))),  # C
        ("2026-02-02 09:00", (("qualify", "2026-02-03"), ("record_filing", "2026-02-04"),
                              ("record_grant", "2026-02-10"))),  # D
        ("2026-05-06 09:00", (("disqualify", "2026-05-07"),)),  # E
    ):
        with time_machine.travel(at(received), tick=False):
            case = open_case("pre_exam", received_at=received, applicant_id=applicant.id)
        _step(fire, case, "start_review", received.replace("09:00", "10:00"))
        for trigger, day in steps:
            data = {
                "qualify": {},
                "disqualify": {"reason": "视图不完整"},
                "record_filing": {"application_number": "202610012345.1"},
                "record_grant": {},
            }[trigger]
            _step(fire, case, trigger, f"{day} 10:00", data=data)
    reader = api(staff["ZS"]["supervisor"])
    with time_machine.travel(NOW, tick=False):
        with _events_read(app) as read:
            body = reader.get("/api/v1/stats/report?year=2026").get_json()
        rows = read.rows()
        earlier = reader.get("/api/v1/stats/report?year=2025").get_json()

    def pre_exam(report):
        (entry,) = [w for w in report["workflows"] if w["workflow"] == "pre_exam"]
        return entry["pre_exam"]

    assert pre_exam(body) == {
        "qualified": 1,
        "not_qualified": 1,
        "qualification_rate": 0.5,
        # C: 2025-12-01 → 2026-01-20 (50 days), from its filing 12-29 (22); D: 8 and 6.
        "grant_days_from_request": {"count": 2, "median": 29.0, "p90": 50},
        "grant_days_from_filing": {"count": 2, "median": 14.0, "p90": 22},
    }
    assert pre_exam(earlier) == {
        "qualified": 2,
        "not_qualified": 1,
        "qualification_rate": 0.6667,
        "grant_days_from_request": {"count": 1, "median": 18, "p90": 18},
        "grant_days_from_filing": {"count": 1, "median": 16, "p90": 16},
    }
    # The year's qualify, disqualify and two grants, and the grants' two filings: 6 rows, not
    # the 11 steps of both years.
    assert len(rows) == 6, rows


def test_the_dashboard_export_reads_no_cases_parties_or_data(
    app, client, login, make_user, units, open_case
):
    """The export lists every overdue and 临期 clock (up to ``EXPORT_LIMIT``) with its case's
    number, step and desk: the cases' parties and data (JSON decoded per row) are not read."""
    import io

    from openpyxl import load_workbook

    chief = make_user("supervisor", units["ZS"], username="zs_boss", display_name="李主任")
    late = open_case("adjudication", received_at="2026-11-02 09:00")  # acceptance due 11-09
    with time_machine.travel(NOW, tick=False):
        login(chief)
        with _statements(app) as seen:
            response = client.get("/dashboard.xlsx?date_from=2022-01-01&date_to=2026-11-30")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert late.number in {row[2] for row in book["超期"].iter_rows(min_row=2, values_only=True)}
    wide = [s for s in seen if "cases.complainant" in s or "cases.data" in s]
    assert not wide, wide
