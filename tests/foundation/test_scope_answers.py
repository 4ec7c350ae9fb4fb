"""Issue 16, part 6: another unit's case numbers, notice ids, alerts, filings and fairs answer
exactly like missing ones — same status, same body — on the web and the API. Before, a 403 for
one that exists and a 404 for one that does not let anyone confirm another unit's numbers."""

import re

from tests.api.records import unit_records
from tests.engine.helpers import *  # noqa: F403  (the case fixtures)
from tests.support import csrf_from

MISSING_CASE = "PD-ADJ-2099-99999"
MISSING_ID = 99_999_999


def _same(existing, missing, *texts):
    assert existing.status_code == missing.status_code == 404
    left, right = existing.get_data(as_text=True), missing.get_data(as_text=True)
    for real, fake in texts:
        left, right = left.replace(str(real), "X"), right.replace(str(fake), "X")
    token = re.compile(r'name="csrf_token" value="[^"]+"')
    assert token.sub("", left) == token.sub("", right)


def test_the_api_answers_alike(api, staff, fair):
    records = unit_records(api, staff, "PD")
    outsider = api(staff["ZS"]["supervisor"])
    case_id, notice_id = records["case"]["id"], records["notice"]["id"]
    pairs = [
        (f"/api/v1/cases/{case_id}", f"/api/v1/cases/{MISSING_CASE}", case_id, MISSING_CASE),
        (f"/api/v1/notices/{notice_id}", f"/api/v1/notices/{MISSING_ID}", notice_id, MISSING_ID),
        (f"/api/v1/notices/{notice_id}.pdf", f"/api/v1/notices/{MISSING_ID}.pdf", notice_id, MISSING_ID),
        (f"/api/v1/applicants/{records['filing'].id}", f"/api/v1/applicants/{MISSING_ID}", records["filing"].id, MISSING_ID),
        (f"/api/v1/fairs/{fair.id}", f"/api/v1/fairs/{MISSING_ID}", fair.id, MISSING_ID),
    ]
    for real, fake, _real_id, _fake_id in pairs:
        _same(outsider.get(real), outsider.get(fake))
    alert = records["alert"].id
    _same(
        outsider.post(f"/api/v1/alerts/{alert}/acknowledge", json={"note": "x"}),
        outsider.post(f"/api/v1/alerts/{MISSING_ID}/acknowledge", json={"note": "x"}),
    )
    _same(
        outsider.post(f"/api/v1/cases/{case_id}/transitions", json={"trigger": "serve"}),
        outsider.post(f"/api/v1/cases/{MISSING_CASE}/transitions", json={"trigger": "serve"}),
    )


def test_the_web_answers_alike(api, staff, client, login, make_user, units):
    records = unit_records(api, staff, "PD")
    login(make_user("supervisor", units["ZS"]))
    case_id, notice_id = records["case"]["id"], records["notice"]["id"]
    _same(
        client.get(f"/cases/{case_id}"), client.get(f"/cases/{MISSING_CASE}"), (case_id, MISSING_CASE)
    )
    _same(
        client.get(f"/notices/{notice_id}.pdf"),
        client.get(f"/notices/{MISSING_ID}.pdf"),
        (f"/notices/{notice_id}.pdf", f"/notices/{MISSING_ID}.pdf"),
    )
    _same(client.get("/units/PD"), client.get("/units/XX"), ("/units/PD", "/units/XX"))
    token = csrf_from(client.get("/inbox").text)
    _same(
        client.post(f"/alerts/{records['alert'].id}/acknowledge", data={"note": "x", "csrf_token": token}),
        client.post(f"/alerts/{MISSING_ID}/acknowledge", data={"note": "x", "csrf_token": token}),
        (f"/alerts/{records['alert'].id}/", f"/alerts/{MISSING_ID}/"),
    )
