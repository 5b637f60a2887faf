"""What a cleaned file still gives away, seen the way an adversary would look.

Two independent views: exiftool (`-a -G1 -ee`: every group, duplicates,
embedded streams), and a byte search for the sample markers in the file, in
every member of a ZIP container and in every decoded stream of a PDF, so
that compression cannot hide a survivor from the search.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pikepdf

from tests.scrubber.files.samples import MARKERS
from tests.tools import run

# exiftool tag names that identify a device, a person or a place whatever their value.
IDENTIFYING_TAGS = re.compile(
    r"\b(GPS|Serial Number|Artist|Author|Creator|Owner|By-line|Make|Camera Model|Last Modified By|"
    r"Company|Initial Creator|Location|Comment|Thumbnail|Producer|Encoded By|"
    r"Printer|Template)\b", re.IGNORECASE)
_IGNORED_GROUPS = ("[ExifTool]", "[System]")


def exiftool_report(data: bytes, tmp: Path, name: str = "cleaned") -> list[str]:
    path = tmp / name
    path.write_bytes(data)
    # exit 1: a format exiftool does not read (raw AAC); the byte search still runs.
    lines = run("exiftool", "-a", "-G1", "-ee", "-u", str(path), ok=(0, 1)).decode(errors="replace").splitlines()
    return [line for line in lines if not line.startswith(_IGNORED_GROUPS)]


def leaks(data: bytes, tmp: Path) -> list[str]:
    """Every marker or identifying tag that survived, described; empty when clean."""
    found = []
    for line in exiftool_report(data, tmp):
        tag = line.split(":", 1)[0]
        if IDENTIFYING_TAGS.search(tag) or any(marker in line for marker in MARKERS):
            found.append(f"exiftool: {line.strip()}")
    for where, blob in _blobs(data):
        for marker in MARKERS:
            if marker.encode() in blob or marker.encode("utf-16-le") in blob:
                found.append(f"bytes of {where}: {marker}")
    return found


def _blobs(data: bytes) -> list[tuple[str, bytes]]:
    blobs = [("file", data)]
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            blobs += [(f"member {name}", archive.read(name)) for name in archive.namelist()]
    if data.startswith(b"%PDF-"):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    try:
                        blobs.append((f"PDF stream {obj.objgen}", obj.read_bytes()))
                    except pikepdf.PdfError:
                        blobs.append((f"PDF stream {obj.objgen} (raw)", obj.read_raw_bytes()))
    return blobs
