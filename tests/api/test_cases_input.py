"""Bad input is refused with a 4xx JSON error naming the field, and changes nothing; lists,
statistics, the workflow catalogue, the OpenAPI document and the diagram CLI."""

import pytest

from tests.api.test_cases_adjudication import RIGHT, ZS_COMPLAINANT, local, open_adjudication
from tests.engine.helpers import *  # noqa: F403  (the case fixtures)

pytestmark = pytest.mark.usefixtures("pending_notices")


@pytest.fixture
def accepted(api, staff):
    """An adjudication case at ZS, accepted on 2026-02-13: (caseworker's client, case json)."""
    worker = api(staff["ZS"]["caseworker"])
    case = open_adjudication(worker, local("2026-02-10", "09:00"))
    response = worker.post(
        f"/api/v1/cases/{case['id']}/transitions",
        json={
            "trigger": "accept",
            "occurred_at": local("2026-02-13"),
            "data": {"handlers": ["甲", "乙", "丙"]},
        },
    )
    assert response.status_code == 200
    return worker, response.get_json()


BAD_TRANSITIONS = [
    ({"trigger": "fly"}, 422, "trigger"),
    ({"occurred_at": local("2026-02-20")}, 422, "trigger"),
    ({"trigger": 7}, 422, "trigger"),
    ({"trigger": "serve", "occurred_at": local("2026-02-12")}, 422, "occurred_at"),  # before accept
    ({"trigger": "serve", "occurred_at": "2099-01-01T10:00:00+08:00"}, 422, "occurred_at"),
    ({"trigger": "serve", "occurred_at": "next tuesday"}, 422, "occurred_at"),
    ({"trigger": "serve", "occurred_at": 20260220}, 422, "occurred_at"),
    ({"trigger": "serve", "data": ["x"]}, 422, "data"),
    ({"trigger": "serve", "note": {"x": 1}}, 422, "note"),
    ({"trigger": "serve", "version": "2"}, 422, "version"),
    ({"trigger": "serve", "version": 1}, 409, "version"),  # stale: accept made it 2
    ({"trigger": "decide"}, 403, None),  # a supervisor's step
    ({"trigger": "close"}, 409, "trigger"),  # not from accepted
    ({"trigger": "schedule_hearing"}, 409, "trigger"),
    ({"trigger": "suspend", "data": {"reason": "boredom"}}, 403, None),
    # Only the trigger's own fields: its data is merged into case.data, where caseflow keeps
    # what it computes (a client once wrote data.repeat_of, and any key of any size).
    (
        {"trigger": "serve", "data": {"repeat_of": [{"number": "PD-ADJ-2020-00001"}]}},
        422,
        "repeat_of",
    ),
    ({"trigger": "serve", "data": {"junk": ["x"] * 1000}}, 422, "junk"),
    ({"trigger": "serve", "occurred_at": "0001-01-01"}, 422, "occurred_at"),
]


@pytest.mark.parametrize(("body", "status", "field"), BAD_TRANSITIONS)
def test_bad_transitions_are_refused_and_change_nothing(accepted, body, status, field):
    worker, case = accepted
    response = worker.post(f"/api/v1/cases/{case['id']}/transitions", json=body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    if field:
        assert field in error["fields"], error
    assert worker.get(f"/api/v1/cases/{case['id']}").get_json() == case


def test_bad_data_for_a_trigger_names_the_field(api, staff, accepted):
    worker, case = accepted
    chief = api(staff["ZS"]["supervisor"])
    for data, field in (
        ({"reason": "boredom"}, "reason"),
        ({}, "reason"),
        ({"reason": ["invalidation"]}, "reason"),
    ):
        response = chief.post(
            f"/api/v1/cases/{case['id']}/transitions", json={"trigger": "suspend", "data": data}
        )
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert worker.get(f"/api/v1/cases/{case['id']}").get_json() == case


def test_malformed_bodies_are_400(accepted):
    worker, case = accepted
    path = f"/api/v1/cases/{case['id']}/transitions"
    for kwargs in (
        {"data": "{not json", "content_type": "application/json"},
        {"json": ["accept"]},
        {"data": "trigger=serve", "content_type": "application/x-www-form-urlencoded"},
    ):
        response = worker.post(path, **kwargs)
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed"
    assert worker.get(f"/api/v1/cases/{case['id']}").get_json() == case


def test_scope_roles_and_unknown_cases(api, staff, accepted, client):
    _worker, case = accepted
    path = f"/api/v1/cases/{case['id']}"
    # Another unit's case answers exactly like a missing one (issue 16).
    assert api(staff["PD"]["caseworker"]).get(path).status_code == 404
    assert (
        api(staff["PD"]["supervisor"])
        .post(path + "/transitions", json={"trigger": "serve"})
        .status_code
        == 404
    )
    viewer = api(staff["ZS"]["viewer"])
    assert viewer.get(path).status_code == 200
    assert viewer.get(path).get_json()["available_triggers"] == []
    assert viewer.post(path + "/transitions", json={"trigger": "serve"}).status_code == 403
    assert api(staff["admin"]).get(path).status_code == 200
    assert api(staff["ZS"]["caseworker"]).get("/api/v1/cases/nope").status_code == 404
    assert client.get(path).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"workflow": "tea_ceremony"}, "workflow"),
        ({"workflow": None}, "workflow"),
        ({"received_at": "2099-05-01T10:00:00+08:00"}, "received_at"),
        ({"received_at": "yesterday"}, "received_at"),
        # (An intake on the web may be anonymous: a dispute names its requester.)
        ({"workflow": "adjudication", "complainant": {"kind": "company"}}, "complainant.name"),
        ({"complainant": "张三"}, "complainant"),
        ({"right": {"kind": "patent", "patent_type": "gadget"}}, "right.patent_type"),
        ({"channel": "pigeon"}, "channel"),
        ({"priority": "yes"}, "priority"),
        ({"unit": "XX"}, "unit"),
        ({"received_at": "0001-01-01"}, "received_at"),
        ({"received_at": "1999-01-01"}, "received_at"),  # before the working-day calendar
        # What caseflow computes is not taken from the client, nor data of any size.
        (
            {"data": {"repeat_of": [{"number": "PD-ADJ-2020-00001", "match": "code"}]}},
            "data.repeat_of",
        ),
        ({"data": {"drafts": {"decision": {"findings": "x"}}}}, "data.drafts"),
        ({"data": {"facts": "长" * 100_000}}, "data"),
    ],
)
def test_bad_cases_are_refused_and_nothing_is_opened(api, staff, change, field):
    worker = api(staff["ZS"]["caseworker"])
    body = {"workflow": "intake", "channel": "web", "complainant": ZS_COMPLAINANT, "right": RIGHT}
    response = worker.post("/api/v1/cases", json={**body, **change})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert worker.get("/api/v1/cases").get_json()["total"] == 0


def test_a_phone_or_walk_in_intake_records_the_particulars(api, staff):
    worker = api(staff["ZS"]["caseworker"])
    body = {"workflow": "intake", "channel": "hotline_12345", "complainant": {"name": "王先生"}}
    refused = worker.post("/api/v1/cases", json=body)
    assert refused.status_code == 422
    assert set(refused.get_json()["error"]["fields"]) == {
        "complainant.contact",
        "respondent.name",
        "title",
    }
    complete = {
        **body,
        "complainant": {"name": "王先生", "contact": "13800000000"},
        "respondent": {"name": "某灯饰商行"},
        "title": "举报网店销售假冒专利灯具",
    }
    assert worker.post("/api/v1/cases", json=complete).status_code == 201


def test_who_may_open_cases(api, staff):
    body = {"workflow": "intake", "channel": "web", "complainant": ZS_COMPLAINANT}
    assert api(staff["ZS"]["viewer"]).post("/api/v1/cases", json=body).status_code == 403
    assert (
        api(staff["ZS"]["caseworker"])
        .post("/api/v1/cases", json={**body, "unit": "PD"})
        .status_code
        == 403
    )
    assert api(staff["admin"]).post("/api/v1/cases", json=body).status_code == 422  # which unit?
    created = api(staff["admin"]).post("/api/v1/cases", json={**body, "unit": "PD"})
    assert created.status_code == 201 and created.get_json()["number"] == "PD-INT-2026-00001"
    assert (
        api(staff["ZS"]["caseworker"])
        .post("/api/v1/cases", data="[", content_type="application/json")
        .status_code
        == 400
    )


def test_list_is_scoped_filtered_and_soonest_due_first(api, staff):
    worker = api(staff["ZS"]["caseworker"])
    late = open_adjudication(worker, local("2026-03-02"))  # acceptance due 03-09
    early = open_adjudication(worker, local("2026-02-10"))  # due 02-24
    intake = worker.post(
        "/api/v1/cases",
        json={
            "workflow": "intake",
            "channel": "web",
            "complainant": {"name": "王某"},
            "title": "举报假冒专利",
        },
    ).get_json()
    worker.post(
        f"/api/v1/cases/{intake['id']}/transitions", json={"trigger": "answer"}
    )  # closed: last
    api(staff["admin"]).post(
        "/api/v1/cases",
        json={"workflow": "intake", "unit": "PD", "channel": "web", "complainant": {"name": "x"}},
    )

    listed = worker.get("/api/v1/cases").get_json()
    assert listed["total"] == 3
    assert [c["number"] for c in listed["items"]] == [
        early["number"],
        late["number"],
        intake["number"],
    ]
    only = worker.get("/api/v1/cases?workflow=adjudication&state=filed").get_json()
    assert only["total"] == 2
    assert worker.get("/api/v1/cases?q=假冒").get_json()["items"][0]["id"] == intake["id"]
    assert worker.get("/api/v1/cases?q=王某").get_json()["total"] == 1
    overdue = worker.get("/api/v1/cases?overdue=true").get_json()
    assert {c["id"] for c in overdue["items"]} == {early["id"], late["id"]}
    due_before = worker.get("/api/v1/cases?due_before=2026-03-01T00:00:00%2B08:00").get_json()
    assert [c["id"] for c in due_before["items"]] == [early["id"]]
    assert worker.get("/api/v1/cases?unit=PD").status_code == 403  # another unit, as /stats
    assert api(staff["admin"]).get("/api/v1/cases").get_json()["total"] == 4
    assert api(staff["admin"]).get("/api/v1/cases?unit=PD").get_json()["total"] == 1
    assert worker.get("/api/v1/cases?workflow=nope").status_code == 422
    assert worker.get("/api/v1/cases?page=x").status_code == 400


def test_pages_of_the_list_hold_every_case_once_in_order_and_sort_only_ids(api, staff):
    """120 cases that tie on every column of the list's order but their id (opened at one
    instant; open or closed, priority or not, due at one of two instants or not at all): three
    pages hold each once, in the order the list promises with the id last. The page is picked
    by sorting ids alone; whole rows are read only for the page's 50."""
    from datetime import UTC, datetime

    from caseflow.cases.models import Case
    from caseflow.extensions import db
    from tests.support import statements_sent

    unit = staff["ZS"]["caseworker"].unit
    opened = datetime(2026, 3, 2, 1, tzinfo=UTC)
    dues = (None, datetime(2026, 3, 9, 16, tzinfo=UTC), datetime(2026, 3, 20, 16, tzinfo=UTC))
    for n in range(120):
        closed = n % 5 == 0
        db.session.add(
            Case(
                id=f"{(n * 7919) % 1000:03d}{n:029x}",
                number=f"ZS-ADJ-2026-{n + 1:05d}",
                unit_id=unit.id,
                workflow="adjudication",
                state="closed" if closed else "filed",
                is_closed=closed,
                closed_at=opened if closed else None,
                priority=n % 7 == 0,
                next_due_at=None if closed else dues[n % 3],
                received_at=opened,
                opened_at=opened,
            )
        )
    db.session.commit()
    expected = sorted(
        db.session.scalars(db.select(Case)),
        key=lambda c: (
            c.is_closed,
            not c.priority,
            c.next_due_at is None,
            c.next_due_at or opened,
            c.opened_at,
            c.id,
        ),
    )
    worker = api(staff["ZS"]["caseworker"])
    listed = []
    with statements_sent() as sent:
        for page in (1, 2, 3):
            body = worker.get(f"/api/v1/cases?page={page}").get_json()
            assert body["total"] == 120
            listed += [c["id"] for c in body["items"]]
    assert listed == [c.id for c in expected]
    # What the database sorts to skip to the page: the select that ends with the OFFSET.
    sorted_for_offset = [
        s[: s.upper().index("OFFSET")].rsplit("SELECT", 1)[1] for s in sent if "OFFSET" in s
    ]
    assert len(sorted_for_offset) == 3
    assert not [s for s in sorted_for_offset if "cases.data" in s or "cases.respondent" in s]


def test_stats_per_workflow(api, staff, accepted):
    worker, case = accepted
    intake = worker.post(
        "/api/v1/cases",
        json={
            "workflow": "intake",
            "channel": "web",
            "complainant": {"name": "王某"},
            "received_at": local("2026-03-02"),
        },
    ).get_json()
    worker.post(
        f"/api/v1/cases/{intake['id']}/transitions",
        json={"trigger": "answer", "occurred_at": local("2026-03-04")},
    )
    # The period holds both cases: the adjudication received 02-10, the intake 03-02.
    period = worker.get("/api/v1/stats?from=2026-02-01&to=2026-03-31").get_json()
    stats = {s["workflow"]: s for s in period["workflows"]}
    assert set(stats) == {
        "intake",
        "pre_exam",
        "adjudication",
        "mediation",
        "fair_complaint",
        "penalty",
    }
    assert stats["intake"]["opened"] == 1 and stats["intake"]["closed"] == 1
    assert stats["intake"]["closing_met_share"] == 1.0
    assert stats["intake"]["median_days_to_close"] == 2.0
    assert stats["adjudication"]["opened"] == 1 and stats["adjudication"]["open_overdue"] == 1
    empty = worker.get("/api/v1/stats?from=2026-04-01&to=2026-04-30").get_json()["workflows"]
    assert all(s["opened"] == 0 for s in empty)
    assert worker.get("/api/v1/stats?from=April").status_code == 422


def test_workflow_catalogue_and_openapi(api, staff, client):
    catalogue = api(staff["ZS"]["viewer"]).get("/api/v1/workflows").get_json()["workflows"]
    assert [w["name"] for w in catalogue] == [
        "intake",
        "pre_exam",
        "adjudication",
        "mediation",
        "fair_complaint",
        "penalty",
    ]
    adjudication = catalogue[2]
    assert adjudication["code"] == "ADJ" and adjudication["initial"] == "filed"
    accept = next(t for t in adjudication["transitions"] if t["trigger"] == "accept")
    assert accept["roles"] == ["caseworker"] and accept["fields"][0]["name"] == "handlers"
    assert accept["notice"] == {"kind": "acceptance_notice", "addressee": "complainant"}
    closing = next(c for c in adjudication["clocks"] if c["name"] == "closing")
    assert (closing["period"], closing["extension_max"], closing["evidence"]) == (
        "3 months",
        "2 months",
        "S",
    )
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    spec = document.get_json()
    assert spec["openapi"].startswith("3.") and "/cases/{case_id}/transitions" in spec["paths"]


def test_workflows_diagram_cli(app):
    runner = app.test_cli_runner()
    mermaid = runner.invoke(args=["workflows", "diagram", "mediation", "--format", "mermaid"])
    assert mermaid.exit_code == 0
    assert mermaid.output.startswith("stateDiagram-v2")
    assert "in_mediation --> failed: terminate 终止调解" in mermaid.output
    # Penalty's resume returns to the state the case left: an edge to each, none to itself.
    penalty = runner.invoke(args=["workflows", "diagram", "penalty", "--format", "mermaid"])
    resumes = [line.strip() for line in penalty.output.splitlines() if ": resume " in line]
    assert resumes == [
        "suspended --> investigating: resume 恢复办理",
        "suspended --> deliberation: resume 恢复办理",
    ]
    svg = runner.invoke(args=["workflows", "diagram", "penalty"]).output
    assert "<title>suspended&#45;&gt;investigating</title>" in svg
    assert "<title>suspended&#45;&gt;suspended</title>" not in svg
    svg = runner.invoke(args=["workflows", "diagram", "intake"])
    assert svg.exit_code == 0 and "<svg" in svg.output and "已受理" in svg.output
    bad = runner.invoke(args=["workflows", "diagram", "nope"])
    assert bad.exit_code != 0 and "unknown workflow" in bad.output
