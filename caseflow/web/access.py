"""Access checks for views: permission is a query (``cases_visible_to``), and a gate where a page
belongs to a role or a unit."""

from functools import wraps

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


def require_unit(unit_id: int | None) -> None:
    """404 unless the current user may see this unit's records: another unit's objects answer
    exactly like missing ones."""
    if not current_user.can_see_unit(unit_id):
        abort(404)
