"""The case page's service panel (parties.md §3–§5): the caseworker records a party's consent,
makes and revokes its link, and records a paper service; the online form and /verify follow the
language switch."""

import re

import time_machine
from flask_babel import refresh
from sqlalchemy import select

from caseflow.cases.models import Event
from caseflow.clocks.models import Clock
from caseflow.engine import case_fire
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.parties.models import NoticeDelivery, PartyConsent, PartyLink
from tests.parties.conftest import local
from tests.support import statements_sent


def _csrf(text):
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


def test_the_caseworker_records_consent_link_and_paper_service(client, people, open_case, login):
    worker = people["caseworker"]
    with time_machine.travel(local(2026, 10, 12, 9, 30), tick=False):
        case = open_case(worker, received_at=local(2026, 10, 9, 9))
        case_fire(case, "accept", worker, data={"handlers": ["甲", "乙", "丙"]})
        case_fire(case, "serve", worker)
        db.session.commit()  # the caller commits (a page would)
    with time_machine.travel(local(2026, 10, 20, 10), tick=True):
        login(worker)
        page = client.get(f"/cases/{case.id}")
        assert page.status_code == 200 and "送达与当事人链接" in page.text and "登记纸质送达" in page.text
        token = _csrf(page.text)
        bad = client.post(
            f"/cases/{case.id}/parties/respondent/delivery",
            data={"csrf_token": token, "consent": "1", "email": "nope"},
            follow_redirects=True,
        )
        # Named by its label, never by the service's key ("email 电子邮箱格式不正确").
        assert "请更正：电子邮箱（电子邮箱格式不正确）" in bad.text and "email 电子" not in bad.text
        client.post(
            f"/cases/{case.id}/parties/respondent/delivery",
            data={"csrf_token": token, "consent": "1", "email": "legal@star.example"},
        )
        consent = db.session.scalar(select(PartyConsent))
        assert consent.consent and consent.email == "legal@star.example"
        shown = client.post(
            f"/cases/{case.id}/parties/respondent/link", data={"csrf_token": token}, follow_redirects=True
        )
        link_url = re.search(r"/p/[A-Za-z0-9_-]{40,}", shown.text).group(0)
        assert client.get(link_url).status_code == 200
        client.post(f"/cases/{case.id}/parties/respondent/link", data={"csrf_token": token, "revoke": "1"})
        assert client.get(link_url).status_code == 410
        assert db.session.scalar(select(PartyLink)).revoked_at is not None
        notice = db.session.scalar(select(Notice).where(Notice.kind == "answer_notice"))
        if True:  # the caseworker records it days later
            future = client.post(
                f"/notices/{notice.id}/service",
                data={"csrf_token": token, "served_at": "2026-12-01", "method": "post"},
                follow_redirects=True,
            )
            assert "请更正：送达日期（不能是将来的时间）" in future.text
            assert "served_at 不能" not in future.text
            client.post(
                f"/notices/{notice.id}/service",
                data={"csrf_token": token, "served_at": "2026-10-15", "method": "in_person"},
            )
        row = db.session.scalar(select(NoticeDelivery).where(NoticeDelivery.method == "in_person"))
        assert row.delivered_at == local(2026, 10, 15, 12)
        clock = db.session.scalar(
            select(Clock).where(Clock.case_id == case.id, Clock.name == "answer", Clock.status == "running")
        )
        assert clock.started_at == local(2026, 10, 15, 12)
        assert db.session.scalar(select(Event).where(Event.kind == "clock", Event.actor_name == "system"))
        page = client.get(f"/cases/{case.id}")
        assert "直接送达" in page.text and "已同意电子送达" in page.text
        delivery = re.search(r'class="small delivery">(.*?)</span>', page.text, re.S).group(1)
        assert "送达于 2026年10月15日 12:00" in " ".join(delivery.split()), delivery
        # The timeline names each kind of event and party in words, never by its key.
        timeline = page.text.split('id="timeline"')[1].split("</section>")[0]
        assert "<strong>送达地址确认</strong>" in timeline and "<strong>当事人链接</strong>" in timeline
        assert "同意电子送达（被请求人）" in timeline
        for key in ("delivery_consent", "party_link", "respondent"):
            assert key not in timeline, key


def test_the_viewer_sees_the_panel_but_no_forms(client, people, open_case, login):
    case = open_case(people["caseworker"])
    login(people["viewer"])
    page = client.get(f"/cases/{case.id}")
    assert "送达与当事人链接" in page.text and "同意电子送达</button>" not in page.text
    refused = client.post(
        f"/cases/{case.id}/parties/respondent/delivery",
        data={"csrf_token": _csrf(page.text), "consent": "1", "email": "a@b.example"},
        follow_redirects=True,
    )
    assert db.session.scalar(select(PartyConsent)) is None and refused.status_code == 200


def test_the_case_page_reads_each_service_table_once_however_many_notices(
    client, people, open_case, login
):
    """The service panel's reads do not grow with the case's notices: one query for the service
    rows of all of them (each notice was a query of its own), one for the parties' links and one
    for their consents (each party was two), and the notices themselves once."""
    worker = people["caseworker"]
    with time_machine.travel(local(2026, 10, 12, 9, 30), tick=False):
        case = open_case(worker, received_at=local(2026, 10, 9, 9))
        case_fire(case, "accept", worker, data={"handlers": ["甲", "乙", "丙"]})
        case_fire(case, "serve", worker)
        db.session.commit()  # the notices render after the commit
    issued = db.session.scalars(select(Notice).where(Notice.status == "issued")).all()
    assert len(issued) >= 2
    with time_machine.travel(local(2026, 10, 20, 10), tick=True):
        login(worker)
        with statements_sent() as statements:
            page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200 and all(f'data-notice="{n.id}"' in page.text for n in issued)
    reads = {
        table: sum(1 for s in statements if s.lstrip().startswith("SELECT") and f"FROM {table}" in s)
        for table in ("notice_deliveries", "party_links", "party_consents", "notices")
    }
    assert reads == {"notice_deliveries": 1, "party_links": 1, "party_consents": 1, "notices": 1}


def test_the_filing_form_in_english_with_errors_beside_the_fields(client, units):
    first = client.get("/complain")
    client.post("/lang/en", data={"next": "/complain", "csrf_token": _csrf(first.text)})
    refresh()  # the test's app context outlives each request: drop the cached locale
    page = client.get("/complain")
    assert page.status_code == 200 and "File a complaint online" in page.text
    response = client.post(
        "/complain",
        data={"csrf_token": _csrf(page.text), "unit": "ZS", "complainant.name": "Lumen", "facts": "x" * 10},
    )
    assert response.status_code == 422
    assert "complainant.contact" in response.text or "required" in response.text
    assert 'value="Lumen"' in response.text
    nul = client.post("/complain", data={"csrf_token": _csrf(page.text), "facts": "a\x00b"})
    assert nul.status_code == 400


def test_the_filing_form_files_a_complaint(client, units):
    page = client.get("/complain")
    response = client.post(
        "/complain",
        data={
            "csrf_token": _csrf(page.text),
            "unit": "ZS",
            "complainant.name": "张三",
            "complainant.contact": "13800000000",
            "facts": "商场销售假冒专利产品",
            "website": "",
        },
    )
    assert response.status_code == 303 and response.location.endswith("/complain/filed")
    assert "投诉已提交" in client.get(response.location).text
    trap = client.post(
        "/complain",
        data={"csrf_token": _csrf(page.text), "unit": "ZS", "website": "http://x", "facts": "spam"},
    )
    assert trap.status_code == 400


def test_reloading_the_receipt_page_files_nothing_again(client, units, app):
    """Post/Redirect/Get: the filing answers 303 to a receipt page; reloading that page shows the
    same number and status code and files no second case. Another browser (no session) is sent
    to /status, and the page expires after half an hour."""
    from caseflow.cases.models import Case

    page = client.get("/complain")
    form = {
        "csrf_token": _csrf(page.text),
        "unit": "ZS",
        "complainant.name": "张三",
        "complainant.contact": "13800000000",
        "facts": "商场销售假冒专利产品",
    }
    filed = client.post("/complain", data=form)
    assert filed.status_code == 303
    first, again = client.get(filed.location), client.get(filed.location)
    case = db.session.scalars(select(Case)).one()  # one case, however often the page is read
    for receipt in (first, again):
        assert receipt.status_code == 200 and "投诉已提交" in receipt.text
        assert case.number in receipt.text and case.public_code in receipt.text
        assert f"code={case.public_code}" in receipt.text  # the receipt link
        assert receipt.headers["Cache-Control"] == "no-store"
    stranger = app.test_client().get(filed.location)
    assert stranger.status_code == 303 and stranger.location.endswith("/status")
    with time_machine.travel(local(2099, 1, 1, 9), tick=False):
        expired = client.get(filed.location)
    assert expired.status_code == 303 and case.public_code not in expired.text


def test_the_public_pages_use_one_english_word_for_each_thing(client, units, people, open_case):
    """The summary names a field by its label (Facts and reasons); the code to look a case up is
    the status code on every page; 起诉期限 is the period to sue (Patent Law art 65)."""
    first = client.get("/complain")
    client.post("/lang/en", data={"next": "/complain", "csrf_token": _csrf(first.text)})
    refresh()
    page = client.get("/complain")
    refused = client.post(
        "/complain",
        data={"csrf_token": _csrf(page.text), "unit": "ZS", "complainant.name": "Lumen", "facts": ""},
    )
    banner = re.search(r'id="form-error">([^<]*)<', refused.text).group(1)
    assert "Facts and reasons (required)" in banner and "Facts of the complaint" not in banner
    lookup = client.get("/status")
    assert "Status code" in lookup.text and "Public code" not in lookup.text
    wrong = client.post("/status", data={"csrf_token": _csrf(lookup.text), "number": "X", "code": "Y"})
    assert "Wrong case number or status code" in wrong.text
