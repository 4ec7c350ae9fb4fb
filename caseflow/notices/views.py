"""Web routes: the public verification page and the logged-in PDF download."""

import io
from datetime import datetime, timedelta
from urllib.parse import quote

from flask import Blueprint, g, render_template, send_file
from flask_login import current_user, login_required

from caseflow.extensions import db
from caseflow.notices.kinds import KINDS
from caseflow.notices.selectors import notice_get_visible, notice_pdf_bytes, notice_verification
from caseflow.parties.ratelimit import RateLimited, client_address, rate_check, rate_hit
from caseflow.timeutil import utcnow

bp = Blueprint("notices", __name__)


#: Addresses that used up their wrong codes, until when (this worker's memory): the QR code's
#: reads of a good code cost no query for the limit (bench/load.py), and a guesser is stopped
#: on every worker by its next wrong code there.
_VERIFY_BLOCKED: dict[str, datetime] = {}


@bp.get("/verify/<code>")
def verify(code: str):
    """No login: whoever holds a paper copy checks its number, kind, date and fingerprint.
    Rate-limited per address like every public route (parties.md): 20 wrong codes an hour."""
    address, now = client_address(), utcnow()
    until = _VERIFY_BLOCKED.get(address)
    if until is not None and until > now:
        g.rate_retry_after = max(1, int((until - now).total_seconds()))
        raise RateLimited(g.rate_retry_after)
    notice = notice_verification(code)
    if notice is None:
        try:
            rate_check("verify_miss", address=address, now=now)
        except RateLimited as limited:
            if len(_VERIFY_BLOCKED) > 10_000:  # the ones whose hour is over
                for gone in [a for a, t in _VERIFY_BLOCKED.items() if t <= now]:
                    del _VERIFY_BLOCKED[gone]
            _VERIFY_BLOCKED[address] = now + timedelta(seconds=limited.retry_after)
            raise
        rate_hit("verify_miss", address=address, now=now)
        db.session.commit()
        return render_template("notices/verify_not_found.html", code=code), 404
    return render_template("notices/verify.html", notice=notice, kind_label=KINDS[notice.kind][0])


@bp.get("/notices/<int:notice_id>.pdf")
@login_required
def download(notice_id: int):
    notice = notice_get_visible(user=current_user, notice_id=notice_id)
    return send_pdf(notice)


def send_pdf(notice):
    """The stored file as issued (never re-rendered), named by its document number."""
    name = f"{notice.document_number}-{notice.title}.pdf"
    # An ASCII name old clients can keep: the document number is Chinese (中知裁〔2026〕3号), and
    # stripped of it the name read "20263-.pdf". The case number and the notice's id are ASCII.
    fallback = f"{notice.case.number}_notice-{notice.id}.pdf"
    response = send_file(
        io.BytesIO(notice_pdf_bytes(notice)),
        mimetype="application/pdf",
        download_name=fallback,
        as_attachment=False,
        max_age=0,
    )
    response.headers["Content-Disposition"] = (
        f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    return response


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
