"""The case page's timeline says what each step recorded and how each deadline moved, in words
and with the last days the clock table shows (never a clock's code, a method's code, or the next
day's 00:00 read as a date)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from caseflow.extensions import db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def _timeline(client, case) -> str:
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    return page.text[page.text.index('id="timeline"') :]


def test_a_steps_data_and_a_service_re_timing_are_written_out(client, people, open_case, login):
    from caseflow.engine import case_fire
    from caseflow.notices.models import Notice
    from caseflow.notices.services import notices_render_pending
    from caseflow.parties.services import notice_service_record

    worker, chief = people["caseworker"], people["supervisor"]
    case = open_case(worker, received_at=at("2026-09-01 09:00"))
    case_fire(case, "accept", worker, occurred_at=at("2026-09-02 10:00"),
              data={"handlers": ["张三", "李四", "王五"]}, render_notices=False)
    case_fire(case, "serve", worker, occurred_at=at("2026-09-03 10:00"), render_notices=False)
    db.session.commit()
    answer_notice = db.session.scalar(select(Notice).where(Notice.kind == "answer_notice"))
    notices_render_pending([answer_notice.id])
    db.session.refresh(answer_notice)
    # The answer period (15 days) counts from the respondent's receipt, not the notice's date.
    notice_service_record(
        notice=answer_notice, served_at=at("2026-09-07 15:00"), method="in_person", actor=worker
    )
    case_fire(case, "suspend", chief, occurred_at=at("2026-09-08 10:00"), render_notices=False,
              data={"reason": "invalidation", "details": "被请求人已提出无效宣告请求"})
    db.session.commit()

    login(worker)
    timeline = _timeline(client, case)
    assert "<dt>承办人员（三人以上单数）</dt><dd>张三、李四、王五</dd>" in timeline
    assert "<dt>中止事由</dt><dd>专利权无效宣告请求审查中</dd>" in timeline
    assert "<dt>说明</dt><dd>被请求人已提出无效宣告请求</dd>" in timeline
    assert "（直接送达）" in timeline and "（in_person）" not in timeline
    # 15 days from 09-03 end on 09-18; from 09-07, on 09-22 (a Tuesday, a working day).
    assert (
        "答辩期限：按送达日期 2026年9月7日 重新起算，到期日由 2026年9月18日 改为 2026年9月22日"
        in timeline
    )
    assert "「answer」" not in timeline


def test_a_calendar_move_names_the_last_days_the_clock_table_shows(
    client, people, open_case, login
):
    """A local closure moves a clock by a day: the timeline names the same last days as the
    clock table (the 24:00 instants, read as dates, would each be one day late)."""
    from caseflow.calendar.models import UnitClosure
    from caseflow.calendar.services import calendar_load, calendar_version_bump

    worker = people["caseworker"]
    # 5 working days from Monday 2026-09-14: 15, 16, 17, 18 and Sunday 20 (调休) → 09-20.
    case = open_case(worker, received_at=at("2026-09-14 09:00"))
    try:
        calendar_load(
            "2026-09-16 holiday 台风停工\n", source="台风", actor=people["admin"], unit="ZS"
        )
        db.session.commit()
        login(worker)
        timeline = _timeline(client, case)
        assert "立案审查期限：因放假安排调整，到期日由 2026年9月20日 改为 2026年9月21日" in timeline
    finally:
        db.session.rollback()
        db.session.execute(delete(UnitClosure))
        calendar_version_bump()
        db.session.commit()


def test_a_decisions_items_are_labelled_without_the_forms_help_and_its_pdf_has_an_ascii_name(
    client, people, open_case, login
):
    """The timeline names a step's data by the field's label (裁决事项), never with how to type it
    (每行一项，自动编号); the decision's PDF keeps its Chinese name (filename*) and has an ASCII
    fallback that says what it is (it read "20263-.pdf")."""
    from urllib.parse import quote

    from caseflow.engine import case_fire
    from caseflow.notices.models import Notice
    from caseflow.notices.services import notices_render_pending

    worker, chief = people["caseworker"], people["supervisor"]
    case = open_case(worker, received_at=at("2026-09-01 09:00"))
    case_fire(case, "accept", worker, occurred_at=at("2026-09-02 10:00"),
              data={"handlers": ["张三", "李四", "王五"]}, render_notices=False)
    case_fire(case, "serve", worker, occurred_at=at("2026-09-03 10:00"), render_notices=False)
    case_fire(case, "receive_answer", worker, occurred_at=at("2026-09-10 10:00"), render_notices=False)
    case_fire(case, "decide", chief, occurred_at=at("2026-09-20 10:00"), render_notices=False, data={
        "outcome": "infringing",
        "findings": "被请求人销售的吸顶灯与涉案外观设计相近似。",
        "reasoning": "被请求人未经许可销售侵权产品，构成侵权。",
        "items": ["被请求人立即停止销售侵权产品"],
    })
    db.session.commit()
    decision = db.session.scalar(select(Notice).where(Notice.kind == "decision"))
    notices_render_pending([decision.id])
    db.session.refresh(decision)

    login(worker)
    timeline = _timeline(client, case)
    assert "<dt>裁决事项</dt><dd>被请求人立即停止销售侵权产品</dd>" in timeline
    assert "每行一项" not in timeline
    disposition = client.get(f"/notices/{decision.id}.pdf").headers["Content-Disposition"]
    assert f'filename="{case.number}_notice-{decision.id}.pdf"' in disposition
    name = f"{decision.document_number}-{decision.title}.pdf"
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition


def test_notes_caseflow_writes_itself_read_in_english_and_stay_chinese_in_chinese(
    client, people, open_case, login
):
    """A claim's note is stored in the audit's Chinese; the English timeline says it in English
    (from the event), the Chinese one exactly as stored, and the API gives the stored words."""
    from flask_babel import refresh

    from caseflow.cases.services import case_assign, case_claim
    from tests.support import csrf_from

    worker, chief = people["caseworker"], people["supervisor"]
    case = open_case(worker)
    case_assign(case, assignee=None, actor=chief)
    case_claim(case=case, actor=worker)
    db.session.commit()
    login(worker)
    chinese = _timeline(client, case)
    assert f"{worker.display_name} 认领" in chinese
    client.post("/lang/en", data={"csrf_token": csrf_from(client.get("/inbox").text)})
    refresh()
    english = _timeline(client, case)
    assert f"Claimed by {worker.display_name}" in english and "认领" not in english
