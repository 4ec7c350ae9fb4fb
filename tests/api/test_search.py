"""A search box's text is searched for as typed: ``%`` and ``_`` are characters, not wildcards
(``?q=%`` once listed every case), in the API's case list, the inbox and the credit register."""

from tests.engine.helpers import *  # noqa: F403  (the case fixtures)


def test_percent_and_underscore_are_searched_for_as_themselves(
    api, open_case, staff, make_user, client, login
):
    plain = open_case("adjudication", respondent={"name": "某某照明厂", "kind": "company"})
    marked = open_case("adjudication", respondent={"name": "100%_照明 Co", "kind": "company"})
    worker = api(staff["ZS"]["caseworker"])
    for q, found in (("%", [marked.id]), ("_", [marked.id]), ("0%_", [marked.id]), ("照明", None)):
        items = worker.get("/api/v1/cases", query_string={"q": q}).get_json()["items"]
        ids = sorted(item["id"] for item in items)
        assert ids == (found if found is not None else sorted([plain.id, marked.id])), q
    login(make_user("caseworker", "ZS"))  # one who signs in through the form
    page = client.get("/inbox", query_string={"tab": "all", "q": "%"})
    assert marked.number in page.text and plain.number not in page.text


def test_a_very_long_search_term_is_cut_not_a_500(
    api, open_case, staff, make_user, client, login
):
    """SQLite refuses a LIKE pattern over 50,000 bytes: ``?q=`` of 50,001 characters was a 500
    there, in the API's list and in the inbox. A term is cut to what a field can hold, and still
    finds what begins with it."""
    from caseflow.search import SEARCH_MAX_CHARS

    long_title = "甲" * SEARCH_MAX_CHARS  # as long as a title may be
    case = open_case("adjudication", title=long_title)
    worker = api(staff["ZS"]["caseworker"])
    for q in ("x" * 50_001, long_title + "乙" * 60_000):
        answer = worker.get("/api/v1/cases", query_string={"q": q})
        assert answer.status_code == 200, answer.status_code
    found = worker.get("/api/v1/cases", query_string={"q": long_title + "乙" * 60_000}).get_json()
    assert [item["id"] for item in found["items"]] == [case.id]
    login(make_user("caseworker", "ZS"))
    page = client.get("/inbox", query_string={"tab": "all", "q": "x" * 60_000})
    assert page.status_code == 200


def test_the_case_lists_filters_refuse_what_they_cannot_mean(api, open_case, staff):
    """An unknown state is a 422 naming the valid ones, as an unknown workflow is; a page below 1
    and an ``overdue`` that is neither true nor false are 422s; another unit is a 403, as
    ``/stats`` answers it."""
    open_case("adjudication")
    worker, chief = api(staff["ZS"]["caseworker"]), api(staff["ZS"]["supervisor"])

    def refused(query, status=422):
        response = worker.get("/api/v1/cases", query_string=query)
        assert response.status_code == status, (query, response.get_json())
        return response.get_json()["error"]["fields"]

    fields = refused({"state": "bogus", "workflow": "adjudication"})
    assert "filed" in fields["state"] and "lodged" not in fields["state"]
    assert " / " in fields["state"]
    fields = refused({"state": "bogus"})
    assert "filed" in fields["state"] and "lodged" in fields["state"]
    # A state of another workflow is not one of this workflow's.
    assert "state" in refused({"state": "lodged", "workflow": "adjudication"})
    assert " / " in refused({"workflow": "bogus"})["workflow"]
    for page in ("0", "-1"):
        assert "page" in refused({"page": page})
    assert "overdue" in refused({"overdue": "maybe"})
    for value in ("true", "false", "1", "0", ""):
        assert worker.get("/api/v1/cases", query_string={"overdue": value}).status_code == 200
    listed = worker.get("/api/v1/cases", query_string={"state": "filed", "workflow": "adjudication"})
    assert listed.status_code == 200 and listed.get_json()["total"] == 1
    assert chief.get("/api/v1/stats", query_string={"unit": "PD"}).status_code == 403
    assert chief.get("/api/v1/cases", query_string={"unit": "PD"}).status_code == 403
    assert chief.get("/api/v1/cases", query_string={"unit": "ZS"}).get_json()["total"] == 1
    assert worker.get("/api/v1/cases", query_string={"unit": "XX"}).status_code == 422
