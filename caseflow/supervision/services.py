"""Supervisors' writes: reassigning several cases at once, and the inbox's saved filters."""

from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select

from caseflow.accounts.models import User
from caseflow.cases.models import Case
from caseflow.cases.services import assignee_check, assignee_record
from caseflow.errors import NotFound, PermissionDenied, ValidationFailed
from caseflow.extensions import db
from caseflow.supervision.models import SavedFilter
from caseflow.timeutil import utcnow

#: The inbox's filter parameters a saved filter keeps (the page number is not one).
FILTER_KEYS = ("tab", "workflow", "state", "overdue", "due_before", "q")
MAX_SAVED = 30
MAX_BULK = 200


def cases_reassign(*, case_ids: list[str], assignee: User | None, actor) -> list[Case]:
    """Give every case in ``case_ids`` to ``assignee`` (None: back to unassigned) in one
    transaction: all or none. Each case gets its own ``assign`` event, as a single assignment
    does. Supervisors of the cases' unit and admins only. The caller commits."""
    if actor is None or actor.role not in ("supervisor", "admin"):
        raise PermissionDenied("只有部门负责人可以分配案件", message_en="only supervisors assign cases")
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise ValidationFailed("请选择案件", message_en="select cases", fields={"case_ids": "empty"})
    if len(ids) > MAX_BULK:
        raise ValidationFailed(
            f"一次最多 {MAX_BULK} 件", message_en=f"at most {MAX_BULK}", fields={"case_ids": "many"}
        )
    cases = list(db.session.scalars(select(Case).where(Case.id.in_(ids))))
    # Another unit's case answers like a missing one (as case_get does): the answer must not
    # confirm that an id belongs to a case elsewhere.
    if len(cases) != len(ids) or not all(actor.can_see_unit(case.unit_id) for case in cases):
        raise NotFound("案件不存在", message_en="No such case")
    now = utcnow()
    for case in cases:
        if case.is_closed:
            raise ValidationFailed(
                f"{case.number} 已结案", message_en=f"{case.number} is closed",
                fields={"case_ids": "closed"},
            )
        assignee_check(case, assignee)
    for case in cases:
        if case.assignee_id != (assignee.id if assignee else None):
            assignee_record(case, assignee, actor=actor, now=now, bulk=True)
    db.session.flush()
    return cases


def filter_query(args) -> str:
    """The filter part of the inbox's query string, in a fixed order."""
    pairs = [(k, v) for k, v in (args.items() if hasattr(args, "items") else args) if k in FILTER_KEYS and v]
    return urlencode(sorted(pairs, key=lambda kv: FILTER_KEYS.index(kv[0])))


def saved_filter_save(*, user, name: str, query: str) -> SavedFilter:
    """Save (or replace) the user's filter ``name``. The caller commits."""
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ValidationFailed("请填写名称（最多 60 字）", message_en="name 1-60 characters",
                               fields={"name": "1-60"})
    query = filter_query(parse_qsl(query or ""))
    existing = db.session.scalar(
        select(SavedFilter).where(SavedFilter.user_id == user.id, SavedFilter.name == name)
    )
    if existing is None:
        count = len(saved_filters_of(user))
        if count >= MAX_SAVED:
            raise ValidationFailed(f"最多保存 {MAX_SAVED} 个筛选", fields={"name": "too many"})
        existing = SavedFilter(user_id=user.id, name=name)
        db.session.add(existing)
    existing.query = query
    db.session.flush()
    return existing


def saved_filter_delete(*, user, filter_id: int) -> None:
    saved = db.session.get(SavedFilter, filter_id)
    if saved is None or saved.user_id != user.id:
        raise NotFound("筛选不存在", message_en="no such filter")
    db.session.delete(saved)
    db.session.flush()


def saved_filters_of(user) -> list[SavedFilter]:
    return list(
        db.session.scalars(
            select(SavedFilter).where(SavedFilter.user_id == user.id).order_by(SavedFilter.name)
        )
    )
