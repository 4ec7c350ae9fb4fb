"""The CLI, the alerts API, the alerts page, acknowledgement (audited) and the badge."""

import re

from sqlalchemy import select

from caseflow.alerts.selectors import alerts_unread_count
from caseflow.alerts.services import sla_sweep
from caseflow.cases.models import Event
from caseflow.extensions import db
from tests.alerts.conftest import local
from tests.support import csrf_from


def test_cli_sweep_prints_one_line_per_alert(app, staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sla", "sweep", "--now", "2026-10-11T00:05:00+08:00"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{case.number} handling due_soon 2026-10-11T00:00:00+08:00",
        f"{case.number} handling overdue 2026-10-11T00:00:00+08:00",
    ]
    again = runner.invoke(args=["sla", "sweep", "--now", "2026-10-11T00:06:00+08:00"])
    assert again.exit_code == 0 and again.output == ""


def test_cli_sweep_refuses_a_bad_instant(app):
    result = app.test_cli_runner().invoke(args=["sla", "sweep", "--now", "yesterday"])
    assert result.exit_code != 0
    assert "error: --now" in result.output
    assert "Traceback" not in result.output


def _raise_all(staff, make_case, start_clock, unit=None):
    case = make_case(unit or staff["unit"], assignee=staff["caseworker"] if unit is None else None)
    # Started as it happened: the sweep in November is a catch-up, its alerts late (补发).
    start_clock(case, "5 workdays", local(2026, 9, 28, 10), live=True)
    return case, sla_sweep(local(2026, 11, 2, 9))


def test_api_lists_alerts_of_the_users_unit_with_filters(api, units, staff, make_case, start_clock):
    case, _ = _raise_all(staff, make_case, start_clock)
    _raise_all(staff, make_case, start_clock, unit=units["PD"])

    body = api(staff["caseworker"]).get("/api/v1/alerts").get_json()
    assert {a["case_number"] for a in body["alerts"]} == {case.number}
    assert sorted(a["level"] for a in body["alerts"]) == ["due_soon", "escalated", "overdue"]
    assert body["alerts"][0]["due_at"] == "2026-10-11T00:00:00+08:00"
    assert body["unread"] == 2  # the assignee was told of due_soon and overdue

    only = api(staff["caseworker"]).get("/api/v1/alerts?level=overdue").get_json()["alerts"]
    assert [a["level"] for a in only] == ["overdue"]
    assert (
        api(staff["caseworker"]).get("/api/v1/alerts?since=2026-12-01").get_json()["alerts"] == []
    )
    assert len(api(staff["admin"]).get("/api/v1/alerts").get_json()["alerts"]) == 6
    bad = api(staff["caseworker"]).get("/api/v1/alerts?level=urgent")
    assert bad.status_code == 400 and bad.get_json()["error"]["fields"] == {
        "level": "due_soon | overdue | escalated"
    }
    assert api(staff["caseworker"]).get("/api/v1/alerts?since=soon").status_code == 400


def test_supervisor_acknowledges_with_a_note_audited_on_the_case(
    api, staff, make_case, start_clock
):
    case, alerts = _raise_all(staff, make_case, start_clock)
    overdue = alerts[1]
    url = f"/api/v1/alerts/{overdue.id}/acknowledge"
    assert api(staff["caseworker"]).post(url, json={"note": "知道了"}).status_code == 403
    assert api(staff["pd_supervisor"]).post(url, json={"note": "x"}).status_code == 404
    missing = api(staff["supervisor"]).post(url, json={"note": " "})
    assert missing.status_code == 422 and "note" in missing.get_json()["error"]["fields"]

    done = api(staff["supervisor"]).post(url, json={"note": "已督促承办人本周内结案"})
    assert done.status_code == 200
    assert done.get_json()["acknowledged_by"] == "wang"
    (event,) = db.session.scalars(select(Event).where(Event.kind == "alert_ack")).all()
    assert event.case_id == case.id and event.actor_id == staff["supervisor"].id
    assert event.note == "已督促承办人本周内结案"
    assert event.data["alert_id"] == overdue.id and event.data["level"] == "overdue"
    assert api(staff["supervisor"]).post(url, json={"note": "again"}).status_code == 409


def test_alerts_page_in_chinese_clears_the_badge_and_acknowledges(
    client, login, staff, make_case, start_clock
):
    case, alerts = _raise_all(staff, make_case, start_clock)
    supervisor = staff["supervisor"]
    assert alerts_unread_count(supervisor) == 2  # overdue and escalated

    login(supervisor)
    home = client.get("/")
    assert home.status_code in (200, 302)
    page = client.get("/alerts/")
    assert page.status_code == 200
    html = page.text
    assert "预警" in html and case.number in html
    assert "超期" in html and "督办" in html and "补发" in html
    # Issue 16: a GET changes nothing (it used to clear the badge); a POST marks them read.
    assert alerts_unread_count(supervisor) == 2
    marked = client.post("/alerts/read", data={"csrf_token": csrf_from(html)})
    assert marked.status_code == 302
    assert alerts_unread_count(supervisor) == 0
    assert client.post("/alerts/read").status_code == 400  # no CSRF token, no change

    escalated = alerts[2]
    response = client.post(
        f"/alerts/{escalated.id}/acknowledge",
        data={"note": "已约谈", "csrf_token": csrf_from(html)},
    )
    assert response.status_code == 302
    db.session.refresh(escalated)
    assert escalated.acknowledged_by_id == supervisor.id and escalated.ack_note == "已约谈"
    assert "已约谈" in client.get("/alerts/").text


def test_outbox_page_is_for_admins(client, login, staff):
    login(staff["supervisor"])
    assert client.get("/alerts/outbox").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/alerts/").text)})
    login(staff["admin"])
    page = client.get("/alerts/outbox")
    assert page.status_code == 200 and "通知发送情况" in page.text


def _many_alerts(staff, make_case, start_clock, cases=35):
    """``cases`` × 3 alerts (due_soon, overdue, escalated) on the ZS unit's cases."""
    for _ in range(cases):
        case = make_case(staff["unit"], assignee=staff["caseworker"])
        start_clock(case, "24 hours", local(2026, 10, 3, 23))
    return sla_sweep(local(2026, 10, 9, 9))


def _alert_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="is-\w+" id="alert-(\d+)"', html)


def test_alerts_page_pages_through_every_alert_keeping_its_filters(
    client, login, staff, make_case, start_clock
):
    raised = _many_alerts(staff, make_case, start_clock)
    assert len(raised) == 105
    login(staff["supervisor"])
    first = client.get("/alerts/?open=1").text
    assert "共 105 条" in first and "第 1 页，共 2 页" in first
    assert len(_alert_rows(first)) == 100
    next_link = re.search(r'href="([^"]*page=2[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "open=1" in next_link
    second = client.get(next_link).text
    assert len(_alert_rows(second)) == 5 and "第 2 页，共 2 页" in second
    assert {int(i) for i in _alert_rows(first) + _alert_rows(second)} == {a.id for a in raised}
    # One level: 35 alerts, one page, no pager.
    overdue = client.get("/alerts/?level=overdue").text
    assert "共 35 条" in overdue and 'id="alerts-pager"' not in overdue
    assert len(_alert_rows(overdue)) == 35


def test_api_pages_through_every_alert_with_total_and_next(api, staff, make_case, start_clock):
    raised = _many_alerts(staff, make_case, start_clock)
    client = api(staff["supervisor"])
    body = client.get("/api/v1/alerts?limit=40").get_json()
    assert body["total"] == 105 and body["page"] == 1 and len(body["alerts"]) == 40
    assert body["next"] == "/api/v1/alerts?limit=40&page=2"
    seen = [a["id"] for a in body["alerts"]]
    while body["next"]:
        body = client.get(body["next"]).get_json()
        seen += [a["id"] for a in body["alerts"]]
    assert body["page"] == 3 and body["next"] is None
    assert len(seen) == len(set(seen)) == 105 and set(seen) == {a.id for a in raised}
    # The filters ride along; the old parameters still answer as before.
    levels = client.get("/api/v1/alerts?level=overdue&limit=30").get_json()
    assert levels["total"] == 35 and levels["next"] == "/api/v1/alerts?level=overdue&limit=30&page=2"
    assert len(client.get("/api/v1/alerts").get_json()["alerts"]) == 100
    bad = client.get("/api/v1/alerts?page=0")
    assert bad.status_code == 400 and "page" in bad.get_json()["error"]["fields"]
    assert client.get("/api/v1/alerts?page=x").status_code == 400


def test_a_blank_acknowledgement_is_refused_beside_its_field_on_the_list(
    client, login, staff, make_case, start_clock
):
    case, alerts = _raise_all(staff, make_case, start_clock)
    overdue = alerts[1]
    login(staff["supervisor"])
    html = client.get("/alerts/?level=overdue").text
    response = client.post(
        f"/alerts/{overdue.id}/acknowledge?level=overdue",
        data={"note": "  \u3000 ", "csrf_token": csrf_from(html)},
    )
    assert response.status_code == 422
    page = response.text
    # The list again, its filter kept, with the reason beside that alert's note field.
    assert case.number in page and "共 1 条" in page
    error = re.search(rf'<span class="field-error" id="note-{overdue.id}-error">(.*?)</span>', page)
    assert error and error.group(1) == "请填写确认说明"
    assert f'aria-describedby="note-{overdue.id}-error"' in page
    db.session.refresh(overdue)
    assert overdue.acknowledged_at is None


def test_the_alerts_page_reads_the_unread_flags_of_its_own_rows_only(
    client, login, staff, make_case, start_clock
):
    """70 unread notifications, a second page of 5 alerts: each statement the page sends about
    the user's notifications answers at most those 5 rows (a count is one), not all 70; the
    unread ones of the five are marked 新 and "mark all read" is still offered."""
    from sqlalchemy import event

    from caseflow.alerts.models import OutboxMessage

    _many_alerts(staff, make_case, start_clock)
    supervisor = staff["supervisor"]
    assert alerts_unread_count(supervisor) == 70  # overdue and escalated, 35 of each
    login(supervisor)
    sent = []

    def record(conn, cursor, statement, parameters, *args):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = client.get("/alerts/?page=2")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert page.status_code == 200
    connection = db.session.connection()
    answered = [
        len(connection.exec_driver_sql(statement, parameters).all())
        for statement, parameters in sent
        if statement.lstrip().upper().startswith("SELECT") and "outbox_messages" in statement
    ]
    assert answered and max(answered) <= 5, answered
    shown = [int(i) for i in _alert_rows(page.text)]
    unread = db.session.scalars(
        select(OutboxMessage.alert_id).where(
            OutboxMessage.user_id == supervisor.id,
            OutboxMessage.channel == "inapp",
            OutboxMessage.read_at.is_(None),
            OutboxMessage.alert_id.in_(shown),
        )
    ).all()
    assert len(shown) == 5 and unread and page.text.count(">新</span>") == len(unread)
    assert 'id="alerts-read"' in page.text


def test_the_outbox_page_pages_through_every_failed_message_without_the_mails_text(
    client, login, staff, make_case, start_clock
):
    """105 failed alert e-mails and 103 failed account mails: each list shows 100 a page and
    reaches the rest on its second page (the other list stays where it is); no statement reads
    an account mail's subject or text, or a case's data, which the page does not show."""
    from caseflow.accounts.models import AccountMail
    from caseflow.alerts.models import OutboxMessage
    from caseflow.timeutil import utcnow
    from tests.support import statements_sent

    raised = _many_alerts(staff, make_case, start_clock)
    now = utcnow()
    for alert in raised:
        db.session.add(
            OutboxMessage(
                alert_id=alert.id,
                channel="email",
                recipient="chief@failing.example",
                status="failed",
                attempts=10,
                next_attempt_at=now,
                last_error="550 mailbox unavailable",
            )
        )
    for _ in range(103):
        db.session.add(
            AccountMail(
                user_id=staff["caseworker"].id,
                kind="password_changed",
                recipient="worker@failing.example",
                subject="密码已修改",
                body="您的密码已修改。" * 500,
                status="failed",
                attempts=10,
                next_attempt_at=now,
                last_error="550 mailbox unavailable",
            )
        )
    db.session.commit()
    login(staff["admin"])

    with statements_sent() as sent:
        first = client.get("/alerts/outbox").text
    assert not [s for s in sent if "account_mails.body" in s or "account_mails.subject" in s]
    assert not [s for s in sent if "cases_1.data" in s]  # nor a case's data, beyond its number
    messages = re.findall(r'id="message-(\d+)"', first)
    mails = re.findall(r'id="account-mail-(\d+)"', first)
    assert len(messages) == 100 and len(mails) == 100
    assert first.count("第 1 页，共 2 页") == 2
    second_messages = client.get("/alerts/outbox?page=2&mails_page=2").text
    assert "第 2 页，共 2 页" in second_messages
    messages += re.findall(r'id="message-(\d+)"', second_messages)
    mails += re.findall(r'id="account-mail-(\d+)"', second_messages)
    assert len(set(messages)) == 105 and len(set(mails)) == 103
    link = re.search(r'href="([^"]*mails_page=2[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "page=" not in link.replace("mails_page=", "") and link.endswith("#account-mails")


def test_four_acknowledgements_at_once_are_one(app, staff, make_case, start_clock, make_token):
    """Four clients acknowledge one alert at the same moment: one is recorded with its note and
    its audit event, the others are told it is already acknowledged (each was a 200 and an event,
    the last note kept)."""
    from tests.support import at_once

    _case, alerts = _raise_all(staff, make_case, start_clock)
    url, token = f"/api/v1/alerts/{alerts[1].id}/acknowledge", make_token(staff["supervisor"])

    def acknowledge(i):
        answer = app.test_client().post(
            url, json={"note": f"第{i}条说明"}, headers={"Authorization": f"Bearer {token}"}
        )
        return answer.status_code, answer.get_json()

    answers = at_once(app, acknowledge)
    assert sorted(status for status, _body in answers) == [200, 409, 409, 409]
    refused = [body for status, body in answers if status == 409]
    assert all(body["error"]["message"] == "该预警已被确认" for body in refused)
    db.session.rollback()
    (event,) = db.session.scalars(select(Event).where(Event.kind == "alert_ack")).all()
    db.session.refresh(alerts[1])
    assert alerts[1].ack_note == event.note
