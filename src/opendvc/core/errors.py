"""Domain errors carry a stable code; they are mapped to HTTP once, in opendvc.api."""


class DomainError(Exception):
    """A refusal the caller can act on. `code` is stable and documented; `message` is for people."""

    status = 400
    code = "invalid_request"

    def __init__(
        self, message: str, *, code: str | None = None, fields: dict | None = None, status: int | None = None
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.fields = fields or {}


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The record changed since the page was drawn (another official acted): nothing was overwritten."""

    status = 409
    code = "conflict"


class IllegalTransition(DomainError):
    """The action does not apply to the record in its present status."""

    status = 409
    code = "illegal_transition"


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"
