"""Domain errors: raised by services when a rule says no, shown to people as-is."""


class DomainError(Exception):
    """A rule of the product refused the action. ``message`` is written for the user."""

    code = "refused"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class PermissionDeniedError(DomainError):
    code = "permission_denied"
