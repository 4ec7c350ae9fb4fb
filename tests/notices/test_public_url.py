"""Issue 16, part 3: the verification address on a notice comes from CASEFLOW_PUBLIC_URL alone;
a forged Host header never reaches an official document."""

import pytest

from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.notices.services import notices_render_pending
from tests.notices.conftest import at


@pytest.fixture
def queued(make_case, issue):
    case = make_case("adjudication", state="awaiting_answer")
    return issue(
        case, "answer_notice", at("2026-09-22 10:00"), clocks=[("answer", "15 days")], render=False
    )


def test_a_forged_host_header_never_reaches_a_notice(app, queued, pdf):
    with app.test_request_context("/cases/1/fire", headers={"Host": "evil.example"}):
        notices_render_pending([queued.id])
    notice = db.session.get(Notice, queued.id)
    assert notice.status == "issued"
    text = pdf.text(notice)
    assert "evil.example" not in text  # was printed, QR code included
    assert f"localhost:5000/verify/{notice.verification_code}" in text


def test_without_a_public_url_production_refuses_to_render(app, queued):
    assert not app.config.get("CASEFLOW_PUBLIC_URL")
    app.testing = False
    try:
        notices_render_pending([queued.id])
    finally:
        app.testing = True
    notice = db.session.get(Notice, queued.id)
    assert notice.status == "pending" and not notice.file_path
    assert "CASEFLOW_PUBLIC_URL" in (notice.last_error or "")  # the operator sees why
    app.config["CASEFLOW_PUBLIC_URL"] = "https://ipp.example.gov.cn"
    app.testing = False
    try:
        notices_render_pending([queued.id])
    finally:
        app.testing = True
        app.config["CASEFLOW_PUBLIC_URL"] = None
    db.session.expire_all()
    assert db.session.get(Notice, queued.id).status == "issued"


def test_the_scheduler_says_at_its_start_that_notices_wait_for_the_public_url(app):
    from caseflow.scheduler import scheduler_warnings

    app.testing = False
    try:
        warnings = scheduler_warnings(app)
        app.config["CASEFLOW_PUBLIC_URL"] = "https://ipp.example.gov.cn"
        assert scheduler_warnings(app) == []
    finally:
        app.testing = True
        app.config["CASEFLOW_PUBLIC_URL"] = None
    assert len(warnings) == 1 and "CASEFLOW_PUBLIC_URL is not set" in warnings[0]
