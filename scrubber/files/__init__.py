"""Attachment cleaning: sniff the real type from the bytes, allow-list, clean.

The declared content type and the file name are never trusted (our clients
are adversaries): only the magic bytes choose a cleaner, and a type that is
not on the allow-list is refused.
"""

from __future__ import annotations

from scrubber.files.base import CleanedFile, FileCleaner
from scrubber.files.images import ImageCleaner
from relay.errors import MalformedFileError, UnsupportedFileError

_IMAGES = ImageCleaner()
CLEANERS: dict[str, FileCleaner] = {mime: _IMAGES for mime in ImageCleaner.mime_types}


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes say they are, or None when we do not recognise them."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def allowed_type(data: bytes) -> str:
    """The sniffed type, or ``UnsupportedFileError`` when it is not on the allow-list."""
    if not data:
        raise MalformedFileError("attachment is empty")
    mime = sniff(data)
    if mime is None or mime not in CLEANERS:
        allowed = ", ".join(sorted(CLEANERS))
        raise UnsupportedFileError(f"attachment type is not accepted; accepted types: {allowed}")
    return mime


def clean_file(data: bytes) -> CleanedFile:
    """Clean one attachment. Guarantee: the result is re-built by a cleaner for
    its sniffed type, or an error is raised; nothing passes through unchanged."""
    mime = allowed_type(data)
    return CLEANERS[mime].clean(data, mime)


__all__ = ["CLEANERS", "CleanedFile", "FileCleaner", "allowed_type", "clean_file", "sniff"]
