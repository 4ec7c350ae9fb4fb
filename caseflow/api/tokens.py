"""``GET /api/v1/tokens`` and ``DELETE /api/v1/tokens/{id}``: a user's own API tokens (admins: all).

The token itself is never shown again; a token is named by its id, creation and expiry.
"""

from caseflow.accounts.services import token_revoke, tokens_of
from caseflow.api import api_user, bp
from caseflow.extensions import db
from caseflow.timeutil import iso


def token_json(row) -> dict:
    return {
        "id": row.id,
        "user": row.user.username,
        "created_at": iso(row.created_at),
        "expires_at": iso(row.expires_at),
        "last_used_at": iso(row.last_used_at),
        "revoked": row.revoked,
    }


@bp.get("/tokens")
def tokens_list():
    """The caller's tokens, newest first; an admin sees everyone's."""
    user = api_user()
    return {"tokens": [token_json(t) for t in tokens_of(None if user.is_admin else user)]}


@bp.delete("/tokens/<int:token_id>")
def tokens_revoke(token_id: int):
    """Revoke a token at once (this one included). Someone else's token is 404, like a missing one."""
    row = token_revoke(token_id, actor=api_user())
    db.session.commit()
    return token_json(row)
