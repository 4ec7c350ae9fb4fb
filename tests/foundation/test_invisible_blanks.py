"""A value made only of invisible characters (a zero-width space, a byte-order mark: Unicode
category Cf) is blank wherever a field is required: the new-case page, the API, the public
filing. Each such value used to open a case with a name or title nobody could see."""

import pytest
from sqlalchemy import func, select

from caseflow.cases.models import Case
from caseflow.extensions import db
from caseflow.text import is_blank, text_strip
from tests.parties.conftest import complaint_body
from tests.support import NEW_INTAKE_FORM, csrf_from

INVISIBLE = ["\u200b", "\ufeff", " \u200b\u2060\ufeff ", "\u200e\u3000"]


def _cases() -> int:
    return db.session.scalar(select(func.count(Case.id)))


def test_text_strip_takes_invisible_characters_off_the_ends_only():
    assert all(is_blank(text) for text in INVISIBLE) and is_blank(None)
    assert text_strip("\ufeff王先生\u200b ") == "王先生"
    assert text_strip("👨\u200d👩") == "👨\u200d👩"  # a joiner inside is part of the name


@pytest.mark.parametrize("invisible", INVISIBLE)
def test_the_new_case_page_takes_an_invisible_name_or_title_for_blank(
    client, units, make_user, login, invisible
):
    login(make_user("caseworker", units["ZS"]))
    page = client.get("/cases/new")
    form = {"csrf_token": csrf_from(page.text), **NEW_INTAKE_FORM}
    for field in ("complainant_name", "title"):
        answer = client.post("/cases/new", data={**form, field: invisible})
        assert answer.status_code == 422, field
        assert f'id="{field}-error"' in answer.text
    assert _cases() == 0


@pytest.mark.parametrize("invisible", INVISIBLE)
def test_the_api_takes_an_invisible_party_name_for_blank(api, units, make_user, invisible):
    client = api(make_user("caseworker", units["ZS"]))
    answer = client.post(
        "/api/v1/cases",
        json={
            "workflow": "adjudication",
            "channel": "walk_in",
            "title": "外观设计专利侵权纠纷",
            "complainant": {"name": invisible, "kind": "company", "contact": "0760-0000"},
            "respondent": {"name": "某某照明电器厂", "kind": "company"},
            "right": {"kind": "patent", "number": "ZL202330123456.7", "patent_type": "design"},
        },
    )
    assert answer.status_code == 422, answer.json
    assert "complainant.name" in answer.json["error"]["fields"]
    assert _cases() == 0


def test_the_public_filing_takes_an_invisible_name_for_blank(app, client, units, monkeypatch):
    monkeypatch.setitem(app.config, "CASEFLOW_PUBLIC_CAPTCHA", False)
    body = complaint_body()
    body["complainant"] = {**body["complainant"], "name": "\u200b"}
    answer = client.post("/api/v1/public/complaints", json=body)
    assert answer.status_code == 422 and "complainant.name" in answer.json["error"]["fields"]
    assert _cases() == 0
