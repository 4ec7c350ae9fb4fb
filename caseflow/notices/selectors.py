"""Reads for notices: by verification code, by case, and the one a user may open."""


from sqlalchemy import select

from caseflow.errors import NotFound
from caseflow.extensions import db
from caseflow.notices.models import Notice


def notice_by_code(code: str) -> Notice | None:
    """The notice a printed verification code names; codes are typed in upper case from paper,
    but a lower-case entry is accepted."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return db.session.scalar(select(Notice).where(Notice.verification_code == code))


def notices_of_case(case_id: str) -> list[Notice]:
    """A case's notices, oldest first (the case page and the API list them)."""
    return list(
        db.session.scalars(select(Notice).where(Notice.case_id == case_id).order_by(Notice.id))
    )


def notice_get_visible(*, user, notice_id: int) -> Notice:
    """The notice, if ``user`` may see its unit (users see their own unit's cases, admins all)."""
    notice = db.session.get(Notice, notice_id)
    # Another unit's notice answers like a missing one (404): ids cannot be probed.
    if notice is None or not user.can_see_unit(notice.unit_id):
        raise NotFound("文书不存在", message_en="no such notice")
    return notice


def notice_pdf_bytes(notice: Notice) -> bytes:
    """The issued PDF from storage (any node), checked against its recorded SHA-256; 404 while
    the notice is pending (nothing issued yet). Altered or missing bytes raise
    ``StoredFileCorrupt`` rather than being served as an official document."""
    from caseflow.storage import storage

    if not notice.is_issued:
        raise NotFound(
            "文书尚在生成中，请稍后再试", message_en="the notice is still being rendered"
        )
    return storage().get(notice.file_path, sha256=notice.sha256)
