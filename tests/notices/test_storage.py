"""Issue 16, part 7: shared storage. The S3 backend runs against a real S3-protocol server process
(moto in server mode, started here on 127.0.0.1), never a mock inside this process. Two app
instances ("nodes") on one database and one bucket: a notice rendered by one is served by the
other, its SHA-256 checked on read; a stored file is written once."""

import hashlib
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from caseflow import create_app
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.notices.services import notices_render_pending
from caseflow.storage import LocalStorage, S3Storage, StoredFileCorrupt
from tests.notices.conftest import at
from tests.support import free_port

BUCKET = "caseflow-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    """A moto S3 server in its own process, and its bucket."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1).read()
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("moto server did not start")
            time.sleep(0.2)
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"] = "testing", "testing"
    S3Storage(f"s3://{BUCKET}", endpoint=endpoint).client.create_bucket(Bucket=BUCKET)
    yield endpoint
    server.terminate()
    server.wait(10)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(params=["local", "s3"])
def backend(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "store")
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3Storage(f"s3://{BUCKET}/unit-{os.urandom(4).hex()}", endpoint=endpoint)


def test_files_are_written_once_and_checked_on_read(backend):
    data = b"%PDF-1.7 notice"
    digest = hashlib.sha256(data).hexdigest()
    assert backend.put_new("notices/ZS/2026/1-a.pdf", data)
    assert not backend.put_new("notices/ZS/2026/1-a.pdf", b"something else")  # never overwritten
    assert backend.get("notices/ZS/2026/1-a.pdf", sha256=digest) == data
    assert backend.exists("notices/ZS/2026/1-a.pdf") and not backend.exists("notices/none.pdf")
    backend.put_new("evidence/C1/x.jpg", b"\xff\xd8\xff")
    assert list(backend.list_keys("notices/")) == ["notices/ZS/2026/1-a.pdf"]
    assert sorted(backend.list_keys()) == ["evidence/C1/x.jpg", "notices/ZS/2026/1-a.pdf"]
    with pytest.raises(StoredFileCorrupt):
        backend.get("notices/ZS/2026/1-a.pdf", sha256="0" * 64)
    with pytest.raises(StoredFileCorrupt):
        backend.get("notices/missing.pdf")
    with pytest.raises(ValueError):
        backend.put_new("../escape.pdf", data)


def test_a_tampered_object_is_refused(s3_endpoint):
    store = S3Storage(f"s3://{BUCKET}/tamper", endpoint=s3_endpoint)
    data = b"%PDF-1.7 original"
    store.put_new("notices/x.pdf", data)
    store.client.put_object(Bucket=BUCKET, Key="tamper/notices/x.pdf", Body=b"%PDF-1.7 forged")
    with pytest.raises(StoredFileCorrupt):
        store.get("notices/x.pdf", sha256=hashlib.sha256(data).hexdigest())


def _node(app, s3_endpoint, prefix):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "CASEFLOW_STORAGE": f"s3://{BUCKET}/{prefix}",
            "CASEFLOW_S3_ENDPOINT": s3_endpoint,
            "SMTP_URL": None,
            "CASEFLOW_WEBHOOK_URL": None,
        }
    )


def test_a_notice_rendered_on_one_node_is_served_by_the_other(
    app, s3_endpoint, make_case, issue, make_user, units, make_token
):
    prefix = f"nodes-{os.urandom(4).hex()}"
    node_a, node_b = _node(app, s3_endpoint, prefix), _node(app, s3_endpoint, prefix)
    case = make_case("adjudication", state="awaiting_answer")
    notice = issue(case, "answer_notice", at("2026-09-22 10:00"), render=False)
    notice_id = notice.id
    token = make_token(make_user("caseworker", units["ZS"]))
    with node_a.app_context():
        assert notices_render_pending([notice_id]) == [notice_id]
    with node_b.app_context():
        answer = node_b.test_client().get(
            f"/api/v1/notices/{notice_id}.pdf", headers={"Authorization": f"Bearer {token}"}
        )
        record = node_b.test_client().get(
            f"/api/v1/notices/{notice_id}", headers={"Authorization": f"Bearer {token}"}
        ).get_json()
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF")
    assert hashlib.sha256(answer.data).hexdigest() == record["sha256"]
    # Nothing was written to the local folder: the object store holds the notice.
    local = LocalStorage(app.config["CASEFLOW_STORAGE"])
    assert not any(key.endswith(f"{notice_id}-answer_notice-{record['verification_code']}.pdf") for key in local.list_keys())
    with node_a.app_context():
        verified = node_a.test_cli_runner().invoke(args=["notices", "verify"])
        assert verified.exit_code == 0, verified.output


def test_a_notice_served_by_email_attaches_the_stored_pdf_from_s3(
    app, s3_endpoint, make_case, issue
):
    """Electronic service attaches the issued PDF from the unit's store, an S3 bucket here (no
    local folder holds it), byte for byte as issued."""
    from types import SimpleNamespace

    from caseflow.parties.delivery import email_build

    node = _node(app, s3_endpoint, f"mail-{os.urandom(4).hex()}")
    case = make_case("adjudication", state="awaiting_answer")
    notice = issue(case, "answer_notice", at("2026-09-22 10:00"), render=False)
    notice_id = notice.id
    with node.app_context():
        assert notices_render_pending([notice_id]) == [notice_id]
    db.session.expire_all()
    notice = db.session.get(Notice, notice_id)
    row = SimpleNamespace(id=1, notice=notice, address="legal@example.cn", role="complainant")
    mail = email_build(row, node.config, "https://ipp.example.gov.cn/p/x")
    [attachment] = list(mail.iter_attachments())
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == notice.sha256
