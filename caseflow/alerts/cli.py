"""``flask --app wsgi sla sweep [--now ISO]``, ``sla deliver`` and ``flask --app wsgi scheduler``."""

import click
from flask import Flask

from caseflow.timeutil import iso, parse_instant, utcnow


def _instant(text: str | None):
    if not text:
        return utcnow()
    try:
        return parse_instant(text)
    except ValueError as exc:
        click.echo(f"error: --now: {exc}", err=True)
        raise click.exceptions.Exit(2) from None


@click.group("sla")
def sla():
    """SLA alerts: sweep the due clocks, deliver the outbox."""


@sla.command("sweep")
@click.option("--now", "now_text", metavar="ISO", help="Simulate this instant (drills and tests).")
def sweep(now_text):
    """Run one sweep; print each alert raised: CASE_NUMBER CLOCK LEVEL DUE_AT."""
    from caseflow.alerts.services import sla_sweep

    for alert in sla_sweep(_instant(now_text)):
        clock = alert.clock.name if alert.clock else "-"
        click.echo(f"{alert.case.number} {clock} {alert.level} {iso(alert.due_at)}")


@sla.command("deliver")
@click.option("--now", "now_text", metavar="ISO", help="Simulate this instant.")
def deliver(now_text):
    """Deliver the e-mail and webhook messages that are due, once."""
    from caseflow.alerts.services import outbox_deliver

    # Without --now each message is timed when it is sent (its claim's lease, its backoff).
    now = _instant(now_text) if now_text else None
    report = outbox_deliver(now, limit=10_000)
    click.echo(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}")
    # parties.md §4: notices served electronically go out through the same run.
    from caseflow.parties.delivery import notice_deliveries_send

    served = notice_deliveries_send(now, limit=10_000)
    click.echo(
        f"notices served {served.sent}, retrying {served.retrying}, failed {served.failed}"
    )
    # ASVS 2.2.3: the mails telling users their credentials changed.
    from caseflow.accounts.mail import account_mails_send

    mails = account_mails_send(now, limit=10_000)
    click.echo(f"account mails sent {mails.sent}, retrying {mails.retrying}, failed {mails.failed}")


@click.command("scheduler")
def scheduler():
    """Run the scheduler process (sweep, outbox, notice retries, fair clocks) until stopped."""
    from flask import current_app

    from caseflow.scheduler import scheduler_run

    # The database was checked before this runs, as for every command (caseflow.cli,
    # explain_missing_schema; administration.md: one line, status 1). That matters most here:
    # once running, every job survives a failure, so a database never migrated or never
    # reachable would be retried for ever, a line per job per interval, by a process that looks
    # healthy.
    scheduler_run(current_app._get_current_object())


def register_cli(app: Flask) -> None:
    app.cli.add_command(sla)
    app.cli.add_command(scheduler)
