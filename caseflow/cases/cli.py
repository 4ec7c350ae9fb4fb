"""``flask --app wsgi workflows diagram NAME [--format svg|mermaid]``: draw a workflow's machine;
``flask --app wsgi workflows docs``: write ``docs/procedures.md``.

Drawn and written from the same data the engine runs (``workflows/``), so neither the picture nor
the procedure tables can drift from the code (``tests/foundation/test_docs.py`` compares the
committed file with the generated text). SVG goes through Graphviz ``dot``; Mermaid is plain text
for Markdown pages.
"""

import inspect
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask

import workflows
from caseflow.accounts.models import ROLE_LABELS, ROLES
from caseflow.notices.kinds import kind_title
from workflows.profiles import UNIT_PROFILES

#: Where ``workflows docs`` writes by default.
PROCEDURES_MD = Path(__file__).resolve().parents[2] / "docs" / "procedures.md"


def _destinations(t, source: str) -> tuple:
    """Where ``t`` leads from ``source``: its destination, the states it may return to (penalty's
    ``resume`` goes back to the state the case left), or ``source`` itself."""
    if t.dest is None and t.returns_to:
        return t.returns_to
    return (t.dest or source,)


def workflow_mermaid(name: str) -> str:
    """A Mermaid ``stateDiagram-v2`` of workflow ``name``."""
    wf = workflows.get(name)
    lines = ["stateDiagram-v2", f"    %% {wf.NAME}: {wf.LABEL}"]
    for s in wf.STATES:
        lines.append(f"    {s.name}: {s.name} {s.label}")
    lines.append(f"    [*] --> {wf.INITIAL}")
    for t in wf.TRANSITIONS:
        for source in t.sources:
            for dest in _destinations(t, source):
                lines.append(f"    {source} --> {dest}: {t.trigger} {t.label}")
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
            for dest in _destinations(t, source):
                label = _dot_quote(t.trigger + chr(10) + t.label)
                lines.append(f"  {source} -> {dest} [label={label}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def workflow_svg(name: str) -> str:
    """The SVG drawing of workflow ``name`` (needs Graphviz's ``dot``)."""
    result = subprocess.run(
        ["dot", "-Tsvg"], input=workflow_dot(name).encode(), capture_output=True, check=True
    )
    return result.stdout.decode()


def _cell(text) -> str:
    """Text for one Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _code(names) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _effect(effect) -> str:
    named = effect.action.replace("_", " ") + (f" `{effect.clock}`" if effect.clock else "")
    return named + (f" (when `{effect.when}`)" if effect.when else "")


def _guard(guard) -> str:
    params = ", ".join(f"{k}={v}" for k, v in guard.params.items())
    return f"`{guard.name}`({params}): {guard.message}"


def _field(field) -> str:
    text = f"`{field.name}` {field.label} ({field.type}{'' if field.required else ', optional'})"
    if field.choices:
        text += ": " + ", ".join(f"`{value}` {label}" for value, label in field.choices)
    return text


def _transition_rows(wf) -> list[str]:
    rows = [
        "| trigger | 中文 | from → to | roles | clocks | notice | data, guards, linked case |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in wf.TRANSITIONS:
        details = [_field(f) for f in t.fields] + [_guard(g) for g in t.guards]
        if t.opens is not None:
            target = t.opens.workflow or f"data.{t.opens.workflow_field}"
            details.append(
                f"opens a linked `{target}` case (`{t.opens.kind}`) when "
                f"`{t.opens.when_field}` is {', '.join(map(str, t.opens.when_values))}"
            )
        if t.occurred_at_label:
            details.append(f"occurred_at = {t.occurred_at_label}")
        notice = ""
        if t.notice is not None:
            title = kind_title(wf.NAME, t.notice.kind)
            # Each party the step tells in a notice of its own (also_to) is listed too.
            notice = f"{title} `{t.notice.kind}` → {', '.join((t.notice.addressee, *t.notice.also_to))}"
            if t.notice.unless_channels:
                notice += f" (not for {', '.join(t.notice.unless_channels)})"
        rows.append(
            "| "
            + " | ".join(
                _cell(part)
                for part in (
                    f"`{t.trigger}`",
                    t.label,
                    f"{', '.join(t.sources)} → {_dest(t)}",
                    ", ".join(t.roles),
                    "; ".join(_effect(e) for e in t.clocks),
                    notice,
                    "<br>".join(details),
                )
            )
            + " |"
        )
    return rows


def _dest(t) -> str:
    """Where a row leads; a row that returns names the states it may go back to."""
    if t.returns_to:
        return f"the state it left ({', '.join(t.returns_to)}; else {t.returns_to[0]})"
    return t.dest or "(same state)"


def _clock_rows(wf) -> list[str]:
    rows = [
        "| clock | 中文 | default period | starts at | extension | legal basis | evidence |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in wf.CLOCKS:
        period = c.period or "(off unless a unit sets it)"
        if c.fixed:
            period = f"ends at {c.fixed}"
        if c.variants:
            by = ", ".join(f"{k}: {v}" for k, v in c.variants.items())
            period += f"; by {c.variant_key}: {by}"
        if c.cap:
            period += f"; never past {c.cap}"
        if c.watch:
            period += "; watched: someone else's period, never the centre's met or late"
        elif c.party:
            period += "; the parties' own period: not counted as the centre's, never escalated"
        extension = ""
        if c.extension_step:
            extension = f"+{c.extension_step}, at most {c.extension_max} in all"
        rows.append(
            "| "
            + " | ".join(
                _cell(part)
                for part in (
                    f"`{c.name}`",
                    c.label,
                    period,
                    c.start_basis,
                    extension,
                    c.basis,
                    f"[{c.evidence}]",
                )
            )
            + " |"
        )
    return rows


def _override(value) -> str:
    if value is None:
        return "off"
    if isinstance(value, dict):
        return ", ".join(f"{variant}: {period}" for variant, period in value.items())
    return value


def _unit_overrides() -> list[str]:
    lines = [
        "## Unit overrides (seeded profiles)",
        "",
        "A unit's profile may override a clock's period (`clocks`) or its extension rule "
        "(`extensions`); admins edit profiles on the admin page (see [administration.md](administration.md)). The "
        "seeded units start with:",
        "",
        "| unit | clock overrides | extension overrides |",
        "|---|---|---|",
    ]
    for unit in UNIT_PROFILES:
        profile = unit["profile"]
        clocks = "; ".join(
            f"`{name}` {_override(value)}" for name, value in (profile.get("clocks") or {}).items()
        )
        extensions = "; ".join(
            f"`{name}` +{rule.get('step', 'default step')}, at most {rule.get('max', 'default')}"
            for name, rule in (profile.get("extensions") or {}).items()
        )
        lines.append(f"| {unit['code']} {unit['name']} | {_cell(clocks)} | {_cell(extensions)} |")
    return lines


def procedures_markdown() -> str:
    """``docs/procedures.md``: every workflow's states, transitions, roles, clocks and legal basis."""
    out = [
        "# Procedures",
        "",
        "<!-- Generated from workflows/ by `flask --app wsgi workflows docs`: do not edit by hand. "
        "tests/foundation/test_docs.py fails when this file and the code differ. -->",
        "",
        f"caseflow runs {len(workflows.WORKFLOWS)} procedures as state machines. Each is one module "
        "of `workflows/` (pure data); the engine fires its transitions, starts and stops its "
        "clocks and issues its notices. Names in `code` are what the API and the CLI use; the "
        "Chinese labels are what the UI shows.",
        "",
        "Roles: " + "; ".join(f"`{role}` {ROLE_LABELS[role]}" for role in ROLES) + ". Every user "
        "belongs to one unit and sees only that unit's cases; admins see all.",
        "",
        "Every transition records its actor, the time it happened (`occurred_at`: now by default; "
        "it may be back-dated, never into the future and never before the case's previous event), "
        "a note and its data, and writes exactly one audit event. A trigger not allowed in the "
        "current state or for the actor's role is refused with a reason, and nothing changes.",
        "",
        "Clock periods are counted on the working-day calendar as [deadlines.md](deadlines.md) "
        "describes. Evidence tags on each legal basis: **[V]** verified against the text of the "
        "law, **[S]** official news or a secondary summary, **[U]** unverified (a configurable "
        "default); source ids (L…, P…) are listed in [legal-basis.md](legal-basis.md).",
        "",
        "Contents: "
        + ", ".join(
            f"[{wf.LABEL} `{wf.NAME}`](#{wf.NAME.replace('_', '-')})"
            for wf in workflows.WORKFLOWS.values()
        ),
        "",
    ]
    for wf in workflows.WORKFLOWS.values():
        out += [
            f'<a id="{wf.NAME.replace("_", "-")}"></a>',
            "",
            f"## {wf.LABEL} — `{wf.NAME}` (case numbers `…-{wf.CODE}-…`)",
            "",
            inspect.cleandoc(inspect.getdoc(wf) or ""),
            "",
            "### States",
            "",
            "| state | 中文 | final |",
            "|---|---|---|",
        ]
        for state in wf.STATES:
            mark = "initial" if state.name == wf.INITIAL else ""
            out.append(f"| `{state.name}` | {state.label} | {'yes' if state.final else mark} |")
        out += ["", "### Transitions", "", *_transition_rows(wf), "", "### Clocks", ""]
        opening = _code(wf.OPENING_CLOCKS) or "none"
        out += [f"Started when a case opens: {opening}.", "", *_clock_rows(wf), ""]
        out += ["### Diagram", "", "```mermaid", workflow_mermaid(wf.NAME).rstrip("\n"), "```", ""]
    out += _unit_overrides()
    return "\n".join(out) + "\n"


def register_cli(app: Flask) -> None:
    @app.cli.group("workflows")
    def workflows_group():
        """The procedures as state machines: diagrams, and docs/procedures.md."""

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

    @workflows_group.command("docs")
    @click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, allow_dash=True),
        default=str(PROCEDURES_MD),
        show_default="docs/procedures.md",
        help="Where to write; - prints to standard output.",
    )
    def docs(output):
        """Write the procedures (states, triggers, roles, clocks, legal basis) as Markdown."""
        text = procedures_markdown()
        if output == "-":
            click.echo(text, nl=False)
            return
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
