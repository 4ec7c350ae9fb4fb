"""Factories for the fair tests: a fair desk with its users, fairs, exhibitors and complaints."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from caseflow.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def desk(make_unit):
    return make_unit("CF", kind="fair_desk", name="中国进出口商品交易会 投诉站", profile={})


@pytest.fixture
def officer(make_user, desk):
    return make_user("desk_officer", desk)


@pytest.fixture
def make_fair(officer):
    """``make_fair(name, opens_at, closes_at)``; by default the spring Canton Fair 2026, phase 1."""
    from caseflow.fairs.services import fair_create

    def factory(
        name="第139届中国进出口商品交易会（第一期）",
        opens_at=local(2026, 4, 15, 9),
        closes_at=local(2026, 4, 19, 18),
        actor=None,
    ):
        actor = actor or officer
        return fair_create(
            unit=actor.unit,
            actor=actor,
            name=name,
            venue="广州 中国进出口商品交易会展馆",
            opens_at=opens_at,
            closes_at=closes_at,
            organiser="中国对外贸易中心",
        )

    return factory


@pytest.fixture
def make_complaint():
    """Insert a ``fair_complaint`` case as ``case_open`` leaves it (lodged), or in ``state``."""
    from caseflow.cases.models import Case

    def factory(
        fair,
        exhibitor,
        *,
        complainant="欧司朗有限公司",
        right_number="ZL202310123456.7",
        state="lodged",
        received_at=None,
        country="DE",
    ):
        case = Case(
            number=f"CF-FAIR-2026-{uuid.uuid4().hex[:5]}",
            unit_id=fair.unit_id,
            workflow="fair_complaint",
            state=state,
            is_closed=state in ("refused", "not_infringing", "resolved", "mediated", "referred"),
            received_at=received_at or local(2026, 4, 16, 10),
            complainant={"name": complainant, "kind": "company", "country": country},
            complainant_name=complainant,
            respondent={"name": exhibitor.name, "kind": "company", "country": exhibitor.country},
            respondent_name=exhibitor.name,
            right={"kind": "patent", "number": right_number, "patent_type": "design"},
            fair_id=fair.id,
            exhibitor_id=exhibitor.id,
        )
        db.session.add(case)
        db.session.commit()
        return case

    return factory
