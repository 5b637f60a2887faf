"""The interface every file cleaner implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True)
class CleanedFile:
    """A cleaned attachment, and the kinds (never the values) of what was removed."""

    content_type: str
    data: bytes
    removed: tuple[str, ...]


class FileCleaner(Protocol):
    """One format family. ``clean`` raises ``MalformedFileError`` as soon as it cannot parse."""

    mime_types: ClassVar[tuple[str, ...]]

    def inspect(self, data: bytes, mime_type: str) -> dict[str, Any]: ...

    def clean(self, data: bytes, mime_type: str) -> CleanedFile: ...
