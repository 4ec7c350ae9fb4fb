"""Web routes: the public verification page and the logged-in PDF download."""

import io

from flask import Blueprint, render_template, send_file
from flask_login import current_user, login_required

from caseflow.extensions import db
from caseflow.notices.kinds import KINDS
from caseflow.notices.selectors import notice_get_visible, notice_pdf_bytes, notice_verification

bp = Blueprint("notices", __name__)


@bp.get("/verify/<code>")
def verify(code: str):
    """No login: whoever holds a paper copy checks its number, kind, date and fingerprint."""
    notice = notice_verification(code)
    if notice is None:
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


@bp.post("/notices/<int:notice_id>/correct")
@login_required
def correct(notice_id: int):
    """Issue the correction the case page asks for (a recompute moved a date this notice
    announced): a new notice naming this one, printing the date as it stands now."""
    from flask import flash, redirect, url_for
    from flask_babel import gettext as _

    from caseflow.errors import DomainError
    from caseflow.notices.services import notice_correct

    notice = notice_get_visible(user=current_user, notice_id=notice_id)
    # The notices area sits below the web layer (no ``committing`` here): the same edge by hand.
    try:
        correction = notice_correct(
            notice=notice, actor=current_user, note=_("期限因日历调整而变更")
        )
        db.session.commit()  # then the correction renders
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(_("已发出更正文书 %(number)s", number=correction.document_number), "success")
    return redirect(url_for("web.case_detail", case_id=notice.case_id, _anchor="notices"))
