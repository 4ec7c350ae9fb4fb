"""The public verification page, the logged-in download and the API, unit-scoped like cases."""

import hashlib

import pytest

from tests.notices.conftest import at


@pytest.fixture
def issued(make_case, issue):
    case = make_case("adjudication", state="awaiting_answer")
    return issue(case, "answer_notice", at("2026-09-22 10:00"), clocks=[("answer", "15 days")])


def test_verify_shows_number_kind_date_and_fingerprint_without_login(client, issued):
    page = client.get(f"/verify/{issued.verification_code}")
    assert page.status_code == 200
    for expected in (issued.document_number, "答辩通知书", "2026年9月22日", issued.sha256):
        assert expected in page.text
    # Typed from paper in lower case, it still matches.
    assert client.get(f"/verify/{issued.verification_code.lower()}").status_code == 200


def test_the_verification_read_runs_in_autocommit_outside_the_requests_session(client, issued):
    """Every QR code scanned opens /verify: its one read needs no BEGIN and COMMIT around it."""
    from sqlalchemy import event

    from caseflow.extensions import db

    reads = []

    def record(conn, cursor, statement, *args):
        if "FROM notices" in statement:
            dbapi = conn.connection.dbapi_connection
            autocommit = getattr(dbapi, "autocommit", None)  # psycopg
            if autocommit is None or not isinstance(autocommit, bool):
                autocommit = dbapi.isolation_level is None  # sqlite3: no implicit BEGIN
            reads.append((conn.get_execution_options().get("isolation_level"), autocommit))

    code = issued.verification_code
    db.session.commit()  # the test's own transaction ends: the request starts with none
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(f"/verify/{code}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert reads == [("AUTOCOMMIT", True)]
    assert not db.session().in_transaction()  # the request's session was not used


def test_a_correction_names_the_notice_it_replaces_and_is_not_found_while_pending(
    client, issued
):
    from caseflow.extensions import db
    from caseflow.notices.services import notice_correct

    correction = notice_correct(notice=issued, note="被请求人名称有误")  # pending until the commit
    assert correction.status == "pending"
    assert client.get(f"/verify/{correction.verification_code}").status_code == 404
    db.session.commit()  # the correction renders after it

    page = client.get(f"/verify/{correction.verification_code}")
    assert page.status_code == 200
    assert correction.document_number in page.text and issued.unit.name in page.text
    assert f"本文书更正并替代 {issued.document_number}" in page.text
    assert "更正并替代" not in client.get(f"/verify/{issued.verification_code}").text


def test_a_replaced_notice_says_it_is_void_and_names_its_correction(client, issued):
    """A paper copy of a corrected notice is no longer in force (notices.md "Records"): the
    page that checks it says so, and by which document, in each language."""
    from flask_babel import refresh

    from caseflow.extensions import db
    from caseflow.notices.services import notice_correct

    correction = notice_correct(notice=issued, note="被请求人名称有误")
    # While the correction is pending (not yet issued), the original still stands.
    assert "作废" not in client.get(f"/verify/{issued.verification_code}").text
    db.session.commit()  # the correction renders after it
    page = client.get(f"/verify/{issued.verification_code}")
    assert page.status_code == 200
    assert f"已被{correction.document_number}更正，本文书作废" in page.text
    assert "作废" not in client.get(f"/verify/{correction.verification_code}").text
    with client.session_transaction() as session:
        session["lang"] = "en"
    refresh()  # the test client shares the test's app context, where the locale is cached
    english = client.get(f"/verify/{issued.verification_code}").text
    assert f"Corrected by {correction.document_number}: this document is void" in english


def test_an_unknown_code_is_a_plain_not_found(client, issued):
    page = client.get("/verify/ZZZZZZZZZZ")
    assert page.status_code == 404
    assert "未找到" in page.text and "not found" not in page.text  # Chinese, no English aside
    assert issued.document_number not in page.text
    # Whoever holds the paper may read it in English (the language switch).
    with client.session_transaction() as session:
        session["lang"] = "en"
    from flask_babel import refresh

    refresh()  # the test client shares the test's app context, where the locale is cached
    english = client.get("/verify/ZZZZZZZZZZ")
    assert "No issued document" in english.text and "未找到" not in english.text


def test_a_code_typed_from_paper_with_look_alike_letters_is_found(client, issued):
    """The codes are Crockford base 32: no I, L or O is ever printed, so one typed for a 1 or a
    0 (from a smudged copy, or a phone's keyboard) reads as the digit; spaces and hyphens too."""
    from sqlalchemy import update

    from caseflow.extensions import db
    from caseflow.notices.models import Notice

    db.session.execute(
        update(Notice).where(Notice.id == issued.id).values(verification_code="10ABCD01EF")
    )
    db.session.commit()
    for typed in ("10ABCD01EF", "lOabcdOIef", "10AB-CD01 EF"):
        page = client.get(f"/verify/{typed}")
        assert page.status_code == 200 and issued.document_number in page.text, typed


def test_twenty_wrong_codes_an_hour_then_429_for_that_address_only(client, issued):
    """parties.md: every public route is rate-limited per address. After 20 wrong codes the
    address gets 429 with Retry-After, its next good code too (a guesser learns nothing more);
    another address still verifies, and a good code never counts."""
    guesser = {"REMOTE_ADDR": "203.0.113.77"}
    good = f"/verify/{issued.verification_code}"
    assert client.get(good, environ_base=guesser).status_code == 200
    for n in range(20):
        assert client.get(f"/verify/ZZZZZZZZ{n:02d}", environ_base=guesser).status_code == 404
    refused = client.get("/verify/ZZZZZZZZZZ", environ_base=guesser)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 3000
    assert client.get(good, environ_base=guesser).status_code == 429
    assert client.get(good, environ_base={"REMOTE_ADDR": "203.0.113.78"}).status_code == 200


def test_download_needs_login_and_the_notices_unit(client, issued, login, make_user, units, pdf):
    url = f"/notices/{issued.id}.pdf"
    assert client.get(url).status_code in (302, 401)

    login(make_user("viewer", units["PD"]))
    assert client.get(url).status_code == 404  # another unit's notice: like a missing one

    login(make_user("caseworker", units["ZS"]))
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert hashlib.sha256(response.data).hexdigest() == issued.sha256


def test_api_record_and_pdf_are_unit_scoped(api, issued, make_user, units):
    mine = api(make_user("caseworker", units["ZS"]))
    record = mine.get(f"/api/v1/notices/{issued.id}").get_json()
    assert record["kind"] == "answer_notice"
    assert record["document_number"] == "中维通字〔2026〕第1号"
    assert record["status"] == "issued" and record["sha256"] == issued.sha256
    assert record["issued_at"] == "2026-09-22T10:00:00+08:00"
    assert record["verification_code"] == issued.verification_code

    response = mine.get(f"/api/v1/notices/{issued.id}.pdf")
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == issued.sha256

    theirs = api(make_user("caseworker", units["PD"]))
    # Another unit's notice answers exactly like a missing one (issue 16: ids cannot be probed).
    assert theirs.get(f"/api/v1/notices/{issued.id}").status_code == 404
    assert theirs.get(f"/api/v1/notices/{issued.id}.pdf").status_code == 404
    assert (
        theirs.get(f"/api/v1/notices/{issued.id}").get_json()
        == theirs.get("/api/v1/notices/999999").get_json()
    )
    assert mine.get("/api/v1/notices/999999").status_code == 404


def test_a_pending_notice_has_no_file_yet(api, make_case, issue, make_user, units):
    notice = issue(
        make_case("adjudication"), "closure_notice", at("2026-09-22 10:00"), render=False
    )
    mine = api(make_user("caseworker", units["ZS"]))
    assert mine.get(f"/api/v1/notices/{notice.id}").get_json()["status"] == "pending"
    assert mine.get(f"/api/v1/notices/{notice.id}.pdf").status_code == 404


def test_a_supervisor_corrects_through_the_api(api, issued, make_user, units):
    supervisor = api(make_user("supervisor", units["ZS"]))
    caseworker = api(make_user("caseworker", units["ZS"]))
    url = f"/api/v1/notices/{issued.id}/corrections"
    assert caseworker.post(url, json={"note": "x"}).status_code == 403
    assert api(make_user("supervisor", units["PD"])).post(url, json={}).status_code == 404

    response = supervisor.post(url, json={"note": "答辩期限表述有误"})
    assert response.status_code == 201, response.get_json()
    correction = response.get_json()
    assert correction["replaces_id"] == issued.id and correction["status"] == "issued"
    assert correction["document_number"] == "中维通字〔2026〕第2号"
    # Only the latest notice can be corrected again.
    assert supervisor.post(url, json={}).status_code == 409


def test_verify_names_the_issuer_as_the_notice_prints_it(client, make_case, issue, pdf):
    """The fair desk's short name (中国进出口商品交易会 知识产权投诉站) is not what its notices
    print: a party comparing the page with the paper must read the same issuer."""
    notice = issue(make_case("fair_complaint", unit="CF"), "outcome_notice", at("2026-09-22 10:00"))
    full = notice.unit.profile["full_name"]
    assert full in pdf.text(notice)
    page = client.get(f"/verify/{notice.verification_code}")
    assert page.status_code == 200
    assert full in page.text and notice.unit.name not in page.text
