"""Request bodies validated once, at the edge, against the OpenAPI document the API publishes.

The document (``caseflow.api.openapi``, with the parties' part) is the contract. Each named
schema is compiled once into an OpenAPI 3.0 validator (``openapi-schema-validator``'s
``OAS30Validator``, jsonschema underneath), so every keyword the document declares holds —
``type``, ``nullable``, ``required``, ``maxLength``/``minLength``, ``minimum``/``maximum``,
``enum``, ``pattern``, ``additionalProperties``, ``oneOf``/``anyOf``, ``minItems`` — and nothing
is checked that the document does not say. A bad body is a 422 naming each field (nested fields
dotted, list rows counted from 1: ``complainant.name``, ``items.2``) with a reason in Chinese and
English.
Views read the validated body; services keep the domain rules (states, roles, dates, legal
bounds).

``format`` (``date-time``, ``date``) is an annotation here, as in JSON Schema itself: the services
read instants with ``caseflow.timeutil.parse_instant``, which also takes a bare date or a local
time, and refuse what they cannot read with the field's own reason.
"""

from collections.abc import Iterator
from functools import cache
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator

from caseflow.errors import ValidationFailed

_REASONS = {
    "required": "必填 / required",
    "null": "不能为 null / must not be null",
    "string": "应为文本 / must be text",
    "integer": "应为整数 / must be an integer",
    "number": "应为数字 / must be a number",
    "boolean": "应为 true 或 false / must be true or false",
    "object": "应为对象 / must be an object",
    "array": "应为列表 / must be a list",
    "oneOf": "格式不符 / does not match any accepted form",
    "pattern": "格式不符 / not in the expected form",
    "unknown": "未知字段 / unknown field",
    "invalid": "无效 / invalid",
}
#: Enumerations up to this long are spelled out in the reason.
ENUM_SHOWN = 8


def _allof_nullable(validator, parts, instance, schema) -> Iterator[ValidationError]:
    """``{"allOf": [ref], "nullable": true}`` — the OpenAPI 3.0 way to make a referenced object
    optional-with-null — accepts null (openapi-schema-validator reads ``nullable`` only beside a
    ``type``)."""
    if instance is None and schema.get("nullable") is True:
        return
    yield from OAS30Validator.VALIDATORS["allOf"](validator, parts, instance, schema)


_Validator = validators.extend(OAS30Validator, {"allOf": _allof_nullable})


@cache
def _components() -> dict:
    from caseflow.api.openapi import openapi_document

    return openapi_document()["components"]


@cache
def _validator(schema_name: str) -> Any:
    """The compiled validator of one component schema; ``$ref`` resolve inside the document."""
    components = _components()
    if schema_name not in components["schemas"]:
        raise KeyError(f"no schema {schema_name!r} in the OpenAPI document")
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": components}
    _Validator.check_schema(components["schemas"][schema_name])
    return _Validator(root, format_checker=None)


def _dotted(path, name: str | None = None) -> str:
    parts = [str(p + 1) if isinstance(p, int) else str(p) for p in path]
    if name is not None:
        parts.append(name)
    return ".".join(parts) or "body"


#: Errors that say a value is not of a branch's form at all (rather than wrong within it).
_SHAPE = ("type", "required", "additionalProperties")


def _branch_errors(error: ValidationError) -> list[ValidationError] | None:
    """Of a ``oneOf``/``anyOf`` that nothing matched, the one branch the value has the shape of
    (its type, its fields), so that its reasons can name fields; None when no branch fits."""
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        errors
        for errors in branches.values()
        if not any(e.validator in _SHAPE and not e.relative_path for e in errors)
    ]
    return fitting[0] if len(fitting) == 1 else None


def _reasons(error: ValidationError, errors: dict) -> None:
    """``errors[field] = reason`` for one library error; the first reason of a field stands."""
    kind, value, instance = error.validator, error.validator_value, error.instance
    path = error.absolute_path
    if kind in ("oneOf", "anyOf"):
        inner = _branch_errors(error)
        if inner is None:
            errors.setdefault(_dotted(path), _REASONS["oneOf"])
        for sub in inner or ():
            _reasons(sub, errors)
        return
    if kind == "required":
        for name in value:
            if name not in instance:
                errors.setdefault(_dotted(path, name), _REASONS["required"])
        return
    if kind == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        for name in sorted(set(instance) - known):
            errors.setdefault(_dotted(path, name), _REASONS["unknown"])
        return
    if kind == "type":
        reason = _REASONS["null"] if instance is None else _REASONS.get(value, _REASONS["invalid"])
    elif kind == "maxLength":
        reason = f"不能超过{value}个字符 / at most {value} characters"
    elif kind == "minLength":
        reason = _REASONS["required"] if value == 1 else f"至少{value}个字符 / at least {value}"
    elif kind in ("minimum", "maximum"):
        low, high = error.schema.get("minimum"), error.schema.get("maximum")
        reason = f"应在 {low}…{high} 之间 / must be between {low} and {high}"
    elif kind == "enum":
        shown = value if len(value) <= ENUM_SHOWN else [*value[:ENUM_SHOWN], "…"]
        reason = f"应为 {'、'.join(map(str, shown))} 之一 / one of {', '.join(map(str, shown))}"
    elif kind == "minItems":
        reason = f"至少{value}项 / at least {value} items"
    elif kind == "maxItems":
        reason = f"最多{value}项 / at most {value} items"
    else:
        reason = _REASONS.get(kind, _REASONS["invalid"])
    errors.setdefault(_dotted(path), reason)


def body_check(body, schema_name: str):
    """``body`` if it matches the named schema of the OpenAPI document; else ``ValidationFailed``
    (422) with a reason per field."""
    errors: dict = {}
    for error in _validator(schema_name).iter_errors(body):
        _reasons(error, errors)
    if errors:
        raise ValidationFailed(
            "请求数据有误：" + "、".join(errors),
            message_en="invalid request: " + ", ".join(errors),
            fields=errors,
        )
    return body
