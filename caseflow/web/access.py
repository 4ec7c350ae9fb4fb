"""Access checks for views: permission is a query (``cases_visible_to``), a gate where a page
belongs to a role or a unit, and where a ``next`` parameter may send the browser."""

from functools import wraps
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user, login_required


def role_required(*roles: str):
    """Only these roles (admins always pass); others get the 403 page."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role != "admin" and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site (``/cases/…``), else ``default``: a ``next``
    parameter (after login, after a step fired from the desk board) never sends the browser to
    another site — no ``//host``, ``/\\host`` (browsers read it as ``//host``), ``scheme:`` or
    control characters."""
    if (
        target
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and not any(ch in target for ch in "\r\n\t")
        and not urlsplit(target).netloc
    ):
        return target
    return default


def require_unit(unit_id: int | None) -> None:
    """404 unless the current user may see this unit's records: another unit's objects answer
    exactly like missing ones."""
    if not current_user.can_see_unit(unit_id):
        abort(404)
