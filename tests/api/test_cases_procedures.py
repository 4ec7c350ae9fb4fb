"""End to end over the API: intake routing and its side paths, mediation failing into
adjudication, pre-examination with a revision loop, and trade-fair complaints (withdrawal within
the fair, referral after it), on the official 2026 calendar."""

import pytest

from tests.api.test_cases_adjudication import RIGHT, ZS_COMPLAINANT, ZS_RESPONDENT, Flow, due, local
from tests.engine.helpers import *  # noqa: F403  (the case fixtures)

pytestmark = pytest.mark.usefixtures("pending_notices")


def open_via_api(api, status=201, **body):
    body.setdefault("complainant", ZS_COMPLAINANT)
    body.setdefault("respondent", ZS_RESPONDENT)
    body.setdefault("right", RIGHT)
    body.setdefault("channel", "walk_in")
    body.setdefault("title", "灯具外观设计专利侵权")
    response = api.post("/api/v1/cases", json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def lodge_at_fair(desk, fair, booth, day, status=201, **body):
    """A complaint lodged at the fair desk against the exhibitor at ``booth`` on ``day``."""
    return open_via_api(
        desk,
        status,
        workflow="fair_complaint",
        channel="fair_desk",
        received_at=local(day),
        fair_id=fair.id,
        exhibitor_id=fair.booth[booth].id,
        **body,
    )


def test_intake_accepted_and_routed_to_mediation_opens_a_linked_case(api, staff):
    worker = api(staff["ZS"]["caseworker"])
    case = open_via_api(
        worker, workflow="intake", channel="hotline_12345", received_at=local("2026-09-28")
    )
    assert case["number"] == "ZS-INT-2026-00001"
    # deadlines.md: 5 workdays from 2026-09-28 end on Saturday 10-10, a make-up working day.
    assert due(case, "acceptance") == ("2026-10-10", "running")
    case = Flow(worker, case["id"]).fire("accept", local("2026-09-30"), data={"route": "mediation"})
    assert case["state"] == "accepted" and due(case, "acceptance")[1] == "met"
    [link] = case["linked_cases"]
    assert (link["workflow"], link["state"], link["kind"], link["direction"]) == (
        "mediation",
        "requested",
        "route",
        "to",
    )
    assert link["number"] == "ZS-MED-2026-00001"
    assert case["events"][-1]["data"]["linked_case"] == link["number"]
    linked = worker.get(f"/api/v1/cases/{link['id']}").get_json()
    assert linked["complainant"] == case["complainant"] and linked["right"] == case["right"]
    assert linked["received_at"] == case["received_at"]
    assert linked["linked_cases"][0]["number"] == case["number"]
    assert linked["linked_cases"][0]["direction"] == "from"
    assert [e["kind"] for e in linked["events"]] == ["opened"]


def test_intake_correction_lapses_only_once_its_period_is_over(api, staff):
    worker = api(staff["ZS"]["caseworker"])
    case = open_via_api(worker, workflow="intake", channel="web", received_at=local("2026-09-21"))
    flow = Flow(worker, case["id"])
    case = flow.fire("request_correction", local("2026-09-22"))
    # deadlines.md: 15 days from 09-22 end on 10-07, a holiday, so on Thursday 10-08.
    assert due(case, "correction") == ("2026-10-08", "running")
    refused = flow.fire("lapse", local("2026-10-08", "17:00"), 409)
    assert "correction" in str(refused["error"])
    case = flow.fire("lapse", local("2026-10-09", "09:00"))
    assert case["state"] == "rejected" and case["is_closed"]
    assert [n["kind"] for n in case["notices"]] == ["correction_notice", "lapse_notice"]


def test_a_corrected_intake_routed_onwards_counts_from_its_corrected_request(
    api, staff, time_machine
):
    """procedures.md §1: acceptance counts again from the corrected request. Routed onwards, the
    adjudication is received then too, not at the first, incomplete receipt: opened on 11-26 it
    is due on 11-27 (5 workdays from 11-20), not overdue and escalated from 11-09 at once."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2026, 11, 26, 11, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    worker = api(staff["ZS"]["caseworker"])
    case = open_via_api(worker, workflow="intake", channel="web", received_at=local("2026-11-02"))
    flow = Flow(worker, case["id"])
    flow.fire("request_correction", local("2026-11-03"))
    case = flow.fire("submit_correction", local("2026-11-20"))
    assert due(case, "acceptance") == ("2026-11-27", "running")
    case = flow.fire("accept", local("2026-11-26"), data={"route": "adjudication"})
    [link] = case["linked_cases"]
    adjudication = worker.get(f"/api/v1/cases/{link['id']}").get_json()
    assert adjudication["received_at"] == local("2026-11-20")
    assert adjudication["data"]["first_received_at"] == local("2026-11-02")
    assert due(adjudication, "acceptance") == ("2026-11-27", "running")
    assert adjudication["next_due_at"] == "2026-11-28T00:00:00+08:00"
    overdue = worker.get("/api/v1/cases?overdue=true").get_json()["items"]
    assert overdue == []
    # An intake accepted as it came keeps its receipt (received once, procedures.md §1).
    plain = open_via_api(worker, workflow="intake", channel="web", received_at=local("2026-11-23"))
    plain = Flow(worker, plain["id"]).fire("accept", local("2026-11-24"), data={"route": "mediation"})
    mediation = worker.get(f"/api/v1/cases/{plain['linked_cases'][0]['id']}").get_json()
    assert mediation["received_at"] == local("2026-11-23")
    assert "first_received_at" not in mediation["data"]


def test_intake_reject_needs_a_reason_and_transfer_a_department(api, staff):
    worker = api(staff["ZS"]["caseworker"])
    case = open_via_api(worker, workflow="intake", channel="email", received_at=local("2026-09-21"))
    flow = Flow(worker, case["id"])
    assert "reason" in flow.fire("reject", local("2026-09-22"), 422)["error"]["fields"]
    refused = flow.fire("transfer", local("2026-09-22"), 422, data={"department": "mars"})
    assert "department" in refused["error"]["fields"]
    case = flow.fire("transfer", local("2026-09-22"), data={"department": "customs"})
    assert case["state"] == "transferred" and case["notices"][0]["kind"] == "transfer_notice"


def test_mediation_extended_once_then_failing_into_adjudication(api, staff):
    worker, chief = api(staff["PD"]["caseworker"]), api(staff["PD"]["supervisor"])
    case = open_via_api(worker, workflow="mediation", received_at=local("2026-02-27"))
    w, c = Flow(worker, case["id"]), Flow(chief, case["id"])
    case = w.fire("consult_respondent", local("2026-03-02"))
    assert due(case, "consent") == ("2026-03-17", "running")  # 15 days
    case = w.fire("record_consent", local("2026-03-05"))
    # 2 months end on 05-05, inside the Labour Day holiday: rolled over to Wednesday 05-06.
    assert due(case, "mediation") == ("2026-05-06", "running")
    case = c.fire("extend", local("2026-04-28"), data={"reason": "案情复杂"})
    assert due(case, "mediation") == ("2026-06-05", "running")  # 05-05 + 1 month
    refused = c.fire("extend", local("2026-04-29"), 422, data={"reason": "再延一次"})  # once only
    # The request names no period (the workflow sets it): the step is what cannot be done again.
    assert refused["error"]["fields"] == {
        "trigger": "已达延长上限1个月 / at the maximum of 1 month"
    }
    case = w.fire("terminate", local("2026-06-01"), data={"open_adjudication": True})
    assert case["state"] == "failed" and due(case, "mediation") == ("2026-06-05", "met")
    [link] = case["linked_cases"]
    assert (link["workflow"], link["state"], link["kind"]) == (
        "adjudication",
        "filed",
        "mediation_failed",
    )
    assert link["number"] == "PD-ADJ-2026-00001"
    adjudication = worker.get(f"/api/v1/cases/{link['id']}").get_json()
    assert adjudication["respondent"] == case["respondent"]
    assert [k["name"] for k in adjudication["clocks"]] == ["acceptance"]
    # The request for adjudication is made on termination (06-01): its acceptance period counts
    # from it (5 workdays: 06-08), not from the mediation's receipt in February; the opening is
    # dated then too, and the first receipt is kept.
    assert adjudication["received_at"] == "2026-06-01T10:00:00+08:00"
    assert due(adjudication, "acceptance") == ("2026-06-08", "running")
    assert adjudication["events"][0]["occurred_at"] == "2026-06-01T10:00:00+08:00"
    assert adjudication["data"]["first_received_at"] == case["received_at"]


def test_mediation_agreement_and_judicial_confirmation(api, staff):
    worker = api(staff["PD"]["caseworker"])
    case = open_via_api(worker, workflow="mediation", received_at=local("2026-03-30"))
    flow = Flow(worker, case["id"])
    flow.fire("consult_respondent", local("2026-03-31"))
    flow.fire("record_consent", local("2026-04-02"))
    case = flow.fire(
        "reach_agreement", local("2026-04-10"), data={"terms": ["被申请人支付赔偿金五万元。"]}
    )
    # 30 days (People's Mediation Law art 33): 05-10 is a Sunday → Monday 05-11.
    assert due(case, "confirmation_window") == ("2026-05-11", "running")
    case = flow.fire(
        "apply_confirmation",
        local("2026-04-20"),
        data={"court": "上海市浦东新区人民法院", "court_case_number": "(2026)沪0115民特88号"},
    )
    # The court's 15 days from the application: a watch clock for the caseworker. 05-05 is the
    # last day of the 2026 May Day holiday, so the period ends on Wednesday 05-06.
    assert due(case, "court_ruling") == ("2026-05-06", "running")
    # The ruling number is required to record the court's ruling; nothing changes without it.
    refused = flow.fire("record_confirmation", local("2026-05-08"), 422)
    assert "ruling_number" in refused["error"]["fields"]
    case = flow.fire(
        "record_confirmation", local("2026-05-08"), data={"ruling_number": "(2026)沪0115民特88号"}
    )
    assert case["state"] == "confirmed" and case["is_closed"]
    assert due(case, "confirmation_window") == ("2026-05-11", "met")
    # Ruled two days after the court's period: cancelled, never the centre's breach.
    assert due(case, "court_ruling") == ("2026-05-06", "cancelled")


def test_a_consent_after_the_consent_period_is_refused_as_no_consent(api, staff):
    """The 调解意见征询函: 逾期未答复的，视为不同意调解 (legal-basis.md §4a, P13). A consent given
    after the 15 days cannot open the mediation; one given within them may be recorded later."""
    worker = api(staff["PD"]["caseworker"])
    case = open_via_api(worker, workflow="mediation", received_at=local("2026-10-21"))
    flow = Flow(worker, case["id"])
    case = flow.fire("consult_respondent", local("2026-10-22"))
    assert due(case, "consent") == ("2026-11-06", "running")
    refused = flow.fire("record_consent", local("2026-11-07", "09:00"), 422)
    assert "逾期未答复的，视为不同意调解" in refused["error"]["message"]
    assert "被请求人不同意调解" in refused["error"]["message"]
    assert "2026年11月6日" in refused["error"]["fields"]["occurred_at"]
    case = worker.get(f"/api/v1/cases/{case['id']}").get_json()
    assert case["state"] == "awaiting_consent" and due(case, "consent")[1] == "running"
    # A step the state does not allow: a 409 whose reason reads in Chinese too.
    wrong = flow.fire("reach_agreement", local("2026-11-08"), 409, data={"terms": ["x"]})
    assert wrong["error"]["code"] == "state_conflict"
    assert wrong["error"]["fields"] == {
        "trigger": "案件处于“征求意见中”，不能“达成调解协议” / not allowed in awaiting_consent"
    }
    # Consent given on the last day, recorded a fortnight later: the period was kept.
    case = flow.fire("record_consent", local("2026-11-06", "17:00"))
    assert case["state"] == "in_mediation" and due(case, "consent") == ("2026-11-06", "met")


def test_pre_exam_revision_loop_pauses_the_review_clock(api, staff, applicant):
    worker = api(staff["ZS"]["caseworker"])
    case = open_via_api(
        worker,
        workflow="pre_exam",
        received_at=local("2026-02-12"),
        applicant_id=applicant.id,
        complainant=None,  # the filed applicant
    )
    assert case["number"] == "ZS-PRE-2026-00001"
    assert case["complainant"]["name"] == applicant.name
    assert due(case, "review") == ("2026-02-14", "running")  # design: 2 workdays (13, Sat 14)
    assert due(case, "grant_target") == ("2026-03-04", "running")  # Zhongshan: 10 workdays
    flow = Flow(worker, case["id"])
    flow.fire("start_review", local("2026-02-13", "09:00"))
    case = flow.fire("request_revision", local("2026-02-13", "10:00"))
    assert due(case, "review")[1] == "paused"
    assert due(case, "revision") == ("2026-02-27", "running")  # 14, 24, 25, 26, 27
    case = flow.fire("submit_revision", local("2026-02-25"))
    # One working day was left at the pause; it counts again from the resumption.
    assert due(case, "review") == ("2026-02-26", "running")
    case = flow.fire("qualify", local("2026-02-26"))
    assert due(case, "review") == ("2026-02-26", "met")
    assert due(case, "formal_filing") == ("2026-03-11", "running")
    refused = flow.fire("record_filing", local("2026-02-27"), 422)
    assert "application_number" in refused["error"]["fields"]
    # CNIPA's application number: its check digit here is 2, not 6 (caseflow/patents.py).
    refused = flow.fire(
        "record_filing", local("2026-02-27"), 422, data={"application_number": "202630012345.6"}
    )
    assert "校验位不符（应为2）" in refused["error"]["fields"]["application_number"]
    flow.fire("record_filing", local("2026-02-27"), data={"application_number": "202630012345.2"})
    refused = flow.fire("record_grant", local("2026-03-03"), 422, data={"patent_number": "xyz"})
    assert "ZL" in refused["error"]["fields"]["patent_number"]
    case = flow.fire(
        "record_grant", local("2026-03-03"), data={"patent_number": "ZL 202630012345.2"}
    )
    assert case["state"] == "granted" and due(case, "grant_target") == ("2026-03-04", "met")
    # The granted patent is the case's right from now on: notices and the credit register read it.
    assert case["right"]["number"] == "ZL202630012345.2"
    assert [n["kind"] for n in case["notices"]] == ["revision_notice", "qualification_notice"]


def test_a_pre_exam_requester_may_give_only_its_contact(api, staff, applicant):
    """api.md: the requester is the filed applicant; a ``complainant`` may add its contact, with
    no name, as the web form allows. Another workflow still needs the name."""
    worker = api(staff["ZS"]["caseworker"])
    case = open_via_api(
        worker,
        workflow="pre_exam",
        received_at=local("2026-02-12"),
        applicant_id=applicant.id,
        complainant={"contact": "0760-88888888"},
    )
    assert case["complainant"]["name"] == applicant.name
    assert case["complainant"]["contact"] == "0760-88888888"
    refused = open_via_api(
        worker, 422, workflow="adjudication", complainant={"contact": "0760-88888888"}
    )
    assert refused["error"]["fields"] == {"complainant.name": "必填 / required"}


def test_pre_exam_outside_the_units_fields_is_refused_and_nothing_is_opened(api, staff, applicant):
    worker = api(staff["ZS"]["caseworker"])
    refused = open_via_api(
        worker,
        422,
        workflow="pre_exam",
        applicant_id=applicant.id,
        right={
            "kind": "patent",
            "number": "2026100000001.X",
            "patent_type": "invention",
            "classification": "G06F 16/00",
        },
    )
    assert "right.classification" in refused["error"]["fields"]
    assert worker.get("/api/v1/cases").get_json()["total"] == 0


def test_fair_complaint_lodged_and_withdrawn_within_the_fair(api, staff, fair):
    desk = api(staff["CF"]["desk_officer"])
    case = lodge_at_fair(
        desk,
        fair,
        "1.1A01",
        "2026-10-16",
        complainant={"name": "Leuchten GmbH", "kind": "company", "country": "DE"},
        respondent=None,
    )
    assert case["number"] == "CF-FAIR-2026-00001" and case["priority"]  # a foreign rights holder
    assert case["respondent"]["name"] == "佛山某灯具有限公司"
    clocks = {k["name"]: k for k in case["clocks"]}
    assert clocks["desk_review"]["due_at"] == "2026-10-16T12:00:00+08:00"  # 2 clock hours
    assert clocks["decision_by_close"]["due_at"] == "2026-10-19T18:00:00+08:00"
    flow = Flow(desk, case["id"])
    flow.fire("request_supplement", local("2026-10-16", "10:30"))
    case = flow.fire("supplement", local("2026-10-16", "11:00"))
    clocks = {k["name"]: k for k in case["clocks"]}
    assert clocks["desk_review"]["due_at"] == "2026-10-16T12:30:00+08:00"  # paused half an hour
    case = flow.fire("accept", local("2026-10-16", "11:15"))
    clocks = {k["name"]: k for k in case["clocks"]}
    assert clocks["desk_review"]["status"] == "met"
    assert clocks["transfer"]["due_at"] == "2026-10-17T11:15:00+08:00"  # 24 hours, weekend or not
    case = flow.fire("notify_respondent", local("2026-10-17", "10:00"))  # a Saturday
    clocks = {k["name"]: k for k in case["clocks"]}
    assert clocks["fair_answer"]["due_at"] == "2026-10-18T10:00:00+08:00"
    case = flow.fire("order_withdrawal", local("2026-10-17", "15:00"))
    clocks = {k["name"]: k for k in case["clocks"]}
    assert clocks["compliance"]["due_at"] == "2026-10-17T17:00:00+08:00"
    refused = flow.fire("confirm_compliance", local("2026-10-17", "16:30"), 422)
    assert "evidence" in refused["error"]["fields"]
    case = flow.fire(
        "confirm_compliance", local("2026-10-17", "16:30"), data={"evidence": "现场照片 IMG_0412"}
    )
    assert case["state"] == "resolved" and case["is_closed"]
    # The fair infringement's credit record (credit.md) has clocks of its own on the case.
    statuses = {
        k["name"]: k["status"] for k in case["clocks"] if not k["name"].startswith("credit_")
    }
    assert statuses == {
        "desk_review": "met",
        "decision_by_close": "met",
        "transfer": "met",
        "fair_answer": "met",
        "compliance": "met",
    }
    assert [n["kind"] for n in case["notices"]] == [
        "supplement_notice",
        "acceptance_notice",
        "answer_notice",
        "withdrawal_notice",
        "withdrawal_notice",  # the complainant's copy of the order (展会办法 art 14)
    ]


def test_fair_complaint_referred_after_the_fair_to_a_centre(api, staff, fair):
    desk = api(staff["CF"]["desk_officer"])
    case = lodge_at_fair(desk, fair, "1.1A02", "2026-10-18")
    flow = Flow(desk, case["id"])
    flow.fire("accept", local("2026-10-19", "08:00"))
    case = flow.fire("notify_respondent", local("2026-10-19", "09:00"))
    # 24 hours would run past the close: the answer is due when the fair closes.
    clocks = {k["name"]: k for k in case["clocks"]}
    assert clocks["fair_answer"]["due_at"] == "2026-10-19T18:00:00+08:00"
    flow.fire("receive_answer", local("2026-10-19", "10:00"))
    refused = flow.fire(
        "refer", local("2026-10-26"), 422, data={"target": "adjudication", "target_unit": "XX"}
    )
    assert "target_unit" in refused["error"]["fields"]
    case = flow.fire(
        "refer", local("2026-10-26"), data={"target": "adjudication", "target_unit": "ZS"}
    )
    assert case["state"] == "referred"
    assert {k["name"]: k["status"] for k in case["clocks"]}["decision_by_close"] == "breached"
    [link] = case["linked_cases"]
    assert (link["number"], link["state"], link["kind"]) == (
        "ZS-ADJ-2026-00001",
        "filed",
        "fair_referral",
    )
    assert case["notices"][-1]["kind"] == "referral_letter"
    # The centre now holds the adjudication case; the desk follows it read-only.
    assert desk.get(f"/api/v1/cases/{link['id']}").get_json()["read_only"] is True
    centre = api(staff["ZS"]["caseworker"]).get(f"/api/v1/cases/{link['id']}").get_json()
    assert centre["unit"] == "ZS" and centre["right"] == case["right"]
    assert centre["complainant"] == case["complainant"]
    # The centre receives it on the referral (10-26), not when it was lodged at the fair: its
    # acceptance is due 5 workdays on (11-02), not already overdue.
    assert centre["received_at"] == "2026-10-26T10:00:00+08:00"
    assert due(centre, "acceptance") == ("2026-11-02", "running")
    assert centre["data"]["first_received_at"] == case["received_at"]


def test_the_referring_desk_reads_the_centres_case_as_its_page_shows_it(api, staff, fair):
    """interfaces.md: roles and unit scoping apply exactly as in the UI. The desk that referred
    a complaint follows the centre's case read-only over the API as on its page: state, clocks
    and steps, without the parties' contacts, the step notes and data, the evidence, the
    notices' service or the centre's other links; no triggers. Other units still get a 404,
    and the desk cannot act on it."""
    desk = api(staff["CF"]["desk_officer"])
    case = lodge_at_fair(
        desk,
        fair,
        "1.1A02",
        "2026-10-18",
        complainant={**ZS_COMPLAINANT, "contact": "13900001111"},
        data={"facts": "展位陈列的灯具与涉案专利相同。"},
    )
    flow = Flow(desk, case["id"])
    flow.fire("accept", local("2026-10-19", "08:00"))
    case = flow.fire(
        "refer", local("2026-10-26"), data={"target": "adjudication", "target_unit": "ZS"}
    )
    [link] = case["linked_cases"]
    centre = api(staff["ZS"]["caseworker"])
    Flow(centre, link["id"]).fire(
        "request_correction", local("2026-10-27"), note="请补充权利证明（承办人笔记）"
    )
    full = centre.get(f"/api/v1/cases/{link['id']}").get_json()
    assert full["read_only"] is False and full["available_triggers"]
    assert full["complainant"]["contact"] == "13900001111"

    followed = desk.get(f"/api/v1/cases/{link['id']}")
    assert followed.status_code == 200
    shown = followed.get_json()
    assert shown["read_only"] is True and shown["available_triggers"] == []
    assert (shown["number"], shown["state"], shown["unit"]) == (
        full["number"],
        "needs_correction",
        "ZS",
    )
    assert [c["name"] for c in shown["clocks"]] == [c["name"] for c in full["clocks"]]
    assert [e["trigger"] for e in shown["events"]] == [e["trigger"] for e in full["events"]]
    assert shown["complainant"] == {
        k: v for k, v in full["complainant"].items() if k in ("name", "kind", "country")
    }
    text = followed.get_data(as_text=True)
    for kept in ("13900001111", "承办人笔记", "展位陈列", "0760-0000"):
        assert kept not in text, kept
    assert all(n["delivery"] is None for n in shown["notices"])
    assert [(c["number"], c["direction"]) for c in shown["linked_cases"]] == [
        (case["number"], "from")
    ]
    # Followed, not handled: a step is refused as if the case did not exist; other units see
    # nothing.
    assert desk.post(
        f"/api/v1/cases/{link['id']}/transitions", json={"trigger": "withdraw"}
    ).status_code == 404
    assert api(staff["PD"]["caseworker"]).get(f"/api/v1/cases/{link['id']}").status_code == 404


def test_a_penalty_names_its_respondent_and_is_opened_directly_only_from_an_inspection(
    api, staff
):
    """procedures.md §6: the respondent is the party suspected of passing off; a penalty opened
    directly comes from an inspection (a reporter's clue is an intake routed ``penalty_clue``)
    and needs no complainant. A dispute (adjudication, mediation) names its respondent too."""
    worker = api(staff["ZS"]["caseworker"])
    for workflow in ("penalty", "adjudication", "mediation"):
        refused = open_via_api(
            worker, 422, workflow=workflow, channel="inspection", respondent=None
        )
        assert "respondent.name" in refused["error"]["fields"], workflow
    for channel in ("hotline_12345", None):
        refused = open_via_api(worker, 422, workflow="penalty", channel=channel)
        assert "执法检查" in refused["error"]["fields"]["channel"]
    assert worker.get("/api/v1/cases").get_json()["items"] == []
    found = open_via_api(worker, workflow="penalty", channel="inspection", complainant=None)
    assert found["state"] == "clue" and found["respondent"]["name"] == ZS_RESPONDENT["name"]
    # A reporter may still be named.
    reported = open_via_api(worker, workflow="penalty", channel="inspection")
    assert reported["complainant"]["name"] == ZS_COMPLAINANT["name"]


def test_a_fair_desk_opens_only_what_a_fair_desk_runs(api, staff):
    """procedures.md, unit profiles: a fair desk takes complaints at its fairs and mediates on
    site; a penalty, an adjudication, an intake or a pre-examination is a centre's."""
    desk = api(staff["CF"]["desk_officer"])
    for workflow in ("penalty", "adjudication", "intake", "pre_exam"):
        refused = open_via_api(desk, 422, workflow=workflow, channel="inspection")
        assert "不办理" in refused["error"]["message"], workflow
        assert "workflow" in refused["error"]["fields"]
    mediation = open_via_api(desk, workflow="mediation", channel="fair_desk")
    assert mediation["number"].startswith("CF-MED-")
    # And a centre takes no fair complaints: they are the desk's.
    refused = open_via_api(api(staff["ZS"]["caseworker"]), 422, workflow="fair_complaint")
    assert "workflow" in refused["error"]["fields"]


def test_a_fair_desk_runs_its_own_on_site_mediation(api, staff):
    """procedures.md, unit profiles: the desk mediates on site, so its officer moves the case
    from the respondent's consent to the agreement, as a centre's caseworker would."""
    desk = api(staff["CF"]["desk_officer"])
    case = open_via_api(
        desk, workflow="mediation", channel="fair_desk", received_at=local("2026-10-16")
    )
    assert [t["trigger"] for t in case["available_triggers"]] == ["consult_respondent"]
    flow = Flow(desk, case["id"])
    flow.fire("consult_respondent", local("2026-10-16", "11:00"))
    flow.fire("record_consent", local("2026-10-16", "14:00"))
    case = flow.fire(
        "reach_agreement", local("2026-10-17"), data={"terms": ["被请求人撤下涉案灯具。"]}
    )
    assert case["state"] == "agreed"
    assert {t["trigger"] for t in case["available_triggers"]} == {"apply_confirmation", "close"}


def test_a_failed_on_site_mediation_hands_its_adjudication_to_a_centre(api, staff):
    """A fair desk decides nothing: an on-site mediation that fails into adjudication names the
    centre that receives it, as a referral does. Without one (or naming a desk) it is refused
    and nothing changes; with one the centre holds the case and its caseworker can act on it."""
    desk = api(staff["CF"]["desk_officer"])
    case = open_via_api(
        desk, workflow="mediation", channel="fair_desk", received_at=local("2026-10-16")
    )
    flow = Flow(desk, case["id"])
    flow.fire("consult_respondent", local("2026-10-16", "11:00"))
    case = flow.fire("record_consent", local("2026-10-16", "14:00"))
    for data in ({"open_adjudication": True}, {"open_adjudication": True, "target_unit": "CF"}):
        refused = flow.fire("terminate", local("2026-10-19"), 422, data=data)
        assert "target_unit" in refused["error"]["fields"], data
    after = desk.get(f"/api/v1/cases/{case['id']}").get_json()
    assert after["state"] == "in_mediation" and after["version"] == case["version"]
    assert after["linked_cases"] == []
    # Ended without asking for adjudication, the desk names no centre.
    case = flow.fire(
        "terminate",
        local("2026-10-19"),
        data={"open_adjudication": True, "target_unit": "ZS", "reason": "被请求人拒绝让步"},
    )
    assert case["state"] == "failed"
    [link] = case["linked_cases"]
    assert link["number"] == "ZS-ADJ-2026-00001" and link["state"] == "filed"
    centre = api(staff["ZS"]["caseworker"])
    adjudication = centre.get(f"/api/v1/cases/{link['id']}").get_json()
    assert adjudication["unit"] == "ZS"
    assert {t["trigger"] for t in adjudication["available_triggers"]} >= {"accept", "withdraw"}
    assert due(adjudication, "acceptance") == ("2026-10-26", "running")  # 5 workdays from 10-19


def test_a_centres_failed_mediation_stays_with_the_centre(api, staff):
    """A centre decides the adjudication its own mediation failed into: it names no other."""
    worker = api(staff["PD"]["caseworker"])
    case = open_via_api(worker, workflow="mediation", received_at=local("2026-10-12"))
    flow = Flow(worker, case["id"])
    flow.fire("consult_respondent", local("2026-10-12", "11:00"))
    flow.fire("record_consent", local("2026-10-13"))
    refused = flow.fire(
        "terminate", local("2026-10-19"), 422, data={"open_adjudication": True, "target_unit": "ZS"}
    )
    assert "target_unit" in refused["error"]["fields"]
    case = flow.fire(
        "terminate", local("2026-10-19"), data={"open_adjudication": True, "target_unit": "PD"}
    )
    assert case["linked_cases"][0]["number"] == "PD-ADJ-2026-00001"


def test_an_unknown_complaint_type_is_refused_not_counted_as_the_default(api, staff):
    worker = api(staff["ZS"]["caseworker"])
    refused = open_via_api(worker, 422, workflow="intake", data={"complaint_type": "bogus"})
    reason = refused["error"]["fields"]["data.complaint_type"]
    assert "侵权纠纷处理请求、市场监管投诉举报" in reason
    # SAMR Order 20 art 14: 7 working days for a market-regulation complaint.
    case = open_via_api(
        worker,
        workflow="intake",
        received_at=local("2026-09-28"),
        data={"complaint_type": "samr_complaint"},
    )
    assert due(case, "acceptance") == ("2026-10-13", "running")


def test_an_on_site_agreement_needs_its_terms_over_the_api_too(api, staff, fair):
    """An agreement carries the terms the parties agreed (notices.md): without them the API
    refuses the step, rather than print a mutual release nobody agreed to."""
    desk = api(staff["CF"]["desk_officer"])
    case = lodge_at_fair(desk, fair, "1.1A01", "2026-10-16")
    flow = Flow(desk, case["id"])
    flow.fire("accept", local("2026-10-16", "10:30"))
    flow.fire("notify_respondent", local("2026-10-16", "11:00"))
    for data in ({}, {"terms": []}, {"terms": ["  "]}):
        refused = flow.fire("mediate", local("2026-10-16", "15:00"), 422, data=data)
        assert "terms" in refused["error"]["fields"], data
    case = flow.fire(
        "mediate", local("2026-10-16", "15:00"), data={"terms": ["被投诉方当场撤下涉案样品"]}
    )
    assert case["state"] == "mediated"


def test_a_fair_complaint_whose_supplement_never_came_is_refused_from_needs_supplement(
    api, staff, fair
):
    """展会办法 art 9: without the supplement the complaint is not accepted. The desk refuses it
    where it waits, with its reason, and no "材料已补充" it never received."""
    desk = api(staff["CF"]["desk_officer"])
    case = lodge_at_fair(desk, fair, "1.1A01", "2026-10-16")
    flow = Flow(desk, case["id"])
    flow.fire("request_supplement", local("2026-10-16", "10:30"), data={"items": "专利权评价报告"})
    refused = flow.fire("refuse", local("2026-10-17", "16:00"), 422)
    assert "reason" in refused["error"]["fields"]
    case = flow.fire(
        "refuse", local("2026-10-17", "16:00"), data={"reason": "投诉人未补充专利权评价报告"}
    )
    assert case["state"] == "refused" and case["is_closed"]
    triggers = {e["trigger"] for e in case["events"] if e["kind"] == "transition"}
    assert triggers == {"request_supplement", "refuse"}  # no false "材料已补充"
    # The paused desk review ends with the complaint: no clock is left waiting.
    assert not any(k["status"] in ("running", "paused") for k in case["clocks"])
    assert [n["kind"] for n in case["notices"]] == ["supplement_notice", "rejection_notice"]
