"""The delivery worker: turns inbox rows into deliveries and delivers what is due.

Runs inside ``relay serve`` by default, or alone as ``relay worker``; any
number of workers share one database through leases.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread

from forwarders import Forwarder
from relay.errors import DeliveryError, RelayError
from relay.pipeline import Pipeline
from relay.storage import Delivery, InboxItem, NewDelivery, Storage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, from seconds to a day, over ``deadline``.

    The give-up point is an attempt count, not a stored date: a stored
    deadline would be the arrival time plus a constant.
    """

    base_s: float = 5.0
    cap_s: float = 86_400.0
    deadline: timedelta = timedelta(days=7)

    def delay(self, attempt: int, rng: random.Random, retry_after: float | None = None) -> float:
        ceiling = min(self.cap_s, self.base_s * 2.0 ** min(attempt, 40))
        jittered = rng.uniform(ceiling / 2, ceiling)  # "equal jitter": spread, but never zero
        return max(jittered, min(retry_after or 0.0, self.cap_s))

    @property
    def max_attempts(self) -> int:
        total, attempts = 0.0, 0
        while total < self.deadline.total_seconds():
            total += min(self.cap_s, self.base_s * 2.0 ** min(attempts, 40)) * 0.75
            attempts += 1
        return attempts + 1


@dataclass(frozen=True)
class Limits:
    """How much one worker does at once. ``per_destination`` keeps one slow or
    hanging destination from taking every slot."""

    batch: int = 32
    concurrency: int = 16
    per_destination: int = 4
    release: int = 1000  # most deliveries one batch release takes
    purge_every_s: float = 600.0


class Worker:
    def __init__(
        self,
        storage: Storage,
        pipeline: Pipeline,
        forwarders: dict[str, Forwarder],
        *,
        clock: Callable[[], datetime],
        rng: random.Random,
        lease: timedelta,
        retry: RetryPolicy,
        limits: Limits = Limits(),
    ) -> None:
        self.storage = storage
        self.pipeline = pipeline
        self.forwarders = forwarders
        self._clock = clock
        self._rng = rng
        self._lease = lease.total_seconds()
        self._retry = retry
        self._limits = limits
        self._slots = asyncio.Semaphore(limits.concurrency)
        self._lanes = {name: asyncio.Semaphore(limits.per_destination) for name in forwarders}
        self._in_flight: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()
        self._delivered: list[str] = []
        self._failures: Counter[str] = Counter()  # consecutive throttling failures, per destination
        self._next_purge = 0.0
        self._wake: asyncio.Event | None = None
        self._streamed = [n for n, f in forwarders.items() if not _batched(f)]
        self._batched = [n for n, f in forwarders.items() if _batched(f)]

    async def run(self, stop: asyncio.Event, wake: asyncio.Event, idle_s: float = 1.0) -> None:
        self._wake = wake
        while not stop.is_set():
            try:
                busy = await self.run_once(wait=False)
            except Exception as exc:  # the loop must survive anything; log the type only
                log.error("worker step failed: %s", type(exc).__name__)
                busy = 0
            if busy:
                continue
            wake.clear()
            try:
                await asyncio.wait_for(wake.wait(), idle_s)
            except TimeoutError:
                pass
        await self.drain(grace_s=5.0)

    async def drain(self, grace_s: float | None = None) -> None:
        """Let deliveries under way finish and record them. On shutdown, those
        still hanging after ``grace_s`` are cancelled: they stay leased and go
        out again, with the same id, once the lease expires."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=grace_s)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks)
        await self._flush()

    async def run_once(self, wait: bool = True) -> int:
        """One pass: fan out a batch of reports, start due deliveries, release due
        batches, record finished ones; with ``wait``, until this pass's are done."""
        done = await self._fan_out_batch()
        started = await self._start_streamed() + await self._release_batches()
        if wait:
            await self.drain()
        else:
            await self._flush()
        await self._purge_feeds()
        return done + started

    async def _fan_out_batch(self) -> int:
        now = self._clock().timestamp()
        items = await anyio.to_thread.run_sync(
            self.storage.claim_reports, now, self._lease, self._limits.batch
        )
        prepared = [(item.id, d) for item in items if (d := await self._prepare(item)) is not None]
        if prepared:  # one durable commit for the whole batch
            await anyio.to_thread.run_sync(self.storage.fan_out_many, prepared)
        return len(items)

    async def _prepare(self, item: InboxItem) -> list[NewDelivery] | None:
        try:
            return await anyio.to_thread.run_sync(self.pipeline.prepare, item)
        # Any failure, ours or a library's, stays with this one report: it is
        # left in the inbox (still sealed) and tried again when its lease
        # expires, so nothing is lost and its batch-mates go on. The log gets
        # the error's type only: a message could quote the report.
        except RelayError as exc:
            log.error("report could not be prepared: %s", exc.code)
        except Exception as exc:
            log.error("report could not be prepared: %s", type(exc).__name__)
        return None

    async def _start_streamed(self) -> int:
        free = self._limits.concurrency - sum(self._in_flight.values())
        open_lanes = [n for n in self._streamed if self._in_flight[n] < self._limits.per_destination]
        if free <= 0 or not open_lanes:
            return 0
        now = self._clock().timestamp()
        due = await anyio.to_thread.run_sync(functools.partial(
            self.storage.claim_deliveries, now, self._lease, free,
            per_destination=self._limits.per_destination, only=open_lanes))
        self._start(due, now)
        return len(due)

    async def _release_batches(self) -> int:
        """Mixing by batches (P5): a destination's waiting deliveries go out
        together, in random order, once at least ``batch_min`` wait, on its
        ``batch_interval_s`` ticks."""
        started = 0
        for name in self._batched:
            if self._in_flight[name]:
                continue  # the previous batch is still going out
            destination = self.forwarders[name].destination
            now = self._clock().timestamp()
            interval = destination.batch_interval_s or 0.0
            tick = int(now // interval) if interval > 0 else None
            batch = await anyio.to_thread.run_sync(
                self.storage.release_batch, name, now, self._lease, destination.batch_min or 1, tick,
                self._limits.release)
            self._rng.shuffle(batch)  # arrival order must not survive into the feed's order
            self._start(batch, now)
            started += len(batch)
        return started

    def _start(self, deliveries: list[Delivery], claimed_at: float) -> None:
        for delivery in deliveries:
            self._in_flight[delivery.destination] += 1
            task = asyncio.create_task(self._deliver(delivery, claimed_at + self._lease / 2))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, delivery: Delivery, start_before: float) -> None:
        name = delivery.destination
        try:
            async with self._lanes[name], self._slots:
                # Start only in the first half of the lease and stop at its end:
                # past it, another worker may claim the item, and two workers
                # must never deliver one item at the same time.
                remaining = start_before - self._clock().timestamp()
                if remaining <= 0:
                    return  # left for the next claim
                await self._attempt(delivery, timeout=remaining)
        finally:
            self._in_flight[name] -= 1
            if self._wake is not None:
                self._wake.set()

    async def _attempt(self, delivery: Delivery, timeout: float) -> None:
        name = delivery.destination
        try:
            body = self.pipeline.keystore.at_rest.open(delivery.body)
        except ValueError:
            log.error("destination %s: a queued delivery does not open with the storage key", name)
            return
        try:
            async with asyncio.timeout(timeout):
                await self.forwarders[name].deliver(delivery.id, body)
        except DeliveryError as exc:
            await anyio.to_thread.run_sync(self._failed, delivery, exc)
            return
        except TimeoutError:
            await anyio.to_thread.run_sync(self._failed, delivery, DeliveryError("timed out", throttle=True))
            return
        except Exception as exc:  # a bug or a library surprise: retried like any failure, type only
            await anyio.to_thread.run_sync(self._failed, delivery, DeliveryError(type(exc).__name__))
            return
        self._failures.pop(name, None)
        self._delivered.append(delivery.id)

    async def _flush(self) -> None:
        """Record delivered items in one transaction. A crash before this
        delivers them again, with the same id: at-least-once (P6)."""
        if self._delivered:
            done, self._delivered = self._delivered, []
            await anyio.to_thread.run_sync(self.storage.complete_deliveries, done)

    async def _purge_feeds(self) -> None:
        """Feed retention: items older than the destination's ``retention_days`` go."""
        now = self._clock().timestamp()
        if now < self._next_purge:
            return
        self._next_purge = now + self._limits.purge_every_s
        for name, forwarder in self.forwarders.items():
            cutoff = now - forwarder.destination.retention_days * 86_400
            await anyio.to_thread.run_sync(self.storage.purge_feed, name, cutoff)

    def _failed(self, delivery: Delivery, error: DeliveryError) -> None:
        name = delivery.destination
        now = self._clock().timestamp()
        if error.permanent:
            self.storage.disable_destination(name, error.message)
            self.storage.retry_delivery(delivery.id, 0.0, error.message)
            log.warning("destination %s disabled: %s", name, error.message)
            return
        if error.throttle:
            # The destination is down or asks us to slow down: pause all of it,
            # for longer each time in a row, so a backlog does not hammer it.
            self._failures[name] += 1
            pause = self._retry.delay(self._failures[name] - 1, self._rng, error.retry_after)
            self.storage.pause_destination(name, now + pause)
        if delivery.attempts + 1 >= self._retry.max_attempts:
            self.storage.kill_delivery(delivery.id, error.message)
            log.warning("destination %s: delivery moved to dead letters (%s)", name, error.message)
            return
        wait = self._retry.delay(delivery.attempts, self._rng, error.retry_after)
        self.storage.retry_delivery(delivery.id, now + wait, error.message)
        log.warning("destination %s: %s; retrying in %.0f s", name, error.message, wait)


def _batched(forwarder: Forwarder) -> bool:
    destination = forwarder.destination
    return (destination.batch_min or 1) > 1 or (destination.batch_interval_s or 0.0) > 0
