"""Fixtures for the parties tests: a filer's body, tiny real images, a real SMTP server and a
real HTTP receiver for the SMS gateway."""

import io
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest

from tests.web.conftest import open_case, people  # noqa: F401 (fixtures)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def jpeg(size: int = 2000) -> bytes:
    """A file a phone camera could have made: JPEG magic, then bytes."""
    return b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"x" * size


def complaint_body(unit="ZS", **over) -> dict:
    body = {
        "unit": unit,
        "complainant": {
            "name": "Lumen GmbH",
            "kind": "company",
            "country": "DE",
            "contact": "+49 30 1234567",
        },
        "respondent": {"name": "古镇星光灯饰厂", "contact": "中山市古镇镇"},
        "right": {"kind": "patent", "number": "ZL202530123456.7", "patent_type": "design"},
        "facts": "被投诉人在网店销售与我方外观设计专利相同的灯具。",
    }
    body.update(over)
    return body


@pytest.fixture(autouse=True)
def captcha_off(app, monkeypatch):
    """Automated checks file with the captcha switched off (parties.md §1); a test that wants
    it switches it back on."""
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", False)


class Receiver:
    """A local SMS gateway: records each POST and answers with the next status of ``script``."""

    def __init__(self, script=()):
        self.script = list(script)
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((dict(self.headers), body))
                status = outer.script.pop(0) if outer.script else 200
                self.send_response(status)
                payload = b'{"message_id": "sms-1"}'
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sms_gateway(app, monkeypatch):
    receiver = Receiver()
    monkeypatch.setitem(app.config, "CASEFLOW_SMS_URL", receiver.url)
    monkeypatch.setitem(app.config, "CASEFLOW_SMS_SECRET", "sms-secret")
    yield receiver
    receiver.close()


def pdf_text(data: bytes) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


__all__ = ["io", "jpeg", "local", "complaint_body", "pdf_text"]
