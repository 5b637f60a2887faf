"""Command-line tools the tests drive (exiftool, ffmpeg, age, ...), from Debian.

`make test` installs the missing ones when it can (`make tools`). Where one is
still missing a test skips with the package to install; under CI=true it
fails instead, because a silent skip there would hide an unchecked promise.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

PACKAGES = {"exiftool": "libimage-exiftool-perl", "ffmpeg": "ffmpeg", "ffprobe": "ffmpeg",
            "age": "age", "pdftotext": "poppler-utils", "ogrinfo": "gdal-bin", "chromium": "chromium",
            "soffice": "libreoffice-writer-nogui"}


def require(tool: str) -> str:
    """The tool's path, or skip (fail under CI=true) naming the Debian package."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is not installed (apt-get install {PACKAGES.get(tool, tool)})"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def run(*command: str, input: bytes | None = None, ok: tuple[int, ...] = (0,)) -> bytes:
    """Run a tool and return its stdout; a failure shows its stderr."""
    result = subprocess.run([require(command[0]), *command[1:]], input=input, capture_output=True, timeout=120)
    if result.returncode not in ok:
        raise AssertionError(f"{command[0]} failed: {result.stderr.decode(errors='replace')[-2000:]}")
    return result.stdout
