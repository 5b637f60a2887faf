"""Ingest keys (X25519 sealed boxes) and the signed key set the relay publishes.

Rotation works like ``MultiFernet``: the newest valid key seals, and every key
still inside its grace period opens. Time is always a parameter.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import nacl.exceptions
from nacl.public import PrivateKey, SealedBox
from nacl.signing import SigningKey, VerifyKey

from keys.secret import Secret
from relay.errors import DecryptionError, KeyExpiredError, UnknownKeyError

ALG_INGEST = "x25519-sealedbox"
ALG_SIGNING = "ed25519"


def canonical_json(value: Any) -> bytes:
    """The spec's canonical JSON: sorted keys, no whitespace, UTF-8, non-ASCII unescaped."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def key_id(public_key: bytes) -> str:
    """A key id derived from the public key, so it can never point at the wrong key."""
    digest = hashlib.sha256(b"relay-kid-v1" + public_key).digest()
    return base64.b32encode(digest[:10]).decode().lower()


@dataclass(frozen=True, eq=False)
class IngestKey:
    """One X25519 key pair. Clients seal to it until ``not_after``; it opens until
    ``not_after`` plus the keyring's grace period."""

    kid: str
    private: Secret[bytes]
    created: datetime
    not_after: datetime

    @classmethod
    def from_seed(cls, seed: bytes, *, created: datetime, validity: timedelta) -> IngestKey:
        """Build a key from 32 random bytes supplied by the caller."""
        private = PrivateKey(seed)
        return cls(
            kid=key_id(bytes(private.public_key)),
            private=Secret(bytes(private)),
            created=created,
            not_after=created + validity,
        )

    @cached_property
    def sealed_box(self) -> SealedBox[PrivateKey]:
        return SealedBox(PrivateKey(self.private.reveal()))

    @property
    def public_key(self) -> bytes:
        return bytes(PrivateKey(self.private.reveal()).public_key)

    def published(self) -> dict[str, str]:
        return {
            "kid": self.kid,
            "alg": ALG_INGEST,
            "public_key": base64.b64encode(self.public_key).decode(),
            "not_after": rfc3339(self.not_after),
        }


class IngestKeyring:
    """The set of ingest keys; guarantees a report opens only with a key in its grace period."""

    def __init__(self, keys: Sequence[IngestKey], *, grace: timedelta) -> None:
        if not keys:
            raise ValueError("an ingest keyring needs at least one key")
        self._keys = sorted(keys, key=lambda k: k.created, reverse=True)
        self._by_kid = {k.kid: k for k in self._keys}
        self.grace = grace

    def __iter__(self) -> Iterator[IngestKey]:
        return iter(self._keys)

    def current(self, now: datetime) -> IngestKey:
        """The newest key that is still valid for sealing (the newest key at all if none is)."""
        for key in self._keys:
            if key.created <= now < key.not_after:
                return key
        return self._keys[0]

    def published(self, now: datetime) -> list[dict[str, str]]:
        """Keys a client may seal to now: valid ones only, newest first."""
        current = self.current(now)
        valid = [k for k in self._keys if k.created <= now < k.not_after]
        return [k.published() for k in (valid or [current])]

    def seal(self, plaintext: bytes, now: datetime) -> tuple[str, bytes]:
        """Seal with the current key (used for form posts, which arrive unsealed)."""
        key = self.current(now)
        box = SealedBox(PrivateKey(key.private.reveal()).public_key)
        return key.kid, bytes(box.encrypt(plaintext))

    def open(self, kid: str, sealed: bytes, now: datetime) -> bytes:
        """Open a sealed box; raises a 4xx error naming the current key id when it cannot."""
        key = self._by_kid.get(kid)
        if key is None:
            raise UnknownKeyError(f"unknown key id; seal to the current key {self.current(now).kid}")
        if now >= key.not_after + self.grace:
            raise KeyExpiredError(f"key id has expired; seal to the current key {self.current(now).kid}")
        try:
            return bytes(key.sealed_box.decrypt(sealed))
        except nacl.exceptions.CryptoError:
            raise DecryptionError(
                f"sealed box does not open with key {kid}; fetch /v1/keys and seal again"
            ) from None


@dataclass(frozen=True)
class RelaySigner:
    """The relay's Ed25519 identity: signs the published key set."""

    private: Secret[bytes]

    @property
    def public_key(self) -> bytes:
        return bytes(SigningKey(self.private.reveal()).verify_key)

    def sign(self, message: bytes) -> bytes:
        return bytes(SigningKey(self.private.reveal()).sign(message).signature)


def signed_keyset(keyring: IngestKeyring, signer: RelaySigner, now: datetime) -> dict[str, Any]:
    """The ``GET /v1/keys`` document: the ingest keys, signed over their canonical JSON."""
    ingest = keyring.published(now)
    return {
        "ingest": ingest,
        "signing": {"alg": ALG_SIGNING, "public_key": base64.b64encode(signer.public_key).decode()},
        "signature": base64.b64encode(signer.sign(canonical_json(ingest))).decode(),
    }


def verify_keyset(document: dict[str, Any], pinned_signing_key: bytes | None = None) -> list[dict[str, Any]]:
    """Check a key set's signature; returns its ingest keys or raises ``ValueError``.

    With ``pinned_signing_key`` the document must be signed by that key (the
    only check that stops a man in the middle); without, it must at least be
    signed by the key it names.
    """
    try:
        ingest = document["ingest"]
        named = base64.b64decode(document["signing"]["public_key"], validate=True)
        signature = base64.b64decode(document["signature"], validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("key set is not in the expected shape") from exc
    if pinned_signing_key is not None and named != pinned_signing_key:
        raise ValueError("key set is signed by a key other than the pinned one")
    try:
        VerifyKey(named).verify(canonical_json(ingest), signature)
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError) as exc:
        raise ValueError("key set signature does not verify") from exc
    if not isinstance(ingest, list) or not ingest:
        raise ValueError("key set has no ingest keys")
    return ingest
