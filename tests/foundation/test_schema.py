"""The schema is built by the migrations, from nothing, on SQLite and PostgreSQL."""

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from caseflow.extensions import db
from tests.support import flask_cli

ROOT = Path(__file__).resolve().parents[2]
MIGRATION = ROOT / "migrations" / "versions" / "2026_11_30_0001_initial.py"


def _head() -> str:
    (revision,) = re.findall(r'^revision = "([^"]+)"$', MIGRATION.read_text(), re.MULTILINE)
    return revision


def test_migrations_built_every_model_table(app):
    inspector = inspect(db.engine)
    tables = set(inspector.get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    head = db.session.execute(text("select version_num from alembic_version")).scalar_one()
    assert head == _head()


def test_the_single_migration_is_named_by_a_fingerprint_of_its_schema():
    """Until the first release the one migration is regenerated in place: its id changes with
    what it builds, so a database of an earlier build is never taken for this head."""
    assert sorted(p.name for p in MIGRATION.parent.glob("*.py")) == [MIGRATION.name]
    source = MIGRATION.read_text()
    body = source[source.index("\ndef upgrade():") : source.index("\ndef downgrade():")]
    assert _head() == "0001_" + hashlib.sha256(body.encode()).hexdigest()[:10]
    assert f"Revision ID: {_head()}\n" in source




def test_a_database_of_an_earlier_development_build_is_refused_in_one_line(tmp_path):
    """Before this, every build's migration was "0001": ``db upgrade`` found the database at head
    and did nothing, and the app failed later on a missing column. Now it says so and stops."""
    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('0001')"))
        conn.execute(text("CREATE TABLE cases (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    for args in (("db", "upgrade"), ("sla", "sweep")):
        done = flask_cli(f"sqlite:///{old}", tmp_path / "storage", *args)
        assert done.returncode == 1, done.stderr
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, done.stderr
        assert "earlier development build (schema 0001)" in lines[0]
        assert "Traceback" not in done.stderr + done.stdout


def test_db_upgrade_from_empty_through_the_cli_is_idempotent(tmp_path, database_url):
    """``flask --app wsgi db upgrade`` on an empty database, twice (the README's first step)."""
    if database_url.startswith("postgresql"):
        # A second empty database on the same server, dropped afterwards.
        import psycopg
        from sqlalchemy import make_url

        url = make_url(database_url)
        scratch = url.database + "_cli"
        admin = url.set(drivername="postgresql", database="postgres")
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{scratch}"')
        target = url.set(database=scratch).render_as_string(hide_password=False)
    else:
        target = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "DATABASE_URL": target, "CASEFLOW_STORAGE": str(tmp_path / "storage")}
    try:
        for _ in range(2):
            done = subprocess.run(
                [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr
        engine = create_engine(target)
        with engine.connect() as conn:
            assert (
                conn.execute(text("select version_num from alembic_version")).scalar_one()
                == _head()
            )
            assert "cases" in inspect(conn).get_table_names()
        engine.dispose()
    finally:
        if database_url.startswith("postgresql"):
            with psycopg.connect(
                admin.render_as_string(hide_password=False), autocommit=True
            ) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
