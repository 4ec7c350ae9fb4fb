"""Issue 16, ASVS 2.2.3: a user is told by e-mail when their password is changed or reset or an API
token is made for them. The mail is written with the change and sent after commit by the
scheduler's outbox job, over SMTP to a real SMTP server (aiosmtpd) run by the test."""


import re

import pytest
from sqlalchemy import select

from caseflow.accounts.mail import account_mails_send
from caseflow.accounts.models import AccountMail
from caseflow.extensions import db
from caseflow.scheduler import JOBS
from caseflow.timeutil import utcnow
from tests.support import PASSWORD, csrf_from, free_port, login_form_post


@pytest.fixture
def worker(units, make_user):
    return make_user("caseworker", units["ZS"], email="li.ming@zs-ipc.example.cn", display_name="李明")


def _login(client, user, password=PASSWORD):
    assert login_form_post(client, user.username, password).status_code == 302


def test_changing_ones_password_sends_a_mail_after_commit(client, worker, smtp_server):
    _login(client, worker)
    page = client.get("/account/password")
    wrong = client.post(
        "/account/password",
        data={"current": "not-my-password", "new": "a-fresh-long-passphrase", "csrf_token": csrf_from(page.text)},
    )
    assert wrong.status_code == 422
    assert db.session.scalars(select(AccountMail)).all() == []  # a refused change tells no one

    done = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a-fresh-long-passphrase", "csrf_token": csrf_from(page.text)},
    )
    assert done.status_code == 302
    assert smtp_server.envelopes == []  # the request does not wait for the mail server
    report = account_mails_send(utcnow())
    assert report.sent == 1
    ((rcpt, mail),) = smtp_server.messages()
    assert rcpt == ["li.ming@zs-ipc.example.cn"]
    assert mail["Subject"] == "【caseflow】您的登录密码已修改"
    assert mail["To"] == "li.ming@zs-ipc.example.cn"
    body = mail.get_content()
    assert f"李明（{worker.username}）" in body
    assert "2026年11月30日 10:0" in body and "北京时间" in body
    assert "如果这不是您本人或管理员的操作，请立即联系系统管理员" in body
    assert "a-fresh-long-passphrase" not in body and PASSWORD not in body
    assert account_mails_send(utcnow()).sent == 0  # sent once
    assert len(smtp_server.envelopes) == 1


def test_an_admin_reset_and_a_new_token_are_mailed_too(app, client, worker, make_user, smtp_server):
    admin = make_user("admin", None, display_name="王管理")
    _login(client, admin)
    page = client.get(f"/admin/users/{worker.id}")
    response = client.post(
        f"/admin/users/{worker.id}/password",
        data={"password-csrf_token": csrf_from(page.text), "password-password": "reset-by-the-admin-2026"},
    )
    assert response.status_code == 302
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "token", worker.username])
    assert result.exit_code == 0, result.output
    cli = app.test_cli_runner().invoke(args=["sla", "deliver"])  # the manual run sends them too
    assert "account mails sent 2, retrying 0, failed 0" in cli.output
    mails = {mail["Subject"]: mail.get_content() for _, mail in smtp_server.messages()}
    assert set(mails) == {"【caseflow】您的登录密码已被重置", "【caseflow】您的账户新建了 API 令牌"}
    assert "由管理员 王管理" in mails["【caseflow】您的登录密码已被重置"]
    token_text = mails["【caseflow】您的账户新建了 API 令牌"]
    assert "有效期至 2027年2月28日" in token_text  # 90 days
    assert "cf_" not in token_text  # the token itself never travels by mail


def test_a_mail_server_that_is_down_is_retried_and_a_user_without_address_gets_none(
    app, monkeypatch, worker, units, make_user, make_token
):
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nothing listens
    make_token(worker)
    report = account_mails_send(utcnow())
    assert report.retrying == 1
    row = db.session.scalar(select(AccountMail))
    assert row.status == "pending" and "ConnectionRefused" in row.last_error

    nobody = make_user("caseworker", units["ZS"])  # no e-mail address
    make_token(nobody)
    assert db.session.scalar(select(AccountMail).filter_by(user_id=nobody.id)) is None


def test_the_scheduler_runs_the_account_mails():
    assert "caseflow.accounts.mail:account_mails_send" in {job.target for job in JOBS}


def test_account_mails_are_retried_on_the_alert_mails_schedule(app, monkeypatch, worker, make_token):
    """administration.md: account mails go out like alert mails: 30 s, 1 min, 2 min … up to an
    hour between attempts, failed after the tenth."""
    from datetime import timedelta

    from caseflow.alerts import services as alerts

    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nothing listens
    make_token(worker)
    row = db.session.scalar(select(AccountMail))
    now = utcnow()
    waits = []
    for _ in range(alerts.MAX_ATTEMPTS):
        report = account_mails_send(now)
        db.session.refresh(row)
        if row.status == "failed":
            assert report.failed == 1
            break
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert waits[:3] == [timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2)]
    assert max(waits) == timedelta(hours=1)
    assert row.status == "failed" and row.attempts == alerts.MAX_ATTEMPTS == 10


def test_a_failed_account_mail_is_shown_to_admins_and_sent_again_on_request(
    app, client, monkeypatch, worker, make_user, make_token, api, login, smtp_server
):
    """The outbox page, the admin page's 消息发送 tab and the API's outbox show a failed account
    mail beside the alert messages; 立即重发 sends it again."""
    good_server = app.config["SMTP_URL"]
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nothing listens
    make_token(worker)
    mail = db.session.scalar(select(AccountMail))
    mail.attempts = 9  # the tenth failure gives up
    db.session.commit()
    assert account_mails_send(utcnow()).failed == 1
    db.session.refresh(mail)
    assert mail.status == "failed" and "ConnectionRefused" in mail.last_error

    admin = make_user("admin", None, display_name="王管理")
    outbox = api(admin).get("/api/v1/alerts/outbox").get_json()
    (listed,) = outbox["account_mails"]["problems"]
    assert listed["id"] == mail.id and listed["username"] == worker.username
    assert listed["kind"] == "token_created" and listed["status"] == "failed"
    assert listed["recipient"] == "li.ming@zs-ipc.example.cn" and "ConnectionRefused" in listed["last_error"]
    assert outbox["account_mails"]["counts"] == {"failed": 1}

    login(admin)
    tab = client.get("/admin?tab=outbox").text
    assert "账户通知邮件" in tab
    assert re.search(r'id="outbox-account_mails">.*?发送失败</th><td>1<', tab)
    page = client.get("/alerts/outbox").text
    row = page[page.index(f'id="account-mail-{mail.id}"') :]
    row = row[: row.index("</tr>")]
    assert f"李明（{worker.username}）" in row and "新建 API 令牌" in row and "发送失败" in row
    retry = client.post(
        f"/alerts/outbox/account-mails/{mail.id}/retry", data={"csrf_token": csrf_from(page)}
    )
    assert retry.status_code == 302
    db.session.refresh(mail)
    assert mail.status == "pending" and mail.attempts == 0

    monkeypatch.setitem(app.config, "SMTP_URL", good_server)
    assert account_mails_send(utcnow()).sent == 1
    ((rcpt, sent),) = smtp_server.messages()
    assert sent["Subject"] == "【caseflow】您的账户新建了 API 令牌"
    assert "没有发送失败的账户通知邮件" in client.get("/alerts/outbox").text


def test_only_admins_may_send_an_account_mail_again(client, worker, make_token, make_user, login):
    make_token(worker)
    mail = db.session.scalar(select(AccountMail))
    supervisor = make_user("supervisor", worker.unit)
    login(supervisor)
    page = client.get("/alerts/").text
    refused = client.post(
        f"/alerts/outbox/account-mails/{mail.id}/retry", data={"csrf_token": csrf_from(page)}
    )
    assert refused.status_code == 403
    admin = make_user("admin", None)
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(admin)
    page = client.get("/alerts/outbox").text
    missing = client.post("/alerts/outbox/account-mails/999999/retry", data={"csrf_token": csrf_from(page)})
    assert missing.status_code == 404
