"""Issue 16, weakness 16: the dependencies are checked offline against the vendored snapshot of the
PyPA advisory database (scripts/audit), with OSV ranges evaluated by packaging.version."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent.parent
AUDIT = ROOT / "scripts" / "audit"
SNAPSHOT = ROOT / "scripts" / "advisories" / "pypa-advisories.json"

_spec = importlib.util.spec_from_file_location("caseflow_audit", ROOT / "scripts" / "audit.py")
audit = importlib.util.module_from_spec(_spec)
sys.modules["caseflow_audit"] = audit  # dataclasses look their module up
_spec.loader.exec_module(audit)


def _run(*args):
    # No network is needed: the run must pass with every proxy pointing nowhere.
    env = {"PATH": "/usr/bin:/bin", "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}
    return subprocess.run(
        [str(AUDIT), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )


def test_the_snapshot_records_its_commit_and_date_and_covers_every_requirement():
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert snapshot["source"] == "https://github.com/pypa/advisory-database"
    assert len(snapshot["commit"]) == 40 and snapshot["date"][:4].isdigit()
    assert set(audit.read_pins(ROOT / "requirements.txt")) <= set(snapshot["covered"])
    # Only our packages are vendored, each advisory an OSV PYSEC record.
    assert set(snapshot["advisories"]) <= set(snapshot["covered"])
    assert all(a["id"].startswith("PYSEC-") for v in snapshot["advisories"].values() for a in v)


def test_an_old_jinja2_and_werkzeug_are_flagged(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# old pins\njinja2==2.10\nWerkzeug==2.3.7  # comment\nflask==3.1.3\n")
    result = _run("-r", str(requirements))
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "snapshot of 20" in out  # the snapshot's date is said
    # PYSEC-2019-217: jinja2 sandbox escape, fixed in 2.10.1.
    assert "FINDING: PYSEC-2019-217 jinja2 2.10 (fixed in 2.10.1)" in out
    # PYSEC-2023-221: werkzeug, ranges 0–2.3.8 and 3.0.0–3.0.1; 2.3.7 is in the first.
    assert "FINDING: PYSEC-2023-221 werkzeug 2.3.7 (fixed in 2.3.8)" in out
    assert "3 packages checked" in out


def test_an_allow_listed_finding_passes_with_its_reason_and_one_without_a_reason_is_refused(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("werkzeug==2.3.7\n")
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    ids = [
        a["id"]
        for a in snapshot["advisories"]["werkzeug"]
        if audit.advisory_findings("werkzeug", "2.3.7", [a])
    ]
    allow = tmp_path / "allow.txt"
    allow.write_text("".join(f"{i} Werkzeug the debugger is never enabled\n" for i in ids))
    result = _run("-r", str(requirements), "--allow", str(allow))
    assert result.returncode == 0, result.stdout
    assert "allowed: the debugger is never enabled: PYSEC-2023-221 werkzeug 2.3.7" in result.stdout

    allow.write_text(f"{ids[0]} werkzeug\n")
    result = _run("-r", str(requirements), "--allow", str(allow))
    assert result.returncode == 1 and "needs `ID package reason`" in result.stderr


def test_a_package_the_snapshot_was_not_built_for_fails(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("left-pad-for-python==1.0\n")
    result = _run("-r", str(requirements))
    assert result.returncode == 1
    assert "NOT COVERED: left-pad-for-python 1.0" in result.stdout


def test_an_installed_only_package_outside_the_snapshot_is_reported_not_failed():
    snapshot = {"date": "2024-10-10", "commit": "0" * 40, "covered": ["flask"], "advisories": {}}
    pins = {"flask": "3.1.3", "some-new-transitive": "1.0"}
    assert audit.check(pins, snapshot, {}, required={"flask"}) == 0
    assert audit.check(pins, snapshot, {}, required={"flask", "some-new-transitive"}) == 1


def test_unpinned_requirements_are_refused(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("flask>=3\n")
    result = _run("-r", str(requirements))
    assert result.returncode == 1 and "not pinned with ==" in result.stderr


def test_our_requirements_and_installed_packages_pass():
    result = _run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 not allowed" in result.stdout and "0 not covered" in result.stdout


def test_osv_ranges_introduced_fixed_last_affected_and_version_lists():
    def advisory(ranges=(), versions=()):
        return [{"id": "PYSEC-0", "summary": "", "affected": [
            {"package": "Demo_Pkg", "ranges": list(ranges), "versions": list(versions)}]}]

    two_ranges = advisory([[{"introduced": "0"}, {"fixed": "2.3.8"}, {"introduced": "3.0.0"}, {"fixed": "3.0.1"}]])
    found = {v: audit.advisory_findings("demo-pkg", v, two_ranges) for v in
             ("1.0", "2.3.7", "2.3.8", "2.9", "3.0.0", "3.0.1", "3.0.1.post1", "3.0.0rc1")}
    assert [f.fixed for f in found["2.3.7"]] == ["2.3.8"]
    assert [f.fixed for f in found["3.0.0"]] == ["3.0.1"]
    assert found["1.0"] and not found["2.3.8"] and not found["2.9"]
    assert not found["3.0.1"] and not found["3.0.1.post1"]
    assert not found["3.0.0rc1"]  # a pre-release sorts before 3.0.0

    last = advisory([[{"introduced": "1.2"}, {"last_affected": "1.4"}]])
    assert audit.advisory_findings("demo-pkg", "1.4", last)[0].fixed == "none"
    assert not audit.advisory_findings("demo-pkg", "1.4.1", last)
    assert not audit.advisory_findings("demo-pkg", "1.1", last)

    listed = advisory(versions=["0.9", "1.0"])
    assert audit.advisory_findings("demo-pkg", "1.0.0", listed)  # 1.0.0 == 1.0 (PEP 440)
    assert not audit.advisory_findings("demo-pkg", "1.1", listed)
    assert Version("1.0.0") == Version("1.0")
