"""Fairs in the UI: a fair desk registers a fair, loads its exhibitors from CSV or XLSX (all rows or
none, bad rows named) and sees the repeat-infringer flag."""

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.fairs.models import Exhibitor, Fair
from tests.support import csrf_from


def test_desk_officer_registers_a_fair_with_chinese_errors_beside_fields(client, people, login):
    login(people["desk"])
    page = client.get("/fairs")
    assert page.status_code == 200 and 'name="fair-csrf_token"' in page.text
    token = csrf_from(page.text.replace('name="fair-csrf_token"', 'name="csrf_token"'))
    bad = client.post(
        "/fairs",
        data={
            "fair-csrf_token": token,
            "fair-name": "第140届中国进出口商品交易会（第一期）",
            "fair-opens_at": "2026-10-15 09:00",
            "fair-closes_at": "2026-10-14 18:00",
        },
    )
    assert bad.status_code == 422
    assert 'id="fair-closes_at-error"' in bad.text and "闭展时间应晚于开展时间" in bad.text
    missing = client.post("/fairs", data={"fair-csrf_token": token, "fair-name": ""})
    assert missing.status_code == 422 and 'id="fair-name-error"' in missing.text
    assert "此项为必填项" in missing.text
    good = client.post(
        "/fairs",
        data={
            "fair-csrf_token": token,
            "fair-name": "第140届中国进出口商品交易会（第一期）",
            "fair-venue": "广州 琶洲展馆",
            "fair-organiser": "中国对外贸易中心",
            "fair-opens_at": "2026-10-15 09:00",
            "fair-closes_at": "2026-10-19 18:00",
        },
    )
    assert good.status_code == 302
    fair = db.session.scalar(select(Fair))
    assert fair.unit_id == people["desk"].unit_id and fair.closes_at.hour == 10  # 18:00 in UTC
    assert fair.name in client.get("/fairs").text


def test_import_shows_each_bad_row_and_loads_nothing_then_loads_a_good_sheet(
    client, people, fair_with_exhibitors, login
):
    fair = fair_with_exhibitors
    login(people["desk"])
    page = client.get(f"/fairs/{fair.id}")
    assert page.status_code == 200 and "11.2C15" in page.text
    token = csrf_from(page.text.replace('name="import-csrf_token"', 'name="csrf_token"'))
    csv = "名称,展位号,国家或地区\n广州灯饰有限公司,13.1B01,中国\n,13.1B02,CN\nAcme Lights,11.2C15,火星\n"
    bad = client.post(
        f"/fairs/{fair.id}/exhibitors",
        data={"import-csrf_token": token, "import-file": (io.BytesIO(csv.encode()), "list.csv")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert 'data-row="3"' in bad.text and "名称不能为空" in bad.text
    assert 'data-row="4"' in bad.text and "展位号 11.2C15 重复" in bad.text
    assert "无法识别的国家或地区：火星" in bad.text and "未导入任何参展商" in bad.text
    count = select(func.count(Exhibitor.id)).where(Exhibitor.fair_id == fair.id)
    assert db.session.scalar(count) == 3  # nothing half-loaded

    book = Workbook()
    sheet = book.active
    sheet.append(["name", "booth", "country"])
    sheet.append(["Osram Lighting", "14.2D01", "DE"])
    sheet.append(["佛山照明", "14.2D02", "中国"])
    data = io.BytesIO()
    book.save(data)
    good = client.post(
        f"/fairs/{fair.id}/exhibitors",
        data={
            "import-csrf_token": token,
            "import-file": (io.BytesIO(data.getvalue()), "list.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 302, good.text
    assert db.session.scalar(count) == 5
    listing = client.get(f"/fairs/{fair.id}")
    assert "Osram Lighting" in listing.text and 'data-booth="14.2D02"' in listing.text


def test_fair_pages_are_for_fair_desk_roles(client, people, fair_with_exhibitors, login):
    login(people["caseworker"])
    assert client.get("/fairs").status_code == 403
    login(people["supervisor"])  # a supervisor, but of a centre, not a fair desk
    assert client.get("/fairs").status_code == 403
    assert client.get(f"/fairs/{fair_with_exhibitors.id}").status_code == 403
    login(people["admin"])
    admin_page = client.get("/fairs")
    assert admin_page.status_code == 200 and 'id="fair-unit_id"' in admin_page.text


def test_the_fairs_list_counts_every_fairs_exhibitors_in_one_query(app, client, people, login):
    """The list page's statements do not grow with its fairs: each fair's exhibitor count comes
    from one grouped query, and each count is the fair's own."""
    from datetime import UTC, datetime, timedelta

    from caseflow.fairs.services import exhibitors_add, fair_create
    from tests.support import statements_sent

    officer = people["desk"]

    def add_fairs(count, start):
        for n in range(start, start + count):
            opens = datetime.now(UTC) - timedelta(days=30 * n)
            fair = fair_create(
                unit=officer.unit,
                actor=officer,
                name=f"第{100 + n}届中国进出口商品交易会",
                venue="广州 琶洲展馆",
                opens_at=opens,
                closes_at=opens + timedelta(days=3),
                organiser="中国对外贸易中心",
            )
            rows = [
                {"name": f"灯饰厂{k}", "booth": f"1.1A{k:02d}", "country": "CN"} for k in range(n)
            ]
            if rows:
                exhibitors_add(fair, actor=officer, rows=rows)
        db.session.commit()

    def statements():
        client.get("/fairs")
        with app.app_context(), statements_sent() as sent:  # its own session, as a request has
            page = client.get("/fairs")
        assert page.status_code == 200
        return len(sent), page.text

    login(people["desk"])
    add_fairs(2, 0)
    few, _page = statements()
    add_fairs(4, 2)
    many, page = statements()
    assert many == few
    for fair in db.session.scalars(select(Fair)):
        listed = db.session.scalar(
            select(func.count(Exhibitor.id)).where(Exhibitor.fair_id == fair.id)
        )
        assert f'<tr data-fair="{fair.id}">' in page
        row = page.split(f'<tr data-fair="{fair.id}">', 1)[1].split("</tr>", 1)[0]
        assert row.endswith(f"<td>{listed}</td>")
