"""Every row of the `pre_exam` transition table, fired from each of its source states: the allowed
role succeeds with one audit event, other roles get 403, other states 409."""

import time_machine

from tests.engine.helpers import at, clocks_of
from tests.workflows.walk import walk


def test_every_row_from_every_source(open_any, fire):
    walk("pre_exam", open_any=open_any, fire=fire)


def test_only_a_granted_case_meets_or_misses_the_grant_promise(open_any, fire, api, staff):
    """A pre-exam withdrawn, disqualified or refused was never granted: its grant promise is
    cancelled, not counted met in the statistics (the on-time shares of /stats/report)."""
    cases = [open_any("pre_exam", received_at="2026-11-02 09:00") for _ in range(4)]
    granted, disqualified, withdrawn, refused = cases
    for case in (granted, refused):
        step(fire, case, "start_review", "2026-11-02 10:00")
        step(fire, case, "qualify", "2026-11-03 10:00")
        step(fire, case, "record_filing", "2026-11-04 10:00", data={"application_number": "202610012345.1"})
    step(fire, granted, "record_grant", "2026-11-10 10:00")
    step(fire, refused, "record_refusal", "2026-11-10 10:00")
    step(fire, disqualified, "disqualify", "2026-11-03 10:00", data={"reason": "视图不完整"})
    step(fire, withdrawn, "withdraw", "2026-11-04 10:00")
    # The ZS promise for designs: granted within 10 working days of the request.
    assert clocks_of(granted)["grant_target"].status == "met"
    for case in (disqualified, withdrawn, refused):
        assert clocks_of(case)["grant_target"].status == "cancelled", case.state

    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        body = api(staff["ZS"]["supervisor"]).get("/api/v1/stats/report?year=2026").get_json()
    (pre,) = [w for w in body["workflows"] if w["workflow"] == "pre_exam"]
    (promise,) = [p for p in pre["promises"] if p["clock"] == "grant_target"]
    assert (promise["met"], promise["missed"]) == (1, 0)


def step(fire, case, trigger, when, role="caseworker", **kwargs):
    with time_machine.travel(at(when), tick=False):
        return fire(case, trigger, role, **kwargs)


def test_the_disqualification_notice_states_its_reason_once(open_any, fire):
    import re

    from sqlalchemy import select

    from caseflow.extensions import db
    from caseflow.notices.models import Notice
    from caseflow.notices.render import notice_html

    case = open_any("pre_exam", received_at="2026-11-02 09:00")
    reason = "视图不完整，不符合外观设计预审要求"
    step(fire, case, "disqualify", "2026-11-03 10:00", data={"reason": reason})
    notice = db.session.scalar(select(Notice).where(Notice.case_id == case.id))
    text = re.sub(r"<[^>]+>|\s+", "", notice_html(notice))
    assert f"经预审，{reason}，预审不合格。" in text
    assert "不符合快速预审要求" not in text
