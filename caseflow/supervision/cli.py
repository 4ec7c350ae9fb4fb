"""``flask --app wsgi stats rebuild``: recount the daily running totals after rows were written
around the ORM (a bulk import, a restore); the dashboard reads its period figures from them."""

import click
from flask import Flask


@click.group("stats")
def stats():
    """Supervisors' figures."""


@stats.command("rebuild")
def rebuild():
    """Recount every daily tally and every clock's 临期 moment from the cases and clocks."""
    from caseflow.extensions import db
    from caseflow.supervision.tallies import tallies_rebuild

    keys = tallies_rebuild()
    db.session.commit()
    click.echo(f"{keys} tallies recounted")


def register_cli(app: Flask) -> None:
    app.cli.add_command(stats)
