"""Accepting a report: validate everything synchronously, then store it sealed.

``202 Accepted`` is answered only after ``Storage.add_reports`` returned, i.e.
after a durable commit (P6). What is stored is the sealed box exactly as the
client made it (or as the server sealed a form post on receipt): the
plaintext exists only in this process's memory while it is checked (P2).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from datetime import datetime

from starlette.concurrency import run_in_threadpool

from relay.config import RelayConfig
from relay.keystore import KeyStore
from relay.errors import ValidationError
from relay.report import Envelope, Report, parse_report
from relay.storage import Storage
from scrubber.files import build_cleaners, clean_file

_MAX_BATCH = 256


class InboxWriter:
    """Group commit, on the event loop: concurrent reports share one durable commit.

    Each caller awaits a future that completes only after the transaction
    holding its report has committed (P6). While one batch commits in a
    worker thread, new reports queue up for the next one, so the cost of a
    commit is paid once per batch rather than once per report, and the
    thread hop too.
    """

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._pending: list[tuple[str, bytes, asyncio.Future[None]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def add(self, kid: str, sealed: bytes) -> None:
        done = asyncio.get_running_loop().create_future()
        self._pending.append((kid, sealed, done))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:_MAX_BATCH], self._pending[_MAX_BATCH:]
            try:
                await run_in_threadpool(self._storage.add_reports, [(k, s) for k, s, _ in batch])
            except Exception as exc:  # every waiter must hear of it, whatever it was
                _settle(batch, exc)
            else:
                _settle(batch, None)


def _settle(batch: list[tuple[str, bytes, asyncio.Future[None]]], error: Exception | None) -> None:
    for _, _, done in batch:
        if done.done():  # the request went away; its report is stored all the same
            continue
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)


class Ingestor:
    def __init__(
        self, config: RelayConfig, keystore: KeyStore, storage: Storage, clock: Callable[[], datetime]
    ) -> None:
        self.config = config
        self.keystore = keystore
        self.storage = storage
        self._clock = clock
        self._inbox = InboxWriter(storage)
        self.cleaners = build_cleaners(max_side=config.image_max_side)

    async def accept(self, envelope: Envelope) -> str:
        """A partner app's sealed report: open, validate, store as sealed. Returns a receipt."""
        # Opening and schema checks take tens of microseconds: done on the event
        # loop, like any JSON parsing, rather than paying a thread hop.
        plaintext = self.keystore.open(envelope.kid, envelope.sealed, self._clock())
        await self._check(parse_report(plaintext))
        await self._inbox.add(envelope.kid, envelope.sealed)
        return _receipt()

    async def accept_plain(self, document: dict[str, object], *, files_checked: bool = False) -> str:
        """A form post: validate, seal to the current ingest key at once, store.
        ``files_checked``: the form's review step already cleaned every file of
        this (integrity-protected) draft, so they are not cleaned a third time."""
        plaintext = json.dumps(document, ensure_ascii=False).encode()
        report = parse_report(plaintext)
        if not files_checked:
            await self._check(report)
        kid, sealed = self.keystore.keyring.seal(plaintext, self._clock())
        await self._inbox.add(kid, sealed)
        return _receipt()

    async def _check(self, report: Report) -> None:
        if len(report.attachments) > self.config.max_attachments:
            raise ValidationError(f"at most {self.config.max_attachments} attachments are accepted")
        if report.attachments:
            await run_in_threadpool(self._clean_all, report)

    def _clean_all(self, report: Report) -> None:
        # Clean each file now so that a refused one is reported to the sender;
        # the pipeline cleans again later and never forwards an uncleaned file.
        for attachment in report.attachments:
            clean_file(attachment.decoded(), self.cleaners)


def _receipt() -> str:
    """Proof that the relay took the report. Random, and never stored: it cannot
    be used to find the report later, by the sender or by anyone else."""
    return "r_" + secrets.token_urlsafe(16)
