"""The environment an operator writes (docs/deployment.md, "Configuration"): every variable is read,
documented, and a value caseflow cannot use stops it at start with the variable's name."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import config
from caseflow import create_app
from tests.conftest import ROOT

#: A value for each variable read as a number, a switch or a level (the unset test clears them).
GIVEN = {
    "CASEFLOW_SWEEP_SECONDS": " 30 ",
    "CASEFLOW_PROXY_HOPS": "1",
    "CASEFLOW_TOKEN_DAYS": "30",
    "CASEFLOW_RENDER_NOTICES_INLINE": "Off",
    "CASEFLOW_PUBLIC_CAPTCHA": "no",
    "CASEFLOW_NOTICE_WORKERS": "3",
    "CASEFLOW_NOTICE_RENDERS_PER_WORKER": "200",
    "CASEFLOW_LOG_LEVEL": "warning",
}


def test_whole_numbers_and_switches_are_read_from_the_environment(monkeypatch, tmp_path):
    for name, value in GIVEN.items():
        monkeypatch.setenv(name, value)
    settings = config.from_environment(str(tmp_path))
    assert settings["CASEFLOW_SWEEP_SECONDS"] == 30
    assert settings["CASEFLOW_PROXY_HOPS"] == 1
    assert settings["CASEFLOW_TOKEN_DAYS"] == 30
    assert settings["CASEFLOW_RENDER_NOTICES_INLINE"] is False
    assert settings["CASEFLOW_PUBLIC_CAPTCHA"] is False
    assert settings["CASEFLOW_NOTICE_WORKERS"] == 3
    assert settings["CASEFLOW_NOTICE_RENDERS_PER_WORKER"] == 200
    assert settings["CASEFLOW_LOG_LEVEL"] == "WARNING"


def test_unset_and_empty_variables_take_their_defaults(monkeypatch, tmp_path):
    for name in GIVEN:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASEFLOW_RENDER_NOTICES_INLINE", "")  # empty counts as unset
    settings = config.from_environment(str(tmp_path))
    assert settings["CASEFLOW_SWEEP_SECONDS"] == 60
    assert settings["CASEFLOW_PROXY_HOPS"] == 0
    assert settings["CASEFLOW_TOKEN_DAYS"] == 90
    assert settings["CASEFLOW_RENDER_NOTICES_INLINE"] is True
    assert settings["CASEFLOW_PUBLIC_CAPTCHA"] is True
    assert settings["CASEFLOW_NOTICE_WORKERS"] is None  # one per core (caseflow.notices.pool)
    assert settings["CASEFLOW_NOTICE_RENDERS_PER_WORKER"] == 50
    assert settings["CASEFLOW_LOG_LEVEL"] == "INFO"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("CASEFLOW_SWEEP_SECONDS", "abc", "CASEFLOW_SWEEP_SECONDS='abc': expected a whole number"),
        ("CASEFLOW_SWEEP_SECONDS", "0", "CASEFLOW_SWEEP_SECONDS='0': expected at least 1 seconds"),
        ("CASEFLOW_SWEEP_SECONDS", "1.5", "expected a whole number of seconds"),
        ("CASEFLOW_PROXY_HOPS", "-1", "CASEFLOW_PROXY_HOPS='-1': expected at least 0"),
        ("CASEFLOW_TOKEN_DAYS", "ninety", "CASEFLOW_TOKEN_DAYS='ninety'"),
        ("CASEFLOW_NOTICE_WORKERS", "0", "CASEFLOW_NOTICE_WORKERS='0': expected at least 1"),
        ("CASEFLOW_RENDER_NOTICES_INLINE", "maybe", "CASEFLOW_RENDER_NOTICES_INLINE='maybe'"),
        ("CASEFLOW_PUBLIC_CAPTCHA", "of", "CASEFLOW_PUBLIC_CAPTCHA='of': expected on or off"),
        ("CASEFLOW_LOG_LEVEL", "loud", "CASEFLOW_LOG_LEVEL='LOUD': expected one of DEBUG"),
        (
            "CASEFLOW_TIMEZONE",
            "Mars/Olympus",
            "CASEFLOW_TIMEZONE='Mars/Olympus': expected a time zone",
        ),
        ("CASEFLOW_TIMEZONE", "asia/shanghai", "CASEFLOW_TIMEZONE='asia/shanghai'"),
        ("CASEFLOW_TIMEZONE", "/etc/passwd", "CASEFLOW_TIMEZONE='/etc/passwd'"),
        ("CASEFLOW_STORAGE", "ftp://x/y", "CASEFLOW_STORAGE='ftp://x/y': expected a folder"),
        ("CASEFLOW_STORAGE", "file:///srv/x", "or s3://bucket/prefix"),
        ("CASEFLOW_STORAGE", "s3:///prefix", "CASEFLOW_STORAGE='s3:///prefix': expected s3://"),
        ("SMTP_URL", "http://mail.example.cn:25", "SMTP_URL: expected smtp://"),
        ("SMTP_URL", "mail.example.cn", "SMTP_URL: expected smtp://"),
        ("SMTP_URL", "smtp://mail.example.cn:2x5", "SMTP_URL: the port"),
        # Read as no STARTTLS at all: the password went over the wire in clear.
        ("SMTP_URL", "smtp://u:p@mail.example.cn:587?starttls=yes", "SMTP_URL: expected nothing after the port but ?starttls=1"),
        ("SMTP_URL", "smtp://mail.example.cn:587?tls=1", "SMTP_URL: expected nothing after the port but ?starttls=1"),
        # Every mail refused by the server, and retried, for ever.
        ("CASEFLOW_MAIL_FROM", "notanaddress", "CASEFLOW_MAIL_FROM='notanaddress': expected an"),
        ("CASEFLOW_MAIL_FROM", "ipc@", "CASEFLOW_MAIL_FROM='ipc@': expected an e-mail address"),
        ("CASEFLOW_PUBLIC_URL", "caseflow.example.cn", "CASEFLOW_PUBLIC_URL: expected an address"),
        ("CASEFLOW_PUBLIC_URL", "htps://caseflow.example.cn", "expected an address https://"),
        ("CASEFLOW_PUBLIC_URL", "https://caseflow.example.cn/?a=1", "with no ?query"),
        ("CASEFLOW_WEBHOOK_URL", "https:///send?key=x", "CASEFLOW_WEBHOOK_URL: expected"),
        ("CASEFLOW_WEBHOOK_URL", "https://qyapi.example.cn:99999/x", "WEBHOOK_URL: the port"),
        ("CASEFLOW_SMS_URL", "sms.example.cn/send", "CASEFLOW_SMS_URL: expected an address"),
        ("DATABASE_URL", "garbage", "DATABASE_URL: expected sqlite:///path or postgresql+psycopg:"),
        ("DATABASE_URL", "mysql://caseflow:pw@db/caseflow", "DATABASE_URL: expected sqlite:///"),
        ("DATABASE_URL", "postgresql+psycopg2://db/caseflow", "not postgresql+psycopg2://"),
        ("DATABASE_URL", "sqlite:/caseflow.db", "DATABASE_URL: expected sqlite:///"),
        ("DATABASE_URL", "postgresql://db:54x32/caseflow", "DATABASE_URL: the port"),
    ],
)
def test_a_value_that_cannot_be_used_stops_the_app_at_start_naming_the_variable(
    monkeypatch, tmp_path, name, value, expected
):
    monkeypatch.setenv(name, value)
    with pytest.raises(config.ConfigError, match=re.escape(expected)):
        config.from_environment(str(tmp_path))
    # The factory every process starts from (web, CLI, scheduler) refuses it too.
    with pytest.raises(config.ConfigError, match=re.escape(name)):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/unused.db"})


def test_a_time_zone_is_read_and_empty_means_asia_shanghai(monkeypatch, tmp_path):
    monkeypatch.setenv("CASEFLOW_TIMEZONE", " Asia/Urumqi ")
    assert config.from_environment(str(tmp_path))["CASEFLOW_TIMEZONE"] == "Asia/Urumqi"
    monkeypatch.setenv("CASEFLOW_TIMEZONE", "")
    assert config.from_environment(str(tmp_path))["CASEFLOW_TIMEZONE"] == "Asia/Shanghai"


def test_the_pages_format_times_in_the_configured_zone(tmp_path):
    """Flask-Babel's zone is the one the clocks count in, not a second, fixed one."""
    from flask_babel import get_timezone

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/unused.db",
            "CASEFLOW_TIMEZONE": "Asia/Urumqi",
        }
    )
    with app.test_request_context("/"):
        assert str(get_timezone()) == "Asia/Urumqi"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CASEFLOW_STORAGE", "/srv/caseflow/storage"),
        ("CASEFLOW_STORAGE", "instance/storage"),
        ("CASEFLOW_STORAGE", "s3://caseflow/prod"),
        ("SMTP_URL", "smtp://user:pass@mail.example.cn:25"),
        ("SMTP_URL", "smtps://mail.example.cn:465"),
        ("SMTP_URL", "smtp://mail.example.cn:587?starttls=1"),
        ("CASEFLOW_MAIL_FROM", "caseflow@ipc.example.gov.cn"),
        ("CASEFLOW_MAIL_FROM", "caseflow@localhost"),
        ("CASEFLOW_MAIL_FROM", "知识产权保护中心 <caseflow@ipc.example.gov.cn>"),
        ("CASEFLOW_PUBLIC_URL", "https://ipp.example.gov.cn"),
        ("CASEFLOW_PUBLIC_URL", "http://127.0.0.1:5000/caseflow/"),
        ("CASEFLOW_WEBHOOK_URL", "https://qyapi.example.cn/cgi-bin/webhook/send?key=abc"),
        ("CASEFLOW_SMS_URL", "http://10.0.0.5:8080/sms"),
    ],
)
def test_the_storage_mail_and_web_address_forms_caseflow_speaks_are_accepted(
    monkeypatch, tmp_path, name, value
):
    monkeypatch.setenv(name, value)
    assert config.from_environment(str(tmp_path))[name] == value


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("sqlite:////srv/caseflow/caseflow.db", "sqlite:////srv/caseflow/caseflow.db"),
        ("sqlite:///instance/caseflow.db", "sqlite:///instance/caseflow.db"),
        ("postgresql+psycopg://cf:pw@db:5432/caseflow", "postgresql+psycopg://cf:pw@db:5432/caseflow"),
        # What operators type (and what hosting panels print): read as the driver caseflow ships.
        ("postgresql://cf:pw@db:5432/caseflow", "postgresql+psycopg://cf:pw@db:5432/caseflow"),
        ("postgres://cf:pw@db/caseflow", "postgresql+psycopg://cf:pw@db/caseflow"),
        ("postgresql:///caseflow", "postgresql+psycopg:///caseflow"),  # the local socket
    ],
)
def test_the_database_urls_caseflow_speaks_are_accepted(monkeypatch, tmp_path, value, read):
    monkeypatch.setenv("DATABASE_URL", value)
    assert config.from_environment(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == read


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://caseflow:hunter2-secret@db/caseflow"),
        ("DATABASE_URL", "postgresql://caseflow:hunter2-secret@db:5x432/caseflow"),
        ("SMTP_URL", "http://caseflow:hunter2-secret@mail.example.cn:25"),
        ("CASEFLOW_WEBHOOK_URL", "htps://qyapi.example.cn/send?key=hunter2-secret"),
    ],
)
def test_a_refused_address_does_not_repeat_its_secret(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(config.ConfigError) as refused:
        config.from_environment(str(tmp_path))
    assert "hunter2" not in str(refused.value) and str(refused.value).startswith(name)


def _refused_start(tmp_path, command, variable, **env):
    """Run ``command`` (a program of the virtualenv) in the repository, configured as usual but
    for ``env``; it must end with status 1 and no traceback. The run, and its error lines that
    name ``variable``."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/unused.db",
        "CASEFLOW_STORAGE": str(tmp_path / "storage"),
        "SECRET_KEY": "x" * 32,
        **env,
    }
    program = str(Path(sys.executable).with_name(command[0]))
    done = subprocess.run(
        [program, *command[1:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    return done, [line for line in done.stderr.splitlines() if variable in line]


@pytest.mark.parametrize(
    "command",
    [
        ["flask", "--app", "wsgi", "sla", "sweep"],
        ["flask", "--app", "wsgi", "scheduler"],
        ["flask", "--app", "wsgi", "--help"],
        ["gunicorn", "--workers", "1", "--bind", "127.0.0.1:0", "wsgi:app"],
        ["gunicorn", "--preload", "--workers", "1", "--bind", "127.0.0.1:0", "wsgi:app"],
    ],
    ids=["cli", "scheduler", "help", "gunicorn", "gunicorn-preload"],
)
def test_a_bad_value_ends_each_process_with_one_line_and_status_1(tmp_path, command):
    """What an operator sees in journald: the message naming the variable, not a traceback (and
    for gunicorn not a worker failing to boot after another)."""
    done, ours = _refused_start(
        tmp_path, command, "CASEFLOW_TIMEZONE", CASEFLOW_TIMEZONE="Mars/Olympus"
    )
    assert ours == [
        "caseflow: CASEFLOW_TIMEZONE='Mars/Olympus': expected a time zone of the IANA database,"
        " such as Asia/Shanghai"
    ]
    # gunicorn logs its start before the master checks; nothing else.
    assert all("Starting gunicorn" in line for line in done.stderr.splitlines() if line not in ours)


@pytest.mark.parametrize("value", ["postgres//caseflow@db/caseflow", "mysql://db/caseflow"])
@pytest.mark.parametrize(
    "command",
    [
        ["flask", "--app", "wsgi", "sla", "sweep"],
        ["gunicorn", "--workers", "1", "--bind", "127.0.0.1:0", "wsgi:app"],
    ],
    ids=["cli", "gunicorn"],
)
def test_a_bad_database_url_ends_each_process_with_one_line_and_status_1(tmp_path, command, value):
    """It printed 38 to 69 lines of SQLAlchemy's traceback (gunicorn: exit status 3)."""
    done, ours = _refused_start(tmp_path, command, "DATABASE_URL", DATABASE_URL=value)
    assert len(ours) == 1 and ours[0].startswith("caseflow: DATABASE_URL: expected sqlite:///")
    assert all("Starting gunicorn" in line for line in done.stderr.splitlines() if line not in ours)


def test_the_render_pool_takes_its_size_from_the_environment(monkeypatch, tmp_path):
    from caseflow.notices.pool import pool_size

    monkeypatch.setenv("CASEFLOW_NOTICE_WORKERS", "3")
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/unused.db", "TESTING": True}
    )
    with app.app_context():
        assert pool_size() == 3


def test_every_variable_the_code_reads_is_documented_in_deployment_md():
    """Every environment variable read by config.py or by caseflow/ has its line in
    docs/deployment.md: an operator learns of no setting by reading the source."""
    read = set()
    sources = [ROOT / "config.py", *sorted((ROOT / "caseflow").rglob("*.py"))]
    pattern = re.compile(
        r"""(?:environ\.get|environ\[|getenv|_whole_number|_switch|_log_level|_time_zone|_storage|_smtp_url|_database_url)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    for path in sources:
        read |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert {"DATABASE_URL", "CASEFLOW_SWEEP_SECONDS", "CASEFLOW_NOTICE_WORKERS"} <= read
    deployment = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    # Set by the platform, not by an operator of caseflow.
    platform = {"HOME", "PATH", "PYTHONPATH", "TMPDIR", "CI"}
    missing = sorted(name for name in read - platform if f"`{name}`" not in deployment)
    assert not missing, f"not in docs/deployment.md: {missing}"


def test_without_smtp_url_electronic_service_fails_and_the_docs_say_so(app, monkeypatch):
    """Account mail may go to .eml files, but a file is no proof of service: e-mail service of a
    notice refuses to pretend, and deployment.md tells the operator (it said only ".eml")."""
    from caseflow.parties.delivery import email_serve

    monkeypatch.setitem(app.config, "SMTP_URL", None)
    with pytest.raises(RuntimeError, match="electronic service needs a mail server"):
        email_serve(None, app.config, "https://example.cn/p/x")
    deployment = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    row = next(line for line in deployment.splitlines() if line.startswith("| `SMTP_URL`"))
    assert "electronic service" in row and "no proof of service" in row


def test_a_storage_folder_that_cannot_be_made_stops_the_app_naming_the_variable(tmp_path):
    """A path under a file (a typo, a mount missing): not a NotADirectoryError traceback."""
    (tmp_path / "afile").write_text("x")
    with pytest.raises(config.ConfigError, match=r"^CASEFLOW_STORAGE: cannot create or write"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/unused.db",
                "CASEFLOW_STORAGE": str(tmp_path / "afile" / "sub"),
            }
        )


@pytest.mark.parametrize(
    "command",
    [
        ["flask", "--app", "wsgi", "sla", "sweep"],
        ["flask", "--app", "wsgi", "restore", "/nonexistent-backup"],
        ["flask", "--app", "wsgi", "scheduler"],
        ["gunicorn", "--workers", "1", "--bind", "127.0.0.1:0", "wsgi:app"],
    ],
    ids=["cli", "restore", "scheduler", "gunicorn"],
)
def test_an_unusable_storage_folder_ends_each_process_with_one_line_and_status_1(
    tmp_path, command
):
    (tmp_path / "afile").write_text("x")
    done, ours = _refused_start(
        tmp_path, command, "CASEFLOW_STORAGE", CASEFLOW_STORAGE=str(tmp_path / "afile" / "sub")
    )
    assert ours == [
        f"caseflow: CASEFLOW_STORAGE: cannot create or write the folder {tmp_path}/afile/sub:"
        " Not a directory"
    ], done.stderr
    assert all("Starting gunicorn" in line for line in done.stderr.splitlines() if line not in ours)
