"""Electronic service through the outbox (parties.md §4) against a real SMTP server and a local
SMS gateway, and the party's own page (§5)."""

import hashlib
import io
import json
import re
from email import message_from_bytes, policy

import pytest
import time_machine
from sqlalchemy import select

from caseflow.alerts.delivery import webhook_signature
from caseflow.alerts.models import Alert, OutboxMessage
from caseflow.cases.evidence import Evidence
from caseflow.cases.models import Event
from caseflow.clocks.models import Clock
from caseflow.engine import case_fire
from caseflow.errors import StateConflict
from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.parties.delivery import notice_deliveries_send
from caseflow.parties.models import NoticeDelivery, PartyConsent, PartyLink
from caseflow.parties.services import delivery_consent_set, party_link_ensure
from tests.parties.conftest import jpeg, local
from tests.support import png_of_zeros, served_respondent_token


def _served_case(people, open_case, *, email="legal@star.example", phone=None):
    """An adjudication case whose respondent consented, in awaiting_answer (answer notice out)."""
    worker = people["caseworker"]
    case = open_case(worker, received_at=local(2026, 10, 9, 9))
    delivery_consent_set(case=case, role="respondent", email=email, phone=phone, consent=True, by=worker)
    case_fire(case, "accept", worker, occurred_at=local(2026, 10, 12, 9), data={"handlers": ["甲", "乙", "丙"]})
    case_fire(case, "serve", worker, occurred_at=local(2026, 10, 12, 9, 30))
    db.session.commit()  # the caller commits (a page would)
    notice = db.session.scalar(select(Notice).where(Notice.case_id == case.id, Notice.kind == "answer_notice"))
    return case, notice


def _answer_clock(case):
    return db.session.scalar(
        select(Clock).where(Clock.case_id == case.id, Clock.name == "answer", Clock.status == "running")
    )


def test_answer_notice_emailed_retimes_the_answer_clock_to_smtp_acceptance(
    app, monkeypatch, smtp_server, sms_gateway, people, open_case, client, make_token, caplog
):
    received = smtp_server
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_URL", "https://ipc.example.cn")
    with time_machine.travel(local(2026, 10, 12, 9, 30), tick=False):
        case, notice = _served_case(people, open_case, phone="13912345678")
        provisional = _answer_clock(case).due_at
        rows = db.session.scalars(select(NoticeDelivery).where(NoticeDelivery.notice_id == notice.id)).all()
        assert sorted(r.method for r in rows) == ["email", "sms"]
        assert all(r.status == "pending" for r in rows)
    # The scheduler's outbox runs days later (a weekend in between): service is that moment.
    with time_machine.travel(local(2026, 10, 16, 17, 5), tick=True), caplog.at_level("INFO"):
        report = notice_deliveries_send()
    assert report.sent == 2 and report.failed == 0
    # deployment.md: a line per delivery at INFO, the address masked.
    sent_lines = [r.getMessage() for r in caplog.records if " sent: " in r.getMessage()]
    assert any("email to l***l@star.example" in line for line in sent_lines), sent_lines
    assert any("sms to 139****5678" in line for line in sent_lines), sent_lines
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("caseflow"))
    assert "legal@star.example" not in ours and "13912345678" not in ours  # (the test server logs)
    db.session.expire_all()
    mail_row = db.session.scalar(select(NoticeDelivery).where(NoticeDelivery.method == "email"))
    assert mail_row.status == "sent" and "250 2.0.0 Ok: queued as 4F2A1" in mail_row.proof
    assert local(2026, 10, 16, 17, 5) <= mail_row.delivered_at < local(2026, 10, 16, 17, 6)
    # The mail: to the respondent, the PDF attached, the personal link inside.
    (envelope,) = received.envelopes
    assert envelope.rcpt_tos == ["legal@star.example"]
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert notice.document_number in mail["Subject"]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https://ipc\.example\.cn/p/([A-Za-z0-9_-]+)", body)
    assert link and len(link.group(1)) >= 22
    attachments = [part for part in mail.iter_attachments()]
    assert attachments[0].get_content_type() == "application/pdf"
    # The SMS: signed, no PDF, the same link.
    (headers, raw), = sms_gateway.requests
    assert headers["X-Caseflow-Signature"] == webhook_signature(raw, "sms-secret")
    sms = json.loads(raw)
    assert sms["to"] == "13912345678" and link.group(0) in sms["text"]
    # The answer clock now counts from the SMTP acceptance, re-timed by "system", once.
    clock = _answer_clock(case)
    assert clock.started_at == mail_row.delivered_at and clock.due_at > provisional
    retimes = db.session.scalars(
        select(Event).where(Event.case_id == case.id, Event.kind == "clock")
    ).all()
    assert len(retimes) == 1 and retimes[0].actor_name == "system"
    assert retimes[0].data["clock"] == "answer"
    # The API shows the delivery, address masked; the link opens the party's page once.
    token = make_token(people["caseworker"])
    shown = client.get(f"/api/v1/cases/{case.id}", headers={"Authorization": f"Bearer {token}"}).json
    answer_notice = next(n for n in shown["notices"] if n["kind"] == "answer_notice")
    assert answer_notice["delivery"]["method"] == "email"
    assert answer_notice["delivery"]["address"] == "l***l@star.example"
    assert answer_notice["delivery"]["opened_at"] is None
    assert client.get(f"/p/{link.group(1)}").status_code == 200
    shown = client.get(f"/api/v1/notices/{notice.id}", headers={"Authorization": f"Bearer {token}"}).json
    assert shown["delivery"]["opened_at"] is not None
    # Nothing is sent twice.
    assert notice_deliveries_send().sent == 0 and len(received.envelopes) == 1


def test_a_refused_address_raises_an_alert_to_serve_on_paper(
    app, monkeypatch, smtp_server, people, open_case, client, login
):
    with time_machine.travel(local(2026, 10, 12, 9, 30), tick=False):
        case, notice = _served_case(people, open_case, email="nobody@refused.example")
        started = _answer_clock(case).started_at
    with time_machine.travel(local(2026, 10, 12, 10), tick=True):
        report = notice_deliveries_send()
    assert report.failed == 1
    row = db.session.scalar(select(NoticeDelivery))
    assert row.status == "failed" and "550" in row.last_error
    alert = db.session.scalar(select(Alert).where(Alert.case_id == case.id))
    assert alert.level == "undelivered" and alert.notice_id == notice.id and alert.clock_id is None
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.alert_id == alert.id))
    assert _answer_clock(case).started_at == started  # provisional start kept
    # The caseworker's alerts page lists it: the notice to serve on paper, and its answer
    # period's last day (the alert has no clock of its own).
    with time_machine.travel(local(2026, 10, 12, 11), tick=False):
        login(people["caseworker"])
        page = client.get("/alerts/")
    assert page.status_code == 200, page.text[:300]
    row = re.search(rf'<tr[^>]*id="alert-{alert.id}".*?</tr>', page.text, re.S).group(0)
    assert notice.document_number in row and "电子送达失败，请纸质送达" in row
    assert _answer_clock(case).due_at.strftime("%Y") in row and "年" in row


def test_an_unreachable_server_is_retried_then_alerted(app, monkeypatch, people, open_case):
    from tests.support import free_port

    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    with time_machine.travel(local(2026, 10, 12, 9, 30), tick=False):
        case, _notice = _served_case(people, open_case)
    report = notice_deliveries_send(local(2026, 10, 12, 10))
    assert report.retrying == 1
    row = db.session.scalar(select(NoticeDelivery))
    assert row.status == "pending" and row.next_attempt_at > local(2026, 10, 12, 10)
    for hour in range(11, 20):
        notice_deliveries_send(local(2026, 10, 12, hour))
    db.session.expire_all()
    assert db.session.scalar(select(NoticeDelivery)).status == "failed"
    assert db.session.scalar(select(Alert)).level == "undelivered"


def test_consent_withdrawn_means_paper_again(people, open_case):
    worker = people["caseworker"]
    with time_machine.travel(local(2026, 10, 12, 9, 30), tick=False):
        case = open_case(worker, received_at=local(2026, 10, 9, 9))
        delivery_consent_set(case=case, role="respondent", email="a@b.example", consent=True, by=worker)
        delivery_consent_set(case=case, role="respondent", consent=False, by=worker)
        case_fire(case, "accept", worker, data={"handlers": ["甲", "乙", "丙"]})
        case_fire(case, "serve", worker)
        db.session.commit()  # the caller commits (a page would)
    assert db.session.scalar(select(NoticeDelivery)) is None


# -- the party's page ---------------------------------------------------------------------------


def test_the_respondent_answers_through_its_link(client, people, open_case):
    with time_machine.travel(local(2026, 10, 12, 9, 30), tick=False):
        case, _notice = _served_case(people, open_case)
        link, token = party_link_ensure(case, "respondent")
        db.session.commit()
    assert len(token) >= 22 and link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps([link.salt, link.token_hash])
    with time_machine.travel(local(2026, 10, 14, 15), tick=False):
        page = client.get(f"/p/{token}")
        assert page.status_code == 200
        assert "提交答辩书" in page.text and "答辩通知书" in page.text
        # Never the other party's contact, never staff names or notes.
        assert "张承办" not in page.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = client.post(
            f"/p/{token}/submit",
            data={
                "csrf_token": csrf,
                "text": "我方产品系自行设计，不构成侵权。",
                "files": [(io.BytesIO(jpeg()), "答辩证据.jpg"), (io.BytesIO(b"%PDF-1.4 x"), "答辩书.pdf")],
            },
            content_type="multipart/form-data",
        )
    assert response.status_code == 303
    db.session.expire_all()
    case = db.session.get(type(case), case.id)
    assert case.state == "under_review"
    event = db.session.scalar(
        select(Event).where(Event.case_id == case.id, Event.trigger == "receive_answer")
    )
    assert event.actor_name == "party:respondent" and event.actor_id is None
    assert event.occurred_at == local(2026, 10, 14, 15)
    files = db.session.scalars(select(Evidence).where(Evidence.case_id == case.id)).all()
    assert sorted(f.filename for f in files) == ["答辩书.pdf", "答辩证据.jpg"]
    assert all(len(f.sha256) == 64 for f in files)
    # Nothing more to submit now.
    assert "提交答辩书" not in client.get(f"/p/{token}").text


def test_the_party_page_refuses_bad_tokens_and_bad_files(client, people, open_case):
    with time_machine.travel(local(2026, 10, 12, 9, 30), tick=False):
        case, _notice = _served_case(people, open_case)
        link, token = party_link_ensure(case, "respondent")
        db.session.commit()
    assert client.get("/p/" + "A" * 43).status_code == 404
    assert client.get("/p/short").status_code == 404
    assert client.get("/p/" + "A" * 5000).status_code in (404, 414)
    assert client.get("/p/abc%00defghijklmnopqrstuvwxyz").status_code in (400, 404)
    page = client.get(f"/p/{token}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    for files, reason in (
        ([(io.BytesIO(b"MZ\x90"), "virus.exe")], "文件类型不允许"),
        ([(io.BytesIO(b"not a jpeg"), "fake.jpg")], "不符"),
        ([(io.BytesIO(jpeg(10)), f"p{i}.jpg") for i in range(11)], "10"),
        ([(io.BytesIO(png_of_zeros(20000, 20000)), "bomb.png")], "像素"),
    ):
        refused = client.post(
            f"/p/{token}/submit",
            data={"csrf_token": csrf, "text": "保留我输入的文字", "files": files},
            content_type="multipart/form-data",
        )
        assert refused.status_code == 422 and reason in refused.text
        assert "保留我输入的文字" in refused.text  # what was typed is kept
    assert db.session.get(type(case), case.id).state == "awaiting_answer"
    nul = client.post(f"/p/{token}/submit", data={"csrf_token": csrf, "text": "a\x00b"})
    assert nul.status_code == 400
    # A revoked link says so, in English when asked.
    from caseflow.parties.services import party_link_revoke

    party_link_revoke(case=case, role="respondent", actor=people["caseworker"])
    gone = client.get(f"/p/{token}")
    assert gone.status_code == 410 and "撤销" in gone.text
    assert db.session.scalar(select(PartyLink)).revoked_at is not None


def test_a_link_expires_90_days_after_the_case_closed(client, people, open_case):
    worker = people["caseworker"]
    with time_machine.travel(local(2026, 10, 12, 9, 30), tick=False):
        case = open_case(worker, received_at=local(2026, 10, 9, 9))
        case_fire(case, "reject", worker, data={"reason": "不属于受理范围"})
        db.session.commit()  # the caller commits (a page would)
        _link, token = party_link_ensure(case, "complainant")
        db.session.commit()
        assert client.get(f"/p/{token}").status_code == 200
    with time_machine.travel(local(2027, 1, 20, 9), tick=False):
        assert client.get(f"/p/{token}").status_code == 410


def test_no_new_link_once_a_closed_case_is_past_the_links_lifetime(
    client, people, open_case, make_token, login
):
    """A link made then would answer 410 at once: staff are told why instead (409)."""
    worker = people["caseworker"]
    with time_machine.travel(local(2026, 10, 12, 9, 30), tick=False):
        case = open_case(worker, received_at=local(2026, 10, 9, 9))
        case_fire(case, "reject", worker, data={"reason": "不属于受理范围"})
        db.session.commit()
    headers = {"Authorization": f"Bearer {make_token(worker)}"}
    url = f"/api/v1/cases/{case.id}/parties/complainant/link"
    with time_machine.travel(local(2027, 1, 9, 9), tick=False):  # 89 days after closing
        assert client.post(url, headers=headers).status_code == 201
    with time_machine.travel(local(2027, 1, 20, 9), tick=False):
        refused = client.post(url, headers=headers)
        assert refused.status_code == 409
        assert "案件办结已满90日" in refused.json["error"]["message"]
        login(worker)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get(f"/cases/{case.id}").text)
        page = client.post(
            f"/cases/{case.id}/parties/respondent/link",
            data={"csrf_token": csrf.group(1)},
            follow_redirects=True,
        )
        assert "案件办结已满90日" in page.text and "/p/" not in page.text
    assert db.session.scalar(select(PartyLink).where(PartyLink.role == "respondent")) is None


def test_the_party_gives_and_withdraws_consent_on_its_page(client, people, open_case):
    case = open_case(people["caseworker"])
    _link, token = party_link_ensure(case, "respondent")
    db.session.commit()
    page = client.get(f"/p/{token}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    bad = client.post(f"/p/{token}/consent", data={"csrf_token": csrf, "consent": "1", "email": "nope"})
    assert bad.status_code == 422 and "电子邮箱格式不正确" in bad.text
    given = client.post(f"/p/{token}/consent", data={"csrf_token": csrf, "consent": "1", "email": "x@y.example"})
    assert given.status_code == 303
    withdrawn = client.post(f"/p/{token}/consent", data={"csrf_token": csrf, "consent": "0"})
    assert withdrawn.status_code == 303
    events = db.session.scalars(
        select(Event).where(Event.case_id == case.id, Event.kind == "delivery_consent")
    ).all()
    assert [(e.actor_name, e.data["consent"]) for e in events] == [
        ("party:respondent", True),
        ("party:respondent", False),
    ]


def test_a_blank_address_on_the_party_page_keeps_its_channel_and_a_box_stops_it(
    client, people, open_case
):
    """The page shows the addresses masked, never in its fields: changing only the e-mail keeps
    the SMS; 不再通过短信送达 stops it; a number typed with that box ticked is refused, with
    nothing changed."""
    case = open_case(people["caseworker"])
    delivery_consent_set(
        case=case, role="respondent", email="legal@star.example", phone="13912345678",
        consent=True, by=people["caseworker"],
    )
    _link, token = party_link_ensure(case, "respondent")
    db.session.commit()
    page = client.get(f"/p/{token}").text
    section = page[page.index('id="consent"'):]
    assert "留空则保持不变" in section
    assert "不再通过电子邮件送达" in section and "不再通过短信送达" in section
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def consent():
        db.session.expire_all()
        record = db.session.scalar(select(PartyConsent).where(PartyConsent.case_id == case.id))
        return record.consent, record.email, record.phone

    changed = client.post(
        f"/p/{token}/consent", data={"csrf_token": csrf, "consent": "1", "email": "new@star.example"}
    )
    assert changed.status_code == 303
    assert consent() == (True, "new@star.example", "13912345678")
    both = client.post(
        f"/p/{token}/consent",
        data={"csrf_token": csrf, "consent": "1", "phone": "13900000000", "drop_phone": "1"},
    )
    assert both.status_code == 422 and "不再通过短信送达" in both.text
    assert consent() == (True, "new@star.example", "13912345678")
    dropped = client.post(f"/p/{token}/consent", data={"csrf_token": csrf, "consent": "1", "drop_phone": "1"})
    assert dropped.status_code == 303
    assert consent() == (True, "new@star.example", None)
    # Dropping the last channel is no consent to electronic service: withdraw it instead.
    last = client.post(f"/p/{token}/consent", data={"csrf_token": csrf, "consent": "1", "drop_email": "1"})
    assert last.status_code == 422 and "撤回电子送达同意" in last.text
    assert consent() == (True, "new@star.example", None)


def test_a_refused_sms_with_no_email_alerts_and_a_bounced_email_falls_back_to_the_sms(
    app, monkeypatch, smtp_server, people, open_case
):
    from tests.parties.conftest import Receiver

    gateway = Receiver(script=[400, 200])
    monkeypatch.setitem(app.config, "CASEFLOW_SMS_URL", gateway.url)
    try:
        with time_machine.travel(local(2026, 10, 12, 9, 30), tick=False):
            case, notice = _served_case(people, open_case, email=None, phone="13912345678")
        assert notice_deliveries_send(local(2026, 10, 12, 10)).failed == 1
        alert = db.session.scalar(select(Alert).where(Alert.notice_id == notice.id))
        assert alert is not None and alert.level == "undelivered"
        # Another case: the e-mail bounces, the SMS got through: the SMS is the service.
        with time_machine.travel(local(2026, 10, 13, 9, 30), tick=False):
            other = open_case(people["caseworker"], received_at=local(2026, 10, 13, 9))
            delivery_consent_set(
                case=other, role="respondent", email="x@refused.example", phone="13900000000",
                consent=True, by=people["caseworker"],
            )
            case_fire(other, "accept", people["caseworker"], data={"handlers": ["甲", "乙", "丙"]})
            case_fire(other, "serve", people["caseworker"])
            db.session.commit()  # the caller commits (a page would)
        with time_machine.travel(local(2026, 10, 14, 11), tick=True):
            report = notice_deliveries_send()
        assert (report.sent, report.failed) == (1, 1)
        other_notice = db.session.scalar(
            select(Notice).where(Notice.case_id == other.id, Notice.kind == "answer_notice")
        )
        assert db.session.scalar(select(Alert).where(Alert.notice_id == other_notice.id)) is None
        sms = db.session.scalar(
            select(NoticeDelivery).where(
                NoticeDelivery.notice_id == other_notice.id, NoticeDelivery.method == "sms"
            )
        )
        assert _answer_clock(other).started_at == sms.delivered_at
    finally:
        gateway.close()


def test_a_file_already_on_the_case_is_filed_once_and_the_answer_goes_through(
    client, people, open_case
):
    """The respondent attaches a copy of a document the case already holds (the complainant's
    request, served with the answer notice): the answer is received, the copy is not stored
    again, and the page names no other upload (its file name, time or number)."""
    from caseflow.cases.evidence import evidence_add

    request_pdf = b"%PDF-1.4 the request as served"
    with time_machine.travel(local(2026, 10, 12, 9, 30), tick=False):
        case, _notice = _served_case(people, open_case)
        evidence_add(
            case=case,
            actor=people["caseworker"],
            filename="请求人-商业秘密-保密.pdf",
            content=request_pdf,
            description="请求书",
        )
        _link, token = party_link_ensure(case, "respondent")
        db.session.commit()
    with time_machine.travel(local(2026, 10, 14, 15), tick=False):
        page = client.get(f"/p/{token}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = client.post(
            f"/p/{token}/submit",
            data={
                "csrf_token": csrf,
                "text": "答辩意见见附件。",
                "files": [(io.BytesIO(request_pdf), "收到的请求书.pdf"), (io.BytesIO(jpeg()), "产品照片.jpg")],
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 303, response.text
        after = client.get(f"/p/{token}", follow_redirects=True).text
    assert "保密" not in response.text + after and "证据 #" not in response.text + after
    db.session.expire_all()
    assert db.session.get(type(case), case.id).state == "under_review"
    files = db.session.scalars(
        select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id)
    ).all()
    assert [f.filename for f in files] == ["请求人-商业秘密-保密.pdf", "产品照片.jpg"]


def test_staff_are_still_told_of_a_file_already_on_the_case(people, open_case):
    import pytest

    from caseflow.cases.evidence import evidence_add
    from caseflow.errors import ValidationFailed

    case = open_case(people["caseworker"])
    evidence_add(case=case, actor=people["caseworker"], filename="a.pdf", content=b"%PDF-1.4 a")
    with pytest.raises(ValidationFailed) as refused:
        evidence_add(case=case, actor=people["caseworker"], filename="b.pdf", content=b"%PDF-1.4 a")
    assert "a.pdf" in refused.value.message


def test_the_party_page_names_the_party_as_its_procedure_does(client, people, open_case):
    """A penalty's respondent is 当事人 (PARTY_LABELS), not 被请求人/被投诉人; in English too."""
    case = open_case(people["caseworker"], workflow="penalty")
    _link, token = party_link_ensure(case, "respondent")
    db.session.commit()
    page = client.get(f"/p/{token}").text
    assert "您是本案的<strong>当事人</strong>" in page and "被请求人" not in page
    from flask_babel import refresh

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/lang/en", data={"next": "/status", "csrf_token": csrf})
    refresh()  # the test's app context outlives each request: drop the cached locale
    assert "You are the <strong>party concerned</strong> in this case" in client.get(f"/p/{token}").text


def test_a_mediations_parties_are_named_alike_everywhere(client, people, open_case, login):
    """procedures.md §4 and the 调解意见征询函: a mediation's parties are 请求人 and 被请求人,
    on the party's page and on the case page, as on the agreement (tests/api)."""
    case = open_case(people["caseworker"], workflow="mediation")
    _link, token = party_link_ensure(case, "respondent")
    db.session.commit()
    page = client.get(f"/p/{token}").text
    assert "您是本案的<strong>被请求人</strong>" in page and "申请人" not in page
    login(people["caseworker"])
    staff_page = client.get(f"/cases/{case.id}").text
    assert "<th>请求人</th>" in staff_page and "<th>被请求人</th>" in staff_page
    assert "投诉人" not in staff_page and "申请人" not in staff_page


def _intent_notified(people, open_case):
    """A penalty whose intent notice the respondent signed for on 2026-10-20 (a Tuesday): its
    statement period runs to 2026-10-27; and the respondent's link."""
    worker, chief = people["caseworker"], people["supervisor"]
    with time_machine.travel(local(2026, 10, 20, 9), tick=False):
        case = open_case(worker, workflow="penalty", received_at=local(2026, 10, 9, 9))
        case_fire(
            case, "file_case", chief, occurred_at=local(2026, 10, 12, 9), data={"handlers": ["张三", "李四"]}
        )
        case_fire(
            case,
            "notify_intent",
            worker,
            data={
                "proposed_fine": 30000,
                "illegal_income": 2000,
                "confiscation": "违法所得2000元",
                "facts": "标注他人专利号",
            },
        )
        _link, token = party_link_ensure(case, "respondent")
        db.session.commit()
    return case, token


def _party_post(client, token, **data):
    page = client.get(f"/p/{token}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return page, client.post(f"/p/{token}/submit", data={"csrf_token": csrf, **data})


def test_a_statement_through_the_link_is_stored_as_the_staffs_is(client, people, open_case):
    """The penalty respondent's 陈述申辩 sent from its page is the step's ``statement`` (event
    and case data), as when the caseworker records it: not an internal note."""
    case, token = _intent_notified(people, open_case)
    statement = "我方已停止标注，请求从轻处罚。"
    with time_machine.travel(local(2026, 10, 21, 9), tick=False):
        page, response = _party_post(client, token, text=statement)
    assert "提交陈述申辩意见" in page
    assert response.status_code == 303
    db.session.expire_all()
    event = db.session.scalar(
        select(Event).where(Event.case_id == case.id, Event.trigger == "receive_statement")
    )
    assert event.data["statement"] == statement and event.note == ""
    assert "hearing_waived" not in event.data
    assert db.session.get(type(case), case.id).data["statement"] == statement


def test_the_respondent_waives_its_hearing_in_writing_on_its_page(client, people, open_case):
    """行政处罚法 arts 63–64: the respondent's own written waiver, ticked beside its statement,
    lets the penalty be decided before its period to ask for a hearing has run (2026-10-27);
    without it the decision waits."""
    chief = people["supervisor"]
    decision = {
        "fine": 20000,
        "illegal_income": 2000,
        "confiscation": "违法所得2000元",
        "basis": "《专利法》第六十八条",
        "findings": "当事人在其销售的灯具包装上标注他人的专利号。",
        "reasoning": "当事人的行为构成假冒专利。",
        "items": ["责令改正并消除影响", "处以罚款"],
    }
    waived, token = _intent_notified(people, open_case)
    kept, kept_token = _intent_notified(people, open_case)
    with time_machine.travel(local(2026, 10, 21, 9), tick=False):
        page, response = _party_post(client, token, text="我方认可事实。", waive_hearing="1")
        assert "书面放弃听证权利" in page and "第六十三条、第六十四条" in page
        assert response.status_code == 303
        _, response = _party_post(client, kept_token, text="我方认可事实。")
        assert response.status_code == 303
    db.session.expire_all()
    event = db.session.scalar(
        select(Event).where(Event.case_id == waived.id, Event.trigger == "receive_statement")
    )
    assert event.data["hearing_waived"] is True and event.actor_name == "party:respondent"
    at = local(2026, 10, 22, 9)  # within the statement period
    case_fire(db.session.get(type(waived), waived.id), "decide_penalty", chief, occurred_at=at, data=decision)
    db.session.commit()
    assert db.session.get(type(waived), waived.id).state == "decided"
    with pytest.raises(StateConflict, match="第六十三条"):
        case_fire(db.session.get(type(kept), kept.id), "decide_penalty", chief, occurred_at=at, data=decision)
    db.session.rollback()


def test_a_waiver_where_there_is_no_hearing_is_refused_and_changes_nothing(client, people, open_case):
    """An adjudication's answer has no hearing to give up: the page offers no box, and a posted
    ``waive_hearing`` is refused in words with nothing written."""
    case = open_case(people["caseworker"])
    token = served_respondent_token(case, people["caseworker"])
    page, response = _party_post(client, token, text="答辩意见", waive_hearing="1")
    assert "提交答辩书" in page and "放弃听证" not in page
    assert response.status_code == 422
    assert "本阶段没有可放弃的听证" in response.text
    db.session.expire_all()
    assert db.session.get(type(case), case.id).state == "awaiting_answer"
    assert db.session.scalar(
        select(Event).where(Event.case_id == case.id, Event.trigger == "receive_answer")
    ) is None


def test_a_refused_consent_is_said_by_its_labels_in_the_consent_section(client, people, open_case):
    """A wrong e-mail typed on the party page is said in the 电子送达 section, by the field's label
    and in the page's language (not above 提交答辩书, not ``email``, not both languages at once)."""
    from flask_babel import refresh

    worker = people["caseworker"]
    token = served_respondent_token(open_case(worker), worker)
    page = client.get(f"/p/{token}")
    assert 'id="party-submit"' in page.text  # the respondent has its answer to file
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    bad = client.post(f"/p/{token}/consent", data={"csrf_token": csrf, "consent": "1", "email": "bad@@x"})
    assert bad.status_code == 422
    alert = re.search(r'id="consent-error">([^<]*)<', bad.text).group(1)
    assert alert == "请更正：电子邮箱（电子邮箱格式不正确）"
    assert bad.text.index('id="consent"') < bad.text.index('id="consent-error"')
    assert 'id="submit-error"' not in bad.text
    client.post("/lang/en", data={"next": f"/p/{token}", "csrf_token": csrf})
    refresh()  # the test's app context outlives each request: drop the cached locale
    english = client.post(f"/p/{token}/consent", data={"csrf_token": csrf, "consent": "1", "email": "bad@@x"})
    alert = re.search(r'id="consent-error">([^<]*)<', english.text).group(1)
    assert alert.startswith("Please correct: ") and "not an e-mail address" in alert
    assert "email" not in alert.replace("e-mail", "") and "电子" not in alert


def test_the_brand_on_every_public_page_leads_to_the_status_look_up(client, people, open_case):
    """parties.md: public pages point to /status, never to the staff login; the brand in the
    top bar too (a party, the public, the 404 and 410 pages)."""
    from caseflow.parties.services import party_link_revoke

    case = open_case(people["caseworker"])
    _link, token = party_link_ensure(case, "respondent")
    db.session.commit()
    brand = re.compile(r'<a class="brand" href="([^"]*)"')
    pages = {
        "/status": 200,
        "/complain": 200,
        f"/p/{token}": 200,
        "/p/no-such-token": 404,
        "/verify/NO-SUCH-CODE": 404,
    }
    for path, status in pages.items():
        page = client.get(path)
        assert page.status_code == status, path
        assert brand.search(page.text).group(1) == "/status", path
    party_link_revoke(case=case, role="respondent", actor=people["caseworker"])
    db.session.commit()
    gone = client.get(f"/p/{token}")
    assert gone.status_code == 410 and brand.search(gone.text).group(1) == "/status"
    # The staff pages keep theirs.
    assert brand.search(client.get("/login").text).group(1) == "/"
