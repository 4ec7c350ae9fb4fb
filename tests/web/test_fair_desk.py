"""The fair desk's board and lodging form through the test client (caseflow/web/fair_desk.py): what
a tablet cannot take back asks first; a refused lodging keeps what was typed. The browser half is
tests/browser/test_desk_tablet.py."""

import io
import re
import subprocess

import pytest
from sqlalchemy import select

from caseflow.cases.evidence import Evidence
from caseflow.cases.models import Case
from caseflow.extensions import db
from caseflow.notices.models import Notice
from tests.support import csrf_from
from tests.web.test_uploads_and_forms import DESK_FIELDS


@pytest.fixture
def notified(fair_complaint):
    return fair_complaint()


def _lodge(client, fair, page: str, **fields):
    """Post the desk's lodging form as the officer types it (the complaint of
    ``test_uploads_and_forms.DESK_FIELDS``), with ``fields`` (the exhibitor, the photos…)."""
    return client.post(
        f"/desk?fair_id={fair.id}",
        data={"csrf_token": csrf_from(page), "fair_id": fair.id, **DESK_FIELDS, **fields},
        content_type="multipart/form-data",
    )


def _exhibitor_id(client, fair, booth: str) -> int:
    """The exhibitor the desk's search offers for ``booth``, as a tap on the result picks it."""
    search = client.get("/desk/exhibitors", query_string={"fair_id": fair.id, "q": booth})
    return int(re.search(r'data-id="(\d+)"', search.text).group(1))


def _panel(html: str, case, trigger: str) -> str:
    start = html.index(f'id="confirm-{case.id}-{trigger}"')
    return html[start : html.index("</form>", start)]


def test_every_final_outcome_on_the_board_asks_before_it_ends_the_complaint(
    client, people, notified, login
):
    login(people["desk"])
    board = client.get("/desk").text
    # No outcome that ends the complaint is a one-tap submit button on the card.
    for trigger in ("find_not_infringing", "mediate"):
        assert f'<button class="btn btn-small" type="submit" data-trigger="{trigger}"' not in board
        assert re.search(rf'data-open-confirm data-trigger="{trigger}"', board), trigger
        panel = _panel(board, notified, trigger)
        assert "不能撤回" in panel and "投诉即告办结" in panel
        assert f'data-confirm="{trigger}"' in panel
    # Mediation: the agreed terms are asked for there, before the confirming tap.
    mediate = _panel(board, notified, "mediate")
    assert re.search(r'<textarea[^>]*id="mediate-[0-9a-f]+-terms"[^>]*required', mediate)
    assert "被投诉方承认侵权" in mediate
    assert "留空则使用已保存的草稿" not in mediate  # a desk officer drafts nothing beforehand


def test_mediation_at_the_desk_needs_its_terms_and_prints_them_on_the_agreement(
    client, people, notified, login
):
    login(people["desk"])
    board = client.get("/desk").text
    token = re.search(r'name="mediate-csrf_token"[^>]*value="([^"]+)"', board).group(1)
    url = f"/cases/{notified.id}/fire/mediate"
    form = {"mediate-csrf_token": token, "mediate-version": notified.version, "next": "/desk"}
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.get(Case, notified.id).state == "respondent_notified"

    terms = "被投诉方当场撤下 A-100 型吸顶灯样品\n被投诉方承诺本届展会不再展出该产品"
    done = client.post(url, data={**form, "mediate-terms": terms, "mediate-infringement_admitted": "y"})
    assert done.status_code == 302, done.text
    db.session.expire_all()
    case = db.session.get(Case, notified.id)
    assert case.state == "mediated" and case.data["terms"] == terms.splitlines()
    notice = db.session.scalar(select(Notice).where(Notice.case_id == case.id, Notice.kind == "agreement"))
    pdf = client.get(f"/notices/{notice.id}.pdf")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True
    ).stdout.decode().replace("\n", "")
    assert "一、被投诉方当场撤下 A-100 型吸顶灯样品。" in text
    assert "二、被投诉方承诺本届展会不再展出该产品。" in text
    assert "互不再追究" not in text  # not the stock clause


def test_the_terms_start_from_a_saved_draft(client, people, notified, login):
    from caseflow.cases.drafts import draft_save

    draft_save(notified, "agreement", {"terms": ["当场撤下样品"]}, actor=people["admin"])
    db.session.commit()
    login(people["desk"])
    mediate = _panel(client.get("/desk").text, notified, "mediate")
    assert re.search(r"<textarea[^>]*>\s*当场撤下样品</textarea>", mediate)


def test_a_refused_lodging_keeps_the_booth_typed_and_says_the_photos_must_be_chosen_again(
    client, people, fair_with_exhibitors, login
):
    login(people["desk"])
    page = client.get("/desk")
    response = _lodge(
        client,
        fair_with_exhibitors,
        page.text,
        q="11.2C9",  # typed, never picked
        photos=[
            (io.BytesIO(b"\xff\xd8\xff\xe0 one"), "booth.jpg"),
            (io.BytesIO(b"\xff\xd8\xff\xe0 two"), "sample.jpg"),
        ],
    )
    assert response.status_code == 422
    assert re.search(r'<input type="search" id="exhibitor-q" name="q" value="11.2C9"', response.text)
    beside = re.search(r'<ul class="field-error" id="photos-error">(.*?)</ul>', response.text, re.S)
    assert beside and "刚才选择的 2 个文件（booth.jpg、sample.jpg）没有上传，请重新选择" in beside.group(1)
    assert db.session.scalar(select(Case)) is None


def test_the_intake_field_offers_pdfs_as_well_as_photos_and_files_them(
    client, people, fair_with_exhibitors, login
):
    login(people["desk"])
    page = client.get("/desk")
    photos = re.search(r'<input[^>]*id="photos"[^>]*>', page.text).group(0)
    accept = re.search(r'accept="([^"]*)"', photos).group(1).split(",")
    assert "image/*" in accept and "application/pdf" in accept
    assert "capture" not in photos  # a camera-only picker would hide the PDF
    response = _lodge(
        client,
        fair_with_exhibitors,
        page.text,
        exhibitor_id=_exhibitor_id(client, fair_with_exhibitors, "11.2C15"),
        photos=[(io.BytesIO(b"%PDF-1.4 certificate"), "certificate.pdf")],
    )
    assert response.status_code == 302, response.text
    stored = db.session.scalar(select(Evidence))
    assert stored.filename == "certificate.pdf"


def test_a_refused_file_is_named_beside_the_photos(client, people, fair_with_exhibitors, login):
    login(people["desk"])
    page = client.get("/desk")
    response = _lodge(
        client,
        fair_with_exhibitors,
        page.text,
        exhibitor_id=_exhibitor_id(client, fair_with_exhibitors, "11.2C15"),
        photos=[
            (io.BytesIO(b"\xff\xd8\xff\xe0 photo"), "booth.jpg"),
            (io.BytesIO(b"MZ\x90\x00"), "catalogue.exe"),
        ],
    )
    assert response.status_code == 422
    beside = re.search(r'<ul class="field-error" id="photos-error">(.*?)</ul>', response.text, re.S).group(1)
    assert "catalogue.exe：文件类型不允许" in beside
    assert db.session.scalar(select(Case)) is None
