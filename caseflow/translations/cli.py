"""``flask translate update|compile``: the English catalogue the Babel way. Chinese is the source
language; ``en/LC_MESSAGES/messages.po`` is what a translator edits.

    flask --app wsgi translate update    # extract every message, merge new ones into messages.po
    flask --app wsgi translate compile   # messages.po -> messages.mo (commit both)
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import click
from babel.messages.pofile import read_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CATALOGUE = HERE / "en" / "LC_MESSAGES" / "messages.po"


def _pybabel(*args: str) -> None:
    pybabel = str(Path(sys.executable).with_name("pybabel"))
    # Our extractor (babel.cfg) imports workflows/ and caseflow from the repository.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([pybabel, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)


def translations_update() -> tuple[int, int]:
    """Extract the messages of the code, the templates and the declared labels, and merge them
    into ``messages.po``: new messages come in untranslated, vanished ones are dropped, existing
    translations are kept. Returns (translated, total)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        _pybabel(
            "extract", "-F", str(HERE / "babel.cfg"), "-k", "_l", "-k", "N_", "-k", "_ngettext:1,2",
            "-k", "lazy_pgettext:1c,2",
            "--no-location",
            "--project", "caseflow", "--version", "1", "-o", str(pot), ".",
        )
        _pybabel(
            "update", "-i", str(pot), "-d", str(HERE), "-l", "en", "--width", "100",
            "--no-fuzzy-matching", "--ignore-obsolete",
        )
    return translations_count()


def translations_count() -> tuple[int, int]:
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    messages = [m for m in catalog if m.id]
    done = sum(1 for m in messages if (any(m.string) if isinstance(m.string, tuple) else m.string))
    return done, len(messages)


def translations_compile() -> None:
    _pybabel("compile", "-d", str(HERE), "-l", "en")


def register_cli(app) -> None:
    @app.cli.group("translate")
    def translate():
        """The English catalogue (messages.po is the translator's source)."""

    @translate.command("update")
    def update():
        """Extract messages and merge them into en/LC_MESSAGES/messages.po."""
        done, total = translations_update()
        click.echo(f"en: {done} of {total} messages translated ({CATALOGUE.relative_to(ROOT)})")

    @translate.command("compile")
    def compile_():
        """Compile messages.po into messages.mo."""
        translations_compile()
        click.echo("en: messages.mo compiled")
