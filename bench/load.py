"""Benchmark: throughput under concurrency. The real app under gunicorn on PostgreSQL with 32
concurrent clients, side by side with a bare Flask endpoint making the same raw writes.

    .venv/bin/python bench/load.py [--clients 32] [--cases 3] [--seconds 120] [--public 2000]

- caseflow: ``gunicorn -w 2×cores wsgi:app`` on a throwaway PostgreSQL database, 127.0.0.1
  only. Notices are queued by the transitions and rendered by the scheduler's pool, not
  in the web worker (``CASEFLOW_RENDER_NOTICES_INLINE=off``): a web worker must not spend
  0.2 s of WeasyPrint per step, and the bare endpoint renders nothing either.
- bare: a Flask app of three routes under the same gunicorn, whose POST makes the same rows per
  step through psycopg (bench/peers_workers.py's floor: case under its version, event, clocks and
  their history, gapless number and pending notice), and whose two GETs read a case and a page of
  50 open cases.

Each client owns ``--cases`` adjudication cases and walks each through accept → serve →
receive_answer → decide (the API with a caseworker's or supervisor's bearer token), reading the
case's page after each step and the inbox after each case (logged in through the login form).
After a warm-up round, both systems run twice, alternating, so that load from other processes
falls on both. Bounded:
a fixed number of requests and ``--seconds`` at most per phase. Then ``/status`` and
``/verify/<code>`` (what the QR code on every notice opens) against ``/healthz``.
Reports requests/s (each kind counted over the phase's wall time: a client's loop does a step,
then a page), p50 and p99 latency and errors; targets: caseflow ≥ 0.6× the bare endpoint's
transitions/s, p99 < 5× p50, no error; /status and /verify ≥ 0.5× /healthz.
"""

import argparse
import http.client
import importlib.util
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[0] = str(ROOT)  # not bench/: bench/transitions.py would shadow the package

PASSWORD = "load-bench-password-1"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the bare endpoint (runs inside gunicorn) ----------------------------------------------------


def bare_app():
    """Flask with the same raw writes as bench/peers.py's floor, one psycopg connection a worker."""
    from flask import Flask, jsonify

    hello = json.loads(Path(os.environ["LOAD_BARE_HELLO"]).read_text())
    app = Flask("bare")
    runner = {}

    def floor():
        if "floor" not in runner:  # after the fork: each worker its own connection
            runner["floor"] = _module("peers_workers").FloorRunner(hello)
        return runner["floor"]

    @app.post("/fire/<case_id>/<int:step>")
    def fire(case_id, step):
        floor().fire(case_id, floor().plan[step])
        return jsonify(ok=True)

    @app.get("/case/<case_id>")
    def case(case_id):
        run = floor().execute
        row = run("SELECT id, number, state, version, data FROM cases WHERE id = ?", (case_id,))
        case_row = row.fetchone()
        clocks = run(
            "SELECT name, status, due_at FROM clocks WHERE case_id = ? ORDER BY id", (case_id,)
        ).fetchall()
        return jsonify(
            case=[str(v) for v in case_row], clocks=[[str(v) for v in c] for c in clocks]
        )

    @app.get("/inbox")
    def inbox():
        rows = (
            floor()
            .execute(
                "SELECT id, number, state, next_due_at FROM cases WHERE unit_id = ? AND is_closed = false"
                " ORDER BY next_due_at LIMIT 50",
                (hello["setup"]["unit_id"],),
            )
            .fetchall()
        )
        return jsonify(cases=[[str(v) for v in r] for r in rows])

    return app


# --- servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(target: str, port: int, env: dict, chdir: Path, workers: int, log=None):
    """gunicorn serving ``target``; the app's own log (a line per step, as in production) goes
    to ``log`` when given, not between the bench's lines."""
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(chdir),
            "--log-level",
            "warning",
            target,
        ],
        env={**os.environ, **env},
        stderr=log,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"gunicorn {target} did not start")


# --- clients ---------------------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP connection with a cookie, timing every request."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        began = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - began
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, data, elapsed

    def login(self, username):
        _, page, _ = self.request("GET", "/login")
        match = CSRF_RE.search(page.decode())
        token = match.group(1) or match.group(2)
        form = urlencode({"username": username, "password": PASSWORD, "csrf_token": token})
        status, _, _ = self.request(
            "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            raise RuntimeError(f"login failed: {status}")


def run_clients(count, work, seconds):
    """``work(index, record, stop)`` in ``count`` threads; the samples by kind and the wall time."""
    samples: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def record(kind, status, elapsed, ok=(200, 302)):
        with lock:
            samples.setdefault(kind, []).append(elapsed)
            if status not in ok:
                errors.append(f"{kind}: HTTP {status}")

    def body(index):
        try:
            work(index, record, lambda: time.perf_counter() > stop_at)
        except Exception as exc:  # noqa: BLE001 — counted, reported
            with lock:
                errors.append(f"client {index}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, errors, time.perf_counter() - began


def _percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))]


def summary(samples, wall):
    return {
        kind: (
            len(values) / wall,
            statistics.median(values) * 1000,
            _percentile(values, 0.99) * 1000,
        )
        for kind, values in samples.items()
    }


# --- main ------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--cases", type=int, default=3, help="cases per client per round")
    parser.add_argument("--seconds", type=float, default=120, help="time limit per phase")
    parser.add_argument("--public", type=int, default=2000, help="requests per public page")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    import contextlib
    import logging

    import psycopg
    from sqlalchemy import make_url

    logging.disable(logging.INFO)  # the seeding's line per case and step
    stack = contextlib.ExitStack()

    peers = _module("peers")
    cores = len(os.sched_getaffinity(0))
    workers = 2 * cores
    base = make_url(args.pg).set(drivername="postgresql+psycopg")
    name = f"caseflow_load_{secrets.token_hex(3)}"
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    servers = []
    try:
        with tempfile.TemporaryDirectory() as storage:
            app = peers.build_app(url, storage)
            per_system = args.clients * args.cases * 3  # a warm-up round and two measured
            setup = peers.seed(app, per_system)
            plan = peers.make_plan(app, setup["template"])
            tokens, code = _accounts(app, setup["caseflow"])
            hello = Path(storage) / "bare.json"
            hello.write_text(json.dumps({"url": url, "setup": setup["floor"], "plan": plan}))

            cf_port, bare_port = free_port(), free_port()
            secret = secrets.token_hex(8)
            # Configured as a centre configures it (docs/deployment.md): the environment.
            env = {
                "DATABASE_URL": url,
                "CASEFLOW_STORAGE": storage,
                "SECRET_KEY": secret,
                "CASEFLOW_RENDER_NOTICES_INLINE": "off",
                "SMTP_URL": "",
                "CASEFLOW_WEBHOOK_URL": "",
            }
            app_log = stack.enter_context(open(Path(storage) / "caseflow.log", "w"))  # noqa: SIM115 (closed in finally, after the servers)
            servers.append(start_gunicorn("wsgi:app", cf_port, env, ROOT, workers, log=app_log))
            servers.append(
                start_gunicorn(
                    "load:bare_app()", bare_port, {"LOAD_BARE_HELLO": str(hello)}, HERE, workers
                )
            )
            results = {"caseflow": [], "bare": []}
            for round_no in range(3):  # round 0 warms both servers up and is not counted
                for system in ("caseflow", "bare"):
                    work = _caseflow_work if system == "caseflow" else _bare_work
                    port = cf_port if system == "caseflow" else bare_port
                    key = "caseflow" if system == "caseflow" else "floor"
                    cases = setup[key]["cases"]
                    first = round_no * args.clients * args.cases

                    def one(index, record, stop, work=work, port=port, cases=cases, first=first):
                        mine = cases[first + index * args.cases : first + (index + 1) * args.cases]
                        work(port, mine, plan, tokens, record, stop)

                    result = run_clients(args.clients, one, args.seconds)
                    if round_no:
                        results[system].append(result)
            public = {}
            for label, path in (
                ("/healthz", "/healthz"),
                ("/status", "/status"),
                ("/verify", f"/verify/{code}"),
            ):
                per_client = max(1, args.public // args.clients)

                def fetch(index, record, stop, path=path, label=label, per_client=per_client):
                    client = Client(cf_port)
                    for _ in range(per_client):
                        if stop():
                            return
                        status, _, elapsed = client.request("GET", path)
                        record(label, status, elapsed)

                public[label] = run_clients(args.clients, fetch, args.seconds)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        stack.close()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"{args.clients} clients, gunicorn {workers} sync workers ({cores} cores), PostgreSQL")
    merged = {}
    for system, runs in results.items():
        samples, errors, wall = {}, [], 0.0
        for run_samples, run_errors, run_wall in runs:
            for kind, values in run_samples.items():
                samples.setdefault(kind, []).extend(values)
            errors += run_errors
            wall += run_wall
        merged[system] = (summary(samples, wall), errors)
        print(
            f"  {system:<9} "
            + "; ".join(
                f"{kind} {rate:.0f}/s p50 {p50:.1f} ms p99 {p99:.1f} ms"
                for kind, (rate, p50, p99) in sorted(merged[system][0].items())
            )
            + f"; errors {len(errors)}"
            + (f" (first: {errors[0]})" if errors else "")
        )
    cf, bare = merged["caseflow"][0], merged["bare"][0]
    ratio = cf["transition"][0] / bare["transition"][0]
    cf_p50, cf_p99 = cf["transition"][1], cf["transition"][2]
    print(
        f"  transitions/s caseflow ÷ bare {ratio:.2f}× (target ≥ 0.6×); caseflow p99/p50 "
        f"{cf_p99 / cf_p50:.1f}× (target < 5×); errors {len(merged['caseflow'][1])}"
    )
    health = summary(public["/healthz"][0], public["/healthz"][2])["/healthz"]
    print(f"  /healthz {health[0]:.0f}/s p50 {health[1]:.1f} ms p99 {health[2]:.1f} ms")
    for label in ("/status", "/verify"):
        samples, errors, wall = public[label]
        rate, p50, p99 = summary(samples, wall)[label]
        print(
            f"  {label:<8} {rate:.0f}/s p50 {p50:.1f} ms p99 {p99:.1f} ms; "
            f"{rate / health[0]:.2f}× /healthz (target ≥ 0.5×); errors {len(errors)}"
        )


def _accounts(app, system):
    """Passwords and API tokens for the caseflow unit's two users; a notice's verification code."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from caseflow.accounts.models import User
    from caseflow.accounts.services import token_create
    from caseflow.extensions import db
    from caseflow.notices.models import Notice

    with app.app_context():
        tokens = {}
        for role, user_id in system["users"].items():
            user = db.session.get(User, user_id)
            user.password_hash = generate_password_hash(PASSWORD)
            tokens[role] = (token_create(user), user.username)
        db.session.commit()
        # An issued notice, as a party scanning its QR code finds it.
        from caseflow.notices.services import notices_render_pending

        first = db.session.scalar(select(Notice.id).order_by(Notice.id).limit(1))
        notices_render_pending([first])
        code = db.session.get(Notice, first).verification_code
        db.session.remove()
    return tokens, code


def _caseflow_work(port, cases, plan, tokens, record, stop):
    api, web = Client(port), Client(port)
    web.login(tokens["caseworker"][1])
    for case_id in cases:
        for step in plan:
            if stop():
                return
            body = {"trigger": step["trigger"], "occurred_at": step["event"]["occurred_at"]}
            body["data"] = step["data"] or {}  # bench/peers.py's STEP_DATA
            status, data, elapsed = api.request(
                "POST",
                f"/api/v1/cases/{case_id}/transitions",
                json.dumps(body),
                {
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {tokens[step['role']][0]}",
                },
            )
            record("transition", status, elapsed)
            status, _, elapsed = web.request("GET", f"/cases/{case_id}")
            record("case page", status, elapsed)
        status, _, elapsed = web.request("GET", "/inbox")
        record("inbox", status, elapsed)


def _bare_work(port, cases, plan, tokens, record, stop):
    client = Client(port)
    for case_id in cases:
        for index, _ in enumerate(plan):
            if stop():
                return
            status, _, elapsed = client.request("POST", f"/fire/{case_id}/{index}")
            record("transition", status, elapsed)
            status, _, elapsed = client.request("GET", f"/case/{case_id}")
            record("case page", status, elapsed)
        status, _, elapsed = client.request("GET", "/inbox")
        record("inbox", status, elapsed)


if __name__ == "__main__":
    main()
