"""``flask --app wsgi deadline …`` and ``flask --app wsgi calendar load|show`` (interfaces.md);
``--unit CODE`` on each for a unit's local closures.

Bad input exits non-zero with one line on stderr (``click.ClickException``), never a traceback.
"""

import sys
from pathlib import Path

import click
from flask import Flask

from caseflow.calendar.periods import due_compute, due_explain, parse_period
from caseflow.calendar.selectors import calendar_unit_closures_get, calendar_year_get
from caseflow.calendar.services import calendar_current, calendar_load, calendar_unit_resolve
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from caseflow.timeutil import iso, parse_instant


def _due(start_text: str, period_text: str, calendar):
    """(due text, result) for one START and PERIOD; ValueError with a reason when either is bad."""
    start = parse_instant(start_text)
    period = parse_period(period_text)
    result = due_compute(start, period, calendar=calendar)
    text = iso(result.due_at) if result.due_on is None else result.due_on.isoformat()
    return text, result


def _provisional_note(result) -> str:
    years = ", ".join(map(str, result.provisional_years))
    return (
        f"provisional: the {years} schedule is not official yet; "
        f"load it with `flask --app wsgi calendar load FILE`"
    )


def _unit(code):
    """The unit of ``--unit CODE`` (None without it); a clean error for an unknown code."""
    if code is None:
        return None
    try:
        return calendar_unit_resolve(code)
    except ValidationFailed:
        raise click.ClickException(f"no such unit {code!r}") from None


@click.command("deadline")
@click.argument("start")
@click.argument("period", nargs=-1)
@click.option("--explain", is_flag=True, help="List the days counted and skipped.")
@click.option("--unit", default=None, help="Count on this unit's calendar (its local closures).")
def deadline_command(start, period, explain, unit):
    """Print when PERIOD (e.g. '5 workdays') from START (YYYY-MM-DD or ISO instant) ends.

    START '-' reads 'START PERIOD' lines from stdin and prints one line each.
    """
    unit = _unit(unit)
    calendar = calendar_current(unit.id if unit is not None else None)
    if start == "-":
        for line in sys.stdin:
            line = line.strip()
            if line.startswith("#"):
                continue
            if not line:
                # interfaces.md: one line per input, so line n of the answer is line n's.
                click.echo("error: empty line, expected START PERIOD")
                continue
            first, _, rest = line.replace("\t", " ").partition(" ")
            try:
                text, result = _due(first, rest, calendar)
            except ValueError as exc:
                click.echo(f"error: {exc}")
                continue
            click.echo(f"{text} provisional" if result.provisional else text)
        return
    if not period:
        raise click.ClickException(
            "missing PERIOD, e.g. '5 workdays', '15 days', '3 months', '24 hours'"
        )
    period_text = " ".join(period)
    try:
        text, result = _due(start, period_text, calendar)
        lines = due_explain(parse_instant(start), period_text, calendar=calendar) if explain else []
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(line)
    click.echo(text)
    if result.provisional:
        click.echo(_provisional_note(result), err=True)


@click.group("calendar")
def calendar_group():
    """The working-day calendar: load a year's official schedule, show a year."""


@calendar_group.command("load")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--source", default=None, help="Where the schedule comes from (default: the file name)."
)
@click.option(
    "--unit", default=None, help="The file is this unit's local closures (e.g. a typhoon day)."
)
@click.option(
    "--year",
    type=int,
    default=None,
    help="The year the file is for (every date must be in it); with --unit and a file with no"
    " dates, removes that unit's closures of the year.",
)
def calendar_load_command(file, source, unit, year):
    """Load a year's official schedule (lines 'YYYY-MM-DD holiday|workday NAME'), or with
    --unit a unit's local closures for a year (same format; they replace the unit's closures of
    that year, so an empty file with --year removes them)."""
    unit = _unit(unit)
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"无法读取 {file} / cannot read {file}: {exc.strerror or exc}") from None
    try:
        # UTF-8, a byte-order mark (Notepad's) allowed, as the admin page's upload reads it.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # A notice saved by a Chinese Windows editor is GBK: say what to do, not the codec's error.
        raise click.ClickException(
            f"{file}: 文件不是 UTF-8 编码（如为 GBK，请另存为 UTF-8） / "
            "the file is not UTF-8 text (save it as UTF-8)"
        ) from None
    try:
        result = calendar_load(
            text, source=source or f"file {Path(file).name}", unit=unit, year=year
        )
    except ValidationFailed as exc:
        db.session.rollback()
        # Each reason in Chinese and English, as the service words it (and `deadline` prints).
        for where, reason in exc.fields.items():
            click.echo(f"{file}: {where}: {reason}", err=True)
        lines = sum(where.startswith("line ") for where in exc.fields)
        if not lines:  # a fault of the file as a whole (no dates, a statutory holiday missing)
            raise click.ClickException("未载入 / nothing loaded") from None
        raise click.ClickException(
            f"未载入 / nothing loaded: {lines} bad line(s)"
            + (", and the file as a whole" if lines < len(exc.fields) else "")
        ) from None
    db.session.commit()
    if result.unit and not result.holidays + result.workdays:
        click.echo(
            f"removed the {result.year} closures of {result.unit}; "
            f"{len(result.moved)} clock(s) moved"
        )
    elif result.unit:
        click.echo(
            f"loaded {result.year} closures of {result.unit}: {result.holidays} closed day(s), "
            f"{result.workdays} extra working day(s); {len(result.moved)} clock(s) moved"
        )
    else:
        click.echo(
            f"loaded {result.year}: {result.holidays} holiday(s), "
            f"{result.workdays} make-up workday(s); {len(result.moved)} clock(s) moved"
        )
    for move in result.moved:  # the last days, as `deadline` prints them
        click.echo(
            f"{move.case_number} {move.clock_name} "
            f"{move.due_on_before.isoformat()} -> {move.due_on_after.isoformat()}"
        )


@calendar_group.command("show")
@click.argument("year", type=int)
@click.option("--unit", default=None, help="List this unit's local closures of the year.")
def calendar_show_command(year, unit):
    """Print a year's status (official / provisional) and its exceptions, or with --unit the
    unit's local closures."""
    unit = _unit(unit)
    if unit is not None:
        try:
            info = calendar_unit_closures_get(year, unit)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{info['year']} local closures of {info['unit']}: {len(info['days'])}")
        for day in info["days"]:
            click.echo(f"{day['date']} {day['kind']} {day['name']}".rstrip())
        return
    try:
        info = calendar_year_get(year)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{info['year']} {info['status']} ({info['source']})")
    for day in info["days"]:
        click.echo(f"{day['date']} {day['kind']} {day['name']}".rstrip())


def register_cli(app: Flask) -> None:
    app.cli.add_command(deadline_command)
    app.cli.add_command(calendar_group)
