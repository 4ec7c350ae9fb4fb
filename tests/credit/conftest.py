from tests.engine.helpers import fire, open_case, staff  # noqa: F401
