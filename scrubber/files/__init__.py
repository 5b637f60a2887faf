"""Attachment cleaning: sniff the real type from the bytes, allow-list, clean.

The declared content type and the file name are never trusted (our clients
are adversaries): only the magic bytes choose a cleaner, and a type that is
not on the allow-list is refused. One module per format family, each
declaring its MIME types; the registry below is the allow-list.
"""

from __future__ import annotations

from scrubber.files.base import CleanedFile, FileCleaner
from scrubber.files.images import ImageCleaner
from scrubber.files.isolation import IsolatedCleaner
from scrubber.files.media import MediaCleaner
from scrubber.files.office import OfficeCleaner
from scrubber.files.pdf import PdfCleaner
from scrubber.files.sniff import sniff
from relay.errors import MalformedFileError, UnsupportedFileError


def build_cleaners(*, max_side: int | None = 2048, isolate: bool = True) -> dict[str, FileCleaner]:
    """The allow-list: every accepted MIME type and the cleaner for it.

    With ``isolate`` (the default) PDFs and office documents are cleaned in a
    child process under memory and time limits (see ``isolation.py``);
    images are bounded by their pixel count and media by ffmpeg's limits.
    """
    images = ImageCleaner(max_side=max_side)
    containers: list[FileCleaner]
    if isolate:
        containers = [IsolatedCleaner("pdf", PdfCleaner.mime_types, max_side=max_side),
                      IsolatedCleaner("office", OfficeCleaner.mime_types, max_side=max_side)]
    else:
        containers = [PdfCleaner(), OfficeCleaner(images=images)]
    cleaners: list[FileCleaner] = [images, MediaCleaner(), *containers]
    return {mime: cleaner for cleaner in cleaners for mime in cleaner.mime_types}


CLEANERS: dict[str, FileCleaner] = build_cleaners()


def allowed_type(data: bytes, cleaners: dict[str, FileCleaner] | None = None) -> str:
    """The sniffed type, or ``UnsupportedFileError`` when it is not on the allow-list."""
    cleaners = CLEANERS if cleaners is None else cleaners
    if not data:
        raise MalformedFileError("attachment is empty")
    mime = sniff(data)
    if mime is None or mime not in cleaners:
        raise UnsupportedFileError("attachment type is not accepted; accepted: photos (JPEG, PNG, WebP, GIF, "
                                   "HEIC, TIFF), PDF, audio (MP3, M4A, AAC, OGG, WAV), video (MP4, MOV), "
                                   "DOCX and ODT")
    return mime


def clean_file(data: bytes, cleaners: dict[str, FileCleaner] | None = None) -> CleanedFile:
    """Clean one attachment. Guarantee: the result is re-built by a cleaner for
    its sniffed type, or an error is raised; nothing passes through unchanged."""
    cleaners = CLEANERS if cleaners is None else cleaners
    mime = allowed_type(data, cleaners)
    return cleaners[mime].clean(data, mime)


__all__ = ["CLEANERS", "CleanedFile", "FileCleaner", "allowed_type", "build_cleaners", "clean_file", "sniff"]
