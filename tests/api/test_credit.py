"""The penalty procedure and the credit register over the API (procedures.md §6, credit.md), on the
2026 official calendar: a clue received 2026-09-28 is due for 立案 at the end of 10-23; the decided
penalty is published, shown on /credit, and leaves it when repaired or when its display ends; a
second case against the same credit code carries repeat_of; the bad inputs of issue 13."""

import pytest
import time_machine

from caseflow.applicants.creditcode import credit_code_check_char
from caseflow.extensions import db
from tests.api.test_cases_adjudication import RIGHT, Flow, due, local
from tests.engine.helpers import *  # noqa: F403  (the case fixtures)
from tests.engine.helpers import as_decided, at

PREFIX = "/api/v1"

#: What every 行政处罚决定书 states (行政处罚法 art 59; workflows/penalty.py requires it).
PENALTY_TEXT = {
    "findings": "当事人在其销售的灯具包装上标注他人的专利号。",
    "reasoning": "当事人的行为构成假冒专利。",
    "items": ["责令改正并消除影响", "处以罚款"],
}


def code_for(first16: str) -> str:
    first17 = first16 + "1"
    return first17 + credit_code_check_char(first17)


CODE = code_for("9144200071478234")
RESPONDENT = {"name": "中山市某某照明电器有限责任公司", "kind": "company", "code": CODE}
COMPLAINANT = {"name": "王某", "kind": "person", "contact": "13800000000"}


def open_clue(worker, *, respondent=RESPONDENT, received="2026-09-28"):
    """An intake received ``received`` 10:00 accepted as a penalty clue: the linked penalty case."""
    with time_machine.travel(at(f"{received} 11:00"), tick=False):
        intake = worker.post(
            f"{PREFIX}/cases",
            json={
                "workflow": "intake",
                "channel": "hotline_12330",
                "received_at": local(received),
                "title": "举报假冒专利",
                "complainant": COMPLAINANT,
                "respondent": respondent,
                "right": RIGHT,
            },
        )
        assert intake.status_code == 201, intake.get_json()
        accepted = Flow(worker, intake.get_json()["id"]).fire(
            "accept", local(received, "10:30"), data={"route": "penalty_clue"}
        )
    linked = accepted["linked_cases"][0]
    return worker.get(f"{PREFIX}/cases/{linked['id']}").get_json()


def decide(worker, chief, case, *, fine=30000, income=None, day="2026-10-22", steps=None):
    """立案, intent notice (of ``fine``, on an illegal ``income`` if any) and statement with a
    written waiver of the hearing on ``steps`` (three days), as of ``day`` 18:00; the
    supervisor's flow, ready for the decision."""
    filed, notified, heard = steps or ("2026-10-12", "2026-10-13", "2026-10-14")
    case_flow, chief_flow = Flow(worker, case["id"]), Flow(chief, case["id"])
    with time_machine.travel(at(f"{day} 18:00"), tick=False):
        chief_flow.fire("file_case", local(filed, "15:00"), data={"handlers": ["张三", "李四"]})
        case_flow.fire(
            "notify_intent",
            local(notified),
            data={
                "proposed_fine": fine,
                # Patent Law art 68: an illegal income is confiscated.
                **(
                    {"illegal_income": income, "confiscation": f"违法所得{income}元"}
                    if income is not None
                    else {}
                ),
                "facts": "在灯具包装上标注他人专利号",
            },
        )
        case_flow.fire("receive_statement", local(heard), data={"hearing_waived": True})
        return chief_flow


@pytest.mark.usefixtures("pending_notices")
def test_clue_to_published_penalty_to_repair(api, staff, client):
    worker, chief = api(staff["ZS"]["caseworker"]), api(staff["ZS"]["supervisor"])
    case = open_clue(worker)
    assert case["workflow"] == "penalty" and case["state"] == "clue"
    assert case["received_at"].startswith("2026-09-28T10:00")
    assert case["respondent"]["code"] == CODE and case["repeat_of"] == []
    # 15 workdays: 09-29, 09-30; 10-08, 10-09, Sat 10-10; 10-12..16; 10-19..23.
    assert due(case, "filing_decision") == ("2026-10-23", "running")

    chief_flow = decide(worker, chief, case, income=2000)
    with time_machine.travel(at("2026-10-22 18:00"), tick=False):
        over = chief_flow.fire(
            "decide_penalty",
            local("2026-10-22"),
            status=422,
            data={
                "fine": 260000,
                "illegal_income": 2000,
                "confiscation": "违法所得2000元",
                "basis": "专利法第六十八条",
                **PENALTY_TEXT,
            },
        )
        assert "250,000" in over["error"]["message"] and "fine" in over["error"]["fields"]
        decided = chief_flow.fire(
            "decide_penalty",
            local("2026-10-22"),
            data={
                "fine": 30000,
                "illegal_income": 2000,
                "confiscation": "违法所得2000元",
                "basis": "《专利法》第六十八条",
                "findings": "当事人在灯具包装上标注他人专利号。",
                "reasoning": "构成假冒专利。",
                "items": ["责令改正", "没收违法所得2000元", "罚款30000元"],
            },
        )
    assert decided["state"] == "decided"
    [record] = chief.get(f"{PREFIX}/credit?code={CODE}").get_json()["items"]
    assert (record["kind"], record["status"]) == ("penalty", "pending_publication")
    assert record["case_number"] == case["number"] and record["subject"]["code"] == CODE
    assert record["document_number"].startswith("中维罚字〔2026〕第")
    # credit.md's names; the case's own name for the clock beside it.
    assert [c["name"] for c in record["clocks"]] == ["publication"]
    assert record["clocks"][0]["case_clock"] == f"credit_publication.{record['id']}"
    assert "中山市某某照明" not in client.get("/credit").get_data(as_text=True)

    rid = record["id"]
    # Only a supervisor of the record's unit publishes: a caseworker 403, another unit 404.
    assert worker.post(f"{PREFIX}/credit/{rid}/publish").status_code == 403
    other = api(staff["PD"]["supervisor"])
    assert other.post(f"{PREFIX}/credit/{rid}/publish").status_code == 404
    # Another unit reads the fact, and no filter tells it the status or document number it
    # does not show (credit.md): filtering on them finds nothing until the record is published.
    [fact] = other.get(f"{PREFIX}/credit?code={CODE}").get_json()["items"]
    assert "status" not in fact and "document_number" not in fact
    for query in ("status=pending_publication", f"q={record['document_number']}"):
        assert chief.get(f"{PREFIX}/credit?{query}").get_json()["total"] == 1
        assert other.get(f"{PREFIX}/credit?{query}").get_json()["total"] == 0
    assert chief.post(f"{PREFIX}/credit/999999/publish").status_code == 404
    with time_machine.travel(at("2026-10-26 10:00"), tick=False):
        published = chief.post(f"{PREFIX}/credit/{rid}/publish").get_json()
        assert published["status"] == "published" and published["published_on"] == "2026-10-26"
        again = chief.post(f"{PREFIX}/credit/{rid}/publish")
        assert again.status_code == 409
        page = client.get("/credit").get_data(as_text=True)
        assert other.get(f"{PREFIX}/credit?status=published").get_json()["total"] == 1
    assert "中山市某某照明电器有限责任公司" in page and CODE in page
    assert published["display_until"] == "2029-10-26"
    assert published["repair_eligible_on"] == "2027-04-27"

    # Repair before the eligible date: 409 naming it.
    with time_machine.travel(at("2027-04-26 10:00"), tick=False):
        # Months later: a token of today (API tokens expire after 90 days).
        chief = api(staff["ZS"]["supervisor"])
        early = chief.post(f"{PREFIX}/credit/{rid}/repair", json={"reason": "已整改"})
    assert early.status_code == 409 and "2027年4月27日" in early.get_json()["error"]["message"]
    assert early.get_json()["error"]["fields"]["repair_eligible_on"] == "2027-04-27"  # the API's form
    with time_machine.travel(at("2027-04-27 10:00"), tick=False):
        assert chief.post(f"{PREFIX}/credit/{rid}/repair", json={}).status_code == 422
        repaired = chief.post(f"{PREFIX}/credit/{rid}/repair", json={"reason": "已整改并缴清罚款"})
        assert repaired.status_code == 200 and repaired.get_json()["status"] == "repaired"
        assert "中山市某某照明" not in client.get("/credit").get_data(as_text=True)


@pytest.mark.usefixtures("pending_notices")
def test_a_small_fine_leaves_the_list_when_its_display_ends(api, staff, client):
    from caseflow.alerts.services import sla_sweep

    worker, chief = api(staff["ZS"]["caseworker"]), api(staff["ZS"]["supervisor"])
    case = open_clue(worker)
    chief_flow = decide(worker, chief, case, fine=5000)
    with time_machine.travel(at("2026-10-22 18:00"), tick=False):
        chief_flow.fire(
            "decide_penalty",
            local("2026-10-22"),
            data={"fine": 5000, "basis": "68", **PENALTY_TEXT},
        )
    [record] = chief.get(f"{PREFIX}/credit").get_json()["items"]
    with time_machine.travel(at("2026-10-26 10:00"), tick=False):
        published = chief.post(f"{PREFIX}/credit/{record['id']}/publish").get_json()
    # Below the 10,000 RMB threshold: 3 months (Order 45 art 13).
    assert published["minor"] and published["display_until"] == "2027-01-26"
    with time_machine.travel(at("2027-01-26 20:00"), tick=False):
        assert "中山市某某照明" in client.get("/credit").get_data(as_text=True)
    with time_machine.travel(at("2027-01-27 09:00"), tick=False):
        # Off the list at once, before any sweep; the sweep then marks it expired.
        assert "中山市某某照明" not in client.get("/credit").get_data(as_text=True)
        sla_sweep(at("2027-01-27 09:00"))
        assert chief.get(f"{PREFIX}/credit/{record['id']}").get_json()["status"] == "expired"


@pytest.mark.usefixtures("pending_notices")
def test_second_case_against_the_same_code_shows_repeat_of(api, staff):
    worker, chief = api(staff["ZS"]["caseworker"]), api(staff["ZS"]["supervisor"])
    first = open_clue(worker)
    chief_flow = decide(worker, chief, first)
    with time_machine.travel(at("2026-10-22 18:00"), tick=False):
        chief_flow.fire(
            "decide_penalty",
            local("2026-10-22"),
            data={"fine": 30000, "basis": "68", **PENALTY_TEXT},
        )
    # Another unit, the same code under a full-width spelling of the name.
    pudong = api(staff["PD"]["caseworker"])
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        opened = pudong.post(
            f"{PREFIX}/cases",
            json={
                "workflow": "adjudication",
                "channel": "walk_in",
                "title": "专利侵权纠纷",
                "complainant": {"name": "上海某医疗器械有限公司", "kind": "company"},
                "respondent": {"name": "某照明公司", "kind": "company", "code": CODE.lower()},
                "right": RIGHT,
            },
        ).get_json()
    [seen] = opened["repeat_of"]
    # Another unit sees only the fact, the number, the unit and the date.
    assert seen == {
        "number": first["number"],
        "unit": "ZS",
        "kind": "penalty",
        "decided_on": "2026-10-22",
        "patent_number": None,
        "match": "code",
        # Whether it was this case's patent: the fact the Pudong range needs, not the number.
        "same_patent": True,
    }
    listed = pudong.get(f"{PREFIX}/cases").get_json()["items"]
    assert [c["repeat_of"][0]["number"] for c in listed] == [first["number"]]
    # Their view of the ZS record in the register: the fact only.
    [record] = pudong.get(f"{PREFIX}/credit").get_json()["items"]
    assert "status" not in record and "document_number" not in record
    # By name only (no code): a weaker match, folded 有限责任公司 → 有限公司.
    with time_machine.travel(at("2026-11-02 11:00"), tick=False):
        by_name = worker.post(
            f"{PREFIX}/cases",
            json={
                "workflow": "mediation",
                "title": "调解",
                "complainant": {"name": "甲公司", "kind": "company"},
                "respondent": {"name": "中山市某某照明电器有限公司 ", "kind": "company"},
            },
        ).get_json()
    assert by_name["repeat_of"][0]["match"] == "name"
    assert by_name["repeat_of"][0]["patent_number"] == RIGHT["number"]


@pytest.mark.usefixtures("pending_notices")
def test_same_patent_again_after_a_decision_writes_repeat_infringement(api, staff):
    worker, chief = api(staff["ZS"]["caseworker"]), api(staff["ZS"]["supervisor"])
    first = open_clue(worker)
    flow = decide(worker, chief, first)
    with time_machine.travel(at("2026-10-22 18:00"), tick=False):
        flow.fire(
            "decide_penalty",
            local("2026-10-22"),
            data={"fine": 30000, "basis": "68", **PENALTY_TEXT},
        )
    second = open_clue(worker, received="2026-10-23")
    assert second["repeat_of"][0]["number"] == first["number"]
    flow = decide(
        worker,
        chief,
        second,
        fine=100000,
        day="2026-10-26",
        steps=("2026-10-23", "2026-10-24", "2026-10-25"),
    )
    with time_machine.travel(at("2026-10-26 18:00"), tick=False):
        flow.fire(
            "decide_penalty",
            local("2026-10-26"),
            data={"fine": 100000, "basis": "68", **PENALTY_TEXT},
        )
    kinds = sorted(r["kind"] for r in chief.get(f"{PREFIX}/credit").get_json()["items"])
    assert kinds == ["penalty", "penalty", "repeat_infringement"]


@pytest.mark.usefixtures("pending_notices")
def test_bad_input(api, staff):
    worker, chief = api(staff["ZS"]["caseworker"]), api(staff["ZS"]["supervisor"])
    wrong = CODE[:17] + ("0" if CODE[17] != "0" else "1")
    refused = worker.post(
        f"{PREFIX}/cases",
        json={
            "workflow": "intake",
            "channel": "web",
            "title": "举报",
            "complainant": COMPLAINANT,
            "respondent": {"name": "某厂", "code": wrong},
        },
    )
    assert refused.status_code == 422
    assert "校验位" in refused.get_json()["error"]["fields"]["respondent.code"]
    case = open_clue(worker)
    # Noncompliance: supervisor only; the subject's code checked; the case must be the unit's,
    # and decided: refusing to perform needs a decision to perform (credit.md).
    body = {
        "kind": "noncompliance",
        "subject": {"name": "某厂", "code": CODE},
        "case_id": case["id"],
    }
    undecided = chief.post(f"{PREFIX}/credit", json=body)
    assert undecided.status_code == 409 and "case_id" in undecided.get_json()["error"]["fields"]
    assert chief.get(f"{PREFIX}/credit").get_json()["items"] == []
    as_decided(case["id"])
    assert worker.post(f"{PREFIX}/credit", json=body).status_code == 403
    bad = chief.post(f"{PREFIX}/credit", json={**body, "subject": {"name": "某厂", "code": wrong}})
    assert bad.status_code == 422 and "subject.code" in bad.get_json()["error"]["fields"]
    assert api(staff["PD"]["supervisor"]).post(f"{PREFIX}/credit", json=body).status_code == 404
    assert chief.post(f"{PREFIX}/credit", json={**body, "kind": "penalty"}).status_code == 422
    made = chief.post(f"{PREFIX}/credit", json=body)
    assert made.status_code == 201 and made.get_json()["kind"] == "noncompliance"
    assert chief.get(f"{PREFIX}/credit?kind=nope").status_code == 422
    assert chief.get(f"{PREFIX}/credit/424242").status_code == 404
    assert chief.post(f"{PREFIX}/credit/1/repair", json=["x"]).status_code == 400
    # Revoked decision: withdrawn, with its 3-workday clock.
    rid = made.get_json()["id"]
    assert (
        chief.post(f"{PREFIX}/credit/{rid}/revoke", json={"reason": "复议撤销"}).status_code == 200
    )
    withdrawn = chief.post(f"{PREFIX}/credit/{rid}/withdraw", json={"reason": "决定已撤销"})
    assert withdrawn.get_json()["status"] == "withdrawn"
    assert chief.post(f"{PREFIX}/credit/{rid}/publish").status_code == 409


@pytest.mark.usefixtures("pending_notices")
def test_the_approval_queue_lists_credit_records_beside_cases(api, staff, client):
    """GET /approvals: a penalty clue waiting for 立案 (kind case), a noncompliance record to
    publish and a revoked one to withdraw (kind credit), longest waiting first; the same shape
    for both, described by the OpenAPI document; only the supervisor's own unit."""
    worker, chief = api(staff["ZS"]["caseworker"]), api(staff["ZS"]["supervisor"])
    clue = open_clue(worker, received="2026-11-23")
    # The records refuse an earlier penalty: their case is decided.
    decided = open_clue(worker, received="2026-11-02")
    as_decided(decided["id"])
    body = {"kind": "noncompliance", "case_id": decided["id"]}
    pending = chief.post(
        f"{PREFIX}/credit", json={**body, "occurred_at": local("2026-11-26")}
    ).get_json()
    revoked = chief.post(
        f"{PREFIX}/credit",
        json={
            **body,
            "subject": {"name": "中山某某照明", "code": CODE},  # the respondent, by its code
            "occurred_at": local("2026-11-24"),
        },
    ).get_json()
    assert (
        chief.post(
            f"{PREFIX}/credit/{revoked['id']}/revoke",
            json={"reason": "复议决定撤销", "occurred_at": local("2026-11-27", "15:00")},
        ).status_code
        == 200
    )
    queue = chief.get(f"{PREFIX}/approvals").get_json()
    assert queue["total"] == 3
    case_item, publish, withdraw = queue["items"]
    assert case_item["kind"] == "case" and case_item["case_id"] == clue["id"]
    assert {"file_case", "decline"} <= {t["trigger"] for t in case_item["triggers"]}
    assert case_item["url"] == f"/cases/{clue['id']}"
    assert publish["kind"] == "credit" and publish["record"]["id"] == pending["id"]
    assert (publish["action"], publish["action_label"]) == ("publish", "公示")
    assert publish["triggers"] == [{"trigger": "publish", "label": "公示"}]
    assert publish["url"] == f"/credit/{pending['id']}"
    assert publish["waiting_since"].startswith("2026-11-26T")
    # 20 workdays from Thursday 11-26: 11-27, 11-30..12-04, 12-07..11, 12-14..18, 12-21..24.
    assert publish["due_on"] == "2026-12-24" and publish["due_text"] == "2026年12月24日（周四）"
    assert publish["record"]["kind"] == "noncompliance"
    assert publish["record"]["status"] == "pending_publication"
    assert publish["case_number"] == decided["number"] and publish["assignee"] is None
    assert (withdraw["action"], withdraw["record"]["id"]) == ("withdraw", revoked["id"])
    # Named as the case names its respondent.
    assert withdraw["record"]["subject"] == {"name": RESPONDENT["name"], "code": CODE}
    assert withdraw["due_on"] == "2026-12-02" and withdraw["record"]["revoked_at"]
    # Every field is described (and nothing of the old shape is gone).
    schema = client.get(f"{PREFIX}/openapi.json").get_json()["components"]["schemas"]["Approvals"]
    described = set(schema["properties"]["items"]["items"]["properties"])
    for item in queue["items"]:
        assert set(item) <= described
        assert {"case_id", "case_number", "workflow", "state", "triggers", "waiting_text"} <= set(
            item
        )
    # Another unit's supervisor sees none of it; a caseworker has no queue.
    assert api(staff["PD"]["supervisor"]).get(f"{PREFIX}/approvals").get_json()["items"] == []
    assert worker.get(f"{PREFIX}/approvals").status_code == 403
    # Published and withdrawn, the records leave the queue.
    chief.post(f"{PREFIX}/credit/{pending['id']}/publish")
    chief.post(f"{PREFIX}/credit/{revoked['id']}/withdraw", json={"reason": "已撤销"})
    assert [i["kind"] for i in chief.get(f"{PREFIX}/approvals").get_json()["items"]] == ["case"]


def test_a_page_of_the_register_reads_its_records_in_a_fixed_number_of_queries(
    app, api, staff, open_case
):
    """GET /credit reads each record's unit, source case and clocks once for the whole page: six
    records on six cases (own unit's with clocks, another unit's published) cost the statements
    two do, and each item is what GET /credit/<id> answers."""
    from caseflow.credit.services import credit_record_noncompliance, credit_record_publish
    from tests.support import statements_sent

    admin_api, worker_api = api(staff["admin"]), api(staff["ZS"]["caseworker"])

    def add_records(count):
        for i in range(count):
            unit = ("ZS", "PD")[i % 2]
            chief = staff[unit]["supervisor"]
            case = as_decided(
                open_case(
                    "adjudication",
                    unit=unit,
                    received_at="2026-09-01 10:00",
                    respondent={"name": f"中山某某灯饰厂{i}", "kind": "company"},
                )
            )
            record = credit_record_noncompliance(
                actor=chief,
                subject={"name": f"中山某某灯饰厂{i}"},
                case_id=case.id,
                at=at("2026-11-02 10:00"),
            )
            if unit == "PD":
                credit_record_publish(record, actor=chief, at=at("2026-11-03 10:00"))
        db.session.commit()

    def statements(client):
        client.get(f"{PREFIX}/credit")  # a token's first use is recorded: not counted
        # Its own app context, so its own session: nothing read before is at hand.
        with app.app_context(), statements_sent() as sent:
            listed = client.get(f"{PREFIX}/credit")
        assert listed.status_code == 200, listed.get_json()
        return len(sent), listed.get_json()["items"]

    add_records(2)
    few = {"admin": statements(admin_api), "worker": statements(worker_api)}
    add_records(4)
    for who, client in (("admin", admin_api), ("worker", worker_api)):
        count, items = statements(client)
        assert len(items) == 6
        assert count == few[who][0], (who, count, few[who][0])
        for item in items:
            assert item == client.get(f"{PREFIX}/credit/{item['id']}").get_json()
    own = [i for i in items if i["unit"] == "ZS"]
    assert own and all(i["clocks"] for i in own)


def _published_noncompliance(staff, open_case, *, unit="ZS", respondent=None):
    """A published noncompliance record on a decided adjudication of ``unit`` (decided before
    2026-09-28, recorded 09-28, published 09-29), committed."""
    from caseflow.credit.services import credit_record_noncompliance, credit_record_publish

    chief = staff[unit]["supervisor"]
    kwargs = {"respondent": respondent} if respondent else {}
    case = as_decided(open_case("adjudication", unit=unit, received_at="2026-09-01 10:00", **kwargs))
    record = credit_record_noncompliance(
        actor=chief,
        subject={k: v for k, v in case.respondent.items() if k in ("name", "code")},
        case_id=case.id,
        at=at("2026-09-28 10:00"),
    )
    credit_record_publish(record, actor=chief, at=at("2026-09-29 10:00"))
    db.session.commit()
    return record


def test_a_record_is_withdrawn_only_once_its_decision_was_revoked(api, staff, open_case, client):
    """credit.md: ``withdrawn`` only because the decision was revoked; ending a display early
    otherwise is credit repair, refused before ``repair_eligible``."""
    record = _published_noncompliance(staff, open_case)
    chief = api(staff["ZS"]["supervisor"])
    with time_machine.travel(at("2026-10-10 10:00"), tick=False):
        refused = chief.post(f"{PREFIX}/credit/{record.id}/withdraw", json={"reason": "企业申请"})
        assert refused.status_code == 409, refused.get_json()
        error = refused.get_json()["error"]
        assert "未登记" in error["message"] and "撤销" in error["message"]
        assert "revoked_at" in error["fields"]
        assert chief.get(f"{PREFIX}/credit/{record.id}").get_json()["status"] == "published"
        assert "某某照明厂" in client.get("/credit").get_data(as_text=True)
        revoked = chief.post(f"{PREFIX}/credit/{record.id}/revoke", json={"reason": "复议撤销"})
        assert revoked.status_code == 200
        withdrawn = chief.post(f"{PREFIX}/credit/{record.id}/withdraw", json={"reason": "已撤销"})
        assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"


def test_only_the_supervisor_of_the_records_unit_takes_its_steps_not_an_admin(
    api, staff, open_case
):
    """credit.md (Interfaces): publish, repair, revoke, withdraw and noncompliance are the
    supervisor's of the record's unit; the system admin gets 403 like any other role."""
    record = _published_noncompliance(staff, open_case)
    admin = api(staff["admin"])
    with time_machine.travel(at("2027-06-01 10:00"), tick=False):
        admin = api(staff["admin"])
        for step in ("publish", "repair", "revoke", "withdraw"):
            answer = admin.post(f"{PREFIX}/credit/{record.id}/{step}", json={"reason": "理由"})
            assert answer.status_code == 403, (step, answer.get_json())
        made = admin.post(
            f"{PREFIX}/credit",
            json={"kind": "noncompliance", "subject": {"name": "某某照明厂"}, "case_id": record.case_id},
        )
        assert made.status_code == 403
        assert admin.get(f"{PREFIX}/credit/{record.id}").get_json()["status"] == "published"


def _decided_penalty(worker, chief, *, received="2026-09-28", day="2026-10-22"):
    """A penalty case against RESPONDENT decided on ``day`` (its penalty record pending)."""
    case = open_clue(worker, received=received)
    flow = decide(worker, chief, case, day=day)
    with time_machine.travel(at(f"{day} 18:00"), tick=False):
        flow.fire(
            "decide_penalty",
            local(day),
            data={"fine": 30000, "basis": "68", **PENALTY_TEXT},
        )
    return case


def _open_against_respondent(client, when):
    with time_machine.travel(at(when), tick=False):
        opened = client.post(
            f"{PREFIX}/cases",
            json={
                "workflow": "mediation",
                "title": "调解",
                "complainant": {"name": "甲公司", "kind": "company"},
                "respondent": RESPONDENT,
            },
        )
    assert opened.status_code == 201, opened.get_json()
    return opened.get_json()


@pytest.mark.usefixtures("pending_notices")
def test_a_revoked_decision_is_no_finding_and_cannot_be_refused(api, staff):
    """Once the decision's record is revoked (the decision was revoked), the case is no earlier
    finding for repeat detection, and no refusal to perform it can be recorded."""
    worker, chief = api(staff["ZS"]["caseworker"]), api(staff["ZS"]["supervisor"])
    first = _decided_penalty(worker, chief)
    before = _open_against_respondent(worker, "2026-11-02 10:00")
    assert [e["number"] for e in before["repeat_of"]] == [first["number"]]
    [record] = chief.get(f"{PREFIX}/credit?code={CODE}").get_json()["items"]
    with time_machine.travel(at("2026-11-03 10:00"), tick=False):
        revoked = chief.post(f"{PREFIX}/credit/{record['id']}/revoke", json={"reason": "复议撤销"})
        assert revoked.status_code == 200
    # Revoked but not yet withdrawn: already no finding.
    assert _open_against_respondent(worker, "2026-11-03 11:00")["repeat_of"] == []
    with time_machine.travel(at("2026-11-04 10:00"), tick=False):
        refused = chief.post(
            f"{PREFIX}/credit",
            json={
                "kind": "noncompliance",
                "subject": {"name": RESPONDENT["name"], "code": CODE},
                "case_id": first["id"],
            },
        )
        assert refused.status_code == 409, refused.get_json()
        assert "已被撤销" in refused.get_json()["error"]["message"]
        assert "case_id" in refused.get_json()["error"]["fields"]
        chief.post(f"{PREFIX}/credit/{record['id']}/withdraw", json={"reason": "决定已撤销"})
    assert _open_against_respondent(worker, "2026-11-05 10:00")["repeat_of"] == []
    assert [r["kind"] for r in chief.get(f"{PREFIX}/credit").get_json()["items"]] == ["penalty"]


@pytest.mark.usefixtures("pending_notices")
def test_the_repeat_banner_shows_the_decision_not_a_later_record_about_it(api, staff):
    """A penalty decided 2026-10-22 and a refusal to perform it recorded 11-20: the banner of a
    new case shows the finding, the penalty decided 10-22, once."""
    worker, chief = api(staff["ZS"]["caseworker"]), api(staff["ZS"]["supervisor"])
    first = _decided_penalty(worker, chief)
    made = chief.post(
        f"{PREFIX}/credit",
        json={
            "kind": "noncompliance",
            "subject": {"name": RESPONDENT["name"], "code": CODE},
            "case_id": first["id"],
            "occurred_at": local("2026-11-20"),
        },
    )
    assert made.status_code == 201, made.get_json()
    [entry] = _open_against_respondent(worker, "2026-12-01 09:00")["repeat_of"]
    assert (entry["number"], entry["kind"], entry["decided_on"]) == (
        first["number"],
        "penalty",
        "2026-10-22",
    )


@pytest.mark.usefixtures("pending_notices")
def test_noncompliance_names_the_party_bound_by_the_decision(api, staff):
    """The one who refuses to perform a decision is the one it binds: the case's respondent,
    matched by code where both have one, else by the folded name; omitted, it is the
    respondent."""
    worker, chief = api(staff["ZS"]["caseworker"]), api(staff["ZS"]["supervisor"])
    case = open_clue(worker)
    as_decided(case["id"])
    body = {"kind": "noncompliance", "case_id": case["id"]}
    stranger = chief.post(f"{PREFIX}/credit", json={**body, "subject": {"name": "张三"}})
    assert stranger.status_code == 422, stranger.get_json()
    error = stranger.get_json()["error"]
    assert "subject.name" in error["fields"] and RESPONDENT["name"] in error["message"]
    other_code = code_for("9131011566778899")
    other = chief.post(
        f"{PREFIX}/credit",
        json={**body, "subject": {"name": RESPONDENT["name"], "code": other_code}},
    )
    assert other.status_code == 422 and "subject.code" in other.get_json()["error"]["fields"]
    assert chief.get(f"{PREFIX}/credit").get_json()["items"] == []
    # The name folded (有限公司 / 有限责任公司, blanks): the respondent, with the code the case knows.
    folded = chief.post(
        f"{PREFIX}/credit", json={**body, "subject": {"name": "中山市某某照明电器 有限公司"}}
    )
    assert folded.status_code == 201, folded.get_json()
    assert folded.get_json()["subject"] == {"name": RESPONDENT["name"], "code": CODE}
    omitted = chief.post(f"{PREFIX}/credit", json=body)
    assert omitted.status_code == 201, omitted.get_json()
    assert omitted.get_json()["subject"] == {"name": RESPONDENT["name"], "code": CODE}
