"""Whether the database can serve this build: what every command, ``db upgrade`` and the
scheduler say, in one line, when it cannot (administration.md, First start)."""

from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from caseflow.extensions import db

#: What an operator reads when a command meets a database of an older release: migrate it.
SCHEMA_OUTDATED = (
    "数据库结构早于本版本：请先运行 flask --app wsgi db upgrade。 / The database's schema is older than "
    "this release: run `flask --app wsgi db upgrade` first."
)

#: What an operator reads when a command meets a database that was never set up.
SCHEMA_MISSING = (
    "数据库尚未建立：请先运行 flask --app wsgi db upgrade（演示环境用 scripts/run）。 / "
    "The database has no caseflow tables yet: run `flask --app wsgi db upgrade` first "
    "(scripts/run does it for a demo)."
)


def _earlier_build(revision: str) -> str:
    return (
        f"数据库由较早的开发版本建立（结构 {revision}），本版本无法迁移：请重建数据库，或恢复本版本所做的"
        f"备份。 / This database was created by an earlier development build (schema {revision}),"
        " which this build cannot migrate: recreate it, or restore a backup made by this build"
        " (docs/deployment.md, Updating)."
    )


def database_problem(app: Flask) -> str | None:
    """Why the database cannot serve this build, or None: not reachable at ``DATABASE_URL``, no
    schema yet, or a schema this build's migrations do not know (an earlier development build's:
    until the first release the one migration is regenerated, its id a fingerprint of the schema,
    scripts/regen-migration) or have not reached (run ``db upgrade``)."""
    with app.app_context():
        db.session.remove()  # a failed transaction, if any
        try:
            with db.engine.connect() as connection:
                if not inspect(connection).has_table("alembic_version"):
                    return SCHEMA_MISSING
                revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError) as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            where = db.engine.url.render_as_string(hide_password=True)
            return f"无法连接数据库 / cannot reach the database {where}: {reason}"
        if revision is None:
            return SCHEMA_MISSING
        from alembic.script import ScriptDirectory

        # Compared exactly: alembic itself takes a stored id for any revision it begins, so the
        # old builds' plain "0001" would pass for the head "0001_<fingerprint>" and be left as is.
        script = ScriptDirectory(app.extensions["migrate"].directory)
        if revision not in {s.revision for s in script.walk_revisions()}:
            return _earlier_build(revision)
        if revision not in script.get_heads():
            return SCHEMA_OUTDATED
    return None
