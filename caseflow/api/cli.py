"""``flask --app wsgi api openapi``: write the OpenAPI document the API serves at
``GET /api/v1/openapi.json`` to ``docs/openapi.json``, so the repository carries it
(``tests/foundation/test_docs.py`` fails when the committed copy and the code differ)."""

import json
from pathlib import Path

import click
from flask import Flask

from caseflow.api.openapi import openapi_document

#: Where ``api openapi`` writes by default.
OPENAPI_JSON = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def openapi_text() -> str:
    """The document as committed: UTF-8 (Chinese stays readable), indented, keys in code order."""
    return json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n"


def register_cli(app: Flask) -> None:
    @app.cli.group("api")
    def api_group():
        """The JSON API."""

    @api_group.command("openapi")
    @click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, allow_dash=True),
        default=str(OPENAPI_JSON),
        show_default="docs/openapi.json",
        help="Where to write; - prints to standard output.",
    )
    def openapi(output):
        """Write the API's OpenAPI 3 document."""
        text = openapi_text()
        if output == "-":
            click.echo(text, nl=False)
            return
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
