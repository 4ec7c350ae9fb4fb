"""The fairs API: create by role and unit, exhibitor lists as JSON or uploads, search with flags."""

import io

import pytest

from tests.fairs.test_importing import xlsx_bytes

FAIR = {
    "name": "第139届中国进出口商品交易会（第一期）",
    "venue": "广州 中国进出口商品交易会展馆",
    "organiser": "中国对外贸易中心",
    "opens_at": "2026-04-15T09:00:00+08:00",
    "closes_at": "2026-04-19T18:00:00+08:00",
}


@pytest.fixture
def fair(api, officer):
    response = api(officer).post("/api/v1/fairs", json=FAIR)
    assert response.status_code == 201, response.text
    return response.json


def test_create_and_show(api, officer, fair):
    assert fair["unit"] == "CF"
    assert fair["closes_at"] == "2026-04-19T18:00:00+08:00"
    shown = api(officer).get(f"/api/v1/fairs/{fair['id']}")
    assert shown.status_code == 200 and shown.json["exhibitors"] == []


def test_creation_by_role_and_unit(api, make_user, desk, make_unit):
    assert api(make_user("caseworker", desk)).post("/api/v1/fairs", json=FAIR).status_code == 403
    centre = make_unit("ZS", kind="rapid_centre", profile={})
    response = api(make_user("supervisor", centre)).post("/api/v1/fairs", json=FAIR)
    assert response.status_code == 422 and "unit" in response.json["error"]["fields"]
    admin = make_user("admin")
    assert api(admin).post("/api/v1/fairs", json={**FAIR, "unit": "CF"}).status_code == 201
    backwards = api(admin).post(
        "/api/v1/fairs", json={**FAIR, "unit": "CF", "closes_at": "2026-04-14T18:00:00+08:00"}
    )
    assert backwards.status_code == 422
    assert "closes_at" in backwards.json["error"]["fields"]


def test_exhibitors_as_json_then_search(api, officer, fair):
    rows = [
        {"name": "中山市古镇明辉灯饰有限公司", "booth": "11.2A01", "country": "中国"},
        {"name": "Osram GmbH", "booth": "11.2B02", "country": "DE"},
    ]
    added = api(officer).post(f"/api/v1/fairs/{fair['id']}/exhibitors", json=rows)
    assert added.status_code == 201 and added.json["added"] == 2
    found = api(officer).get(f"/api/v1/fairs/{fair['id']}/exhibitors?q=osram")
    assert found.status_code == 200
    (hit,) = found.json["exhibitors"]
    assert (hit["booth"], hit["country"], hit["is_repeat_infringer"]) == ("11.2B02", "DE", False)
    shown = api(officer).get(f"/api/v1/fairs/{fair['id']}")
    assert [e["booth"] for e in shown.json["exhibitors"]] == ["11.2A01", "11.2B02"]


def test_bad_json_rows_are_422_per_row_and_load_nothing(api, officer, fair):
    rows = [
        {"name": "甲", "booth": "1A01", "country": "CN"},
        {"name": "乙", "booth": "", "country": "CN"},
    ]
    response = api(officer).post(f"/api/v1/fairs/{fair['id']}/exhibitors", json=rows)
    assert response.status_code == 422
    assert response.json["error"]["fields"]["rows"] == {"2": "展位号不能为空 / the booth is empty"}
    assert api(officer).get(f"/api/v1/fairs/{fair['id']}").json["exhibitors"] == []
    assert (
        api(officer)
        .post(f"/api/v1/fairs/{fair['id']}/exhibitors", json={"not": "a list"})
        .status_code
        == 400
    )


def upload(api, user, fair_id, filename, content):
    return api(user).post(
        f"/api/v1/fairs/{fair_id}/exhibitors",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_csv_and_xlsx_uploads(api, officer, fair):
    csv = "名称,展位号,国家或地区\n中山灯饰有限公司,1A01,中国\nOsram GmbH,1A02,德国\n"
    response = upload(api, officer, fair["id"], "展商名录.csv", csv.encode("utf-8-sig"))
    assert response.status_code == 201, response.text
    content = xlsx_bytes([["Name", "Booth", "Country"], ["Acme Lighting Inc.", "1B01", "US"]])
    response = upload(api, officer, fair["id"], "more.xlsx", content)
    assert response.status_code == 201, response.text
    assert len(api(officer).get(f"/api/v1/fairs/{fair['id']}").json["exhibitors"]) == 3


def test_upload_errors(api, officer, fair):
    bad_row = xlsx_bytes(
        [["名称", "展位号", "国家或地区"], ["甲", "1A01", "中国"], ["乙", "1A02", "火星"]]
    )
    response = upload(api, officer, fair["id"], "list.xlsx", bad_row)
    assert response.status_code == 422
    assert response.json["error"]["fields"]["rows"] == {"3": "无法识别的国家或地区：火星 / unknown country or region"}
    assert upload(api, officer, fair["id"], "list.pdf", b"%PDF-1.7").status_code == 422
    too_big = upload(api, officer, fair["id"], "big.csv", b"a" * (2 * 1024 * 1024 + 100 * 1024))
    assert too_big.status_code in (413, 422)
    assert "error" in too_big.json
    no_file = api(officer).post(
        f"/api/v1/fairs/{fair['id']}/exhibitors", data={}, content_type="multipart/form-data"
    )
    assert no_file.status_code == 422 and "file" in no_file.json["error"]["fields"]
    assert api(officer).get(f"/api/v1/fairs/{fair['id']}").json["exhibitors"] == []


def test_other_units_fairs_are_out_of_scope(api, make_user, make_unit, fair):
    other = make_user("desk_officer", make_unit("SH", kind="fair_desk", profile={}))
    # Another desk's fair answers exactly like a missing one (issue 16).
    assert api(other).get(f"/api/v1/fairs/{fair['id']}").status_code == 404
    assert api(other).get("/api/v1/fairs/999999").status_code == 404
    rows = [{"name": "甲", "booth": "1A01", "country": "CN"}]
    assert api(other).post(f"/api/v1/fairs/{fair['id']}/exhibitors", json=rows).status_code == 404


def test_complaints_via_the_cases_api_duplicate_refused_priority_flagged(api, officer, fair):
    rows = [{"name": "中山市古镇明辉灯饰有限公司", "booth": "11.2A01", "country": "中国"}]
    api(officer).post(f"/api/v1/fairs/{fair['id']}/exhibitors", json=rows)
    exhibitor = api(officer).get(f"/api/v1/fairs/{fair['id']}/exhibitors?q=11.2A01").json
    complaint = {
        "workflow": "fair_complaint",
        "channel": "fair_desk",
        "received_at": "2026-04-16T10:00:00+08:00",
        "complainant": {"name": "Osram GmbH", "kind": "company", "country": "DE"},
        "right": {"kind": "patent", "number": "ZL202330123456.X", "patent_type": "design"},
        "fair_id": fair["id"],
        "exhibitor_id": exhibitor["exhibitors"][0]["id"],
    }
    first = api(officer).post("/api/v1/cases", json=complaint)
    assert first.status_code == 201, first.text
    assert first.json["priority"] is True
    again = api(officer).post("/api/v1/cases", json=complaint)
    assert again.status_code == 422
    assert first.json["number"] in again.json["error"]["message"]
    in_court = api(officer).post(
        "/api/v1/cases",
        json={
            **complaint,
            "right": {**complaint["right"], "number": "ZL202330999999.1"},
            "data": {"in_court": True},
        },
    )
    assert in_court.status_code == 422 and "法院" in in_court.json["error"]["message"]


def test_the_fairs_list_reads_the_units_once_however_many_desks(app, api, make_user, make_unit):
    """GET /fairs for an admin: fairs of three desks cost the statements fairs of one do."""
    from caseflow.extensions import db
    from tests.support import statements_sent

    admin = api(make_user("admin"))

    def statements():
        admin.get("/api/v1/fairs")
        with app.app_context(), statements_sent() as sent:  # its own session, as a request has
            listed = admin.get("/api/v1/fairs")
        assert listed.status_code == 200
        return len(sent), listed.json["fairs"]

    codes = ("CF", "GZ", "SZ")
    for code in codes:
        make_unit(code, kind="fair_desk", name=f"{code} 投诉站", profile={})
    db.session.commit()
    assert admin.post("/api/v1/fairs", json={**FAIR, "unit": "CF"}).status_code == 201
    one_desk, _fairs = statements()
    for code in codes:
        assert admin.post("/api/v1/fairs", json={**FAIR, "unit": code}).status_code == 201
    three_desks, fairs = statements()
    assert three_desks == one_desk
    assert sorted(f["unit"] for f in fairs) == ["CF", "CF", "GZ", "SZ"]


def test_a_very_long_exhibitor_search_is_not_a_500(api, officer, fair):
    """SQLite refuses a LIKE pattern over 50,000 bytes (once there is a row to match it with)."""
    rows = [{"name": "Osram GmbH", "booth": "11.2B02", "country": "DE"}]
    assert api(officer).post(f"/api/v1/fairs/{fair['id']}/exhibitors", json=rows).status_code == 201
    answer = api(officer).get(
        f"/api/v1/fairs/{fair['id']}/exhibitors", query_string={"q": "x" * 60_000}
    )
    assert answer.status_code == 200 and answer.json["exhibitors"] == []


def test_an_exhibitors_credit_code_is_checked_and_follows_it_into_its_complaints(
    api, officer, fair
):
    """credit.md: exhibitors carry the unified social credit code where known, so a complaint
    against one matches the credit register by code. A wrong checksum refuses the list whole."""
    bad = "名称,展位号,国家或地区,统一社会信用代码\n中山灯饰有限公司,1A01,中国,914420007080443300\n"
    refused = upload(api, officer, fair["id"], "展商名录.csv", bad.encode("utf-8-sig"))
    assert refused.status_code == 422
    assert "校验位" in refused.json["error"]["fields"]["rows"]["2"]
    good = (
        "名称,展位号,国家或地区,统一社会信用代码\n"
        "中山灯饰有限公司,1A01,中国,91350100M000100Y43\n"
        "Osram GmbH,1A02,德国,\n"
    )
    assert upload(api, officer, fair["id"], "展商名录.csv", good.encode("utf-8-sig")).status_code == 201
    listed = {
        e["booth"]: e for e in api(officer).get(f"/api/v1/fairs/{fair['id']}").json["exhibitors"]
    }
    assert listed["1A01"]["credit_code"] == "91350100M000100Y43"
    assert listed["1A02"]["credit_code"] is None
    complaint = api(officer).post(
        "/api/v1/cases",
        json={
            "workflow": "fair_complaint",
            "channel": "fair_desk",
            "received_at": "2026-04-16T10:00:00+08:00",
            "complainant": {"name": "Lumen GmbH", "kind": "company", "country": "DE"},
            "right": {"kind": "patent", "number": "ZL202330123456.X", "patent_type": "design"},
            "fair_id": fair["id"],
            "exhibitor_id": listed["1A01"]["id"],
        },
    )
    assert complaint.status_code == 201, complaint.text
    assert complaint.json["respondent"]["code"] == "91350100M000100Y43"


def test_a_refusal_in_english_names_the_action_in_english(api, make_user, desk):
    """Not "not allowed to 登记展会": the action is named in the client's language."""
    clerk = make_user("caseworker", desk)
    english = api(clerk).post("/api/v1/fairs", json=FAIR, headers={"Accept-Language": "en"})
    assert english.status_code == 403
    assert english.json["error"]["message"] == "not allowed to register fairs"
    assert api(clerk).post("/api/v1/fairs", json=FAIR).json["error"]["message"] == "无权登记展会"
