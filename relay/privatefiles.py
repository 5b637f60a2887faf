"""Private files: created 0600 without ever overwriting, destroyed by overwriting."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def mkdir_private(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def create_exclusive(path: Path, content: bytes) -> bool:
    """Write a 0600 file only if ``path`` does not exist yet; True when written.

    The content goes to a temporary name, is fsynced, then hard-linked into
    place: the link fails if another process won the race, so a key is never
    overwritten and never half-written.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        destroy_file(tmp)  # our copy lost the race: its bytes must not linger
        return False
    # Only the temporary *name* goes: the inode is now the real file, so
    # zeroing it here would zero the key we just wrote.
    tmp.unlink()
    return True


def destroy_file(path: Path) -> None:
    """Overwrite a file with zeros, fsync, then unlink it.

    Unlinking alone leaves the bytes on disk. Overwriting in place is the best
    a program can do; on copy-on-write or wear-levelled storage the operator
    must also use an encrypted volume (see docs/threat-model.md).
    """
    try:
        size = path.stat().st_size
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return
    try:
        os.write(fd, b"\x00" * size)
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)
