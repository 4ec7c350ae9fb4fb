"""Offline dependency audit against a vendored snapshot of the PyPA advisory database.

pip-audit can only ask PyPI or OSV over the network (pypa/pip-audit#698: no local database), and
caseflow's machines and government networks reach neither. So the advisories that concern our
packages are vendored in ``scripts/advisories/pypa-advisories.json`` (OSV records of
https://github.com/pypa/advisory-database, ``vulns/<package>/PYSEC-*.yaml``, with the snapshot's
commit and date) and checked here with ``packaging.version``, without any network.

    scripts/audit                       requirements.txt and every installed distribution
    scripts/audit -r FILE [-r FILE]     only these requirement files (add --installed for both)
    scripts/audit --update PATH         rebuild the snapshot from a checkout (or bare git dir) of
                                        the advisory database, for requirements.txt plus the
                                        installed distributions

A finding fails the run (exit 1) unless ``scripts/advisories/allow.txt`` lists its id and package
with a reason. A pinned package the snapshot was not built for fails too (exit 1): run --update.
An installed package it was not built for (a new transitive dependency) is reported only, so an
offline machine's fresh install still passes.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "scripts" / "advisories" / "pypa-advisories.json"
ALLOW = ROOT / "scripts" / "advisories" / "allow.txt"
SOURCE = "https://github.com/pypa/advisory-database"

# `name==version` with optional extras; comments and blank lines are skipped, anything else refused.
PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;#]+)")


@dataclass(frozen=True)
class Finding:
    id: str
    package: str
    installed: str
    fixed: str
    summary: str


def read_pins(path: Path) -> dict[str, str]:
    """Pinned packages of one requirements file, by canonical name. Unpinned lines are an error."""
    pins: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        match = PIN.match(text)
        if not match:
            raise SystemExit(f"{path}:{number}: not pinned with == : {line.strip()}")
        pins[canonicalize_name(match.group(1))] = match.group(3)
    return pins


def installed_distributions() -> dict[str, str]:
    """What `pip freeze` would list, read from this interpreter's environment (no subprocess)."""
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[canonicalize_name(name)] = dist.version
    for tool in ("pip", "setuptools", "wheel"):  # pip freeze leaves these out too
        found.pop(tool, None)
    return found


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _in_range(events: list[dict[str, str]], version: Version) -> tuple[bool, str]:
    """OSV ECOSYSTEM range: walk the events in version order. Returns (affected, fixed-in)."""
    ordered: list[tuple[Version, str]] = []
    for event in events:
        for kind, value in event.items():
            if kind == "introduced" and value == "0":
                ordered.append((Version("0"), kind))
            elif kind in ("introduced", "fixed", "last_affected"):
                parsed = _version(value)
                if parsed is not None:  # an unparsable bound is dropped: the range only widens
                    ordered.append((parsed, kind))
    ordered.sort(key=lambda item: item[0])
    affected = False
    fixed_in = ""
    for bound, kind in ordered:
        if kind == "introduced" and bound <= version:
            affected, fixed_in = True, ""
        elif kind == "fixed":
            if bound <= version:
                affected = False
            elif affected and not fixed_in:
                fixed_in = str(bound)
        elif kind == "last_affected" and bound < version:
            affected = False
    return affected, fixed_in


def advisory_findings(package: str, installed: str, advisories: list[dict]) -> list[Finding]:
    """Every advisory of the snapshot that covers this package at this version."""
    version = _version(installed)
    if version is None:
        return []
    findings = []
    for advisory in advisories:
        hit, fixed = False, ""
        for affected in advisory["affected"]:
            if canonicalize_name(affected["package"]) != package:
                continue
            for events in affected.get("ranges", []):
                in_range, fixed_in = _in_range(events, version)
                if in_range:
                    hit, fixed = True, fixed or fixed_in
            listed = {_version(v) for v in affected.get("versions", [])}
            if version in listed:
                hit = True
        if hit:
            findings.append(
                Finding(advisory["id"], package, installed, fixed or "none", advisory["summary"])
            )
    return findings


def read_allow_list(path: Path) -> dict[tuple[str, str], str]:
    """`ID package reason…` lines; a line without a reason is refused."""
    allowed: dict[tuple[str, str], str] = {}
    if not path.exists():
        return allowed
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(None, 2)
        if len(parts) < 3:
            raise SystemExit(f"{path}:{number}: needs `ID package reason`: {text}")
        allowed[(parts[0], canonicalize_name(parts[1]))] = parts[2]
    return allowed


def check(
    pins: dict[str, str],
    snapshot: dict,
    allowed: dict[tuple[str, str], str],
    required: set[str] | None = None,
) -> int:
    """Print the findings and return the exit status. ``required`` are the packages named by the
    requirement files: one of them missing from the snapshot fails the run; a package that is only
    installed (a transitive dependency a fresh install brought) is reported, not failed."""
    print(
        f"advisories: PyPA advisory database snapshot of {snapshot['date']} "
        f"(commit {snapshot['commit'][:12]}), vendored in {SNAPSHOT.relative_to(ROOT)}"
    )
    covered = set(snapshot["covered"])
    missing = sorted(set(pins) - covered)
    findings: list[Finding] = []
    for package in sorted(pins):
        findings += advisory_findings(package, pins[package], snapshot["advisories"].get(package, []))
    failed = False
    for finding in findings:
        reason = allowed.get((finding.id, finding.package))
        mark = f"allowed: {reason}" if reason else "FINDING"
        failed |= reason is None
        print(
            f"{mark}: {finding.id} {finding.package} {finding.installed} "
            f"(fixed in {finding.fixed}) {finding.summary}"
        )
    required = set(pins) if required is None else required
    for package in missing:
        mark = "NOT COVERED" if package in required else "not covered (installed only)"
        print(f"{mark}: {package} {pins[package]} is not in the snapshot: run scripts/audit --update")
    failed |= bool(set(missing) & required)
    open_count = sum((f.id, f.package) not in allowed for f in findings)
    print(
        f"{len(pins)} packages checked, {len(findings)} advisories match "
        f"({open_count} not allowed), {len(missing)} not covered"
    )
    return 1 if failed else 0


# --update: reading the advisory database through git, so a bare mirror and a checkout both work.


def _git(repo: Path, *args: str) -> str:
    if (repo / "objects").is_dir() and (repo / "HEAD").is_file():
        command = ["git", "--git-dir", str(repo), *args]
    else:
        command = ["git", "-C", str(repo), *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _compact(record: dict) -> dict:
    """The fields the checker needs, and a one-line summary for the report."""
    text = (record.get("summary") or record.get("details") or "").strip().splitlines()
    return {
        "id": record["id"],
        "aliases": record.get("aliases", []),
        "summary": (text[0] if text else "")[:160],
        "affected": [
            {
                "package": item["package"]["name"],
                "ranges": [
                    r["events"] for r in item.get("ranges", []) if r.get("type") == "ECOSYSTEM"
                ],
                "versions": [str(v) for v in item.get("versions", [])],
            }
            for item in record.get("affected", [])
            if item.get("package", {}).get("ecosystem") == "PyPI"
        ],
    }


def update(repo: Path, packages: set[str]) -> dict:
    import yaml  # only --update needs YAML (PyYAML is in the dev environment)

    commit = _git(repo, "rev-parse", "HEAD").strip()
    date = _git(repo, "log", "-1", "--format=%cI", "HEAD").strip()
    folders = {
        canonicalize_name(Path(path).name): path
        for path in _git(repo, "ls-tree", "--name-only", "HEAD", "vulns/").split()
    }
    advisories: dict[str, list[dict]] = {}
    for package in sorted(packages):
        if package not in folders:
            continue
        files = _git(repo, "ls-tree", "--name-only", "HEAD", folders[package] + "/").split()
        for path in sorted(files):
            if not path.endswith((".yaml", ".yml")):
                continue
            record = yaml.safe_load(_git(repo, "show", f"HEAD:{path}"))
            if record.get("withdrawn"):
                continue
            advisories.setdefault(package, []).append(_compact(record))
    return {
        "source": SOURCE,
        "commit": commit,
        "date": date,
        "covered": sorted(packages),
        "advisories": advisories,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="scripts/audit", description=__doc__.split("\n\n")[0])
    parser.add_argument("-r", "--requirements", action="append", type=Path, default=[])
    parser.add_argument("--installed", action="store_true", help="also the installed distributions")
    parser.add_argument("--allow", type=Path, default=ALLOW, help="allow-list (ID package reason)")
    parser.add_argument("--update", type=Path, metavar="PATH", help="advisory-database checkout")
    args = parser.parse_args(argv)

    if args.update:
        packages = set(read_pins(ROOT / "requirements.txt")) | set(installed_distributions())
        snapshot = update(args.update, packages)
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(snapshot, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        count = sum(len(v) for v in snapshot["advisories"].values())
        print(
            f"{SNAPSHOT.relative_to(ROOT)}: {count} advisories for {len(snapshot['advisories'])} "
            f"of {len(packages)} packages, snapshot {snapshot['commit'][:12]} of {snapshot['date']}"
        )
        return 0

    files = args.requirements or [ROOT / "requirements.txt"]
    pins: dict[str, str] = {}
    if args.installed or not args.requirements:
        pins.update(installed_distributions())
    required: set[str] = set()
    for path in files:
        pinned = read_pins(path)
        pins.update(pinned)  # the requirement file's pin wins over what is installed
        required |= set(pinned)
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return check(pins, snapshot, read_allow_list(args.allow), required)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
