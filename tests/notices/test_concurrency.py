"""Document numbers under concurrent transitions: gapless and never handed out twice."""

import threading
import time

from caseflow.cases.models import Case, Event
from caseflow.extensions import db
from caseflow.notices.services import notice_queue
from tests.notices.conftest import at


def test_a_concurrent_step_waits_for_the_number_and_takes_it_back_on_rollback(app, make_case):
    first, second, third = (make_case("adjudication").id for _ in range(3))
    db.session.commit()
    numbers = {}
    holding = threading.Event()

    def step(case_id, *, hold=False, commit=True):
        with app.app_context():
            case = db.session.get(Case, case_id)
            event = Event(case=case, kind="transition", occurred_at=at("2026-09-22 10:00"))
            db.session.add(event)
            numbers[case_id] = notice_queue(
                case=case, kind="answer_notice", event=event
            ).document_number
            if hold:
                holding.set()
                time.sleep(0.5)  # keep the counter locked while the other step asks for it
            if commit:
                db.session.commit()
            else:
                db.session.rollback()
            db.session.remove()

    # The first step takes number 1 and rolls back while the second waits for the counter.
    a = threading.Thread(target=step, args=(first,), kwargs={"hold": True, "commit": False})
    a.start()
    assert holding.wait(10)
    b = threading.Thread(target=step, args=(second,))
    b.start()
    a.join(10)
    b.join(10)
    step(third)

    assert numbers[first] == "中维通字〔2026〕第1号"  # given back by the rollback
    assert numbers[second] == "中维通字〔2026〕第1号"
    assert numbers[third] == "中维通字〔2026〕第2号"
