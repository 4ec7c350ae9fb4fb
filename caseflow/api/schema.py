"""Request bodies checked against the OpenAPI document's own schemas, before any service runs.

The document (``caseflow.api.openapi``) is the contract; checking bodies against it means a wrong
type, a null where none is allowed or an oversized string is a 422 naming the field — never a
value coerced with ``str()``, never a database error. A subset of JSON Schema is enough for our
bodies: ``type``, ``required``, ``nullable``, ``maxLength``, ``minimum``/``maximum``, ``items``.
Enumerations are left to the services, whose messages say what the allowed values mean.
"""

from functools import lru_cache

from caseflow.errors import ValidationFailed

#: Strings with no ``maxLength`` of their own: longer than any field we store.
DEFAULT_MAX_LENGTH = 1000

_REASONS = {
    "required": "必填 / required",
    "null": "不能为 null / must not be null",
    "string": "应为文本 / must be text",
    "integer": "应为整数 / must be an integer",
    "number": "应为数字 / must be a number",
    "boolean": "应为 true 或 false / must be true or false",
    "object": "应为对象 / must be an object",
    "array": "应为列表 / must be a list",
}


@lru_cache(maxsize=1)
def _schemas() -> dict:
    from caseflow.api.openapi import openapi_document

    return openapi_document()["components"]["schemas"]


def _resolve(schema: dict) -> dict:
    """Follow ``$ref``; ``allOf`` parts are merged (``nullable`` on the wrapper is kept)."""
    while "$ref" in schema:
        schema = _schemas()[schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema:
        merged = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            part = _resolve(part)
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
        if schema.get("nullable"):
            merged["nullable"] = True
        return merged
    return schema


def _problem(value, schema: dict, path: str, errors: dict) -> None:
    schema = _resolve(schema)
    if "oneOf" in schema:
        for option in schema["oneOf"]:
            trial = {}
            _problem(value, option, path, trial)
            if not trial:
                return
        errors[path or "body"] = "格式不符 / does not match any accepted form"
        return
    kind = schema.get("type")
    if value is None:
        if not schema.get("nullable"):
            errors[path or "body"] = _REASONS["null"]
        return
    ok = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
    }.get(kind, True)
    if not ok:
        errors[path or "body"] = _REASONS[kind]
        return
    if kind == "string":
        limit = schema.get("maxLength", DEFAULT_MAX_LENGTH)
        if len(value) > limit:
            errors[path] = f"不能超过{limit}个字符 / at most {limit} characters"
    elif kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            errors[path] = f"应在 {low}…{high} 之间 / must be between {low} and {high}"
    elif kind == "object":
        for name in schema.get("required", ()):
            if name not in value:
                errors[f"{path}.{name}" if path else name] = _REASONS["required"]
        for name, prop in schema.get("properties", {}).items():
            if name in value:
                _problem(value[name], prop, f"{path}.{name}" if path else name, errors)
    elif kind == "array" and "items" in schema:
        for index, item in enumerate(value, start=1):
            _problem(item, schema["items"], f"{path}.{index}" if path else str(index), errors)


def body_check(body, schema_name: str):
    """``body`` if it matches the named schema; else ``ValidationFailed`` (422) with a reason
    per field (nested fields dotted: ``complainant.name``)."""
    errors: dict = {}
    _problem(body, {"$ref": f"#/components/schemas/{schema_name}"}, "", errors)
    if errors:
        raise ValidationFailed(
            "请求数据有误：" + "、".join(errors),
            message_en="invalid request: " + ", ".join(errors),
            fields=errors,
        )
    return body
