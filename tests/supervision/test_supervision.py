"""One truth about time for supervisors (issue 11): one deadline text on every surface, honest
on-time figures, the approval queue, the landing pages, the XLSX, the annual report, and court
periods that a centre's closure never moves. "Now" is pinned with time_machine throughout."""

import io
import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import delete

from caseflow.alerts.delivery import alert_subject, alert_text
from caseflow.alerts.services import sla_sweep
from caseflow.calendar.models import UnitClosure
from caseflow.calendar.services import calendar_load, calendar_version_bump
from caseflow.clocks.services import clock_retime, clock_start
from caseflow.extensions import db
from caseflow.supervision.selectors import approvals_queue, on_time_tallies
from caseflow.timeutil import end_of_local_day, start_of_local_day
from tests.engine.helpers import *  # noqa: F403  (open_case, fire, staff …)
from tests.engine.helpers import at, clocks_of

pytestmark = pytest.mark.usefixtures("pending_notices")

PREFIX = "/api/v1"
NOW = at("2026-11-30 10:00")


@pytest.fixture
def chief(make_user, units):
    return make_user("supervisor", units["ZS"], username="zs_boss", display_name="李主任")


@pytest.fixture
def clerk(make_user, units):
    return make_user("caseworker", units["ZS"], username="zs_clerk", display_name="张承办")


def _under_review(open_case, fire, received="2026-11-02 09:00"):
    """An adjudication case waiting for the supervisor's decision (作出裁决)."""
    case = open_case("adjudication", received_at=received)
    fire(case, "accept", occurred_at="2026-11-03 10:00", data={"handlers": ["甲", "乙", "丙"]})
    fire(case, "serve", occurred_at="2026-11-04 10:00")
    fire(case, "receive_answer", occurred_at="2026-11-10 10:00")
    return case


def test_one_deadline_reads_the_same_everywhere(client, login, api, clerk, chief, open_case):
    # Received Wednesday 2026-11-18: 5 working days to decide on acceptance → Wed 11-25.
    case = open_case("adjudication", received_at="2026-11-18 09:00", actor=clerk)
    clock = clocks_of(case)["acceptance"]
    assert clock.due_at == end_of_local_day(date(2026, 11, 25))  # stored as 11-26 00:00
    want = "2026年11月25日（周三）"
    (alert, *_) = sla_sweep(NOW)  # overdue (and due_soon, late) raised at once
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        login(clerk)
        surfaces = {
            "case page": client.get(f"/cases/{case.id}").text,
            "inbox": client.get("/inbox").text,
            "alerts": client.get("/alerts/").text,
        }
        login(chief)
        xlsx = load_workbook(io.BytesIO(client.get("/dashboard.xlsx").data))
        body = api(chief).get(f"{PREFIX}/cases/{case.id}").get_json()
        alerts = api(chief).get(f"{PREFIX}/alerts").get_json()["alerts"]
    surfaces["e-mail subject"] = alert_subject(alert)
    surfaces["e-mail text"] = alert_text(alert)
    for name, text in surfaces.items():
        assert want in text, name
        assert "11月26日" not in text, name  # never 00:00 of the next day
    overdue = {row[2]: row for row in xlsx["超期"].iter_rows(min_row=2, values_only=True)}
    assert overdue[case.number][6] == datetime(2026, 11, 25)  # a real date, the last day
    assert overdue[case.number][7] == 5  # days overdue on 11-30
    (api_clock,) = [c for c in body["clocks"] if c["name"] == "acceptance"]
    assert api_clock["due_on"] == "2026-11-25" and api_clock["due_text"] == want
    assert api_clock["due_at"].startswith("2026-11-26T00:00")  # the instant stays
    assert "provisional" in api_clock  # each clock carries its own flag
    assert {a["due_on"] for a in alerts if a["case_number"] == case.number} == {"2026-11-25"}
    assert "立案审查期限" in surfaces["e-mail subject"]  # the clock's name, not its code


def test_an_overdue_running_clock_lowers_the_on_time_share(client, login, api, chief, open_case, fire):
    met = open_case("adjudication", received_at="2026-11-02 09:00")
    fire(met, "accept", occurred_at="2026-11-03 10:00", data={"handlers": ["甲", "乙", "丙"]})
    late = open_case("adjudication", received_at="2026-11-16 09:00")  # acceptance due 11-20
    start, end = start_of_local_day(date(2026, 11, 1)), end_of_local_day(date(2026, 11, 30))
    tallies = {t.clock: t for t in on_time_tallies(chief, start=start, end=end, now=NOW)}
    assert (tallies["acceptance"].met, tallies["acceptance"].missed) == (1, 1)
    assert tallies["acceptance"].share == 0.5
    assert late.state == "filed"
    with time_machine.travel(NOW, tick=False):
        login(chief)
        page = client.get("/dashboard?date_from=2026-11-01&date_to=2026-11-30")
        stats = api(chief).get(f"{PREFIX}/stats?from=2026-11-01&to=2026-11-30").get_json()
    assert page.status_code == 200
    # Over all clocks: the met acceptance; the late acceptance and the first case's service
    # clock (due 11-10, still running) are missed.
    assert 'id="kpi-on-time">33%' in page.text and "(1/3)" in page.text
    (adjudication,) = [w for w in stats["workflows"] if w["workflow"] == "adjudication"]
    assert (adjudication["clocks_met"], adjudication["clocks_missed"]) == (1, 2)
    assert adjudication["on_time_share"] == 0.3333


def test_every_figure_of_a_stats_row_covers_the_period_it_states(api, chief, open_case):
    """Without ``from``, the period is the dashboard's twelve weeks up to today: a case received
    before it is neither opened nor closed in it, as its clocks are not counted either."""
    open_case("adjudication", received_at="2026-08-03 09:00")  # before 09-07
    open_case("adjudication", received_at="2026-11-16 09:00")
    with time_machine.travel(NOW, tick=False):
        for query in ("", "?to=2026-11-30"):
            (row,) = [
                w
                for w in api(chief).get(f"{PREFIX}/stats{query}").get_json()["workflows"]
                if w["workflow"] == "adjudication"
            ]
            assert (row["period_from"], row["period_to"]) == ("2026-09-07", "2026-11-30")
            assert row["opened"] == 1
        everything = api(chief).get(f"{PREFIX}/stats?from=2026-08-01").get_json()["workflows"]
    assert [w["opened"] for w in everything if w["workflow"] == "adjudication"] == [2]


def test_a_clock_whose_last_day_ends_a_month_is_late_in_that_month(open_case, chief):
    """Received Monday 11-23 10:00: 5 working days → last day Monday 11-30, due at its 24:00
    (stored as 12-01 00:00). Still running on 12-01, it is missed in November's figures, the
    month of its last day, and not in December's."""
    open_case("adjudication", received_at="2026-11-23 10:00")
    now = at("2026-12-01 10:00")

    def acceptance(first, last):
        tallies = on_time_tallies(
            chief, start=start_of_local_day(first), end=end_of_local_day(last), now=now
        )
        return [(t.met, t.missed) for t in tallies if t.clock == "acceptance"]

    assert acceptance(date(2026, 11, 1), date(2026, 11, 30)) == [(0, 1)]
    assert acceptance(date(2026, 12, 1), date(2026, 12, 31)) == []


def test_a_watch_clock_run_out_is_not_the_centre_late(client, login, chief, open_case):
    """The parties' period to sue (``appeal``, a watch clock) running out is not the centre's
    lateness: the overdue list leaves it out, and so do the counts beside it and the on-time
    share, which are read from the running totals."""
    from caseflow.web.selectors import late_totals

    case = open_case("adjudication", received_at="2026-10-12 09:00")
    clock_start(case, "appeal", period="15 days", started_at=at("2026-11-02 10:00"))  # 11-17
    db.session.commit()
    assert late_totals(chief, NOW) == (1, 0)  # the acceptance, long overdue; not the appeal
    tallies = on_time_tallies(  # October (the acceptance's last day) and November (the appeal's)
        chief,
        start=start_of_local_day(date(2026, 10, 1)),
        end=end_of_local_day(date(2026, 11, 30)),
        now=NOW,
    )
    assert {t.clock for t in tallies} == {"acceptance"}


def test_a_respondent_who_never_answers_does_not_make_the_centre_late(chief, open_case, fire):
    """The answer period (答辩期限) is the respondent's: it runs out, the caseworker is told and
    proceeds without the answer; the clock reads 超期完成 as the respondent kept it, but neither
    the centre's on-time figures nor an escalation to the supervisors count it."""
    from caseflow.alerts.models import Alert

    case = open_case("adjudication", received_at="2026-10-12 09:00")
    fire(case, "accept", occurred_at="2026-10-13 10:00", data={"handlers": ["甲", "乙", "丙"]})
    fire(case, "serve", occurred_at="2026-10-14 10:00")  # 15 days: last day 10-29
    raised = sla_sweep(at("2026-11-12 10:00"))  # past 5 working days after it: no 督办
    db.session.commit()
    answer_alerts = {a.level for a in raised if a.clock.name == "answer"}
    assert answer_alerts == {"due_soon", "overdue"}
    fire(case, "proceed_without_answer", occurred_at="2026-11-12 11:00")
    assert clocks_of(case)["answer"].status == "breached"
    assert db.session.query(Alert).filter_by(level="escalated").count() == 0
    tallies = on_time_tallies(
        chief,
        start=start_of_local_day(date(2026, 10, 1)),
        end=end_of_local_day(date(2026, 11, 30)),
        now=NOW,
    )
    assert "answer" not in {t.clock for t in tallies}
    assert {t.clock for t in tallies} >= {"acceptance", "service"}


def test_due_soon_is_the_75_percent_rule_on_the_dashboard_too(client, login, chief, open_case):
    # Received Monday 11-23 00:00: 5 working days → due end of Monday 11-30. 75% of the running
    # time has gone by Friday 11-28 06:00, two days before the last day: already 临期 everywhere.
    case = open_case("adjudication", received_at="2026-11-23 00:00")
    clock = clocks_of(case)["acceptance"]
    assert clock.due_at == end_of_local_day(date(2026, 11, 30))
    moment = clock.started_at + (clock.due_at - clock.started_at) * 3 / 4
    with time_machine.travel(moment - timedelta(minutes=1), tick=False):
        login(chief)
        assert 'id="kpi-due-soon">0<' in client.get("/dashboard").text
    with time_machine.travel(moment + timedelta(minutes=1), tick=False):
        page = client.get("/dashboard")
        inbox = client.get("/inbox?tab=all")
    assert 'id="kpi-due-soon">1<' in page.text
    assert case.number in page.text.split('id="due-soon"')[1]
    assert "is-due_soon" in inbox.text


def test_the_approval_queue_lists_a_case_waiting_for_decide(client, login, api, chief, clerk, open_case, fire):
    waiting = _under_review(open_case, fire)
    open_case("adjudication", received_at="2026-11-25 09:00")  # filed: the caseworker's turn
    queue = approvals_queue(chief, now=NOW)
    assert [row.case.number for row in queue.rows] == [waiting.number]
    assert "decide" in {t.trigger for t in queue.rows[0].steps}
    assert queue.rows[0].waiting(NOW) == NOW - at("2026-11-10 10:00")
    with time_machine.travel(NOW, tick=False):
        body = api(chief).get(f"{PREFIX}/approvals").get_json()
        login(chief)
        page = client.get("/dashboard")
    (item,) = body["items"]
    assert item["case_number"] == waiting.number and body["total"] == 1
    assert "decide" in [t["trigger"] for t in item["triggers"]]
    assert item["waiting_since"].startswith("2026-11-10T10:00")
    assert item["waiting_text"] == "20 天 0 小时"
    section = page.text.split('id="approvals"')[1].split("</section>")[0]
    assert waiting.number in section and "作出裁决" in section and "20 天 0 小时" in section
    refused = api(clerk).get(f"{PREFIX}/approvals")
    assert refused.status_code == 403 and refused.get_json()["error"]["message"]


def test_each_role_lands_on_its_own_page(client, login, make_user, units, chief, clerk):
    desk = make_user("desk_officer", units["CF"], username="cf_desk_officer")
    admin = make_user("admin", None, username="root_admin")
    for user, landing in ((chief, "/dashboard"), (desk, "/desk"), (admin, "/admin"), (clerk, "/inbox")):
        login(user)
        assert client.get("/").headers["Location"].endswith(landing), user.role


def test_a_reversed_period_is_refused_beside_the_fields(client, login, api, chief):
    login(chief)
    page = client.get("/dashboard?date_from=2026-11-30&date_to=2026-11-01")
    assert page.status_code == 422
    assert 'id="date_to-error"' in page.text and "止日不能早于起日" in page.text
    assert client.get("/dashboard.xlsx?date_from=2026-11-30&date_to=2026-11-01").status_code == 422
    body = api(chief).get(f"{PREFIX}/stats?from=2026-11-30&to=2026-11-01")
    assert body.status_code == 422 and "to" in body.get_json()["error"]["fields"]


def test_the_xlsx_is_typed_filtered_frozen_and_injection_proof(client, login, chief, open_case):
    case = open_case(
        "adjudication",
        received_at="2026-11-16 09:00",
        complainant={"name": "=HYPERLINK(\"http://evil\",\"点我\")", "kind": "company"},
    )
    case.assignee_id = None
    with time_machine.travel(NOW, tick=False):
        login(chief)
        data = client.get("/dashboard.xlsx?date_from=2026-11-01&date_to=2026-11-30").data
    book = load_workbook(io.BytesIO(data))
    sheet = book["超期"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:H")
    assert sheet["H1"].value == "超期天数" and sheet["G2"].is_date
    rate = book["按期率"]
    assert rate["E2"].number_format == "0.0%" and isinstance(rate["E2"].value, int | float)
    assert book["每周趋势"]["A2"].is_date
    # No cell anywhere is a formula.
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def test_the_xlsx_lists_every_overdue_clock_the_page_cuts_short(client, login, chief, open_case):
    """The page shows the 20 soonest; the workbook a supervisor works from holds all 22, and
    its 临期 sheet counts the days left, not days late."""
    for day in range(2, 24):  # received 10-02…10-23: every acceptance long overdue by 11-30
        open_case("adjudication", received_at=f"2026-10-{day:02d} 09:00")
    soon = open_case("adjudication", received_at="2026-11-24 09:00")  # last day 12-01, 临期
    with time_machine.travel(NOW, tick=False):
        login(chief)
        page = client.get("/dashboard").text
        book = load_workbook(io.BytesIO(client.get("/dashboard.xlsx").data))
    assert "显示最早到期的 20 条" in page
    assert book["超期"].max_row == 1 + 22
    due_soon = book["临期"]
    assert due_soon["H1"].value == "剩余天数"
    [row] = [r for r in due_soon.iter_rows(min_row=2, values_only=True) if r[2] == soon.number]
    assert row[6].date() == date(2026, 12, 1) and row[7] == 1
    notes = [r[0] for r in book["说明"].iter_rows(min_row=2, values_only=True)]
    assert "超期" not in notes  # the list is whole: no line saying it was cut
    # Past the export's own bound (10,000 clocks), 说明 says the list was cut and by how much.
    from caseflow.web.export import _cut_short

    assert list(_cut_short("超期", [object()] * 3, 12)) == [("超期", "仅列出最早到期的 3 条，共 12 条")]


def test_text_cells_are_never_formulas():
    from openpyxl import Workbook

    from caseflow.web.export import _put

    cell = Workbook().active["A1"]
    _put(cell, '=HYPERLINK("http://evil","x")')
    assert cell.data_type == "s" and cell.quotePrefix


def test_the_annual_report_in_json_and_xlsx(client, login, api, chief, open_case, fire):
    _under_review(open_case, fire)
    open_case(
        "adjudication",
        received_at="2026-03-02 09:00",
        complainant={"name": "Acme GmbH", "kind": "company", "country": "DE"},
    )
    with time_machine.travel(NOW, tick=False):
        body = api(chief).get(f"{PREFIX}/stats/report?year=2026").get_json()
        login(chief)
        response = client.get("/stats/report.xlsx?year=2026")
    (adj,) = [w for w in body["workflows"] if w["workflow"] == "adjudication"]
    assert body["year"] == 2026 and body["unit"] == "ZS"
    assert adj["received"] == 2 and adj["foreign_related"] == 1
    assert adj["by_right_type"] == {"patent:design": 2}
    assert {p["clock"] for p in adj["promises"]} >= {"acceptance", "service"}
    pre = next(w for w in body["workflows"] if w["workflow"] == "pre_exam")
    assert set(pre["pre_exam"]) >= {"qualification_rate", "grant_days_from_request", "grant_days_from_filing"}
    assert "fairs" in next(w for w in body["workflows"] if w["workflow"] == "fair_complaint")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    summary = book["汇总"]
    row = next(r for r in summary.iter_rows(min_row=2) if r[0].value == adj["label"])
    assert row[1].value == 2 and row[1].data_type == "n"
    assert row[8].number_format == "0.0%"
    assert book["说明"]["B4"].is_date
    # Labels a supervisor reads, not codes: walk_in, patent:design.
    by_channel = {r[1] for r in book["按渠道"].iter_rows(min_row=2, values_only=True)}
    by_right = {r[1] for r in book["按权利类型"].iter_rows(min_row=2, values_only=True)}
    assert by_channel == {"窗口来访"}
    assert by_right == {"专利（外观设计）"}
    bad = api(chief).get(f"{PREFIX}/stats/report?year=twenty")
    assert bad.status_code == 422 and "year" in bad.get_json()["error"]["fields"]


def test_the_annual_report_counts_the_cases_a_procedure_went_on_to(
    client, login, api, chief, open_case, fire
):
    """A complaint routed to adjudication closes the intake as 已受理: the report says where it
    went, so a centre can return how many complaints became which procedure."""
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        for route in ("adjudication", "adjudication", "mediation"):
            fire(open_case("intake", received_at="2026-11-02 09:00"), "accept", data={"route": route})
        open_case("intake", received_at="2026-11-02 09:00")  # still open: not counted
    with time_machine.travel(NOW, tick=False):
        body = api(chief).get(f"{PREFIX}/stats/report?year=2026").get_json()
        login(chief)
        book = load_workbook(io.BytesIO(client.get("/stats/report.xlsx?year=2026").data))
    intake = next(w for w in body["workflows"] if w["workflow"] == "intake")
    assert intake["went_on_to"] == [
        {"workflow": "adjudication", "label": "专利侵权纠纷行政裁决", "cases": 2},
        {"workflow": "mediation", "label": "专利纠纷调解", "cases": 1},
    ]
    assert all(not w["went_on_to"] for w in body["workflows"] if w["workflow"] != "intake")
    rows = set(book["转入其他程序"].iter_rows(min_row=2, values_only=True))
    assert rows == {(intake["label"], "专利侵权纠纷行政裁决", 2), (intake["label"], "专利纠纷调解", 1)}


@pytest.fixture
def typhoon():
    yield "2026-09-15 holiday 台风停工\n"
    db.session.rollback()
    db.session.execute(delete(UnitClosure))
    calendar_version_bump()
    db.session.commit()


def test_a_unit_closure_never_moves_a_court_period(open_case, typhoon):
    # Served 2026-08-31: 15 days to sue → the last day is Tuesday 09-15, the day Zhongshan closes
    # for a typhoon. The court is open: the period stays; the centre's own clock rolls over.
    case = open_case("adjudication", received_at="2026-08-28 09:00")
    appeal = clock_start(case, "appeal", period="15 days", started_at=at("2026-08-31 10:00"))
    own = clock_start(case, "publication_test", period="15 days", started_at=at("2026-08-31 10:00"))
    db.session.commit()
    assert appeal.due_at == own.due_at == end_of_local_day(date(2026, 9, 15))
    result = calendar_load(typhoon, source="中山防风指挥部通告", unit="ZS")
    db.session.commit()
    assert [m.clock_name for m in result.moved] == ["publication_test"]
    assert appeal.due_at == end_of_local_day(date(2026, 9, 15))
    assert own.due_at == end_of_local_day(date(2026, 9, 16))
    # Started after the closure was loaded: still counted on the national calendar.
    later = open_case("adjudication", received_at="2026-08-28 09:00")
    again = clock_start(later, "appeal", period="15 days", started_at=at("2026-08-31 10:00"))
    assert again.due_at == end_of_local_day(date(2026, 9, 15))
    # Re-timed to the decision's service (parties.md §4): recounted on the national calendar too.
    # Served 08-30 (a Sunday): the last day is Monday 09-14; served 08-31 again: 09-15, open
    # at the court though Zhongshan is closed (on the unit's calendar it would roll to 09-16).
    clock_retime(later, "appeal", started_at=at("2026-08-30 10:00"))
    assert again.due_at == end_of_local_day(date(2026, 9, 14))
    clock_retime(later, "appeal", started_at=at("2026-08-31 10:00"))
    assert again.due_at == end_of_local_day(date(2026, 9, 15))


def test_a_unit_closure_never_moves_the_courts_periods_of_a_mediation(open_case, typhoon):
    """The court's 15 days to rule on a confirmation (court_ruling) and the parties' 30 days to
    apply to the court for it (confirmation_window) run at the court: Zhongshan's typhoon
    closure on Tuesday 09-15, their last day, does not roll them over to 09-16."""
    case = open_case("mediation", received_at="2026-08-10 09:00")
    # 15 days from 08-31 and 30 days from Sunday 08-16 both end on Tuesday 09-15.
    ruling = clock_start(case, "court_ruling", period="15 days", started_at=at("2026-08-31 10:00"))
    window = clock_start(
        case, "confirmation_window", period="30 days", started_at=at("2026-08-16 10:00")
    )
    db.session.commit()
    result = calendar_load(typhoon, source="中山防风指挥部通告", unit="ZS")
    db.session.commit()
    assert result.moved == []
    assert ruling.due_at == window.due_at == end_of_local_day(date(2026, 9, 15))
    # Started after the closure was loaded: counted on the national calendar too.
    later = open_case("mediation", received_at="2026-08-10 09:00")
    again = clock_start(later, "court_ruling", period="15 days", started_at=at("2026-08-31 10:00"))
    assert again.due_at == end_of_local_day(date(2026, 9, 15))


def test_waiting_time_text():
    from caseflow.supervision.selectors import waiting_text

    assert waiting_text(timedelta(days=3, hours=4, minutes=5)) == "3 天 4 小时"
    assert waiting_text(timedelta(hours=5, minutes=20)) == "5 小时 20 分"


def test_pudong_seed_profile_takes_designs_in_its_fields():
    """procedures.md: Pudong promises a design grant in a week; the seeded profile now names
    Locarno classes that fit its fields, so a design pre-exam request can be accepted."""
    from caseflow.applicants.services import classification_in_fields
    from workflows.profiles import UNIT_PROFILES

    pudong = next(p for p in UNIT_PROFILES if p["code"] == "PD")["profile"]
    assert classification_in_fields("design", "24-01", pudong["fields"])  # a medical device
    assert classification_in_fields("design", "14-02", pudong["fields"])  # a data-processing unit
    assert not classification_in_fields("design", "26-05", pudong["fields"])  # lamps: Zhongshan's
    assert pudong["clocks"]["grant_target"]["design"] == "7 days"


def test_a_moved_date_that_a_notice_announced_asks_for_a_correction(
    client, login, chief, open_case, fire, typhoon
):
    """The acceptance notice announced the closing date; a unit closure on that last day moves
    it. The case page shows the task; the correction names the notice and prints the new date."""
    import subprocess

    from caseflow.notices.selectors import notice_pdf_bytes, notices_needing_correction
    from caseflow.timeutil import deadline_day

    case = open_case("adjudication", received_at="2026-03-02 09:00")
    fire(case, "accept", occurred_at="2026-03-04 10:00", data={"handlers": ["甲", "乙", "丙"]},
         render_notices=True)
    closing = clocks_of(case)["closing"]
    last_day = deadline_day(closing.due_at, closing.period_unit)
    assert last_day.weekday() < 5
    assert notices_needing_correction(case) == []
    calendar_load(f"{last_day.isoformat()} holiday 台风停工\n", source="通告", unit="ZS")
    db.session.commit()
    assert deadline_day(closing.due_at, closing.period_unit) > last_day
    (task,) = notices_needing_correction(case)
    assert task.clock_name == "closing" and task.notice.kind == "acceptance_notice"
    login(chief)
    page = client.get(f"/cases/{case.id}")
    assert 'id="correction-tasks"' in page.text and task.notice.document_number in page.text
    from tests.support import csrf_from

    response = client.post(
        f"/notices/{task.notice.id}/correct", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 302
    from caseflow.notices.selectors import notices_of_case

    correction = notices_of_case(case.id)[-1]
    assert correction.replaces_id == task.notice.id and correction.is_issued
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=notice_pdf_bytes(correction), capture_output=True, check=True,
    ).stdout.decode().replace(" ", "").replace("\n", "")
    new_day = deadline_day(closing.due_at, closing.period_unit)
    assert f"{new_day.year}年{new_day.month}月{new_day.day}日" in text
    assert notices_needing_correction(case) == []
    assert 'id="correction-tasks"' not in client.get(f"/cases/{case.id}").text


def _tally_snapshot():
    from sqlalchemy import select

    from caseflow.supervision.models import DailyTally

    rows = db.session.execute(
        select(
            DailyTally.unit_id, DailyTally.workflow, DailyTally.name, DailyTally.metric,
            DailyTally.day, DailyTally.amount,
        )
    ).all()
    return {tuple(r[:5]): r[5] for r in rows if r[5]}


def test_running_totals_kept_in_each_transaction_equal_a_recount(open_case, fire, typhoon):
    """The daily tallies the dashboard reads are kept by every write (engine steps, a calendar
    recompute, a deletion): at every point they equal a recount from the cases and clocks."""
    from sqlalchemy import select

    from caseflow.accounts.services import unit_upsert
    from caseflow.cases.models import Case
    from caseflow.clocks.models import Clock
    from caseflow.supervision.tallies import tallies_rebuild

    def check():
        db.session.commit()
        # every clock carries its case's unit (the dashboard's index ranges), kept by the hook
        moved = select(Clock.id).join(Case, Case.id == Clock.case_id)
        assert not db.session.scalars(moved.where(Clock.unit_id != Case.unit_id)).all()
        kept = _tally_snapshot()
        tallies_rebuild()
        assert _tally_snapshot() == kept
        db.session.commit()

    case = _under_review(open_case, fire)
    other = open_case("adjudication", received_at="2026-09-01 09:00")
    check()
    fire(other, "accept", occurred_at="2026-09-10 10:00", data={"handlers": ["甲", "乙", "丙"]})
    fire(case, "suspend", "supervisor", occurred_at="2026-11-12 10:00", data={"reason": "invalidation"})
    check()
    calendar_load("2026-09-15 holiday 台风停工\n", source="通告", unit="ZS")
    check()
    fire(other, "withdraw", occurred_at="2026-09-20 10:00")
    check()
    assert _tally_snapshot()  # something was counted
    # every clock carries its 临期 moment
    assert db.session.query(Clock).filter(Clock.due_soon_at.is_(None)).count() == 0
    db.session.delete(db.session.get(Clock, clocks_of(case)["closing"].id))
    check()
    elsewhere = unit_upsert(code="PX", name="另一中心", kind="protection_centre", profile={})
    db.session.flush()
    db.session.refresh(case)  # as a step reads the case it changes
    case.unit_id = elsewhere.id  # a case moved to another unit takes its clocks along
    check()
    moved_clocks = db.session.scalars(select(Clock).where(Clock.case_id == case.id)).all()
    assert moved_clocks and {clock.unit_id for clock in moved_clocks} == {elsewhere.id}


def test_the_closing_histogram_reads_each_day_of_a_period_once():
    """The median's histogram is read as whole months, whole weeks and days; whatever the
    period, every day of it falls in exactly one range, and no day outside it does."""
    from caseflow.supervision.tallies import closing_ranges

    def days_of(metric, first, last):
        if metric == "closed_days":
            return [first + timedelta(days=i) for i in range((last - first).days + 1)]
        if metric == "closed_weeks":
            assert first.weekday() == 0 and last.weekday() == 0
            return [first + timedelta(days=i) for i in range((last - first).days + 7)]
        assert first.day == 1 and last.day == 1
        end = (last + timedelta(days=32)).replace(day=1)  # the 1st after the last month
        return [first + timedelta(days=i) for i in range((end - first).days)]

    start = date(2025, 12, 20)
    for offset in range(0, 75, 3):
        for length in (0, 1, 5, 6, 7, 13, 27, 30, 31, 59, 83, 84, 120, 400):
            first = start + timedelta(days=offset)
            last = first + timedelta(days=length)
            covered = [d for r in closing_ranges(first, last) for d in days_of(*r)]
            assert sorted(covered) == [first + timedelta(days=i) for i in range(length + 1)]
    assert closing_ranges(date(2026, 9, 7), date(2026, 11, 30))[0] == (
        "closed_months", date(2026, 10, 1), date(2026, 11, 1)
    )


def test_totals_from_running_totals_equal_the_clocks_at_any_moment(open_case, fire, chief):
    """Overdue and 临期 totals (tallies before today + today's clocks) equal a direct count of
    the running clocks, at several moments, including within the day a clock falls due."""
    from sqlalchemy import func, select

    from caseflow.cases.models import Case
    from caseflow.clocks.models import Clock
    from caseflow.supervision.selectors import due_soon_condition
    from caseflow.web.selectors import late_totals

    _under_review(open_case, fire)
    for day in ("2026-11-16 09:00", "2026-11-20 15:00", "2026-11-24 11:00", "2026-11-27 08:00"):
        open_case("adjudication", received_at=day)
    db.session.commit()

    def direct(now):
        base = select(func.count(Clock.id)).join(Case, Case.id == Clock.case_id)
        overdue = db.session.scalar(base.where(Clock.status == "running", Clock.due_at < now))
        soon = db.session.scalar(base.where(due_soon_condition(now)))
        return overdue, soon

    for moment in ("2026-11-25 00:00", "2026-11-27 09:30", "2026-11-28 00:00", "2026-12-01 13:00",
                   "2026-12-04 23:59", "2026-12-05 00:00"):
        now = at(moment)
        assert late_totals(chief, now) == direct(now), moment


def test_a_month_over_national_day_is_flagged_as_squeezed(client, login, api, chief, open_case, fire):
    """A closing clock of one month from 2026-09-28 holds 18 working days (make-up Saturdays
    counted) against about 21: the case page and the dashboard say so; October–November does not."""
    from caseflow.calendar.periods import calendar_for_context
    from caseflow.supervision.squeeze import clock_squeeze

    case = open_case("adjudication", received_at="2026-09-28 09:00")
    squeezed = clock_start(case, "promise_test", period="1 months", started_at=at("2026-09-28 10:00"))
    calm = clock_start(case, "calm_test", period="1 months", started_at=at("2026-10-29 10:00"))
    db.session.commit()
    found = clock_squeeze(squeezed, calendar_for_context(case.unit_id))
    assert (found.workdays, found.usual) == (18, 21)
    assert found.text == "本期限内仅 18 个工作日（通常约 21 个）"
    assert clock_squeeze(calm, calendar_for_context(case.unit_id)) is None
    with time_machine.travel(at("2026-10-09 10:00"), tick=False):
        login(chief)
        page = client.get(f"/cases/{case.id}")
        board = client.get("/dashboard")
    assert "本期限内仅 18 个工作日（通常约 21 个）" in page.text
    section = board.text.split('id="squeezed"')[1].split("</section>")[0]
    assert case.number in section and "18 个工作日" in section


def test_a_clock_that_was_paused_has_no_usual_working_days_hint(open_case, fire):
    """A one-month promise resumed after a suspension runs to a due date moved by the paused
    days: "usual" for that span counted the pause (本期限内仅 25 个工作日（通常约 29 个）)."""
    from caseflow.calendar.periods import calendar_for_context
    from caseflow.supervision.squeeze import clock_squeeze

    # Suspended over National Day: the span from start to the moved due date holds the holiday,
    # the month it counts (09-15, then 10-10 … 11-09) does not.
    case = open_case("adjudication", received_at="2026-09-14 09:00")
    fire(case, "accept", occurred_at="2026-09-15 10:00", data={"handlers": ["甲", "乙", "丙"]})
    fire(case, "suspend", "supervisor", occurred_at="2026-09-16 10:00", data={"reason": "appraisal"})
    promise = clocks_of(case)["closing_target"]
    calendar = calendar_for_context(case.unit_id)
    assert promise.status == "paused" and clock_squeeze(promise, calendar) is None
    fire(case, "resume", "supervisor", occurred_at="2026-10-10 10:00")
    promise = clocks_of(case)["closing_target"]
    assert promise.status == "running" and promise.paused_seconds > 0
    assert clock_squeeze(promise, calendar) is None


def test_bulk_reassignment_of_ticked_cases(client, login, chief, clerk, open_case, make_user, units):
    from caseflow.cases.models import Event
    from tests.support import csrf_from

    first = open_case("adjudication", received_at="2026-11-20 09:00")
    second = open_case("adjudication", received_at="2026-11-21 09:00")
    elsewhere = open_case("adjudication", unit="PD", received_at="2026-11-21 09:00")
    login(chief)
    page = client.get("/inbox?tab=all")
    assert 'id="bulk-form"' in page.text
    token = csrf_from(page.text)
    done = client.post(
        "/inbox/reassign",
        data={"csrf_token": token, "assignee_id": clerk.id, "case_ids": [first.id, second.id],
              "next": "/inbox?tab=all"},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/inbox?tab=all")
    db.session.expire_all()
    assert first.assignee_id == second.assignee_id == clerk.id
    assert db.session.query(Event).filter_by(kind="assign").count() == 2
    # Another unit's case in the batch: nothing changes (all or none), and the answer is the
    # one for an id that names no case, so it confirms nothing about the other unit.
    answers = []
    for stranger in (elsewhere.id, "0" * 32):
        refused = client.post(
            "/inbox/reassign",
            data={"csrf_token": token, "assignee_id": "", "case_ids": [first.id, stranger]},
            follow_redirects=True,
        )
        answers.append(re.findall(r'class="flash flash-error"[^>]*>([^<]*)<', refused.text))
    assert answers[0] == answers[1] == ["案件不存在"]
    db.session.expire_all()
    assert first.assignee_id == clerk.id and elsewhere.assignee_id is None
    login(clerk)  # a new session: its own CSRF token
    token = csrf_from(client.get("/inbox").text)
    assert client.post("/inbox/reassign", data={"csrf_token": token}).status_code == 403


def test_saved_inbox_filters(client, login, clerk):
    from tests.support import csrf_from

    login(clerk)
    page = client.get("/inbox?tab=all&workflow=adjudication&overdue=y&page=3")
    token = csrf_from(page.text)
    assert 'name="query" value="tab=all&amp;workflow=adjudication&amp;overdue=y"' in page.text
    saved = client.post(
        "/inbox/filters",
        data={"csrf_token": token, "name": "超期裁决", "query": "tab=all&workflow=adjudication&overdue=y"},
    )
    assert saved.headers["Location"].endswith("/inbox?tab=all&workflow=adjudication&overdue=y")
    listed = client.get("/inbox")
    assert 'data-saved="超期裁决"' in listed.text
    blank = client.post("/inbox/filters", data={"csrf_token": token, "name": " "}, follow_redirects=True)
    assert "请填写名称" in blank.text


def test_cli_stats_rebuild(app):
    result = app.test_cli_runner().invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0 and "tallies recounted" in result.output


def test_counts_from_running_totals_equal_the_cases_at_any_moment(open_case, fire, chief, clerk):
    """The inbox's tab counts and the approval queue's total (running totals before today +
    today's cases) equal a direct count of the cases, at several moments, including within the
    day a case falls due; the 我的待办 tab (mine and unassigned merged) lists what one query
    over both would, in the same order."""
    from sqlalchemy import func, or_, select

    from caseflow.cases.models import Case
    from caseflow.cases.services import case_claim
    from caseflow.supervision.selectors import is_discretionary, supervisor_steps
    from caseflow.web.selectors import InboxFilters, inbox_counts, inbox_page

    waiting = _under_review(open_case, fire)
    case_claim(case=waiting, actor=clerk)
    for day in ("2026-11-16 09:00", "2026-11-20 15:00", "2026-11-24 11:00", "2026-11-27 08:00"):
        case = open_case("adjudication", received_at=day)
        fire(case, "accept", occurred_at=day, data={"handlers": ["甲", "乙", "丙"]})
    mine = open_case("adjudication", received_at="2026-11-26 09:00")
    case_claim(case=mine, actor=clerk)
    db.session.commit()

    def direct(now):
        base = select(func.count(Case.id)).where(Case.is_closed.is_(False), Case.unit_id == clerk.unit_id)
        counts = {
            "mine": db.session.scalar(base.where(Case.assignee_id == clerk.id)),
            "unassigned": db.session.scalar(base.where(Case.assignee_id.is_(None))),
            "overdue": db.session.scalar(base.where(Case.next_due_at < now)),
        }
        waiting_total = 0
        for (workflow, state), steps in supervisor_steps().items():
            query = base.where(Case.workflow == workflow, Case.state == state)
            if all(is_discretionary(t) for t in steps):
                query = query.where(Case.next_due_at < now)
            waiting_total += db.session.scalar(query)
        return counts, waiting_total

    def listed(now):
        query = select(Case.id).where(
            Case.is_closed.is_(False),
            Case.unit_id == clerk.unit_id,
            or_(Case.assignee_id == clerk.id, Case.assignee_id.is_(None)),
        )
        timed = db.session.scalars(
            query.where(Case.next_due_at.is_not(None)).order_by(Case.next_due_at, Case.id)
        ).all()
        untimed = db.session.scalars(
            query.where(Case.next_due_at.is_(None)).order_by(Case.opened_at, Case.id)
        ).all()
        return [*timed, *untimed]

    seen_overdue = set()
    for moment in ("2026-11-25 00:00", "2026-11-27 09:30", "2026-12-01 13:00", "2026-12-04 23:59",
                   "2027-01-05 00:00", "2027-03-01 10:00"):
        now = at(moment)
        counts, waiting_total = direct(now)
        assert inbox_counts(clerk, now=now) == counts, moment
        assert approvals_queue(chief, now=now).total == waiting_total, moment
        page = inbox_page(clerk, InboxFilters(tab="inbox"), now=now)
        assert [row.case.id for row in page.rows] == listed(now), moment
        seen_overdue.add(counts["overdue"])
    assert len(seen_overdue) > 2  # the moments cross several cases' due dates


def test_a_respondents_lapsed_period_makes_no_figure_overdue(chief, clerk, open_case, fire):
    """The answer period (答辩期限) is the respondent's: run out on 11-20 while the centre's own
    clocks still have time (closing_target due 12-03), the case is overdue in no figure — not
    the statistics, the inbox's or the workload's counts, nor the approval queue, which offers a
    discretionary step (中止, 延长) only to an overdue case — and the running totals still equal a
    recount (``flask stats rebuild``)."""
    from caseflow.supervision.selectors import cases_stats
    from caseflow.supervision.tallies import tallies_rebuild
    from caseflow.web.selectors import _workload, inbox_counts, late_totals

    case = open_case("adjudication", received_at="2026-11-02 10:00")
    fire(case, "accept", occurred_at="2026-11-03 10:00", data={"handlers": ["甲", "乙", "丙"]})
    fire(case, "serve", occurred_at="2026-11-05 10:00")
    db.session.commit()
    running = {c.name: c for c in clocks_of(case).values() if c.status == "running"}
    assert running["answer"].due_at == end_of_local_day(date(2026, 11, 20))
    now = at("2026-12-01 10:00")
    assert all(c.due_at > now for name, c in running.items() if name != "answer")
    assert case.next_due_at == min(c.due_at for n, c in running.items() if n != "answer")

    def figures():
        (row,) = [
            r
            for r in cases_stats(chief, from_on=date(2026, 11, 1), to_on=date(2026, 11, 30), now=now)
            if r["workflow"] == "adjudication"
        ]
        queue = approvals_queue(chief, now=now)
        return (
            row["open_overdue"],
            inbox_counts(clerk, now=now)["overdue"],
            [late for _user, _open, late in _workload(chief, now)],
            [r.case.number for r in queue.rows if r.kind == "case"],
            queue.total,
            late_totals(chief, now)[0],
        )

    assert figures() == (0, 0, [0], [], 0, 0)
    kept = _tally_snapshot()
    tallies_rebuild()
    assert _tally_snapshot() == kept
    assert figures() == (0, 0, [0], [], 0, 0)


def test_credit_clocks_count_once_per_promise_not_once_per_record(chief, open_case):
    """Two records left unpublished past their 20 working days (due 10-30): the on-time figures
    (the dashboard's table, its XLSX, the annual report) show one 信用信息公示期限 row with both
    missed, not a row per record (credit_publication.1, .2)."""
    from caseflow.credit.services import credit_record_noncompliance
    from caseflow.supervision.report import annual_report
    from tests.engine.helpers import as_decided

    for received in ("2026-09-01 10:00", "2026-09-02 10:00"):
        case = as_decided(open_case("adjudication", received_at=received))
        credit_record_noncompliance(
            actor=chief, subject={"name": "某某照明厂"}, case_id=case.id, at=at("2026-09-28 10:00")
        )
    db.session.commit()
    tallies = on_time_tallies(
        chief,
        start=start_of_local_day(date(2026, 10, 1)),
        end=end_of_local_day(date(2026, 11, 30)),
        now=NOW,
    )
    publication = [(t.clock, t.met, t.missed) for t in tallies if t.clock.startswith("credit_")]
    assert publication == [("credit_publication", 0, 2)]
    report = annual_report(chief, year=2026, unit=None, now=NOW)
    (adjudication,) = [w for w in report["workflows"] if w["workflow"] == "adjudication"]
    promises = [p for p in adjudication["promises"] if p["clock"].startswith("credit_")]
    assert promises == [
        {"clock": "credit_publication", "label": "信用信息公示期限", "met": 0, "missed": 2,
         "on_time_share": 0.0}
    ]


def test_a_step_that_keeps_the_state_does_not_reset_the_waiting_time(chief, open_case, fire):
    """Waiting for 作出裁决 since the answer came in (11-10): the supervisor's extension on 11-20
    keeps the case under review, so it still waits since 11-10 and stays ahead of a case that
    came under review on 11-16; a resumption brings a case into its state again and restarts it."""
    waiting = _under_review(open_case, fire)
    later = _under_review(open_case, fire)
    fire(later, "suspend", "supervisor", occurred_at="2026-11-12 10:00", data={"reason": "appraisal"})
    fire(later, "resume", "supervisor", occurred_at="2026-11-16 10:00")
    fire(waiting, "extend", "supervisor", occurred_at="2026-11-20 10:00", data={"reason": "案情复杂"})
    queue = approvals_queue(chief, now=NOW)
    assert [(row.case.number, row.waiting_since) for row in queue.rows] == [
        (waiting.number, at("2026-11-10 10:00")),
        (later.number, at("2026-11-16 10:00")),
    ]


def test_the_trends_first_week_counts_from_the_first_day_of_the_period(chief, open_case):
    """A period from Wednesday 11-04: its first week (Monday 11-02) counts what happened from
    11-04 on, as its last is cut at the period's end: not the case received on Monday 11-02 nor
    the acceptance due that day, but the case received 11-05 and the acceptance due 11-05."""
    from caseflow.web.selectors import dashboard_trend

    open_case("adjudication", received_at="2026-10-26 09:00")  # acceptance: last day 11-02
    open_case("adjudication", received_at="2026-10-29 09:00")  # acceptance: last day 11-05
    open_case("adjudication", received_at="2026-11-02 09:00")
    open_case("adjudication", received_at="2026-11-05 09:00")
    db.session.commit()
    trend = dashboard_trend(chief, date_from=date(2026, 11, 4), date_to=date(2026, 11, 10), now=NOW)
    assert trend[0] == (date(2026, 11, 2), 1, 0, 1)
