"""``flask --app wsgi fairs list|import|post-fair-clocks``: the desk's exhibitor list from a file,
and the post-fair sweep on demand (the scheduler runs it every minute)."""

from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from caseflow.accounts.models import User
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.fairs.models import Fair
from caseflow.fairs.services import exhibitors_import, fairs_start_post_fair_clocks
from caseflow.timeutil import iso, parse_instant, utcnow

fairs = click.Group("fairs", help="Trade fairs and their exhibitors.")

#: Row errors shown on the one error line; the rest are counted.
SHOWN_ROW_ERRORS = 10


def _one_line(exc: DomainError) -> str:
    rows = exc.fields.get("rows")
    if not isinstance(rows, dict):
        details = "；".join(f"{k}: {v}" for k, v in exc.fields.items() if isinstance(v, str))
        return f"{exc.message}（{details}）" if details else exc.message
    shown = [f"第{number}行 {reason}" for number, reason in list(rows.items())[:SHOWN_ROW_ERRORS]]
    more = len(rows) - len(shown)
    return exc.message + "：" + "；".join(shown) + (f"；另有{more}行" if more > 0 else "")


@fairs.command("list")
def fairs_list_command():
    """Print every fair: id, unit, opening, close, name."""
    for fair in db.session.scalars(select(Fair).order_by(Fair.opens_at)):
        click.echo(
            f"{fair.id}\t{fair.unit.code}\t{iso(fair.opens_at)}\t{iso(fair.closes_at)}\t{fair.name}"
        )


@fairs.command("import")
@click.argument("fair_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True, help="The desk officer loading the list.")
def fairs_import_command(fair_id, file, username):
    """Load FILE (CSV or XLSX: 名称/name, 展位号/booth, 国家或地区/country) into fair FAIR_ID."""
    user = db.session.scalar(select(User).filter_by(username=username))
    if user is None:
        raise click.ClickException(f"no such user: {username}")
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        raise click.ClickException(f"no such fair: {fair_id}")
    try:
        added = exhibitors_import(fair, actor=user, filename=file.name, content=file.read_bytes())
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(_one_line(exc)) from None
    click.echo(f"{len(added)} exhibitors added to {fair.name}")


@fairs.command("post-fair-clocks")
@click.option("--now", default=None, help="ISO instant to act as now (default: the real now).")
def fairs_post_fair_clocks_command(now):
    """Start the post-fair clock of every complaint still open at a closed fair (idempotent)."""
    try:
        at = parse_instant(now) if now else utcnow()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{fairs_start_post_fair_clocks(at)} post_fair clocks started")


def register_cli(app: Flask) -> None:
    app.cli.add_command(fairs)
