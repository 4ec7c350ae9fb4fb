"""``flask --app wsgi seed``: unit profiles, the official calendar and, with ``--demo``, demo data."""

import logging

import click
from flask import Flask
from sqlalchemy import select

from caseflow.accounts.models import User
from caseflow.accounts.services import unit_upsert, user_create
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
