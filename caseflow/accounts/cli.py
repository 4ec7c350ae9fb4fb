"""``flask --app wsgi users create|edit|token|tokens|token-revoke|revoke``."""

import click
from flask import Flask
from sqlalchemy import select

from caseflow.accounts.models import ROLES, User
from caseflow.accounts.services import (
    token_create,
    token_revoke,
    tokens_of,
    user_contact_set,
    user_create,
    user_revoke,
)
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


def _user_named(name) -> User:
    user = db.session.scalar(select(User).filter_by(username=name))
    if user is None:
        raise click.ClickException(f"no such user: {name}")
    return user


@users.command("edit")
@click.argument("name")
@click.option("--display-name", default=None, help="The name shown for the user.")
@click.option("--email", default=None, help='Where alerts and account mails go ("" removes it).')
def users_edit(name, display_name, email):
    """Set the display name and/or e-mail address of the existing user NAME."""
    user = _user_named(name)
    if display_name is None and email is None:
        raise click.UsageError("give --display-name and/or --email")
    try:
        user_contact_set(user, display_name=display_name, email=email)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.echo(f"{user.username}: {user.display_name} <{user.email or '-'}>")


@users.command("token")
@click.argument("name")
@click.option("--days", type=int, default=None, help="Lifetime in days (CASEFLOW_TOKEN_DAYS, 90).")
def users_token(name, days):
    """Print a new API token for NAME (shown once, stored hashed)."""
    user = _user_named(name)
    try:
        token = token_create(user, days=days)
    except DomainError as exc:
        raise click.ClickException(exc.message_en or exc.message) from None
    db.session.commit()
    click.echo(token)


@users.command("tokens")
@click.argument("name", required=False)
def users_tokens(name):
    """List API tokens (of NAME, or everyone's): id, user, created, expires, last used, state."""
    from caseflow.timeutil import iso, utcnow

    now = utcnow()
    for row in tokens_of(_user_named(name) if name else None):
        if row.revoked:
            state = "revoked"
        elif row.expires_at is not None and row.expires_at <= now:
            state = "expired"
        else:
            state = "valid"
        click.echo(
            f"{row.id}\t{row.user.username}\t{iso(row.created_at)}\t{iso(row.expires_at)}\t"
            f"{iso(row.last_used_at) or '-'}\t{state}"
        )


@users.command("token-revoke")
@click.argument("token_id", type=int)
def users_token_revoke(token_id):
    """Revoke the API token with id TOKEN_ID (see ``users tokens``)."""
    try:
        row = token_revoke(token_id, actor=None)
    except DomainError as exc:
        raise click.ClickException(exc.message_en or exc.message) from None
    db.session.commit()
    click.echo(f"revoked token {row.id} of {row.user.username}")


@users.command("revoke")
@click.argument("name")
def users_revoke(name):
    """End every web session and remember cookie of NAME and revoke all their API tokens."""
    count = user_revoke(_user_named(name))
    db.session.commit()
    click.echo(f"ended every session of {name}; revoked {count} API token(s)")


def register_cli(app: Flask) -> None:
    app.cli.add_command(users)
