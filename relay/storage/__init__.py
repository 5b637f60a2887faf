"""The storage interface: the inbox of sealed reports, the delivery queue and feed items.

Small on purpose: SQLite (``relay.storage.sqlite``) is the embedded default
and PostgreSQL (``relay.storage.postgres``) implements the same Protocol for
scale-out; ``relay.storage.migrations`` versions both schemas. What is stored:

* inbox: a report exactly as sealed to an ingest key, and which key. No
  arrival time: rows are ordered by an integer id only.
* deliveries: one per (report, destination), the body encrypted at rest,
  ``due`` (0 = now, otherwise a randomised mixing or retry time) and an
  attempt count. A delivery is gone once delivered.
* feed_items: what pull and public feeds serve, encrypted at rest.

Times are POSIX seconds passed in by the caller (the clock is a parameter).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class InboxItem:
    id: int
    kid: str
    sealed: bytes


@dataclass(frozen=True)
class NewDelivery:
    id: str
    destination: str
    body: bytes
    due: float


@dataclass(frozen=True)
class Delivery:
    id: str
    destination: str
    body: bytes
    attempts: int


@dataclass(frozen=True)
class FeedItem:
    seq: int
    delivery_id: str
    body: bytes


@dataclass(frozen=True)
class QueueCount:
    destination: str
    state: str
    count: int


class Storage(Protocol):
    backend: str  # "sqlite" or "postgresql", for readiness reports
    applied_migrations: list[int]  # schema versions this process applied on start

    def add_reports(self, reports: Sequence[tuple[str, bytes]]) -> None:
        """Store sealed reports, given as (key id, sealed box), in one transaction;
        returns once they survive a crash (P6). A batch, so that concurrent
        requests share one durable commit (see ``relay.ingest.InboxWriter``)."""

    def claim_reports(self, now: float, lease: float, limit: int) -> list[InboxItem]:
        """Lease up to ``limit`` reports; a crashed worker's lease expires after ``lease`` s."""

    def fan_out(self, report_id: int, deliveries: Sequence[NewDelivery]) -> bool:
        """In one transaction: delete the report, create its deliveries. False if another
        worker already did it."""

    def claim_deliveries(self, now: float, lease: float, limit: int) -> list[Delivery]:
        """Lease due, pending deliveries of enabled destinations."""

    def complete_delivery(self, delivery_id: str) -> None: ...

    def retry_delivery(self, delivery_id: str, due: float, error: str) -> None: ...

    def kill_delivery(self, delivery_id: str, error: str) -> None:
        """Move to the dead letters (kept encrypted, retryable by an operator)."""

    def disable_destination(self, name: str, reason: str) -> None: ...

    def disabled_destinations(self) -> dict[str, str]: ...

    def add_feed_item(self, destination: str, delivery_id: str, body: bytes) -> None:
        """Idempotent on ``delivery_id`` (delivery is at-least-once)."""

    def feed_items(self, destination: str, after: int, limit: int) -> list[FeedItem]: ...

    def queue_counts(self) -> list[QueueCount]: ...

    def check(self) -> None:
        """Raise ``UnavailableError`` when the database cannot be used."""

    def schema_version(self) -> int: ...

    def close(self) -> None: ...
