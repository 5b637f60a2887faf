"""Rotating pseudonyms and per-destination identifiers (promise P4).

A pseudonym is HMAC(epoch secret, destination || sender key). The sender key
comes from the codename through scrypt, so someone holding an epoch secret
must pay a memory-hard derivation for every codename guess. Destroying an
epoch secret makes that epoch's pseudonyms impossible to recompute.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from datetime import UTC, datetime, timedelta

# scrypt at N=2**15, r=8 costs 32 MiB and tens of milliseconds per guess: cheap
# once per report, expensive for anyone testing a dictionary of codenames.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
_SENDER_SALT = b"relay-sender-key-v1"

# 13 base32 characters = 65 bits: at a million senders per destination and
# epoch the chance of any collision is below 1 in 70 million.
_PSEUDONYM_CHARS = 13


def normalize_codename(codename: str) -> str:
    """Case, accents and spacing do not matter: 'Árbol  luna' == 'arbol luna'."""
    decomposed = unicodedata.normalize("NFKD", codename.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def sender_key(codename: str) -> bytes:
    """Derive the 32-byte sender key from a codename (memory-hard; same codename, same key)."""
    return hashlib.scrypt(
        normalize_codename(codename).encode(),
        salt=_SENDER_SALT,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        maxmem=64 * 1024 * 1024,
        dklen=32,
    )


def _format(digest: bytes) -> str:
    text = base64.b32encode(digest).decode().lower()[:_PSEUDONYM_CHARS]
    return f"{text[:4]}-{text[4:8]}-{text[8:]}"


def pseudonym(epoch_secret: bytes, destination: str, sender: bytes | None, fresh: bytes) -> str:
    """The sender's name at one destination in one epoch.

    Guarantee: equal (epoch secret, destination, sender key) give equal
    pseudonyms; any other combination gives an unrelated one. Without a sender
    key the caller's ``fresh`` random bytes make it a one-off.
    """
    if sender is None:
        return _format(hashlib.sha256(b"relay-fresh-v1" + fresh).digest())
    message = b"relay-pseudonym-v1\x00" + destination.encode() + b"\x00" + sender
    return _format(hmac.new(epoch_secret, message, hashlib.sha256).digest())


def delivery_id(fresh: bytes) -> str:
    """A per-delivery id from caller-supplied random bytes: unrelated across destinations."""
    return "d_" + base64.b32encode(fresh[:15]).decode().lower()


def epoch_index(now: datetime, length: timedelta) -> int:
    """Epochs are fixed windows counted from the Unix epoch."""
    return int(now.timestamp() // length.total_seconds())


def epoch_start(index: int, length: timedelta) -> datetime:
    return datetime.fromtimestamp(index * length.total_seconds(), UTC)


def epoch_label(index: int, length: timedelta) -> str:
    """A readable epoch name: the UTC date it starts on."""
    return epoch_start(index, length).strftime("%Y-%m-%d")
