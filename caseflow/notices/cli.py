"""``flask --app wsgi notices retry [ID…]``: render the notices still pending."""

import click
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.notices.models import Notice
from caseflow.notices.pool import notices_render_in_pool


def register_cli(app) -> None:
    @app.cli.group("notices", help="文书：重新生成未完成的文书。")
    def notices():
        pass

    @notices.command("retry")
    @click.argument("ids", nargs=-1, type=int)
    def retry(ids):
        """Render pending notices (all of them, or the given ids); exit 1 if any stays pending."""
        issued = notices_render_in_pool(list(ids) if ids else None, force=True)
        query = select(func.count()).select_from(Notice).where(Notice.status == "pending")
        if ids:
            query = query.where(Notice.id.in_(ids))
        left = db.session.scalar(query)
        click.echo(f"issued {len(issued)} notice(s); {left} still pending")
        if left:
            raise SystemExit(1)
