"""Permission lives in the services, not only in the views: each service that acts for a user
refuses another unit's staff or the wrong role itself (called here directly, with no page in
front of it), and writes nothing."""

import pytest
from sqlalchemy import func, select

from caseflow.cases.models import Event
from caseflow.errors import NotFound, PermissionDenied, ValidationFailed
from caseflow.extensions import db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


def _no_writes(case_id):
    db.session.rollback()
    kinds = db.session.scalars(select(Event.kind).where(Event.case_id == case_id)).all()
    assert kinds == ["opened"]


def test_evidence_add_checks_the_unit_and_the_role(open_case, staff):
    from caseflow.cases.evidence import evidence_add

    case = open_case("adjudication")
    with pytest.raises(NotFound):
        evidence_add(case=case, actor=staff["PD"]["caseworker"], filename="a.jpg", content=JPEG)
    with pytest.raises(PermissionDenied):
        evidence_add(case=case, actor=staff["ZS"]["viewer"], filename="a.jpg", content=JPEG)
    _no_writes(case.id)


def test_case_writes_check_the_unit_and_the_role(open_case, staff):
    from caseflow.cases.services import case_assign, case_claim
    from caseflow.engine import case_fire

    case = open_case("adjudication")
    with pytest.raises(NotFound):
        case_assign(case, assignee=None, actor=staff["PD"]["supervisor"])
    with pytest.raises(PermissionDenied):
        case_assign(case, assignee=staff["ZS"]["caseworker"], actor=staff["ZS"]["caseworker"])
    with pytest.raises(PermissionDenied):
        case_claim(case=case, actor=staff["PD"]["caseworker"])
    with pytest.raises(PermissionDenied):
        case_claim(case=case, actor=staff["ZS"]["viewer"])
    with pytest.raises(NotFound):
        case_fire(case, "accept", staff["PD"]["caseworker"], data={"handlers": ["甲", "乙", "丙"]})
    _no_writes(case.id)


def test_a_case_goes_only_to_active_staff_of_its_unit_one_at_a_time_or_in_bulk(open_case, staff):
    """``case_assign`` and the inbox's bulk reassignment apply the same rule: a deactivated
    member, a viewer or another unit's caseworker is refused beside the field, and nothing is
    written."""
    from caseflow.cases.services import case_assign
    from caseflow.supervision.services import cases_reassign

    case = open_case("adjudication")
    gone = staff["ZS"]["caseworker"]
    gone.active = False
    db.session.commit()
    chief = staff["ZS"]["supervisor"]
    for assignee in (gone, staff["ZS"]["viewer"], staff["PD"]["caseworker"]):
        with pytest.raises(ValidationFailed) as refused:
            case_assign(case, assignee=assignee, actor=chief)
        assert "assignee" in refused.value.fields
        db.session.rollback()
        with pytest.raises(ValidationFailed):
            cases_reassign(case_ids=[case.id], assignee=assignee, actor=chief)
        db.session.rollback()
    _no_writes(case.id)


def test_case_documents_check_the_unit_and_the_role(open_case, staff):
    from caseflow.cases.compensation import compensation_save
    from caseflow.cases.drafts import draft_save
    from caseflow.cases.sessions import session_record

    case = open_case("mediation")
    for actor in (staff["PD"]["caseworker"], staff["ZS"]["viewer"]):
        with pytest.raises(PermissionDenied):
            draft_save(case, "agreement", {}, actor=actor)
        with pytest.raises(PermissionDenied):
            compensation_save(case, {}, actor=actor)
        with pytest.raises(PermissionDenied):
            session_record(
                case, held_on="2026-11-27", attendees=["甲"], outcome="未达成", actor=actor
            )
    _no_writes(case.id)


def test_party_services_check_the_unit_and_the_role(open_case, staff):
    from caseflow.parties.services import delivery_consent_set, party_link_revoke

    case = open_case("adjudication")
    with pytest.raises(PermissionDenied):
        delivery_consent_set(
            case=case, role="respondent", email="a@b.example", consent=True,
            by=staff["PD"]["caseworker"],
        )
    with pytest.raises(PermissionDenied):
        party_link_revoke(case=case, role="respondent", actor=staff["ZS"]["viewer"])
    with pytest.raises(PermissionDenied):
        party_link_revoke(case=case, role="respondent", actor=staff["PD"]["caseworker"])
    _no_writes(case.id)


def test_bulk_reassignment_checks_the_unit_and_the_role(open_case, staff):
    from caseflow.supervision.services import cases_reassign

    case = open_case("adjudication")
    # Another unit's case answers as no case at all (it does not confirm the id exists).
    with pytest.raises(NotFound):
        cases_reassign(case_ids=[case.id], assignee=None, actor=staff["PD"]["supervisor"])
    with pytest.raises(PermissionDenied):
        cases_reassign(case_ids=[case.id], assignee=None, actor=staff["ZS"]["caseworker"])
    _no_writes(case.id)


def test_desk_lodging_needs_the_fair_desk(staff, fair):
    from caseflow.cases.models import Case
    from caseflow.cases.services import desk_complaint_lodge

    with pytest.raises(PermissionDenied):
        desk_complaint_lodge(
            actor=staff["ZS"]["caseworker"], fair_id=fair.id,
            exhibitor_id=fair.booth["1.1A01"].id,
            complainant={"name": "某公司", "kind": "company", "country": "CN", "contact": "1"},
            right={"kind": "patent", "number": "ZL202330123456.7", "patent_type": "design"},
            priority=False, fast_mode=False, title="", photos=[],
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_fairs_applicants_and_the_calendar_check_the_role(units, staff, applicant):
    from caseflow.applicants.services import applicant_revoke
    from caseflow.calendar.services import calendar_load
    from caseflow.fairs.services import fair_create

    with pytest.raises(PermissionDenied):
        fair_create(
            unit=units["CF"], actor=staff["ZS"]["caseworker"], name="展会", venue="",
            opens_at="2026-12-01T09:00:00+08:00", closes_at="2026-12-03T18:00:00+08:00",
            organiser="",
        )
    with pytest.raises(PermissionDenied):
        applicant_revoke(applicant, actor=staff["PD"]["supervisor"])  # another unit's filing
    with pytest.raises(PermissionDenied):
        applicant_revoke(applicant, actor=staff["ZS"]["caseworker"])
    with pytest.raises(PermissionDenied):
        calendar_load("2027-01-01 holiday 元旦\n", source="test", actor=staff["ZS"]["supervisor"])
    db.session.rollback()
    assert applicant.status == "approved"
