"""End to end over the API: an adjudication case from request to closure on the 2026 official
calendar (Spring Festival 02-15…02-23, make-up Saturdays 02-14 and 02-28, Labour Day 05-01…05-05),
with a hearing, a suspension, extensions within and beyond the maximum; and the correction loop."""

import pytest

from tests.engine.helpers import *  # noqa: F403  (the case fixtures)

ZS_COMPLAINANT = {
    "name": "中山市古镇某灯饰有限公司",
    "kind": "company",
    "country": "CN",
    "contact": "0760-0000",
}
ZS_RESPONDENT = {"name": "某某照明电器厂", "kind": "company", "country": "CN"}
RIGHT = {
    "kind": "patent",
    "number": "ZL202330123456.7",
    "patent_type": "design",
    "classification": "26-05",
}

#: A decision's drafted text: findings, reasoning and at least one item (notices.md).
DECISION = {
    "findings": "被请求人销售的灯具落入涉案专利权利要求1的保护范围。",
    "reasoning": "被请求人未经许可实施涉案专利，构成侵权。",
    "items": ["被请求人立即停止销售侵权产品。"],
}


def local(day: str, time: str = "10:00") -> str:
    return f"{day}T{time}:00+08:00"


def due(case_json, name, index=-1):
    """The due day (local) of the case's clock ``name``; the last row by default."""
    clocks = [c for c in case_json["clocks"] if c["name"] == name]
    clock = clocks[index]
    assert clock["due_at"].endswith("T00:00:00+08:00"), clock  # end of a day: next local midnight
    from datetime import date, timedelta

    return (date.fromisoformat(clock["due_at"][:10]) - timedelta(days=1)).isoformat(), clock[
        "status"
    ]


def case_clocks_active(case_json) -> list:
    """The case's own clocks still running or paused. A credit record's clocks (credit.md:
    ``credit_publication.N`` and the rest) outlive the case by design and are not counted."""
    return [
        k
        for k in case_json["clocks"]
        if k["status"] in ("running", "paused") and not k["name"].startswith("credit_")
    ]


class Flow:
    def __init__(self, api, case_id):
        self.api, self.case_id = api, case_id

    def fire(self, trigger, occurred_at, status=200, **body):
        response = self.api.post(
            f"/api/v1/cases/{self.case_id}/transitions",
            json={"trigger": trigger, "occurred_at": occurred_at, **body},
        )
        assert response.status_code == status, response.get_json()
        return response.get_json()


def open_adjudication(api, received_at):
    response = api.post(
        "/api/v1/cases",
        json={
            "workflow": "adjudication",
            "channel": "walk_in",
            "received_at": received_at,
            "title": "外观设计专利侵权纠纷",
            "complainant": ZS_COMPLAINANT,
            "respondent": ZS_RESPONDENT,
            "right": RIGHT,
        },
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.mark.usefixtures("pending_notices")
def test_adjudication_main_path_with_suspension_and_extensions(api, staff):
    worker = api(staff["ZS"]["caseworker"])
    chief = api(staff["ZS"]["supervisor"])
    case = open_adjudication(worker, local("2026-02-10", "09:00"))
    assert case["number"] == "ZS-ADJ-2026-00001" and case["state"] == "filed"
    # 5 workdays from Tue 02-10: 11, 12, 13, Sat 14 (make-up), then the holiday, Tue 24.
    assert due(case, "acceptance") == ("2026-02-24", "running")
    assert [t["trigger"] for t in case["available_triggers"]] == [
        "request_correction",
        "accept",
        "reject",
        "withdraw",
    ]
    w, c = Flow(worker, case["id"]), Flow(chief, case["id"])

    case = w.fire("accept", local("2026-02-13"), data={"handlers": ["李一", "王二", "张三"]})
    assert case["state"] == "accepted"
    assert due(case, "acceptance") == ("2026-02-24", "met")
    assert due(case, "service") == ("2026-02-27", "running")  # 14, 24, 25, 26, 27
    assert due(case, "closing") == ("2026-05-13", "running")  # 3 months
    assert due(case, "closing_target") == ("2026-03-13", "running")  # Zhongshan: 1 month

    case = w.fire("serve", local("2026-02-26", "15:00"))  # the respondent's receipt
    assert due(case, "answer") == ("2026-03-13", "running")  # 15 days
    case = w.fire("receive_answer", local("2026-03-10"))
    assert due(case, "answer") == ("2026-03-13", "met")
    assert due(case, "forward_answer") == ("2026-03-17", "running")

    # A hearing needs 3 working days' notice: 13, 16, 17 → not before 03-17.
    refused = w.fire(
        "schedule_hearing", local("2026-03-12"), 422, data={"hearing_at": local("2026-03-16")}
    )
    assert "hearing_at" in refused["error"]["fields"]
    case = w.fire("schedule_hearing", local("2026-03-12"), data={"hearing_at": local("2026-03-20")})
    assert case["state"] == "hearing_scheduled"
    case = w.fire("hold_hearing", local("2026-03-20", "16:00"))

    # Only a supervisor suspends; the closing clock moves by the paused span (21 days).
    w.fire("suspend", local("2026-03-23"), 403, data={"reason": "invalidation"})
    case = c.fire("suspend", local("2026-03-23"), data={"reason": "invalidation"})
    assert {k["name"]: k["status"] for k in case["clocks"]}["closing"] == "paused"
    case = c.fire("resume", local("2026-04-13"))
    assert case["state"] == "under_review"
    assert due(case, "closing") == ("2026-06-03", "running")  # 05-13 + 21 days

    # Extensions: one month each, two at most (5 months in all).
    case = c.fire("extend", local("2026-04-20"), data={"reason": "案情复杂"})
    assert due(case, "closing") == ("2026-07-03", "running")
    case = c.fire("extend", local("2026-04-21"), data={"reason": "需要技术鉴定意见"})
    assert due(case, "closing") == ("2026-08-03", "running")
    before = worker.get(f"/api/v1/cases/{case['id']}").get_json()
    refused = c.fire("extend", local("2026-04-22"), 422, data={"reason": "再次延长"})
    after = worker.get(f"/api/v1/cases/{case['id']}").get_json()
    assert after["version"] == before["version"] and after["events"] == before["events"]
    assert due(after, "closing") == ("2026-08-03", "running")
    c.fire("extend", local("2026-04-22"), 422)  # and a reason is required anyway

    case = c.fire("decide", local("2026-05-06"), data={"outcome": "infringing", **DECISION})
    assert case["state"] == "decided"
    assert due(case, "closing") == ("2026-08-03", "met")
    assert due(case, "appeal") == ("2026-05-21", "running")  # 15 days, Patent Law art 65
    # 20 workdays from 05-06: May 7, 8, Sat 9 (make-up), 11…15, 18…22, 25…29, Jun 1, 2.
    assert due(case, "publication") == ("2026-06-02", "running")
    case = w.fire("record_publication", local("2026-05-20"))
    assert case["state"] == "decided" and due(case, "publication")[1] == "met"

    refused = w.fire("close", local("2026-05-21"), 409)  # the period to sue is still running
    assert refused["error"]["code"] == "state_conflict"
    case = w.fire("close", local("2026-05-22"))
    assert case["state"] == "closed" and case["is_closed"] and case["available_triggers"] == []
    # The parties' period to sue is a watch clock: closing after it ran out ends it, never as
    # the centre's deadline met or breached.
    assert due(case, "appeal") == ("2026-05-21", "cancelled")
    assert not case_clocks_active(case)

    transitions = [e for e in case["events"] if e["kind"] == "transition"]
    assert [e["trigger"] for e in transitions] == [
        "accept",
        "serve",
        "receive_answer",
        "schedule_hearing",
        "hold_hearing",
        "suspend",
        "resume",
        "extend",
        "extend",
        "decide",
        "record_publication",
        "close",
    ]
    assert case["events"][0]["kind"] == "opened"
    assert transitions[5]["actor"] == staff["ZS"]["supervisor"].username
    assert transitions[5]["data"] == {"reason": "invalidation"}
    assert (transitions[0]["from"], transitions[0]["to"]) == ("filed", "accepted")
    assert case["version"] == 1 + len(transitions)
    kinds = [(n["kind"], n["addressee_role"]) for n in case["notices"]]
    # A hearing, a suspension, a resumption and the closure are told to each party; the
    # decision is one document for both.
    assert kinds == [
        ("acceptance_notice", "complainant"),
        ("answer_notice", "respondent"),
        ("hearing_notice", "complainant"),
        ("hearing_notice", "respondent"),
        ("suspension_notice", "complainant"),
        ("suspension_notice", "respondent"),
        ("resumption_notice", "complainant"),
        ("resumption_notice", "respondent"),
        ("extension_notice", "complainant"),
        ("extension_notice", "respondent"),
        ("extension_notice", "complainant"),
        ("extension_notice", "respondent"),
        ("decision", "parties"),
        ("closure_notice", "complainant"),
        ("closure_notice", "respondent"),
    ]
    assert all(n["document_number"] for n in case["notices"])


def test_adjudication_correction_loop_then_withdrawal(api, staff):
    worker = api(staff["ZS"]["caseworker"])
    case = open_adjudication(worker, local("2026-02-10", "09:00"))
    w = Flow(worker, case["id"])
    case = w.fire("request_correction", local("2026-02-11"), data={"items": "补充专利权评价报告"})
    assert case["state"] == "needs_correction"
    assert due(case, "acceptance") == ("2026-02-24", "met")
    assert due(case, "correction") == ("2026-02-26", "running")  # 15 days
    case = w.fire("submit_correction", local("2026-02-25"))
    # The acceptance clock starts again: 26, 27, Sat 28 (make-up), Mar 2, 3.
    assert [k["status"] for k in case["clocks"] if k["name"] == "acceptance"] == ["met", "running"]
    assert due(case, "acceptance") == ("2026-03-03", "running")
    assert due(case, "correction") == ("2026-02-26", "met")
    case = w.fire("accept", local("2026-03-02"), data={"handlers": ["甲", "乙", "丙", "丁", "戊"]})
    case = w.fire("withdraw", local("2026-03-05"), note="双方和解，请求人撤回")
    assert case["state"] == "withdrawn" and case["is_closed"]
    assert not case_clocks_active(case)
    assert case["events"][-1]["note"] == "双方和解，请求人撤回"
    assert [n["kind"] for n in case["notices"]] == [
        "correction_notice",
        "acceptance_notice",
        "withdrawal_notice",
    ]


@pytest.mark.usefixtures("pending_notices")
def test_accept_needs_an_odd_number_of_three_or_more_handlers(api, staff):
    worker = api(staff["ZS"]["caseworker"])
    case = open_adjudication(worker, local("2026-02-10", "09:00"))
    w = Flow(worker, case["id"])
    for handlers in (["甲", "乙"], ["甲", "乙", "丙", "丁"]):
        refused = w.fire("accept", local("2026-02-12"), 422, data={"handlers": handlers})
        assert "handlers" in refused["error"]["fields"]
    refused = w.fire("accept", local("2026-02-12"), 422, data={})
    assert "handlers" in refused["error"]["fields"]
    # One person typed three times is not a panel of three.
    refused = w.fire(
        "accept", local("2026-02-12"), 422, data={"handlers": ["张三", "张三", "张三"]}
    )
    assert "姓名重复：张三" in refused["error"]["fields"]["handlers"]


@pytest.mark.usefixtures("pending_notices")
def test_a_decision_without_hearing_settles_the_forwarding_clock(api, staff):
    """Nothing may run on, and alert, after the decision: the answer's forwarding clock stops."""
    worker = api(staff["ZS"]["caseworker"])
    chief = api(staff["ZS"]["supervisor"])
    case = open_adjudication(worker, local("2026-09-01", "09:00"))
    w, c = Flow(worker, case["id"]), Flow(chief, case["id"])
    w.fire("accept", local("2026-09-02"), data={"handlers": ["李一", "王二", "张三"]})
    w.fire("serve", local("2026-09-03"))
    case = w.fire("receive_answer", local("2026-09-15"))
    # 5 workdays from Tue 09-15: 16, 17, 18, Sun 20 (make-up workday), 21.
    assert due(case, "forward_answer") == ("2026-09-21", "running")
    case = c.fire("decide", local("2026-09-18"), data={"outcome": "not_infringing", **DECISION})
    assert due(case, "forward_answer") == ("2026-09-21", "met")
    running = {k["name"] for k in case["clocks"] if k["status"] == "running"}
    assert running == {"publication", "appeal"}


@pytest.mark.usefixtures("pending_notices")
def test_the_file_closes_only_once_the_decision_is_published(api, staff):
    worker = api(staff["ZS"]["caseworker"])
    chief = api(staff["ZS"]["supervisor"])
    case = open_adjudication(worker, local("2026-03-02", "09:00"))
    w, c = Flow(worker, case["id"]), Flow(chief, case["id"])
    w.fire("accept", local("2026-03-03"), data={"handlers": ["李一", "王二", "张三"]})
    w.fire("serve", local("2026-03-04"))
    w.fire("receive_answer", local("2026-03-10"))
    case = c.fire("decide", local("2026-04-01"), data={"outcome": "infringing", **DECISION})
    assert due(case, "appeal") == ("2026-04-16", "running")  # 15 days
    refused = w.fire("close", local("2026-04-20"), 409)  # the period to sue is over, but…
    assert "公开" in refused["error"]["message"]  # …the decision is not yet public
    w.fire("record_publication", local("2026-04-20", "11:00"))
    case = w.fire("close", local("2026-04-20", "15:00"))
    assert case["state"] == "closed"
    assert not case_clocks_active(case)
