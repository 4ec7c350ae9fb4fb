"""Fairs, exhibitors, the desk's complaint checks, the repeat-infringer flag, post-fair clocks."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from caseflow.clocks.models import Clock
from caseflow.credit.models import CreditRecord
from caseflow.credit.services import credit_record_revoke
from caseflow.errors import PermissionDenied, ValidationFailed
from caseflow.extensions import db
from caseflow.fairs.models import Exhibitor
from caseflow.fairs.selectors import (
    exhibitor_infringement_fairs,
    exhibitor_is_repeat_infringer,
    exhibitors_search,
)
from caseflow.fairs.services import (
    exhibitors_add,
    exhibitors_import,
    fair_complaint_check,
    fair_complaint_priority,
    fair_complaint_start_clocks,
    fair_create,
    fairs_start_post_fair_clocks,
)
from tests.fairs.conftest import local
from tests.fairs.test_importing import xlsx_bytes

ROWS = [
    {"name": "中山市古镇明辉灯饰有限公司", "booth": "11.2A01", "country": "中国"},
    {"name": "Osram GmbH", "booth": "11.2B02", "country": "DE"},
    {"name": "Bright Star Lighting Ltd", "booth": "11.2C03", "country": "中国香港"},
]


def exhibitor_count(fair) -> int:
    return db.session.scalar(select(func.count(Exhibitor.id)).where(Exhibitor.fair_id == fair.id))


# --- fairs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["desk_officer", "supervisor", "admin"])
def test_fair_desk_staff_create_fairs_of_their_unit(role, make_user, desk):
    actor = make_user(role, None if role == "admin" else desk)
    fair = fair_create(
        unit=desk,
        actor=actor,
        name="2026 上海国际照明展",
        venue="上海新国际博览中心",
        opens_at="2026-09-02T09:00:00+08:00",
        closes_at="2026-09-04T16:00:00+08:00",
        organiser="上海市照明学会",
    )
    assert fair.unit_id == desk.id
    assert fair.closes_at == datetime(2026, 9, 4, 8, tzinfo=UTC)


@pytest.mark.parametrize("role", ["caseworker", "viewer"])
def test_other_roles_may_not_create_fairs(role, make_user, desk, make_fair):
    with pytest.raises(PermissionDenied):
        make_fair(actor=make_user(role, desk))


def test_a_desk_officer_of_another_desk_may_not(make_user, make_unit, desk):
    other = make_unit("SH", kind="fair_desk", profile={})
    with pytest.raises(PermissionDenied):
        fair_create(
            unit=desk,
            actor=make_user("desk_officer", other),
            name="展会",
            venue="",
            opens_at=local(2026, 4, 15, 9),
            closes_at=local(2026, 4, 19, 18),
            organiser="",
        )


def test_only_a_fair_desk_unit_holds_fairs(make_unit, make_user):
    centre = make_unit("ZS", kind="rapid_centre", profile={})
    with pytest.raises(ValidationFailed) as refused:
        fair_create(
            unit=centre,
            actor=make_user("supervisor", centre),
            name="灯博会",
            venue="",
            opens_at=local(2026, 10, 22, 9),
            closes_at=local(2026, 10, 26, 17),
            organiser="",
        )
    assert "unit" in refused.value.fields


def test_fair_closes_after_it_opens(make_fair):
    with pytest.raises(ValidationFailed) as refused:
        make_fair(opens_at=local(2026, 4, 19, 18), closes_at=local(2026, 4, 19, 18))
    assert refused.value.fields == {"closes_at": "闭展时间应晚于开展时间 / must be after opens_at"}
    with pytest.raises(ValidationFailed) as refused:
        make_fair(opens_at="tomorrow")
    assert "opens_at" in refused.value.fields


# --- exhibitors -------------------------------------------------------------------------------


def test_exhibitors_added_with_countries_normalised(make_fair, officer):
    fair = make_fair()
    added = exhibitors_add(fair, actor=officer, rows=ROWS)
    assert [(e.booth, e.country) for e in added] == [
        ("11.2A01", "CN"),
        ("11.2B02", "DE"),
        ("11.2C03", "HK"),
    ]


def test_one_bad_row_loads_nothing_and_every_bad_row_is_named(make_fair, officer):
    fair = make_fair()
    exhibitors_add(fair, actor=officer, rows=[ROWS[0]])
    rows = [
        ROWS[1],
        {"name": "", "booth": "11.2D04", "country": "CN"},
        {"name": "Acme", "booth": "11.2A01", "country": "US"},  # booth already taken
        {"name": "Lumen", "booth": "11.2E05", "country": "Atlantis"},
        {"name": "Twin", "booth": "11.2B02", "country": "CN"},  # same booth as row 1
        "not a row",
    ]
    with pytest.raises(ValidationFailed) as refused:
        exhibitors_add(fair, actor=officer, rows=rows)
    errors = refused.value.fields["rows"]
    assert set(errors) == {"2", "3", "4", "5", "6"}
    assert "名称不能为空 / the name is empty" in errors["2"]
    assert "11.2A01" in errors["3"]
    assert "Atlantis" in errors["4"]
    assert "第1行" in errors["5"]
    assert exhibitor_count(fair) == 1


def test_import_csv_and_xlsx(make_fair, officer):
    fair = make_fair()
    csv = "名称,展位号,国家或地区\n中山灯饰有限公司,1A01,中国\nOsram GmbH,1A02,德国\n"
    assert (
        len(
            exhibitors_import(
                fair, actor=officer, filename="a.csv", content=csv.encode("utf-8-sig")
            )
        )
        == 2
    )
    content = xlsx_bytes([["name", "booth", "country"], ["Acme Lighting Inc.", "1B01", "US"]])
    assert len(exhibitors_import(fair, actor=officer, filename="b.xlsx", content=content)) == 1
    assert exhibitor_count(fair) == 3


def test_import_errors_carry_the_spreadsheet_row_number(make_fair, officer):
    fair = make_fair()
    content = xlsx_bytes(
        [
            ["名称", "展位号", "国家或地区"],
            ["甲灯饰", "1A01", "中国"],
            ["乙灯饰", "", "中国"],
            ["丙灯饰", "1A03", "火星"],
        ]
    )
    with pytest.raises(ValidationFailed) as refused:
        exhibitors_import(fair, actor=officer, filename="list.xlsx", content=content)
    assert refused.value.fields["rows"] == {
        "3": "展位号不能为空 / the booth is empty",
        "4": "无法识别的国家或地区：火星 / unknown country or region",
    }
    assert exhibitor_count(fair) == 0


def test_exhibitors_of_a_fair_are_loaded_by_its_desk_only(make_fair, make_unit, make_user):
    fair = make_fair()
    stranger = make_user("desk_officer", make_unit("SH", kind="fair_desk", profile={}))
    with pytest.raises(PermissionDenied):
        exhibitors_add(fair, actor=stranger, rows=ROWS)


def test_search_by_booth_or_name(make_fair, officer):
    fair = make_fair()
    exhibitors_add(fair, actor=officer, rows=ROWS)
    assert [x.exhibitor.booth for x in exhibitors_search(fair, "11.2b02")] == ["11.2B02"]
    assert [x.exhibitor.booth for x in exhibitors_search(fair, "osram")] == ["11.2B02"]
    assert [x.exhibitor.booth for x in exhibitors_search(fair, "明辉")] == ["11.2A01"]
    assert len(exhibitors_search(fair, "")) == 3
    assert exhibitors_search(fair, "%") == []


# --- complaint checks ------------------------------------------------------------------------


@pytest.fixture
def stand(make_fair, officer):
    fair = make_fair()
    return fair, exhibitors_add(fair, actor=officer, rows=ROWS)[0]


def check(
    fair,
    exhibitor,
    *,
    unit=None,
    data=None,
    complainant="欧司朗有限公司",
    number="ZL202310123456.7",
    exhibitor_id=None,
):
    return fair_complaint_check(
        unit=unit or fair.unit,
        fair_id=fair.id,
        exhibitor_id=exhibitor.id if exhibitor_id is None else exhibitor_id,
        complainant={"name": complainant, "country": "DE"},
        right={"kind": "patent", "number": number, "patent_type": "design"},
        data=data or {},
    )


def test_a_fresh_complaint_passes(stand):
    fair, exhibitor = stand
    assert check(fair, exhibitor) == (fair, exhibitor)


def test_refusals_each_with_its_reason(stand, make_unit, make_fair, make_user):
    fair, exhibitor = stand
    other_desk = make_unit("SH", kind="fair_desk", profile={})
    with pytest.raises(ValidationFailed) as refused:
        check(fair, exhibitor, unit=other_desk)
    assert "fair_id" in refused.value.fields
    other_fair = make_fair(
        name="第139届广交会（第二期）",
        opens_at=local(2026, 4, 23, 9),
        closes_at=local(2026, 4, 27, 18),
    )
    with pytest.raises(ValidationFailed) as refused:
        check(other_fair, exhibitor)
    assert "exhibitor_id" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        check(fair, exhibitor, exhibitor_id=999999)
    assert "exhibitor_id" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        check(fair, exhibitor, data={"right_in_invalidation": True})
    assert "无效" in refused.value.message
    with pytest.raises(ValidationFailed) as refused:
        check(fair, exhibitor, data={"in_court": True})
    assert "法院" in refused.value.message


def test_a_duplicate_complaint_is_refused(stand, make_complaint):
    fair, exhibitor = stand
    earlier = make_complaint(
        fair, exhibitor, complainant="欧司朗有限公司", right_number="ZL 202310123456.7"
    )
    with pytest.raises(ValidationFailed) as refused:
        check(fair, exhibitor, complainant=" 欧司朗有限公司", number="202310123456.7")
    assert earlier.number in refused.value.message
    with pytest.raises(ValidationFailed):  # case_open runs the same check
        make_complaint(
            fair, exhibitor, complainant="欧司朗有限公司", right_number="ZL202310123456.7"
        )
    # Another right, another complainant, or the same complaint at another exhibitor is new.
    check(fair, exhibitor, number="ZL202320999999.1")
    check(fair, exhibitor, complainant="飞利浦照明")


def test_priority_for_foreign_rights_holders_and_brand_owners():
    assert fair_complaint_priority({"name": "Osram GmbH", "country": "DE"}, {})
    assert fair_complaint_priority({"name": "Bright Star", "country": "中国香港"}, {})
    assert fair_complaint_priority({"name": "中山某品牌", "country": "CN"}, {"brand_owner": True})
    assert not fair_complaint_priority({"name": "中山某灯饰厂", "country": "中国"}, {})
    assert not fair_complaint_priority({"name": "某人"}, {})


# --- repeat infringers ------------------------------------------------------------------------


def test_found_infringing_at_two_fairs_makes_a_repeat_infringer(make_fair, officer, make_complaint):
    spring = make_fair()
    autumn = make_fair(
        name="第140届广交会（第一期）",
        opens_at=local(2026, 10, 15, 9),
        closes_at=local(2026, 10, 19, 18),
    )
    at_spring = exhibitors_add(
        spring,
        actor=officer,
        rows=[{"name": "Foshan Lighting Co., Ltd.", "booth": "9.1A01", "country": "CN"}],
    )[0]
    at_autumn = exhibitors_add(
        autumn,
        actor=officer,
        rows=[
            {"name": "FOSHAN LIGHTING CO LTD", "booth": "10.2C15", "country": "中国"},
            {"name": "Foshan Lighting Co., Ltd.", "booth": "10.2C16", "country": "HK"},
        ],
    )
    # A refused complaint and one found not infringing are not findings.
    make_complaint(spring, at_spring, state="refused")
    make_complaint(spring, at_spring, state="not_infringing", complainant="飞利浦照明")
    assert not exhibitor_is_repeat_infringer(at_autumn[0])

    make_complaint(spring, at_spring, state="resolved", complainant="欧普照明")
    assert exhibitor_infringement_fairs(at_autumn[0]) == [spring]
    assert not exhibitor_is_repeat_infringer(at_autumn[0])

    make_complaint(
        autumn, at_autumn[0], state="rectification_ordered", received_at=local(2026, 10, 16, 10)
    )
    assert exhibitor_infringement_fairs(at_spring) == [spring, autumn]
    assert exhibitor_is_repeat_infringer(at_spring)
    assert exhibitor_is_repeat_infringer(at_autumn[0])
    # The same name from another country or region is another company.
    assert not exhibitor_is_repeat_infringer(at_autumn[1])
    flags = {x.exhibitor.booth: x.is_repeat_infringer for x in exhibitors_search(autumn, "")}
    assert flags == {"10.2C15": True, "10.2C16": False}


def test_a_revoked_decision_no_longer_counts_towards_a_repeat_infringer(
    make_fair, officer, make_complaint, make_user, desk
):
    spring = make_fair()
    autumn = make_fair(
        name="第140届广交会（第一期）",
        opens_at=local(2026, 10, 15, 9),
        closes_at=local(2026, 10, 19, 18),
    )
    row = {"name": "Foshan Lighting Co., Ltd.", "booth": "9.1A01", "country": "CN"}
    at_spring = exhibitors_add(spring, actor=officer, rows=[row])[0]
    at_autumn = exhibitors_add(autumn, actor=officer, rows=[{**row, "booth": "10.2C15"}])[0]
    resolved = make_complaint(spring, at_spring, state="resolved")
    make_complaint(
        autumn, at_autumn, state="rectification_ordered", received_at=local(2026, 10, 16, 10)
    )
    assert exhibitor_is_repeat_infringer(at_autumn)

    # The spring decision is revoked on review (Order 45 art 11): it is no finding any more.
    (record,) = db.session.scalars(
        select(CreditRecord).where(CreditRecord.case_id == resolved.id)
    )
    credit_record_revoke(
        record,
        actor=make_user("supervisor", desk),
        reason="行政复议撤销原处理决定",
        at=local(2026, 10, 20, 10),
    )
    db.session.commit()
    assert exhibitor_infringement_fairs(at_autumn) == [autumn]
    assert not exhibitor_is_repeat_infringer(at_autumn)
    assert [x.is_repeat_infringer for x in exhibitors_search(autumn, "")] == [False]


# --- clocks ----------------------------------------------------------------------------------


def clocks_of(case, name=None):
    query = select(Clock).where(Clock.case_id == case.id).order_by(Clock.id)
    if name:
        query = query.where(Clock.name == name)
    return list(db.session.scalars(query))


def test_lodging_starts_desk_review_and_decision_by_close(stand, make_complaint):
    fair, exhibitor = stand
    case = make_complaint(fair, exhibitor, received_at=local(2026, 4, 18, 23, 30))
    clocks = {c.name: c for c in clocks_of(case)}
    assert set(clocks) == {"desk_review", "decision_by_close"}
    # Clock hours run through the night and the weekend (2026-04-19 is a Sunday).
    assert clocks["desk_review"].due_at == local(2026, 4, 19, 1, 30)
    assert clocks["decision_by_close"].due_at == local(2026, 4, 19, 18)
    assert clocks["decision_by_close"].period_unit == "fixed"
    fair_complaint_start_clocks(case)  # already running: left alone
    db.session.commit()
    assert len(clocks_of(case)) == 2


def test_a_complaint_lodged_after_the_close_gets_no_close_clock(stand, make_complaint):
    fair, exhibitor = stand
    case = make_complaint(fair, exhibitor, received_at=local(2026, 4, 19, 18, 30))
    assert [c.name for c in clocks_of(case)] == ["desk_review"]


def test_post_fair_clocks_start_once_for_complaints_still_open(stand, make_complaint):
    fair, exhibitor = stand
    still_open = make_complaint(fair, exhibitor, state="respondent_notified")
    make_complaint(fair, exhibitor, state="mediated", complainant="飞利浦照明")
    assert fairs_start_post_fair_clocks(local(2026, 4, 19, 17, 59)) == 0  # not closed yet
    assert fairs_start_post_fair_clocks(local(2026, 4, 19, 18)) == 1
    assert fairs_start_post_fair_clocks(local(2026, 4, 19, 18, 1)) == 0
    (clock,) = clocks_of(still_open, "post_fair")
    # 15 workdays after Sunday 2026-04-19: Labour Day 05-01…05-05 rest, Saturday 05-09 works.
    assert clock.due_at == local(2026, 5, 13, 0)
    assert clock.started_at == fair.closes_at


def test_a_unit_may_switch_post_fair_off_and_a_bad_period_skips_only_its_cases(
    stand, make_complaint, desk
):
    fair, exhibitor = stand
    case = make_complaint(fair, exhibitor, state="respondent_notified")
    desk.profile = {"clocks": {"post_fair": None}}
    db.session.commit()
    assert fairs_start_post_fair_clocks(local(2026, 4, 20, 9)) == 0
    desk.profile = {"clocks": {"post_fair": "15 fortnights"}}
    db.session.commit()
    assert fairs_start_post_fair_clocks(local(2026, 4, 20, 9)) == 0
    assert clocks_of(case, "post_fair") == []
    desk.profile = {}
    db.session.commit()
    assert fairs_start_post_fair_clocks(local(2026, 4, 20, 9)) == 1
