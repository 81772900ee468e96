"""Errors the services raise and the blueprints turn into responses."""

from __future__ import annotations


class InvalidField(ValueError):
    """A value breaks a rule; `field` names it so forms, the CLI and a 400 can point at it.

    The one bad-argument error: a form field, a filter or paging parameter, a path segment
    or a cell of an imported file. `value` is the offending text (shortened), when known."""

    def __init__(self, field: str, reason: str, value: str = "") -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.value = value

    @property
    def message(self) -> str:
        return self.reason


class NotAllowed(Exception):
    """The acting user may not do this (403)."""


class NotFound(LookupError):
    """No such item, or the acting user may not learn that it exists (404)."""


class Conflict(Exception):
    """The item changed since the form was opened, or its state does not allow the action (409).

    `current` carries the stored version when the caller may want to compare with it.
    """

    def __init__(self, message: str, current: object | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.current = current


class InvalidFields(ValueError):
    """Several values break rules at once, so that a form can show every message together."""

    def __init__(self, errors: list[InvalidField]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors
