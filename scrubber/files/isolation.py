"""Cleaners for container formats, run in a child process under hard limits.

A PDF's object streams and a document's XML are inflated by C libraries
(qpdf, libxml2) before our code sees them: a 1 MB PDF whose object stream
inflates to 1 GiB took 10 s and 2 GiB of memory in-process. Such work runs
in a short-lived child (``python -I -m scrubber.files.isolation``) with an
address-space and CPU-time limit set by util-linux's ``prlimit`` and a
wall-clock timeout: a bomb kills the child, and the server answers with a
refusal. The file travels over pipes (never the disk); the child writes a
JSON header line then the cleaned bytes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from typing import Any, ClassVar

from relay.errors import MalformedFileError, UnsupportedFileError
from scrubber.files.base import CleanedFile, FileCleaner

_ERRORS: dict[str, type[MalformedFileError] | type[UnsupportedFileError]] = {
    "malformed_file": MalformedFileError, "unsupported_file": UnsupportedFileError}


class IsolatedCleaner:
    """Runs ``family``'s cleaner (a name ``_inner`` knows) in a limited child process."""

    mime_types: ClassVar[tuple[str, ...]] = ()

    def __init__(self, family: str, mime_types: tuple[str, ...], *, max_side: int | None,
                 memory_bytes: int = 1536 << 20, cpu_seconds: int = 60) -> None:
        self.family = family
        self.mime_types = mime_types  # type: ignore[misc]  # per instance: the family's types
        self.max_side = max_side
        self.memory_bytes = memory_bytes
        self.cpu_seconds = cpu_seconds

    def inspect(self, data: bytes, mime_type: str) -> dict[str, Any]:
        header, _ = self._run("inspect", data, mime_type)
        result: dict[str, Any] = header["inspect"]
        return result

    def clean(self, data: bytes, mime_type: str) -> CleanedFile:
        """Guarantee: as the family's own ``clean``, or a refusal when the
        child dies, runs out of memory or time."""
        header, body = self._run("clean", data, mime_type)
        return CleanedFile(str(header["content_type"]), body, tuple(header["removed"]))

    def _run(self, mode: str, data: bytes, mime_type: str) -> tuple[dict[str, Any], bytes]:
        prlimit = shutil.which("prlimit")
        limits = [prlimit, f"--as={self.memory_bytes}", f"--cpu={self.cpu_seconds}", "--"] if prlimit else []
        command = [*limits, sys.executable, "-I", "-m", "scrubber.files.isolation",
                   mode, self.family, mime_type, str(self.max_side or 0)]
        try:
            result = subprocess.run(command, input=data, capture_output=True, timeout=self.cpu_seconds * 2,
                                    check=False)
        except subprocess.TimeoutExpired:
            raise MalformedFileError("file took too long to clean") from None
        header_line, _, body = result.stdout.partition(b"\n")
        try:
            header = json.loads(header_line)
        except ValueError:
            header = None
        if result.returncode != 0 or not isinstance(header, dict):
            raise MalformedFileError("file needs too much memory or time to clean")
        if "error" in header:
            raise _ERRORS.get(header["error"], MalformedFileError)(str(header["message"]))
        return header, body


def _inner(family: str, max_side: int | None) -> FileCleaner:
    from scrubber.files.images import ImageCleaner
    from scrubber.files.office import OfficeCleaner
    from scrubber.files.pdf import PdfCleaner

    if family == "pdf":
        return PdfCleaner()
    if family == "office":
        return OfficeCleaner(images=ImageCleaner(max_side=max_side))
    raise ValueError(f"unknown cleaner family {family!r}")


def _child(argv: list[str]) -> int:
    mode, family, mime_type, max_side = argv
    data = sys.stdin.buffer.read()
    cleaner = _inner(family, int(max_side) or None)
    out = sys.stdout.buffer
    try:
        if mode == "inspect":
            out.write(json.dumps({"inspect": cleaner.inspect(data, mime_type)}).encode() + b"\n")
        else:
            cleaned = cleaner.clean(data, mime_type)
            header = {"content_type": cleaned.content_type, "removed": list(cleaned.removed)}
            out.write(json.dumps(header).encode() + b"\n" + cleaned.data)
    except (MalformedFileError, UnsupportedFileError) as exc:
        out.write(json.dumps({"error": exc.code, "message": exc.message}).encode() + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
