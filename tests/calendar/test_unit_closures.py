"""A unit's local closures (deadlines.md §1: "Units may add local closures (e.g. a typhoon day)
the same way, scoped to the unit"): Zhongshan (ZS) closes on Tuesday 2026-09-15 for a typhoon;
Pudong (PD) works as usual. 2026 has no national exception from 09-01 to 09-19."""

import uuid
from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import delete, select

from caseflow.calendar import due_compute
from caseflow.calendar.models import UnitClosure
from caseflow.calendar.services import (
    calendar_current,
    calendar_load,
    calendar_version_bump,
    calendar_year_delete,
)
from caseflow.cases.models import Case, Event
from caseflow.clocks.services import clock_start
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from tests.calendar.conftest import local

TYPHOON = "# 中山市防汛防旱防风指挥部：台风停工停课\n2026-09-15 holiday 台风停工\n"


def end_of(day: str):
    return (local(day) + timedelta(days=1)).astimezone(UTC)


@pytest.fixture(autouse=True)
def forget_closures():
    """The per-process calendar cache must not keep ZS's typhoon for the next test's ZS."""
    yield
    db.session.rollback()
    db.session.execute(delete(UnitClosure))
    calendar_version_bump()
    db.session.commit()


@pytest.fixture
def case_in(units):
    def factory(code):
        case = Case(
            number=f"{code}-ADJ-2026-{uuid.uuid4().hex[:6]}",
            unit_id=units[code].id,
            workflow="adjudication",
            state="received",
            received_at=local("2026-09-01T09:00"),
            title="测试案件",
        )
        db.session.add(case)
        db.session.flush()
        return case

    return factory


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args, input=None: runner.invoke(args=list(args), input=input)


def _calendar_events():
    return db.session.scalars(select(Event).where(Event.kind == "calendar").order_by(Event.id))


def test_a_typhoon_day_moves_only_the_units_clocks_that_count_it(case_in, units):
    zs, zs2, pd = case_in("ZS"), case_in("ZS"), case_in("PD")
    # 09-11, 09-14, 09-15, 09-16, 09-17 → due end of 09-17
    counted = clock_start(zs, "service", period="5 workdays", started_at=local("2026-09-10T10:00"))
    # last day 09-15, a Tuesday → due end of 09-15
    rolled = clock_start(zs2, "reply", period="10 days", started_at=local("2026-09-05T10:00"))
    # starts after the typhoon: nothing to recount
    later = clock_start(zs2, "later", period="5 workdays", started_at=local("2026-09-16T10:00"))
    elsewhere = clock_start(
        pd, "service", period="5 workdays", started_at=local("2026-09-10T10:00")
    )
    db.session.commit()
    assert counted.due_at == elsewhere.due_at == end_of("2026-09-17")
    assert rolled.due_at == end_of("2026-09-15")

    result = calendar_load(TYPHOON, source="中山防风指挥部通告", unit="ZS")
    db.session.commit()

    assert (result.unit, result.year, result.holidays, result.workdays) == ("ZS", 2026, 1, 0)
    assert {(m.case_number, m.clock_name, m.due_after) for m in result.moved} == {
        (zs.number, "service", end_of("2026-09-18")),  # 09-15 skipped: one working day later
        (zs2.number, "reply", end_of("2026-09-16")),  # the last day rolls over the closure
    }
    assert counted.due_at == end_of("2026-09-18") and zs.next_due_at == counted.due_at
    assert later.due_at == end_of("2026-09-22")  # 09-17, 18, 20 (调休 Sunday), 21, 22: unchanged
    assert [e.action for e in later.entries] == ["start"]
    assert elsewhere.due_at == end_of("2026-09-17")  # Pudong works on 09-15
    assert [e.action for e in elsewhere.entries] == ["start"]
    assert counted.entries[-1].action == "recompute"

    events = list(_calendar_events())
    assert [(e.case_id, e.note) for e in events] == [
        (zs.id, "service: due date moved from 2026-09-17 to 2026-09-18 by ZS local closures 2026"),
        (zs2.id, "reply: due date moved from 2026-09-15 to 2026-09-16 by ZS local closures 2026"),
    ]
    assert events[0].data["unit"] == "ZS"

    # clocks started afterwards count on the unit's calendar too; the national one is untouched
    fresh = clock_start(zs2, "fresh", period="1 workdays", started_at=local("2026-09-14T10:00"))
    assert fresh.due_at == end_of("2026-09-16")
    start = local("2026-09-14T10:00")
    assert due_compute(start, "1 workdays", unit_id=units["ZS"].id).due_on == date(2026, 9, 16)
    assert due_compute(start, "1 workdays", unit_id=units["PD"].id).due_on == date(2026, 9, 15)
    assert due_compute(start, "1 workdays").due_on == date(2026, 9, 15)
    assert calendar_current(units["PD"].id) is calendar_current()  # no closures: shared index

    # the same closures again move nothing; withdrawing them moves the ZS clocks back
    assert calendar_load(TYPHOON, source="again", unit="ZS").moved == []
    back = calendar_year_delete(2026, unit="ZS")
    assert {(m.clock_name, m.due_after) for m in back} == {
        ("service", end_of("2026-09-17")),
        ("reply", end_of("2026-09-15")),
        ("fresh", end_of("2026-09-15")),
    }


def test_a_national_load_keeps_counting_the_units_closures(case_in, restore_2027):
    zs = case_in("ZS")
    clock = clock_start(zs, "service", period="5 workdays", started_at=local("2027-01-11T10:00"))
    calendar_load("2027-01-13 holiday 台风停工\n", source="通告", unit="ZS")
    assert clock.due_at == end_of("2027-01-19")  # 01-12, 14, 15, 18, 19
    calendar_load(restore_2027.read_text(encoding="utf-8"), source="test notice 2027")
    assert clock.due_at == end_of("2027-01-19")


def test_bad_closure_files_and_unknown_units_are_refused(units):
    with pytest.raises(ValidationFailed) as info:
        calendar_load("2026-09-15 closed 台风\n", source="bad", unit="ZS")
    assert "line 1" in info.value.fields
    with pytest.raises(ValidationFailed) as info:
        calendar_load(TYPHOON, source="x", unit="XX")
    assert "unit" in info.value.fields
    # a unit may work on a national holiday (a weekday): allowed for closures only
    result = calendar_load("2026-10-05 workday 值班\n", source="值班表", unit="ZS")
    assert result.workdays == 1
    assert calendar_current(units["ZS"].id).is_workday(date(2026, 10, 5))
    assert not calendar_current().is_workday(date(2026, 10, 5))


def test_cli_loads_shows_and_counts_with_the_units_closures(cli, case_in, tmp_path):
    zs = case_in("ZS")
    clock_start(zs, "service", period="5 workdays", started_at=local("2026-09-10T10:00"))
    db.session.commit()
    path = tmp_path / "typhoon.txt"
    path.write_text(TYPHOON, encoding="utf-8")

    result = cli("calendar", "load", str(path), "--unit", "ZS")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "loaded 2026 closures of ZS: 1 closed day(s), 0 extra working day(s); 1 clock(s) moved",
        f"{zs.number} service 2026-09-17 -> 2026-09-18",  # the last days, as `deadline` prints
    ]
    shown = cli("calendar", "show", "2026", "--unit", "ZS")
    assert shown.stdout.splitlines() == [
        "2026 local closures of ZS: 1",
        "2026-09-15 holiday 台风停工",
    ]

    explained = cli("deadline", "2026-09-10T10:00", "5 workdays", "--unit", "ZS", "--explain")
    lines = explained.stdout.splitlines()
    assert "2026-09-15 Tue skipped  closed (ZS local closure) 台风停工" in lines
    assert lines[-1] == "2026-09-18"
    assert cli("deadline", "2026-09-10T10:00", "5 workdays", "--unit", "PD").stdout == (
        "2026-09-17\n"
    )
    assert cli("deadline", "2026-09-10T10:00", "5 workdays").stdout == "2026-09-17\n"
    unknown = cli("deadline", "2026-09-10", "5 workdays", "--unit", "XX")
    assert unknown.exit_code != 0 and "no such unit" in unknown.stderr


def test_api_loads_a_units_closures_for_admins_only(api, make_user, units, case_in):
    zs = case_in("ZS")
    clock_start(zs, "service", period="5 workdays", started_at=local("2026-09-10T10:00"))
    db.session.commit()
    supervisor = make_user("supervisor", units["ZS"])
    refused = api(supervisor).put("/api/v1/calendar/2026?unit=ZS", data=TYPHOON.encode())
    assert refused.status_code == 403
    admin = make_user("admin", None)
    response = api(admin).put(
        "/api/v1/calendar/2026?unit=ZS",
        data=TYPHOON.encode(),
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["unit"] == "ZS" and [d["date"] for d in body["days"]] == ["2026-09-15"]
    assert body["moved"] == [
        {
            "case_id": zs.id,
            "case_number": zs.number,
            "clock": "service",
            "due_before": "2026-09-18T00:00:00+08:00",
            "due_after": "2026-09-19T00:00:00+08:00",
            "due_on_before": "2026-09-17",
            "due_on_after": "2026-09-18",
        }
    ]
    read = api(supervisor).get("/api/v1/calendar/2026?unit=ZS").json
    assert read["days"][0]["name"] == "台风停工" and read["days"][0]["loaded_by"] == admin.username
    assert api(supervisor).get("/api/v1/calendar/2026?unit=XX").status_code == 404
    assert api(supervisor).get("/api/v1/calendar/2026").json["status"] == "official"


# --- removing a unit's closures (a typhoon notice withdrawn) ------------------------------------


def _typhoon_moved_a_clock(case_in):
    """A ZS clock moved one working day later by the typhoon day: last day 09-17 -> 09-18."""
    zs = case_in("ZS")
    clock = clock_start(zs, "service", period="5 workdays", started_at=local("2026-09-10T10:00"))
    calendar_load(TYPHOON, source="中山防风指挥部通告", unit="ZS")
    db.session.commit()
    assert clock.due_at == end_of("2026-09-18")
    return zs, clock


def _moved_back(zs, clock):
    db.session.expire_all()
    clock = db.session.merge(clock)
    assert clock.due_at == end_of("2026-09-17")  # back where the national calendar puts it
    assert clock.entries[-1].action == "recompute"
    assert db.session.scalars(select(UnitClosure)).all() == []
    last = list(_calendar_events())[-1]
    assert (last.case_id, last.note) == (
        zs.id, "service: due date moved from 2026-09-18 to 2026-09-17 by ZS local closures 2026"
    )


def test_an_empty_closures_file_for_a_year_removes_the_units_closures(cli, case_in, tmp_path):
    zs, clock = _typhoon_moved_a_clock(case_in)
    empty = tmp_path / "empty.txt"
    empty.write_text("# 台风停工通告已撤回\n", encoding="utf-8")
    unnamed = cli("calendar", "load", str(empty), "--unit", "ZS")
    assert unnamed.exit_code == 1 and "name the year" in unnamed.stderr  # which year's?
    national = cli("calendar", "load", str(empty), "--year", "2026")
    assert national.exit_code == 1 and "no dates" in national.stderr  # never a national year
    assert len(db.session.scalars(select(UnitClosure)).all()) == 1

    removed = cli("calendar", "load", str(empty), "--unit", "ZS", "--year", "2026")
    assert removed.exit_code == 0, removed.output
    assert removed.stdout.splitlines() == [
        "removed the 2026 closures of ZS; 1 clock(s) moved",
        f"{zs.number} service 2026-09-18 -> 2026-09-17",
    ]
    _moved_back(zs, clock)


def test_the_api_removes_a_units_closures_with_no_days(api, make_user, case_in):
    zs, clock = _typhoon_moved_a_clock(case_in)
    admin = api(make_user("admin", None))
    national = admin.put("/api/v1/calendar/2026", json={"days": []})
    assert national.status_code == 422
    response = admin.put("/api/v1/calendar/2026?unit=ZS", json={"days": []})
    assert response.status_code == 200, response.json
    assert response.json["days"] == []
    assert [(m["case_number"], m["due_on_before"], m["due_on_after"])
            for m in response.json["moved"]] == [(zs.number, "2026-09-18", "2026-09-17")]
    _moved_back(zs, clock)


def test_the_admin_page_lists_each_units_closures_and_removes_them(
    client, login, make_user, case_in
):
    from tests.support import csrf_from

    zs, clock = _typhoon_moved_a_clock(case_in)
    login(make_user("admin", None))
    page = client.get("/admin", query_string={"tab": "calendar"})
    row = page.text.split('data-unit="ZS" data-year="2026"', 1)[1].split("</tr>", 1)[0]
    assert "2026年9月15日" in row and "台风停工" in row and "中山防风指挥部通告" in row
    action = "/admin/calendar/closures/ZS/2026/remove"
    assert f'action="{action}"' in row
    assert client.post(action).status_code == 400  # no CSRF token: refused
    assert len(db.session.scalars(select(UnitClosure)).all()) == 1
    # Unticked, nothing is removed: the unit's deadlines would move at once.
    unconfirmed = client.post(action, data={"csrf_token": csrf_from(page.text)}, follow_redirects=True)
    assert "未撤销：请先勾选确认" in unconfirmed.text
    assert len(db.session.scalars(select(UnitClosure)).all()) == 1
    assert 'name="confirmed" value="y" required' in row
    removed = client.post(
        action, data={"csrf_token": csrf_from(page.text), "confirmed": "y"}, follow_redirects=True
    )
    assert removed.status_code == 200
    assert "已撤销 ZS 2026 年的临时停工安排；1 个时限的到期日随之调整" in removed.text
    assert "没有单位载入临时停工安排" in removed.text
    _moved_back(zs, clock)
