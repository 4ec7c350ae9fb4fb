"""Issue 16, part 9: ``backup`` writes a consistent copy with a SHA-256 manifest, ``restore``
brings it back into an empty instance (SQLite or PostgreSQL), and ``notices verify`` re-checks
every stored notice."""

import json
import os
import secrets
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select

from caseflow import create_app
from caseflow.backup import BackupError, backup_write
from caseflow.cases.evidence import evidence_add
from caseflow.cases.models import Case, Event
from caseflow.extensions import db
from caseflow.notices.models import Notice
from tests.api.records import unit_records
from tests.engine.helpers import *  # noqa: F403  (the case fixtures)


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A second, empty database on the same server (or a new SQLite file)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    import psycopg

    url = make_url(database_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    name = f"caseflow_restore_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _snapshot():
    """Everything the restore must bring back, as plain values."""
    db.session.expire_all()
    return {
        "cases": sorted(
            (c.id, c.number, c.state, c.version, c.received_at.isoformat(), json.dumps(c.complainant, sort_keys=True))
            for c in db.session.scalars(select(Case))
        ),
        "events": sorted(
            (e.id, e.case_id, e.kind, e.trigger or "", e.occurred_at.isoformat(), json.dumps(e.data, sort_keys=True))
            for e in db.session.scalars(select(Event))
        ),
        "notices": sorted(
            (n.id, n.document_number, n.status, n.sha256 or "", n.file_path or "", n.verification_code)
            for n in db.session.scalars(select(Notice))
        ),
    }


@pytest.fixture
def filled(api, staff, applicant, fair):
    """Two units' cases with their events, issued notices, alerts and filings, and one evidence file."""
    for code in ("ZS", "PD"):
        records = unit_records(api, staff, code)
    case = db.session.get(Case, records["case"]["id"])
    evidence_add(
        case=case,
        actor=staff["PD"]["caseworker"],
        filename="购买凭证.pdf",
        content=b"%PDF-1.4 evidence of sale\n%%EOF",
    )
    db.session.commit()  # the caller commits (a page would)
    return _snapshot()


def test_backup_and_restore_bring_back_every_case_event_and_notice(
    app, filled, empty_database, tmp_path
):
    assert len(filled["cases"]) == 2 and len(filled["notices"]) >= 2 and len(filled["events"]) >= 4
    runner = app.test_cli_runner()
    destination = tmp_path / "backup"
    written = runner.invoke(args=["backup", str(destination)])
    assert written.exit_code == 0, written.output
    manifest = json.loads((destination / "manifest.json").read_text())
    assert manifest["database"]["rows"]["cases"] == 2
    notice_files = {n[4] for n in filled["notices"] if n[4]}
    assert notice_files <= set(manifest["files"])
    assert any(name.startswith("evidence/") for name in manifest["files"])

    restored_storage = tmp_path / "restored-storage"
    target = create_app(
        {
            **{k: v for k, v in app.config.items() if k.startswith(("SECRET", "TESTING"))},
            "SQLALCHEMY_DATABASE_URI": empty_database,
            "CASEFLOW_STORAGE": str(restored_storage),
            "SMTP_URL": None,
            "CASEFLOW_WEBHOOK_URL": None,
        }
    )
    runner = target.test_cli_runner()
    with target.app_context():  # the CLI runs in the current app context when there is one
        restored = runner.invoke(args=["restore", str(destination)])
        assert restored.exit_code == 0, restored.output
        assert _snapshot() == filled  # every case, event and notice, field for field
        assert db.session.scalar(select(func.count()).select_from(Case)) == 2
        verified = runner.invoke(args=["notices", "verify"])
        assert verified.exit_code == 0, verified.output
        assert f"checked {len(notice_files)} notice(s); 0 problem(s)" in verified.output
        # The restored instance keeps working: new ids follow the restored ones.
        from caseflow.accounts.models import User
        from caseflow.accounts.services import user_create

        highest = db.session.scalar(select(func.max(User.id)))
        user = user_create(username="after-restore", password="another-long-passphrase", role="admin")
        db.session.commit()
        assert user.id > highest
        again = runner.invoke(args=["restore", str(destination)])
        assert again.exit_code != 0 and "not empty" in again.output  # never over live data
        db.session.remove()
        db.engine.dispose()


def test_a_damaged_backup_is_refused_before_anything_is_written(app, filled, empty_database, tmp_path):
    destination = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["backup", str(destination)]).exit_code == 0
    manifest = json.loads((destination / "manifest.json").read_text())
    victim = destination / "storage" / next(iter(manifest["files"]))
    victim.write_bytes(victim.read_bytes() + b"tampered")
    target = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": empty_database,
            "CASEFLOW_STORAGE": str(tmp_path / "restored-storage"),
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
        }
    )
    with target.app_context():
        refused = target.test_cli_runner().invoke(args=["restore", str(destination)])
        assert refused.exit_code != 0 and "SHA-256 differs" in refused.output
        assert not any(Path(tmp_path / "restored-storage").rglob("*.pdf"))
        db.engine.dispose()


def test_notices_verify_reports_missing_and_altered_files(app, filled):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["notices", "verify"]).exit_code == 0
    issued = [n for n in filled["notices"] if n[2] == "issued"]
    storage = Path(app.config["CASEFLOW_STORAGE"])
    first, second = storage / issued[0][4], storage / issued[1][4]
    original = first.read_bytes()
    first.write_bytes(original[:-10] + b"0000000000")
    moved = second.with_suffix(".moved")
    second.rename(moved)
    try:
        checked = runner.invoke(args=["notices", "verify"])
        assert checked.exit_code == 1
        assert "SHA-256 differs" in checked.output and "missing" in checked.output
    finally:
        first.write_bytes(original)
        moved.rename(second)


def test_a_backup_that_cannot_be_written_says_why_in_one_line(app, filled, tmp_path):
    runner = app.test_cli_runner()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    refused = runner.invoke(args=["backup", str(blocker / "backup")])
    assert refused.exit_code == 1
    assert f"cannot create {blocker / 'backup'}" in refused.output
    assert refused.exception is None or isinstance(refused.exception, SystemExit)


def test_a_database_never_migrated_is_not_backed_up(app, empty_database, tmp_path):
    target = create_app(
        {
            **{k: v for k, v in app.config.items() if k.startswith(("SECRET", "TESTING"))},
            "SQLALCHEMY_DATABASE_URI": empty_database,
            "CASEFLOW_STORAGE": str(tmp_path / "storage"),
        }
    )
    with target.app_context():
        refused = target.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
        # The service itself says it in both languages, before it makes the folder.
        with pytest.raises(BackupError) as service:
            backup_write(tmp_path / "backup")
        db.session.remove()
        db.engine.dispose()
    assert str(service.value).startswith("数据库尚未建立") and "db upgrade" in str(service.value)
    assert refused.exit_code == 1
    assert "数据库尚未建立" in refused.output and "flask --app wsgi db upgrade" in refused.output
    assert not (tmp_path / "backup").exists()  # not even an empty folder


def _restore_target(app, empty_database, storage_path):
    return create_app(
        {
            **{k: v for k, v in app.config.items() if k.startswith(("SECRET", "TESTING"))},
            "SQLALCHEMY_DATABASE_URI": empty_database,
            "CASEFLOW_STORAGE": str(storage_path),
            "SMTP_URL": None,
            "CASEFLOW_WEBHOOK_URL": None,
        }
    )


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_restore_that_cannot_write_the_files_leaves_the_instance_empty(
    app, filled, empty_database, tmp_path
):
    destination = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["backup", str(destination)]).exit_code == 0
    manifest = json.loads((destination / "manifest.json").read_text())
    assert sorted(manifest["files"])[0] < "notices/"  # some file is copied before the notices
    restored_storage = tmp_path / "restored-storage"
    restored_storage.mkdir()
    # The notices' folder is a symlink to a disk that is not mounted.
    (restored_storage / "notices").symlink_to(tmp_path / "unmounted")
    target = _restore_target(app, empty_database, restored_storage)
    runner = target.test_cli_runner()
    with target.app_context():
        refused = runner.invoke(args=["restore", str(destination)])
        assert refused.exit_code == 1, refused.output
        assert refused.exception is None or isinstance(refused.exception, SystemExit)
        assert "nothing was restored" in refused.output and "notices/" in refused.output
        lines = refused.output.splitlines()
        ours = [line for line in lines if not line.startswith("INFO  [alembic")]  # the migration
        assert len(ours) == 1 and ours[0].startswith("Error: ")  # one line, no traceback
        assert _stored_files(restored_storage) == []  # the evidence copied first is gone again
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0
        # Once the storage is mounted, the same backup restores.
        (restored_storage / "notices").unlink()
        restored = runner.invoke(args=["restore", str(destination)])
        assert restored.exit_code == 0, restored.output
        assert _snapshot() == filled
        db.session.remove()
        db.engine.dispose()


def test_a_restore_whose_rows_fail_to_load_removes_the_copied_files(
    app, filled, empty_database, tmp_path
):
    import gzip
    import hashlib

    destination = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["backup", str(destination)]).exit_code == 0
    # A dump whose manifest matches but whose rows clash: the first case twice.
    dump = destination / "database.json.gz"
    lines = gzip.decompress(dump.read_bytes()).decode().splitlines(keepends=True)
    first_case = next(n for n, line in enumerate(lines) if '"table": "cases"' in line) + 1
    lines.insert(first_case, lines[first_case])
    dump.write_bytes(gzip.compress("".join(lines).encode()))
    manifest = json.loads((destination / "manifest.json").read_text())
    manifest["database"]["sha256"] = hashlib.sha256(dump.read_bytes()).hexdigest()
    (destination / "manifest.json").write_text(json.dumps(manifest))
    restored_storage = tmp_path / "restored-storage"
    target = _restore_target(app, empty_database, restored_storage)
    with target.app_context():
        refused = target.test_cli_runner().invoke(args=["restore", str(destination)])
        assert refused.exit_code == 1, refused.output
        assert refused.exception is None or isinstance(refused.exception, SystemExit)
        assert "nothing was restored" in refused.output
        assert _stored_files(restored_storage) == []
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0
        db.session.remove()
        db.engine.dispose()


def test_a_backup_of_another_schema_revision_is_refused_naming_the_way_to_restore_it(
    app, filled, empty_database, tmp_path
):
    destination = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["backup", str(destination)]).exit_code == 0
    manifest = json.loads((destination / "manifest.json").read_text())
    manifest["revision"] = "2025_01_01_0001"  # taken by an older release
    (destination / "manifest.json").write_text(json.dumps(manifest))
    restored_storage = tmp_path / "restored-storage"
    target = _restore_target(app, empty_database, restored_storage)
    with target.app_context():
        refused = target.test_cli_runner().invoke(args=["restore", str(destination)])
        assert refused.exit_code == 1, refused.output
        assert "differs from the backup's 2025_01_01_0001" in refused.output
        assert "restore with the caseflow release that took the backup, then update" in (
            refused.output
        )
        assert _stored_files(restored_storage) == []
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0
        db.session.remove()
        db.engine.dispose()
