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


def test_a_referral_to_another_unit_names_the_case_and_opens_nothing(
    client, people, open_case, fair_with_exhibitors, login
):
    """Users see their own unit's cases only (procedures.md): the fair desk that referred a
    complaint to a centre reads the centre's case number and state on its own case, and cannot
    open the centre's case, its evidence or its parties' contacts, nor can the centre open the
    desk's case."""
    from caseflow.cases.evidence import evidence_add
    from caseflow.fairs.models import Exhibitor

    desk, worker = people["desk"], people["caseworker"]
    exhibitor = db.session.query(Exhibitor).filter_by(booth="11.2C15").one()
    complaint = open_case(
        desk,
        workflow="fair_complaint",
        unit="CF",
        channel="fair_desk",
        fair_id=fair_with_exhibitors.id,
        exhibitor_id=exhibitor.id,
    )
    case_fire(complaint, "accept", desk, render_notices=False)
    case_fire(
        complaint,
        "refer",
        desk,
        data={"target": "adjudication", "target_unit": "ZS"},
        render_notices=False,
    )
    db.session.commit()
    referred = db.session.query(CaseLink).one().target
    evidence = evidence_add(
        case=referred, actor=worker, filename="report.pdf", content=b"%PDF-1.4 centre's own"
    )
    db.session.commit()

    login(desk)
    page = client.get(f"/cases/{complaint.id}").text
    links = page[page.index('id="links"') :]
    assert referred.number in links and f"/cases/{referred.id}" not in links
    assert referred.unit.name in links
    assert client.get(f"/cases/{referred.id}").status_code == 404
    assert client.get(f"/evidence/{evidence.id}").status_code == 404

    login(people["viewer"])  # the centre's side
    assert client.get(f"/cases/{complaint.id}").status_code == 404
    assert client.get(f"/cases/{referred.id}").status_code == 200
