"""Fixtures for clock tests: a bare case row to hang clocks on (the engine is not involved)."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from caseflow.cases.models import Case
from caseflow.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    """A local (Asia/Shanghai) wall time, 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM'."""
    if len(text) == 10:
        text += "T00:00"
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def make_case(make_unit):
    unit = make_unit("ZS")

    def factory(received="2026-09-01T09:00"):
        case = Case(
            number=f"ZS-ADJ-2026-{uuid.uuid4().hex[:6]}",
            unit_id=unit.id,
            workflow="adjudication",
            state="received",
            received_at=local(received),
            title="测试案件",
        )
        db.session.add(case)
        db.session.flush()
        return case

    return factory
