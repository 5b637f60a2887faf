"""The data directory: key files, epoch secrets and the demo ``relay.toml``.

Layout (directories 0700, files 0600)::

    relay.toml
    relay.db
    keys/ingest/<kid>.json   X25519 ingest keys
    keys/signing.json        Ed25519 key that signs the published key set
    keys/storage.key         at-rest key for queued deliveries
    keys/epochs/<n>.key      one pseudonym secret per epoch
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from keys.atrest import AtRestCipher
from keys.keyring import IngestKey, IngestKeyring, RelaySigner, rfc3339
from keys.secret import Secret
from relay.config import CONFIG_FILE, RelayConfig
from relay.errors import ConfigError

RandomBytes = Callable[[int], bytes]


def _mkdir_private(path: Path) -> None:
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
    must also use an encrypted volume (see docs).
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


def _ingest_key_json(key: IngestKey) -> bytes:
    return json.dumps({
        "kid": key.kid,
        "alg": "x25519-sealedbox",
        "created": rfc3339(key.created),
        "not_after": rfc3339(key.not_after),
        "private_key": base64.b64encode(key.private.reveal()).decode(),
    }).encode()


def _read_ingest_key(path: Path) -> IngestKey:
    data = json.loads(path.read_bytes())
    return IngestKey(
        kid=data["kid"],
        private=Secret(base64.b64decode(data["private_key"])),
        created=datetime.fromisoformat(data["created"]),
        not_after=datetime.fromisoformat(data["not_after"]),
    )


class EpochSecretStore:
    """One random secret per epoch, created on first use by any process."""

    def __init__(self, directory: Path, random_bytes: RandomBytes = os.urandom) -> None:
        self.directory = directory
        self._random = random_bytes
        self._cache: dict[int, bytes] = {}

    def _path(self, index: int) -> Path:
        return self.directory / f"{index}.key"

    def secret_for(self, index: int) -> bytes:
        if index not in self._cache:
            path = self._path(index)
            if not path.exists():
                create_exclusive(path, self._random(32))
            self._cache[index] = path.read_bytes()
        return self._cache[index]

    def indices(self) -> list[int]:
        return sorted(int(p.stem) for p in self.directory.glob("*.key") if p.stem.isdigit())

    def destroy_before(self, index: int) -> list[int]:
        """Destroy every epoch secret older than ``index``; returns the epochs destroyed."""
        gone = [i for i in self.indices() if i < index]
        for i in gone:
            self._cache.pop(i, None)
            destroy_file(self._path(i))
        return gone


@dataclass(frozen=True)
class KeyStore:
    keyring: IngestKeyring
    signer: RelaySigner
    at_rest: AtRestCipher
    epochs: EpochSecretStore


def key_paths(data_dir: Path) -> dict[str, Path]:
    keys = data_dir / "keys"
    return {
        "ingest": keys / "ingest",
        "signing": keys / "signing.json",
        "storage": keys / "storage.key",
        "epochs": keys / "epochs",
    }


def create_ingest_key(data_dir: Path, now: datetime, validity: timedelta) -> IngestKey:
    key = IngestKey.from_seed(os.urandom(32), created=now, validity=validity)
    create_exclusive(key_paths(data_dir)["ingest"] / f"{key.kid}.json", _ingest_key_json(key))
    return key


def ensure_keys(data_dir: Path, now: datetime, validity: timedelta) -> list[str]:
    """Create whatever key material is missing; never touches what exists. Returns what was made."""
    paths = key_paths(data_dir)
    _mkdir_private(data_dir)
    for directory in (paths["ingest"].parent, paths["ingest"], paths["epochs"]):
        _mkdir_private(directory)
    made = []
    if not any(paths["ingest"].glob("*.json")):
        made.append(f"ingest key {create_ingest_key(data_dir, now, validity).kid}")
    signing = json.dumps({"alg": "ed25519", "private_key": base64.b64encode(os.urandom(32)).decode()})
    if create_exclusive(paths["signing"], signing.encode()):
        made.append("signing key")
    if create_exclusive(paths["storage"], os.urandom(32)):
        made.append("storage key")
    return made


def load_keystore(config: RelayConfig) -> KeyStore:
    """Load all key material; ``ConfigError`` when anything is missing (fail closed)."""
    paths = key_paths(config.data_dir)
    try:
        ingest = [_read_ingest_key(p) for p in sorted(paths["ingest"].glob("*.json"))]
        signing = json.loads(paths["signing"].read_bytes())
        storage = paths["storage"].read_bytes()
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"key material in {config.data_dir} is missing or unreadable ({type(exc).__name__}); "
            f"run `relay init --data-dir {config.data_dir}`"
        ) from None
    if not ingest:
        raise ConfigError(f"no ingest key in {paths['ingest']}; run `relay init`")
    return KeyStore(
        keyring=IngestKeyring(ingest, grace=config.ingest_key_grace),
        signer=RelaySigner(Secret(base64.b64decode(signing["private_key"]))),
        at_rest=AtRestCipher(Secret(storage)),
        epochs=EpochSecretStore(paths["epochs"]),
    )


def hash_token(token: str) -> str:
    """Bearer tokens are stored as SHA-256: a leaked config does not grant feed access."""
    return hashlib.sha256(token.encode()).hexdigest()


DEMO_CONFIG = """\
# relay.toml: written by `relay init`. See the README for every setting.
# The demo destinations need no outside service: a pull feed (for an NGO's
# tools) and a public GeoJSON map feed, both served by this relay.

[relay]
max_body_bytes = 26214400       # 25 MiB, attachments included
epoch_days = 7                  # pseudonyms rotate every epoch
ingest_key_validity_days = 30
ingest_key_grace_hours = 48

[[destinations]]
name = "demo-feed"
type = "feed"                   # GET /v1/feeds/demo-feed with the bearer token below
token_sha256 = "{token_sha256}"
location_precision_m = 100
time_precision = "hour"
delay_mean_s = 0

[[destinations]]
name = "demo-map"
type = "geojson"                # public: GET /public/demo-map.geojson
location_precision_m = 1000
time_precision = "day"
delay_mean_s = 0                # a real public map should mix, e.g. 900

# An NGO's webhook (Standard Webhooks; body age-encrypted when age_recipient is set):
# [[destinations]]
# name = "ngo-a"
# type = "webhook"
# url = "https://ngo-a.example/hooks/relay"
# secret = "whsec_..."
# age_recipient = "age1..."
# location_precision_m = 100
# time_precision = "hour"
# delay_mean_s = 300
"""


def write_demo_config(data_dir: Path) -> str | None:
    """Write the demo ``relay.toml`` unless one exists; returns the feed token it made, once."""
    token = secrets.token_urlsafe(32)
    written = create_exclusive(
        data_dir / CONFIG_FILE, DEMO_CONFIG.format(token_sha256=hash_token(token)).encode()
    )
    return token if written else None
