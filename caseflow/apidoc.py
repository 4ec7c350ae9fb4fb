"""The building blocks of the OpenAPI document (``caseflow.api.openapi``), shared with the
areas that describe their own routes (``caseflow.parties.openapi``) without importing the
document that merges them."""

def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema, description="OK"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    str(code): {"$ref": f"#/components/responses/{name}"}
    for code, name in (
        (400, "Malformed"),
        (401, "NotAuthenticated"),
        (403, "Forbidden"),
        (404, "NotFound"),
        (409, "Conflict"),
        (422, "Invalid"),
    )
}


def _op(summary, responses, *, body=None, params=(), public=False, text_body=None, upload=False):
    op = {"summary": summary, "responses": {**responses, **_ERRORS}}
    if body:
        content = {"application/json": {"schema": body}}
        if text_body:
            content["text/plain"] = {"schema": {"type": "string", "description": text_body}}
        if upload:
            content["multipart/form-data"] = {
                "schema": _obj({"file": {"type": "string", "format": "binary"}}, ("file",))
            }
        op["requestBody"] = {"required": True, "content": content}
    if params:
        op["parameters"] = list(params)
    if public:
        op["security"] = []
    return op


def _query(name, schema, description=""):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _path(name, kind="string"):
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


def _obj(properties, required=(), **extra):
    schema = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    return schema


_TEXT = {"type": "string"}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}
_INSTANT = {"type": "string", "format": "date-time"}
_NULL_INSTANT = {**_INSTANT, "nullable": True}
_NULL_TEXT = {"type": "string", "nullable": True}
#: Notes and acknowledgements: a paragraph, not a file.
NOTE_MAX = 2000
#: Row ids are 32-bit on PostgreSQL.
ID_MAX = 2_147_483_647


def _text(max_length, *, nullable=False, **extra):
    schema = {"type": "string", "maxLength": max_length, **extra}
    if nullable:
        schema["nullable"] = True
    return schema


def _nullable(ref):
    return {"allOf": [ref], "nullable": True}


def _id(description):
    return {
        "type": "integer",
        "minimum": 1,
        "maximum": ID_MAX,
        "nullable": True,
        "description": description,
    }
