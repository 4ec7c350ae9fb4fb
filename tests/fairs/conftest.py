"""Factories for the fair tests: a fair desk with its users, fairs, exhibitors and complaints."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

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


#: How a complaint reaches each state through the real machine (procedures.md §5), with the
#: data each trigger needs.
PATHS = {
    "lodged": [],
    "refused": [("refuse", {"reason": "材料不全"})],
    "respondent_notified": [("accept", {}), ("notify_respondent", {})],
    "not_infringing": [("accept", {}), ("notify_respondent", {}), ("find_not_infringing", {})],
    "mediated": [("accept", {}), ("notify_respondent", {}), ("mediate", {"terms": ["被投诉方当场撤下涉案样品"]})],
    "rectification_ordered": [
        ("accept", {}),
        ("notify_respondent", {}),
        ("order_rectification", {}),
    ],
    "resolved": [
        ("accept", {}),
        ("notify_respondent", {}),
        ("order_rectification", {}),
        ("confirm_compliance", {"evidence": "现场照片 IMG_0412"}),
    ],
}


@pytest.fixture
def make_complaint(officer):
    """A ``fair_complaint`` opened through ``case_open`` and moved by the engine to ``state``."""
    from caseflow.cases.services import case_open
    from caseflow.engine import case_fire
    from caseflow.extensions import db

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
        received_at = received_at or local(2026, 4, 16, 10)
        case = case_open(
            workflow="fair_complaint",
            unit=fair.unit,
            actor=officer,
            channel="fair_desk",
            received_at=received_at,
            complainant={"name": complainant, "kind": "company", "country": country},
            right={"kind": "patent", "number": right_number, "patent_type": "design"},
            fair_id=fair.id,
            exhibitor_id=exhibitor.id,
        )
        for step, (trigger, data) in enumerate(PATHS[state], start=1):
            case_fire(
                case,
                trigger,
                officer,
                occurred_at=received_at + timedelta(minutes=10 * step),
                data=data,
                render_notices=False,
            )
            db.session.commit()  # the caller commits (a page would)
        assert case.state == state
        return case

    return factory
