"""``flask --app wsgi backup DEST`` and ``restore SRC``: a consistent, checkable copy of an
instance — every table, every stored file, and a manifest of SHA-256s.

The database is dumped as JSON through SQLAlchemy, not with pg_dump or sqlite3's ``.dump``:
- one format for SQLite and PostgreSQL, so a backup restores on either (a pilot on SQLite can move
  to PostgreSQL by restoring its backup);
- no client binary whose version must match the server's (pg_dump refuses a newer server);
- rows are read in one read-only transaction: REPEATABLE READ on PostgreSQL, a single read
  transaction on SQLite (WAL gives it a snapshot), so the copy is of one instant while the
  application keeps writing.

Stored files (notices, evidence, seals; the local folder or the S3 store, see
``caseflow.storage``) are written once and never changed; a row names a file
only after the file is complete. So copying the files *after* the snapshot gives every file the
snapshot names (a file newer than the snapshot may ride along; the restore ignores nothing and
loses nothing). Each file's SHA-256 goes into the manifest; ``restore`` checks the whole backup
against it before it writes anything.
"""

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import json
import os
from pathlib import Path

from flask import current_app
from sqlalchemy import JSON, Date, DateTime, LargeBinary, func, select, text

from caseflow.database_state import SCHEMA_MISSING
from caseflow.extensions import db
from caseflow.storage import StoredFileCorrupt, storage
from caseflow.timeutil import iso, utcnow

FORMAT = "caseflow-backup-1"
DATABASE_FILE = "database.json.gz"
MANIFEST_FILE = "manifest.json"
STORAGE_DIR = "storage"
#: Rows are written and read in batches of this many.
BATCH = 1_000


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tables():
    """Every table of the schema, parents before children (alembic's own is the migration's)."""
    return [t for t in db.metadata.sorted_tables if t.name != "alembic_version"]


def _encode(value):
    if isinstance(value, dt.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, decimal.Decimal):
        return {"$dec": str(value)}
    return value


def _decode(column, value):
    if value is None:
        return None
    if isinstance(column.type, JSON):
        return value  # JSON columns hold plain JSON; nothing of ours is tagged inside them
    if isinstance(value, dict) and len(value) == 1:
        (tag, raw), = value.items()
        if tag == "$dt":
            return dt.datetime.fromisoformat(raw)
        if tag == "$date":
            return dt.date.fromisoformat(raw)
        if tag == "$b64":
            return base64.b64decode(raw)
        if tag == "$dec":
            return decimal.Decimal(raw)
    if isinstance(column.type, DateTime) and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, Date) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if isinstance(column.type, LargeBinary) and isinstance(value, str):
        return base64.b64decode(value)
    return value


def _revision(connection) -> str | None:
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 — no migration table: a database never migrated
        return None


def backup_write(destination: str | os.PathLike) -> dict:
    """Write a backup into ``destination`` (a new or empty folder). Returns the manifest."""
    target = Path(destination)
    # Asked before the folder is made: a refused backup leaves nothing that looks like one.
    with db.engine.connect() as connection:
        if _revision(connection) is None:
            raise BackupError(SCHEMA_MISSING)
    try:
        if target.exists() and any(target.iterdir()):
            raise BackupError(f"{target} is not empty")
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot create {target}: {exc.strerror or exc}") from None
    try:
        return _backup_into(target)
    except OSError as exc:  # a full disk, a store that went away: the manifest is never written
        raise BackupError(
            f"the backup into {target} stopped: {exc.strerror or exc}; what it wrote has no"
            " manifest and cannot be restored: delete the folder before trying again"
        ) from None


def _backup_into(target: Path) -> dict:
    engine = db.engine
    counts: dict[str, int] = {}
    started = utcnow()
    database_path = target / DATABASE_FILE
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        else:
            # BEGIN + a first read starts SQLite's snapshot; every later read sees that instant.
            connection.exec_driver_sql("BEGIN")
        revision = _revision(connection)
        if revision is None:
            raise BackupError(SCHEMA_MISSING)
        with gzip.open(database_path, "wt", encoding="utf-8") as out:
            out.write(json.dumps({"format": FORMAT, "revision": revision}) + "\n")
            for table in _tables():
                order = list(table.primary_key.columns) or list(table.columns)
                names = [c.name for c in table.columns]
                out.write(json.dumps({"table": table.name, "columns": names}) + "\n")
                count = 0
                result = connection.execution_options(yield_per=BATCH).execute(
                    select(table).order_by(*order)
                )
                for row in result:
                    out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
                    count += 1
                counts[table.name] = count
        connection.rollback()

    files = {}
    store = storage()
    for relative in store.list_keys():
        copy = target / STORAGE_DIR / relative
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(store.get(relative))
        files[relative] = {"sha256": _sha256(copy), "size": copy.stat().st_size}
    manifest = {
        "format": FORMAT,
        "created_at": iso(started),
        "dialect": engine.dialect.name,
        "revision": revision,
        "database": {"file": DATABASE_FILE, "sha256": _sha256(database_path), "rows": counts},
        "files": files,
    }
    (target / MANIFEST_FILE).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
    )
    return manifest


def backup_check(source: str | os.PathLike) -> dict:
    """The manifest of the backup at ``source`` once every file in it matches its SHA-256;
    ``BackupError`` naming each missing or altered file otherwise."""
    root = Path(source)
    try:
        manifest = json.loads((root / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"no readable {MANIFEST_FILE} in {root}: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    problems = []
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    expected.update(
        {f"{STORAGE_DIR}/{name}": entry["sha256"] for name, entry in manifest["files"].items()}
    )
    for name, digest in expected.items():
        path = root / name
        if not path.is_file():
            problems.append(f"missing: {name}")
        elif _sha256(path) != digest:
            problems.append(f"SHA-256 differs: {name}")
    if problems:
        raise BackupError("backup damaged: " + "; ".join(problems))
    return manifest


def _instance_is_empty(connection) -> bool:
    for table in _tables():
        # The official calendar may have been seeded already; it is replaced by the backup's.
        if table.name.startswith("calendar_"):
            continue
        try:
            if connection.execute(select(func.count()).select_from(table)).scalar():
                return False
        except Exception:  # noqa: BLE001 — a missing table is an empty one
            connection.rollback()
    return True


def backup_restore(source: str | os.PathLike) -> dict:
    """Restore the backup at ``source`` into this (empty) instance: the schema is migrated if it
    is not (to this release's head; a backup of another schema revision is refused, since rows are
    loaded as they were dumped and never migrated), every file is copied into CASEFLOW_STORAGE and checked again, then every row is
    inserted in one transaction and id sequences are moved past the restored ids. Returns the
    manifest.

    All or nothing: the files go first, and a failure while copying them removes the copies made
    so far; the rows go in one transaction, and a failure while loading them rolls it back and
    removes the copied files. Either way the instance is left empty, ready for another try."""
    from flask_migrate import upgrade

    root = Path(source)
    manifest = backup_check(root)
    store = storage()
    if next(iter(store.list_keys()), None) is not None:
        raise BackupError(
            f"storage {current_app.config['CASEFLOW_STORAGE']} is not empty: "
            "restore needs an empty instance"
        )
    engine = db.engine
    with engine.connect() as connection:
        if not _instance_is_empty(connection):
            raise BackupError("the database holds data: restore needs an empty instance")
        revision = _revision(connection)
    if revision is None:
        upgrade()
        with engine.connect() as connection:
            revision = _revision(connection)
    if manifest["revision"] and revision != manifest["revision"]:
        raise BackupError(
            f"schema revision {revision} differs from the backup's {manifest['revision']}:"
            " restore with the caseflow release that took the backup, then update"
        )

    copied: list[str] = []
    try:
        _files_copy(root, manifest, store, copied)
        _rows_load(root)
    except Exception as exc:
        left = _files_remove(store, copied)
        reason = str(exc) if isinstance(exc, BackupError) else _reason(exc)
        leftover = (
            f"; remove these copies by hand before trying again: {', '.join(left)}" if left else ""
        )
        raise BackupError(f"restore stopped, nothing was restored: {reason}{leftover}") from None
    finally:
        db.session.remove()
    return manifest


def _reason(exc: Exception) -> str:
    """One line for an error of the storage, the dump or the database."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def _files_copy(root: Path, manifest: dict, store, copied: list[str]) -> None:
    """Copy every file of the backup into the store, appending each key to ``copied`` as soon as
    it is written, so the caller can take them away again."""
    for name, entry in manifest["files"].items():
        try:
            written = store.put_new(name, (root / STORAGE_DIR / name).read_bytes())
        except Exception as exc:  # noqa: BLE001 — a half-written key is removed too
            if _exists(store, name):
                copied.append(name)
            raise BackupError(f"cannot copy {name} into the storage: {_reason(exc)}") from None
        if not written:
            raise BackupError(f"{name} appeared in the storage during the restore")
        copied.append(name)
        try:
            store.get(name, sha256=entry["sha256"])
        except StoredFileCorrupt:
            raise BackupError(f"copy of {name} differs from the backup") from None


def _exists(store, key: str) -> bool:
    try:
        return store.exists(key)
    except Exception:  # noqa: BLE001 — a store that cannot even be asked holds nothing of ours
        return False


def _files_remove(store, keys: list[str]) -> list[str]:
    """Delete the restored copies; returns the keys that could not be deleted."""
    left = []
    for key in keys:
        try:
            store.delete(key)
        except Exception:  # noqa: BLE001 — reported to the operator, who removes it by hand
            left.append(key)
    return left


def _rows_load(root: Path) -> None:
    """Insert every row of the dump in one transaction (rolled back whole on any failure)."""
    tables = {t.name: t for t in _tables()}
    with db.engine.begin() as connection:
        for table in reversed(list(tables.values())):
            if table.name.startswith("calendar_"):
                connection.execute(table.delete())
        with gzip.open(root / DATABASE_FILE, "rt", encoding="utf-8") as dump:
            header = json.loads(dump.readline())
            if header.get("format") != FORMAT:
                raise BackupError("the database dump is not a caseflow backup")
            table, columns, batch = None, [], []

            def flush():
                if batch:
                    connection.execute(table.insert(), batch)
                    batch.clear()

            for line in dump:
                record = json.loads(line)
                if isinstance(record, dict):
                    flush()
                    table = tables.get(record["table"])
                    if table is None:
                        raise BackupError(f"unknown table {record['table']} in the backup")
                    columns = [table.columns[name] for name in record["columns"]]
                    continue
                batch.append(
                    {c.name: _decode(c, v) for c, v in zip(columns, record, strict=True)}
                )
                if len(batch) >= BATCH:
                    flush()
            flush()
        if connection.dialect.name == "postgresql":
            _sequences_reset(connection, tables.values())


def _sequences_reset(connection, tables) -> None:
    """Serial ids continue after the restored rows (PostgreSQL keeps them in sequences)."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            if sequence:
                connection.execute(
                    text(
                        f'SELECT setval(:sequence, COALESCE((SELECT MAX("{column.name}") '
                        f'FROM "{table.name}"), 0) + 1, false)'
                    ),
                    {"sequence": sequence},
                )


def register_cli(app) -> None:
    import click

    @app.cli.command("backup")
    @click.argument("destination", type=click.Path(file_okay=False))
    def backup_command(destination):
        """Write a consistent backup (database, stored files, SHA-256 manifest) to DESTINATION."""
        try:
            manifest = backup_write(destination)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        rows = sum(manifest["database"]["rows"].values())
        click.echo(f"backup written to {destination}: {rows} rows, {len(manifest['files'])} files")

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, file_okay=False))
    def restore_command(source):
        """Restore the backup in SOURCE into this empty instance (checked against its manifest)."""
        try:
            manifest = backup_restore(source)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        rows = sum(manifest["database"]["rows"].values())
        click.echo(f"restored {rows} rows and {len(manifest['files'])} files from {source}")
