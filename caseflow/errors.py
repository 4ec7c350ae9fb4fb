"""Domain errors. Services raise them; the web layer turns them into a message, the API into JSON.

Each carries an HTTP status and a machine code, and ``fields`` maps a field name to a reason.
Messages are Chinese first; ``message_en`` is used when the client asks for English.
"""


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, message_en: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.fields = fields or {}


class Malformed(DomainError):
    status = 400
    code = "malformed"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class StateConflict(DomainError):
    """The trigger is not allowed in the case's current state."""

    status = 409
    code = "state_conflict"


class VersionConflict(DomainError):
    """Someone else changed the case since the client read it (optimistic locking)."""

    status = 409
    code = "version_conflict"

    @classmethod
    def stale_write(cls) -> "VersionConflict":
        """A versioned row changed under us between our read and our flush or commit
        (SQLAlchemy's ``StaleDataError``): the engine's step and every page's edge say the same."""
        return cls(
            "案件已被他人修改，请刷新后重试",
            message_en="the case was changed by someone else; reload and retry",
            fields={"version": "stale"},
        )


class ValidationFailed(DomainError):
    """The data is well-formed but invalid; ``fields`` says which field and why."""

    status = 422
    code = "invalid"
