"""Issue 16, ASVS 2.2.3: a user is told by e-mail when their password is changed or reset or an API
token is made for them. The mail is written with the change and sent after commit by the
scheduler's outbox job, over SMTP to a real SMTP server (aiosmtpd) run by the test."""


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
