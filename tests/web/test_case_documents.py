"""The case page's document panels through the test client: a decision drafted and previewed,
the compensation worksheet with its errors beside the fields, the mediation session log and the
confirmation bundle link."""

import io
import zipfile

from caseflow.cases.models import Case
from caseflow.extensions import db
from tests.web.test_pages import _form_token


def _to_review(case):
    case.state = "under_review"  # a fixture shortcut: the API tests walk the real path
    db.session.commit()


def test_drafting_a_decision_on_the_case_page(client, people, open_case, login):
    worker = people["caseworker"]
    case = open_case(worker)
    _to_review(case)
    login(worker)
    page = client.get(f"/cases/{case.id}")
    assert 'id="draft-decision"' in page.text and "起草行政裁决书" in page.text
    token = _form_token(page.text, f"/cases/{case.id}/drafts/decision")
    response = client.post(
        f"/cases/{case.id}/drafts/decision",
        data={
            "draft-decision-csrf_token": token,
            "draft-decision-findings": "被请求人销售的灯具与涉案外观设计相近似。",
            "draft-decision-reasoning": "被请求人未经许可销售侵权产品。",
            "draft-decision-items": "被请求人立即停止销售侵权产品\n被请求人销毁库存",
        },
    )
    assert response.status_code == 302
    saved = db.session.get(Case, case.id).data["drafts"]["decision"]
    assert saved["items"] == ["被请求人立即停止销售侵权产品", "被请求人销毁库存"]
    page = client.get(f"/cases/{case.id}")
    assert "被请求人立即停止销售侵权产品\n被请求人销毁库存" in page.text  # editable, prefilled
    html = client.get(f"/cases/{case.id}/drafts/decision/preview?format=html")
    assert html.status_code == 200 and "一、被请求人立即停止销售侵权产品。" in html.text
    pdf = client.get(f"/cases/{case.id}/drafts/decision/preview")
    assert pdf.data.startswith(b"%PDF")

    # Too long: the reason beside the field, nothing saved.
    response = client.post(
        f"/cases/{case.id}/drafts/decision",
        data={"draft-decision-csrf_token": token, "draft-decision-findings": "长" * 50_001},
    )
    assert response.status_code == 422 and "不超过50000字" in response.text
    db.session.expire_all()
    assert (
        db.session.get(Case, case.id).data["drafts"]["decision"]["findings"].startswith("被请求人")
    )


def test_the_compensation_worksheet_form(client, people, open_case, login):
    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    page = client.get(f"/cases/{case.id}")
    token = _form_token(page.text, f"/cases/{case.id}/compensation")
    refused = client.post(
        f"/cases/{case.id}/compensation",
        data={
            "compensation-csrf_token": token,
            "compensation-basis": "statutory",
            "compensation-statutory_amount": "6000000",
        },
    )
    assert refused.status_code == 422
    assert "法定赔偿数额应在30,000.00至5,000,000.00之间" in refused.text
    assert db.session.get(Case, case.id).data.get("compensation") is None
    saved = client.post(
        f"/cases/{case.id}/compensation",
        data={
            "compensation-csrf_token": token,
            "compensation-basis": "licence_fee",
            "compensation-licence_fee": "200000",
            "compensation-licence_multiple": "2.5",
            "compensation-costs": "0",
        },
        follow_redirects=True,
    )
    assert "人民币伍拾万元整" in saved.text and "500,000.00 元" in saved.text


def _fire(case, worker, *steps):
    """``(trigger, local day, data)`` steps through the engine, committed as a page would."""
    from caseflow.engine import case_fire

    for trigger, day, data in steps:
        at = f"{day}T10:00:00+08:00"
        case_fire(case, trigger, worker, occurred_at=at, data=data, render_notices=False)
        db.session.commit()


def test_sessions_and_the_bundle_link_on_a_mediation(client, people, open_case, login):
    worker = people["caseworker"]
    # Received before the session it records (a session cannot precede the dispute's receipt).
    case = open_case(worker, workflow="mediation", received_at="2026-03-02T09:00:00+08:00")
    _fire(
        case,
        worker,
        ("consult_respondent", "2026-03-03", None),
        ("record_consent", "2026-03-04", None),
    )
    login(worker)
    page = client.get(f"/cases/{case.id}")
    # No agreement yet: nothing for a court to confirm (人民调解法 art 33).
    assert 'id="bundle-link"' not in page.text
    token = _form_token(page.text, f"/cases/{case.id}/mediation-sessions")
    response = client.post(
        f"/cases/{case.id}/mediation-sessions",
        data={
            "session-csrf_token": token,
            "session-held_on": "2026-03-05",
            "session-attendees": "张三、李四",
            "session-outcome": "双方同意继续协商",
        },
        follow_redirects=True,
    )
    assert "双方同意继续协商" in response.text and "张三, 李四" in response.text
    # Dates read the Chinese way, in the table and on the timeline (never 2026-03-05).
    assert "2026年3月5日" in response.text and "2026-03-05" not in response.text
    assert "调解记录 2026年3月5日" in response.text
    _fire(case, worker, ("reach_agreement", "2026-03-06", {"terms": ["被请求人支付赔偿金。"]}))
    assert 'id="bundle-link"' in client.get(f"/cases/{case.id}").text
    bundle = client.get(f"/cases/{case.id}/confirmation-bundle")
    assert bundle.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(bundle.data)).namelist()
    assert "manifest.json" in names and "mediation-sessions.csv" in names
