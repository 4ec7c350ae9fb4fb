"""Helpers for engine and workflow tests: staff of every role, and cases opened through the
real services (numbered, with their opening clocks)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """``at("2026-09-28 10:00")``: a local (Asia/Shanghai) instant."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def pending_notices(app, monkeypatch):
    """Leave notices pending after a transition: rendering PDFs is the notices area's test, and
    WeasyPrint would dominate these walks."""
    monkeypatch.setitem(app.config, "CASEFLOW_RENDER_NOTICES_INLINE", False)


@pytest.fixture
def staff(units):
    """``staff["ZS"]["caseworker"]`` etc.: one user per role in each seeded unit, and an admin.
    Inserted directly (no password hashing: these users never log in) to keep the walks fast."""
    from caseflow.accounts.models import User
    from caseflow.extensions import db

    def user(role, unit):
        name = f"{role}_{unit.code if unit else 'all'}"
        made = User(username=name, display_name=name, password_hash="!", role=role, unit=unit)
        db.session.add(made)
        return made

    roles = ("caseworker", "desk_officer", "supervisor", "viewer")
    out = {code: {role: user(role, unit) for role in roles} for code, unit in units.items()}
    out["admin"] = user("admin", None)
    db.session.commit()
    return out


@pytest.fixture
def open_case(units, staff):
    from caseflow.cases.services import case_open
    from caseflow.extensions import db

    def factory(workflow, *, unit="ZS", received_at="2026-03-02 09:00", actor=None, **kwargs):
        unit = units[unit] if isinstance(unit, str) else unit
        kwargs.setdefault(
            "complainant",
            # A pre-exam's requester is its filed applicant (case_open names it).
            None
            if workflow == "pre_exam"
            else {
                "name": "古镇灯饰有限公司",
                "kind": "company",
                "country": "CN",
                "contact": "0760-0000",
            },
        )
        kwargs.setdefault("respondent", {"name": "某某照明厂", "kind": "company", "country": "CN"})
        kwargs.setdefault(
            "right",
            {
                "kind": "patent",
                "number": "ZL202330123456.7",
                "patent_type": "design",
                "classification": "26-05",
            },
        )
        # A penalty is opened directly only from an inspection (procedures.md §6).
        kwargs.setdefault("channel", "inspection" if workflow == "penalty" else "walk_in")
        kwargs.setdefault("title", f"{workflow} 测试案件")
        role = "desk_officer" if unit.kind == "fair_desk" else "caseworker"
        case = case_open(
            workflow=workflow,
            unit=unit,
            actor=actor or staff[unit.code][role],
            received_at=at(received_at) if isinstance(received_at, str) else received_at,
            **kwargs,
        )
        db.session.commit()  # the caller commits (here the test, as a page or a job would)
        return case

    return factory


@pytest.fixture
def fire(staff):
    """``fire(case, trigger, role="caseworker", unit="ZS", **kwargs)``: the engine, notices left
    pending (rendering PDFs is the notices area's test), committed as a page would."""
    from caseflow.engine import case_fire
    from caseflow.extensions import db

    def do(case, trigger, role="caseworker", *, unit=None, user=None, **kwargs):
        kwargs.setdefault("render_notices", False)
        occurred = kwargs.get("occurred_at")
        if isinstance(occurred, str):
            kwargs["occurred_at"] = at(occurred)
        actor = user or (staff["admin"] if role == "admin" else staff[unit or case.unit.code][role])
        event = case_fire(case, trigger, actor, **kwargs)
        db.session.commit()  # the caller commits (here the test, as a page or a job would)
        return event

    return do


def clocks_of(case) -> dict:
    """``{name: Clock}`` of the case's latest clock row per name."""
    from sqlalchemy import select

    from caseflow.clocks.models import Clock
    from caseflow.extensions import db

    rows = db.session.scalars(select(Clock).where(Clock.case_id == case.id).order_by(Clock.id))
    return {c.name: c for c in rows}


def transition_events(case) -> list:
    from sqlalchemy import select

    from caseflow.cases.models import Event
    from caseflow.extensions import db

    return list(
        db.session.scalars(
            select(Event)
            .where(Event.case_id == case.id, Event.kind == "transition")
            .order_by(Event.id)
        )
    )


def local_due(clock) -> str:
    """The local day a day-based clock is due at the end of, as ``YYYY-MM-DD``."""
    from datetime import timedelta

    return (clock.due_at.astimezone(SHANGHAI) - timedelta(seconds=1)).date().isoformat()


@pytest.fixture
def applicant(units, staff):
    """An approved applicant filing (备案) at ZS, for pre-exam requests."""
    from caseflow.applicants.creditcode import credit_code_check_char
    from caseflow.applicants.services import applicant_approve, applicant_register
    from caseflow.extensions import db

    first17 = "91442000MA4UH8X0"[:16] + "1"
    filed = applicant_register(
        unit=units["ZS"],
        actor=staff["ZS"]["caseworker"],
        name="中山市古镇灯饰科技有限公司",
        credit_code=first17 + credit_code_check_char(first17),
    )
    approved = applicant_approve(filed, actor=staff["ZS"]["supervisor"])
    db.session.commit()
    return approved


@pytest.fixture
def fair(units, staff):
    """A Canton Fair edition at the CF desk, 2026-10-15 09:00 – 10-19 18:00, with two exhibitors:
    ``fair.booth["1.1A01"]`` etc."""
    from caseflow.extensions import db
    from caseflow.fairs.services import exhibitors_add, fair_create

    desk = staff["CF"]["desk_officer"]
    created = fair_create(
        unit=units["CF"],
        actor=desk,
        name="第140届中国进出口商品交易会（第一期）",
        venue="广州 琶洲展馆",
        opens_at=at("2026-10-15 09:00"),
        closes_at=at("2026-10-19 18:00"),
        organiser="中国对外贸易中心",
    )
    exhibitors = exhibitors_add(
        created,
        actor=desk,
        rows=[
            {"name": "佛山某灯具有限公司", "booth": "1.1A01", "country": "CN"},
            {"name": "宁波某电器有限公司", "booth": "1.1A02", "country": "CN"},
        ],
    )
    db.session.commit()
    created.booth = {e.booth: e for e in exhibitors}
    return created


@pytest.fixture
def open_any(open_case, applicant, fair):
    """``open_any(workflow, ...)``: a case of any workflow in its home unit (CF for fairs)."""
    serial = iter(range(1, 10**6))

    def factory(workflow, **kwargs):
        if workflow == "pre_exam":
            kwargs.setdefault("applicant_id", applicant.id)
        if workflow == "fair_complaint":
            kwargs.setdefault("unit", "CF")
            kwargs.setdefault("received_at", "2026-10-16 10:00")
            kwargs.setdefault("fair_id", fair.id)
            kwargs.setdefault("exhibitor_id", fair.booth["1.1A01"].id)
            kwargs.setdefault("channel", "fair_desk")
            kwargs.setdefault("actor", None)
            # A second complaint on the same right against the same booth would be a duplicate.
            kwargs.setdefault(
                "right",
                {
                    "kind": "patent",
                    "number": f"ZL20233012{next(serial):04d}.7",
                    "patent_type": "design",
                },
            )
        return open_case(workflow, **kwargs)

    return factory


def as_decided(case_or_id):
    """A fixture shortcut for the credit register's tests: the case put in the first state its
    decision leaves it in (``workflows.credit.FINDING_STATES``), as a noncompliance record needs a
    decision to refuse. The workflows' own tests walk the real steps there."""
    from caseflow.cases.models import Case
    from caseflow.extensions import db
    from workflows.credit import FINDING_STATES

    case = db.session.get(Case, case_or_id) if isinstance(case_or_id, str) else case_or_id
    case.state = FINDING_STATES[case.workflow][0]
    db.session.commit()
    return case
