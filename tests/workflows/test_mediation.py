"""Every row of the `mediation` transition table, fired from each of its source states: the allowed
role succeeds with one audit event, other roles get 403, other states 409."""

from tests.workflows.walk import walk


def test_every_row_from_every_source(open_any, fire):
    walk("mediation", open_any=open_any, fire=fire)
