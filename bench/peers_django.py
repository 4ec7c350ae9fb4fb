"""bench/peers.py's Django peers: the adjudication step with viewflow.fsm or django-fsm-2 and the
Django ORM, over caseflow's own tables. Run by bench/peers.py in bench/.venv-peers:

    bench/.venv-peers/bin/python bench/peers_django.py viewflow|django-fsm-2

Fed over stdin, one JSON line a round (as bench/peers_workers.py). The code is what a Django
developer writes for the step: lock the case (``select_for_update``), move its state through the
library's transition, read the active clocks, create the event, save the changed clocks,
``bulk_create`` the new clocks and their history rows, take the next number of a counter row with
an ``F()`` update, create the notice, and save the case under its version with a filtered
``update()`` (optimistic locking), all in one ``transaction.atomic()``.
"""

import json
import secrets
import sys
import time
import traceback
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import django
from django.conf import settings

SYSTEM = sys.argv[1]
HELLO = json.loads(sys.stdin.readline())
URL = HELLO["url"]

if URL.startswith("sqlite"):
    database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": URL.removeprefix("sqlite:///"),
        # caseflow's pragmas (WAL, NORMAL sync, busy timeout); Django turns foreign keys on.
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 5,
        },
    }
else:
    parts = urlsplit(URL.replace("postgresql+psycopg://", "postgresql://"))
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "",
        "PASSWORD": parts.password or "",
        "HOST": parts.hostname or "",
        "PORT": parts.port or "",
    }
settings.configure(
    DATABASES={"default": database},
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
    USE_TZ=True,
    TIME_ZONE="UTC",
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()

from django.db import models, transaction  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.db.models import F  # noqa: E402


def _json_as_text(sender, connection, **kwargs):
    """caseflow's columns are ``json`` (SQLAlchemy's JSON), not ``jsonb``: hand Django the text,
    as its PostgreSQL backend does for ``jsonb``, so JSONField decodes it itself."""
    if connection.vendor == "postgresql":
        from psycopg.types.string import TextLoader

        connection.connection.adapters.register_loader("json", TextLoader)


connection_created.connect(_json_as_text)

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class States(models.TextChoices):
    FILED = "filed"
    ACCEPTED = "accepted"
    AWAITING_ANSWER = "awaiting_answer"
    UNDER_REVIEW = "under_review"
    DECIDED = "decided"


# --- models over caseflow's tables --------------------------------------------------------------


class Unmanaged:
    app_label = "peers"
    managed = False


if SYSTEM == "django-fsm-2":
    from django_fsm import FSMField, transition

    class Case(models.Model):
        id = models.CharField(primary_key=True, max_length=32)
        state = FSMField(default=States.FILED, choices=States.choices, protected=False)
        version = models.IntegerField()
        data = models.JSONField()
        last_event_at = models.DateTimeField(null=True)
        next_due_at = models.DateTimeField(null=True)
        is_closed = models.BooleanField()
        closed_at = models.DateTimeField(null=True)
        complainant = models.JSONField()
        respondent = models.JSONField()

        class Meta(Unmanaged):
            db_table = "cases"

        @transition(field=state, source=States.FILED, target=States.ACCEPTED)
        def accept(self):
            pass

        @transition(field=state, source=States.ACCEPTED, target=States.AWAITING_ANSWER)
        def serve(self):
            pass

        @transition(field=state, source=States.AWAITING_ANSWER, target=States.UNDER_REVIEW)
        def receive_answer(self):
            pass

        @transition(field=state, source=States.UNDER_REVIEW, target=States.DECIDED)
        def decide(self):
            pass

    def fire_transition(case, trigger):
        getattr(case, trigger)()

else:
    from viewflow import fsm

    class Case(models.Model):
        id = models.CharField(primary_key=True, max_length=32)
        state = models.CharField(max_length=40, choices=States.choices)
        version = models.IntegerField()
        data = models.JSONField()
        last_event_at = models.DateTimeField(null=True)
        next_due_at = models.DateTimeField(null=True)
        is_closed = models.BooleanField()
        closed_at = models.DateTimeField(null=True)
        complainant = models.JSONField()
        respondent = models.JSONField()

        class Meta(Unmanaged):
            db_table = "cases"

    class CaseFlow:
        """viewflow's way: a flow class wraps one case row per operation."""

        state = fsm.State(States, default=States.FILED)

        def __init__(self, case):
            self.case = case

        @state.setter()
        def _set_state(self, value):
            self.case.state = value

        @state.getter()
        def _get_state(self):
            return self.case.state

        @state.transition(source=States.FILED, target=States.ACCEPTED)
        def accept(self):
            pass

        @state.transition(source=States.ACCEPTED, target=States.AWAITING_ANSWER)
        def serve(self):
            pass

        @state.transition(source=States.AWAITING_ANSWER, target=States.UNDER_REVIEW)
        def receive_answer(self):
            pass

        @state.transition(source=States.UNDER_REVIEW, target=States.DECIDED)
        def decide(self):
            pass

    def fire_transition(case, trigger):
        getattr(CaseFlow(case), trigger)()


class Event(models.Model):
    case = models.ForeignKey(Case, models.DO_NOTHING, db_constraint=False)
    kind = models.CharField(max_length=32)
    actor_id = models.IntegerField(null=True)
    actor_name = models.CharField(max_length=40, null=True)
    trigger = models.CharField(max_length=40, null=True)
    from_state = models.CharField(max_length=40, null=True)
    to_state = models.CharField(max_length=40, null=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    note = models.TextField()
    data = models.JSONField()

    class Meta(Unmanaged):
        db_table = "events"


class Clock(models.Model):
    case = models.ForeignKey(Case, models.DO_NOTHING, db_constraint=False)
    name = models.CharField(max_length=40)
    period = models.CharField(max_length=40, null=True)
    period_unit = models.CharField(max_length=16)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    last_day_on = models.DateField(null=True)
    status = models.CharField(max_length=16)
    provisional = models.BooleanField()
    paused_at = models.DateTimeField(null=True)
    remaining = models.IntegerField(null=True)
    extended = models.IntegerField()
    paused_seconds = models.IntegerField()
    stopped_at = models.DateTimeField(null=True)
    next_alert_at = models.DateTimeField(null=True)
    alert_level = models.CharField(max_length=16, null=True)
    due_soon_at = models.DateTimeField(null=True)
    unit_id = models.IntegerField()  # its case's unit (the dashboard reads a unit's clocks)

    class Meta(Unmanaged):
        db_table = "clocks"


class ClockEntry(models.Model):
    clock = models.ForeignKey(Clock, models.DO_NOTHING, db_constraint=False)
    event = models.ForeignKey(Event, models.DO_NOTHING, db_constraint=False, null=True)
    actor_id = models.IntegerField(null=True)
    action = models.CharField(max_length=16)
    at = models.DateTimeField()
    due_before = models.DateTimeField(null=True)
    due_after = models.DateTimeField(null=True)
    period = models.CharField(max_length=40, null=True)
    note = models.TextField()
    recorded_at = models.DateTimeField()

    class Meta(Unmanaged):
        db_table = "clock_entries"


class Sequence(models.Model):
    scope = models.CharField(primary_key=True, max_length=120)
    last_value = models.IntegerField()

    class Meta(Unmanaged):
        db_table = "sequences"


class Notice(models.Model):
    case = models.ForeignKey(Case, models.DO_NOTHING, db_constraint=False)
    unit_id = models.IntegerField()
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=60)
    addressee = models.JSONField()
    document_number = models.CharField(max_length=80)
    sequence_scope = models.CharField(max_length=120)
    sequence_value = models.IntegerField()
    issued_at = models.DateTimeField()
    event = models.ForeignKey(Event, models.DO_NOTHING, db_constraint=False, null=True)
    status = models.CharField(max_length=16)
    verification_code = models.CharField(max_length=16)
    replaces_id = models.IntegerField(null=True)
    created_at = models.DateTimeField()
    rendered_at = models.DateTimeField(null=True)
    file_path = models.CharField(max_length=300, null=True)
    file_size = models.IntegerField(null=True)
    sha256 = models.CharField(max_length=64, null=True)
    attempts = models.IntegerField()
    last_error = models.TextField(null=True)

    class Meta(Unmanaged):
        db_table = "notices"


# --- the step ------------------------------------------------------------------------------------


def next_number(scope: str) -> int:
    """The gapless counter: increment the row (locked until commit), create it on first use."""
    if not Sequence.objects.filter(scope=scope).update(last_value=F("last_value") + 1):
        Sequence.objects.create(scope=scope, last_value=1)
    return Sequence.objects.values_list("last_value", flat=True).get(scope=scope)


def _parsed(row: dict, model) -> dict:
    """The plan's JSON values as the model's field types (done once, outside the timing)."""
    out = {}
    for key, value in row.items():
        field = model._meta.get_field(key)
        if isinstance(value, str) and isinstance(field, models.DateTimeField):
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(field, models.DateField):
            value = date.fromisoformat(value)
        out[key] = value
    return out


DROP = {"id", "case_id", "clock_id", "event_id", "actor_id", "recorded_at", "created_at"}


def prepare(step: dict) -> dict:
    notice = step["notice"]
    return {
        **step,
        "event": _parsed({k: v for k, v in step["event"].items() if k not in DROP}, Event),
        "clocks_changed": {n: _parsed(c, Clock) for n, c in step["clocks_changed"].items()},
        "clocks_started": [
            _parsed({k: v for k, v in c.items() if k not in DROP}, Clock)
            for c in step["clocks_started"]
        ],
        "entries": [
            (
                e["clock"],
                _parsed(
                    {k: v for k, v in e.items() if k not in DROP and k not in ("clock", "new")},
                    ClockEntry,
                ),
            )
            for e in step["entries"]
        ],
        "notice": notice
        and {
            **notice,
            "row": _parsed(
                {
                    k: v
                    for k, v in notice["row"].items()
                    if k not in DROP
                    and k
                    not in (
                        "unit_id",
                        "sequence_scope",
                        "sequence_value",
                        "document_number",
                        "verification_code",
                        "addressee",
                    )
                },
                Notice,
            ),
        },
        "case": _parsed(step["case"], Case),
    }


SETUP = HELLO["setup"]
PLAN = [prepare(step) for step in HELLO["plan"]]


def fire(case_id: str, step: dict) -> None:
    now = datetime.now(UTC)
    actor_id = SETUP["users"][step["role"]]
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        version = case.version
        fire_transition(case, step["trigger"])
        active = {
            clock.name: clock
            for clock in Clock.objects.filter(case_id=case_id, status__in=("running", "paused"))
        }
        event = Event.objects.create(
            case_id=case_id, actor_id=actor_id, recorded_at=now, **step["event"]
        )
        for name, changes in step["clocks_changed"].items():
            clock = active[name]
            for field, value in changes.items():
                setattr(clock, field, value)
            clock.save(update_fields=list(changes))
        for clock in Clock.objects.bulk_create(
            [
                Clock(case_id=case_id, **{**row, "unit_id": SETUP["unit_id"]})
                for row in step["clocks_started"]
            ]
        ):
            active[clock.name] = clock
        ClockEntry.objects.bulk_create(
            [
                ClockEntry(
                    clock=active[name], event=event, actor_id=actor_id, recorded_at=now, **row
                )
                for name, row in step["entries"]
            ]
        )
        notice = step["notice"]
        if notice:
            scope = notice["scope"].replace("{unit}", SETUP["unit_code"])
            number = next_number(scope)
            party = (
                case.complainant
                if notice["addressee"].get("role") == "complainant"
                else case.respondent
            )
            Notice.objects.create(
                case_id=case_id,
                unit_id=SETUP["unit_id"],
                event=event,
                created_at=now,
                sequence_scope=scope,
                sequence_value=number,
                document_number=notice["pattern"].format(
                    year=2026, seq=number, unit_code=SETUP["unit_code"]
                ),
                verification_code="".join(secrets.choice(_ALPHABET) for _ in range(10)),
                addressee={**notice["addressee"], "name": party.get("name", "")},
                **notice["row"],
            )
        changes = {**step["case"], "state": case.state}
        if not Case.objects.filter(pk=case_id, version=version).update(**changes):
            raise RuntimeError("version conflict")


class DriverTimer:
    """Statements sent and seconds inside the driver (each statement through Django's execute
    wrapper, each commit), for a round that is not among the measured ones."""

    def __init__(self):
        self.statements = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began
            self.statements += 1

    def commit(self, call):
        def timed():
            began = time.perf_counter()
            try:
                return call()
            finally:
                self.seconds += time.perf_counter() - began

        return timed


def run(cases, timed: bool) -> dict:
    from django.db import connection

    if not timed:
        began = time.perf_counter()
        for case_id in cases:
            for step in PLAN:
                fire(case_id, step)
        return {"seconds": time.perf_counter() - began}
    timer = DriverTimer()
    connection._commit = timer.commit(connection._commit)
    try:
        with connection.execute_wrapper(timer):
            began = time.perf_counter()
            for case_id in cases:
                for step in PLAN:
                    fire(case_id, step)
            seconds = time.perf_counter() - began
    finally:
        del connection._commit  # the class's method again
    return {"seconds": seconds, "statements": timer.statements, "driver_seconds": timer.seconds}


def main() -> int:
    print(json.dumps({"ok": True}), flush=True)
    for line in sys.stdin:
        message = json.loads(line)
        try:
            answer = run(message["cases"], bool(message.get("timed")))
        except Exception:  # noqa: BLE001 — reported to the orchestrator, which stops
            answer = {"error": traceback.format_exc()}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
