"""``flask --app wsgi users create|token``."""

import click
from flask import Flask
from sqlalchemy import select

from caseflow.accounts.models import ROLES, User
from caseflow.accounts.services import token_create, user_create
from caseflow.errors import DomainError
from caseflow.extensions import db

users = click.Group("users", help="Manage users and API tokens.")


@users.command("create")
@click.argument("name")
@click.option("--role", required=True, help=f"One of: {', '.join(ROLES)}")
@click.option("--unit", "unit_code", default=None, help="Unit code (ZS, PD, CF…); not for admins.")
@click.option("--password", required=True)
@click.option("--display-name", default=None)
@click.option("--email", default=None)
def users_create(name, role, unit_code, password, display_name, email):
    """Create a user."""
    try:
        user = user_create(
            username=name,
            password=password,
            role=role,
            unit_code=unit_code,
            display_name=display_name,
            email=email,
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.echo(f"created {user.username} ({user.role}, {unit_code or '-'})")


@users.command("token")
@click.argument("name")
def users_token(name):
    """Print a new API token for NAME (shown once, stored hashed)."""
    user = db.session.scalar(select(User).filter_by(username=name))
    if user is None:
        raise click.ClickException(f"no such user: {name}")
    token = token_create(user)
    db.session.commit()
    click.echo(token)


def register_cli(app: Flask) -> None:
    app.cli.add_command(users)
