"""Key files sealed under an operator passphrase (Argon2id, then XSalsa20-Poly1305).

A seized disk then holds only ciphertext: the passphrase lives in the
operator's head or secret manager, given to the relay at start.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import nacl.exceptions
import nacl.pwhash
from nacl.secret import SecretBox

from keys.secret import Secret

MAGIC = b"RELAY-SEALED-KEY-v1\n"
_CHECK = b"relay passphrase check v1"
# MODERATE: 256 MiB and 3 passes. Paid once per process start, and by anyone
# trying passphrases against a stolen disk, once per guess.
OPSLIMIT = nacl.pwhash.argon2id.OPSLIMIT_MODERATE
MEMLIMIT = nacl.pwhash.argon2id.MEMLIMIT_MODERATE


@dataclass(frozen=True)
class KdfParams:
    salt: bytes
    opslimit: int = OPSLIMIT
    memlimit: int = MEMLIMIT

    def to_json(self, check: bytes) -> dict[str, Any]:
        return {"kdf": "argon2id", "salt": base64.b64encode(self.salt).decode(), "opslimit": self.opslimit,
                "memlimit": self.memlimit, "check": base64.b64encode(check).decode()}


class KeyFileCipher:
    """Seals and opens key files; ``open`` raises ``ValueError`` on a wrong key or a tampered file."""

    def __init__(self, passphrase: Secret[str], params: KdfParams) -> None:
        key = nacl.pwhash.argon2id.kdf(
            SecretBox.KEY_SIZE, passphrase.reveal().encode(), params.salt,
            opslimit=params.opslimit, memlimit=params.memlimit,
        )
        self._box = SecretBox(key)
        self.params = params

    def seal(self, plaintext: bytes, nonce: bytes) -> bytes:
        return MAGIC + bytes(self._box.encrypt(plaintext, nonce))

    def open(self, sealed: bytes) -> bytes:
        if not sealed.startswith(MAGIC):
            raise ValueError("not a sealed key file")
        try:
            return bytes(self._box.decrypt(sealed[len(MAGIC):]))
        except nacl.exceptions.CryptoError as exc:
            raise ValueError("wrong passphrase, or the key file was altered") from exc

    def check_value(self, nonce: bytes) -> bytes:
        return self.seal(_CHECK, nonce)

    def verify(self, check: bytes) -> None:
        """``ValueError`` unless this cipher was derived from the right passphrase."""
        if self.open(check) != _CHECK:
            raise ValueError("wrong passphrase")


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


def params_from_json(document: dict[str, Any]) -> tuple[KdfParams, bytes]:
    if document.get("kdf") != "argon2id":
        raise ValueError("unknown key-file KDF")
    params = KdfParams(base64.b64decode(document["salt"]), int(document["opslimit"]), int(document["memlimit"]))
    return params, base64.b64decode(document["check"])
