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


def test_the_referring_desk_follows_the_centres_case_without_its_parties_files(
    client, people, open_case, fair_with_exhibitors, login
):
    """Issue 15: the fair desk that referred a complaint may open the centre's case read-only,
    to follow it. What is the centre's to keep stays with it (credit.md's cross-unit rule in
    spirit): the parties' contacts, the status code, the evidence and the notices' files."""
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
        complainant={"name": "中山市明辉照明有限公司", "kind": "company", "contact": "13900001111"},
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
    page = client.get(f"/cases/{referred.id}")
    assert page.status_code == 200 and 'id="read-only"' in page.text
    assert referred.number in page.text
    kept_back = (
        "13900001111",  # a party's contact
        referred.public_code,
        f"/evidence/{evidence.id}",
        "report.pdf",  # the upload's note on the timeline
        'id="actions"',
    )
    for kept in kept_back:
        assert kept not in page.text, kept
    assert client.get(f"/evidence/{evidence.id}").status_code == 404
    links = page.text[page.text.index('id="links"') :]
    assert complaint.number in links  # the desk's own case, the link it follows

    login(worker)  # the centre's own caseworker sees it all
    page = client.get(f"/cases/{referred.id}").text
    assert "13900001111" in page and "report.pdf" in page and 'id="read-only"' not in page
    assert client.get(f"/evidence/{evidence.id}").status_code == 200


def test_a_desks_failed_mediation_form_offers_the_receiving_centres(
    client, people, open_case, login
):
    """A failed on-site mediation's adjudication goes to a centre the desk picks (as a referral
    does): the desk's 终止调解 form offers the centres, never a desk; posted without one, the
    page says which field and nothing changes. A centre's own form has no picker."""
    from tests.support import csrf_from

    desk, worker = people["desk"], people["pd_worker"]
    mediation = open_case(desk, workflow="mediation", unit="CF", channel="fair_desk")
    case_fire(mediation, "consult_respondent", desk, render_notices=False)
    case_fire(mediation, "record_consent", desk, render_notices=False)
    db.session.commit()

    login(desk)
    page = client.get(f"/cases/{mediation.id}").text
    form = page[page.index('id="trigger-terminate"') :]
    form = form[: form.index("</form>")]
    assert 'name="terminate-target_unit"' in form
    assert 'value="ZS"' in form and 'value="PD"' in form and 'value="CF"' not in form
    posted = {
        "csrf_token": csrf_from(page),
        "_do": "fire:terminate",
        "terminate-version": str(mediation.version),
        "terminate-open_adjudication": "y",
        "terminate-confirmed": "y",
    }
    refused = client.post(f"/cases/{mediation.id}", data=posted)
    assert refused.status_code == 422 and "接收单位" in refused.text
    db.session.expire_all()
    assert mediation.state == "in_mediation" and db.session.query(CaseLink).count() == 0
    done = client.post(f"/cases/{mediation.id}", data={**posted, "terminate-target_unit": "PD"})
    assert done.status_code in (302, 303)
    adjudication = db.session.query(CaseLink).one().target
    assert adjudication.unit.code == "PD" and adjudication.state == "filed"

    centre_case = open_case(worker, workflow="mediation", unit="PD")
    case_fire(centre_case, "consult_respondent", worker, render_notices=False)
    case_fire(centre_case, "record_consent", worker, render_notices=False)
    db.session.commit()
    login(worker)
    page = client.get(f"/cases/{centre_case.id}").text
    assert 'id="trigger-terminate"' in page and "terminate-target_unit" not in page


def test_the_receiving_centre_gets_the_evidence_and_the_facts(
    client, people, open_case, fair_with_exhibitors, login
):
    """A referral's 移交函 encloses the evidence (证据材料N件): the centre's adjudication has
    each file (the same stored bytes and SHA-256, noted 转自 the desk's case) and the
    complainant's facts, recorded by one event, and its bundle for the court holds them."""
    import hashlib
    import io
    import json
    import zipfile

    from caseflow.cases.evidence import Evidence, evidence_add
    from caseflow.cases.models import Event
    from caseflow.fairs.models import Exhibitor
    from tests.support import png_of_zeros

    desk, worker = people["desk"], people["caseworker"]
    exhibitor = db.session.query(Exhibitor).filter_by(booth="11.2C15").one()
    facts = "展位 11.2C15 陈列的台灯与涉案外观设计专利相同。"
    complaint = open_case(
        desk,
        workflow="fair_complaint",
        unit="CF",
        channel="fair_desk",
        fair_id=fair_with_exhibitors.id,
        exhibitor_id=exhibitor.id,
        complainant={"name": "中山市明辉照明有限公司", "kind": "company", "contact": "13900001111"},
        data={"facts": facts},
    )
    photo, letter = png_of_zeros(40, 30), b"%PDF-1.4 power of attorney"
    evidence_add(case=complaint, actor=desk, filename="booth.png", content=photo, description="现场照片")
    evidence_add(case=complaint, actor=desk, filename="委托书.pdf", content=letter)
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

    assert referred.data["facts"] == facts
    carried = db.session.query(Evidence).filter_by(case_id=referred.id).order_by(Evidence.id).all()
    originals = db.session.query(Evidence).filter_by(case_id=complaint.id).order_by(Evidence.id).all()
    assert [(e.filename, e.sha256, e.path) for e in carried] == [
        (e.filename, e.sha256, e.path) for e in originals
    ]
    assert carried[0].sha256 == hashlib.sha256(photo).hexdigest()
    assert all(f"转自 {complaint.number}" in e.description for e in carried)
    assert "现场照片" in carried[0].description
    [event] = db.session.query(Event).filter_by(case_id=referred.id, kind="evidence").all()
    assert complaint.number in event.note and len(event.data["files"]) == 2

    login(worker)
    page = client.get(f"/cases/{referred.id}").text
    assert "booth.png" in page and "委托书.pdf" in page and f"转自 {complaint.number}" in page
    assert client.get(f"/evidence/{carried[1].id}").data == letter
    bundle = client.get(f"/cases/{referred.id}/confirmation-bundle")
    assert bundle.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(bundle.data))
    manifest = json.loads(archive.read("manifest.json"))
    hashes = {f["recorded_sha256"] for f in manifest["files"] if f["kind"] == "evidence"}
    assert hashes == {hashlib.sha256(photo).hexdigest(), hashlib.sha256(letter).hexdigest()}
    # The desk's own case keeps its files as they were.
    assert db.session.query(Evidence).filter_by(case_id=complaint.id).count() == 2
