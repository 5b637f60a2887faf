"""Accepting a report: validate everything synchronously, then store it sealed.

``202 Accepted`` is answered only after ``Storage.add_report`` returned, i.e.
after a durable commit (P6). What is stored is the sealed box exactly as the
client made it (or as the server sealed a form post on receipt): the
plaintext exists only in this process's memory while it is checked (P2).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime

from relay.config import RelayConfig
from relay.datadir import KeyStore
from relay.errors import ValidationError
from relay.report import Envelope, Report, parse_report
from relay.storage import Storage
from scrubber.files import clean_file


class Ingestor:
    def __init__(
        self, config: RelayConfig, keystore: KeyStore, storage: Storage, clock: Callable[[], datetime]
    ) -> None:
        self.config = config
        self.keystore = keystore
        self.storage = storage
        self._clock = clock

    def accept(self, envelope: Envelope) -> str:
        """A partner app's sealed report: open, validate, store as sealed. Returns a receipt."""
        plaintext = self.keystore.keyring.open(envelope.kid, envelope.sealed, self._clock())
        self._check(parse_report(plaintext))
        self.storage.add_report(envelope.kid, envelope.sealed)
        return _receipt()

    def accept_plain(self, document: dict[str, object]) -> str:
        """A form post: validate, seal to the current ingest key at once, store."""
        plaintext = json.dumps(document, ensure_ascii=False).encode()
        self._check(parse_report(plaintext))
        kid, sealed = self.keystore.keyring.seal(plaintext, self._clock())
        self.storage.add_report(kid, sealed)
        return _receipt()

    def _check(self, report: Report) -> None:
        if len(report.attachments) > self.config.max_attachments:
            raise ValidationError(f"at most {self.config.max_attachments} attachments are accepted")
        # Clean each file now so that a refused one is reported to the sender;
        # the pipeline cleans again later and never forwards an uncleaned file.
        for attachment in report.attachments:
            clean_file(attachment.decoded())


def _receipt() -> str:
    """Proof that the relay took the report. Random, and never stored: it cannot
    be used to find the report later, by the sender or by anyone else."""
    return "r_" + secrets.token_urlsafe(16)
