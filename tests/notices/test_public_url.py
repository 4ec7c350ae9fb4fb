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


def test_deployment_md_says_the_public_url_is_required_and_its_install_steps_set_it():
    """The configuration table showed "—" as for an optional setting, and the single-machine steps
    never set it: a centre following them got no notice at all."""
    from pathlib import Path

    deployment = (Path(__file__).resolve().parents[2] / "docs" / "deployment.md").read_text()
    row = next(line for line in deployment.splitlines() if line.startswith("| `CASEFLOW_PUBLIC_URL`"))
    assert "required" in row and "no notice renders" in row
    install = deployment.split("## Configuration")[0]  # Install and PostgreSQL
    assert "export CASEFLOW_PUBLIC_URL=https://" in install
    configuration = deployment.split("## Configuration")[1].split("| variable |")[0]
    assert "CASEFLOW_PUBLIC_URL=https://" in configuration  # the environment file's example
