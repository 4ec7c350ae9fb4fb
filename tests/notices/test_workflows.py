"""Every transition that issues a notice, fired through the real engine from its first source
state: the queued notice has the kind's title, its number, and its template prints the case's
facts and the due date of each clock it announces (HTML only: the PDFs are test_render's)."""

import re

import pytest

import workflows
from caseflow.clocks.models import Clock
from caseflow.extensions import db
from caseflow.notices.chinese import deadline_text
from caseflow.notices.kinds import kind_announced_clocks, kind_title
from caseflow.notices.models import Notice
from caseflow.notices.render import notice_html
from tests.workflows.walk import place, valid_data

ROWS = [
    (name, row.trigger)
    for name in ("intake", "pre_exam", "adjudication", "mediation", "fair_complaint")
    for row in workflows.get(name).TRANSITIONS
    if row.notice is not None
]


@pytest.mark.parametrize("workflow", sorted({w for w, _ in ROWS}))
def test_every_noticed_transition_queues_a_printable_notice(workflow, open_any, fire):
    failures = []
    for name, trigger in ROWS:
        if name != workflow:
            continue
        row = workflows.transition(workflows.get(workflow), trigger)
        case = open_any(workflow)
        place(case, row.sources[0], row)
        event = fire(case, trigger, row.roles[0], data=valid_data(row))
        notice = db.session.scalar(db.select(Notice).where(Notice.event_id == event.id))
        html = re.sub(r"<[^>]+>|\s+", "", notice_html(notice))
        expected = [
            kind_title(workflow, row.notice.kind),
            case.number,
            notice.document_number,
            case.complainant_name,
        ]
        for clock_name in kind_announced_clocks(workflow, row.notice.kind):
            clock = db.session.scalar(
                db.select(Clock)
                .where(Clock.case_id == case.id, Clock.name == clock_name)
                .order_by(Clock.id.desc())
                .limit(1)
            )
            if clock is not None:
                expected.append(deadline_text(clock))
        missing = [text for text in expected if text not in html]
        if notice.status != "pending" or missing:
            failures.append(f"{trigger} → {row.notice.kind}: missing {missing}")
    assert not failures, "\n".join(failures)


def test_every_title_a_notice_cites_is_in_the_legal_basis_register():
    """A notice's basis line (依据：…) cites only laws docs/legal-basis.md holds: a pre-exam notice
    cited a 《专利快速预审服务管理办法》 that no source supports."""
    from pathlib import Path

    from caseflow.notices.kinds import COMPLAINT_TYPE_BASIS, LEGAL_BASIS

    register = (Path(__file__).parents[2] / "docs" / "legal-basis.md").read_text()
    cited = {
        title.removeprefix("中华人民共和国")
        for line in [*LEGAL_BASIS.values(), *COMPLAINT_TYPE_BASIS.values()]
        for title in re.findall(r"《([^》]+)》", line)
    }
    assert cited and all(title in register for title in cited), cited - {
        t for t in cited if t in register
    }
    assert "专利快速预审服务管理办法" not in LEGAL_BASIS["pre_exam"]
