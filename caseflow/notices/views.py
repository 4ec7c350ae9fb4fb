"""Web routes: the public verification page and the logged-in PDF download."""

import io

from flask import Blueprint, render_template, send_file
from flask_login import current_user, login_required

from caseflow.notices.kinds import KINDS
from caseflow.notices.selectors import notice_by_code, notice_get_visible, notice_pdf_bytes

bp = Blueprint("notices", __name__)


@bp.get("/verify/<code>")
def verify(code: str):
    """No login: whoever holds a paper copy checks its number, kind, date and fingerprint."""
    notice = notice_by_code(code)
    if notice is None or not notice.is_issued:
        return render_template("notices/verify_not_found.html", code=code), 404
    return render_template("notices/verify.html", notice=notice, kind_label=KINDS[notice.kind][0])


@bp.get("/notices/<int:notice_id>.pdf")
@login_required
def download(notice_id: int):
    notice = notice_get_visible(user=current_user, notice_id=notice_id)
    return send_pdf(notice)


def send_pdf(notice):
    """The stored file as issued (never re-rendered), named by its document number."""
    return send_file(
        io.BytesIO(notice_pdf_bytes(notice)),
        mimetype="application/pdf",
        download_name=f"{notice.document_number}-{notice.title}.pdf",
        as_attachment=False,
        max_age=0,
    )
