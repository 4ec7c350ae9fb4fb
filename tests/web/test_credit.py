"""The credit register's pages (credit.md): the public list (published only, zh-CN and English),
the register with filters, a subject's history, the supervisor's publish and repair, and
repeat_of on the case page and the inbox row. "Now" is pinned to 2026-12-01."""

import re

import pytest
import time_machine

from caseflow.applicants.creditcode import credit_code_check_char
from caseflow.extensions import db
from tests.engine.helpers import as_decided, at
from tests.support import csrf_from

NOW = at("2026-12-01 10:00")


def code_for(first16: str) -> str:
    first17 = first16 + "1"
    return first17 + credit_code_check_char(first17)


CODE = code_for("9144200071478234")
OTHER_CODE = code_for("9131011566778899")


@pytest.fixture
def credit_world(people, open_case):
    """At ZS: a case against 古镇星光灯饰有限公司 (code CODE) with a published noncompliance
    record (published 2026-01-05, repairable from 2026-07-07), a pending one against another
    company, and a record by name only (each on a decided case against its subject: a refusal
    to perform names the party the decision binds)."""
    from caseflow.credit.services import credit_record_noncompliance, credit_record_publish

    with time_machine.travel(NOW, tick=False):
        worker, chief = people["caseworker"], people["supervisor"]
        case = as_decided(
            open_case(
                worker,
                received_at=at("2025-12-01 10:00"),
                respondent={"name": "古镇星光灯饰有限公司", "kind": "company", "code": CODE},
            )
        )
        published = credit_record_noncompliance(
            actor=chief,
            subject={"name": "古镇星光灯饰有限公司", "code": CODE},
            case_id=case.id,
            at=at("2026-01-02 10:00"),
        )
        credit_record_publish(published, actor=chief, at=at("2026-01-05 10:00"))
        pending = credit_record_noncompliance(
            actor=chief,
            subject={"name": "佛山某某电器有限责任公司", "code": OTHER_CODE},
            case_id=as_decided(
                open_case(
                    worker,
                    received_at=at("2025-12-02 10:00"),
                    respondent={
                        "name": "佛山某某电器有限责任公司",
                        "kind": "company",
                        "code": OTHER_CODE,
                    },
                )
            ).id,
            at=at("2026-11-20 10:00"),
        )
        by_name = credit_record_noncompliance(
            actor=chief,
            subject={"name": "古镇星光灯饰有限责任公司"},
            case_id=as_decided(
                open_case(
                    worker,
                    received_at=at("2025-12-03 10:00"),
                    respondent={"name": "古镇星光灯饰有限责任公司", "kind": "company"},
                )
            ).id,
            at=at("2026-11-21 10:00"),
        )
    db.session.commit()  # the services flush; a fixture commits as a page would
    return {"case": case, "published": published, "pending": pending, "by_name": by_name}


def test_public_list_shows_published_records_only(client, credit_world):
    with time_machine.travel(NOW, tick=False):
        page = client.get("/credit")
        # The test client shares the test's app context, where Flask-Babel caches the locale.
        from flask_babel import refresh

        switched = client.post("/lang/en", data={"csrf_token": csrf_from(page.text)})
        assert switched.status_code == 302
        refresh()
        english = client.get("/credit")
        refresh()
    assert page.status_code == 200
    assert "古镇星光灯饰有限公司" in page.text and CODE in page.text
    assert "佛山某某电器" not in page.text  # pending
    assert "古镇星光灯饰有限责任公司" not in page.text  # pending too
    assert "拒不执行" in page.text and "2029年1月5日" in page.text
    assert 'name="viewport"' in page.text
    assert "Credit information" in english.text and "Refusal to perform" in english.text


def test_every_record_on_display_is_reached_page_by_page(
    client, people, open_case, credit_world
):
    """The public list shows a page at a time, never silently the newest few hundred only."""
    from caseflow.credit.selectors import PUBLIC_PAGE_SIZE
    from caseflow.credit.services import credit_record_noncompliance, credit_record_publish

    chief = people["supervisor"]
    with time_machine.travel(NOW, tick=False):
        case = as_decided(
            open_case(
                people["caseworker"],
                received_at=at("2026-09-01 10:00"),
                respondent={"name": "中山市某某灯饰厂", "kind": "company"},
            )
        )
        for _ in range(PUBLIC_PAGE_SIZE):
            record = credit_record_noncompliance(
                actor=chief, case_id=case.id, at=at("2026-11-02 10:00")
            )
            credit_record_publish(record, actor=chief, at=at("2026-11-03 10:00"))
        db.session.commit()
        first = client.get("/credit").text
        second = client.get("/credit", query_string={"page": 2}).text
        beyond = client.get("/credit", query_string={"page": "x"})
    # The earliest published record (2026-01-05) is on the second page, behind a 下一页 link.
    assert first.count('class="panel credit-card"') == PUBLIC_PAGE_SIZE
    assert "古镇星光灯饰有限公司" not in first and "page=2" in first
    assert "古镇星光灯饰有限公司" in second and second.count('class="panel credit-card"') == 1
    assert "page=1" in second and "page=3" not in second
    assert beyond.status_code == 200  # a page that is not a number is the first


def test_register_filters_and_subject_history(client, people, login, credit_world):
    login(people["caseworker"])
    with time_machine.travel(NOW, tick=True):
        everything = client.get("/credit/register")
        published = client.get("/credit/register?status=published")
        by_code = client.get(f"/credit/register?code={OTHER_CODE}")
        subject = client.get(f"/credit/subject?code={CODE}&name=古镇星光灯饰有限公司")
    assert everything.status_code == 200
    assert everything.text.count("data-record=") == 3
    assert published.text.count("data-record=") == 1
    assert by_code.text.count("data-record=") == 1 and "佛山某某电器" in by_code.text
    # By code, and the record known only by a name that folds to the same key (weaker).
    assert subject.text.count("data-record=") == 2
    assert "信用代码匹配" in subject.text and "名称匹配（较弱）" in subject.text


def test_supervisor_publishes_and_repairs_from_the_queue(client, people, login, credit_world):
    assert client.get("/credit/repairs").status_code in (302, 401)
    login(people["caseworker"])
    assert client.get("/credit/repairs").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/credit/register").text)})
    login(people["supervisor"])
    pending, published = credit_world["pending"], credit_world["published"]
    with time_machine.travel(NOW, tick=True):
        dashboard = client.get("/dashboard")
        assert "待公示 2 条" in dashboard.text and "可批准信用修复 1 条" in dashboard.text
        queue = client.get("/credit/repairs")
        assert queue.status_code == 200
        token = csrf_from(queue.text)
        done = client.post(
            f"/credit/{pending.id}/publish", data={"csrf_token": token}, follow_redirects=True
        )
        assert "已公示" in done.text
        twice = client.post(
            f"/credit/{pending.id}/publish", data={"csrf_token": token}, follow_redirects=True
        )
        assert "不能再次公示" in twice.text
        repaired = client.post(
            f"/credit/{published.id}/repair",
            data={"csrf_token": token, "reason": "已履行处罚决定并完成整改"},
            follow_redirects=True,
        )
        assert "已信用修复" in repaired.text
        public = client.get("/credit").text
    db.session.expire_all()
    assert (pending.status, published.status) == ("published", "repaired")
    assert "佛山某某电器有限责任公司" in public and "古镇星光灯饰有限公司" not in public


def test_repeat_of_on_the_case_page_and_the_inbox(client, people, login, open_case, credit_world):
    with time_machine.travel(NOW, tick=False):
        again = open_case(
            people["caseworker"],
            respondent={"name": "星光灯饰", "kind": "company", "code": CODE},
        )
    login(people["caseworker"])
    with time_machine.travel(NOW, tick=True):
        page = client.get(f"/cases/{again.id}")
        inbox = client.get("/inbox")
    assert 'id="repeat-of"' in page.text and credit_world["case"].number in page.text
    row = re.search(rf'<tr[^>]*data-case="{again.number}".*?</tr>', inbox.text, re.S).group(0)
    assert "曾被认定侵权" in row


def test_one_earlier_finding_reads_in_the_singular_in_english(
    client, people, login, open_case, credit_world
):
    """One finding before is "once", not "1 times" (the inbox badge and the case's banner)."""
    with time_machine.travel(NOW, tick=False):
        again = open_case(
            people["caseworker"],
            respondent={"name": "星光灯饰", "kind": "company", "code": CODE},
        )
    assert len(again.data["repeat_of"]) == 1
    login(people["caseworker"])
    with time_machine.travel(NOW, tick=True):
        client.post("/lang/en", data={"csrf_token": csrf_from(client.get("/inbox").text)})
        from flask_babel import refresh

        refresh()
        page = client.get(f"/cases/{again.id}").text
        inbox = client.get("/inbox").text
    row = re.search(rf'<tr[^>]*data-case="{again.number}".*?</tr>', inbox, re.S).group(0)
    assert "Found infringing once before" in row and "1 times" not in row
    assert "found infringing or penalised before (1 time)" in page and "1 times" not in page


def test_the_pudong_range_shows_for_a_finding_on_the_same_patent_in_another_unit(
    client, people, login, open_case, make_user, units, credit_world
):
    """credit.md: the penalty worksheet shows the heavier Pudong range on the same patent again;
    another unit sees only the fact, so the match is decided on the server, not by comparing a
    patent number the page never receives."""
    with time_machine.travel(NOW, tick=False):
        same = open_case(
            people["pd_worker"],
            workflow="penalty",
            unit="PD",
            respondent={"name": "星光灯饰", "kind": "company", "code": CODE},
        )
        other = open_case(
            people["pd_worker"],
            workflow="penalty",
            unit="PD",
            respondent={"name": "星光灯饰", "kind": "company", "code": CODE},
            right={"kind": "patent", "number": "ZL202430999999.1", "patent_type": "design"},
        )
    assert {entry["patent_number"] for entry in same.data["repeat_of"]} == {None}
    # The range is the worksheet's guidance from the filing on: Pudong's head files both.
    from caseflow.engine import case_fire

    chief = make_user("supervisor", units["PD"])
    with time_machine.travel(NOW, tick=False):
        for case in (same, other):
            case_fire(case, "file_case", chief, render_notices=False, data={"handlers": ["张三", "李四"]})
    db.session.commit()
    login(people["pd_worker"])
    with time_machine.travel(NOW, tick=True):
        page = client.get(f"/cases/{same.id}")
        elsewhere = client.get(f"/cases/{other.id}")
    assert 'id="repeat-of"' in page.text and 'id="pudong-range"' in page.text
    assert "ZL202530123456.7" not in page.text.split('id="repeat-of"')[1].split("</section>")[0]
    assert 'id="repeat-of"' in elsewhere.text and 'id="pudong-range"' not in elsewhere.text


def test_window_opens_a_penalty_case_with_the_respondents_code(client, people, login, credit_world):
    """From an inspection at the window: a bad check character is refused beside the field in
    Chinese; the right code opens the penalty case in 线索核查 with repeat_of."""
    from sqlalchemy import select

    from caseflow.cases.models import Case

    login(people["caseworker"])
    with time_machine.travel(NOW, tick=True):
        page = client.get("/cases/new?workflow=penalty")
        assert page.status_code == 200 and 'name="respondent_code"' in page.text
        body = {
            "csrf_token": csrf_from(page.text),
            "workflow": "penalty",
            "channel": "inspection",
            "title": "执法检查发现假冒专利",
            # Found in an inspection: no reporter to name (the form asks for none).
            "respondent_name": "古镇星光灯饰有限公司",
            "right_kind": "patent",
            "right_number": "ZL202530123456.7",
        }
        wrong = CODE[:17] + ("1" if CODE[17] != "1" else "2")
        refused = client.post("/cases/new", data={**body, "respondent_code": wrong})
        assert refused.status_code == 422
        assert 'id="respondent_code-error"' in refused.text and "校验位" in refused.text
        opened = client.post("/cases/new", data={**body, "respondent_code": CODE.lower()})
        assert opened.status_code == 302
    case = db.session.scalar(select(Case).where(Case.workflow == "penalty"))
    assert case.state == "clue" and case.respondent["code"] == CODE
    # By its code, and by name the case against the same company known only by its name.
    found = {(e["number"], e["match"]) for e in case.data["repeat_of"]}
    assert (credit_world["case"].number, "code") in found
    assert (credit_world["by_name"].case_number, "name") in found


def test_dashboard_queue_lists_the_units_credit_records(client, people, login, credit_world):
    """The 待审批 list: the two pending records to publish, longest waiting first, each linked
    to its page with the action and its deadline; once one is revoked, its withdrawal."""
    from caseflow.credit.services import credit_record_revoke

    pending, by_name = credit_world["pending"], credit_world["by_name"]
    login(people["supervisor"])
    with time_machine.travel(NOW, tick=False):
        page = client.get("/dashboard")
    section = page.text.split('id="approvals"')[1].split("</section>")[0]
    rows = re.findall(r'data-credit="(\d+)" data-action="(\w+)"', section)
    assert rows == [(str(pending.id), "publish"), (str(by_name.id), "publish")]
    assert f'href="/credit/{pending.id}#record-actions">公示</a>' in section
    # Decided 11-20 (Friday): 20 workdays end Friday 12-18.
    assert "2026年12月18日（周五）" in section and "佛山某某电器有限责任公司" in section
    assert 'id="kpi-approvals">2<' in page.text
    published = credit_world["published"]
    with time_machine.travel(NOW, tick=False):
        credit_record_revoke(
            published, actor=people["supervisor"], reason="复议决定撤销", at=at("2026-11-30 16:00")
        )
        section = client.get("/dashboard").text.split('id="approvals"')[1]
    assert f'data-credit="{published.id}" data-action="withdraw"' in section
    row = section.split(f'data-credit="{published.id}"')[1].split("</tr>")[0]
    assert "撤下" in row and "2026年12月3日（周四）" in row, row


def test_revoke_and_withdraw_from_the_record_page(client, people, login, make_user, units, credit_world):
    """Buttons for the record's unit's supervisor only; a reason, then a confirmation; nothing
    written before it; refusals in Chinese beside the field or as a message; audited."""
    from sqlalchemy import select

    from caseflow.cases.models import Event

    record = credit_world["published"]
    url = f"/credit/{record.id}"
    login(people["caseworker"])
    page = client.get(url)
    assert page.status_code == 200 and "古镇星光灯饰有限公司" in page.text
    assert 'id="record-actions"' not in page.text
    token = csrf_from(page.text)
    assert client.post(f"{url}/revoke", data={"csrf_token": token, "revoke-reason": "x"}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    other = make_user("supervisor", units["PD"], username="pd_chief")
    login(other)
    page = client.get(url)  # published: the facts, but no buttons
    assert page.status_code == 200 and 'id="record-actions"' not in page.text
    pd_token = csrf_from(page.text)
    refused = client.post(
        f"{url}/revoke",
        data={"csrf_token": pd_token, "revoke-csrf_token": pd_token, "revoke-reason": "x", "revoke-confirmed": "yes"},
    )
    assert refused.status_code == 404
    client.post("/logout", data={"csrf_token": pd_token})
    login(people["supervisor"])
    with time_machine.travel(NOW, tick=True):
        page = client.get(url)
        # Nothing revoked yet: nothing to withdraw (credit.md), and a direct request is refused.
        assert 'id="end-revoke"' in page.text and 'id="end-withdraw"' not in page.text
        token = csrf_from(page.text)
        early = client.post(
            f"{url}/withdraw",
            data={
                "csrf_token": token,
                "withdraw-csrf_token": token,
                "withdraw-reason": "企业申请",
                "withdraw-confirmed": "yes",
            },
            follow_redirects=True,
        )
        assert "所依据的决定未登记撤销，不能撤下" in early.text
        db.session.expire_all()
        assert record.status == "published"
        form = {"revoke-csrf_token": token, "csrf_token": token}
        # No reason: refused beside the field, nothing written.
        empty = client.post(f"{url}/revoke", data={**form, "revoke-reason": " "})
        assert empty.status_code == 422
        assert 'id="revoke-reason-error"' in empty.text and "此项为必填项" in empty.text
        # A reason: the confirmation, still nothing written.
        asked = client.post(f"{url}/revoke", data={**form, "revoke-reason": "复议决定撤销原决定"})
        assert asked.status_code == 200 and 'id="confirm-revoke"' in asked.text
        assert "登记后须在三个工作日内撤下该记录" in asked.text
        assert 'name="revoke-confirmed" type="hidden" value="yes"' in asked.text
        db.session.expire_all()
        assert record.revoked_at is None
        done = client.post(
            f"{url}/revoke",
            data={**form, "revoke-reason": "复议决定撤销原决定", "revoke-confirmed": "yes"},
            follow_redirects=True,
        )
        assert "已登记决定撤销" in done.text
        assert 'id="end-revoke"' not in done.text and 'id="end-withdraw"' in done.text
        assert f"credit_withdrawal.{record.id}" in done.text  # its 3-workday clock
        db.session.expire_all()
        assert record.revoked_at is not None and record.status == "published"
        form = {"withdraw-csrf_token": token, "csrf_token": token}
        withdrawn = client.post(
            f"{url}/withdraw",
            data={**form, "withdraw-reason": "决定已撤销，依法撤下", "withdraw-confirmed": "yes"},
            follow_redirects=True,
        )
        assert "已撤下该信用记录" in withdrawn.text
        assert 'id="record-actions"' not in withdrawn.text
        again = client.post(
            f"{url}/withdraw",
            data={**form, "withdraw-reason": "再次撤下", "withdraw-confirmed": "yes"},
            follow_redirects=True,
        )
        assert "该信用记录已撤下，不能撤下" in again.text
        # Without the CSRF token: refused, nothing written.
        assert client.post(f"{url}/withdraw", data={"withdraw-reason": "x"}).status_code == 400
        public = client.get("/credit").text
    db.session.expire_all()
    assert record.status == "withdrawn" and record.end_reason == "决定已撤销，依法撤下"
    notes = [
        (e.data["action"], e.note)
        for e in db.session.scalars(select(Event).where(Event.kind == "credit").order_by(Event.id))
        if e.data.get("record_id") == record.id
    ]
    assert notes[-2:] == [("revoke", "复议决定撤销原决定"), ("withdraw", "决定已撤销，依法撤下")]
    assert "古镇星光灯饰有限公司" not in public


def test_the_window_form_offers_what_the_unit_runs_and_asks_an_inspection_for_no_reporter(
    client, people, login, units, make_user
):
    """A fair desk's supervisor is offered mediation alone here (its complaints come through the
    desk); a centre's penalty from an inspection needs no reporter, but a hotline is refused
    beside the channel: a reporter's clue comes through an intake."""
    from sqlalchemy import select

    from caseflow.cases.models import Case

    login(make_user("supervisor", units["CF"]))
    page = client.get("/cases/new")
    offered = page.text.split('name="workflow"')[1].split("</select>")[0]
    assert 'value="mediation"' in offered and 'value="penalty"' not in offered
    body = {
        "csrf_token": csrf_from(page.text),
        "workflow": "penalty",
        "channel": "inspection",
        "title": "执法检查发现假冒专利",
        "respondent_name": "古镇星光灯饰有限公司",
        "right_kind": "patent",
    }
    assert client.post("/cases/new", data=body).status_code == 422
    client.get("/logout")
    login(people["caseworker"])
    page = client.get("/cases/new?workflow=penalty")
    body["csrf_token"] = csrf_from(page.text)
    refused = client.post("/cases/new", data={**body, "channel": "hotline_12345"})
    assert refused.status_code == 422 and 'id="channel-error"' in refused.text
    assert client.post("/cases/new", data=body).status_code == 302
    case = db.session.scalar(select(Case).where(Case.workflow == "penalty"))
    assert case.channel == "inspection" and case.complainant_name == ""
    assert db.session.scalar(select(Case).where(Case.unit_id == units["CF"].id)) is None


def test_the_record_page_reads_one_repair_date_and_the_refusal_names_it_in_chinese(
    client, people, login, credit_world
):
    """Published 2026-01-05: the six months' wait runs to 2026-07-06 (the 5th is a Sunday; the
    clock, 信用修复等待期) and repair may be applied for from 2026-07-07 (可申请修复). A repair on
    the 6th is refused naming the 7th in the Chinese form."""
    published = credit_world["published"]
    with time_machine.travel(at("2026-07-06 10:00"), tick=True):
        login(people["supervisor"])
        page = client.get(f"/credit/{published.id}").text
        refused = client.post(
            f"/credit/{published.id}/repair",
            data={"csrf_token": csrf_from(client.get("/credit/repairs").text),
                  "reason": "已履行处罚决定并完成整改"},
            follow_redirects=True,
        )
    header = re.search(r"可申请修复</th><td>([^<]*)<", page).group(1)
    assert header == "2026年7月7日"
    clocks = page[page.index('id="record-clocks"'):]
    assert "信用修复等待期" in clocks and "2026年7月6日" in clocks
    assert "可申请信用修复" not in page
    assert "信用修复等待期未满，最早可于2026年7月7日申请信用修复" in refused.text
    assert "2026-07-07" not in refused.text
    db.session.expire_all()
    assert published.status == "published"


def test_a_display_end_in_a_provisional_year_is_marked(
    client, people, login, api, units, open_case, credit_world
):
    """deadlines.md §1: a date counted in a provisional year is marked wherever it is shown.
    The record published 2026-01-05 is shown to 2029-01-05 (2029 not yet official): 暂定 on
    /credit, on its page and in the API; one shown to 2026-12-01 (official) is not marked."""
    from caseflow.credit.services import credit_record_noncompliance, credit_record_publish

    chief = people["supervisor"]
    units["ZS"].profile = {**(units["ZS"].profile or {}), "credit": {"display": "3 months"}}
    with time_machine.travel(NOW, tick=False):
        case = as_decided(
            open_case(
                people["caseworker"],
                received_at=at("2026-08-03 10:00"),
                respondent={"name": "中山市某某灯饰厂", "kind": "company"},
            )
        )
        official = credit_record_noncompliance(actor=chief, case_id=case.id, at=at("2026-08-31 10:00"))
        credit_record_publish(official, actor=chief, at=at("2026-09-01 10:00"))
    db.session.commit()
    provisional = credit_world["published"]
    assert official.display_until.isoformat() == "2026-12-01"
    with time_machine.travel(NOW, tick=False):
        public = client.get("/credit").text

        def card(record):
            return public.split(f'data-record="{record.id}"')[1].split("</li>")[0]

        assert "2029年1月5日" in card(provisional) and "badge-provisional" in card(provisional)
        assert "2026年12月1日" in card(official) and "badge-provisional" not in card(official)
        assert "尚未公布" in public  # the note says what 暂定 means
        chief_api = api(chief)
        listed = {r["id"]: r for r in chief_api.get("/api/v1/credit").get_json()["items"]}
        assert listed[provisional.id]["display_until_provisional"] is True
        assert listed[official.id]["display_until_provisional"] is False
        pd_view = api(people["pd_worker"]).get(f"/api/v1/credit/{provisional.id}").get_json()
        assert pd_view["display_until_provisional"] is True
        login(chief)
        page = client.get(f"/credit/{provisional.id}").text
    row = re.search(r"公示截止</th><td>(.*?)</td>", page).group(1)
    assert "2029年1月5日" in row and "badge-provisional" in row


def test_a_waiting_period_past_its_day_reads_ended_never_overdue():
    """A record's repair waiting period and display period end by themselves: between their due
    instant and the next sweep the record page shows them ended (met), not 超期 as a late duty;
    any other clock past due is overdue."""
    from datetime import UTC, datetime

    from caseflow.clocks.models import Clock
    from caseflow.web.filters import clock_state

    started, due = datetime(2026, 1, 5, 2, tzinfo=UTC), datetime(2026, 7, 6, 16, tzinfo=UTC)
    after = datetime(2026, 7, 7, 2, tzinfo=UTC)

    def clock(name):
        return Clock(name=name, status="running", started_at=started, due_at=due,
                     period_unit="months", paused_seconds=0)

    assert clock_state(clock("credit_repair_eligible.3"), after) == "met"
    assert clock_state(clock("credit_display.3"), after) == "met"
    assert clock_state(clock("credit_withdrawal.3"), after) == "overdue"
    assert clock_state(clock("closing"), after) == "overdue"
