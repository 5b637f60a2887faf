"""ZIP containers (DOCX, ODT) read under limits and written with nothing of ours.

Reading: every entry is checked against its declared size while it is
inflated (a zip bomb lies in its headers), entry count and total size are
bounded, encrypted or duplicate entries and unknown compression methods are
refused. Writing: fixed timestamps, no extra fields, no comment, no
host-system or permission bits, so the archive itself says nothing about the
machine that wrote it or when.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from relay.errors import MalformedFileError

_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ArchiveLimits:
    max_entries: int = 2000
    max_total_bytes: int = 200 << 20
    max_ratio: int = 200  # inflated/compressed, for entries above 1 MiB inflated


def read_members(data: bytes, limits: ArchiveLimits) -> dict[str, bytes]:
    """Every entry by name, in archive order, or ``MalformedFileError``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_directory(infos, limits)
            return {info.filename: _read(archive, info, limits) for info in infos if not info.is_dir()}
    except MalformedFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError,
            ValueError, RuntimeError, zlib.error) as exc:
        raise MalformedFileError("document archive cannot be read") from exc


def _check_directory(infos: list[zipfile.ZipInfo], limits: ArchiveLimits) -> None:
    if len(infos) > limits.max_entries:
        raise MalformedFileError(f"document has too many parts (limit {limits.max_entries})")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise MalformedFileError("document archive has duplicate entries")
    if sum(info.file_size for info in infos) > limits.max_total_bytes:
        raise MalformedFileError("document is too large once decompressed")
    for info in infos:
        if info.flag_bits & 0x1:
            raise MalformedFileError("document is encrypted; send it without a password")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise MalformedFileError("document archive uses an unsupported compression method")
        if info.file_size > 1 << 20 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise MalformedFileError("document archive is a decompression bomb")


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ArchiveLimits) -> bytes:
    # Read one byte past the declared size: an entry that inflates to more
    # than its header claims is a bomb, and is refused before it grows.
    with archive.open(info) as member:
        content = member.read(info.file_size + 1)
    if len(content) != info.file_size:
        raise MalformedFileError("document archive entry does not match its declared size")
    return content


def write_members(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    """A fresh archive of ``members`` in order; ``stored_first`` is written
    first and uncompressed (ODF's ``mimetype``)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.create_system = 0  # not "Unix": the host OS is not ours to tell
            info.external_attr = 0
            info.compress_type = zipfile.ZIP_STORED if name == stored_first else zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()
