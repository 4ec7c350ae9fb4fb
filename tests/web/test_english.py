"""English mode: after the switch, the pages' own words (navigation, labels, buttons, states,
countdowns) are English. Data people typed (party names, titles, unit names) stays as typed."""

import io
import re

import pytest
from sqlalchemy import select

from tests.support import csrf_from

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def _untranslated(html: str, data: list[str]) -> list[str]:
    """Chinese left in the page's visible text once the data strings are taken out."""
    # Scripts, and examples of file contents (<code>), are not prose.
    html = re.sub(r"<(script|style|code)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    # The switch back is labelled in its own language.
    for item in sorted([*data, "中文"], key=len, reverse=True):
        text = text.replace(item, " ")
    return CJK.findall(text)


@pytest.fixture
def english(client):
    def switch(page_text):
        response = client.post("/lang/en", data={"csrf_token": csrf_from(page_text)})
        assert response.status_code == 302
        # The test client reuses the test's app context, where Flask-Babel caches the locale.
        from flask_babel import refresh

        refresh()

    return switch


def test_pages_in_english_have_no_chinese_words_of_their_own(
    client, people, units, open_case, login, english
):
    worker = people["caseworker"]
    case = open_case(worker)
    data = [
        worker.display_name,
        case.title,
        case.complainant_name,
        case.respondent_name,
        *(u.name for u in units.values()),
    ]
    login(worker)
    english(client.get("/inbox").text)
    for path in ("/inbox", f"/cases/{case.id}", "/cases/new", "/applicants"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert _untranslated(page.text, data) == [], (path, _untranslated(page.text, data))
    case_page = client.get(f"/cases/{case.id}").text
    assert "working days left" in case_page or "due today" in case_page
    assert "Inbox" in case_page and "Filed" in case_page


def test_admin_and_fair_pages_in_english(
    client, people, units, fair_with_exhibitors, login, english
):
    admin = people["admin"]
    data = [u.display_name for u in people.values()] + [u.name for u in units.values()]
    data += [fair_with_exhibitors.name, fair_with_exhibitors.venue, fair_with_exhibitors.organiser]
    data += [e.name for e in fair_with_exhibitors.exhibitors]
    # A unit profile is data too: its contact, address and document-number patterns.
    for unit in units.values():
        profile = unit.profile or {}
        data += [profile.get("contact") or "", profile.get("address") or ""]
        data += list((profile.get("doc_patterns") or {}).values())
    # The official calendar's sources (国办发明电〔2025〕7号) are data as well.
    from caseflow.calendar.selectors import calendar_year_get

    data += [calendar_year_get(year)["source"] or "" for year in range(2024, 2030)]
    data = [item for item in data if item]
    login(admin)
    english(client.get("/admin").text)
    paths = (
        "/admin",
        "/admin?tab=units",
        "/admin?tab=calendar",
        "/admin?tab=outbox",
        "/admin/units/ZS",
        f"/admin/users/{people['caseworker'].id}",
        "/fairs",
        f"/fairs/{fair_with_exhibitors.id}",
        "/dashboard",
    )
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, path
        assert _untranslated(page.text, data) == [], (path, _untranslated(page.text, data))
    login(people["desk"])
    for path in ("/desk", "/alerts/"):
        page = client.get(path)
        assert page.status_code in (200, 404), path
        assert _untranslated(page.text, data) == [], (path, _untranslated(page.text, data))


def test_credit_record_page_and_the_queue_in_english(client, people, units, login, english, credit_world):
    """The record page with its buttons and the confirmation, and the dashboard's credit rows."""
    import time_machine

    from tests.web.test_credit import NOW

    chief = people["supervisor"]
    record = credit_world["published"]
    data = [
        chief.display_name,
        *(u.name for u in units.values()),
        *(r.subject_name for r in credit_world.values() if hasattr(r, "subject_name")),
        "复议撤销",
    ]
    login(chief)
    with time_machine.travel(NOW, tick=True):
        english(client.get("/dashboard").text)
        page = client.get(f"/credit/{record.id}")
        assert _untranslated(page.text, data) == [], _untranslated(page.text, data)
        # Nothing revoked yet: no withdrawal offered (credit.md).
        assert "Record the decision revoked" in page.text and "Withdraw the record" not in page.text
        token = csrf_from(page.text)
        asked = client.post(
            f"/credit/{record.id}/revoke", data={"revoke-csrf_token": token, "revoke-reason": "复议撤销"}
        )
        assert _untranslated(asked.text, data) == [], _untranslated(asked.text, data)
        assert "withdrawn within 3 working days" in asked.text
        dashboard = client.get("/dashboard").text
    section = dashboard.split('id="approvals"')[1].split("</section>")[0]
    assert _untranslated(section, data) == [], _untranslated(section, data)
    assert "Publish" in section and "Refusal to perform" in section


# -- English words and English punctuation where the page's own text meets data or a refusal --------


def _desk_data(people, units, fair):
    return [
        *(p.display_name for p in people.values()),
        *(u.name for u in units.values()),
        fair.name,
        *(e.name for e in fair.exhibitors),
    ]


def test_a_duplicate_refused_at_the_desk_reads_in_english(
    client, people, units, fair_complaint, fair_with_exhibitors, login, english
):
    first = fair_complaint()  # its notices not rendered yet: "(rendering)" on the card
    data = _desk_data(people, units, fair_with_exhibitors)
    login(people["desk"])
    english(client.get("/desk").text)
    page = client.get("/desk")
    card = page.text.split(f'data-case="{first.number}"')[1].split("</article>")[0]
    assert "Notice to answer (rendering)" in card
    assert _untranslated(card, data) == [], _untranslated(card, data)
    search = client.get("/desk/exhibitors", query_string={"fair_id": fair_with_exhibitors.id, "q": "11.2C15"})
    again = client.post(
        "/desk",
        data={
            "csrf_token": csrf_from(page.text),
            "fair_id": fair_with_exhibitors.id,
            "exhibitor_id": re.search(r'data-id="(\d+)"', search.text).group(1),
            "complainant_name": "OSRAM GmbH",
            "complainant_contact": "+49 89 6213 0",
            "right_number": "ZL202330654321.0",
        },
    )
    assert again.status_code == 422
    summary = again.text.split("data-error-summary>")[1].split("</div>")[0]
    assert f"Right number: a duplicate of {first.number}" in summary
    assert _untranslated(again.text, data) == [], _untranslated(again.text, data)


def test_error_summaries_join_reasons_with_the_pages_punctuation(app):
    from flask import render_template_string, session
    from flask_babel import refresh

    from caseflow.web.forms import DeskComplaintForm

    template = '{% from "web/_macros.html" import form_errors %}{{ form_errors(form) }}'
    for lang, expected in (("zh_CN", "投诉人：甲；乙"), ("en", "Complainant: 甲; 乙")):
        with app.test_request_context("/"):
            session["lang"] = lang
            refresh()
            form = DeskComplaintForm(formdata=None, meta={"csrf": False})
            form.complainant_name.errors = ["甲", "乙"]
            assert expected in render_template_string(template, form=form)
    refresh()


def test_the_public_pages_write_english_punctuation(client, people, units, open_case, english):
    from caseflow.engine import case_fire
    from caseflow.extensions import db
    from caseflow.notices.models import Notice
    from caseflow.parties.services import delivery_consent_set, party_link_ensure
    from tests.parties.conftest import complaint_body

    filed = client.post("/api/v1/public/complaints", json=complaint_body()).json
    english(client.get("/complain").text)
    status = client.get("/status", query_string={"number": filed["number"], "code": filed["public_code"]})
    assert re.search(r'id="centre-deadline">Acceptance: <span class="nowrap">', status.text), status.text
    # The centre's deadline with its weekday, as the staff pages write it.
    assert re.search(r'id="centre-deadline">[^<]*<span class="nowrap">\d{4}-\d\d-\d\d \([A-Z][a-z]{2}\)<', status.text)
    assert _untranslated(status.text, [u.name for u in units.values()]) == []

    refused = client.post("/complain", data={"csrf_token": csrf_from(client.get("/complain").text)})
    banner = re.search(r'id="form-error">([^<]*)<', refused.text).group(1)
    assert banner.startswith("Please correct: ") and " (required); " in banner, banner
    assert _untranslated(banner, []) == [], banner

    case = open_case(people["caseworker"])
    case_fire(case, "accept", people["caseworker"], data={"handlers": ["张三", "李四", "王五"]})
    delivery_consent_set(case=case, role="respondent", email="x@y.example", phone="13800000000", by="public")
    _link, token = party_link_ensure(case, "respondent")
    db.session.commit()
    party = client.get(f"/p/{token}").text
    consent = party.split('id="consent"')[1].split("</section>")[0]
    assert "、" not in consent and re.search(r"\S+@y\.example, \S+", consent), consent
    notice = db.session.scalar(select(Notice).where(Notice.case_id == case.id, Notice.kind == "acceptance_notice"))
    verify = client.get(f"/verify/{notice.verification_code}").text
    kind = re.search(r"<dd>([^<]*)</dd>", verify.split("<dt>Kind</dt>")[1]).group(1)
    # The kind in English, then the title printed on the paper, to hold it against.
    assert kind.endswith(f" ({notice.title})") and _untranslated(kind.replace(notice.title, ""), []) == [], kind


def test_the_case_pages_service_panel_names_notices_in_english(client, people, units, open_case, login, english):
    from caseflow.engine import case_fire
    from caseflow.extensions import db
    from caseflow.notices.models import Notice

    worker = people["caseworker"]
    case = open_case(worker)
    case_fire(case, "accept", worker, data={"handlers": ["张三", "李四", "王五"]})
    db.session.commit()
    login(worker)
    english(client.get("/inbox").text)
    panel = client.get(f"/cases/{case.id}").text.split('id="service"')[1].split("</section>")[0]
    numbers = db.session.scalars(select(Notice.document_number).where(Notice.case_id == case.id)).all()
    data = [worker.display_name, case.complainant_name, case.respondent_name, *numbers, *(u.name for u in units.values())]
    assert "Notice of acceptance (adjudication)" in panel
    assert _untranslated(panel, data) == [], _untranslated(panel, data)


def test_english_wording_of_desk_and_case_steps(
    client, people, units, open_case, fair_with_exhibitors, login, english
):
    login(people["desk"])
    english(client.get("/desk").text)
    desk = client.get("/desk").text
    # 单位 as a kind of complainant is an organisation; heading the admin's column it is a unit.
    assert '<option selected value="company">Organisation</option>' in desk
    assert re.search(r"<strong>\d+ h \d+ min</strong> until close</div>", desk)
    public = client.get("/complain").text
    assert '<option value="company">Organisation</option>' in public
    login(people["admin"])
    assert "<th>Unit</th>" in client.get("/admin").text

    login(people["caseworker"])
    filed = open_case(people["caseworker"])
    page = client.get(f"/cases/{filed.id}").text
    assert re.search(r'id="trigger-accept"[^>]*>\s*<summary>File the case\b', page)
    # A wrong file type names the types allowed, as the Chinese does.
    refused = client.post(
        f"/cases/{filed.id}",
        data={
            "_do": "evidence",
            "evidence-csrf_token": re.search(r'name="evidence-csrf_token"[^>]*value="([^"]+)"', page).group(1),
            "evidence-file": (io.BytesIO(b"MZ\x90\x00"), "catalogue.exe"),
        },
        content_type="multipart/form-data",
    )
    assert "File type not allowed: only PDF, images (JPG/PNG/WEBP/HEIC), Word or text files" in refused.text
    missing = client.get("/cases/" + "0" * 32)
    assert missing.status_code == 404 and "No such case" in missing.text

    login(people["supervisor"])
    clue = open_case(people["supervisor"], workflow="penalty", channel="inspection")
    page = client.get(f"/cases/{clue.id}").text
    assert re.search(r'id="trigger-decline"[^>]*>\s*<summary>Decline\b', page)


def test_a_wrong_captcha_reads_as_a_sentence_in_english(client, units, app, monkeypatch):
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", True)
    first = client.get("/complain")
    client.post("/lang/en", data={"next": "/complain", "csrf_token": csrf_from(first.text)})
    from flask_babel import refresh

    refresh()
    page = client.get("/complain").text
    refused = client.post(
        "/complain",
        data={
            "csrf_token": csrf_from(page),
            "captcha_token": re.search(r'name="captcha_token" value="([^"]+)"', page).group(1),
            "captcha_answer": "-1",
        },
    )
    assert "Wrong or expired captcha" in refused.text


def test_the_supervisors_step_buttons_read_as_steps_in_english(client, people, open_case, login, english):
    """A step and a state may share their Chinese (中止, 不予立案, 立案 on a penalty clue): the 待审批
    list's buttons are steps, "Suspend", "Decline", "File the case", never a state's words
    ("Suspended", "Declined") nor another step's ("Accept")."""
    from datetime import UTC, datetime, timedelta

    from caseflow.engine import case_fire
    from caseflow.extensions import db

    clue = open_case(people["supervisor"], workflow="penalty")
    late = open_case(people["caseworker"], received_at=datetime.now(UTC) - timedelta(days=30))
    case_fire(  # accepted 29 days ago: its service (5 working days) is long overdue
        late,
        "accept",
        people["caseworker"],
        occurred_at=datetime.now(UTC) - timedelta(days=29),
        data={"handlers": ["甲", "乙", "丙"]},
        render_notices=False,
    )
    db.session.commit()
    login(people["supervisor"])
    english(client.get("/dashboard").text)
    section = client.get("/dashboard").text.split('id="approvals"')[1].split("</section>")[0]
    steps = re.findall(r'href="/cases/([0-9a-f]+)#trigger-(\w+)">([^<]+)</a>', section)
    labels = {(case_id, trigger): text for case_id, trigger, text in steps}
    assert labels[(clue.id, "file_case")] == "File the case"
    assert labels[(clue.id, "decline")] == "Decline"
    assert labels[(late.id, "suspend")] == "Suspend"


def test_the_language_chosen_is_saved_on_the_user_and_opens_the_next_login(
    app, client, people, login, english
):
    """The switch of a signed-in user is remembered on the user: another browser, after login,
    opens in English; switching back to 中文 is remembered the same way."""
    from flask_babel import refresh

    from caseflow.accounts.models import User
    from caseflow.extensions import db
    from tests.support import login_form_post

    worker = people["caseworker"]
    login(worker)
    english(client.get("/inbox").text)
    db.session.expire_all()
    assert db.session.get(User, worker.id).locale == "en"

    other_browser = app.test_client()
    assert login_form_post(other_browser, worker.username).status_code == 302
    refresh()
    inbox = other_browser.get("/inbox")
    assert '<html lang="en">' in inbox.text and "Inbox" in inbox.text

    other_browser.post("/lang/zh_CN", data={"csrf_token": csrf_from(inbox.text)})
    db.session.expire_all()
    assert db.session.get(User, worker.id).locale == "zh_CN"


def test_a_visitor_switching_language_saves_nothing(client, people):
    """Signed out (the login page, the public pages), the choice lives in the session only."""
    from caseflow.accounts.models import User
    from caseflow.extensions import db

    page = client.get("/login")
    assert client.post("/lang/en", data={"csrf_token": csrf_from(page.text)}).status_code == 302
    assert db.session.scalars(select(User.locale).where(User.locale.is_not(None))).all() == []


def test_a_services_bare_required_reads_beside_a_field_as_the_forms_own(app):
    """One style beside the fields of a step's form: the service's "required" reads as the
    form's own check, "This field is required"; other reasons as the service wrote them."""
    from flask import session
    from flask_babel import refresh
    from wtforms import Form, StringField

    from caseflow.web.forms import field_errors_apply

    class StepForm(Form):
        served_at = StringField()
        note = StringField()

    with app.test_request_context("/"):
        session["lang"] = "en"
        refresh()
        form = StepForm()
        field_errors_apply(form, {"served_at": "必填 / required", "note": "不超过1000字 / at most 1000 characters"})
        assert form.served_at.errors == ["This field is required"]
        assert form.note.errors == ["at most 1000 characters"]
    with app.test_request_context("/"):  # the page's language is looked up once a request
        session["lang"] = "zh_CN"
        refresh()
        form = StepForm()
        field_errors_apply(form, {"served_at": "必填 / required"})
        assert form.served_at.errors == ["必填"]
