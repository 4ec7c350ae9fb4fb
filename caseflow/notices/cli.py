"""``flask --app wsgi notices retry [ID…]``: render the notices still pending."""

import click
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.notices.pool import notices_render_in_pool


def register_cli(app) -> None:
    @app.cli.group(
        "notices", help="Notices (文书): render the pending ones again, check the issued files."
    )
    def notices():
        pass

    @notices.command("retry")
    @click.argument("ids", nargs=-1, type=int)
    def retry(ids):
        """Render pending notices (all of them, or the given ids); exit 1 if any stays pending."""
        if ids:
            known = set(db.session.scalars(select(Notice.id).where(Notice.id.in_(ids))))
            unknown = sorted(set(ids) - known)
            if unknown:
                raise click.ClickException(f"no such notice: {', '.join(map(str, unknown))}")
        issued = notices_render_in_pool(list(ids) if ids else None, force=True)
        query = select(func.count()).select_from(Notice).where(Notice.status == "pending")
        if ids:
            query = query.where(Notice.id.in_(ids))
        left = db.session.scalar(query)
        click.echo(f"issued {len(issued)} notice(s); {left} still pending")
        if left:
            raise SystemExit(1)

    @notices.command("verify")
    def verify():
        """Re-check every issued notice's file against its recorded SHA-256; exit 1 on any
        missing or altered file."""
        from caseflow.notices.services import notices_verify

        checked, problems = notices_verify()
        for notice, problem in problems:
            click.echo(f"notice {notice.id} {notice.document_number}: {problem}", err=True)
        click.echo(f"checked {checked} notice(s); {len(problems)} problem(s)")
        if problems:
            raise SystemExit(1)
