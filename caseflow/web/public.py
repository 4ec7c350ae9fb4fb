"""The public status page (no login, parties.md §2): a party types the case number and the status
code printed on its notices (or scans the QR, which opens this page with both filled in) and sees
the stage, the dates of past stages and its next deadline, nothing else. The page itself is the
parties area's (lookup, per-address limit on wrong codes)."""

from caseflow.web import bp


@bp.route("/status", methods=["GET", "POST"])
def public_status():
    from caseflow.parties.views import public_status_page

    return public_status_page()
