"""Helpers shared by tests (fixtures live in conftest.py)."""

import re
import socket
from contextlib import contextmanager
from datetime import UTC
from email import message_from_bytes, policy
from functools import cache
from pathlib import Path

#: The password every factory-made user has.
PASSWORD = "correct-horse-battery"

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@contextmanager
def statements_sent():
    """The SQL statements the app's engine sends while the block runs, as a list filled in as
    they go (``with statements_sent() as sent: …``)."""
    from sqlalchemy import event

    from caseflow.extensions import db

    sent: list[str] = []

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a server a test starts, or for a
    server that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    """What the real SMTP server of the ``smtp_server`` fixture received. Like a real server it
    refuses a mailbox: addresses at ``refused.example`` get 550 at RCPT."""

    def __init__(self):
        self.envelopes = []
        self.port = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 2.0.0 Ok: queued as 4F2A1"

    def messages(self) -> list:
        """(recipients, parsed message) of each mail, in the order received."""
        return [
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
            for envelope in self.envelopes
        ]


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def login_form_post(
    client, username: str, password: str = PASSWORD, *, remember: bool = False, **request
):
    """Log ``client`` in through the real login form (its page, then the POST with its CSRF
    token, and 记住我 ticked when ``remember``); ``request`` goes to both requests (headers,
    environ_base). Returns the POST's answer."""
    page = client.get("/login", **request)
    data = {"username": username, "password": password, "csrf_token": csrf_from(page.text)}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, **request)


#: libfaketime, from Debian's ``faketime`` package (``scripts/setup --test`` installs it).
LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")


def pinned_env(env: dict) -> dict:
    """``env`` for a subprocess (the CLI, the scheduler) whose clock must agree with the pinned
    clock of the test process (``tests.conftest.PINNED_NOW``): libfaketime starts it at the same
    instant, ticking. Monotonic clocks are left alone (timeouts and sleeps stay real)."""
    from tests.conftest import PINNED_NOW

    if not LIBFAKETIME.exists():
        return env
    start = PINNED_NOW.astimezone(UTC).strftime("@%Y-%m-%d %H:%M:%S")
    return {
        **env,
        "LD_PRELOAD": str(LIBFAKETIME),
        "FAKETIME": start,
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        "FAKETIME_DONT_RESET": "1",
        "TZ": "UTC",
    }


def at_once(app, job, n: int = 4) -> list:
    """``job(i)`` for i in 0…n-1, each in its own thread with its own app context (its own session
    and connection), released together by a barrier: a double submit or a race of clients.
    The results in the order of i."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from caseflow.extensions import db

    barrier = threading.Barrier(n)

    def run(i):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                return job(i)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


#: A complete new-case form of the 举报投诉 intake (POST /cases/new), without its CSRF token.
NEW_INTAKE_FORM = {
    "workflow": "intake",
    "channel": "hotline_12330",
    "title": "举报假冒专利",
    "complainant_name": "王先生",
    "complainant_kind": "person",
    "complainant_contact": "13800000000",
    "respondent_name": "某灯饰商行",
    "right_kind": "patent",
    "right_number": "ZL202130000001.X",
}


@cache
def png_of_zeros(width: int, height: int, mode: str = "L") -> bytes:
    """A valid PNG of black pixels, compressed a row at a time so that it is never whole in
    memory: a 20000 × 20000 one decodes to 400 MB but is a few hundred KB (a decompression
    bomb, as an upload or a stored legacy file)."""
    import struct
    import zlib

    color_type, channels = {"L": (0, 1), "RGB": (2, 3)}[mode]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = bytes(1 + width * channels)  # filter byte 0, then the row's samples
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def flask_cli(database_url: str, storage, *args: str, timeout: float = 120):
    """``flask --app wsgi ARGS`` in a subprocess on ``database_url`` and ``storage``, its clock
    pinned with the test's (``pinned_env``): the finished process, output captured as text."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = pinned_env({**os.environ, "DATABASE_URL": database_url, "CASEFLOW_STORAGE": str(storage)})
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def served_respondent_token(case, worker) -> str:
    """The respondent's own-page token of an adjudication ``case`` that ``worker`` accepted and
    served: the page where the respondent files its answer."""
    from caseflow.engine import case_fire
    from caseflow.extensions import db
    from caseflow.parties.services import party_link_ensure

    case_fire(case, "accept", worker, data={"handlers": ["甲", "乙", "丙"]})
    case_fire(case, "serve", worker)
    db.session.commit()  # the caller commits (a page would)
    _link, token = party_link_ensure(case, "respondent")
    db.session.commit()
    return token
