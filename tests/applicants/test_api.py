"""The applicants API: register, approve by role, read; refusals as JSON."""

import pytest

ZS_PROFILE = {"fields": {"ipc": ["F21", "H05B"], "locarno": ["26"]}}
HUAWEI = "914403001922038216"


@pytest.fixture
def zs(make_unit):
    return make_unit("ZS", kind="rapid_centre", profile=ZS_PROFILE)


def test_register_approve_and_read(api, make_user, zs):
    clerk, supervisor = make_user("caseworker", zs), make_user("supervisor", zs)
    created = api(clerk).post(
        "/api/v1/applicants", json={"name": "中山市明辉灯饰有限公司", "credit_code": HUAWEI}
    )
    assert created.status_code == 201, created.text
    body = created.json
    assert (body["unit"], body["status"], body["credit_code"]) == ("ZS", "pending", HUAWEI)

    refused = api(clerk).post(f"/api/v1/applicants/{body['id']}/approve")
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "forbidden"

    approved = api(supervisor).post(f"/api/v1/applicants/{body['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json["status"] == "approved"
    assert approved.json["approved_by"] == supervisor.username

    again = api(supervisor).post(f"/api/v1/applicants/{body['id']}/approve")
    assert again.status_code == 409

    shown = api(clerk).get(f"/api/v1/applicants/{body['id']}")
    assert shown.status_code == 200 and shown.json["status"] == "approved"


def test_a_bad_credit_code_is_a_422_naming_the_field(api, make_user, zs):
    response = api(make_user("caseworker", zs)).post(
        "/api/v1/applicants", json={"name": "甲", "credit_code": "91350100M000100Y44"}
    )
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"credit_code": "统一社会信用代码校验位不正确 / the check character is wrong"}


def test_other_units_filings_are_out_of_scope(api, make_user, make_unit, zs):
    clerk = make_user("caseworker", zs)
    created = api(clerk).post("/api/v1/applicants", json={"name": "甲", "credit_code": HUAWEI})
    pd = make_unit("PD", kind="protection_centre", profile={})
    outsider = make_user("supervisor", pd)
    # Another unit's filing answers exactly like a missing one (issue 16).
    assert api(outsider).get(f"/api/v1/applicants/{created.json['id']}").status_code == 404
    assert api(outsider).post(f"/api/v1/applicants/{created.json['id']}/approve").status_code == 404
    # Registering at another unit than one's own is refused too.
    response = api(outsider).post(
        "/api/v1/applicants", json={"unit": "ZS", "name": "乙", "credit_code": HUAWEI}
    )
    assert response.status_code == 403
    assert api(outsider).get("/api/v1/applicants/999999").status_code == 404


def test_malformed_and_unknown_unit(api, make_user, zs):
    admin = make_user("admin")
    assert (
        api(admin)
        .post("/api/v1/applicants", data="nope", content_type="application/json")
        .status_code
        == 400
    )
    missing_unit = api(admin).post("/api/v1/applicants", json={"name": "甲", "credit_code": HUAWEI})
    assert missing_unit.status_code == 422 and "unit" in missing_unit.json["error"]["fields"]
    unknown = api(admin).post(
        "/api/v1/applicants", json={"unit": "XX", "name": "甲", "credit_code": HUAWEI}
    )
    assert unknown.status_code == 422
    ok = api(admin).post(
        "/api/v1/applicants", json={"unit": "ZS", "name": "甲", "credit_code": HUAWEI}
    )
    assert ok.status_code == 201


@pytest.fixture
def approved_id(api, make_user, zs):
    clerk, supervisor = make_user("caseworker", zs), make_user("supervisor", zs)
    created = api(clerk).post(
        "/api/v1/applicants", json={"name": "明辉灯饰", "credit_code": HUAWEI}
    )
    api(supervisor).post(f"/api/v1/applicants/{created.json['id']}/approve")
    return created.json["id"]


def pre_exam(applicant_id, **right):
    return {
        "workflow": "pre_exam",
        "channel": "web",
        "title": "一种LED灯具散热结构",
        "complainant": {"name": "明辉灯饰", "kind": "company"},
        "applicant_id": applicant_id,
        "right": {
            "kind": "patent",
            "patent_type": "invention",
            "classification": "F21V 29/70",
            **right,
        },
    }


def test_an_eligible_pre_exam_request_opens(api, make_user, zs, approved_id):
    response = api(make_user("caseworker", zs)).post("/api/v1/cases", json=pre_exam(approved_id))
    assert response.status_code == 201, response.text
    assert response.json["state"] == "requested"


def test_the_requester_is_the_filed_applicant_under_its_filed_name_and_code(
    api, make_user, zs, approved_id
):
    """procedures.md §2: only an applicant with an approved filing may request; a name typed for
    the requester cannot put an unfiled company on the notices under this filing."""
    clerk = make_user("caseworker", zs)
    request = pre_exam(approved_id)
    request["complainant"] = {"name": "古镇某未备案灯饰厂", "kind": "company"}
    refused = api(clerk).post("/api/v1/cases", json=request)
    assert refused.status_code == 422, refused.text
    assert refused.json["error"]["fields"] == {
        "complainant.name": "须为备案主体“明辉灯饰”，或留空 / must be the filed applicant, or left blank"
    }
    assert api(clerk).get("/api/v1/cases").json["total"] == 0

    # Left out, or typed as filed (full-width and blanks folded): the filing's name and code.
    for typed in (None, {"name": "明辉 灯饰", "contact": "0760-2222 8888", "kind": "person"}):
        request["complainant"] = typed
        opened = api(clerk).post("/api/v1/cases", json=request)
        assert opened.status_code == 201, opened.text
        requester = opened.json["complainant"]
        assert (requester["name"], requester["code"]) == ("明辉灯饰", HUAWEI)
    assert (requester["contact"], requester["kind"]) == ("0760-2222 8888", "company")


def test_pct_and_divisional_are_booleans(api, make_user, zs, approved_id):
    """A text "false" is not taken for true (and then refused as a PCT application)."""
    response = api(make_user("caseworker", zs)).post(
        "/api/v1/cases", json=pre_exam(approved_id, pct="false")
    )
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"right.pct"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pct": True}, "right.pct"),
        ({"divisional": True}, "right.divisional"),
        ({"classification": "G06F 3/01"}, "right.classification"),
        ({"patent_type": "design", "classification": "14-03"}, "right.classification"),
    ],
)
def test_each_refusal_is_a_422_via_the_api(api, make_user, zs, approved_id, change, field):
    response = api(make_user("caseworker", zs)).post(
        "/api/v1/cases", json=pre_exam(approved_id, **change)
    )
    assert response.status_code == 422, response.text
    assert set(response.json["error"]["fields"]) == {field}


def test_unknown_or_pending_applicant_is_a_422(api, make_user, zs):
    clerk = make_user("caseworker", zs)
    missing = api(clerk).post("/api/v1/cases", json=pre_exam(999999))
    assert missing.status_code == 422
    assert missing.json["error"]["fields"] == {"applicant_id": "申请人未在本单位备案 / no filing of this applicant at this unit"}
    pending = api(clerk).post("/api/v1/applicants", json={"name": "乙", "credit_code": HUAWEI})
    response = api(clerk).post("/api/v1/cases", json=pre_exam(pending.json["id"]))
    assert response.json["error"]["fields"] == {"applicant_id": "申请人备案尚未审核通过 / the filing is not approved yet"}
    english = api(clerk).post(
        "/api/v1/cases", json=pre_exam(pending.json["id"]), headers={"Accept-Language": "en"}
    )
    assert english.json["error"]["message"].startswith("not eligible")


def test_revoke_then_file_again_and_list(api, make_user, zs):
    clerk, supervisor = make_user("caseworker", zs), make_user("supervisor", zs)
    first = api(clerk).post("/api/v1/applicants", json={"name": "甲", "credit_code": HUAWEI}).json
    api(supervisor).post(f"/api/v1/applicants/{first['id']}/approve")
    assert api(clerk).post(f"/api/v1/applicants/{first['id']}/revoke").status_code == 403
    revoked = api(supervisor).post(f"/api/v1/applicants/{first['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"
    again = api(clerk).post("/api/v1/applicants", json={"name": "甲", "credit_code": HUAWEI})
    assert again.status_code == 201
    listed = api(clerk).get("/api/v1/applicants").json["applicants"]
    assert [a["status"] for a in listed] == ["revoked", "pending"]
    assert len(api(clerk).get("/api/v1/applicants?status=pending").json["applicants"]) == 1
    assert api(make_user("admin")).get("/api/v1/applicants").status_code == 422


def test_a_pending_filing_is_rejected_with_a_reason_and_the_code_filed_again(
    api, make_user, zs, caplog
):
    clerk, supervisor = make_user("caseworker", zs), make_user("supervisor", zs)
    first = api(clerk).post("/api/v1/applicants", json={"name": "甲", "credit_code": HUAWEI}).json
    # A pending filing is not revoked: it is rejected, and only with a reason.
    assert api(supervisor).post(f"/api/v1/applicants/{first['id']}/revoke").status_code == 409
    assert api(clerk).post(
        f"/api/v1/applicants/{first['id']}/reject", json={"reason": "名称与营业执照不符"}
    ).status_code == 403
    bare = api(supervisor).post(f"/api/v1/applicants/{first['id']}/reject")
    assert bare.status_code == 422 and "reason" in bare.json["error"]["fields"]
    with caplog.at_level("INFO", logger="caseflow.applicants.services"):
        rejected = api(supervisor).post(
            f"/api/v1/applicants/{first['id']}/reject", json={"reason": "名称与营业执照不符"}
        )
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    assert rejected.json["status_label"] == "未通过审核"
    # The reason is kept with the filing, not only in the log.
    assert rejected.json["end_reason"] == "名称与营业执照不符"
    assert f"rejected by {supervisor.username}: 名称与营业执照不符" in caplog.text
    again = api(supervisor).post(f"/api/v1/applicants/{first['id']}/reject", json={"reason": "x"})
    assert again.status_code == 409
    # The code may be filed again; the rejected filing cannot open a pre-exam.
    refiled = api(clerk).post("/api/v1/applicants", json={"name": "甲公司", "credit_code": HUAWEI})
    assert refiled.status_code == 201
    response = api(clerk).post("/api/v1/cases", json=pre_exam(first["id"]))
    assert response.json["error"]["fields"] == {"applicant_id": "申请人备案未通过审核 / the filing was rejected"}
    # A revocation's reason is logged too.
    api(supervisor).post(f"/api/v1/applicants/{refiled.json['id']}/approve")
    with caplog.at_level("INFO", logger="caseflow.applicants.services"):
        revoked = api(supervisor).post(
            f"/api/v1/applicants/{refiled.json['id']}/revoke", json={"reason": "企业已注销"}
        )
    assert revoked.status_code == 200 and revoked.json["end_reason"] == "企业已注销"
    assert f"revoked by {supervisor.username}: 企业已注销" in caplog.text


def test_a_fair_desk_keeps_no_filings_over_the_api(api, make_user, make_unit):
    desk = make_unit("CF", kind="fair_desk", profile={})
    response = api(make_user("supervisor", desk)).post(
        "/api/v1/applicants", json={"name": "甲", "credit_code": HUAWEI}
    )
    assert response.status_code == 403
    assert "展会投诉站不办理快速预审" in response.json["error"]["message"]


def test_approve_and_reject_at_once_one_decides_and_the_other_is_told(
    app, api, make_user, make_token, zs
):
    """An approval and a rejection sent at the same moment, twice each: one decision is made and
    every other is refused (409). Before, a supervisor could be told "approved" while the filing
    ended "rejected"."""
    from caseflow.applicants.models import Applicant
    from caseflow.extensions import db
    from tests.support import at_once

    created = api(make_user("caseworker", zs)).post(
        "/api/v1/applicants", json={"name": "中山市明辉灯饰有限公司", "credit_code": HUAWEI}
    )
    applicant_id, token = created.json["id"], make_token(make_user("supervisor", zs))

    def decide(i):
        answer = app.test_client().post(
            f"/api/v1/applicants/{applicant_id}/{'approve' if i % 2 else 'reject'}",
            json={} if i % 2 else {"reason": "材料不全"},
            headers={"Authorization": f"Bearer {token}"},
        )
        return answer.status_code, (answer.json.get("status") if answer.status_code == 200 else None)

    answers = at_once(app, decide)
    decided = [status for code, status in answers if code == 200]
    assert len(decided) == 1 and sorted(code for code, _ in answers) == [200, 409, 409, 409]
    db.session.rollback()
    assert db.session.get(Applicant, applicant_id).status == decided[0]


def test_a_refusal_in_english_names_the_action_in_english(api, make_user, zs):
    """An English client reads the whole refusal in English, the action too (not "not allowed
    to 审核备案")."""
    clerk = make_user("caseworker", zs)
    created = api(clerk).post("/api/v1/applicants", json={"name": "甲", "credit_code": HUAWEI})
    english = {"Accept-Language": "en"}
    refused = api(clerk).post(f"/api/v1/applicants/{created.json['id']}/approve", headers=english)
    assert refused.status_code == 403
    assert refused.json["error"]["message"] == "not allowed to review filings"
    chinese = api(clerk).post(f"/api/v1/applicants/{created.json['id']}/revoke")
    assert chinese.json["error"]["message"] == "无权撤销备案"
