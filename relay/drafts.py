"""Drafts between "Review" and "Send", readable only with a key the page holds.

When the citizen asks for a preview, the whole report (files included) is
encrypted under a fresh random key; the relay keeps only the ciphertext, in
memory, and puts the key in the preview page. "Send" brings the key back and
the draft is opened, deleted, and ingested like any report (sealed at once).
A draft that is never sent expires unreadable: the relay never had its key
at rest, and nothing about it reached the disk. Files are uploaded once.

Drafts live in this process: a deployment with several API nodes needs
sticky routing for the form (README, docs/tor.md).
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from relay.errors import ValidationError


class DraftStore:
    """Encrypted drafts by random id, evicted after ``ttl_s`` or when they
    would exceed ``max_bytes`` in total (oldest first)."""

    def __init__(self, *, ttl_s: float = 3600, max_bytes: int = 256 << 20,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_bytes = max_bytes
        self._clock = clock
        self._drafts: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def put(self, plaintext: bytes) -> tuple[str, str]:
        """Encrypt and keep; returns (draft id, key) for the page."""
        key = secrets.token_bytes(SecretBox.KEY_SIZE)
        sealed = bytes(SecretBox(key).encrypt(plaintext))
        draft_id = secrets.token_urlsafe(18)
        with self._lock:
            self._expire()
            while self._drafts and self._size + len(sealed) > self.max_bytes:
                self._pop(next(iter(self._drafts)))
            self._drafts[draft_id] = (self._clock() + self.ttl_s, sealed)
            self._size += len(sealed)
        return draft_id, base64.urlsafe_b64encode(key).decode()

    def take(self, draft_id: str, key: str, *, keep: bool = False) -> bytes:
        """Open a draft; it is removed unless ``keep`` (going back to edit)."""
        with self._lock:
            self._expire()
            entry = self._drafts.get(draft_id)
            if entry is None:
                raise ValidationError("this draft has expired; please fill in the form again",
                                      code="draft_expired")
            try:
                plaintext = bytes(SecretBox(base64.urlsafe_b64decode(key.encode())).decrypt(entry[1]))
            except (CryptoError, ValueError, TypeError):
                # A wrong key neither opens nor destroys the draft.
                raise ValidationError("this draft cannot be opened", code="draft_expired") from None
            if not keep:
                self._pop(draft_id)
        return plaintext

    def discard(self, draft_id: str) -> None:
        """Forget a draft (replaced by an edited one). Its id is a 144-bit
        secret that only the page holding its key knows."""
        with self._lock:
            if draft_id in self._drafts:
                self._pop(draft_id)

    def __len__(self) -> int:
        return len(self._drafts)

    def _expire(self) -> None:
        now = self._clock()
        for draft_id in [d for d, (expires, _) in self._drafts.items() if expires <= now]:
            self._pop(draft_id)

    def _pop(self, draft_id: str) -> None:
        _, sealed = self._drafts.pop(draft_id)
        self._size -= len(sealed)
