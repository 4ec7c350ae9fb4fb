"""bench/peers.py's own workers, each in its own process: caseflow's engine, and the floor (the
same statements through the bare driver, nothing else). Fed over stdin, one JSON line a round."""

import json
import secrets
import sys
import time
import traceback
from datetime import UTC, datetime

STEPS = ("accept", "serve", "receive_answer", "decide")
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _instant(text):
    return datetime.fromisoformat(text) if isinstance(text, str) else text


def serve(system: str) -> int:
    hello = json.loads(sys.stdin.readline())
    runner = CaseflowRunner(hello) if system == "caseflow" else FloorRunner(hello)
    print(json.dumps({"ok": True}), flush=True)
    for line in sys.stdin:
        message = json.loads(line)
        try:
            timer = runner.driver_timer() if message.get("timed") else None
            began = time.perf_counter()
            for case_id in message["cases"]:
                for step in runner.plan:
                    runner.fire(case_id, step)
            answer = {"seconds": time.perf_counter() - began}
            if timer is not None:
                answer.update(timer.stop())
        except Exception:  # noqa: BLE001 — reported to the orchestrator, which stops
            answer = {"error": traceback.format_exc()}
        print(json.dumps(answer), flush=True)
    return 0


class DriverTimer:
    """Statements sent and seconds spent inside the database driver (each statement, and each
    commit), for one round that is not among the measured ones: the rest of a step is the
    system's own Python."""

    def __init__(self):
        self.statements = 0
        self.seconds = 0.0

    def timed(self, call, *, statement=lambda *args: True):
        """``call`` timed; a statement (as Django's execute wrapper counts them: not the
        transaction's BEGIN or COMMIT) when ``statement(*args)`` says so."""

        def wrapper(*args, **kwargs):
            began = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - began
                self.statements += statement(*args)

        return wrapper

    def result(self) -> dict:
        return {"statements": self.statements, "driver_seconds": self.seconds}


class CaseflowRunner:
    """``case_fire`` as the API calls it: read the case (locked, on PostgreSQL), fire, commit (render
    nothing inline)."""

    def __init__(self, hello):
        import logging

        from caseflow import create_app
        from caseflow.accounts.models import User
        from caseflow.extensions import db

        self.plan = hello["plan"]
        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": hello["url"],
                "CASEFLOW_STORAGE": hello["setup"]["storage"],
                "TESTING": True,
                "SECRET_KEY": "bench",
                "SMTP_URL": None,
                "CASEFLOW_WEBHOOK_URL": None,
                "CASEFLOW_RENDER_NOTICES_INLINE": False,
            }
        )
        logging.getLogger().setLevel(logging.WARNING)
        self.context = self.app.app_context()
        self.context.push()
        # The signed-in user, loaded once as a request's login would (kept detached, so the
        # commits do not expire it).
        self.actors = {}
        for role, user_id in hello["setup"]["users"].items():
            user = db.session.get(User, user_id)
            db.session.expunge(user)
            self.actors[role] = user
        self.db = db

    def driver_timer(self):
        """Time the dialect's calls into the driver (every statement and the commit)."""
        dialect = self.db.engine.dialect
        timer = DriverTimer()
        names = ("do_execute", "do_executemany", "do_execute_no_params", "do_commit")
        for name in names:
            counts = name != "do_commit"
            setattr(
                dialect, name, timer.timed(getattr(dialect, name), statement=lambda *a, c=counts: c)
            )

        def stop():
            for name in names:
                delattr(dialect, name)  # the class's method again
            return timer.result()

        timer.stop = stop
        return timer

    def fire(self, case_id, step):
        from caseflow.cases.selectors import case_get
        from caseflow.engine import case_fire

        actor = self.actors[step["role"]]
        case = case_get(case_id, user=actor, for_step=True)  # read locked, as the API reads it
        case_fire(
            case,
            step["trigger"],
            actor,
            occurred_at=_instant(step["event"]["occurred_at"]),
            data=step["data"],
            render_notices=False,
        )
        self.db.session.commit()  # the caller commits (services flush), as the API does


class FloorRunner:
    """The same rows through sqlite3 / psycopg: one transaction a step, nothing else."""

    def __init__(self, hello):
        url = hello["url"]
        self.plan = hello["plan"]
        self.setup = hello["setup"]
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            import sqlite3

            # caseflow's pragmas (caseflow._configure_sqlite): WAL, NORMAL sync, busy timeout.
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA busy_timeout=5000")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.mark = "?"
        else:
            import psycopg

            self.conn = psycopg.connect(
                url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
            )
            self.mark = "%s"
        self.actor = {role: uid for role, uid in self.setup["users"].items()}

    # SQLAlchemy's storage on SQLite: naive UTC text with microseconds; 0/1; JSON text.
    def value(self, v, kind=None):
        if isinstance(v, dict | list):
            return json.dumps(v)
        if isinstance(v, str) and kind == "instant":
            v = datetime.fromisoformat(v)
        if isinstance(v, datetime):
            v = v.astimezone(UTC)
            return v.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else v
        if isinstance(v, bool) and self.sqlite:
            return int(v)
        return v

    def values(self, row: dict) -> dict:
        return {k: self.value(v, "instant" if k.endswith("_at") else None) for k, v in row.items()}

    def execute(self, sql, params=()):
        return self.conn.execute(sql.replace("?", self.mark), params)

    def driver_timer(self):
        timer = DriverTimer()
        self.execute = timer.timed(
            self.execute, statement=lambda sql, *a: sql not in ("BEGIN", "COMMIT", "ROLLBACK")
        )

        def stop():
            del self.execute  # the class's method again
            return timer.result()

        timer.stop = stop
        return timer

    def insert(self, table, row, returning=False):
        row = self.values(row)
        columns = ", ".join(f'"{k}"' for k in row)
        marks = ", ".join("?" for _ in row)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        if returning:
            return self.execute(sql + " RETURNING id", tuple(row.values())).fetchone()[0]
        self.execute(sql, tuple(row.values()))
        return None

    def fire(self, case_id, step):
        now = datetime.now(UTC)
        drop = ("id", "case_id", "clock_id", "event_id", "actor_id", "recorded_at", "created_at")
        self.execute("BEGIN")
        try:
            lock = "" if self.sqlite else " FOR UPDATE"
            version, state, complainant, respondent = self.execute(
                f"SELECT version, state, complainant, respondent FROM cases WHERE id = ?{lock}",
                (case_id,),
            ).fetchone()
            if state != step["from"]:
                raise RuntimeError(f"{case_id} is {state}, not {step['from']}")
            clocks = {
                name: clock_id
                for clock_id, name in self.execute(
                    "SELECT id, name FROM clocks WHERE case_id = ? AND status IN ('running', 'paused')",
                    (case_id,),
                )
            }
            actor_id = self.actor[step["role"]]
            event = {k: v for k, v in step["event"].items() if k not in drop}
            event_id = self.insert(
                "events",
                {**event, "case_id": case_id, "actor_id": actor_id, "recorded_at": now},
                returning=True,
            )
            for name, changes in step["clocks_changed"].items():
                changes = self.values(changes)
                sets = ", ".join(f'"{k}" = ?' for k in changes)
                self.execute(
                    f"UPDATE clocks SET {sets} WHERE id = ?", (*changes.values(), clocks[name])
                )
            for row in step["clocks_started"]:
                # A clock carries its case's unit (the dashboard reads a unit's clocks).
                clock = {k: v for k, v in row.items() if k not in drop}
                clocks[row["name"]] = self.insert(
                    "clocks",
                    {**clock, "case_id": case_id, "unit_id": self.setup["unit_id"]},
                    returning=True,
                )
            for entry in step["entries"]:
                values = {
                    k: v for k, v in entry.items() if k not in drop and k not in ("clock", "new")
                }
                self.insert(
                    "clock_entries",
                    {
                        **values,
                        "clock_id": clocks[entry["clock"]],
                        "event_id": event_id,
                        "actor_id": actor_id,
                        "recorded_at": now,
                    },
                )
            notice = step["notice"]
            if notice:
                scope = notice["scope"].replace("{unit}", self.setup["unit_code"])
                number = self.execute(
                    "INSERT INTO sequences (scope, last_value) VALUES (?, 1) ON CONFLICT (scope)"
                    " DO UPDATE SET last_value = sequences.last_value + 1 RETURNING last_value",
                    (scope,),
                ).fetchone()[0]
                party = (
                    complainant if notice["addressee"].get("role") == "complainant" else respondent
                )
                party = json.loads(party) if isinstance(party, str) else party
                row = {k: v for k, v in notice["row"].items() if k not in drop}
                row.update(
                    case_id=case_id,
                    unit_id=self.setup["unit_id"],
                    event_id=event_id,
                    created_at=now,
                    sequence_scope=scope,
                    sequence_value=number,
                    document_number=notice["pattern"].format(
                        year=2026, seq=number, unit_code=self.setup["unit_code"]
                    ),
                    verification_code="".join(secrets.choice(_ALPHABET) for _ in range(10)),
                    addressee={**notice["addressee"], "name": party.get("name", "")},
                )
                self.insert("notices", row)
            changes = self.values(step["case"])
            sets = ", ".join(f'"{k}" = ?' for k in changes)
            updated = self.execute(
                f"UPDATE cases SET {sets} WHERE id = ? AND version = ?",
                (*changes.values(), case_id, version),
            ).rowcount
            if updated != 1:
                raise RuntimeError("version conflict")
            self.execute("COMMIT")
        except BaseException:
            self.execute("ROLLBACK")
            raise
