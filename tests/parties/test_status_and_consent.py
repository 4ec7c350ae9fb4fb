"""The status lookup (parties.md §2), consent to electronic service (§3) and paper service
(§4) over the API, with bad input on each."""

import re
from datetime import date, timedelta

import time_machine
from sqlalchemy import select

from caseflow.cases.models import Event
from caseflow.clocks.models import Clock
from caseflow.engine import case_fire
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.parties.models import NoticeDelivery
from tests.parties.conftest import complaint_body, local, pdf_text


def _status(client, number, code, addr="192.0.2.10"):
    return client.get(
        "/api/v1/public/status",
        query_string={"number": number, "code": code},
        environ_base={"REMOTE_ADDR": addr},
    )


def _filed(client):
    return client.post("/api/v1/public/complaints", json=complaint_body()).json


def test_status_shows_stage_and_dates_and_nothing_private(client, units):
    filed = _filed(client)
    answer = _status(client, filed["number"].lower(), filed["public_code"].lower())
    assert answer.status_code == 200
    body = answer.json
    assert body["state"] == "received" and body["state_label"] == "已接收"
    assert body["received_at"] and body["workflow_label"]
    # The centre's acceptance decision is due by the date the receipt announced.
    assert body["centre_deadline"]["clock"] == "acceptance"
    assert body["centre_deadline"]["due_at"] == filed["acceptance_due_at"]
    text = answer.get_data(as_text=True)
    for private in ("Lumen", "+49", "古镇星光", "note", "actor"):
        assert private not in text


def test_a_status_code_typed_with_look_alike_letters_is_read_as_printed(client, units):
    """Crockford base 32 prints no I, L or O: typed for 1 and 0, they are read as the digits."""
    from sqlalchemy import update

    from caseflow.cases.models import Case

    filed = _filed(client)
    db.session.execute(
        update(Case).where(Case.number == filed["number"]).values(public_code="10HJK01MNP")
    )
    db.session.commit()
    for typed in ("10HJK01MNP", "lOhjkOImnp", "10HJK-01MNP"):
        assert _status(client, filed["number"], typed).status_code == 200, typed


def test_unknown_number_and_wrong_code_answer_the_same(client, units):
    filed = _filed(client)
    wrong_code = _status(client, filed["number"], "0000000000")
    unknown = _status(client, "ZS-INT-2026-99999", filed["public_code"])
    assert wrong_code.status_code == unknown.status_code == 404
    assert wrong_code.json == unknown.json


def test_a_wrong_code_21_times_from_one_address_gets_429(client, units):
    filed = _filed(client)
    for attempt in range(20):
        assert _status(client, filed["number"], f"WRONG{attempt:05d}").status_code == 404
    refused = _status(client, filed["number"], filed["public_code"])
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # Another address still gets its answer; the page form counts the same misses.
    assert _status(client, filed["number"], filed["public_code"], addr="192.0.2.11").status_code == 200
    page = client.get(
        "/status",
        query_string={"number": filed["number"], "code": filed["public_code"]},
        environ_base={"REMOTE_ADDR": "192.0.2.10"},
    )
    assert page.status_code == 429


def test_status_bad_input(client, units):
    for query in (
        {},
        {"number": "x" * 5000, "code": "y" * 5000},
        {"number": "ZS-INT-2026-00001\x00", "code": "A"},
        {"number": ["a", "b"], "code": "c"},
    ):
        response = client.get("/api/v1/public/status", query_string=query)
        assert response.status_code in (400, 404), (query, response.status_code)
        assert response.json["error"]["message"]
    assert client.get("/status?number=%00&code=%00").status_code in (400, 404)
    assert client.get("/status?number=" + "9" * 10000).status_code == 404


def test_status_page_opens_from_the_qr_and_follows_english(client, units):
    filed = _filed(client)
    page = client.get("/status", query_string={"number": filed["number"], "code": filed["public_code"]})
    assert page.status_code == 200 and "已接收" in page.text
    assert "本中心办理期限" in page.text and "受理期限" in page.text
    assert "Lumen" not in page.text and "+49" not in page.text
    import re

    from flask_babel import refresh

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/lang/en", data={"next": "/status", "csrf_token": csrf})
    refresh()  # the test's app context outlives each request: drop the cached locale
    english = client.get(
        "/status", query_string={"number": filed["number"], "code": filed["public_code"]}
    )
    assert "Case status" in english.text and "Received" in english.text
    assert "The centre's time limit" in english.text


def test_the_code_on_the_acceptance_notice_opens_status(client, people, open_case):
    case = open_case(people["caseworker"], workflow="intake", channel="web")
    case_fire(case, "accept", people["caseworker"], data={"route": "penalty_clue"})
    db.session.commit()  # the caller commits (a page would)
    notice = db.session.scalar(select(Notice).where(Notice.case_id == case.id, Notice.kind == "acceptance_notice"))
    assert notice is not None and notice.is_issued
    import os

    from flask import current_app

    with open(os.path.join(current_app.config["CASEFLOW_STORAGE"], notice.file_path), "rb") as f:
        text = pdf_text(f.read())
    assert "办件查询码" in text and case.public_code in text
    assert _status(client, case.number, case.public_code).status_code == 200


# -- consent (§3) -----------------------------------------------------------------------------


def _put(client, token, case_id, role, body):
    return client.put(
        f"/api/v1/cases/{case_id}/parties/{role}/delivery",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_consent_is_set_audited_and_withdrawn(client, people, open_case, make_token):
    case = open_case(people["caseworker"])
    token = make_token(people["caseworker"])
    given = _put(client, token, case.id, "respondent", {"email": "legal@star.example", "phone": "13912345678", "consent": True})
    assert given.status_code == 200, given.json
    assert given.json["consent"] is True and given.json["email"] == "l***l@star.example"
    withdrawn = _put(client, token, case.id, "respondent", {"consent": False})
    assert withdrawn.status_code == 200 and withdrawn.json["consent"] is False
    events = db.session.scalars(
        select(Event).where(Event.case_id == case.id, Event.kind == "delivery_consent")
    ).all()
    assert [e.data["consent"] for e in events] == [True, False]
    assert all(e.actor_id == people["caseworker"].id for e in events)


def test_consent_bad_input(client, people, open_case, make_token):
    case = open_case(people["caseworker"])
    token = make_token(people["caseworker"])
    cases = [
        ("respondent", {"email": "nope", "consent": True}, 422),
        ("respondent", {"consent": True}, 422),
        ("respondent", {"consent": "yes", "email": "a@b.example"}, 422),
        ("respondent", {"email": "a@b.example"}, 422),
        ("respondent", {"consent": True, "email": "a@b.example", "fax": "1"}, 422),
        ("respondent", {"consent": True, "email": "a\x00@b.example"}, 400),
        ("respondent", {"consent": True, "email": "a" * 5000 + "@b.example"}, 422),
        ("respondent", {"consent": True, "email": 7}, 422),
        ("witness", {"consent": False}, 404),
    ]
    for role, body, status in cases:
        response = _put(client, token, case.id, role, body)
        assert response.status_code == status, (body, response.json)
        assert response.json["error"]["message"]
    other_unit = make_token(people["pd_worker"])
    assert _put(client, other_unit, case.id, "respondent", {"consent": False}).status_code in (403, 404)
    viewer = make_token(people["viewer"])
    assert _put(client, viewer, case.id, "respondent", {"consent": False}).status_code == 403
    assert client.put(f"/api/v1/cases/{case.id}/parties/respondent/delivery", json={}).status_code == 401


# -- paper service (§4) ------------------------------------------------------------------------


def _to_awaiting_answer(case, worker, at):
    case_fire(case, "accept", worker, occurred_at=at, data={"handlers": ["甲", "乙", "丙"]})
    case_fire(case, "serve", worker, occurred_at=at)
    db.session.commit()  # the caller commits (a page would)
    return db.session.scalar(
        select(Notice).where(Notice.case_id == case.id, Notice.kind == "answer_notice")
    )


def test_paper_service_retimes_the_answer_clock(client, people, open_case, make_token):
    worker = people["caseworker"]
    with time_machine.travel(local(2026, 10, 12, 10), tick=False):
        case = open_case(worker, received_at=local(2026, 10, 9, 9))
        notice = _to_awaiting_answer(case, worker, local(2026, 10, 12, 9, 30))
        clock = db.session.scalar(select(Clock).where(Clock.case_id == case.id, Clock.name == "answer"))
        provisional_due = clock.due_at
    token = make_token(worker)
    with time_machine.travel(local(2026, 10, 20, 10), tick=False):
        response = client.put(
            f"/api/v1/notices/{notice.id}/service",
            json={"served_at": "2026-10-16T15:00:00+08:00", "method": "post"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.json
    assert response.json["delivery"]["method"] == "post"
    assert response.json["delivery"]["delivered_at"] == "2026-10-16T15:00:00+08:00"
    db.session.expire_all()
    clock = db.session.get(Clock, clock.id)
    assert clock.started_at == local(2026, 10, 16, 15)
    assert clock.due_at > provisional_due
    retimes = db.session.scalars(
        select(Event).where(Event.case_id == case.id, Event.kind == "clock", Event.actor_name == "system")
    ).all()
    assert len(retimes) == 1 and retimes[0].data["clock"] == "answer"
    assert retimes[0].data["due_before"] != retimes[0].data["due_after"]
    shown = client.get(f"/api/v1/notices/{notice.id}", headers={"Authorization": f"Bearer {token}"})
    assert shown.json["delivery"]["method"] == "post"
    assert db.session.scalar(select(NoticeDelivery)).recorded_by_id == worker.id


def test_paper_service_inside_a_suspension_counts_from_the_resumption(
    client, people, open_case, make_token
):
    """Served on paper on 11-07, while the case was suspended (11-05 to 11-10): the answer
    period runs only from the resumption, so the days before the respondent's receipt are not
    counted as suspended: 15 days from 11-07 end on Sunday 11-22, moved by the 3 days suspended
    after the receipt to Wednesday 11-25 (not by the 5 days of the whole suspension, 11-27)."""
    worker, chief = people["caseworker"], people["supervisor"]
    with time_machine.travel(local(2026, 11, 2, 10), tick=False):
        case = open_case(worker, received_at=local(2026, 10, 30, 9))
        notice = _to_awaiting_answer(case, worker, local(2026, 11, 2, 9, 30))
    for trigger, day, data in (("suspend", 5, {"reason": "appraisal"}), ("resume", 10, {})):
        with time_machine.travel(local(2026, 11, day, 10), tick=False):
            case_fire(case, trigger, chief, data=data)
            db.session.commit()
    clock = db.session.scalar(select(Clock).where(Clock.case_id == case.id, Clock.name == "answer"))
    assert clock.due_at == local(2026, 11, 24)  # 11-17 + 5 days suspended → Sun 11-22 → 11-23
    token = make_token(worker)
    with time_machine.travel(local(2026, 11, 12, 10), tick=False):
        response = client.put(
            f"/api/v1/notices/{notice.id}/service",
            json={"served_at": "2026-11-07T10:00:00+08:00", "method": "post"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.json
    db.session.expire_all()
    clock = db.session.get(Clock, clock.id)
    assert clock.started_at == local(2026, 11, 7, 10)
    assert clock.due_at == local(2026, 11, 26)  # the end of 11-25
    assert clock.paused_seconds == 3 * 24 * 3600  # 11-07 10:00 to 11-10 10:00


def test_a_bare_date_is_served_that_day_and_a_notice_is_served_once(
    client, people, open_case, make_token
):
    """docs/api.md: an instant may be a bare date. Served on the day the notice was issued at
    12:40, it is served at the issue (the page's rule, now the service's); a second record of
    the same service is refused, naming the date already recorded."""
    worker = people["caseworker"]
    with time_machine.travel(local(2026, 10, 12, 12, 45), tick=False):
        case = open_case(worker, received_at=local(2026, 10, 9, 9))
        notice = _to_awaiting_answer(case, worker, local(2026, 10, 12, 12, 40))
    token = make_token(worker)
    body = {"served_at": "2026-10-12", "method": "in_person"}
    with time_machine.travel(local(2026, 10, 20, 10), tick=False):
        response = client.put(
            f"/api/v1/notices/{notice.id}/service", json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.json
        assert response.json["delivery"]["delivered_at"] == "2026-10-12T12:40:00+08:00"
        again = client.put(
            f"/api/v1/notices/{notice.id}/service", json={**body, "served_at": "2026-10-13"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert again.status_code == 409
    assert "已登记送达（2026年10月12日）" in again.json["error"]["message"]
    services = db.session.scalars(
        select(Event).where(Event.case_id == case.id, Event.kind == "service")
    ).all()
    assert len(services) == 1
    assert db.session.scalar(select(NoticeDelivery)).delivered_at == local(2026, 10, 12, 12, 40)


def test_paper_service_bad_input(client, people, open_case, make_token):
    worker = people["caseworker"]
    with time_machine.travel(local(2026, 10, 12, 10), tick=False):
        case = open_case(worker, received_at=local(2026, 10, 9, 9))
        notice = _to_awaiting_answer(case, worker, local(2026, 10, 12, 9, 30))
    token = make_token(worker)
    with time_machine.travel(local(2026, 10, 20, 10), tick=False):
        for body, status in (
            ({"served_at": "2026-10-16T15:00:00+08:00", "method": "pigeon"}, 422),
            ({"served_at": "yesterday", "method": "post"}, 422),
            ({"served_at": "2026-12-16T15:00:00+08:00", "method": "post"}, 422),
            ({"served_at": "2026-10-01T15:00:00+08:00", "method": "post"}, 422),
            ({"served_at": 20261016, "method": "post"}, 422),
            ({"method": "post"}, 422),
            ({"served_at": "2026-10-16T15:00:00+08:00", "method": "post", "note": "x" * 2000}, 422),
        ):
            response = client.put(
                f"/api/v1/notices/{notice.id}/service", json=body,
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == status, (body, response.json)
        missing = client.put("/api/v1/notices/999999/service", json={}, headers={"Authorization": f"Bearer {token}"})
        assert missing.status_code == 404
        huge = client.put("/api/v1/notices/99999999999/service", json={}, headers={"Authorization": f"Bearer {token}"})
        assert huge.status_code == 404


# -- party links over the API (§5) --------------------------------------------------------------


def test_party_link_made_and_revoked_over_the_api(client, people, open_case, make_token):
    case = open_case(people["caseworker"])
    token = make_token(people["caseworker"])
    auth = {"Authorization": f"Bearer {token}"}
    made = client.post(f"/api/v1/cases/{case.id}/parties/respondent/link", headers=auth)
    assert made.status_code == 201
    url = made.json["url"]
    again = client.post(f"/api/v1/cases/{case.id}/parties/respondent/link", headers=auth)
    assert again.json["url"] == url  # the same link until it is revoked
    path = url[url.index("/p/"):]
    assert client.get(path).status_code == 200
    revoked = client.delete(f"/api/v1/cases/{case.id}/parties/respondent/link", headers=auth)
    assert revoked.status_code == 200 and revoked.json["revoked"] == 1
    gone = client.get(path, headers={"Accept-Language": "en"})
    assert gone.status_code == 410
    fresh = client.post(f"/api/v1/cases/{case.id}/parties/respondent/link", headers=auth).json
    assert fresh["url"] != url
    for role in ("witness", "x" * 300, "respondent%00"):
        response = client.post(f"/api/v1/cases/{case.id}/parties/{role}/link", headers=auth)
        assert response.status_code in (400, 404), role
    viewer = {"Authorization": f"Bearer {make_token(people['viewer'])}"}
    assert client.post(f"/api/v1/cases/{case.id}/parties/respondent/link", headers=viewer).status_code == 403
    outsider = {"Authorization": f"Bearer {make_token(people['pd_worker'])}"}
    assert client.delete(
        f"/api/v1/cases/{case.id}/parties/respondent/link", headers=outsider
    ).status_code in (403, 404)
    assert client.post(f"/api/v1/cases/{case.id}/parties/respondent/link").status_code == 401


def test_the_page_prints_the_last_day_not_the_midnight_after_it(client, units):
    filed = _filed(client)
    body = _status(client, filed["number"], filed["public_code"]).json
    due_on = body["centre_deadline"]["due_on"]  # the last day; due_at is 24:00 of it
    next_day = date.fromisoformat(due_on) + timedelta(days=1)
    assert body["centre_deadline"]["due_at"] == f"{next_day.isoformat()}T00:00:00+08:00"
    page = client.get("/status", query_string={"number": filed["number"], "code": filed["public_code"]})
    year, month, day = (int(x) for x in due_on.split("-"))
    assert f"{year}年{month}月{day}日" in page.text


def test_the_status_and_the_party_page_point_to_the_case_it_went_on_to(client, people):
    """An intake accepted and routed onwards is closed: the complainant following it by its
    status code, or on its own page, learns where the matter went — the procedure, the new
    case's number, its unit and public stage — and nothing else of the new case."""
    from caseflow.cases.models import Case, CaseLink
    from caseflow.parties.services import party_link_ensure

    filed = _filed(client)
    intake = db.session.scalars(select(Case).where(Case.number == filed["number"])).one()
    case_fire(intake, "accept", people["caseworker"], data={"route": "adjudication"})
    db.session.commit()
    adjudication = db.session.scalars(select(CaseLink)).one().target
    shown = f"已转入：专利侵权纠纷行政裁决 {adjudication.number}（{adjudication.unit.name}，已申请）"

    body = _status(client, filed["number"], filed["public_code"]).json
    assert body["state"] == "accepted" and body["is_closed"]
    assert body["handed_over"] == [
        {
            "workflow": "adjudication",
            "workflow_label": "专利侵权纠纷行政裁决",
            "number": adjudication.number,
            "unit": adjudication.unit.name,
            "state": "filed",
            "state_label": "已申请",
        }
    ]
    page = client.get(
        "/status", query_string={"number": filed["number"], "code": filed["public_code"]}
    ).get_data(as_text=True)
    assert shown in page
    assert adjudication.public_code not in page

    _link, token = party_link_ensure(intake, "complainant")
    db.session.commit()
    page = client.get(f"/p/{token}").get_data(as_text=True)
    assert shown in page and adjudication.public_code not in page
    from flask_babel import refresh

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/lang/en", data={"next": "/status", "csrf_token": csrf})
    refresh()  # the test's app context outlives each request: drop the cached locale
    english = client.get(f"/p/{token}").get_data(as_text=True)
    assert f"Continued as: Patent infringement adjudication {adjudication.number}" in english
