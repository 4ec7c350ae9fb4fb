"""Helpers for notice tests: a realistic case per workflow, a transition-like issuing step with
real clocks on the real calendar, and readers for the rendered PDF (poppler-utils)."""

import os
import re
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from caseflow.cases.models import Case, Event
from caseflow.clocks.services import clock_start
from caseflow.extensions import db
from caseflow.notices.services import notice_queue, notices_render_pending
from tests.engine.helpers import applicant, fair, fire, open_any, open_case, staff  # noqa: F401

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: Parties and rights as a centre would record them.
COMPLAINANT = {
    "name": "中山市明辉照明科技有限公司",
    "kind": "company",
    "country": "CN",
    "address": "广东省中山市古镇镇东兴路8号",
}
RESPONDENT = {
    "name": "佛山市南海区光耀灯饰厂",
    "kind": "company",
    "country": "CN",
    "booth": "11.2H-07",
}
RIGHT = {
    "kind": "patent",
    "number": "ZL202310123456.7",
    "patent_type": "utility_model",
    "classification": "F21V29/70",
}


def at(text: str) -> datetime:
    """``at("2026-09-22 10:00")``: a local (Asia/Shanghai) instant."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def make_case(units):
    """``make_case(workflow, unit="ZS", state=…)``: a case row as the engine leaves it."""
    counter = iter(range(1, 1000))

    def factory(workflow="adjudication", *, unit="ZS", state="under_review", **values):
        unit = units[unit] if isinstance(unit, str) else unit
        code = {
            "intake": "INT",
            "pre_exam": "PRE",
            "adjudication": "ADJ",
            "mediation": "MED",
            "fair_complaint": "FAIR",
            "penalty": "PEN",
        }[workflow]
        case = Case(
            number=f"{unit.code}-{code}-2026-{next(counter):05d}",
            unit_id=unit.id,
            unit=unit,
            workflow=workflow,
            state=state,
            title=values.pop("title", "LED灯具散热结构"),
            received_at=values.pop("received_at", at("2026-09-15 09:30")),
            complainant=values.pop("complainant", COMPLAINANT),
            complainant_name=COMPLAINANT["name"],
            respondent=values.pop("respondent", RESPONDENT),
            respondent_name=RESPONDENT["name"],
            right=values.pop("right", RIGHT),
            **values,
        )
        db.session.add(case)
        db.session.flush()
        return case

    return factory


@pytest.fixture
def issue():
    """``issue(case, kind, occurred_at, clocks=[(name, period)], data={}, render=True)``: what a
    transition does — one event, its clocks, the queued notice, commit — then the after-commit
    rendering. Returns the notice."""

    def do_issue(
        case, kind, occurred_at, *, clocks=(), data=None, note="", addressee=None, render=True
    ):
        event = Event(
            case=case,
            kind="transition",
            trigger=kind,
            occurred_at=occurred_at,
            note=note,
            data=data or {},
        )
        db.session.add(event)
        db.session.flush()
        for name, period in clocks:
            clock_start(case, name, period=period, started_at=occurred_at, event=event)
        notice = notice_queue(case=case, kind=kind, event=event, addressee=addressee)
        notice_id = notice.id
        db.session.commit()
        if render:
            notices_render_pending([notice_id])  # collects WeasyPrint's garbage itself
        return db.session.get(type(notice), notice_id)

    return do_issue


def issued(event):
    """The notice a step fired through the engine queued, rendered and issued: its addressee's
    (the first), where the step tells each party in a notice of its own."""
    from sqlalchemy import select

    from caseflow.notices.models import Notice

    notice, *_copies = db.session.scalars(
        select(Notice).where(Notice.event_id == event.id).order_by(Notice.id)
    ).all()
    notices_render_pending([notice.id])
    db.session.refresh(notice)
    assert notice.status == "issued", notice.last_error
    return notice


def _run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def pdf(app):
    """Readers for an issued notice's file: ``pdf.path(n)``, ``pdf.text(n)`` (whitespace removed,
    as lines wrap anywhere in Chinese), ``pdf.fonts(n)``, ``pdf.info(n)``."""

    class Reader:
        @staticmethod
        def path(notice):
            return os.path.join(app.config["CASEFLOW_STORAGE"], notice.file_path)

        def raw_text(self, notice):
            return _run("pdftotext", "-enc", "UTF-8", self.path(notice), "-")

        def text(self, notice):
            return re.sub(r"\s+", "", self.raw_text(notice))

        def fonts(self, notice):
            return _run("pdffonts", self.path(notice))

        def info(self, notice):
            return _run("pdfinfo", self.path(notice))

    return Reader()
