from tests.calendar.conftest import restore_2027  # noqa: F401  (the test 2027 schedule)
from tests.engine.helpers import fire, open_case, staff  # noqa: F401
