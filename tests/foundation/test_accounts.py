"""Login, logout, CSRF, hashed secrets, throttling, and role and unit scoping."""

import hashlib

from sqlalchemy import func, select

from caseflow.accounts.models import ApiToken, User
from caseflow.extensions import db
from tests.support import PASSWORD, csrf_from


def test_login_page_is_chinese_and_has_a_csrf_token(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert "用户名" in page.text and "密码" in page.text and "登录" in page.text
    assert csrf_from(page.text)


def test_login_and_logout(client, units, make_user, login):
    user = make_user("caseworker", units["ZS"])
    login(user)
    assert client.get("/units/ZS").status_code == 200
    home = client.get("/units/ZS")
    response = client.post("/logout", data={"csrf_token": csrf_from(home.text)})
    assert response.status_code == 302
    assert client.get("/units/ZS").status_code == 302  # back to the login page


def test_wrong_password_is_refused_with_the_reason_beside_the_field(client, units, make_user):
    user = make_user("caseworker", units["ZS"])
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": user.username,
            "password": "wrong-password",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.text


def test_login_without_csrf_token_is_rejected(client, units, make_user):
    user = make_user("caseworker", units["ZS"])
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.text


def test_logout_without_csrf_token_is_rejected(client, units, make_user, login):
    login(make_user("caseworker", units["ZS"]))
    assert client.post("/logout").status_code == 400
    assert client.get("/units/ZS").status_code == 200  # still logged in


def test_repeated_failures_are_throttled(client, units, make_user):
    user = make_user("caseworker", units["ZS"])
    for _ in range(5):
        page = client.get("/login")
        client.post(
            "/login",
            data={
                "username": user.username,
                "password": "nope-nope",
                "csrf_token": csrf_from(page.text),
            },
        )
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 429  # even the right password waits out the window
    assert "次数过多" in response.text


def test_unit_page_is_scoped_to_the_users_unit(client, units, make_user, login):
    login(make_user("supervisor", units["ZS"]))
    assert client.get("/units/ZS").status_code == 200
    hidden = client.get("/units/PD")
    assert hidden.status_code == 404  # like a unit that does not exist
    assert client.get("/units/XX").status_code == 404


def test_admin_sees_every_unit(client, units, make_user, login):
    login(make_user("admin", None))
    assert client.get("/units/PD").status_code == 200
    assert client.get("/units/ZS").status_code == 200


def test_passwords_are_stored_hashed(units, make_user):
    user = make_user("caseworker", units["ZS"])
    stored = db.session.get(User, user.id).password_hash
    assert PASSWORD not in stored
    assert stored.startswith("scrypt:")


def test_production_hashes_passwords_at_werkzeug_full_scrypt_cost(tmp_path):
    # The harness lowers the cost for speed (tests/conftest.py); an app with the shipped
    # configuration must not.
    from caseflow import create_app
    from caseflow.accounts.services import _password_hash

    prod = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}",
            "CASEFLOW_STORAGE": str(tmp_path / "storage"),
            "SECRET_KEY": "prod-test",
        }
    )
    assert prod.config["PASSWORD_HASH_METHOD"] == "scrypt"
    with prod.app_context():
        assert _password_hash(PASSWORD).startswith("scrypt:32768:8:1$")


def test_api_tokens_are_stored_hashed_and_work(units, make_user, make_token, client):
    user = make_user("caseworker", units["ZS"])
    token = make_token(user)
    rows = db.session.scalars(select(ApiToken)).all()
    assert len(rows) == 1
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in rows[0].token_hash
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json == {
        "username": user.username,
        "display_name": user.username,
        "role": "caseworker",
        "unit": "ZS",
    }
    refused = client.get("/api/v1/me", headers={"Authorization": "Bearer cf_wrong"})
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "not_authenticated"


def test_api_without_token_is_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.is_json and "error" in response.json


def test_user_counts_start_empty_between_tests():
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_token_use_is_recorded_without_a_write_per_request(units, make_user, make_token, client):
    user = make_user("caseworker", units["ZS"])
    token = make_token(user)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.expire_all()
    first = db.session.scalar(select(ApiToken.last_used_at))
    assert first is not None
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) == first  # within the minute
