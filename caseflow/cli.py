"""``flask --app wsgi seed``: unit profiles, the official calendar and, with ``--demo``, demo data;
and what every command says when the database cannot serve it."""

import functools
import logging

import click
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from caseflow.accounts.models import User
from caseflow.accounts.services import unit_upsert, user_create
from caseflow.database_state import SCHEMA_MISSING, SCHEMA_OUTDATED, database_problem
from caseflow.extensions import db

log = logging.getLogger(__name__)

#: Demo logins (README lists them). Never use ``--demo`` on a production database.
DEMO_PASSWORD = "caseflow-demo"
DEMO_USERS = (
    ("admin", "admin", None, "系统管理员"),
    ("zs_caseworker", "caseworker", "ZS", "李承办（中山）"),
    ("zs_supervisor", "supervisor", "ZS", "王主任（中山）"),
    ("zs_viewer", "viewer", "ZS", "赵查阅（中山）"),
    ("pd_caseworker", "caseworker", "PD", "陈承办（浦东）"),
    ("pd_supervisor", "supervisor", "PD", "周主任（浦东）"),
    ("cf_desk", "desk_officer", "CF", "刘值守（广交会投诉站）"),
    ("cf_supervisor", "supervisor", "CF", "孙组长（广交会投诉站）"),
)


def seed_units() -> None:
    from workflows.profiles import UNIT_PROFILES

    for profile in UNIT_PROFILES:
        unit_upsert(
            code=profile["code"],
            name=profile["name"],
            kind=profile["kind"],
            profile=profile["profile"],
        )


def seed_calendar() -> None:
    from caseflow.calendar.services import calendar_seed_official

    calendar_seed_official()


def seed_demo_users() -> list[str]:
    created = []
    for username, role, unit_code, display_name in DEMO_USERS:
        if db.session.scalar(select(User.id).filter_by(username=username)) is None:
            user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                unit_code=unit_code,
                display_name=display_name,
                email=f"{username}@caseflow.invalid",
            )
            created.append(username)
    return created


def seed_demo_cases() -> int:
    from caseflow.demo import demo_cases_create

    return demo_cases_create()


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also add demo users for each role and demo cases.")
def seed(demo):
    """Load unit profiles, the official calendar years and default configuration (idempotent)."""
    seed_units()
    db.session.commit()
    seed_calendar()
    db.session.commit()
    click.echo("seeded units and calendar")
    if demo:
        created = seed_demo_users()
        db.session.commit()
        click.echo(
            f"demo users: {', '.join(created) or 'already present'} (password {DEMO_PASSWORD})"
        )
        count = seed_demo_cases()
        db.session.commit()
        click.echo(f"demo cases: {count}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed)


class OneLineUsageError(click.UsageError):
    """A usage error shown as interfaces.md asks of bad arguments: one clear line on stderr
    (``Error: …``), exit code 2 as click gives it, not click's Usage / Try / Error lines."""

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", file=file, err=True)


def _one_line(exc: click.UsageError) -> click.UsageError:
    # ``NoArgsIsHelpError`` (a group called alone) shows its help: that is not an error line.
    if isinstance(exc, OneLineUsageError) or type(exc).__name__ == "NoArgsIsHelpError":
        return exc
    return OneLineUsageError(exc.format_message(), exc.ctx)


class OneLineUsage:
    """Mixed into caseflow's click commands and groups: their usage errors (a missing argument, a
    bad value, an unknown option or subcommand) become ``OneLineUsageError``."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)  # type: ignore[misc]
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)  # type: ignore[misc]
        except click.UsageError as exc:
            raise _one_line(exc) from None


@functools.cache
def _one_line_class(cls: type) -> type:
    return type(cls.__name__, (OneLineUsage, cls), {})


def one_line_usage_errors(app: Flask) -> None:
    """Give every caseflow command and group, and their subcommands, the one-line usage errors;
    Flask's own commands (``run``, ``shell``, ``routes``) and Flask-Migrate's ``db`` keep
    click's. The commands are declared across the areas' ``cli.py``; their class is swapped here,
    once, rather than each declaration naming it."""

    def swap(command: click.Command) -> None:
        if not isinstance(command, OneLineUsage):
            command.__class__ = _one_line_class(type(command))
        for sub in getattr(command, "commands", {}).values():
            swap(sub)

    for name, command in app.cli.commands.items():
        if name not in ("db", "run", "shell", "routes"):
            swap(command)


#: Commands that never open the database (they write documents or catalogues from the code): a
#: checkout with no database yet can still regenerate its docs and translations.
WITHOUT_DATABASE = frozenset(
    {"api openapi", "translate update", "translate compile", "workflows diagram", "workflows docs"}
)


def explain_missing_schema(app: Flask) -> None:
    """Every caseflow command that meets a database it cannot use (never migrated, not migrated to
    this release, built by an earlier development build, or not reachable at ``DATABASE_URL``)
    stops with a line saying so, exit 1, before it reads or writes anything (administration.md,
    First start): a command run on another build's schema would otherwise write rows that build
    never had, or fail half-way on a missing column. A failure of the database later in the
    command is explained the same way, not with a traceback."""

    def guard(command: click.Command, path: str) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                guard(sub, f"{path} {name}")
            return
        if command.callback is None or getattr(command.callback, "explains_database", False):
            return  # the command objects are shared: an earlier app (a test's) wrapped it already
        callback = command.callback
        checks_first = path not in WITHOUT_DATABASE

        @functools.wraps(callback)
        def guarded(*args, **kwargs):
            problem = database_problem(_running_app()) if checks_first else None
            if problem:
                raise click.ClickException(problem)
            try:
                return callback(*args, **kwargs)
            except (OperationalError, ProgrammingError) as exc:
                explanation = _database_unusable(_running_app(), exc)
                if explanation:
                    raise click.ClickException(explanation) from None
                raise

        guarded.explains_database = True  # type: ignore[attr-defined]
        guarded.checks_database_first = checks_first  # type: ignore[attr-defined]
        command.callback = guarded

    for name, command in app.cli.commands.items():
        # Not the commands that build the schema (Flask-Migrate's ``db``) or fill an empty
        # instance (``restore``): they must run on such a database, and their own failures say
        # more than "run db upgrade".
        if name not in ("db", "restore"):
            guard(command, name)
    upgrade = getattr(app.cli.commands.get("db"), "commands", {}).get("upgrade")
    callback = getattr(upgrade, "callback", None)
    if callback is not None and not getattr(callback, "refuses_other_builds", False):
        upgrade.callback = _refusing_other_builds(callback)  # type: ignore[union-attr]


def _running_app() -> Flask:
    """The app whose command runs. Not the one that wrapped the command: click commands are
    module-level objects, wrapped once by the first app made in the process."""
    return click.get_current_context().ensure_object(ScriptInfo).load_app()


def _refusing_other_builds(callback):
    """``db upgrade`` on a database built by an earlier development build, or one it cannot
    reach, stops with one line (exit 1) before alembic runs: alembic would find the old id at
    head and do nothing, leaving the app to fail later on a missing column."""

    @functools.wraps(callback)
    def refusing(*args, **kwargs):
        problem = database_problem(_running_app())
        if problem and problem not in (SCHEMA_MISSING, SCHEMA_OUTDATED):
            raise click.ClickException(problem)
        return callback(*args, **kwargs)

    refusing.refuses_other_builds = True  # type: ignore[attr-defined]
    return refusing


def _database_unusable(app: Flask, exc: Exception) -> str | None:
    """Why the database cannot serve at all (no connection, no schema, another build's schema),
    or None when the error was something else."""
    return database_problem(app)
