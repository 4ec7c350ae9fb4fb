"""The documentation in docs/ that is generated from the code stays equal to it: the procedures
(from workflows/) and the OpenAPI document (from caseflow/api/openapi.py). When a test fails,
regenerate and commit: ``flask --app wsgi workflows docs`` / ``flask --app wsgi api openapi``."""

import json
import re

import workflows
from caseflow.api.cli import OPENAPI_JSON, openapi_text
from caseflow.cases.cli import PROCEDURES_MD, procedures_markdown
from tests.conftest import ROOT


def test_procedures_md_is_generated_from_workflows():
    assert PROCEDURES_MD.read_text(encoding="utf-8") == procedures_markdown(), (
        "docs/procedures.md differs from workflows/: run `flask --app wsgi workflows docs`"
    )


def test_procedures_md_covers_every_workflow_state_trigger_and_clock():
    text = procedures_markdown()
    for wf in workflows.WORKFLOWS.values():
        assert f"`{wf.NAME}`" in text
        for name in [s.name for s in wf.STATES] + [t.trigger for t in wf.TRANSITIONS]:
            assert f"`{name}`" in text
        for clock in wf.CLOCKS:
            assert f"`{clock.name}`" in text and clock.basis.split(";")[0] in text


def test_openapi_json_is_what_the_api_serves(client):
    assert OPENAPI_JSON.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json differs from the API: run `flask --app wsgi api openapi`"
    )
    assert json.loads(OPENAPI_JSON.read_text(encoding="utf-8")) == client.get(
        "/api/v1/openapi.json"
    ).get_json()


def test_docs_are_self_contained():
    """Nothing in the README or docs/ sends a reader outside the repository's files, and every
    relative link points at a file that exists."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text, page
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to {target}"
