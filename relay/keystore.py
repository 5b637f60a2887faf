"""Key material on disk: loading, rotation, and destruction once no longer needed.

Layout under the data dir (directories 0700, files 0600)::

    keys/ingest/<kid>.json      an X25519 ingest key (immutable once written)
    keys/ingest/<kid>.retired   when it was rotated out (RFC 3339; not secret)
    keys/signing.json           the Ed25519 key that signs the published key set
    keys/storage.key            the at-rest key for queued deliveries and feed items
    keys/epochs/<n>.key         one pseudonym secret per epoch

Key files are never rewritten: retiring a key adds a marker file, because
replacing a file's contents leaves the old bytes in a freed block. A retired
ingest key is destroyed (overwritten, then unlinked) once its grace period is
over; an epoch secret once its epoch and grace period are over.
"""

from __future__ import annotations

import asyncio
import base64
import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import anyio.to_thread

from keys.atrest import AtRestCipher
from keys.keyring import IngestKey, IngestKeyring, RelaySigner, rfc3339
from keys.passphrase import KdfParams, KeyFileCipher, is_sealed, params_from_json
from keys.pseudonyms import epoch_start
from keys.secret import Secret
from relay.config import RelayConfig
from relay.errors import ConfigError, UnknownKeyError
from relay.privatefiles import create_exclusive, destroy_file, mkdir_private

RandomBytes = Callable[[int], bytes]
log = logging.getLogger(__name__)


def key_paths(data_dir: Path) -> dict[str, Path]:
    keys = data_dir / "keys"
    return {
        "ingest": keys / "ingest",
        "signing": keys / "signing.json",
        "storage": keys / "storage.key",
        "epochs": keys / "epochs",
    }


PASSPHRASE_FILE = "passphrase.json"


class KeyFiles:
    """Reads and writes key files, sealed under the operator's passphrase when
    the data dir has one (``keys/passphrase.json``)."""

    def __init__(self, cipher: KeyFileCipher | None = None) -> None:
        self._cipher = cipher

    def create(self, path: Path, content: bytes) -> bool:
        if self._cipher is not None:
            content = self._cipher.seal(content, os.urandom(24))
        return create_exclusive(path, content)

    def read(self, path: Path) -> bytes:
        data = path.read_bytes()
        if self._cipher is None:
            if is_sealed(data):
                raise ConfigError("key files are encrypted: set RELAY_KEY_PASSPHRASE")
            return data
        if not is_sealed(data):
            # Fail closed: in an encrypted store a plaintext key was planted or left behind.
            raise ConfigError(f"{path.name} is not encrypted although the key store is")
        try:
            return self._cipher.open(data)
        except ValueError:
            raise ConfigError(f"{path.name} does not open with this passphrase") from None


def encrypted(data_dir: Path) -> bool:
    return (data_dir / "keys" / PASSPHRASE_FILE).exists()


def unlock(data_dir: Path, passphrase: Secret[str] | None) -> KeyFiles:
    """The key-file reader for this data dir: plain, or unlocked with the passphrase."""
    path = data_dir / "keys" / PASSPHRASE_FILE
    if not path.exists():
        return KeyFiles()
    if passphrase is None:
        raise ConfigError("key files are encrypted: set RELAY_KEY_PASSPHRASE (or run in a terminal to be asked)")
    try:
        params, check = params_from_json(json.loads(path.read_bytes()))
        cipher = KeyFileCipher(passphrase, params)
        cipher.verify(check)
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"cannot unlock the key files: {exc}") from None
    return KeyFiles(cipher)


def set_passphrase(data_dir: Path, passphrase: Secret[str]) -> KeyFiles:
    """Start an encrypted key store (before any key exists); returns its writer."""
    paths = key_paths(data_dir)
    if any(paths["ingest"].glob("*.json")) or paths["signing"].exists():
        raise ConfigError("keys already exist unencrypted; key encryption is chosen at `relay init`")
    if len(passphrase.reveal()) < 12:
        raise ConfigError("the passphrase must be at least 12 characters")
    cipher = KeyFileCipher(passphrase, KdfParams(os.urandom(16)))
    document = cipher.params.to_json(cipher.check_value(os.urandom(24)))
    create_exclusive(data_dir / "keys" / PASSPHRASE_FILE, json.dumps(document).encode())
    return KeyFiles(cipher)


def _ingest_key_json(key: IngestKey) -> bytes:
    return json.dumps({
        "kid": key.kid,
        "alg": "x25519-sealedbox",
        "created": rfc3339(key.created),
        "not_after": rfc3339(key.not_after),
        "private_key": base64.b64encode(key.private.reveal()).decode(),
    }).encode()


def _read_ingest_key(path: Path, files: KeyFiles) -> IngestKey:
    data = json.loads(files.read(path))
    not_after = datetime.fromisoformat(data["not_after"])
    retired = path.with_suffix(".retired")
    if retired.exists():
        not_after = min(not_after, datetime.fromisoformat(retired.read_text().strip()))
    return IngestKey(
        kid=data["kid"],
        private=Secret(base64.b64decode(data["private_key"])),
        created=datetime.fromisoformat(data["created"]),
        not_after=not_after,
    )


class EpochSecretStore:
    """One random secret per epoch, created on first use by any process."""

    def __init__(self, directory: Path, files: KeyFiles, random_bytes: RandomBytes = os.urandom) -> None:
        self.directory = directory
        self._files = files
        self._random = random_bytes
        self._cache: dict[int, bytes] = {}

    def _path(self, index: int) -> Path:
        return self.directory / f"{index}.key"

    def secret_for(self, index: int) -> bytes:
        if index not in self._cache:
            path = self._path(index)
            if not path.exists():
                self._files.create(path, self._random(32))
            self._cache[index] = self._files.read(path)
        return self._cache[index]

    def indices(self) -> list[int]:
        return sorted(int(p.stem) for p in self.directory.glob("*.key") if p.stem.isdigit())

    def destroy_expired(self, now: datetime, length: timedelta, grace: timedelta) -> list[int]:
        """Destroy the secret of every epoch that ended more than ``grace`` ago.

        After this, nobody (a later seizure of the server included) can
        recompute that epoch's pseudonyms, even with a sender's codename.
        """
        gone = [i for i in self.indices() if epoch_start(i + 1, length) + grace <= now]
        for i in gone:
            self._cache.pop(i, None)
            destroy_file(self._path(i))
        return gone


class KeyStore:
    """All key material of one data dir. ``keyring`` is replaced, never mutated,
    when ``refresh`` sees that another process rotated or destroyed a key."""

    def __init__(self, config: RelayConfig, files: KeyFiles) -> None:
        self.config = config
        self.paths = key_paths(config.data_dir)
        self.files = files
        try:
            signing = json.loads(files.read(self.paths["signing"]))
            storage = files.read(self.paths["storage"])
            self.signer = RelaySigner(Secret(base64.b64decode(signing["private_key"])))
            self.at_rest = AtRestCipher(Secret(storage))
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(
                f"key material in {config.data_dir} is missing or unreadable ({type(exc).__name__}); "
                f"run `relay init --data-dir {config.data_dir}`"
            ) from None
        self.epochs = EpochSecretStore(self.paths["epochs"], files)
        self._seen: tuple[tuple[str, int], ...] = ()
        self.keyring = self._load_keyring()

    def _listing(self) -> tuple[tuple[str, int], ...]:
        return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in self.paths["ingest"].iterdir()
                            if not p.name.startswith(".")))

    def _load_keyring(self) -> IngestKeyring:
        self._seen = self._listing()
        try:
            keys = [_read_ingest_key(p, self.files) for p in sorted(self.paths["ingest"].glob("*.json"))]
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"an ingest key in {self.paths['ingest']} is unreadable ({type(exc).__name__})") from None
        if not keys:
            raise ConfigError(f"no ingest key in {self.paths['ingest']}; run `relay init`")
        return IngestKeyring(keys, grace=self.config.ingest_key_grace)

    def refresh(self) -> bool:
        """Reload the ingest keys if the directory changed; True when it did."""
        if self._listing() == self._seen:
            return False
        self.keyring = self._load_keyring()
        return True

    def open(self, kid: str, sealed: bytes, now: datetime) -> bytes:
        """Open a sealed report. An unknown key id may be a key that another
        process created a moment ago: look once more before refusing."""
        try:
            return self.keyring.open(kid, sealed, now)
        except UnknownKeyError:
            if not self.refresh():
                raise
            return self.keyring.open(kid, sealed, now)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # One rotation at a time across processes (API nodes, workers, the CLI).
        with (self.paths["ingest"] / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def rotate(self, now: datetime) -> IngestKey:
        """Make a new ingest key and retire every other one as of ``now``;
        retired keys still open reports for the grace period."""
        with self._locked():
            self.refresh()
            return self._rotate_locked(now)

    def _rotate_locked(self, now: datetime) -> IngestKey:
        new = create_ingest_key(self.config.data_dir, self.files, now, self.config.ingest_key_validity)
        for key in self.keyring:
            marker = self.paths["ingest"] / f"{key.kid}.retired"
            if key.not_after > now and not marker.exists():
                create_exclusive(marker, rfc3339(now).encode())
        self.refresh()
        return new

    def maintain(self, now: datetime) -> list[str]:
        """The schedule: rotate before the current key expires, destroy what is past
        its grace period. Safe to call often and from every process."""
        done = []
        # Decided under the lock: two processes on the same schedule must not
        # both rotate (the second would retire the key the first just made).
        with self._locked():
            self.refresh()
            if self.keyring.current(now).not_after - now <= self.config.ingest_key_grace:
                done.append(f"rotated to {self._rotate_locked(now).kid}")
            for key in self.keyring:
                if now >= key.not_after + self.keyring.grace and key.kid != self.keyring.current(now).kid:
                    destroy_file(self.paths["ingest"] / f"{key.kid}.json")
                    (self.paths["ingest"] / f"{key.kid}.retired").unlink(missing_ok=True)
                    done.append(f"destroyed ingest key {key.kid}")
            self.refresh()
        for index in self.epochs.destroy_expired(now, self.config.epoch, self.config.epoch_grace):
            done.append(f"destroyed epoch secret {index}")
        return done


def create_ingest_key(data_dir: Path, files: KeyFiles, now: datetime, validity: timedelta) -> IngestKey:
    key = IngestKey.from_seed(os.urandom(32), created=now, validity=validity)
    files.create(key_paths(data_dir)["ingest"] / f"{key.kid}.json", _ingest_key_json(key))
    return key


def make_key_dirs(data_dir: Path) -> None:
    paths = key_paths(data_dir)
    mkdir_private(data_dir)
    for directory in (paths["ingest"].parent, paths["ingest"], paths["epochs"]):
        mkdir_private(directory)


def ensure_keys(data_dir: Path, now: datetime, validity: timedelta, files: KeyFiles | None = None) -> list[str]:
    """Create whatever key material is missing; never touches what exists. Returns what was made."""
    files = files or KeyFiles()
    paths = key_paths(data_dir)
    make_key_dirs(data_dir)
    made = []
    if not any(paths["ingest"].glob("*.json")):
        made.append(f"ingest key {create_ingest_key(data_dir, files, now, validity).kid}")
    signing = json.dumps({"alg": "ed25519", "private_key": base64.b64encode(os.urandom(32)).decode()})
    if files.create(paths["signing"], signing.encode()):
        made.append("signing key")
    if files.create(paths["storage"], os.urandom(32)):
        made.append("storage key")
    return made


def load_keystore(config: RelayConfig, passphrase: Secret[str] | None = None) -> KeyStore:
    """Load all key material; ``ConfigError`` when anything is missing or locked (fail closed)."""
    return KeyStore(config, unlock(config.data_dir, passphrase))


async def maintain_forever(keystore: KeyStore, clock: Callable[[], datetime], stop: asyncio.Event,
                           interval_s: float = 30.0) -> None:
    """Run ``KeyStore.maintain`` every ``interval_s`` until ``stop`` is set."""
    while not stop.is_set():
        try:
            for event in await anyio.to_thread.run_sync(keystore.maintain, clock()):
                log.info("keys: %s", event)
        except Exception as exc:  # keep maintaining; the type is enough to investigate
            log.error("key maintenance failed: %s", type(exc).__name__)
        try:
            await asyncio.wait_for(stop.wait(), interval_s)
        except TimeoutError:
            pass
