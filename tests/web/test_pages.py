"""The web pages through the test client: inbox, case page and trigger forms, evidence, scoping,
the fair desk. (The browser tests in tests/browser drive the same pages in Chromium.)"""

import hashlib
import io
import re
from datetime import UTC, datetime

from sqlalchemy import select

from caseflow.cases.evidence import Evidence
from caseflow.cases.models import Case, Event
from caseflow.extensions import db
from tests.support import NEW_INTAKE_FORM, csrf_from

_PREFIXED_CSRF = re.compile(r'name="(?:[a-z_]+-)?csrf_token"[^>]*value="([^"]+)"')


def _form_token(html: str, action_part: str) -> str:
    """The CSRF token inside the form whose action contains ``action_part`` (prefixed or not)."""
    start = html.index(action_part)
    return _PREFIXED_CSRF.search(html, start).group(1)


def test_inbox_lists_mine_and_unassigned_soonest_due_first(client, people, open_case, login):
    worker = people["caseworker"]
    first = open_case(worker)
    second = open_case(worker, complainant={"name": "古镇灯饰协会", "kind": "company"})
    pd_case = open_case(people["pd_worker"], unit="PD")
    login(worker)
    page = client.get("/inbox")
    assert page.status_code == 200
    assert first.number in page.text and second.number in page.text
    assert pd_case.number not in page.text  # another unit's case is never listed
    assert "进行中" in page.text or "临期" in page.text or "超期" in page.text

    found = client.get("/inbox", query_string={"q": "古镇灯饰协会"})
    assert second.number in found.text and first.number not in found.text
    assert client.get("/inbox", query_string={"workflow": "intake"}).text.count("data-case=") == 0


def test_claim_puts_the_case_in_my_tab(client, people, open_case, login):
    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    page = client.get("/inbox", query_string={"tab": "unassigned"})
    token = _form_token(page.text, f"/cases/{case.id}/claim")
    assert client.post(f"/cases/{case.id}/claim", data={"csrf_token": token}).status_code == 302
    assert db.session.get(Case, case.id).assignee_id == worker.id
    mine = client.get("/inbox", query_string={"tab": "mine"})
    assert case.number in mine.text


def test_case_page_shows_clock_in_chinese_and_a_form_per_trigger(client, people, open_case, login):
    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert case.number in page.text
    assert "已申请" in page.text  # the state's Chinese label, highlighted in the step list
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", page.text)  # the due date, the Chinese way
    assert "个工作日" in page.text or "今日到期" in page.text  # the countdown
    for trigger in ("request_correction", "accept", "reject"):
        assert f'data-trigger="{trigger}"' in page.text
    assert 'data-trigger="decide"' not in page.text  # a supervisor's step, not offered


def test_invalid_trigger_data_shows_chinese_error_beside_the_field(
    client, people, open_case, login
):
    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    page = client.get(f"/cases/{case.id}")
    token = _form_token(page.text, '#trigger-accept"')
    response = client.post(
        f"/cases/{case.id}/fire/accept",
        data={
            "accept-csrf_token": token,
            "accept-handlers": "张三\n李四",
            "accept-version": case.version,
        },
    )
    assert response.status_code == 422
    assert 'id="accept-handlers-error"' in response.text
    assert "合议组应由三名以上单数承办人组成" in response.text
    assert db.session.get(Case, case.id).state == "filed"

    empty = client.post(
        f"/cases/{case.id}/fire/reject",
        data={"reject-csrf_token": token, "reject-version": case.version},
    )
    assert empty.status_code == 422
    assert 'id="reject-reason-error"' in empty.text and "此项为必填项" in empty.text


def test_firing_a_trigger_moves_the_case_and_writes_the_timeline(client, people, open_case, login):
    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    page = client.get(f"/cases/{case.id}")
    token = _form_token(page.text, '#trigger-accept"')
    response = client.post(
        f"/cases/{case.id}/fire/accept",
        data={
            "accept-csrf_token": token,
            "accept-handlers": "张三、李四、王五",
            "accept-note": "材料齐全",
            "accept-version": case.version,
        },
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "accepted"
    after = client.get(f"/cases/{case.id}")
    assert "材料齐全" in after.text and "立案" in after.text
    assert 'data-trigger="serve"' in after.text


def test_other_units_case_answers_like_a_missing_one(client, people, open_case, login):
    pd_case = open_case(people["pd_worker"], unit="PD")
    login(people["caseworker"])
    response = client.get(f"/cases/{pd_case.id}")
    missing = client.get("/cases/ZS-ADJ-2099-99999")
    assert response.status_code == missing.status_code == 404  # was 403: the case was confirmed

    def page(text):
        # The header's CSRF token is signed with the second it was made: two requests straddling
        # a second differ there and nowhere else.
        return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', text)

    assert page(response.text).replace(pd_case.id, "") == page(missing.text).replace(
        "ZS-ADJ-2099-99999", ""
    )


def test_a_forms_address_opened_in_the_browser_says_what_to_do(client, people, open_case, login):
    """A step's address bookmarked or typed (GET on a POST route): the page says it takes a
    form, and offers 返回上一页 only where there is a page of ours to go back to."""
    case = open_case(people["caseworker"])
    login(people["caseworker"])
    address = f"/cases/{case.id}/claim"
    typed = client.get(address)
    assert typed.status_code == 405
    assert "此地址只接受表单提交，不能直接打开" in typed.text
    assert "返回上一页" not in typed.text and 'href="/">返回首页' in typed.text
    came = client.get(address, headers={"Referer": f"http://localhost/cases/{case.id}"})
    assert f'href="http://localhost/cases/{case.id}">返回上一页' in came.text
    api = client.get(f"/api/v1/cases/{case.id}/transitions")
    assert api.status_code == 405 and api.json["error"]["code"] == "method_not_allowed"


def test_evidence_upload_shows_sha256_and_refuses_bad_files(client, people, open_case, login):
    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    page = client.get(f"/cases/{case.id}")
    token = _form_token(page.text, '#evidence" novalidate')
    content = b"%PDF-1.4 evidence"
    response = client.post(
        f"/cases/{case.id}/evidence",
        data={
            "evidence-csrf_token": token,
            "evidence-file": (io.BytesIO(content), "购买公证书.pdf"),
            "evidence-description": "公证购买",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    item = db.session.scalar(select(Evidence).where(Evidence.case_id == case.id))
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert item.sha256 in client.get(f"/cases/{case.id}").text
    assert client.get(f"/evidence/{item.id}").data == content
    assert db.session.scalar(
        select(Event).where(Event.case_id == case.id, Event.kind == "evidence")
    )

    bad = client.post(
        f"/cases/{case.id}/evidence",
        data={"evidence-csrf_token": token, "evidence-file": (io.BytesIO(b"MZ\x90"), "tool.exe")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "文件类型不允许" in bad.text
    fake = client.post(
        f"/cases/{case.id}/evidence",
        data={"evidence-csrf_token": token, "evidence-file": (io.BytesIO(b"MZ\x90"), "photo.jpg")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422 and "文件内容与扩展名不符" in fake.text


def test_fair_desk_lodges_a_complaint_with_a_photo(client, people, fair_with_exhibitors, login):
    officer = people["desk"]
    login(officer)
    page = client.get("/desk")
    assert page.status_code == 200 and fair_with_exhibitors.name in page.text
    search = client.get(
        "/desk/exhibitors", query_string={"fair_id": fair_with_exhibitors.id, "q": "11.2C15"}
    )
    assert "佛山光耀灯饰有限公司" in search.text
    exhibitor_id = int(re.search(r'data-id="(\d+)"', search.text).group(1))
    jpeg = b"\xff\xd8\xff\xe0 photo"
    response = client.post(
        "/desk",
        data={
            "csrf_token": csrf_from(page.text),
            "fair_id": fair_with_exhibitors.id,
            "exhibitor_id": exhibitor_id,
            "complainant_name": "OSRAM GmbH",
            "complainant_country": "DE",
            "complainant_contact": "+49 89 6213 0",
            "right_kind": "patent",
            "right_number": "ZL202330654321.0",
            "patent_type": "design",
            "photos": [(io.BytesIO(jpeg), "booth.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    case = db.session.scalar(select(Case).where(Case.workflow == "fair_complaint"))
    assert case.priority  # a foreign rights holder goes first
    assert db.session.scalar(select(Evidence).where(Evidence.case_id == case.id)).size == len(jpeg)
    board = client.get("/desk")
    assert case.number in board.text and "小时" in board.text
    assert 'data-trigger="accept"' in board.text


def test_fair_desk_is_for_desk_roles(client, people, login):
    login(people["caseworker"])
    assert client.get("/desk").status_code == 403


def test_dashboard_lists_overdue_and_exports_xlsx(client, people, open_case, login):
    from datetime import UTC, datetime, timedelta

    from openpyxl import load_workbook

    worker = people["caseworker"]
    # Received three weeks ago: the 5-workday acceptance clock is long overdue.
    late = open_case(worker, received_at=datetime.now(UTC) - timedelta(days=21))
    login(people["supervisor"])
    page = client.get("/dashboard")
    assert page.status_code == 200, page.text
    assert late.number in page.text and 'id="trend-chart"' in page.text
    export = client.get("/dashboard.xlsx")
    assert export.status_code == 200
    workbook = load_workbook(io.BytesIO(export.data))
    assert late.number in [row[2] for row in workbook["超期"].iter_rows(values_only=True)]


def test_dashboard_offers_an_extension_only_while_its_period_runs(
    client, people, open_case, login
):
    """deadlines.md §3: an extension is granted before the period ends. Beside a case whose
    审理期限 (closing) has run out the dashboard offers no 延长 (it would be refused); beside a
    case late only on the unit's one-month target it does, the 3-month period still running."""
    from datetime import UTC, datetime, timedelta

    from caseflow.engine import case_fire

    now = datetime.now(UTC)
    handlers = {"handlers": ["张三", "李四", "王五"]}
    cases = {}
    for name, days in (("run_out", 128), ("target_only", 40)):
        case = open_case(people["caseworker"], received_at=now - timedelta(days=days + 2))
        occurred = now - timedelta(days=days)
        case_fire(case, "accept", people["caseworker"], occurred_at=occurred, data=handlers)
        cases[name] = case
    db.session.commit()
    login(people["supervisor"])
    page = client.get("/dashboard").text
    overdue = page.split('id="overdue"')[1].split("</table>")[0]

    def row(case):
        return overdue.split(f'data-case="{case.number}"')[1].split("</tr>")[0]

    assert 'data-approve="extend"' not in row(cases["run_out"])
    assert 'data-approve="suspend"' in row(cases["run_out"])
    assert 'data-approve="extend"' in row(cases["target_only"])


def test_dashboard_is_for_supervisors(client, people, login):
    login(people["caseworker"])
    assert client.get("/dashboard").status_code == 403


def test_public_status_needs_number_and_code_and_shows_only_the_stage(client, people, open_case):
    case = open_case(people["caseworker"])
    page = client.get("/status")
    assert page.status_code == 200
    token = csrf_from(page.text)
    wrong = client.post(
        "/status", data={"csrf_token": token, "number": case.number, "code": "WRONG"}
    )
    assert wrong.status_code == 404 and "案件编号或查询码不正确" in wrong.text
    right = client.post(
        "/status",
        data={"csrf_token": token, "number": case.number.lower(), "code": case.public_code},
    )
    assert right.status_code == 200
    assert "已申请" in right.text and "年" in right.text
    assert "中山市明辉照明有限公司" not in right.text  # no parties on the public page


def test_admin_creates_a_user_and_sees_provisional_years(client, people, login):
    login(people["admin"])
    page = client.get("/admin")
    assert page.status_code == 200 and "zs_worker" in page.text
    response = client.post(
        "/admin/users",
        data={
            "user-csrf_token": _PREFIXED_CSRF.search(page.text).group(1),
            "user-username": "new_worker",
            "user-display_name": "新承办",
            "user-role": "caseworker",
            "user-unit_id": people["caseworker"].unit_id,
            "user-password": "short",
        },
    )
    assert response.status_code == 422 and "至少12位" in response.text
    calendar = client.get("/admin", query_string={"tab": "calendar"})
    assert "暂定" in calendar.text and "官方" in calendar.text
    assert client.get("/admin", query_string={"tab": "units"}).status_code == 200
    assert client.get("/admin", query_string={"tab": "outbox"}).status_code == 200


def test_admin_pages_are_for_admins(client, people, login):
    login(people["supervisor"])
    assert client.get("/admin").status_code == 403


def test_dashboard_figures_median_on_time_and_trend(people, open_case):
    from datetime import UTC, datetime, timedelta

    from caseflow.clocks.models import Clock
    from caseflow.timeutil import local_date
    from caseflow.web.selectors import dashboard_build

    now = datetime.now(UTC)
    received = now - timedelta(days=20)
    for days, status in ((2, "met"), (4, "met"), (9, "breached")):
        case = open_case(people["caseworker"], received_at=received)
        case.is_closed, case.state, case.closed_at = True, "closed", received + timedelta(days=days)
        clock = db.session.scalar(select(Clock).where(Clock.case_id == case.id))
        clock.status, clock.stopped_at = status, received + timedelta(days=days)
    db.session.commit()
    today = local_date(now)
    board = dashboard_build(
        people["supervisor"], date_from=today - timedelta(days=30), date_to=today
    )
    assert board.median_days_to_close == {"adjudication": 4.0}
    assert [(wf, name, met, late) for wf, name, met, late, _rate in board.on_time] == [
        ("adjudication", "acceptance", 2, 1)
    ]
    assert sum(week[1] for week in board.trend) == 3  # opened
    assert sum(week[2] for week in board.trend) == 3  # closed
    other_unit = dashboard_build(
        people["pd_worker"], date_from=today - timedelta(days=30), date_to=today
    )
    assert other_unit.median_days_to_close == {} and other_unit.on_time == []


def test_english_is_one_switch_away(client, people, open_case, login):
    case = open_case(people["caseworker"])
    login(people["caseworker"])
    page = client.get(f"/cases/{case.id}")
    assert "已申请" in page.text and "当事人与权利" in page.text
    switch = client.post("/lang/en", data={"csrf_token": _PREFIXED_CSRF.search(page.text).group(1)})
    assert switch.status_code == 302
    # The test client reuses the test's app context, where Flask-Babel caches the locale.
    from flask_babel import refresh

    refresh()
    english = client.get(f"/cases/{case.id}")
    assert (
        "Parties and right" in english.text and "Filed" in english.text and "Accept" in english.text
    )
    assert "Inbox" in client.get("/inbox").text


def test_desk_search_flags_a_repeat_infringer(client, people, fair_with_exhibitors, login):
    import uuid
    from datetime import UTC, datetime, timedelta

    from caseflow.fairs.services import exhibitors_add, fair_create

    officer = people["desk"]
    # The same company found infringing at two earlier fairs (orders to withdraw).
    for months_ago in (6, 12):
        opens = datetime.now(UTC) - timedelta(days=30 * months_ago)
        fair = fair_create(
            unit=officer.unit,
            actor=officer,
            name=f"往届展会 {months_ago}",
            venue="广州",
            opens_at=opens,
            closes_at=opens + timedelta(days=4),
            organiser="中国对外贸易中心",
        )
        (exhibitor,) = exhibitors_add(
            fair,
            actor=officer,
            rows=[{"name": "佛山光耀灯饰有限公司", "booth": "9.1A01", "country": "CN"}],
        )
        db.session.add(
            Case(
                number=f"CF-FAIR-2026-{uuid.uuid4().hex[:5]}",
                unit_id=officer.unit_id,
                workflow="fair_complaint",
                state="withdrawal_ordered",
                received_at=opens,
                complainant={"name": "飞利浦"},
                complainant_name="飞利浦",
                respondent={"name": exhibitor.name},
                respondent_name=exhibitor.name,
                right={"kind": "patent", "number": "ZL1"},
                fair_id=fair.id,
                exhibitor_id=exhibitor.id,
            )
        )
    db.session.commit()
    login(officer)
    found = client.get(
        "/desk/exhibitors", query_string={"fair_id": fair_with_exhibitors.id, "q": "光耀"}
    )
    assert "佛山光耀灯饰有限公司" in found.text and "重复侵权" in found.text
    assert 'data-repeat="1"' in found.text
    other = client.get(
        "/desk/exhibitors", query_string={"fair_id": fair_with_exhibitors.id, "q": "Bright"}
    )
    assert "重复侵权" not in other.text
    # The fair's page flags the same exhibitor in its list, and only that one.
    listing = client.get(f"/fairs/{fair_with_exhibitors.id}")
    assert listing.status_code == 200
    row = re.search(r'<tr data-booth="11.2C15"[^>]*>.*?</tr>', listing.text, re.S).group(0)
    assert 'class="repeat"' in row and "重复侵权，禁止参加下一届" in row
    other_row = re.search(r'<tr data-booth="11.2C16"[^>]*>.*?</tr>', listing.text, re.S).group(0)
    assert "重复侵权" not in other_row


def test_inbox_filters_by_state_overdue_and_due_date(client, people, open_case, login):
    from datetime import UTC, datetime, timedelta

    worker = people["caseworker"]
    late = open_case(worker, received_at=datetime.now(UTC) - timedelta(days=21))
    fresh = open_case(worker)
    login(worker)
    overdue = client.get("/inbox", query_string={"overdue": "y"})
    assert late.number in overdue.text and fresh.number not in overdue.text
    # The state filter lists the states of the unit's workflows, one option per label.
    assert 'value="filed,requested"' in overdue.text
    by_state = client.get("/inbox", query_string={"workflow": "adjudication", "state": "accepted"})
    assert late.number not in by_state.text
    soon = client.get("/inbox", query_string={"due_before": datetime.now(UTC).date().isoformat()})
    assert late.number in soon.text and fresh.number not in soon.text


def test_a_closed_case_is_found_by_its_number_or_a_final_state(client, people, open_case, login):
    """The inbox lists open cases; a search, or a final state chosen, finds closed ones too."""
    from caseflow.engine import case_fire

    worker = people["caseworker"]
    closed = open_case(worker)
    case_fire(closed, "withdraw", worker, data={"reason": "双方已和解"}, render_notices=False)
    db.session.commit()
    still_open = open_case(worker)
    login(worker)
    listed = client.get("/inbox", query_string={"tab": "all"}).text
    assert still_open.number in listed and closed.number not in listed
    found = client.get("/inbox", query_string={"tab": "all", "q": closed.number}).text
    assert closed.number in found and still_open.number not in found
    by_state = client.get(
        "/inbox", query_string={"tab": "all", "workflow": "adjudication", "state": "withdrawn"}
    ).text
    assert closed.number in by_state and still_open.number not in by_state


def test_new_case_form_opens_a_case_and_explains_what_is_missing(client, people, login):
    login(people["caseworker"])
    page = client.get("/cases/new")
    assert page.status_code == 200
    token = csrf_from(page.text)
    missing = client.post(
        "/cases/new", data={"csrf_token": token, "workflow": "intake", "channel": "walk_in"}
    )
    assert missing.status_code == 422
    assert 'id="complainant_name-error"' in missing.text and "此项为必填项" in missing.text
    response = client.post(
        "/cases/new",
        data={"csrf_token": token, **NEW_INTAKE_FORM},
    )
    assert response.status_code == 302
    case = db.session.scalar(select(Case).where(Case.workflow == "intake"))
    assert (
        case.state == "received"
        and case.channel == "hotline_12330"
        and case.unit_id == people["caseworker"].unit_id
    )
    assert client.get("/cases/new").status_code == 200
    login(people["desk"])
    assert client.get("/cases/new").status_code == 403


def test_a_report_by_letter_is_registered_without_a_name(client, people, login):
    """An anonymous report (举报) in writing: the form takes it without the reporter's name; at
    the window the name stays required (SAMR Order 20 art 9)."""
    login(people["caseworker"])
    token = csrf_from(client.get("/cases/new").text)
    anonymous = {**NEW_INTAKE_FORM, "complainant_name": "", "complainant_contact": ""}
    at_window = client.post(
        "/cases/new", data={"csrf_token": token, **anonymous, "channel": "walk_in"}
    )
    assert at_window.status_code == 422 and 'id="complainant_name-error"' in at_window.text
    by_letter = client.post("/cases/new", data={"csrf_token": token, **anonymous, "channel": "letter"})
    assert by_letter.status_code == 302
    case = db.session.scalar(select(Case).where(Case.workflow == "intake"))
    assert case.channel == "letter" and case.complainant_name == ""
    page = client.get(by_letter.location)
    assert page.status_code == 200 and "匿名举报：不向举报人出具文书" in page.text
    assert "匿名举报" in client.get("/inbox", query_string={"tab": "all"}).text


def test_admin_loads_a_units_local_closure_from_the_calendar_page(client, people, login):
    """A typhoon day for ZS only, uploaded through the admin page (deadlines.md §1)."""
    from sqlalchemy import delete

    from caseflow.calendar.models import UnitClosure
    from caseflow.calendar.services import calendar_version_bump

    login(people["admin"])
    page = client.get("/admin", query_string={"tab": "calendar"})
    assert "本单位临时停工" in page.text
    try:

        def load(**confirmed):
            return client.post(
                "/admin/calendar",
                data={
                    "calendar-csrf_token": _PREFIXED_CSRF.search(page.text).group(1),
                    "calendar-unit": "ZS",
                    "calendar-file": (
                        io.BytesIO("2026-09-15 holiday 台风停工\n".encode()),
                        "typhoon.txt",
                    ),
                    **confirmed,
                },
                content_type="multipart/form-data",
                follow_redirects=True,
            )

        # Loading recounts open cases' deadlines at once: unticked, nothing is loaded.
        unconfirmed = load()
        assert unconfirmed.status_code == 422 and "请勾选后再提交" in unconfirmed.text
        assert db.session.scalars(select(UnitClosure)).all() == []
        response = load(**{"calendar-confirmed": "y"})
        assert response.status_code == 200 and "临时停工安排" in response.text
        closures = db.session.scalars(select(UnitClosure)).all()
        assert [(c.day.isoformat(), c.name) for c in closures] == [("2026-09-15", "台风停工")]
        listed = response.text.split('id="unit-closures"')[1].split("</table>")[0]
        assert "2026年9月15日 停工 台风停工" in listed and "2026-09-15" not in listed
    finally:
        db.session.rollback()
        db.session.execute(delete(UnitClosure))
        calendar_version_bump()
        db.session.commit()


def test_an_extended_clock_shows_its_extension_beside_its_period(client, people, open_case, login):
    from caseflow.engine import case_fire

    worker, chief = people["caseworker"], people["supervisor"]
    case = open_case(worker, received_at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    case_fire(case, "accept", worker, data={"handlers": ["张三", "李四", "王五"]})
    case_fire(case, "extend", chief, data={"reason": "案情复杂"})
    db.session.commit()
    login(worker)
    page = client.get(f"/cases/{case.id}")
    row = re.search(r'data-clock="closing".*?</tr>', page.text, re.S).group(0)
    assert "3 个月（已延长 1 个月）" in row
