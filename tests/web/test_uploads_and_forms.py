"""Issue 15, server side: upload limits stated once, an over-limit request answered on its own page
with the typed text kept, duplicates refused, download names, impossible dates, the case URL
after a refused post, disabled steps with their date."""

import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

import config
from caseflow.cases.evidence import EVIDENCE_MAX_BYTES, REQUEST_MAX_BYTES, Evidence
from caseflow.cases.models import Case
from caseflow.extensions import db
from tests.support import csrf_from

#: A complaint typed at the fair desk (its photo and exhibitor aside).
DESK_FIELDS = {
    "complainant_name": "OSRAM GmbH",
    "complainant_contact": "+49 89 6213 0",
    "right_number": "ZL202330654321.0",
    "facts": "展位展出 LED 吸顶灯 A-100 型",
}


def _token(html: str, marker: str) -> str:
    start = html.index(marker)
    return re.compile(r'name="(?:[a-z_]+-)?csrf_token"[^>]*value="([^"]+)"').search(html, start).group(1)


def test_the_request_limit_is_stated_once_and_fits_ten_tablet_photos():
    assert config.DEFAULTS["MAX_CONTENT_LENGTH"] == REQUEST_MAX_BYTES
    assert REQUEST_MAX_BYTES >= 10 * EVIDENCE_MAX_BYTES  # ten photos of the per-file maximum


def test_an_over_limit_desk_request_comes_back_as_a_form_error_with_the_text_kept(
    app, client, people, fair_with_exhibitors, login
):
    login(people["desk"])
    page = client.get("/desk")
    assert f'data-max-request="{REQUEST_MAX_BYTES}"' in page.text
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    try:
        response = client.post(
            f"/desk?fair_id={fair_with_exhibitors.id}",
            data={
                "csrf_token": csrf_from(page.text),
                "fair_id": fair_with_exhibitors.id,
                **DESK_FIELDS,
                "photos": [(io.BytesIO(b"\xff\xd8\xff" + b"x" * 100_000), "booth.jpg")],
            },
            content_type="multipart/form-data",
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = REQUEST_MAX_BYTES
    assert response.status_code == 413
    assert "登记投诉" in response.text and "未能接收" in response.text
    assert 'value="OSRAM GmbH"' in response.text and "ZL202330654321.0" in response.text
    assert "展位展出 LED 吸顶灯 A-100 型" in response.text
    assert db.session.scalar(select(Case)) is None


def test_an_over_limit_evidence_upload_comes_back_on_the_case_page(app, client, people, open_case, login):
    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    page = client.get(f"/cases/{case.id}")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    try:
        response = client.post(
            f"/cases/{case.id}",
            data={
                "evidence-csrf_token": _token(page.text, '#evidence" novalidate'),
                "_do": "evidence",
                "evidence-description": "公证购买的样品照片",
                "evidence-file": (io.BytesIO(b"%PDF" + b"x" * 100_000), "公证书.pdf"),
            },
            content_type="multipart/form-data",
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = REQUEST_MAX_BYTES
    assert response.status_code == 413
    assert case.number in response.text and "未能接收" in response.text
    assert 'value="公证购买的样品照片"' in response.text


def test_the_same_file_twice_is_refused_naming_the_first(client, people, open_case, login):
    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    page = client.get(f"/cases/{case.id}")
    token = _token(page.text, '#evidence" novalidate')

    def upload(name):
        return client.post(
            f"/cases/{case.id}",
            data={"evidence-csrf_token": token, "_do": "evidence",
                  "evidence-file": (io.BytesIO(b"%PDF-1.4 same bytes"), name)},
            content_type="multipart/form-data",
        )

    assert upload("购买公证书.pdf").status_code == 302
    first = db.session.scalar(select(Evidence).where(Evidence.case_id == case.id))
    again = upload("copy.pdf")
    assert again.status_code == 422
    assert "购买公证书.pdf" in again.text and f'href="#evidence-{first.id}"' in again.text
    assert len(db.session.scalars(select(Evidence).where(Evidence.case_id == case.id)).all()) == 1
    download = client.get(f"/evidence/{first.id}")
    disposition = download.headers["Content-Disposition"]
    assert f'filename="{case.number}_evidence-{first.id}.pdf"' in disposition
    assert "filename*=UTF-8''%E8%B4%AD%E4%B9%B0%E5%85%AC%E8%AF%81%E4%B9%A6.pdf" in disposition


def test_an_impossible_date_says_so_rather_than_required(client, people, login):
    login(people["desk"])
    page = client.get("/fairs")
    response = client.post(
        "/fairs",
        data={
            "fair-csrf_token": _token(page.text, "fair-new"),
            "fair-name": "第140届广交会",
            "fair-opens_at": "2026-12-32 10:00",
            "fair-closes_at": "2026-12-31 18:00",
        },
    )
    assert "没有这个日期或时间：2026-12-32 10:00" in response.text
    assert "此项为必填项" not in response.text


def test_a_refused_step_is_shown_at_the_case_url_and_the_action_url_redirects(
    client, people, open_case, login
):
    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    page = client.get(f"/cases/{case.id}")
    refused = client.post(
        f"/cases/{case.id}",
        data={"accept-csrf_token": _token(page.text, '#trigger-accept"'), "_do": "fire:accept",
              "accept-handlers": "张三\n李四", "accept-version": case.version,
              "accept-confirmed": "y"},
    )
    assert refused.status_code == 422 and "合议组应由三名以上单数承办人组成" in refused.text
    assert 'data-error-summary' in refused.text and 'href="#accept-handlers"' in refused.text
    again = client.get(f"/cases/{case.id}/fire/accept")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/cases/{case.id}#trigger-accept")


def test_proceeding_without_an_answer_is_offered_disabled_with_its_date(
    client, people, open_case, login
):
    from caseflow.engine import case_fire

    worker = people["caseworker"]
    now = datetime.now(UTC)
    case = open_case(worker, received_at=now - timedelta(days=3))
    case_fire(case, "accept", worker, occurred_at=now - timedelta(days=2), data={"handlers": ["甲", "乙", "丙"]})
    case_fire(case, "serve", worker, occurred_at=now - timedelta(days=1))
    db.session.commit()  # the caller commits (a page would)
    login(worker)
    page = client.get(f"/cases/{case.id}").text
    blocked = re.search(r'data-blocked="proceed_without_answer".*?</div>', page, re.S).group(0)
    # Served 11-29 10:00: the 15th day is Monday 12-14; the step can be done from 12-15.
    assert "disabled" in blocked and "2026年12月15日（周二）起可操作（答辩期限届满后）" in blocked


def test_a_step_whose_period_has_run_out_is_disabled_with_the_day_it_ended(
    client, people, open_case, login
):
    """A penalty's hearing can no longer be asked for once the statement period has run: the step
    is shown disabled with the guard's reason and the period's last day, not offered to fail."""
    from caseflow.engine import case_fire
    from tests.engine.helpers import at

    worker, chief = people["caseworker"], people["supervisor"]
    case = open_case(worker, workflow="penalty", received_at=at("2026-11-02 09:00"))
    case_fire(case, "file_case", chief, occurred_at=at("2026-11-03 09:00"), data={"handlers": ["张三", "李四"]})
    case_fire(
        case, "notify_intent", worker, occurred_at=at("2026-11-16 10:00"),
        data={"proposed_fine": 1000, "facts": "标注他人专利号"},
    )
    db.session.commit()
    login(worker)
    page = client.get(f"/cases/{case.id}").text
    # 5 workdays from Monday 11-16: the period ended with Monday 11-23.
    blocked = re.search(r'data-blocked="request_hearing".*?</div>', page, re.S).group(0)
    assert "disabled" in blocked
    assert "陈述申辩期限已届满，不能再要求听证（陈述申辩期限已于2026年11月23日（周一）届满）" in blocked
    assert 'data-blocked="proceed"' not in page and 'data-trigger="proceed"' in page  # can be done
    assert client.post("/lang/en", data={"csrf_token": csrf_from(page)}).status_code == 302
    from flask_babel import refresh

    refresh()  # the test client shares the test's app context, where the locale is cached
    english = client.get(f"/cases/{case.id}").text
    blocked = re.search(r'data-blocked="request_hearing".*?</div>', english, re.S).group(0)
    assert "The statement period has run out: a hearing can no longer be requested (the " in blocked
    assert "period ended on 2026-11-23 (Mon))" in blocked


def test_the_hearing_date_field_says_the_earliest_day_its_guard_accepts(
    client, people, open_case, login
):
    """The hearing must be at least 3 working days after the notice: the field says which day
    that is for a notice today (Monday 11-30: 12-01, 12-02, 12-03), and that day is accepted."""
    from caseflow.engine import case_fire
    from tests.engine.helpers import at

    worker = people["caseworker"]
    case = open_case(worker, received_at=at("2026-11-02 09:00"))
    case_fire(case, "accept", worker, occurred_at=at("2026-11-03 10:00"), data={"handlers": ["甲", "乙", "丙"]})
    case_fire(case, "serve", worker, occurred_at=at("2026-11-04 10:00"))
    case_fire(case, "receive_answer", worker, occurred_at=at("2026-11-12 10:00"))
    db.session.commit()
    login(worker)
    page = client.get(f"/cases/{case.id}").text
    form = re.search(r'data-trigger="schedule_hearing".*?</form>', page, re.S).group(0)
    assert "今日通知的，最早可定于2026年12月3日（周四）" in form
    case_fire(case, "schedule_hearing", worker, data={"hearing_at": at("2026-12-03 00:00").isoformat()})
    assert case.state == "hearing_scheduled"


def test_a_step_that_cannot_be_taken_back_fires_only_confirmed(client, people, open_case, login):
    """撤回请求 ends the case and issues a notice: its form on the case page carries the warning and a
    box; posted unticked it fires nothing (the form comes back with the box in error, the reason
    kept), ticked it fires. A step that can be corrected later has no box."""
    from caseflow.notices.models import Notice

    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    page = client.get(f"/cases/{case.id}").text
    withdraw = page[page.index('id="trigger-withdraw"'):]
    withdraw = withdraw[: withdraw.index("</details>")]
    assert "此操作不能撤回：案件即告办结，所有时限停止，文书将立即出具。" in withdraw
    assert 'name="withdraw-confirmed"' in withdraw and "我已核对，确认撤回请求" in withdraw
    data = {
        "withdraw-csrf_token": _token(page, '#trigger-withdraw"'),
        "_do": "fire:withdraw",
        "withdraw-reason": "双方已和解",
        "withdraw-version": case.version,
    }
    unconfirmed = client.post(f"/cases/{case.id}", data=data)
    assert unconfirmed.status_code == 422 and "请勾选后再提交" in unconfirmed.text
    assert "双方已和解" in unconfirmed.text
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "filed"
    assert db.session.scalar(select(Notice).where(Notice.case_id == case.id)) is None
    confirmed = client.post(f"/cases/{case.id}", data={**data, "withdraw-confirmed": "y"})
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "withdrawn"
    assert db.session.scalar(select(Notice.kind).where(Notice.case_id == case.id)) == "withdrawal_notice"


def _png_header(width: int, height: int) -> bytes:
    """A PNG's signature and IHDR only: what the upload check reads (it never decodes)."""
    import struct
    import zlib

    data = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    ihdr = struct.pack(">I", 13) + data + struct.pack(">I", zlib.crc32(data))
    return b"\x89PNG\r\n\x1a\n" + ihdr + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def test_the_upload_check_reads_the_pixel_count_from_the_header():
    """A 200-megapixel phone photo (16320 × 12240) is evidence; one pixel row more than the
    limit is not; a header Pillow cannot read is judged by its magic bytes, as before."""
    from caseflow.cases.evidence import IMAGE_MAX_PIXELS, evidence_check
    from caseflow.errors import ValidationFailed

    assert evidence_check("phone.png", _png_header(16320, 12240)) == "image/png"
    assert 16320 * 12240 <= IMAGE_MAX_PIXELS < 16320 * 12256
    try:
        evidence_check("bomb.png", _png_header(16320, 12256))
    except ValidationFailed as exc:
        assert "像素" in exc.fields["file"] and "pixels" in exc.fields["file"]
    else:
        raise AssertionError("an image over the pixel limit was accepted")
    assert evidence_check("odd.jpg", b"\xff\xd8\xff" + b"x" * 100) == "image/jpeg"


def test_a_decompression_bomb_is_refused_at_the_staff_upload_and_nothing_is_stored(
    app, client, people, open_case, login
):
    """A 388 KB PNG of 20000 × 20000 pixels (400 M, decoded 400 MB) made every thumbnail request
    answer 500 forever; it is now refused when filed."""
    from caseflow.storage import storage
    from tests.support import png_of_zeros

    worker = people["caseworker"]
    case = open_case(worker)
    login(worker)
    page = client.get(f"/cases/{case.id}")
    response = client.post(
        f"/cases/{case.id}/evidence",
        data={
            "evidence-csrf_token": _token(page.text, '#evidence" novalidate'),
            "evidence-file": (io.BytesIO(png_of_zeros(20000, 20000)), "截图.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "像素" in response.text
    assert db.session.scalar(select(Evidence).where(Evidence.case_id == case.id)) is None
    assert not list(storage().list_keys(f"evidence/{case.id}/"))


def _legacy_evidence(case, worker, name: str, content: bytes, content_type: str) -> Evidence:
    """A file stored before the upload check knew pixels: written to storage and recorded."""
    import hashlib

    from caseflow.storage import storage

    path = f"evidence/{case.id}/legacy{name[name.rindex('.'):]}"
    storage().put_new(path, content)
    item = Evidence(
        case_id=case.id,
        uploaded_by_id=worker.id,
        filename=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        path=path,
    )
    db.session.add(item)
    db.session.commit()
    return item


def test_a_stored_bomb_gets_the_icon_never_a_500(app, client, people, open_case, login, caplog):
    from tests.support import png_of_zeros

    worker = people["caseworker"]
    case = open_case(worker)
    item = _legacy_evidence(case, worker, "bomb.png", png_of_zeros(20000, 20000), "image/png")
    login(worker)
    for _ in range(2):
        thumbnail = client.get(f"/evidence/{item.id}/thumbnail")
        assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/svg+xml"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert client.get(f"/cases/{case.id}").status_code == 200


def test_a_png_above_the_thumbnail_budget_is_not_decoded(app, client, people, open_case, login):
    """10000 × 10000 RGB (100 M pixels, 292 KB) took 12.5 s and ~950 MB to thumbnail. It is
    evidence (under the upload limit) but a PNG must be decoded whole: above the budget the case
    page shows the icon instead."""
    import time

    from tests.support import png_of_zeros

    worker = people["caseworker"]
    case = open_case(worker)
    item = _legacy_evidence(case, worker, "big.png", png_of_zeros(10000, 10000, "RGB"), "image/png")
    login(worker)
    started = time.monotonic()
    thumbnail = client.get(f"/evidence/{item.id}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/svg+xml"
    assert time.monotonic() - started < 2


def test_a_48_megapixel_jpeg_is_thumbnailed_at_reduced_scale(app, client, people, open_case, login):
    """A phone's 8000 × 6000 JPEG is decoded at 1/8 scale (``draft``), then shrunk to 160 px."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (8000, 6000), 128).save(buffer, "JPEG", quality=50)
    worker = people["caseworker"]
    case = open_case(worker)
    item = _legacy_evidence(case, worker, "IMG_0001.jpg", buffer.getvalue(), "image/jpeg")
    login(worker)
    thumbnail = client.get(f"/evidence/{item.id}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(thumbnail.data)).size == (160, 120)
