"""One-time tokens: a solved captcha, a submitted form. Each is spent once, in the caller's
transaction.

Spending inserts the nonce's row (``INSERT … ON CONFLICT DO NOTHING``). Of two requests with the
same nonce (a double submit, a replayed captcha) the second waits for the first's transaction —
PostgreSQL's unique index, SQLite's one writer — and then finds the nonce spent. If the first
rolls back, nothing was done with the nonce and it is free again. A row is kept until its token
could no longer be presented, then swept by a later spend.
"""

import re
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import ForeignKey, String, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.errors import Malformed, StateConflict
from caseflow.extensions import db
from caseflow.timeutil import utcnow
from caseflow.transaction import writes_made
from caseflow.types import UTCDateTime

#: What a nonce may look like: ours are ``secrets.token_hex`` / ``token_urlsafe``.
_NONCE_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


class SpentNonce(db.Model):
    """A one-time token already used, under ``purpose:nonce``; with the case it opened, if any."""

    __tablename__ = "spent_nonces"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: After this the token itself is no longer accepted (its signature or form expired).
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))


class NonceSpent(StateConflict):
    """The token was used already; ``case_id`` names the case its first use opened, if any."""

    code = "already_submitted"

    def __init__(self, message: str, *, message_en: str, case_id: str | None = None):
        super().__init__(message, message_en=message_en)
        self.case_id = case_id


def nonce_spend(purpose: str, nonce: str, *, lifetime: timedelta) -> None:
    """Spend ``nonce`` for ``purpose``; ``NonceSpent`` when a committed transaction spent it.
    A nonce that is not one of ours is ``Malformed``. Does not commit."""
    if not _NONCE_RE.fullmatch(nonce):
        raise Malformed("一次性令牌无效", message_en="the one-time token is not valid")
    now = utcnow()
    session = db.session()
    connection = session.connection()
    connection.execute(delete(SpentNonce).where(SpentNonce.expires_at < now))
    inserted = connection.execute(
        _insert_for(connection.dialect.name),
        {"key": f"{purpose}:{nonce}", "expires_at": now + lifetime},
    ).first()
    writes_made(session)  # a write on the connection: a request must commit it (or lose it)
    if inserted is None:
        case_id = session.scalar(
            select(SpentNonce.case_id).where(SpentNonce.key == f"{purpose}:{nonce}")
        )
        raise NonceSpent(
            "此表单已经提交过", message_en="this form was submitted already", case_id=case_id
        )


def nonce_case_record(purpose: str, nonce: str, *, case_id: str) -> None:
    """Note the case that spending ``nonce`` opened, for a second submit to point to."""
    db.session.execute(
        update(SpentNonce).where(SpentNonce.key == f"{purpose}:{nonce}").values(case_id=case_id)
    )


@cache
def _insert_for(dialect: str):
    """``INSERT … ON CONFLICT DO NOTHING RETURNING``, built once per dialect: a row back when
    this call spent the nonce, none when it had been spent."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = SpentNonce.__table__
    return (
        insert(table)
        .values(key=bindparam("key"), expires_at=bindparam("expires_at", type_=UTCDateTime()))
        .on_conflict_do_nothing(index_elements=[table.c.key])
        .returning(table.c.key)
    )
