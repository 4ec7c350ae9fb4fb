"""Pre-examination in the UI: filings registered and approved on the applicants page, and a
``pre_exam`` case opened from /cases/new with its eligibility refusals beside the fields."""

from sqlalchemy import select

from caseflow.applicants.models import Applicant
from caseflow.cases.models import Case
from caseflow.extensions import db
from tests.support import csrf_from

#: A valid unified social credit code (check character verified by GB 32100-2015).
CODE = "91442000MA4UJ8AB1M"


def _valid_code():
    from caseflow.applicants.creditcode import credit_code_check_char

    return CODE[:17] + credit_code_check_char(CODE[:17])


def test_register_approve_and_revoke_a_filing(client, people, login):
    login(people["caseworker"])
    page = client.get("/applicants")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    token = csrf_from(page.text)
    bad = client.post(
        "/applicants",
        data={"csrf_token": token, "name": "中山市明辉照明有限公司", "credit_code": "1234"},
    )
    assert bad.status_code == 422
    assert 'id="credit_code-error"' in bad.text and "统一社会信用代码应为18位" in bad.text
    good = client.post(
        "/applicants",
        data={
            "csrf_token": token,
            "name": "中山市明辉照明有限公司",
            "credit_code": _valid_code().lower(),
        },
    )
    assert good.status_code == 302
    applicant = db.session.scalar(select(Applicant))
    assert applicant.status == "pending" and applicant.credit_code == _valid_code()
    listing = client.get("/applicants")
    assert (
        "待审核" in listing.text and 'data-action="approve"' not in listing.text
    )  # not a caseworker's
    assert (
        client.post(
            f"/applicants/{applicant.id}/approve", data={"decision-csrf_token": token}
        ).status_code
        == 403
    )

    login(people["supervisor"])
    page = client.get("/applicants")
    token = csrf_from(page.text)
    assert 'data-action="approve"' in page.text
    assert (
        client.post(
            f"/applicants/{applicant.id}/approve", data={"decision-csrf_token": token}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Applicant, applicant.id).status == "approved"
    assert (
        client.post(
            f"/applicants/{applicant.id}/revoke", data={"decision-csrf_token": token}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Applicant, applicant.id).status == "revoked"


def test_applicants_page_is_for_centre_staff(client, people, login):
    login(people["viewer"])
    assert client.get("/applicants").status_code == 403
    login(people["desk"])
    assert client.get("/applicants").status_code == 403
    login(people["pd_worker"])
    assert client.get("/applicants").status_code == 200


def test_pre_exam_case_opens_for_an_approved_applicant_and_refusals_sit_beside_fields(
    client, people, units, login
):
    from caseflow.applicants.services import applicant_approve, applicant_register

    applicant = applicant_register(
        unit=units["ZS"],
        actor=people["supervisor"],
        name="中山市明辉照明有限公司",
        credit_code=_valid_code(),
    )
    applicant_approve(applicant, actor=people["supervisor"])
    login(people["caseworker"])
    page = client.get("/cases/new", query_string={"workflow": "pre_exam"})
    assert page.status_code == 200 and "中山市明辉照明有限公司" in page.text
    token = csrf_from(page.text)
    base = {
        "csrf_token": token,
        "workflow": "pre_exam",
        "channel": "web",
        "title": "LED 吸顶灯外观设计快速预审",
        "right_kind": "patent",
    }
    nothing_chosen = client.post(
        "/cases/new", data={**base, "patent_type": "design", "classification": "26-05"}
    )
    assert nothing_chosen.status_code == 422
    assert (
        'id="applicant_id-error"' in nothing_chosen.text
        and "申请人未在本单位备案" in nothing_chosen.text
    )

    refused = client.post(
        "/cases/new",
        data={
            **base,
            "applicant_id": applicant.id,
            "patent_type": "invention",
            "classification": "A61K 31/00",
            "right_pct": "y",
        },
    )
    assert refused.status_code == 422
    assert (
        'id="classification-error"' in refused.text and "不在本中心发明预审领域内" in refused.text
    )
    assert 'id="right_pct-error"' in refused.text and "PCT申请不予快速预审" in refused.text
    assert db.session.scalar(select(Case)) is None

    accepted = client.post(
        "/cases/new",
        data={
            **base,
            "applicant_id": applicant.id,
            "patent_type": "design",
            "classification": "26-05",
        },
    )
    assert accepted.status_code == 302, accepted.text
    case = db.session.scalar(select(Case))
    assert case.workflow == "pre_exam" and case.complainant["name"] == "中山市明辉照明有限公司"


def test_a_supervisor_rejects_a_pending_filing_with_a_reason(client, people, login):
    from caseflow.applicants.services import applicant_register

    applicant = applicant_register(
        unit=people["caseworker"].unit,
        actor=people["caseworker"],
        name="中山市明辉照明有限公司",
        credit_code=_valid_code(),
    )
    db.session.commit()
    login(people["supervisor"])
    page = client.get("/applicants")
    token = csrf_from(page.text)
    assert 'data-action="approve"' in page.text and 'data-action="reject"' in page.text
    url = f"/applicants/{applicant.id}/reject"
    client.post(url, data={"decision-csrf_token": token})  # no reason: refused
    db.session.expire_all()
    assert db.session.get(Applicant, applicant.id).status == "pending"
    response = client.post(url, data={"decision-csrf_token": token, "decision-reason": "材料不实"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Applicant, applicant.id).status == "rejected"
    listing = client.get("/applicants")
    assert "未通过审核" in listing.text and 'data-action="reject"' not in listing.text
    assert "理由：材料不实" in listing.text


def test_a_pre_exam_page_shows_its_filing_and_only_its_applicant(client, people, units, login):
    from caseflow.applicants.services import applicant_approve, applicant_register
    from caseflow.cases.services import case_open

    worker = people["caseworker"]
    applicant = applicant_register(
        unit=units["ZS"], actor=worker, name="中山市明辉照明有限公司", credit_code=_valid_code()
    )
    applicant_approve(applicant, actor=people["supervisor"])
    case = case_open(
        workflow="pre_exam",
        unit=units["ZS"],
        actor=worker,
        title="LED 吸顶灯",
        channel="web",
        applicant_id=applicant.id,
        complainant={"name": applicant.name, "kind": "company", "country": "CN"},
        right={"kind": "patent", "patent_type": "design", "classification": "26-05"},
    )
    db.session.commit()
    login(worker)
    new = client.get("/cases/new", query_string={"workflow": "pre_exam"})
    assert "快速预审：填写专利申请名称，将印在通知书上" in new.text
    page = client.get(f"/cases/{case.id}").text
    parties = page[page.index('id="parties"') : page.index("</table>", page.index('id="parties"'))]
    assert f'data-applicant="{applicant.id}"' in parties and _valid_code() in parties
    assert "被请求人/被投诉人" not in parties and "申请人" in parties
    assert 'data-role="complainant"' in page and 'data-role="respondent"' not in page
