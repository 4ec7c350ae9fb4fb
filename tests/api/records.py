"""One of every record the API exposes by id, at one unit, made through the real API and services."""

from tests.api.test_cases_adjudication import RIGHT, ZS_COMPLAINANT, ZS_RESPONDENT, local

PREFIX = "/api/v1"


def unit_records(api, staff, code: str) -> dict:
    """At unit ``code``: an adjudication case accepted by its caseworker (the acceptance notice
    issued), the alert a sweep raises on it, and a pending filing (备案)."""
    from caseflow.alerts.services import sla_sweep
    from caseflow.applicants.creditcode import credit_code_check_char
    from caseflow.applicants.services import applicant_register
    from tests.engine.helpers import at

    caseworker = staff[code]["caseworker"]
    worker = api(caseworker)
    opened = worker.post(
        f"{PREFIX}/cases",
        json={
            "workflow": "adjudication",
            "channel": "walk_in",
            "received_at": local("2026-02-10", "09:00"),
            "title": "外观设计专利侵权纠纷",
            "complainant": ZS_COMPLAINANT,
            "respondent": ZS_RESPONDENT,
            "right": RIGHT,
        },
    ).get_json()
    accepted = worker.post(
        f"{PREFIX}/cases/{opened['id']}/transitions",
        json={
            "trigger": "accept",
            "occurred_at": local("2026-02-13"),
            "data": {"handlers": ["甲", "乙", "丙"]},
        },
    ).get_json()
    notice = next(n for n in accepted["notices"] if n["status"] == "issued")
    alert = sla_sweep(at("2026-12-31 10:00"))[0]
    first17 = "91440101MA5CXXXX0"[:16] + "2"
    filing = applicant_register(
        unit=caseworker.unit,
        actor=caseworker,
        name="某某科技有限公司",
        credit_code=first17 + credit_code_check_char(first17),
    )
    return {"worker": worker, "case": accepted, "notice": notice, "alert": alert, "filing": filing}


def decided_case(staff, code: str = "ZS") -> str:
    """The id of an adjudication at unit ``code`` in its decided state (a noncompliance record
    needs a decision to refuse)."""
    from caseflow.cases.services import case_open
    from tests.engine.helpers import as_decided

    case = case_open(
        workflow="adjudication",
        unit=staff[code]["caseworker"].unit,
        actor=staff[code]["caseworker"],
        channel="walk_in",
        received_at=local("2025-01-02", "09:00"),
        title="外观设计专利侵权纠纷",
        complainant=ZS_COMPLAINANT,
        respondent=ZS_RESPONDENT,
        right=RIGHT,
    )
    return as_decided(case).id


def credit_records(staff) -> dict:
    """Noncompliance records on a decided case at ZS (``decided_case_id``), one per credit step
    so that each step's accepted body finds its record in the right status: ``record_id``
    pending (publish); ``repair`` published in 2025, long eligible for repair; ``revoke`` pending;
    ``withdraw`` pending, its decision's revocation recorded."""
    from caseflow.credit.services import (
        credit_record_noncompliance,
        credit_record_publish,
        credit_record_revoke,
    )
    from tests.engine.helpers import at

    chief = staff["ZS"]["supervisor"]
    case_id = decided_case(staff)

    def make(when):
        return credit_record_noncompliance(
            actor=chief, subject={"name": "某某照明电器厂"}, case_id=case_id, at=when
        )

    repair = make(at("2025-01-02 10:00"))
    credit_record_publish(repair, actor=chief, at=at("2025-01-03 10:00"))
    # Withdrawn only once its decision's revocation is recorded (credit.md).
    withdraw = make(at("2025-02-05 10:00"))
    credit_record_revoke(withdraw, actor=chief, reason="行政复议撤销原决定", at=at("2025-02-06 10:00"))
    return {
        "record_id": make(at("2025-02-03 10:00")).id,
        "record:api.credit_repair": repair.id,
        "record:api.credit_revoke": make(at("2025-02-04 10:00")).id,
        "record:api.credit_withdraw": withdraw.id,
        "decided_case_id": case_id,
    }
