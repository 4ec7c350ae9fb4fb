from tests.engine.helpers import applicant, fair, fire, open_any, open_case, staff  # noqa: F401
