"""Dates and numbers a person can type but nothing can count with (9999-12-31, 0001-01-01, a
thirty-digit id in a hidden field) come back as a field error in Chinese, never as the 500 page,
and change nothing."""

import io

import pytest
from sqlalchemy import func, select

from caseflow.cases.models import Case, Event
from caseflow.cases.sessions import ATTENDEES_MAX, session_record
from caseflow.engine import case_fire
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from tests.engine.helpers import at
from tests.support import csrf_from
from tests.web.test_uploads_and_forms import DESK_FIELDS, _token

SERVER_ERROR = "系统内部错误"
YEARS = "年份应在1970至2099年之间"


def test_an_inbox_filter_beyond_2099_is_a_field_error(client, people, login):
    login(people["caseworker"])
    for value in ("9999-12-31", "0001-01-01"):
        page = client.get("/inbox", query_string={"tab": "all", "due_before": value})
        assert page.status_code < 500 and SERVER_ERROR not in page.text
        assert YEARS in page.text


def test_a_dashboard_period_beyond_2099_is_a_field_error(client, people, login):
    login(people["supervisor"])
    for path in ("/dashboard", "/dashboard.xlsx"):
        answer = client.get(path, query_string={"date_from": "2026-01-01", "date_to": "9999-12-31"})
        assert answer.status_code < 500, path
    page = client.get(
        "/dashboard", query_string={"date_from": "2026-01-01", "date_to": "9999-12-31"}
    )
    assert YEARS in page.text


def _accept(client, case, **fields):
    """The case page's 立案 form posted with a panel of three and ``fields`` (by their names)."""
    page = client.get(f"/cases/{case.id}")
    data = {
        "accept-handlers": "张三\n李四\n王五",
        "accept-confirmed": "y",
        **{f"accept-{k}": v for k, v in fields.items()},
    }
    return client.post(
        f"/cases/{case.id}",
        data={
            "accept-csrf_token": _token(page.text, '#trigger-accept"'),
            "_do": "fire:accept",
            **data,
        },
    )


def test_a_step_dated_in_the_year_9999_is_refused_on_the_form(client, people, open_case, login):
    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    refused = _accept(client, case, occurred_at="9999-12-31 10:00", version=case.version)
    assert refused.status_code == 422 and YEARS in refused.text
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "filed"


def test_a_version_our_page_did_not_write_is_a_conflict_not_a_crash(
    client, people, open_case, login
):
    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    events = db.session.scalar(select(func.count()).select_from(Event))
    for version in ("abc", "99999999999999999999999"):
        refused = _accept(client, case, version=version)
        assert refused.status_code == 409 and "页面已失效，请刷新后重试" in refused.text
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "filed"
    assert db.session.scalar(select(func.count()).select_from(Event)) == events


def test_reassigning_to_a_thirty_digit_user_id_says_there_is_no_such_user(
    client, people, open_case, login
):
    case = open_case(people["caseworker"])
    login(people["supervisor"])
    page = client.get("/inbox")
    answer = client.post(
        "/inbox/reassign",
        data={
            "csrf_token": csrf_from(page.text),
            "case_ids": [case.id],
            "assignee_id": "99999999999999999999999",
            "next": "/inbox",
        },
        follow_redirects=True,
    )
    assert answer.status_code == 200 and "承办人不存在" in answer.text
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id is None


def test_a_desk_complaint_naming_a_thirty_digit_exhibitor_keeps_the_form(
    client, people, fair_with_exhibitors, login
):
    login(people["desk"])
    page = client.get("/desk")
    answer = client.post(
        f"/desk?fair_id={fair_with_exhibitors.id}",
        data={
            "csrf_token": csrf_from(page.text),
            "fair_id": fair_with_exhibitors.id,
            "exhibitor_id": "99999999999999999999999",
            **DESK_FIELDS,
            "photos": [(io.BytesIO(b"\xff\xd8\xff" + b"x" * 1000), "booth.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422 and "请选择被投诉展商" in answer.text
    assert 'value="OSRAM GmbH"' in answer.text
    assert db.session.scalar(select(Case)) is None


def test_a_mediation_session_before_the_case_was_received_is_refused(people, open_case):
    """A session cannot precede the dispute's receipt (0001-01-01 was accepted once), nor list
    more attendees than a room holds; a good one reads its date the Chinese way on the timeline."""
    worker = people["caseworker"]
    case = open_case(worker, workflow="mediation", received_at="2026-03-02T09:00:00+08:00")
    # Consented the day it was received: a session is of the mediation, from the consent.
    for trigger, when in (("consult_respondent", "09:30"), ("record_consent", "10:00")):
        case_fire(case, trigger, worker, occurred_at=at(f"2026-03-02 {when}"), render_notices=False)
    db.session.commit()
    now = at("2026-03-10 09:00")
    for held_on in ("0001-01-01", "2026-03-01"):
        with pytest.raises(ValidationFailed) as refused:
            session_record(
                case, held_on=held_on, attendees=["张三"], outcome="未成", actor=worker, now=now
            )
        assert "不能早于收到请求的日期（2026年3月2日）" in refused.value.fields["held_on"]
    crowd = [f"参加人{i}" for i in range(ATTENDEES_MAX + 1)]
    with pytest.raises(ValidationFailed) as refused:
        session_record(
            case, held_on="2026-03-05", attendees=crowd, outcome="未成", actor=worker, now=now
        )
    assert set(refused.value.fields) == {"attendees"}
    db.session.rollback()
    session_record(
        case, held_on="2026-03-02", attendees=["张三"], outcome="未成", actor=worker, now=now
    )
    note = db.session.scalars(select(Event.note).where(Event.kind == "mediation_session")).one()
    assert note == "调解记录 2026年3月2日"


def test_an_overflow_no_check_caught_is_a_4xx_page_and_a_4xx_json_error(tmp_path):
    """The last net (web/core.py) for a date or number past what Python or the driver holds:
    ``date.max`` plus a day, in a page and under the API, answers 422, never the 500 page."""
    from datetime import date, timedelta

    from caseflow import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/net.db",
            "TESTING": True,
            "SECRET_KEY": "t",
        }
    )

    def overflow(**_):
        return str(date.max + timedelta(days=1))

    app.add_url_rule("/overflow", view_func=overflow)
    app.add_url_rule("/api/v1/overflow", endpoint="api_overflow", view_func=overflow)
    client = app.test_client()
    page = client.get("/overflow")
    assert page.status_code == 422 and "日期或数字超出可处理的范围" in page.text
    answer = client.get("/api/v1/overflow")
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "out_of_range"


def test_a_case_received_before_the_calendar_begins_is_refused_beside_its_field(
    client, people, login
):
    """1999-01-01 is a real date, but no clock can count from it: the new-case form says so in
    Chinese beside 收到时间 (it once showed an English banner about the calendar)."""
    login(people["caseworker"])
    page = client.get("/cases/new?workflow=adjudication")
    refused = client.post(
        "/cases/new",
        data={
            "csrf_token": csrf_from(page.text),
            "workflow": "adjudication",
            "channel": "walk_in",
            "title": "外观设计专利侵权纠纷",
            "received_at": "1999-01-01 10:00",
            "complainant_name": "中山市明辉照明有限公司",
            "complainant_kind": "company",
            "complainant_contact": "0760-88889999",
            "respondent_name": "古镇星光灯饰厂",
            "right_kind": "patent",
            "right_number": "ZL202530123456.7",
        },
    )
    assert refused.status_code == 422
    assert "不能早于2004年（工作日历的起始年份）" in refused.text
    assert "outside the working-day calendar" not in refused.text
    assert db.session.scalar(select(Case)) is None


def test_assigning_someone_outside_the_unit_says_so(client, people, open_case, login):
    """Another unit's caseworker, or an id that is no one: the case keeps its assignee and the
    supervisor is told why (the form once redirected without a word)."""
    case = open_case(people["caseworker"])
    login(people["supervisor"])
    for assignee in (str(people["pd_worker"].id), "abc"):
        page = client.get(f"/cases/{case.id}")
        answer = client.post(
            f"/cases/{case.id}/assign",
            data={
                "assign-csrf_token": _token(page.text, 'action="/cases/' + case.id + '/assign"'),
                "assign-assignee_id": assignee,
            },
            follow_redirects=True,
        )
        assert answer.status_code == 200 and "未分配：请从本单位人员中选择承办人" in answer.text
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id is None
