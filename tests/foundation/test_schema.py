"""The schema is built by the migrations, from nothing, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from caseflow.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_built_every_model_table(app):
    inspector = inspect(db.engine)
    tables = set(inspector.get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    head = db.session.execute(text("select version_num from alembic_version")).scalar_one()
    assert head == "0001"


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
                conn.execute(text("select version_num from alembic_version")).scalar_one() == "0001"
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
