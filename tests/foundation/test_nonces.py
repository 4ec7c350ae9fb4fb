"""One-time tokens (caseflow.nonces): spent once, free again after a rollback, swept once expired."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseflow.errors import Malformed
from caseflow.extensions import db
from caseflow.nonces import NonceSpent, SpentNonce, nonce_spend

HOUR = timedelta(hours=1)


def test_a_nonce_is_spent_once_and_a_rolled_back_spend_leaves_it_free():
    nonce_spend("captcha", "a" * 16, lifetime=HOUR)
    db.session.rollback()
    nonce_spend("captcha", "a" * 16, lifetime=HOUR)  # the rolled-back spend did nothing
    db.session.commit()
    with pytest.raises(NonceSpent):
        nonce_spend("captcha", "a" * 16, lifetime=HOUR)
    db.session.rollback()
    nonce_spend("case_new", "a" * 16, lifetime=HOUR)  # another purpose, another token
    with pytest.raises(Malformed):
        nonce_spend("captcha", "short", lifetime=HOUR)


def test_expired_nonces_are_swept_by_a_later_spend(time_machine):
    nonce_spend("captcha", "b" * 16, lifetime=HOUR)
    db.session.commit()
    time_machine.shift(HOUR + timedelta(minutes=1))
    nonce_spend("captcha", "c" * 16, lifetime=HOUR)
    db.session.commit()
    assert db.session.scalars(select(SpentNonce.key)).all() == ["captcha:" + "c" * 16]
