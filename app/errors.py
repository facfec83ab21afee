"""Domain exceptions raised by operations; the web layer maps them to messages and statuses."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the operation; ``message`` is user-facing and translated."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The acting user may not do this."""

    status = 403


class Conflict(DomainError):
    """The record changed under the user (stale version) or the state forbids the action."""

    status = 409


class InvalidInput(DomainError):
    """The values given are not acceptable."""

    status = 400


class StaleVersion(Conflict):
    """The record changed after the user loaded it: who changed it, and when."""

    def __init__(self, message: str, *, changed_by: str, changed_at: str) -> None:
        super().__init__(message)
        self.changed_by, self.changed_at = changed_by, changed_at
