"""Administration pages: a unit's profile, a user's role, unit and active flag, password reset."""

import io
import logging

from werkzeug.security import check_password_hash

from caseflow.accounts.models import Unit, User
from caseflow.extensions import db
from tests.support import csrf_from


def _png(size=(200, 200)) -> bytes:
    """A real PNG seal: a red ring on transparent ground."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((10, 10, size[0] - 10, size[1] - 10), outline="red", width=8)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


PNG = _png()


def _profile_form(page_text, **changes):
    """The profile form as the page rendered it, with ``changes`` applied."""
    import re

    data = {"csrf_token": csrf_from(page_text)}
    for name, value in re.findall(
        r'<input[^>]*name="((?:clock|doc)__[a-z_]+)"[^>]*value="([^"]*)"', page_text
    ):
        data[name] = value
    data.update(ipc="F21、H05B", locarno="26", contact="电话：0760-12330", address="中山市古镇镇")
    data.update(changes)
    return data


def test_admin_edits_a_unit_profile_and_sees_chinese_errors_beside_fields(
    client, people, units, login, caplog, monkeypatch
):
    # Alembic's fileConfig in migrations/env.py disables loggers that existed before it ran.
    monkeypatch.setattr(logging.getLogger("caseflow.accounts.services"), "disabled", False)
    login(people["admin"])
    page = client.get("/admin/units/ZS")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text
    assert 'name="clock__grant_target__design"' in page.text and 'value="10 workdays"' in page.text
    assert "中维裁字〔{year}〕第{seq}号" in page.text

    bad = client.post(
        "/admin/units/ZS",
        data=_profile_form(
            page.text,
            clock__review__invention="ten workdays",
            doc__decision="中维裁字第{seq}号",
            ipc="F21、XYZ",
            seal_image=(io.BytesIO(b"%PDF-1.7 not a png"), "seal.png"),
        ),
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert 'id="clock__review__invention-error"' in bad.text and "期限格式不正确" in bad.text
    assert 'id="doc__decision-error"' in bad.text and "须包含 {year}" in bad.text
    assert 'id="ipc-error"' in bad.text and "XYZ" in bad.text
    assert 'id="seal_image-error"' in bad.text and "PNG" in bad.text
    db.session.expire_all()
    assert db.session.get(Unit, units["ZS"].id).profile["clocks"]["grant_target"] == {
        "design": "10 workdays"
    }

    with caplog.at_level(logging.INFO, logger="caseflow.accounts.services"):
        good = client.post(
            "/admin/units/ZS",
            data=_profile_form(
                page.text,
                clock__review__design="3 workdays",
                clock__closing_target="关闭",
                doc__decision="中维裁字〔{year}〕{seq}号",
                ipc="f21, H05B，G06F",
                seal_image=(io.BytesIO(PNG), "seal.png"),
            ),
            content_type="multipart/form-data",
        )
    assert good.status_code == 302, good.text
    db.session.expire_all()
    profile = db.session.get(Unit, units["ZS"].id).profile
    assert profile["clocks"]["review"] == {"design": "3 workdays"}
    assert profile["clocks"]["closing_target"] is None
    assert profile["doc_patterns"]["decision"] == "中维裁字〔{year}〕{seq}号"
    assert profile["fields"]["ipc"] == ["F21", "H05B", "G06F"]
    from caseflow.storage import storage

    # Kept in the shared storage, so that every node prints the same seal.
    assert profile["seal_image"].startswith("storage:seals/ZS-")
    assert storage().get(profile["seal_image"].removeprefix("storage:")) == PNG
    assert "unit ZS profile changed by root" in caplog.text


def test_admin_names_the_review_body_and_court_a_penalty_decision_prints(
    client, people, units, login
):
    """行政处罚法 art 59 item 5: the decision names where to seek review. The profile's optional
    keys are edited beside the contact; a name over 100 characters is refused beside its field,
    and an empty one removes the key (the decision then keeps the general wording)."""
    login(people["admin"])
    page = client.get("/admin/units/PD")
    assert 'value="上海市浦东新区人民政府"' in page.text and 'value="上海知识产权法院"' in page.text
    bad = client.post(
        "/admin/units/PD",
        data=_profile_form(page.text, review_body="某" * 101, court="上海知识产权法院"),
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and 'id="review_body-error"' in bad.text
    good = client.post(
        "/admin/units/PD",
        data=_profile_form(page.text, review_body=" 上海市人民政府 ", court=""),
        content_type="multipart/form-data",
    )
    assert good.status_code == 302, good.text
    db.session.expire_all()
    profile = db.session.get(Unit, units["PD"].id).profile
    assert profile["review_body"] == "上海市人民政府" and "court" not in profile


def test_seal_over_one_megabyte_is_refused(client, people, login):
    login(people["admin"])
    page = client.get("/admin/units/PD")
    response = client.post(
        "/admin/units/PD",
        data=_profile_form(
            page.text, seal_image=(io.BytesIO(PNG + b"\0" * 1024 * 1024), "big.png")
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "不能超过1 MB（上传的文件超过 1 MB）" in response.text


def test_a_seal_that_does_not_decode_is_refused(client, people, units, login):
    """A PNG whose signature is right but whose image data is cut short or garbled would be
    stored and then every notice printed without its seal."""
    import weasyprint  # noqa: F401  (as in every process that renders: it makes Pillow tolerant)

    login(people["admin"])
    page = client.get("/admin/units/PD")
    truncated = PNG[: len(PNG) // 2]
    header_only = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
    for bad in (truncated, header_only):
        response = client.post(
            "/admin/units/PD",
            data=_profile_form(page.text, seal_image=(io.BytesIO(bad), "seal.png")),
            content_type="multipart/form-data",
        )
        assert response.status_code == 422
        assert 'id="seal_image-error"' in response.text and "印章图片已损坏" in response.text
    db.session.expire_all()
    assert "seal_image" not in db.session.get(Unit, units["PD"].id).profile


def test_admin_changes_role_unit_active_and_resets_a_password(client, people, units, login):
    worker = people["caseworker"]
    login(people["admin"])
    page = client.get(f"/admin/users/{worker.id}")
    assert page.status_code == 200 and 'name="edit-csrf_token"' in page.text
    token = csrf_from(page.text.replace('name="edit-csrf_token"', 'name="csrf_token"'))
    no_unit = client.post(
        f"/admin/users/{worker.id}/edit",
        data={"edit-csrf_token": token, "edit-role": "supervisor", "edit-unit_id": "0",
              "edit-display_name": worker.display_name},
    )
    assert no_unit.status_code == 422 and "除管理员外，用户必须属于一个单位" in no_unit.text
    moved = client.post(
        f"/admin/users/{worker.id}/edit",
        data={"edit-csrf_token": token, "edit-role": "supervisor", "edit-unit_id": units["PD"].id,
              "edit-display_name": worker.display_name},
    )
    assert moved.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, worker.id)
    assert (user.role, user.unit_id, user.active) == ("supervisor", units["PD"].id, False)

    short = client.post(
        f"/admin/users/{worker.id}/password",
        data={"password-csrf_token": token, "password-password": "short"},
    )
    assert short.status_code == 422 and "至少12位" in short.text
    reset = client.post(
        f"/admin/users/{worker.id}/password",
        data={"password-csrf_token": token, "password-password": "a-new-long-password"},
    )
    assert reset.status_code == 302
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, worker.id).password_hash, "a-new-long-password")

    me = people["admin"]
    self_lock = client.post(
        f"/admin/users/{me.id}/edit",
        data={"edit-csrf_token": token, "edit-role": "viewer", "edit-unit_id": units["ZS"].id,
              "edit-display_name": me.display_name},
    )
    assert self_lock.status_code == 422
    assert "不能取消自己的管理员角色" in self_lock.text and "不能停用自己的账号" in self_lock.text


def test_admin_editing_is_for_admins(client, people, login):
    login(people["supervisor"])
    assert client.get("/admin/units/ZS").status_code == 403
    assert client.get(f"/admin/users/{people['caseworker'].id}").status_code == 403
    page = client.get("/inbox")
    response = client.post(
        f"/admin/users/{people['caseworker'].id}/password",
        data={"password-csrf_token": csrf_from(page.text), "password-password": "x" * 12},
    )
    assert response.status_code == 403


def _edit(client, user, **fields):
    page = client.get(f"/admin/users/{user.id}")
    token = csrf_from(page.text.replace('name="edit-csrf_token"', 'name="csrf_token"'))
    fields = {"display_name": user.display_name, **fields}  # the form shows the current name
    data = {"edit-csrf_token": token, **{f"edit-{k}": v for k, v in fields.items()}}
    return client.post(f"/admin/users/{user.id}/edit", data=data, follow_redirects=True)


def test_moving_a_caseworker_to_another_unit_releases_their_open_cases(
    client, people, units, open_case, login
):
    from sqlalchemy import select

    from caseflow.cases.models import Case, Event
    from caseflow.cases.services import case_assign

    worker, chief = people["caseworker"], people["supervisor"]
    held = [open_case(chief), open_case(chief)]
    for case in held:
        case_assign(case, assignee=worker, actor=chief)
    db.session.commit()
    login(people["admin"])
    moved = _edit(client, worker, role="caseworker", unit_id=units["PD"].id, active="y")
    assert moved.status_code == 200
    assert "2 件未结案件已退回" in moved.text and held[0].number in moved.text
    db.session.expire_all()
    for case in held:
        case = db.session.get(Case, case.id)
        assert case.assignee_id is None  # in ZS's 未分配, for the supervisor to reassign
        event = db.session.scalars(
            select(Event).filter_by(case_id=case.id, kind="assign").order_by(Event.id.desc())
        ).first()
        assert event.actor_id == people["admin"].id
        assert event.data == {"assignee": None, "released_from": "zs_worker", "reason": "unit"}
        assert "调离本单位" in event.note
    # The unassigned cases show in the ZS supervisor's inbox.
    login(chief)
    inbox = client.get("/inbox", query_string={"tab": "unassigned"})
    assert all(case.number in inbox.text for case in held)


def test_deactivating_a_caseworker_releases_their_open_cases_too(
    client, people, open_case, login, units
):
    from caseflow.cases.models import Case
    from caseflow.cases.services import case_assign

    worker, chief = people["caseworker"], people["supervisor"]
    case = open_case(chief)
    case_assign(case, assignee=worker, actor=chief)
    db.session.commit()
    login(people["admin"])
    kept = _edit(client, worker, role="caseworker", unit_id=units["ZS"].id, active="y")
    assert "未结案件已退回" not in kept.text
    assert db.session.get(Case, case.id).assignee_id == worker.id
    disabled = _edit(client, worker, role="caseworker", unit_id=units["ZS"].id)
    assert "1 件未结案件已退回" in disabled.text
    db.session.expire_all()
    assert db.session.get(Case, case.id).assignee_id is None


def test_admin_gives_a_user_a_name_and_an_email_address(client, people, units, login):
    login(people["admin"])
    page = client.get("/admin", query_string={"tab": "users"})
    assert 'name="user-email"' in page.text
    token = csrf_from(page.text.replace('name="user-csrf_token"', 'name="csrf_token"'))
    fields = {
        "user-csrf_token": token,
        "user-username": "zs_new",
        "user-display_name": "孙新",
        "user-role": "caseworker",
        "user-unit_id": units["ZS"].id,
        "user-password": "a-long-initial-passphrase",
    }
    bad = client.post("/admin/users", data={**fields, "user-email": "notanemail"})
    assert bad.status_code == 422
    assert 'id="user-email-error"' in bad.text and "电子邮箱格式不正确" in bad.text
    assert db.session.query(User).filter_by(username="zs_new").first() is None
    created = client.post("/admin/users", data={**fields, "user-email": "sun.xin@example.cn"})
    assert created.status_code == 302
    user = db.session.query(User).filter_by(username="zs_new").one()
    assert (user.display_name, user.email) == ("孙新", "sun.xin@example.cn")

    page = client.get(f"/admin/users/{user.id}")
    assert 'value="sun.xin@example.cn"' in page.text and 'value="孙新"' in page.text
    edit = {"role": "caseworker", "unit_id": units["ZS"].id, "active": "y"}
    refused = _edit(client, user, display_name="孙 新", email="sun@", **edit)
    assert 'id="edit-email-error"' in refused.text
    changed = _edit(client, user, display_name="  孙欣 ", email="sx@example.cn", **edit)
    assert changed.status_code == 200
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.display_name, user.email) == ("孙欣", "sx@example.cn")


def test_every_admin_action_logs_the_admin_and_what_changed(
    client, people, units, login, caplog, monkeypatch, make_token
):
    from caseflow.accounts.models import ApiToken

    for name in ("caseflow.accounts.services", "caseflow.calendar.services"):
        # Alembic's fileConfig in migrations/env.py disables loggers that existed before it ran.
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    worker = people["caseworker"]
    make_token(worker)
    make_token(worker)
    login(people["admin"])
    page = client.get("/admin", query_string={"tab": "users"})
    token = csrf_from(page.text.replace('name="user-csrf_token"', 'name="csrf_token"'))
    with caplog.at_level(logging.INFO):
        client.post("/admin/users", data={
            "user-csrf_token": token, "user-username": "new_cw", "user-display_name": "孙新",
            "user-role": "caseworker", "user-unit_id": units["ZS"].id,
            "user-password": "a-long-initial-passphrase", "user-email": "sun@example.cn",
        })
        _edit(client, worker, display_name="张承办", email="zhang@example.cn", role="supervisor",
              unit_id=units["ZS"].id, active="y")
        client.post(
            f"/admin/users/{worker.id}/password",
            data={"password-csrf_token": token, "password-password": "secret-new-passphrase"},
        )
        first = db.session.query(ApiToken).filter_by(user_id=worker.id).first()
        client.post(f"/admin/tokens/{first.id}/revoke", data={"csrf_token": token})
        client.post(f"/admin/users/{worker.id}/revoke", data={"csrf_token": token})
        unit_page = client.get("/admin/units/ZS")
        client.post(
            "/admin/units/ZS",
            data=_profile_form(unit_page.text, clock__review__design="3 workdays",
                               seal_image=(io.BytesIO(PNG), "seal.png")),
            content_type="multipart/form-data",
        )
        calendar = client.get("/admin", query_string={"tab": "calendar"})
        client.post("/admin/calendar", data={
            "calendar-csrf_token": csrf_from(
                calendar.text.replace('name="calendar-csrf_token"', 'name="csrf_token"')
            ),
            "calendar-unit": "ZS",
            "calendar-confirmed": "y",
            "calendar-file": (io.BytesIO("2026-09-15 holiday 台风停工\n".encode()), "typhoon.txt"),
        }, content_type="multipart/form-data")
    log = caplog.text
    assert "user new_cw created by root: caseworker, unit ZS, name '孙新', e-mail sun@ex" in log
    assert (
        "user zs_worker changed by root: e-mail None -> 'zhang@example.cn'; "
        "role 'caseworker' -> 'supervisor'" in log
    )
    assert "password of zs_worker reset by root" in log
    assert f"API token {first.id} of zs_worker revoked by root" in log
    assert "all sessions and 1 API tokens of zs_worker revoked by root" in log
    assert "unit ZS profile changed by root: " in log
    assert 'clocks.review: - -> {"design": "3 workdays"}' in log
    assert "seal_image: - -> \"storage:seals/ZS-" in log
    assert "calendar: loaded 2026 closures of ZS from 上传：typhoon.txt by root" in log
    assert "secret-new-passphrase" not in log and "a-long-initial-passphrase" not in log


def test_an_admin_only_refusal_names_the_action_in_both_languages(people, units):
    """The pages keep non-admins out before the service; the service's own refusal still reads
    whole in English ("only admins may change unit profiles", not "…may 修改单位配置")."""
    import pytest

    from caseflow.accounts.services import unit_profile_update
    from caseflow.errors import PermissionDenied

    with pytest.raises(PermissionDenied) as refused:
        unit_profile_update(units["ZS"], actor=people["supervisor"], contact="0760-1")
    assert refused.value.message == "只有管理员可以修改单位配置"
    assert refused.value.message_en == "only admins may change unit profiles"


def test_unit_profile_errors_read_in_english_on_the_english_page(client, people, units, login):
    """docs/api.md: each reason carries both languages; the English page shows its half beside
    each field, and nothing is saved."""
    from flask_babel import refresh

    login(people["admin"])
    page = client.get("/admin/units/ZS")
    client.post("/lang/en", data={"csrf_token": csrf_from(page.text)})
    refresh()
    page = client.get("/admin/units/ZS")
    before = db.session.get(Unit, units["ZS"].id).profile
    bad = client.post(
        "/admin/units/ZS",
        data=_profile_form(
            page.text,
            clock__review__invention="ten workdays",
            doc__decision="中维裁字第{seq}号",
            ipc="F21、XYZ",
            seal_image=(io.BytesIO(b"%PDF-1.7 not a png"), "seal.png"),
        ),
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "a number and a unit, such as 5 workdays" in bad.text
    assert "must contain {year}, as in" in bad.text
    assert "not a class: XYZ (e.g. F21, H05B, G06F)" in bad.text
    assert "the seal image must be a PNG" in bad.text
    for chinese in ("期限格式不正确", "须包含", "分类号格式不正确", "印章图片须为"):
        assert chinese not in bad.text
    db.session.expire_all()
    assert db.session.get(Unit, units["ZS"].id).profile == before
