"""Evidence (证据材料) attached to a case: a file stored once, with its SHA-256 shown to people.

The bytes live under ``CASEFLOW_STORAGE/evidence/<case id>/``; the row keeps what a reader needs
to check a copy is the one filed (name, type, size, hash). Files are never overwritten or deleted
here: an attachment added by mistake stays on the record, as paper evidence would.
"""

import hashlib
import io
import os
import secrets
from datetime import datetime
from pathlib import Path

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.errors import NotFound, PermissionDenied, ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import utcnow
from caseflow.types import UTCDateTime

#: The upload limits, stated once: the forms print them, the browser checks them before sending
#: (``caseflow/static/js/forms.js`` reads them from the form's data attributes), the service and
#: Flask's ``MAX_CONTENT_LENGTH`` enforce them.
#: 10 MB per file: photos from a phone or tablet camera fit (a 48-megapixel JPEG is 8–12 MB, and
#: the desk downscales before sending); video evidence goes on paper media.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
#: Files one form may send at once: a desk officer photographs a booth from several sides.
EVIDENCE_MAX_FILES = 12
#: One request: every file at its maximum, plus the form's text. Above this the server answers
#: with the same page and a form error (``caseflow.web.core``), never a bare 413.
REQUEST_MAX_BYTES = EVIDENCE_MAX_FILES * EVIDENCE_MAX_BYTES + 2 * 1024 * 1024
#: Photos taken at the desk are downscaled in the browser to this longest side (pixels) before
#: upload: enough to read a product label or a booth sign on a printed notice.
PHOTO_MAX_PIXELS = 2560
#: Thumbnails on the case page (longest side, pixels).
THUMBNAIL_PIXELS = 160
#: The most pixels (width × height, read from the file's header) an uploaded image may have. The
#: largest phone sensors are 200 megapixels and save 16320 × 12240 (199.8 M), so no photo of a
#: camera is refused; a file claiming more is a decompression bomb (a 388 KB PNG of 20000 × 20000
#: decodes to 400 MB), refused at every door before it is stored.
IMAGE_MAX_PIXELS = 200_000_000
#: The most pixels a thumbnail decodes. A JPEG is decoded at 1/2 to 1/8 scale (``draft``), so a
#: 200 MP photo costs 3 M; a PNG or WebP is decoded whole, at up to 4 bytes a pixel: 40 M (a
#: 600 dpi A4 scan is 35 M, a long phone screenshot under 30 M) keeps one thumbnail under 160 MB
#: and a second or two. Larger images show the icon; the file itself is untouched.
THUMBNAIL_MAX_PIXELS = 40_000_000
#: What a file's extension must be, and the type we record for it.
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
}
#: Magic numbers of the binary types: a renamed executable is refused.
_SIGNATURES = {
    "application/pdf": (b"%PDF",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    # Word 97–2003 is an OLE2 compound file.
    "application/msword": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
#: ISO base media brands of HEIF/HEIC photos (iPhones save these).
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}
#: Control characters that plain text never holds (tab, line feed, form feed and CR are fine).
_TEXT_CONTROL = {c for c in range(32) if c not in (9, 10, 12, 13)} | {127}


def _content_matches(content_type: str, content: bytes) -> bool:
    """Whether the bytes are what the extension says (ASVS 12.2.1), for every allowed type."""
    signatures = _SIGNATURES.get(content_type)
    if signatures and not content.startswith(signatures):
        return False
    if content_type == "image/webp":
        return content[8:12] == b"WEBP"
    if content_type == "image/heic":
        return content[4:8] == b"ftyp" and (
            content[8:12] in _HEIC_BRANDS
            or any(content[i : i + 4] in _HEIC_BRANDS for i in range(16, min(len(content), 64), 4))
        )
    if content_type.endswith("wordprocessingml.document"):
        return _is_docx(content)
    if content_type == "text/plain":
        return _is_text(content)
    return True


def _is_docx(content: bytes) -> bool:
    """A zip archive holding a Word body, whose directory is not a bomb."""
    import io
    import zipfile

    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    if unpacked > 20 * EVIDENCE_MAX_BYTES or unpacked > 200 * max(len(content), 1):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _is_text(content: bytes) -> bool:
    """UTF-8 (with or without BOM) or GB18030 text, without NUL or other control bytes."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(ord(ch) in _TEXT_CONTROL for ch in text)
    return False


class Evidence(db.Model):
    """One file filed on a case."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(120), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    #: Relative to CASEFLOW_STORAGE.
    path: Mapped[str] = mapped_column(String(400), nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    case = relationship("Case")
    uploaded_by = relationship("User")


def evidence_check(filename: str, content: bytes) -> str:
    """The content type of an acceptable file, or ValidationFailed on the ``file`` field."""
    extension = os.path.splitext(filename or "")[1].lower()
    content_type = EVIDENCE_TYPES.get(extension)
    if content_type is None:
        raise ValidationFailed(
            "文件类型不允许：仅限 PDF、图片（JPG/PNG/WEBP/HEIC）、Word 或文本文件",
            message_en="File type not allowed: only PDF, images (JPG/PNG/WEBP/HEIC), Word or text files",
            fields={
                "file": "文件类型不允许：仅限 PDF、图片（JPG/PNG/WEBP/HEIC）、Word 或文本文件"
                " / File type not allowed: only PDF, images (JPG/PNG/WEBP/HEIC), Word or text files"
            },
        )
    if not content:
        raise ValidationFailed("文件为空", message_en="Empty file", fields={"file": "文件为空 / Empty file"})
    if len(content) > EVIDENCE_MAX_BYTES:
        raise ValidationFailed(
            "文件超过 10 MB 上限",
            message_en="File larger than 10 MB",
            fields={"file": "文件超过 10 MB 上限 / File larger than 10 MB"},
        )
    if not _content_matches(content_type, content):
        raise ValidationFailed(
            "文件内容与扩展名不符",
            message_en="File content does not match its extension",
            fields={"file": "文件内容与扩展名不符 / File content does not match its extension"},
        )
    pixels = _image_pixels(content_type, content)
    if pixels is not None and pixels > IMAGE_MAX_PIXELS:
        zh = f"图片像素过多（{pixels / 1e6:.0f} 百万像素，上限 {IMAGE_MAX_PIXELS // 1_000_000} 百万像素）"
        en = f"Image has too many pixels ({pixels / 1e6:.0f} megapixels; at most {IMAGE_MAX_PIXELS // 1_000_000})"
        raise ValidationFailed(zh, message_en=en, fields={"file": f"{zh} / {en}"})
    return content_type


def _image_pixels(content_type: str, content: bytes) -> int | None:
    """Width × height from an image's header, without decoding it; None when there is no header
    Pillow reads (HEIC, which it has no codec for; a damaged file, which the magic bytes let
    through as before and whose thumbnail is the icon).

    The format's own class reads the header: ``Image.open`` would refuse by itself above twice
    Pillow's default (179 M pixels), below our limit, with an error that names no size."""
    import struct

    from PIL import JpegImagePlugin, PngImagePlugin, WebPImagePlugin

    opener = {
        "image/jpeg": JpegImagePlugin.JpegImageFile,
        "image/png": PngImagePlugin.PngImageFile,
        "image/webp": WebPImagePlugin.WebPImageFile,
    }.get(content_type)
    if opener is None:
        return None
    try:
        with opener(io.BytesIO(content)) as image:
            width, height = image.size
    except (SyntaxError, OSError, ValueError, IndexError, TypeError, EOFError, struct.error):
        return None
    return width * height


def evidence_duplicate(case, digest: str):
    """The evidence already filed on ``case`` with this SHA-256, or None."""
    from sqlalchemy import select

    return db.session.scalars(
        select(Evidence).where(Evidence.case_id == case.id, Evidence.sha256 == digest).order_by(Evidence.id)
    ).first()


def evidence_add(*, case, actor, filename: str, content: bytes, description: str = ""):
    """File ``content`` on ``case`` and record it with an ``evidence`` audit event; flushed, the
    caller commits. ``actor`` is the staff member filing it (their unit's case, not a viewer), or
    None for a party's own filing through its link (the parties area checked the link).

    The same bytes twice on one case are refused, naming the first upload: a second copy adds
    nothing to the record and makes the evidence list lie about how many photos were taken."""
    from caseflow.cases.models import Event
    from caseflow.timeutil import to_local

    evidence_may_add(case, actor)
    content_type = evidence_check(filename, content)
    digest = hashlib.sha256(content).hexdigest()
    first = evidence_duplicate(case, digest)
    if first is not None:
        when = to_local(first.uploaded_at)
        raise ValidationFailed(
            f"与已上传的证据“{first.filename}”（{when.year}年{when.month}月{when.day}日"
            f" {when:%H:%M}，证据 #{first.id}）内容相同，未重复上传",
            message_en=(
                f"Same content as the evidence already filed: {first.filename}"
                f" ({when:%Y-%m-%d %H:%M}, evidence #{first.id}); not uploaded again"
            ),
            fields={
                "file": f"与已上传的证据“{first.filename}”（证据 #{first.id}）内容相同，未重复上传"
                f" / same content as evidence #{first.id}; not uploaded again",
                "duplicate_of": first.id,
            },
        )
    from caseflow.storage import storage

    relative = f"evidence/{case.id}/{secrets.token_hex(8)}{Path(filename).suffix.lower()}"
    if not storage().put_new(relative, content):
        raise RuntimeError(f"evidence key {relative} taken")  # 64 random bits: never in practice
    safe_name = os.path.basename(filename.replace("\\", "/"))[:255] or "file"
    evidence = Evidence(
        case_id=case.id,
        uploaded_by_id=actor.id if actor else None,
        filename=safe_name,
        content_type=content_type,
        size=len(content),
        sha256=digest,
        path=str(relative),
        description=description[:300],
    )
    db.session.add(evidence)
    now = utcnow()
    db.session.add(
        Event(
            case_id=case.id,
            kind="evidence",
            actor_id=actor.id if actor else None,
            occurred_at=now,
            recorded_at=now,
            note=f"上传证据 {safe_name}",
            data={"filename": safe_name, "sha256": digest, "size": len(content)},
        )
    )
    db.session.flush()
    return evidence


def evidence_may_add(case, actor) -> None:
    """Staff file evidence on their own unit's cases (admins on any); viewers only read."""
    if actor is None:
        return
    if not actor.can_see_unit(case.unit_id):
        # Like a missing case: another unit's case numbers cannot be confirmed.
        raise NotFound("案件不存在", message_en="No such case")
    if actor.role == "viewer":
        raise PermissionDenied("只读用户不能上传证据", message_en="viewers cannot file evidence")


def evidence_bytes(evidence: Evidence) -> bytes:
    """The filed bytes from storage (any node), checked against the SHA-256 shown to people."""
    from caseflow.storage import storage

    return storage().get(evidence.path, sha256=evidence.sha256)


def evidence_is_image(evidence: Evidence) -> bool:
    """Whether a thumbnail can be drawn (HEIC needs a codec Pillow lacks: it gets an icon)."""
    return evidence.content_type in ("image/jpeg", "image/png", "image/webp")


def evidence_thumbnail(evidence: Evidence) -> bytes | None:
    """A small JPEG of an image, made on first request and kept in storage beside the file (so
    every node serves the same one); None when the file is not an image Pillow reads. The
    original is never touched."""
    if not evidence_is_image(evidence):
        return None
    from caseflow.storage import storage

    key = str(Path(evidence.path).with_suffix(".thumb.jpg"))
    if storage().exists(key):
        return storage().get(key)
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(evidence_bytes(evidence))) as image:
            # A JPEG decodes at the smallest scale still above the thumbnail; others ignore this.
            image.draft(None, (THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
            if image.width * image.height > THUMBNAIL_MAX_PIXELS:
                return None
            image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
            # Turned after shrinking: the box is square, and only the small image is copied.
            image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Files stored before the upload check knew pixels (a bomb) or damaged: the icon.
        return None
    storage().put_new(key, out.getvalue())  # a concurrent first request may have written it
    return out.getvalue()


def evidence_download_names(evidence: Evidence) -> tuple[str, str]:
    """The name a download is saved under, and its ASCII fallback for old clients.

    The UTF-8 name is the file's own name; the fallback is built from the case number and the
    evidence number (``ZS-FAIR-2026-0001_evidence-3.jpg``) rather than the name with its Chinese
    stripped (which left ``20261-.pdf``)."""
    suffix = Path(evidence.filename).suffix.lower()
    if not suffix.isascii():
        suffix = ""
    number = evidence.case.number if evidence.case is not None else "case"
    ascii_number = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in number)
    return evidence.filename, f"{ascii_number}_evidence-{evidence.id}{suffix}"
