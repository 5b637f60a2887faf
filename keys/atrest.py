"""Encryption at rest for everything the relay queues after scrubbing (promise P2)."""

from __future__ import annotations

import nacl.exceptions
from nacl.secret import SecretBox

from keys.secret import Secret


class AtRestCipher:
    """XSalsa20-Poly1305 with the relay's storage key.

    Even scrubbed deliveries are queued encrypted: a copied database file (a
    backup, a stolen disk without the key directory) must not read as reports.
    """

    def __init__(self, key: Secret[bytes]) -> None:
        if len(key.reveal()) != SecretBox.KEY_SIZE:
            raise ValueError("storage key must be 32 bytes")
        self._box = SecretBox(key.reveal())

    def seal(self, plaintext: bytes, nonce: bytes) -> bytes:
        """Encrypt with a caller-supplied 24-byte random nonce."""
        return bytes(self._box.encrypt(plaintext, nonce))

    def open(self, ciphertext: bytes) -> bytes:
        try:
            return bytes(self._box.decrypt(ciphertext))
        except nacl.exceptions.CryptoError as exc:
            raise ValueError("stored item does not open with this storage key") from exc
