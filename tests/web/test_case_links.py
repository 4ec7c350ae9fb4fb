"""The case page lists linked cases from the cases area's ``case_links`` (one order of the tuple
for the page and the API): an intake accepted for mediation links both ways."""

from datetime import datetime
from zoneinfo import ZoneInfo

from caseflow.cases.models import CaseLink
from caseflow.cases.selectors import case_links
from caseflow.engine import case_fire
from caseflow.extensions import db


def test_accepted_intake_and_its_mediation_link_both_ways(client, people, open_case, login):
    worker = people["caseworker"]
    received = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    intake = open_case(
        worker,
        workflow="intake",
        received_at=received,
        complainant={"name": "中山市明辉照明有限公司", "kind": "company", "contact": "0760-0000"},
    )
    case_fire(
        intake,
        "accept",
        worker,
        occurred_at=datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        data={"route": "mediation"},
        render_notices=False,
    )
    db.session.commit()  # the caller commits (a page would)
    link = db.session.query(CaseLink).one()
    mediation = link.target
    assert case_links(intake) == [("to", link.kind, mediation)]
    assert case_links(mediation) == [("from", link.kind, intake)]

    login(worker)
    page = client.get(f"/cases/{intake.id}").text
    links = page[page.index('id="links"') :]
    assert mediation.number in links and f"/cases/{mediation.id}" in links
    back = client.get(f"/cases/{mediation.id}").text
    assert intake.number in back[back.index('id="links"') :]
