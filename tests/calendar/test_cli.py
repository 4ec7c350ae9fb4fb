"""``flask --app wsgi deadline …`` and ``calendar load|show`` through Flask's CLI runner."""

import pytest

from caseflow.calendar.models import CalendarYear
from caseflow.cases.models import Event
from caseflow.clocks.services import clock_start
from caseflow.extensions import db
from tests.calendar.conftest import local


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args, input=None: runner.invoke(args=list(args), input=input)


@pytest.mark.parametrize(
    "start, period, expected",
    [
        ("2026-09-28T10:00", "5 workdays", "2026-10-10"),
        ("2026-09-22", "15 days", "2026-10-08"),
        ("2026-01-31", "1 months", "2026-02-28"),
        ("2026-10-02T20:00", "24 hours", "2026-10-03T20:00:00+08:00"),
        ("2026-10-02T12:00:00Z", "2 hours", "2026-10-02T22:00:00+08:00"),
    ],
)
def test_deadline_prints_the_due_date(cli, start, period, expected):
    result = cli("deadline", start, period)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected + "\n"
    assert result.stderr == ""


def test_deadline_accepts_the_period_unquoted(cli):
    assert cli("deadline", "2026-09-28", "5", "workdays").stdout == "2026-10-10\n"


def test_deadline_explain_lists_days(cli):
    result = cli("deadline", "2026-09-28T10:00", "5 workdays", "--explain")
    lines = result.stdout.splitlines()
    assert "2026-10-07 Wed skipped  holiday 国庆节" in lines
    assert "2026-10-10 Sat counted 5  make-up workday (调休) 国庆节" in lines
    assert lines[-1] == "2026-10-10"


def test_a_provisional_result_says_so_on_stderr(cli):
    result = cli("deadline", "2026-12-28", "5 workdays")
    assert result.exit_code == 0
    assert result.stdout == "2027-01-05\n"
    assert "provisional" in result.stderr and "2027" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (("2026-13-01", "5 workdays"), "not an ISO 8601 date"),
        (("2026-09-28", "5 weeks"), "unknown unit"),
        (("2026-09-28", "five days"), "bad period"),
        (("2003-01-06", "5 workdays"), "outside the working-day calendar"),
        (("2026-09-28",), "missing PERIOD"),
        (("9999-12-31", "24 hours"), "the year must be 1970–2099"),
    ],
)
def test_bad_arguments_exit_non_zero_with_one_line(cli, args, message):
    result = cli("deadline", *args)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr and "Traceback" not in result.output


def test_batch_mode_prints_one_line_per_input(cli):
    lines = "\n".join(
        [
            "2026-09-28T10:00 5 workdays",
            "2026-09-22 15 days",
            "2026-12-28 5 workdays",
            "2026-10-02T20:00 24 hours",
            "2026-02-30 1 days",
            "2026-09-28 5 fortnights",
            "",
            "2026-01-31 1 months",
            "0001-01-01 5 days",  # a year nothing can count in: its own line, and on
            "9999-12-31T23:59:59-14:00 24 hours",
            "2026-09-22\t15 days",  # a tab between the two, as a spreadsheet copies them
        ]
    )
    result = cli("deadline", "-", input=lines + "\n")
    assert result.exit_code == 0
    out = result.stdout.splitlines()
    assert out[:4] == [
        "2026-10-10",
        "2026-10-08",
        "2027-01-05 provisional",
        "2026-10-03T20:00:00+08:00",
    ]
    assert out[4].startswith("error: not an ISO 8601 date")
    assert out[5].startswith("error: bad period")
    # interfaces.md: one line per input, a blank one too, so line n answers line n.
    assert out[6] == "error: empty line, expected START PERIOD"
    assert out[7] == "2026-02-28"
    assert out[8].startswith("error: 年份应在1970至2099年之间：0001-01-01")
    assert out[9].startswith("error: 年份应在1970至2099年之间")
    assert out[10] == "2026-10-08" and len(out) == 11


@pytest.mark.parametrize(
    "args, message",
    [
        (("deadline", "2026-09-22", "-3 days"), "No such option '-3'"),
        (("calendar", "show", "abc"), "'abc' is not a valid integer"),
        (("workflows", "diagram", "x", "--format", "png"), "'png' is not one of"),
        (("calendar", "nonsense"), "No such command 'nonsense'"),
        (("deadline",), "Missing argument 'START'"),
        (("users", "create"), "Missing argument 'NAME'"),
    ],
)
def test_usage_errors_are_one_line_on_stderr(cli, args, message):
    """interfaces.md: bad arguments exit non-zero with one clear line on stderr — click's
    usage errors too (exit 2, as click gives them), not its three lines of Usage / Try / Error."""
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and message in line, line


def test_calendar_show_official_and_provisional(cli):
    result = cli("calendar", "show", "2026")
    assert result.stdout.splitlines()[0] == "2026 official (chinesecalendar 1.11.0 / 国办发明电)"
    assert "2026-10-10 workday 国庆节" in result.stdout
    result = cli("calendar", "show", "2027")
    assert result.stdout.startswith("2027 provisional")
    assert "2027-02-05 holiday 春节" in result.stdout and " workday " not in result.stdout
    assert cli("calendar", "show", "1999").exit_code != 0


def test_calendar_load_prints_what_moved(cli, restore_2027, make_case):
    case = make_case()
    clock_start(case, "exam", period="10 workdays", started_at=local("2027-02-01T10:00"))
    db.session.commit()
    result = cli("calendar", "load", str(restore_2027))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "loaded 2027: 28 holiday(s), 5 make-up workday(s); 1 clock(s) moved"
    # The last days, as `deadline` prints them (was the instants, 24:00 read as the next day).
    assert lines[1] == f"{case.number} exam 2027-02-19 -> 2027-02-20"
    assert db.session.get(CalendarYear, 2027).status == "official"
    assert cli("deadline", "2027-02-04", "1 workdays").stdout == "2027-02-13\n"
    assert db.session.query(Event).filter_by(kind="calendar").count() == 1


def test_calendar_load_refuses_a_bad_file_and_loads_nothing(cli, restore_2027, tmp_path):
    bad = tmp_path / "2027.txt"
    bad.write_text(
        "2027-01-01 holiday 元旦\n2027-01-02 vacation 元旦\n2027/01/03 holiday x\n",
        encoding="utf-8",
    )
    result = cli("calendar", "load", str(bad))
    assert result.exit_code != 0
    assert "line 2: " in result.stderr and "kind must be 'holiday' or 'workday'" in result.stderr
    assert "line 3: " in result.stderr and "not a date" in result.stderr
    assert "未载入 / nothing loaded: 2 bad line(s)" in result.stderr
    assert "Traceback" not in result.output
    db.session.rollback()
    assert db.session.get(CalendarYear, 2027) is None
    assert cli("calendar", "load", str(tmp_path / "missing.txt")).exit_code != 0


def test_calendar_load_says_why_in_chinese_too_and_reads_a_file_with_a_bom(
    cli, restore_2027, tmp_path
):
    bad = tmp_path / "bad.txt"
    bad.write_text("2027-01-01 holiday 元旦\n2027-01-02 vacation 元旦\n", encoding="utf-8")
    result = cli("calendar", "load", str(bad))
    (line,) = [x for x in result.stderr.splitlines() if "line 2" in x]
    chinese, _, english = line.partition(": line 2: ")[2].partition(" / ")
    assert chinese and english and not chinese.isascii() and english.isascii()
    db.session.rollback()
    noted = tmp_path / "notepad.txt"
    noted.write_text(restore_2027.read_text(encoding="utf-8"), encoding="utf-8-sig")
    result = cli("calendar", "load", str(noted))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("loaded 2027: 28 holiday(s), 5 make-up workday(s)")


def test_calendar_load_refuses_a_schedule_without_a_statutory_holiday(
    cli, restore_2027, tmp_path
):
    """A 2027 file without its 元旦 lines loaded (exit 0), and 2027-01-01 became a working day."""
    lost = tmp_path / "2027.txt"
    lost.write_text(
        "".join(x for x in restore_2027.read_text(encoding="utf-8").splitlines(True) if "元旦" not in x),
        encoding="utf-8",
    )
    result = cli("calendar", "load", str(lost))
    assert result.exit_code == 1
    assert "2027-01-01 元旦" in result.stderr and "2027-01-01 New Year's Day" in result.stderr
    assert "Traceback" not in result.output
    db.session.rollback()
    assert db.session.get(CalendarYear, 2027) is None
    assert cli("deadline", "2026-12-31", "1 workdays").stdout == "2027-01-04\n"


def test_calendar_load_refuses_a_gbk_file_in_chinese_and_english(cli, restore_2027, tmp_path):
    """A notice saved by a Chinese Windows editor is GBK: the command printed Python's codec
    error ('utf-8' codec can't decode byte 0xd4…), in English only, where the admin page and the
    API say what to do."""
    gbk = tmp_path / "2027.txt"
    gbk.write_bytes(restore_2027.read_text(encoding="utf-8").encode("gbk"))
    for args, given in (((str(gbk),), None), (("-",), gbk.read_bytes())):
        result = cli("calendar", "load", *args, input=given)
        assert result.exit_code == 1
        (line,) = [x for x in result.stderr.splitlines() if x.strip()]
        assert "文件不是 UTF-8 编码（如为 GBK，请另存为 UTF-8）" in line
        assert "the file is not UTF-8 text (save it as UTF-8)" in line
        assert "codec" not in line
    db.session.rollback()
    assert db.session.get(CalendarYear, 2027) is None


def test_calendar_load_refuses_a_control_character_with_its_line(cli, restore_2027, tmp_path):
    """A NUL in a day's name was a traceback with exit 0 on PostgreSQL (stored on SQLite)."""
    bad = tmp_path / "nul.txt"
    bad.write_text("2027-01-01 holiday 元旦\n2027-01-02 holiday 元\x00旦\n", encoding="utf-8")
    result = cli("calendar", "load", str(bad))
    assert result.exit_code != 0
    assert "line 2: 含有控制字符 U+0000 / contains the control character U+0000" in result.stderr
    assert "Traceback" not in result.output
    db.session.rollback()
    assert db.session.get(CalendarYear, 2027) is None
