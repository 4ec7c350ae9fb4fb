"""``users create`` and ``users token``: clear one-line errors, nothing created on bad input."""

from sqlalchemy import func, select

from caseflow.accounts.models import ApiToken, User
from caseflow.extensions import db
from tests.support import flask_cli


def _user_count():
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(User))


def test_users_create_with_a_bad_role_exits_non_zero_with_one_line(database_url, tmp_path, units):
    done = flask_cli(
        database_url,
        tmp_path,
        "users",
        "create",
        "li",
        "--role",
        "boss",
        "--unit",
        "ZS",
        "--password",
        "long-enough-pw",
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "boss" in lines[0] and "Traceback" not in done.stderr
    assert _user_count() == 0


def test_users_create_with_an_unknown_unit_creates_nothing(database_url, tmp_path, units):
    done = flask_cli(
        database_url,
        tmp_path,
        "users",
        "create",
        "li",
        "--role",
        "caseworker",
        "--unit",
        "XX",
        "--password",
        "long-enough-pw",
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "XX" in lines[0]
    assert _user_count() == 0


def test_users_create_and_token(database_url, tmp_path, units):
    done = flask_cli(
        database_url,
        tmp_path,
        "users",
        "create",
        "li",
        "--role",
        "caseworker",
        "--unit",
        "ZS",
        "--password",
        "long-enough-pw",
    )
    assert done.returncode == 0, done.stderr
    token = flask_cli(database_url, tmp_path, "users", "token", "li")
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().startswith("cf_")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_users_tokens_prints_the_columns_its_help_names(app, units, make_user, make_token):
    user = make_user("caseworker", units["ZS"])
    make_token(user)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["users", "tokens", user.username])
    assert listed.exit_code == 0, listed.output
    (row,) = listed.output.splitlines()
    columns = row.split("\t")
    assert columns[1] == user.username and columns[4] == "-" and columns[5] == "valid"
    named = " ".join(runner.invoke(args=["users", "tokens", "--help"]).output.split())
    assert "id, user, created, expires, last used, state." in named
    assert len(columns) == 6


def test_seed_is_idempotent_and_demo_users_can_log_in(app, client):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["seed", "--demo"])
        assert result.exit_code == 0, result.output
    db.session.rollback()
    codes = {u.username for u in db.session.scalars(select(User))}
    assert {"admin", "zs_caseworker", "pd_supervisor", "cf_desk"} <= codes
    from caseflow.cases.models import Case

    numbers = set(db.session.scalars(select(Case.number)))
    prefixes = {number.rsplit("-", 2)[0] for number in numbers}
    assert prefixes == {"ZS-ADJ", "ZS-INT", "ZS-PEN", "PD-PRE", "PD-MED", "CF-FAIR"}
    assert len(numbers) == 11  # the second seed added nothing
    # The decided penalty's 决定书 states the evidence filed before its decision (行政处罚法
    # art 59 item 2), as a real one does.
    from caseflow.cases.evidence import Evidence
    from caseflow.cases.models import Event

    decided = db.session.scalar(select(Case).where(Case.workflow == "penalty", Case.state == "decided"))
    filed = db.session.scalars(select(Evidence).where(Evidence.case_id == decided.id)).all()
    decision = db.session.scalar(
        select(Event).where(Event.case_id == decided.id, Event.trigger == "decide_penalty")
    )
    assert len(filed) == 3 and all(e.uploaded_at < decision.occurred_at for e in filed)
    from tests.support import login_form_post

    assert login_form_post(client, "zs_caseworker", "caseflow-demo").status_code == 302


def test_a_command_on_a_database_never_migrated_says_to_migrate(tmp_path):
    """A new instance (or a DATABASE_URL pointing at the wrong, empty database): one line that
    says what to run, exit 1, no traceback; nothing is created."""
    empty = tmp_path / "empty.db"
    for args in (("calendar", "show", "2026"), ("deadline", "2026-02-13", "5 workdays")):
        done = flask_cli(f"sqlite:///{empty}", tmp_path, *args)
        assert done.returncode == 1, done.stderr
        assert "flask --app wsgi db upgrade" in done.stderr
        assert "数据库尚未建立" in done.stderr
        assert "Traceback" not in done.stderr + done.stdout
    from sqlalchemy import create_engine, inspect

    engine = create_engine(f"sqlite:///{empty}")
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_a_command_that_cannot_reach_the_database_says_so_without_its_password(tmp_path):
    from tests.support import free_port

    url = f"postgresql://caseflow:s3cret-word@127.0.0.1:{free_port()}/caseflow"
    done = flask_cli(url, tmp_path, "calendar", "show", "2026")
    assert done.returncode == 1, done.stderr
    assert "cannot reach the database" in done.stderr
    assert "127.0.0.1" in done.stderr
    assert "s3cret-word" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr + done.stdout


def test_no_command_runs_on_a_database_built_by_an_earlier_development_build(
    app, database_url, tmp_path, units
):
    """deployment.md (Updating): every command, the scheduler included, stops with the one line
    on another build's schema, and none writes anything. They used to run, and write: ``users
    create`` made its user, ``backup`` its folder, before anything failed."""
    from sqlalchemy import text

    from caseflow.calendar.models import CalendarState

    head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001_deadbeef00'"))
    db.session.commit()
    version = db.session.get(CalendarState, 1).version
    schedule = tmp_path / "2027.txt"
    schedule.write_text("2027-01-01 holiday 元旦\n", encoding="utf-8")
    try:
        for args in (
            ("users", "create", "q", "--role", "admin", "--password", "long-enough-pw"),
            ("seed",),
            ("stats", "rebuild"),
            ("sla", "sweep"),
            ("notices", "verify"),
            ("calendar", "load", str(schedule)),
            ("backup", str(tmp_path / "backup")),
            ("scheduler",),
        ):
            done = flask_cli(database_url, tmp_path / "storage", *args)
            assert done.returncode == 1, (args, done.stdout, done.stderr)
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            assert len(lines) == 1, (args, done.stderr)
            assert "earlier development build (schema 0001_deadbeef00)" in lines[0], args
            assert "数据库由较早的开发版本建立" in lines[0]
        assert _user_count() == 0
        assert db.session.get(CalendarState, 1).version == version
        assert not (tmp_path / "backup").exists()
    finally:
        db.session.rollback()
        db.session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        db.session.commit()


def test_the_commands_that_write_documents_from_the_code_need_no_database(tmp_path):
    """``api openapi``, ``workflows docs``, ``translate``: a checkout with no database yet still
    regenerates its docs."""
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    done = flask_cli(empty, tmp_path, "api", "openapi", "-o", str(tmp_path / "openapi.json"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "openapi.json").stat().st_size > 0


def test_the_schema_commands_are_left_to_their_own_errors(app):
    """``db`` (Flask-Migrate) builds the schema and ``restore`` fills an empty instance: a failure
    of theirs must not be reported as "run db upgrade first"."""
    for name in ("db", "restore"):
        command = app.cli.commands[name]
        leaves = command.commands.values() if hasattr(command, "commands") else [command]
        assert not any(getattr(leaf.callback, "explains_database", False) for leaf in leaves)
    assert app.cli.commands["deadline"].callback.explains_database


def test_users_create_refuses_an_address_that_is_not_one_and_users_edit_sets_it(
    app, database_url, tmp_path, units
):
    runner = app.test_cli_runner()
    refused = runner.invoke(
        args=["users", "create", "li", "--role", "caseworker", "--unit", "ZS",
              "--password", "long-enough-passphrase", "--email", "notanemail"]
    )
    assert refused.exit_code == 1
    assert "电子邮箱格式不正确" in refused.output and "Traceback" not in refused.output
    assert _user_count() == 0
    created = runner.invoke(
        args=["users", "create", "li", "--role", "caseworker", "--unit", "ZS",
              "--password", "long-enough-passphrase"]
    )
    assert created.exit_code == 0, created.output
    bad = runner.invoke(args=["users", "edit", "li", "--email", "li at example.cn"])
    assert bad.exit_code == 1 and "电子邮箱格式不正确" in bad.output
    edited = runner.invoke(
        args=["users", "edit", "li", "--email", "li.ming@example.cn", "--display-name", "李明"]
    )
    assert edited.exit_code == 0, edited.output
    db.session.expire_all()
    user = db.session.scalar(select(User).filter_by(username="li"))
    assert (user.display_name, user.email) == ("李明", "li.ming@example.cn")
    nothing = runner.invoke(args=["users", "edit", "li"])
    assert nothing.exit_code == 2
    removed = runner.invoke(args=["users", "edit", "li", "--email", ""])
    assert removed.exit_code == 0
    db.session.expire_all()
    assert db.session.get(User, user.id).email is None
