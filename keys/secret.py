"""A container that keeps secrets out of reprs, logs and tracebacks."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T", str, bytes)


class Secret(Generic[T]):
    """Holds a secret value; ``repr`` and ``str`` are masked, ``reveal()`` is explicit.

    Masking ``str`` too (unlike Starlette's ``Secret``) means an f-string in a
    log message can never print the value by accident.
    """

    def __init__(self, value: T) -> None:
        self._value: T = value

    def reveal(self) -> T:
        return self._value

    def __repr__(self) -> str:
        return f"{type(self).__name__}('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
