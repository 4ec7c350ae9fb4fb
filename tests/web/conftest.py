"""Factories for the web tests: units, users of each role, an adjudication case, a fair."""

from datetime import UTC, datetime, timedelta

import pytest

from caseflow.extensions import db


@pytest.fixture
def people(units, make_user):
    """One user per role at ZS, a caseworker at PD, a desk officer at CF, and an admin."""
    return {
        "caseworker": make_user(
            "caseworker", units["ZS"], username="zs_worker", display_name="张承办"
        ),
        "supervisor": make_user(
            "supervisor", units["ZS"], username="zs_chief", display_name="李主任"
        ),
        "viewer": make_user("viewer", units["ZS"], username="zs_viewer", display_name="王只读"),
        "pd_worker": make_user(
            "caseworker", units["PD"], username="pd_worker", display_name="赵承办"
        ),
        "desk": make_user("desk_officer", units["CF"], username="cf_desk", display_name="陈专员"),
        "admin": make_user("admin", None, username="root", display_name="系统管理员"),
    }


@pytest.fixture
def open_case(units):
    """``open_case(actor, workflow="adjudication", unit="ZS", **fields)`` through ``case_open``."""
    from caseflow.cases.services import case_open

    def factory(actor, workflow="adjudication", unit="ZS", received_at=None, **fields):
        values = {
            "title": "LED 灯具外观设计专利侵权纠纷",
            # A penalty is opened directly only from an inspection (procedures.md §6).
            "channel": "inspection" if workflow == "penalty" else "walk_in",
            "complainant": {"name": "中山市明辉照明有限公司", "kind": "company", "country": "CN"},
            "respondent": {"name": "古镇星光灯饰厂", "kind": "company", "country": "CN"},
            "right": {"kind": "patent", "number": "ZL202530123456.7", "patent_type": "design"},
        }
        values.update(fields)
        case = case_open(
            workflow=workflow,
            unit=units[unit],
            actor=actor,
            received_at=received_at,
            **values,
        )
        db.session.commit()
        return case

    return factory


@pytest.fixture
def fair_with_exhibitors(people):
    """A fair open now at CF with three exhibitors."""
    from caseflow.fairs.services import exhibitors_add, fair_create

    officer = people["desk"]
    now = datetime.now(UTC)
    fair = fair_create(
        unit=officer.unit,
        actor=officer,
        name="第139届中国进出口商品交易会（第一期）",
        venue="广州 琶洲展馆",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=2),
        organiser="中国对外贸易中心",
    )
    exhibitors_add(
        fair,
        actor=officer,
        rows=[
            {"name": "佛山光耀灯饰有限公司", "booth": "11.2C15", "country": "CN"},
            {"name": "Bright Lamps Ltd", "booth": "11.2C16", "country": "HK"},
            {"name": "中山古镇华灯厂", "booth": "12.1A01", "country": "CN"},
        ],
    )
    db.session.commit()
    return fair


@pytest.fixture
def fair_complaint(people, fair_with_exhibitors):
    """``fair_complaint(state="respondent_notified", booth="11.2C15", complainant="OSRAM GmbH")``:
    a complaint at the fair moved through the real machine (its notices not rendered)."""
    from sqlalchemy import select

    from caseflow.cases.services import case_open
    from caseflow.engine import case_fire
    from caseflow.fairs.models import Exhibitor

    paths = {"lodged": (), "accepted": ("accept",), "respondent_notified": ("accept", "notify_respondent")}

    def factory(state="respondent_notified", booth="11.2C15", complainant="OSRAM GmbH"):
        officer = people["desk"]
        exhibitor = db.session.scalar(select(Exhibitor).where(Exhibitor.booth == booth))
        case = case_open(
            workflow="fair_complaint",
            unit=officer.unit,
            actor=officer,
            channel="fair_desk",
            complainant={"name": complainant, "kind": "company", "country": "DE"},
            right={"kind": "patent", "number": "ZL202330654321.0", "patent_type": "design"},
            fair_id=fair_with_exhibitors.id,
            exhibitor_id=exhibitor.id,
        )
        for trigger in paths[state]:
            case_fire(case, trigger, officer, render_notices=False)
        db.session.commit()
        return case

    return factory


# The credit pages' records, for the English pages' test too.
from tests.web.test_credit import credit_world  # noqa: E402, F401
