"""The engine, the clocks and the calendar are typed against ``Actor`` (mypy checks them in
scripts/test); a signed-in ``User`` is what they get at run time."""

from caseflow.accounts.models import Actor


def test_a_user_is_an_actor(make_user, units):
    user = make_user("caseworker", units["ZS"])
    assert isinstance(user, Actor)
    assert user.can_see_unit(units["ZS"].id) and not user.can_see_unit(units["PD"].id)
