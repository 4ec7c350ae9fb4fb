"""The confirmation bundle (司法确认材料包): everything a court needs to confirm a mediation
agreement, as one ZIP streamed to the caller (procedures.md §4).

Contents: ``notices/`` every issued notice of the case as stored (the agreement among them; the
bytes are the ones the verification page hashes, so each still verifies at ``/verify/{code}``),
``evidence/`` every evidence file, ``audit-trail.csv`` the case's events, ``mediation-sessions.csv``
the session log, and last ``manifest.json``: each file with its size and SHA-256, computed from
the bytes as they went into the ZIP. A CSV cell a spreadsheet would evaluate (``=HYPERLINK(…)``
typed as a name) starts with an apostrophe: the clerk who opens it sees the text.

Streaming: the ZIP is written to a sink that the generator empties after every chunk, files are
read 64 KiB at a time, and the ZIP is written without seeking (data descriptors, ZIP64 where
needed), so memory stays flat however large the evidence is.
"""

import csv
import hashlib
import io
import json
import zipfile

from sqlalchemy import select

from caseflow.cases.evidence import Evidence
from caseflow.cases.models import Event
from caseflow.extensions import db
from caseflow.storage import storage as file_store
from caseflow.text import spreadsheet_text
from caseflow.timeutil import iso, utcnow
from workflows import mediation

CHUNK = 64 * 1024
#: The procedures whose file goes to a court (bundle_check).
BUNDLE_WORKFLOWS = ("mediation", "adjudication")
#: Already compressed (PDF, images, Office files): stored, not deflated again.
_STORED_TYPES = (
    "application/pdf",
    "image/",
    "application/vnd.openxmlformats",
    "application/msword",
)


class _Sink:
    """A write-only file for ``zipfile``: it keeps what was written until ``drain()``. It has
    ``tell`` but no ``seek``, so ``zipfile`` writes data descriptors instead of going back."""

    def __init__(self):
        self._parts: list[bytes] = []
        self._position = 0

    def write(self, data) -> int:
        data = bytes(data)
        self._parts.append(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self):
        pass

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts = []
        return out


def _safe(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "file"
    return "".join(c if c.isprintable() else "_" for c in name)[:180]


def bundle_filename(case) -> str:
    return f"{case.number}-confirmation-bundle.zip"


def _notices(case) -> list:
    from caseflow.notices.models import Notice

    return list(
        db.session.scalars(
            select(Notice)
            .where(Notice.case_id == case.id, Notice.status == "issued")
            .order_by(Notice.id)
        )
    )


def _audit_csv(case) -> bytes:
    """The audit trail, one row per event. The caseworker's note is internal and stays out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "id",
            "occurred_at",
            "recorded_at",
            "kind",
            "trigger",
            "from_state",
            "to_state",
            "actor",
            "data",
        ]
    )
    events = db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id))
    for event in events:
        _row(
            writer,
            [
                event.id,
                iso(event.occurred_at),
                iso(event.recorded_at),
                event.kind,
                event.trigger or "",
                event.from_state or "",
                event.to_state or "",
                event.actor.username if event.actor else "",
                json.dumps(event.data or {}, ensure_ascii=False, sort_keys=True),
            ]
        )
    # A BOM so that a spreadsheet opens the Chinese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sessions_csv(case) -> bytes | None:
    sessions = (case.data or {}).get("mediation_sessions") or []
    if not sessions:
        return None
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["held_on", "attendees", "outcome", "recorded_by"])
    for s in sessions:
        _row(writer, [s["held_on"], "、".join(s["attendees"]), s["outcome"], s.get("recorded_by", "")])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _row(writer, cells) -> None:
    """One CSV row whose text a spreadsheet shows, never evaluates: names, attendees and outcomes
    are typed by people, and the court's clerk opens these files in a spreadsheet."""
    writer.writerow([spreadsheet_text(cell) for cell in cells])


def bundle_stream(case, *, verify_base: str = ""):
    """Yield the ZIP's bytes. The list of files is read first; file contents are read as they
    are written."""
    entries = []  # (name in the ZIP, path or bytes, kind, extra manifest fields)
    used = set()

    def unique(name):
        stem, dot, ext = name.rpartition(".")
        candidate, n = name, 1
        while candidate in used:
            n += 1
            candidate = f"{stem}-{n}{dot}{ext}" if dot else f"{name}-{n}"
        used.add(candidate)
        return candidate

    for notice in _notices(case):
        if not notice.file_path:
            continue
        name = unique(
            f"notices/{_safe(notice.document_number or str(notice.id))}-{notice.kind}.pdf"
        )
        entries.append(
            (
                name,
                notice.file_path,
                "notice",
                {
                    "notice_kind": notice.kind,
                    "title": notice.title,
                    "document_number": notice.document_number,
                    "verification_code": notice.verification_code,
                    "verify_url": f"{verify_base.rstrip('/')}/verify/{notice.verification_code}",
                    "recorded_sha256": notice.sha256,
                },
            )
        )
    evidence = db.session.scalars(
        select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id)
    )
    for item in evidence:
        entries.append(
            (
                unique(f"evidence/{item.id:05d}-{_safe(item.filename)}"),
                item.path,
                "evidence",
                {
                    "filename": item.filename,
                    "content_type": item.content_type,
                    "recorded_sha256": item.sha256,
                },
            )
        )
    entries.append((unique("audit-trail.csv"), _audit_csv(case), "audit_trail", {}))
    sessions = _sessions_csv(case)
    if sessions:
        entries.append((unique("mediation-sessions.csv"), sessions, "mediation_sessions", {}))
    header = {
        "case_number": case.number,
        "workflow": case.workflow,
        "state": case.state,
        "court": (case.data or {}).get("court"),
        "court_case_number": (case.data or {}).get("court_case_number"),
        "generated_at": iso(utcnow()),
    }
    # Read everything from the database before the first byte goes out: the generator may run
    # after the request's session work is done.
    return _generate(entries, header)


def _generate(entries, header):
    sink = _Sink()
    manifest = []
    with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:
        for name, source, kind, extra in entries:
            digest = hashlib.sha256()
            size = 0
            compress = zipfile.ZIP_DEFLATED
            if kind in ("notice", "evidence") and (
                extra.get("content_type", "application/pdf").startswith(_STORED_TYPES)
            ):
                compress = zipfile.ZIP_STORED
            info = zipfile.ZipInfo(name, date_time=_zip_time())
            info.compress_type = compress
            with archive.open(info, "w", force_zip64=True) as target:
                if isinstance(source, bytes):
                    digest.update(source)
                    size = len(source)
                    target.write(source)
                else:
                    # A stored file (a notice's PDF, an evidence file): read from the storage every
                    # node shares, one file at a time, and passed on in chunks.
                    for chunk in file_store().chunks(source, CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        target.write(chunk)
                        data = sink.drain()
                        if data:
                            yield data
            manifest.append(
                {"path": name, "kind": kind, "size": size, "sha256": digest.hexdigest(), **extra}
            )
            data = sink.drain()
            if data:
                yield data
        document = {**header, "files": manifest}
        archive.writestr(
            zipfile.ZipInfo("manifest.json", date_time=_zip_time()),
            json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    yield sink.drain()


def _zip_time():
    from caseflow.timeutil import to_local

    now = to_local(utcnow())
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def bundle_available(case) -> bool:
    """Whether the case has a bundle to offer (the case page's link; ``bundle_check``)."""
    if case.workflow not in BUNDLE_WORKFLOWS:
        return False
    return case.workflow != "mediation" or case.state in mediation.AGREEMENT_STATES


def bundle_check(case):
    """The bundle is for a mediation agreement (人民调解法 art 33) or an adjudication, whose
    调解书 may be confirmed and whose decision may be challenged in court; other cases (intake,
    pre-examination, fair desk) get a 422. A mediation has it only once an agreement was reached
    (a 409 before: still asking the respondent, declined or failed, there is nothing to confirm)."""
    from caseflow.errors import StateConflict, ValidationFailed

    if case.workflow not in BUNDLE_WORKFLOWS:
        raise ValidationFailed(
            "司法确认材料包仅用于调解和行政裁决案件",
            message_en="the confirmation bundle is for mediation and adjudication cases",
            fields={"workflow": case.workflow},
        )
    if not bundle_available(case):
        raise StateConflict(
            "本案尚未达成调解协议，没有可申请司法确认的材料包",
            message_en="no mediation agreement has been reached: there is no confirmation bundle",
            fields={
                "state": "未达成调解协议 / no agreement reached",
            },
        )


def verify_base_url() -> str:
    """The public address the notices' verification links start with (``render.verify_url``)."""
    from caseflow.notices.render import verify_url

    return verify_url("x").removesuffix("/verify/x")
