"""Gapless counters: case numbers and document numbers (文号).

One row per scope (e.g. ``case:ZS:ADJ:2026``). The increment is an upsert that locks the row until
the caller's transaction ends, so concurrent callers queue and a rolled-back step gives its number
back: numbers stay gapless and are never handed out twice.
"""

from functools import cache

from sqlalchemy import Integer, String, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import db
from caseflow.transaction import writes_made


class Sequence(db.Model):
    __tablename__ = "sequences"

    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False)


def sequence_next(scope: str) -> int:
    """The next number in ``scope``, inside the caller's transaction."""
    session = db.session()
    connection = session.connection()
    value = connection.execute(_next_for(connection.dialect.name), {"scope": scope}).scalar_one()
    writes_made(session)  # a write on the connection: a request must commit it (or lose it)
    return value


@cache
def _next_for(dialect: str):
    """One ``INSERT … ON CONFLICT DO UPDATE … RETURNING``, built once per dialect."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = Sequence.__table__
    return (
        insert(table)
        .values(scope=bindparam("scope"), last_value=1)
        .on_conflict_do_update(
            index_elements=[table.c.scope], set_={"last_value": table.c.last_value + 1}
        )
        .returning(table.c.last_value)
    )
