"""Fairs and exhibitors over the API: the desk registers a fair, loads its exhibitor list (JSON or
a CSV/XLSX upload) and searches it at intake, with the repeat-infringer flag."""

from flask import request

from caseflow.api import api_user, bp, json_body
from caseflow.api.applicants import unit_from_body
from caseflow.api.schema import body_check
from caseflow.errors import Malformed, ValidationFailed
from caseflow.fairs.importing import MAX_UPLOAD_BYTES
from caseflow.fairs.selectors import (
    exhibitors_search,
    fair_exhibitor_listings,
    fair_get,
    fairs_list,
)
from caseflow.fairs.services import exhibitors_add, exhibitors_import, fair_create
from caseflow.timeutil import iso

#: Multipart framing around the file; the file itself is held to ``MAX_UPLOAD_BYTES``.
_MULTIPART_SLACK = 64 * 1024


def fair_json(fair) -> dict:
    return {
        "id": fair.id,
        "unit": fair.unit.code,
        "name": fair.name,
        "venue": fair.venue,
        "organiser": fair.organiser,
        "opens_at": iso(fair.opens_at),
        "closes_at": iso(fair.closes_at),
    }


def listing_json(listing) -> dict:
    exhibitor = listing.exhibitor
    return {
        "id": exhibitor.id,
        "fair_id": exhibitor.fair_id,
        "name": exhibitor.name,
        "booth": exhibitor.booth,
        "credit_code": exhibitor.credit_code,
        "country": exhibitor.country,
        "infringement_fair_ids": list(listing.infringement_fair_ids),
        "is_repeat_infringer": listing.is_repeat_infringer,
        "flag": "不得参加下一届展会" if listing.is_repeat_infringer else None,
    }


@bp.post("/fairs")
def fairs_create():
    body = body_check(json_body(), "FairCreate")
    user = api_user()
    fair = fair_create(
        unit=unit_from_body(body, user),
        actor=user,
        name=body.get("name"),
        venue=body.get("venue"),
        opens_at=body.get("opens_at"),
        closes_at=body.get("closes_at"),
        organiser=body.get("organiser"),
    )
    return {**fair_json(fair), "exhibitors": []}, 201


@bp.get("/fairs")
def fairs_index():
    return {"fairs": [fair_json(fair) for fair in fairs_list(user=api_user())]}


@bp.get("/fairs/<int:fair_id>")
def fairs_show(fair_id):
    fair = fair_get(fair_id, user=api_user())
    return {
        **fair_json(fair),
        "exhibitors": [listing_json(x) for x in fair_exhibitor_listings(fair)],
    }


def _uploaded_file():
    if request.content_length and request.content_length > MAX_UPLOAD_BYTES + _MULTIPART_SLACK:
        raise ValidationFailed(
            "文件超过2 MB", message_en="file larger than 2 MB", fields={"file": "文件不能超过2 MB / at most 2 MB"}
        )
    # A body without Content-Length (chunked) is cut off by Werkzeug at the same limit (413).
    request.max_content_length = MAX_UPLOAD_BYTES + _MULTIPART_SLACK
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(
            "请上传文件（字段名 file）",
            message_en="upload the list as the form field 'file'",
            fields={"file": "缺少文件 / no file"},
        )
    content = upload.stream.read(MAX_UPLOAD_BYTES + 1)
    return upload.filename, content


def _rows_check(rows) -> None:
    """Each row's fields have the documented types; reasons keyed by row number, as the service
    keys its own (``{"rows": {"3": "…"}}``), and nothing is loaded."""
    errors = {}
    for number, row in enumerate(rows, start=1):
        try:
            body_check(row, "ExhibitorRow")
        except ValidationFailed as exc:
            errors[str(number)] = "；".join(f"{k}: {v}" for k, v in exc.fields.items())
    if errors:
        raise ValidationFailed(
            f"{len(errors)}行有误，未导入任何参展商",
            message_en=f"{len(errors)} invalid rows; nothing was loaded",
            fields={"rows": errors},
        )


@bp.post("/fairs/<int:fair_id>/exhibitors")
def fairs_exhibitors_add(fair_id):
    user = api_user()
    fair = fair_get(fair_id, user=user)
    if request.mimetype == "multipart/form-data":
        filename, content = _uploaded_file()
        exhibitors = exhibitors_import(fair, actor=user, filename=filename, content=content)
    else:
        body = request.get_json(silent=True)
        rows = body.get("exhibitors", body.get("rows")) if isinstance(body, dict) else body
        if not isinstance(rows, list):
            raise Malformed(
                "请求体应为参展商列表（JSON 数组），或以 multipart 上传 CSV/XLSX 文件",
                message_en="send a JSON list of exhibitors or a CSV/XLSX upload",
            )
        _rows_check(rows)
        exhibitors = exhibitors_add(fair, actor=user, rows=rows)
    return (
        {
            "added": len(exhibitors),
            "exhibitors": [{"id": e.id, "booth": e.booth} for e in exhibitors],
        }
    ), 201


@bp.get("/fairs/<int:fair_id>/exhibitors")
def fairs_exhibitors_search(fair_id):
    fair = fair_get(fair_id, user=api_user())
    listings = exhibitors_search(fair, request.args.get("q", ""))
    return {"exhibitors": [listing_json(x) for x in listings]}
