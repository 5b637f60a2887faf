"""The storage interface: the inbox of sealed reports, the delivery queue and feed items.

Small on purpose: SQLite (``relay.storage.sqlite``) is the embedded default
and PostgreSQL (``relay.storage.postgres``) implements the same Protocol for
scale-out; ``relay.storage.migrations`` versions both schemas. What is stored:

* inbox: a report exactly as sealed to an ingest key, and which key. No
  arrival time: rows are ordered by an integer id only.
* deliveries: one per (report, destination), the body encrypted at rest,
  ``due`` (0 = now, otherwise a randomised mixing or retry time) and an
  attempt count. A delivery is gone once delivered.
* feed_items: what pull and public feeds serve, encrypted at rest, with the
  hour they were published (for retention and the Atom ``updated`` date).
* destinations: per-destination state shared by all workers: disabled (HTTP
  410), paused until (429, Retry-After, down), the last batch tick checked.

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
    published: float  # POSIX seconds floored to the hour


@dataclass(frozen=True)
class DeadLetter:
    id: str
    destination: str
    attempts: int
    last_error: str | None


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

    def fan_out_many(self, reports: Sequence[tuple[int, Sequence[NewDelivery]]]) -> int:
        """``fan_out`` for several reports in one transaction (one durable commit);
        returns how many were still in the inbox."""

    def claim_deliveries(
        self, now: float, lease: float, limit: int, *, per_destination: int | None = None,
        only: Sequence[str] | None = None,
    ) -> list[Delivery]:
        """Lease due, pending deliveries of enabled, unpaused destinations (of
        ``only`` when given), earliest due first, at most ``per_destination`` for any one."""

    def release_batch(
        self, destination: str, now: float, lease: float, min_size: int, tick: int | None, limit: int
    ) -> list[Delivery]:
        """Batch mixing: lease every due delivery of ``destination`` (up to ``limit``)
        if at least ``min_size`` wait, else none. With ``tick`` (the schedule's
        slot number) only one check per tick: the first caller in a tick decides."""

    def complete_delivery(self, delivery_id: str) -> None: ...

    def complete_deliveries(self, delivery_ids: Sequence[str]) -> None:
        """Delete delivered items in one transaction."""

    def retry_delivery(self, delivery_id: str, due: float, error: str) -> None: ...

    def kill_delivery(self, delivery_id: str, error: str) -> None:
        """Move to the dead letters (kept encrypted, retryable by an operator)."""

    def dead_letters(self, destination: str | None = None) -> list[DeadLetter]: ...

    def revive_dead(self, ids: Sequence[str] = (), destination: str | None = None) -> int:
        """Dead letters back to pending, due now, attempts reset: the given ids, or
        all of one destination, or (neither given) all. Returns how many."""

    def drop_dead(self, ids: Sequence[str] = (), destination: str | None = None) -> int:
        """Delete dead letters (securely); selection as ``revive_dead``."""

    def disable_destination(self, name: str, reason: str) -> None: ...

    def enable_destination(self, name: str) -> bool:
        """Undo ``disable_destination`` and any pause; False if it was not disabled."""

    def disabled_destinations(self) -> dict[str, str]: ...

    def pause_destination(self, name: str, until: float) -> None:
        """No deliveries to ``name`` are claimed before ``until`` (never shortens a pause)."""

    def paused_destinations(self, now: float) -> dict[str, float]: ...

    def add_feed_item(self, destination: str, delivery_id: str, body: bytes, published: float) -> None:
        """Idempotent on ``delivery_id`` (delivery is at-least-once)."""

    def feed_items(self, destination: str, after: int, limit: int) -> list[FeedItem]: ...

    def feed_head(self, destination: str) -> tuple[int, int]:
        """(number of items, highest seq): changes whenever the feed does."""

    def purge_feed(self, destination: str, published_before: float) -> int:
        """Delete items published before the time (retention); returns how many."""

    def queue_counts(self) -> list[QueueCount]: ...

    def check(self) -> None:
        """Raise ``UnavailableError`` when the database cannot be used."""

    def schema_version(self) -> int: ...

    def close(self) -> None: ...
