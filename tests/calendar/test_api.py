"""``GET`` and ``PUT /api/v1/calendar/{year}``."""

from caseflow.calendar.models import CalendarYear
from caseflow.clocks.services import clock_start
from caseflow.extensions import db
from tests.calendar.conftest import local


def test_any_user_reads_a_year(api, make_user, units):
    user = make_user("caseworker", units["ZS"])
    response = api(user).get("/api/v1/calendar/2026")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "official"
    assert {"date": "2026-10-10", "kind": "workday", "name": "国庆节"}.items() <= body["days"][
        -1
    ].items()
    assert api(user).get("/api/v1/calendar/2027").json["status"] == "provisional"
    outside = api(user).get("/api/v1/calendar/1990")
    assert outside.status_code == 404
    assert outside.json["error"]["message"] == "1990 年不在日历范围内（2004–2099）"


def test_only_an_admin_loads_a_year(api, make_user, units, restore_2027):
    user = make_user("supervisor", units["ZS"])
    response = api(user).put("/api/v1/calendar/2027", data=restore_2027.read_text(encoding="utf-8"))
    assert response.status_code == 403
    assert db.session.get(CalendarYear, 2027) is None


def test_admin_loads_a_year_and_sees_what_moved(api, make_user, units, make_case, restore_2027):
    admin = make_user("admin", None)
    case = make_case()
    clock_start(case, "exam", period="10 workdays", started_at=local("2027-02-01T10:00"))
    db.session.commit()
    response = api(admin).put(
        "/api/v1/calendar/2027",
        data=restore_2027.read_text(encoding="utf-8").encode(),
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "official" and body["loaded_by"] == admin.username
    assert body["moved"] == [
        {
            "case_id": case.id,
            "case_number": case.number,
            "clock": "exam",
            "due_before": "2027-02-20T00:00:00+08:00",
            "due_after": "2027-02-21T00:00:00+08:00",
            "due_on_before": "2027-02-19",
            "due_on_after": "2027-02-20",
        }
    ]


def test_admin_loads_json_days_and_bad_lines_are_422(api, make_user, restore_2027):
    admin = make_user("admin", None)
    bad = {
        "days": [
            {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
            {"date": "2027-01-02", "kind": "x"},
        ]
    }
    response = api(admin).put("/api/v1/calendar/2027", json=bad)
    # The kind is refused by the document's schema, with the row's path…
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"days.2.kind"}
    assert db.session.get(CalendarYear, 2027) is None
    # …a date that is no day by the calendar's own reading of the lines.
    bad["days"][1] = {"date": "2027-02-30", "kind": "holiday"}
    response = api(admin).put("/api/v1/calendar/2027", json=bad)
    assert response.status_code == 422
    assert "line 2" in response.json["error"]["fields"]
    assert db.session.get(CalendarYear, 2027) is None
    wrong_year = {"days": [{"date": "2028-01-01", "kind": "holiday", "name": "元旦"}]}
    assert api(admin).put("/api/v1/calendar/2027", json=wrong_year).status_code == 422
    lines = restore_2027.read_text(encoding="utf-8").splitlines()
    good = {
        "days": [
            dict(zip(("date", "kind", "name"), line.split(), strict=True))
            for line in lines
            if not line.startswith("#")
        ],
        "source": "国办发明电〔2026〕",
    }
    response = api(admin).put("/api/v1/calendar/2027", json=good)
    assert response.status_code == 200 and response.json["source"] == "国办发明电〔2026〕"
    assert api(admin).put("/api/v1/calendar/2027", json=["nope"]).status_code == 400


def test_a_control_character_in_a_schedule_is_422_with_its_line(api, make_user, restore_2027):
    """A NUL in a text/plain schedule was a 500 on PostgreSQL and stored on SQLite; a form feed
    was taken for a line break, numbering the lines after it wrongly."""
    admin = api(make_user("admin", None))
    text = "2027-01-01 holiday 元\x00旦\n2027-01-02 workday x\x0cy\n2027-01-03 holiday z\n"
    response = admin.put("/api/v1/calendar/2027", data=text.encode(), content_type="text/plain")
    assert response.status_code == 422, response.json
    fields = response.json["error"]["fields"]
    assert set(fields) == {"line 1", "line 2"} and "U+0000" in fields["line 1"]
    assert "U+000C" in fields["line 2"]
    assert db.session.get(CalendarYear, 2027) is None


def test_a_control_character_in_an_uploaded_schedule_is_named_on_the_page(
    client, make_user, login, restore_2027
):
    import io

    from tests.support import csrf_from

    login(make_user("admin", None))
    page = client.get("/admin", query_string={"tab": "calendar"})
    token = csrf_from(page.text.replace('name="calendar-csrf_token"', 'name="csrf_token"'))
    response = client.post(
        "/admin/calendar",
        data={
            "calendar-csrf_token": token,
            "calendar-unit": "",
            "calendar-confirmed": "y",
            "calendar-file": (io.BytesIO("2027-01-01 holiday 元\x00旦\n".encode()), "nul.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "U+0000" in response.text
    assert db.session.get(CalendarYear, 2027) is None


def test_a_schedule_in_another_encoding_is_refused_and_one_with_a_bom_is_read(
    api, make_user, restore_2027
):
    """A GBK file was read with replacement characters into an official year; Notepad's
    byte-order mark made line 1 "not a date" (the admin page's upload read both right)."""
    admin = api(make_user("admin", None))
    text = restore_2027.read_text(encoding="utf-8")
    refused = admin.put(
        "/api/v1/calendar/2027", data=text.encode("gbk"), content_type="text/plain; charset=gbk"
    )
    assert refused.status_code == 422, refused.json
    assert refused.json["error"]["message"] == "文件不是 UTF-8 编码的文本"
    assert "file" in refused.json["error"]["fields"]
    assert db.session.get(CalendarYear, 2027) is None
    loaded = admin.put(
        "/api/v1/calendar/2027", data=text.encode("utf-8-sig"), content_type="text/plain"
    )
    assert loaded.status_code == 200, loaded.json
    assert {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}.items() <= loaded.json[
        "days"
    ][0].items()


def test_a_schedule_without_a_statutory_holiday_is_422_and_named_on_the_page(
    api, client, make_user, login, restore_2027
):
    import io

    from tests.support import csrf_from

    admin = make_user("admin", None)
    text = "".join(
        x for x in restore_2027.read_text(encoding="utf-8").splitlines(True) if "元旦" not in x
    )
    refused = api(admin).put("/api/v1/calendar/2027", data=text.encode(), content_type="text/plain")
    assert refused.status_code == 422, refused.json
    assert "2027-01-01 元旦" in refused.json["error"]["fields"]["file"]
    assert "2027-01-01 New Year's Day" in refused.json["error"]["fields"]["file"]
    assert db.session.get(CalendarYear, 2027) is None
    login(admin)
    page = client.get("/admin", query_string={"tab": "calendar"})
    token = csrf_from(page.text.replace('name="calendar-csrf_token"', 'name="csrf_token"'))
    response = client.post(
        "/admin/calendar",
        data={
            "calendar-csrf_token": token,
            "calendar-unit": "",
            "calendar-confirmed": "y",
            "calendar-file": (io.BytesIO(text.encode()), "2027.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "2027-01-01 元旦" in response.text
    assert db.session.get(CalendarYear, 2027) is None
