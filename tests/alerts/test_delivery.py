"""Delivery through the outbox: office hours on the working-day calendar, a real SMTP server
(aiosmtpd), a real HTTP receiver with signature checks, retries with backoff, and two deliverers
racing for the same messages."""

import hashlib
import hmac
import itertools
import json
import re
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from caseflow.alerts.models import OutboxMessage
from caseflow.alerts.services import outbox_deliver, sla_sweep
from caseflow.extensions import db
from caseflow.outbox import outbox_waiting
from caseflow.timeutil import utcnow
from tests.alerts.conftest import local
from tests.support import MailServer, csrf_from, free_port

SECRET = "s3cret-for-tests"


def _messages(channel):
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.channel == channel).order_by(OutboxMessage.id)
    ).all()


def test_national_day_night_alert_is_mailed_at_9_on_the_next_working_day(
    app, staff, make_case, start_clock
):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    # The due_soon moment, 2026-10-07 20:30, is on the last night of the National Day holiday.
    (alert,) = sla_sweep(local(2026, 10, 7, 20, 31))
    (inapp,) = _messages("inapp")
    assert inapp.status == "sent"  # in-app is there at once: the badge shows it
    (mail,) = _messages("email")
    assert mail.recipient == "li@zs.example"
    assert mail.next_attempt_at == local(2026, 10, 8, 9, 0)  # Thursday, a working day

    assert outbox_deliver(local(2026, 10, 8, 8, 59)).sent == 0
    assert outbox_deliver(local(2026, 10, 8, 9, 0)).sent == 1
    db.session.refresh(mail)
    assert mail.status == "sent" and mail.sent_at == local(2026, 10, 8, 9, 0)
    eml = Path(app.config["CASEFLOW_STORAGE"]) / "outbox-mail" / f"{mail.id:08d}.eml"
    parsed = message_from_bytes(eml.read_bytes(), policy=policy.default)
    # The subject names the clock and its last day, as every surface writes it (no 00:00 of
    # the next day: due_at is 2026-10-11 00:00, the last day Saturday 10 October, a make-up day).
    assert parsed["Subject"] == f"【临期预警】{case.number} handling 2026年10月10日（周六）"
    assert "2026年10月10日（周六）" in parsed.get_content()
    assert "10月11日" not in parsed.get_content() and "00:00" not in parsed.get_content()
    assert outbox_deliver(local(2026, 10, 9, 12)).sent == 0  # delivered once


def test_overdue_at_midnight_before_a_weekend_waits_for_monday(staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    sla_sweep(local(2026, 10, 8, 9))
    # Overdue at 00:00 on Sunday 10-11: the mail waits for Monday 10-12 09:00.
    (overdue,) = sla_sweep(local(2026, 10, 11, 0, 1))
    mails = [m for m in _messages("email") if m.alert_id == overdue.id]
    assert {m.next_attempt_at for m in mails} == {local(2026, 10, 12, 9)}


def test_hours_clock_mail_goes_at_once_even_on_a_holiday_night(staff, make_case, start_clock):
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "24 hours", local(2026, 10, 3, 23))
    sla_sweep(local(2026, 10, 4, 17, 0, 30))
    (mail,) = _messages("email")
    assert mail.next_attempt_at == local(2026, 10, 4, 17, 0, 30)


def test_mail_through_a_real_smtp_server(
    app, monkeypatch, smtp_server, staff, make_case, start_clock
):
    received = smtp_server
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "5 workdays", local(2026, 9, 28, 10), live=True)
    sla_sweep(local(2026, 11, 2, 10))  # all three levels, late
    report = outbox_deliver(local(2026, 11, 2, 10))
    mails = _messages("email")
    assert report.sent == len(mails) == 5  # li; li+wang; wang+root
    assert sorted(rcpt for e in received.envelopes for rcpt in e.rcpt_tos) == sorted(
        m.recipient for m in mails
    )
    subjects = set()
    for envelope in received.envelopes:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        subjects.add(parsed["Subject"])
        assert parsed["From"] == "caseflow@localhost"
        assert case.number in parsed.get_content()
        assert "补发" in parsed.get_content()  # raised late: the scheduler was down
    assert subjects == {
        f"【{label}】{case.number} handling 2026年10月10日（周六）"
        for label in ("临期预警", "超期", "督办")
    }
    assert outbox_deliver(local(2026, 11, 3, 10)).sent == 0
    assert len(received.envelopes) == 5


class SlowMailServer(MailServer):
    """A real SMTP server on which every mail takes three minutes (the pinned clock is moved on
    while it "works"). At the end of each mail it notes which messages another scheduler would
    claim at that moment though they are being sent."""

    SEND_TAKES = timedelta(minutes=3)

    def __init__(self, app, time_machine):
        super().__init__()
        self.app, self.time_machine = app, time_machine
        self.claimable_while_sending: list[int] = []

    async def handle_DATA(self, server, session, envelope):
        self.time_machine.shift(self.SEND_TAKES)
        with self.app.app_context():
            table = OutboxMessage.__table__
            self.claimable_while_sending += db.session.scalars(
                select(table.c.id).where(
                    table.c.status == "sending", outbox_waiting(table, utcnow())
                )
            ).all()
            db.session.remove()
        return await super().handle_DATA(server, session, envelope)


def test_a_mail_claimed_late_in_a_slow_run_has_a_lease_from_its_own_claim(
    app, monkeypatch, time_machine, staff, make_case, start_clock
):
    """Five mails at three minutes each: the third is claimed six minutes into the run, past a
    lease counted from the run's start, so another scheduler would have sent it too."""
    from aiosmtpd.controller import Controller

    received = SlowMailServer(app, time_machine)
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        case = make_case(staff["unit"], assignee=staff["caseworker"])
        start_clock(case, "5 workdays", local(2026, 9, 28, 10))
        sla_sweep(local(2026, 11, 2, 10))  # all three levels: five mails
        started = utcnow()
        assert outbox_deliver(limit=10).sent == 5  # as the scheduler runs it: no --now
    finally:
        controller.stop()
    assert len(received.envelopes) == 5
    assert received.claimable_while_sending == []
    # Each mail is recorded as sent when it was: three minutes apart, not all at the start.
    sent = sorted(m.sent_at for m in _messages("email"))
    assert sent[0] - started >= SlowMailServer.SEND_TAKES
    assert all(b - a >= SlowMailServer.SEND_TAKES for a, b in itertools.pairwise(sent))


class FlakyMailServer(MailServer):
    """A real SMTP server that refuses the first mail with a temporary error (451)."""

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        if len(self.envelopes) == 1:
            return "451 4.3.0 try again later"
        return "250 2.0.0 Ok: queued as 4F2A2"


def test_a_mail_sent_again_keeps_its_message_id(
    app, monkeypatch, staff, make_case, start_clock
):
    from aiosmtpd.controller import Controller

    received = FlakyMailServer()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_URL", "https://ipr.example.gov.cn/")
        case = make_case(staff["unit"], assignee=staff["caseworker"])
        start_clock(case, "24 hours", local(2026, 10, 3, 23))
        sla_sweep(local(2026, 10, 4, 17, 1))  # one mail, to the assignee
        t0 = local(2026, 10, 4, 17, 1)
        assert outbox_deliver(t0).retrying == 1
        assert outbox_deliver(t0 + timedelta(seconds=30)).sent == 1
    finally:
        controller.stop()
    (mail,) = _messages("email")
    first, second = (
        message_from_bytes(e.content, policy=policy.default)["Message-ID"]
        for e in received.envelopes
    )
    assert first == second
    assert first.startswith(f"<outbox-{mail.id}.") and first.endswith("@ipr.example.gov.cn>")


class Receiver:
    """A local HTTP endpoint that answers each POST with the next status of ``script``."""

    def __init__(self, script=()):
        self.script = list(script)
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.lock:
                    outer.requests.append((dict(self.headers), body))
                    status = outer.script.pop(0) if outer.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(app, monkeypatch):
    made = []

    def factory(script=()):
        r = Receiver(script)
        made.append(r)
        monkeypatch.setitem(app.config, "CASEFLOW_WEBHOOK_URL", r.url)
        monkeypatch.setitem(app.config, "CASEFLOW_WEBHOOK_SECRET", SECRET)
        return r

    yield factory
    for r in made:
        r.close()


def test_webhook_is_signed_and_retried_until_accepted_exactly_once(
    receiver, staff, make_case, start_clock
):
    hook = receiver(script=[500, 503])
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "24 hours", local(2026, 10, 3, 23))
    (alert,) = sla_sweep(local(2026, 10, 4, 17, 1))
    (message,) = _messages("webhook")

    t0 = local(2026, 10, 4, 17, 1)
    assert outbox_deliver(t0).retrying == 1
    db.session.refresh(message)
    assert message.status == "pending" and message.attempts == 1
    assert "500" in message.last_error
    assert message.next_attempt_at == t0 + timedelta(seconds=30)
    assert outbox_deliver(t0 + timedelta(seconds=10)).sent == 0  # backing off
    assert outbox_deliver(t0 + timedelta(seconds=30)).retrying == 1
    db.session.refresh(message)
    assert message.next_attempt_at == t0 + timedelta(seconds=90)  # 30 s, then 60 s
    assert outbox_deliver(t0 + timedelta(seconds=90)).sent == 1
    assert outbox_deliver(t0 + timedelta(hours=5)).sent == 0
    db.session.refresh(message)
    assert message.status == "sent" and message.attempts == 3

    assert len(hook.requests) == 3
    accepted_headers, body = hook.requests[-1]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert accepted_headers["X-Caseflow-Signature"] == expected
    payload = json.loads(body)
    assert payload["msgtype"] == "text"
    assert payload["alert"]["case_number"] == case.number
    assert payload["alert"]["level"] == "due_soon"
    assert payload["delivery_id"] == message.id
    assert case.number in payload["text"]["content"]
    assert {h["X-Caseflow-Delivery"] for h, _ in hook.requests} == {str(message.id)}


def test_a_receiver_that_keeps_failing_is_visible_to_admins(
    app, receiver, api, staff, make_case, start_clock
):
    from caseflow.alerts import services

    receiver(script=[500] * 20)
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "24 hours", local(2026, 10, 3, 23))
    sla_sweep(local(2026, 10, 4, 17, 1))
    now = local(2026, 10, 4, 17, 1)
    for _ in range(services.MAX_ATTEMPTS):
        outbox_deliver(now)
        now += timedelta(hours=2)
    (message,) = _messages("webhook")
    db.session.refresh(message)
    assert message.status == "failed" and message.attempts == services.MAX_ATTEMPTS
    body = api(staff["admin"]).get("/api/v1/alerts/outbox").get_json()
    assert [p["id"] for p in body["problems"]] == [message.id]
    assert body["problems"][0]["status"] == "failed"
    assert body["problems"][0]["next_attempt_at"] is None  # given up: no next attempt
    # The counts are of what the outbox sends: li's mail went out, the webhook failed; li's
    # in-app notification is no delivery and not counted.
    assert body["counts"] == {"sent": 1, "failed": 1}
    assert api(staff["supervisor"]).get("/api/v1/alerts/outbox").status_code == 403


def test_the_outbox_pages_show_no_next_attempt_for_a_failed_message_and_count_deliveries(
    app, receiver, client, login, staff, make_case, start_clock
):
    from caseflow.alerts import services

    receiver(script=[500] * 20)
    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "24 hours", local(2026, 10, 3, 23))
    sla_sweep(local(2026, 10, 4, 17, 1))
    now = local(2026, 10, 4, 17, 1)
    for _ in range(services.MAX_ATTEMPTS):
        outbox_deliver(now)
        now += timedelta(hours=2)
    (message,) = _messages("webhook")
    login(staff["admin"])
    page = client.get("/alerts/outbox").text
    row = re.search(rf'<tr id="message-{message.id}">(.*?)</tr>', page, re.S).group(1)
    assert "发送失败" in row and "—" in row
    assert "年" not in row  # no 「下次尝试」 time for a message nobody will try again
    tab = client.get("/admin?tab=outbox").text
    counts = re.search(r'<table class="kv" id="outbox-alerts">(.*?)</table>', tab, re.S).group(1)
    cells = dict(re.findall(r"<th>(.*?)</th><td>(\d+)</td>", counts))
    assert cells["已发送"] == "1" and cells["发送失败"] == "1"  # li's mail; the webhook


def test_after_a_mail_server_outage_an_admin_resends_every_failed_mail_at_once(
    app, monkeypatch, caplog, client, login, api, smtp_server, staff, make_case, start_clock
):
    from caseflow.alerts import services

    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "24 hours", local(2026, 10, 3, 23))
    sla_sweep(local(2026, 10, 5, 9))  # three levels: five mails
    # The mail server is down (nothing listens on its port) for every attempt.
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    now = local(2026, 10, 5, 9)
    for _ in range(services.MAX_ATTEMPTS):
        outbox_deliver(now)
        now += timedelta(hours=2)
    assert {m.status for m in _messages("email")} == {"failed"}

    login(staff["admin"])
    page = client.get("/alerts/outbox").text
    assert "全部重发" in page
    assert client.post("/alerts/outbox/retry-failed").status_code == 400  # no CSRF token
    with caplog.at_level("INFO", logger="caseflow.alerts.services"):
        done = client.post("/alerts/outbox/retry-failed", data={"csrf_token": csrf_from(page)})
    assert done.status_code == 302
    assert "5 failed alert messages and 0 account mails retried by root" in caplog.text
    mails = _messages("email")
    assert {(m.status, m.attempts) for m in mails} == {("pending", 0)}
    assert "全部重发" not in client.get("/alerts/outbox").text  # nothing failed any more

    # The server is back: the next run sends all five.
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{smtp_server.port}")
    assert outbox_deliver().sent == 5
    assert len(smtp_server.envelopes) == 5
    # Scripts do the same through the API; only admins may.
    assert api(staff["supervisor"]).post("/api/v1/alerts/outbox/retry").status_code == 403
    answer = api(staff["admin"]).post("/api/v1/alerts/outbox/retry")
    assert answer.status_code == 200
    assert answer.get_json() == {"alert_messages": 0, "account_mails": 0}


def test_two_deliverers_at_once_send_each_message_exactly_once(
    app, receiver, staff, make_case, start_clock
):
    hook = receiver()
    for _ in range(6):
        case = make_case(staff["unit"], assignee=staff["caseworker"])
        start_clock(case, "24 hours", local(2026, 10, 3, 23))
    sla_sweep(local(2026, 10, 5, 9))  # 6 clocks × 3 levels, each with a webhook message
    expected = {m.id for m in _messages("webhook")} | {m.id for m in _messages("email")}
    assert len(_messages("webhook")) == 18
    db.session.remove()

    barrier = threading.Barrier(2)
    reports = []

    def deliverer():
        with app.app_context():
            barrier.wait()
            reports.append(outbox_deliver(local(2026, 10, 5, 9, 1)))
            db.session.remove()

    threads = [threading.Thread(target=deliverer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in reports) == len(expected)
    ids = [h["X-Caseflow-Delivery"] for h, _ in hook.requests]
    assert len(ids) == len(set(ids)) == 18
    assert all(m.status == "sent" for m in _messages("webhook"))


def test_a_due_date_in_a_provisional_year_is_marked_so_in_the_alert(
    app, staff, make_case, start_clock, client, login
):
    """deadlines.md §1: a deadline counted on a year whose official schedule is not out yet is
    marked provisional wherever it is shown: the mail, the in-app text, the API and webhook."""
    from caseflow.alerts.delivery import alert_facts

    case = make_case(staff["unit"], assignee=staff["caseworker"])
    # 5 workdays from Monday 2026-12-28: 29, 30, 31, then 2027 (provisional): Jan 4, 5.
    clock = start_clock(case, "5 workdays", local(2026, 12, 28, 10))
    assert clock.provisional
    (alert,) = sla_sweep(local(2027, 1, 5, 0, 1))
    facts = alert_facts(alert)
    assert facts["provisional"] is True and facts["due_text"].endswith("（暂定）")
    (mail,) = _messages("email")
    outbox_deliver(local(2027, 1, 5, 9, 0))
    eml = Path(app.config["CASEFLOW_STORAGE"]) / "outbox-mail" / f"{mail.id:08d}.eml"
    parsed = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert parsed["Subject"].endswith("2027年1月5日（周二）（暂定）")
    with time_machine.travel(local(2027, 1, 5, 9), tick=False):
        login(staff["caseworker"])
        page = client.get("/alerts/").text
    row = re.search(rf'<tr[^>]*id="alert-{alert.id}".*?</tr>', page, re.S).group(0)
    assert re.search(r"2027年1月5日（周二）\s*<span[^>]*badge-provisional[^>]*>暂定</span>", row)


@pytest.fixture
def restore_2027():
    """Afterwards 2027 is provisional again (the calendar tables survive between tests)."""
    yield
    from caseflow.calendar.services import calendar_year_delete

    db.session.rollback()
    calendar_year_delete(2027, recompute=False)
    db.session.commit()


def test_an_alert_keeps_its_provisional_mark_after_the_official_year_moves_its_due_date(
    staff, make_case, start_clock, restore_2027
):
    """It says what it said when it was raised: its due date was counted on a provisional year."""
    from caseflow.alerts.delivery import alert_facts, alert_text
    from caseflow.calendar.services import calendar_load
    from tests.calendar.conftest import SCHEDULE_2027

    case = make_case(staff["unit"], assignee=staff["caseworker"])
    # 5 workdays from Monday 2026-12-28: 29, 30, 31, then 2027 (provisional): Jan 4, 5.
    clock = start_clock(case, "5 workdays", local(2026, 12, 28, 10))
    (alert,) = sla_sweep(local(2027, 1, 5, 0, 1))
    # The official 2027 schedule (here with 4 January a holiday) moves the due date to 6 January.
    schedule = SCHEDULE_2027.read_text(encoding="utf-8") + "2027-01-04 holiday 元旦（假设）\n"
    calendar_load(schedule, source="test notice 2027")
    db.session.commit()
    db.session.refresh(clock)
    assert not clock.provisional and clock.due_at == local(2027, 1, 7)
    db.session.refresh(alert)
    facts = alert_facts(alert)
    assert facts["provisional"] is True
    assert facts["due_text"] == "2027年1月5日（周二）（暂定）"
    assert "2027年1月5日（周二）（暂定）" in alert_text(alert)


def test_an_alert_whose_date_the_official_year_confirms_is_no_longer_marked_provisional(
    app, staff, make_case, start_clock, restore_2027
):
    """Raised on a provisional year, sent after the official 2027 schedule kept its clock's date:
    the date is official now, and the mail says so without （暂定）."""
    from caseflow.alerts.delivery import alert_facts
    from caseflow.calendar.services import calendar_load
    from tests.calendar.conftest import SCHEDULE_2027

    case = make_case(staff["unit"], assignee=staff["caseworker"])
    # 5 workdays from Monday 2026-12-28: 29, 30, 31, then 2027: Jan 4, 5 (1–3 January are
    # holidays in both the statutory rules and the official schedule).
    clock = start_clock(case, "5 workdays", local(2026, 12, 28, 10))
    (alert,) = sla_sweep(local(2027, 1, 5, 0, 1))
    assert alert.provisional
    calendar_load(SCHEDULE_2027.read_text(encoding="utf-8"), source="test notice 2027")
    db.session.commit()
    db.session.refresh(clock)
    assert not clock.provisional and clock.due_at == alert.due_at == local(2027, 1, 6)
    assert alert_facts(alert)["provisional"] is False
    (mail,) = _messages("email")
    outbox_deliver(local(2027, 1, 5, 9, 0))
    eml = Path(app.config["CASEFLOW_STORAGE"]) / "outbox-mail" / f"{mail.id:08d}.eml"
    parsed = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert parsed["Subject"].endswith("2027年1月5日（周二）")


def test_info_logs_a_line_per_alert_raised_and_per_message_sent(
    app, staff, make_case, start_clock, caplog
):
    """deployment.md: INFO logs a line per alert and per delivery; the sweep logged only a count
    and a sent message nothing. The recipient is masked as the parties' pages mask it."""
    import logging

    case = make_case(staff["unit"], assignee=staff["caseworker"])
    start_clock(case, "5 workdays", local(2026, 9, 28, 10))
    with caplog.at_level(logging.INFO, logger="caseflow"):
        (alert,) = sla_sweep(local(2026, 10, 7, 20, 31))
        assert outbox_deliver(local(2026, 10, 8, 9, 0)).sent == 1
    (mail,) = _messages("email")
    lines = [r.getMessage() for r in caplog.records]
    assert f"alert due_soon raised: case {case.number} clock handling (alert {alert.id})" in lines
    assert f"outbox_messages {mail.id} sent: email to l***@zs.example" in lines
    assert "li@zs.example" not in caplog.text
