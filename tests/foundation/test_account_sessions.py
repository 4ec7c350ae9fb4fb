"""Issue 16, ASVS 3.3.4: every login is a session record (hashed id, created, last seen, address,
browser) listed on the user's own account page, where one session or all the others can be logged
out (POST with a CSRF token). The per-user session generation keeps ending all of them at once.

Several browsers are several test clients; a stolen cookie is a copy in yet another client."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow.accounts.models import UserSession
from caseflow.accounts.services import user_password_reset
from caseflow.extensions import db
from caseflow.web.filters import browser_label
from tests.support import csrf_from, login_form_post

PAGE = "/units/ZS"


def _login(client, user, *, addr, agent, remember=False):
    environ = {"REMOTE_ADDR": addr, "HTTP_USER_AGENT": agent}
    response = login_form_post(client, user.username, remember=remember, environ_base=environ)
    assert response.status_code == 302, response.text
    return client


def _session_ids(page_text):
    return [int(x) for x in re.findall(r'data-session="(\d+)"', page_text)]


@pytest.fixture
def worker(units, make_user):
    return make_user("caseworker", units["ZS"], email="li@example.cn")


@pytest.fixture
def browsers(app, worker):
    """The worker logged in from an office PC, a laptop (remembered) and a phone."""
    return {
        "office": _login(app.test_client(), worker, addr="10.1.1.10", agent="Mozilla/5.0 Office-PC Chrome/131"),
        "laptop": _login(app.test_client(), worker, addr="10.1.1.20", agent="Mozilla/5.0 Laptop Firefox/133", remember=True),
        "phone": _login(app.test_client(), worker, addr="172.16.0.7", agent="Mozilla/5.0 Phone Safari/18"),
    }


def test_each_login_is_a_session_record_listed_on_the_account_page(browsers, worker):
    rows = db.session.scalars(select(UserSession).filter_by(user_id=worker.id)).all()
    assert len(rows) == 3
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{64}", row.id_hash)  # only the SHA-256 of the secret
        assert row.created_at and row.last_seen_at
    cookie = browsers["office"].get_cookie("session").value
    assert all(row.id_hash not in cookie for row in rows)

    page = browsers["office"].get("/account")
    assert page.status_code == 200
    text = page.text
    assert len(_session_ids(text)) == 3
    for address, agent in (("10.1.1.10", "Office-PC"), ("10.1.1.20", "Laptop"), ("172.16.0.7", "Phone")):
        assert address in text and agent in text
    assert "2026年11月30日 10:0" in text  # created and last seen, local time
    # The office browser's own row is marked as this session.
    office = db.session.scalar(select(UserSession).filter_by(remote_addr="10.1.1.10"))
    assert re.search(rf'data-session="{office.id}" class="current"', text)
    assert "本会话" in text and "退出其他所有会话" in text and "退出此会话" in text


def test_logging_out_one_session_ends_that_browser_and_its_copies_only(app, browsers, worker):
    laptop = db.session.scalar(select(UserSession).filter_by(remote_addr="10.1.1.20"))
    thief = app.test_client()
    thief.set_cookie("remember_token", browsers["laptop"].get_cookie("remember_token").value)
    assert thief.get(PAGE).status_code == 200  # the copied remember cookie works, for now

    office = browsers["office"]
    token = csrf_from(office.get("/account").text)
    response = office.post(f"/account/sessions/{laptop.id}/end", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    db.session.expire_all()
    assert db.session.get(UserSession, laptop.id) is None

    assert browsers["laptop"].get(PAGE).status_code == 302  # sent to the login page
    fresh_thief = app.test_client()
    fresh_thief.set_cookie("remember_token", browsers["laptop"].get_cookie("remember_token").value)
    assert fresh_thief.get(PAGE).status_code == 302
    assert office.get(PAGE).status_code == 200
    assert browsers["phone"].get(PAGE).status_code == 200
    assert len(_session_ids(office.get("/account").text)) == 2


def test_logging_out_all_other_sessions_keeps_this_one(browsers, worker):
    office = browsers["office"]
    token = csrf_from(office.get("/account").text)
    response = office.post("/account/sessions/end-others", data={"csrf_token": token})
    assert response.status_code == 302
    assert "已退出其他 2 个会话" in office.get("/account").text
    assert browsers["laptop"].get(PAGE).status_code == 302
    assert browsers["phone"].get(PAGE).status_code == 302
    assert office.get(PAGE).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1
    # The generation did not move: this browser's session goes on.
    assert worker.session_generation == 0


def test_logging_out_this_session_from_the_list_logs_this_browser_out(browsers):
    office = browsers["office"]
    page = office.get("/account").text
    office_row = db.session.scalar(select(UserSession).filter_by(remote_addr="10.1.1.10"))
    response = office.post(f"/account/sessions/{office_row.id}/end", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert office.get(PAGE).status_code == 302
    assert browsers["phone"].get(PAGE).status_code == 200


def test_posts_need_a_csrf_token_and_another_users_session_answers_like_a_missing_one(
    app, browsers, units, make_user
):
    office = browsers["office"]
    phone = db.session.scalar(select(UserSession).filter_by(remote_addr="172.16.0.7"))
    assert office.post(f"/account/sessions/{phone.id}/end").status_code == 400
    assert office.post("/account/sessions/end-others").status_code == 400
    assert browsers["phone"].get(PAGE).status_code == 200  # nothing ended

    other = make_user("caseworker", units["ZS"])
    intruder = _login(app.test_client(), other, addr="10.9.9.9", agent="Intruder")
    token = csrf_from(intruder.get("/account").text)
    for session_id in (phone.id, 999999):
        response = intruder.post(f"/account/sessions/{session_id}/end", data={"csrf_token": token})
        assert response.status_code == 302
        assert "没有这个会话" in intruder.get("/account").text
    assert browsers["phone"].get(PAGE).status_code == 200
    assert len(_session_ids(intruder.get("/account").text)) == 1  # sees only their own


def test_the_generation_still_ends_every_session_and_drops_the_records(browsers, worker, make_user):
    admin = make_user("admin", None)
    user_password_reset(worker, actor=admin, password="another-long-passphrase")
    db.session.commit()
    for browser in browsers.values():
        assert browser.get(PAGE).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_last_seen_follows_use_and_idle_sessions_expire(app, browsers, worker, time_machine, pinned_now):
    phone = db.session.scalar(select(UserSession).filter_by(remote_addr="172.16.0.7"))
    created = phone.created_at
    time_machine.move_to(pinned_now + timedelta(hours=3), tick=False)
    assert browsers["phone"].get(PAGE).status_code == 200
    db.session.expire_all()
    phone = db.session.get(UserSession, phone.id)
    assert phone.created_at == created
    assert phone.last_seen_at - created >= timedelta(hours=2, minutes=59)  # the login ticked
    assert "2026年11月30日 13:0" in browsers["phone"].get("/account").text

    # Two weeks without use (the remember cookie's life) end a session, remembered or not.
    time_machine.move_to(pinned_now + timedelta(days=14, hours=2), tick=False)
    assert browsers["office"].get(PAGE).status_code == 302
    assert browsers["laptop"].get(PAGE).status_code == 302
    assert browsers["phone"].get(PAGE).status_code == 200  # idle 13 days 23 hours
    # A new login prunes the user's idle records.
    _login(app.test_client(), worker, addr="10.1.1.30", agent="New-PC")
    db.session.expire_all()
    assert sorted(r.remote_addr for r in db.session.scalars(select(UserSession))) == [
        "10.1.1.30",
        "172.16.0.7",
    ]


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36 Edg/131.0", "Edge 131 · Windows"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36", "Chrome 131 · Windows"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133 · Linux"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile Safari/604.1", "Safari 18 · iOS"),
        ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.50", "微信 8 · Android"),
        ("curl/8.5.0", "curl/8.5.0"),
        ("", "—"),
    ],
)
def test_the_browser_column_names_browser_and_system(agent, label):
    assert browser_label(agent) == label
