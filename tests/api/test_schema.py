"""API bodies are validated once, by a library (openapi-schema-validator), against the OpenAPI
document the API publishes: every keyword the document declares holds, reasons name the field by
its dotted path, and the document itself carries every bound (no hidden default)."""

import pytest

from caseflow.api.openapi import openapi_document
from caseflow.api.schema import _validator, body_check
from caseflow.errors import ValidationFailed

CASE = {"workflow": "adjudication", "complainant": {"name": "中山市明辉照明有限公司"}}


def refused(body, schema_name: str) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        body_check(body, schema_name)
    assert caught.value.status == 422 and caught.value.message.startswith("请求数据有误：")
    return caught.value.fields


def test_a_valid_body_comes_back_as_it_was():
    body = {**CASE, "respondent": None, "right": None, "fair_id": None, "priority": None}
    assert body_check(body, "CaseCreate") is body


def test_enumerations_are_the_documents():
    """``enum`` was left to the services by the old hand-written subset."""
    fields = refused(
        {"workflow": "arbitration", "complainant": {"name": "甲", "kind": "alien"}}, "CaseCreate"
    )
    assert fields["complainant.kind"] == "应为 person、company 之一 / one of person, company"
    assert fields["workflow"].startswith("应为 intake、pre_exam、adjudication")
    assert set(fields) == {"workflow", "complainant.kind"}


def test_unknown_fields_where_the_document_closes_the_object():
    """``additionalProperties: false`` (consent to electronic service takes three fields)."""
    assert body_check({"consent": True, "email": "a@b.example"}, "DeliveryConsent")
    fields = refused({"consent": True, "fax": "020-1234"}, "DeliveryConsent")
    assert fields == {"fax": "未知字段 / unknown field"}
    assert refused({"email": "a@b.example"}, "DeliveryConsent") == {"consent": "必填 / required"}


def test_min_length_and_bounds():
    assert refused({"reason": ""}, "CreditStep") == {"reason": "必填 / required"}
    fields = refused({**CASE, "fair_id": 0, "exhibitor_id": 2**31}, "CaseCreate")
    assert fields == {
        "fair_id": "应在 1…2147483647 之间 / must be between 1 and 2147483647",
        "exhibitor_id": "应在 1…2147483647 之间 / must be between 1 and 2147483647",
    }


def test_types_nulls_and_lengths_name_nested_fields_and_rows_from_one():
    fields = refused(
        {"workflow": "adjudication", "complainant": {"name": 12}, "title": "长" * 301}, "CaseCreate"
    )
    assert fields == {
        "complainant.name": "应为文本 / must be text",
        "title": "不能超过300个字符 / at most 300 characters",
    }
    assert refused({**CASE, "respondent": {"kind": "company"}}, "CaseCreate") == {
        "respondent.name": "必填 / required"
    }
    # A new case's complainant may come without a name (a pre-exam requester's contact): the
    # case service requires the name by workflow (tests/api/test_cases_input.py).
    assert body_check({**CASE, "complainant": {"contact": "0760-1"}}, "CaseCreate")
    assert refused({"items": ["停止侵权。", 3]}, "Draft") == {"items.2": "应为文本 / must be text"}
    # The complainant may be left out of a pre-exam request (its filing names it): the case
    # service requires it for the other workflows.
    assert refused({}, "CaseCreate") == {"workflow": "必填 / required"}


def test_a_nullable_reference_takes_null_and_checks_the_object_otherwise():
    """``{"allOf": [Party], "nullable": true}``: the OpenAPI 3.0 way to say "a Party or null"."""
    assert body_check({**CASE, "respondent": None}, "CaseCreate")
    assert refused({**CASE, "respondent": {"name": None}}, "CaseCreate") == {
        "respondent.name": "不能为 null / must not be null"
    }


def test_one_of_names_the_field_of_the_form_the_body_has():
    days = {"days": [{"date": "2027-01-01", "kind": "holiday"}, {"date": "2027-01-02", "kind": "x"}]}
    assert refused(days, "CalendarLoad") == {
        "days.2.kind": "应为 holiday、workday 之一 / one of holiday, workday"
    }
    # Both forms at once, or neither: the body as a whole.
    both = {"text": "2027-01-01 holiday 元旦", "days": []}
    assert refused(both, "CalendarLoad") == {"body": "格式不符 / does not match any accepted form"}
    assert refused([], "ExhibitorsAdd") == {"body": "至少1项 / at least 1 items"}
    assert refused("2027-01-01", "ExhibitorsAdd") == {
        "body": "格式不符 / does not match any accepted form"
    }
    assert refused([{"name": "甲", "booth": 7}], "ExhibitorsAdd") == {
        "1.booth": "应为文本 / must be text"
    }


def test_an_amount_is_a_number_or_a_decimal_string():
    """``anyOf`` (the compensation worksheet): the service reads the string's figures."""
    for amount in (100000, 100000.5, "100,000.50", None):
        assert body_check({"basis": "statutory", "statutory_amount": amount}, "Compensation")
    assert refused({"basis": "statutory", "costs": True}, "Compensation") == {
        "costs": "格式不符 / does not match any accepted form"
    }
    assert refused({"basis": "statutory", "costs": "1" * 33}, "Compensation") == {
        "costs": "不能超过32个字符 / at most 32 characters"
    }


def test_validators_are_compiled_once_per_schema():
    assert _validator("Fire") is _validator("Fire")
    with pytest.raises(KeyError):
        _validator("NoSuchSchema")


def _strings_without_a_bound(schemas, schema, where, seen=frozenset()):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            yield from _strings_without_a_bound(schemas, schemas[name], name, seen | {name})
        return
    for keyword in ("allOf", "oneOf", "anyOf"):
        for number, part in enumerate(schema.get(keyword, ())):
            yield from _strings_without_a_bound(schemas, part, f"{where}/{keyword}{number}", seen)
    if schema.get("type") == "string" and "maxLength" not in schema and "enum" not in schema:
        yield where
    for name, part in schema.get("properties", {}).items():
        yield from _strings_without_a_bound(schemas, part, f"{where}.{name}", seen)
    if "items" in schema:
        yield from _strings_without_a_bound(schemas, schema["items"], f"{where}[]", seen)


def test_every_string_of_a_request_body_is_bounded_by_the_document_itself():
    document = openapi_document()
    schemas, unbounded = document["components"]["schemas"], []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                schema = content["application/json"]["schema"]
                unbounded += _strings_without_a_bound(schemas, schema, f"{method} {path}")
    assert unbounded == []
