"""Issue 16, part 3: security headers on every response, no inline script, no Server version,
and the verification address printed on notices taken from CASEFLOW_PUBLIC_URL alone."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


def _assert_common_headers(response):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy") == "same-origin"


def test_every_kind_of_response_carries_the_headers(client, units, make_user, api):
    user = make_user("caseworker", units["ZS"])
    for response in (
        client.get("/login"),
        client.get("/healthz"),
        client.get("/static/css/app.css"),
        client.get("/no-such-page"),
        client.get("/api/v1/openapi.json"),
        api(user).get("/api/v1/me"),
        client.get("/verify/NOSUCHCODE"),
    ):
        _assert_common_headers(response)
        assert "Strict-Transport-Security" not in response.headers  # plain http: no HSTS


def test_signed_in_pages_are_not_stored_and_https_gets_hsts(client, units, make_user, login, api):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    user = make_user("caseworker", units["ZS"])
    login(user)
    assert client.get("/units/ZS").headers.get("Cache-Control") == "no-store"
    assert api(user).get("/api/v1/me").headers.get("Cache-Control") == "no-store"
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_template_has_an_inline_script_or_event_handler():
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")(?![^>]*nonce=)")
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if inline.search(text) or handler.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []  # was: dashboard.html, fair_desk.html, applicants.html


def test_dashboard_and_fair_desk_scripts_are_files(client, units, make_user, login):
    login(make_user("supervisor", units["ZS"]))
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "/static/js/dashboard.js" in page.text
    assert client.get("/static/js/dashboard.js").status_code == 200


@contextmanager
def _gunicorn(database_url, tmp_path, **environment):
    """``gunicorn wsgi:app`` from the repository (so with gunicorn.conf.py), one worker on a free
    port of 127.0.0.1, answering: its base address."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CASEFLOW_STORAGE": str(tmp_path / "storage"),
        "SECRET_KEY": "x" * 32,
        **environment,
    }
    env.pop("FORWARDED_ALLOW_IPS", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


def test_gunicorn_names_no_server_software_or_version(database_url, tmp_path):
    with _gunicorn(database_url, tmp_path) as base:
        server_header = _login_page(base, {}).get("Server", "")
    assert "gunicorn" not in server_header.lower()  # was "gunicorn"
    assert not re.search(r"\d", server_header)


def _login_page(base, headers):
    with urllib.request.urlopen(urllib.request.Request(f"{base}/login", headers=headers)) as page:
        return page.headers


@pytest.mark.parametrize(
    "claims",
    [
        {"X-Forwarded-Proto": "https"},
        {"X-Forwarded-Ssl": "on"},
        {"X-Forwarded-Protocol": "ssl"},
    ],
)
def test_with_no_proxy_trusted_a_request_claiming_https_is_taken_for_http(
    database_url, tmp_path, claims
):
    """CASEFLOW_PROXY_HOPS=0: no forwarded header is believed, not even from 127.0.0.1 (gunicorn's
    own default trusts X-Forwarded-Proto from there): no HSTS, no Secure cookie."""
    with _gunicorn(database_url, tmp_path, CASEFLOW_PROXY_HOPS="0") as base:
        headers = _login_page(base, claims)
    assert "Strict-Transport-Security" not in headers
    cookies = headers.get_all("Set-Cookie")
    assert cookies and not any("; Secure" in cookie for cookie in cookies)


def test_behind_one_proxy_its_x_forwarded_proto_is_believed_and_nothing_else(
    database_url, tmp_path
):
    with _gunicorn(database_url, tmp_path, CASEFLOW_PROXY_HOPS="1") as base:
        https = _login_page(base, {"X-Forwarded-Proto": "https"})
        # nginx passes a header it does not set: a client's X-Forwarded-Ssl proves nothing.
        spoofed = _login_page(base, {"X-Forwarded-Proto": "http", "X-Forwarded-Ssl": "on"})
    assert "Strict-Transport-Security" in https
    assert all("; Secure" in cookie for cookie in https.get_all("Set-Cookie"))
    assert "Strict-Transport-Security" not in spoofed
    assert not any("; Secure" in cookie for cookie in spoofed.get_all("Set-Cookie"))


def _gunicorn_settings():
    """gunicorn.conf.py as gunicorn loads it (a module run from its path)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_access_log_carries_no_party_link_token_and_no_status_code(tmp_path):
    """A party's link lets whoever holds it act as the party (security.md 7.1.1, 8.3.1): the access
    log deployment.md recommends (``--access-logfile -``) wrote each /p/<token> whole; so with the
    /status lookup's ``code``. Logged through gunicorn's own Logger API, as a worker does."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    token = "Zq3vK8mN2pL5xR7tY1wB4cD6fG9hJ0kA2sE5uI8oQ3c"  # 43 characters, as issued
    settings = Config()
    settings.set("accesslog", str(tmp_path / "access.log"))
    settings.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s %({location}o)s')
    logger = _gunicorn_settings().logger_class(settings)
    requests = [
        ("GET", f"/p/{token}", "", ""),
        ("POST", f"/p/{token}/submit", "", f"/p/{token}"),
        ("GET", f"/p/{token}/notices/12.pdf", "", ""),
        ("GET", "/status", "number=ZS-ADJ-2026-00001&code=K7PX4Q", ""),
        ("GET", "/api/v1/public/status", "code=K7PX4Q&number=ZS-ADJ-2026-00001", ""),
    ]
    for method, path, query, location in requests:
        environ = {
            "REQUEST_METHOD": method,
            "RAW_URI": f"{path}?{query}" if query else path,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "203.0.113.9",
            "HTTP_REFERER": f"https://ipp.example.gov.cn/p/{token}",
        }
        response = SimpleNamespace(
            status="302 FOUND" if location else "200 OK",
            sent=512,
            headers=[("Location", location)] if location else [],
        )
        request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
        logger.access(response, request, environ, timedelta(milliseconds=20))
    for handler in logger.access_log.handlers:
        handler.flush()
    logged = (tmp_path / "access.log").read_text()
    lines = logged.splitlines()
    assert len(lines) == len(requests)
    assert token[:6] not in logged.replace(f"/p/{token[:6]}…", "")  # only the first six
    assert token[6:12] not in logged and "K7PX4Q" not in logged
    assert f'"GET /p/{token[:6]}… HTTP/1.1" 200' in lines[0]
    assert f"/p/{token[:6]}…/submit" in lines[1] and "/notices/12.pdf" in lines[2]
    assert "number=ZS-ADJ-2026-00001&code=…" in lines[3]  # the number, not the code
