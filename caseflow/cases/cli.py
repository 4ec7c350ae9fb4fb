"""``flask --app wsgi workflows diagram NAME [--format svg|mermaid]``: draw a workflow's machine.

Drawn from the same data the engine runs (``workflows/``), so the picture cannot drift from the
procedure. SVG goes through Graphviz ``dot``; Mermaid is plain text for Markdown pages.
"""

import subprocess
import sys

import click
from flask import Flask

import workflows


def workflow_mermaid(name: str) -> str:
    """A Mermaid ``stateDiagram-v2`` of workflow ``name``."""
    wf = workflows.get(name)
    lines = ["stateDiagram-v2", f"    %% {wf.NAME}: {wf.LABEL}"]
    for s in wf.STATES:
        lines.append(f"    {s.name}: {s.name} {s.label}")
    lines.append(f"    [*] --> {wf.INITIAL}")
    for t in wf.TRANSITIONS:
        for source in t.sources:
            lines.append(f"    {source} --> {t.dest or source}: {t.trigger} {t.label}")
    for s in wf.STATES:
        if s.final:
            lines.append(f"    {s.name} --> [*]")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def workflow_dot(name: str) -> str:
    """The Graphviz DOT source of workflow ``name``: final states drawn double."""
    wf = workflows.get(name)
    lines = [
        f"digraph {wf.NAME} {{",
        "  rankdir=LR;",
        f"  label={_dot_quote(wf.LABEL)}; labelloc=t;",
        '  node [shape=box, style=rounded, fontname="Noto Sans CJK SC"];',
        '  edge [fontname="Noto Sans CJK SC", fontsize=10];',
        '  __start [shape=point, label=""];',
        f"  __start -> {wf.INITIAL};",
    ]
    for s in wf.STATES:
        shape = ", peripheries=2" if s.final else ""
        lines.append(f"  {s.name} [label={_dot_quote(s.name + chr(10) + s.label)}{shape}];")
    for t in wf.TRANSITIONS:
        for source in t.sources:
            lines.append(
                f"  {source} -> {t.dest or source} [label={_dot_quote(t.trigger + chr(10) + t.label)}];"
            )
    lines.append("}")
    return "\n".join(lines) + "\n"


def workflow_svg(name: str) -> str:
    """The SVG drawing of workflow ``name`` (needs Graphviz's ``dot``)."""
    result = subprocess.run(
        ["dot", "-Tsvg"], input=workflow_dot(name).encode(), capture_output=True, check=True
    )
    return result.stdout.decode()


def register_cli(app: Flask) -> None:
    @app.cli.group("workflows")
    def workflows_group():
        """The five procedures as state machines."""

    @workflows_group.command("diagram")
    @click.argument("name")
    @click.option("--format", "fmt", type=click.Choice(["svg", "mermaid"]), default="svg")
    def diagram(name, fmt):
        """Print workflow NAME's state machine as SVG or Mermaid."""
        if name not in workflows.WORKFLOWS:
            click.echo(
                f"error: unknown workflow {name!r} (one of {', '.join(workflows.WORKFLOWS)})",
                err=True,
            )
            sys.exit(2)
        if fmt == "mermaid":
            click.echo(workflow_mermaid(name), nl=False)
            return
        try:
            click.echo(workflow_svg(name), nl=False)
        except (OSError, subprocess.CalledProcessError) as exc:
            click.echo(f"error: graphviz dot failed: {exc}", err=True)
            sys.exit(1)
