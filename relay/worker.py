"""The delivery worker: turns inbox rows into deliveries and delivers what is due.

Runs inside ``relay serve`` by default, or alone as ``relay worker``; any
number of workers share one database through leases.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread

from forwarders import Forwarder
from relay.errors import DeliveryError, RelayError
from relay.pipeline import Pipeline
from relay.storage import Delivery, InboxItem, Storage

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
        batch: int = 32,
        concurrency: int = 16,
    ) -> None:
        self.storage = storage
        self.pipeline = pipeline
        self.forwarders = forwarders
        self._clock = clock
        self._rng = rng
        self._lease = lease.total_seconds()
        self._retry = retry
        self._batch = batch
        self._slots = asyncio.Semaphore(concurrency)

    async def run(self, stop: asyncio.Event, wake: asyncio.Event, idle_s: float = 1.0) -> None:
        while not stop.is_set():
            try:
                busy = await self.run_once()
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

    async def run_once(self) -> int:
        """One pass: fan out a batch of reports, deliver a batch of due items."""
        done = await self._fan_out_batch()
        return done + await self._deliver_batch()

    async def _fan_out_batch(self) -> int:
        now = self._clock().timestamp()
        items = await anyio.to_thread.run_sync(
            self.storage.claim_reports, now, self._lease, self._batch
        )
        for item in items:
            await self._fan_out(item)
        return len(items)

    async def _fan_out(self, item: InboxItem) -> None:
        try:
            deliveries = await anyio.to_thread.run_sync(self.pipeline.prepare, item)
        # Any failure, ours or a library's, stays with this one report: it is
        # left in the inbox (still sealed) and tried again when its lease
        # expires, so nothing is lost and its batch-mates go on. The log gets
        # the error's type only: a message could quote the report.
        except RelayError as exc:
            log.error("report could not be prepared: %s", exc.code)
            return
        except Exception as exc:
            log.error("report could not be prepared: %s", type(exc).__name__)
            return
        await anyio.to_thread.run_sync(self.storage.fan_out, item.id, deliveries)

    async def _deliver_batch(self) -> int:
        now = self._clock().timestamp()
        due = await anyio.to_thread.run_sync(
            self.storage.claim_deliveries, now, self._lease, self._batch
        )
        await asyncio.gather(*(self._deliver(d) for d in due))
        return len(due)

    async def _deliver(self, delivery: Delivery) -> None:
        forwarder = self.forwarders.get(delivery.destination)
        if forwarder is None:
            return  # destination removed from relay.toml: kept, listed by `relay queue`
        try:
            body = self.pipeline.keystore.at_rest.open(delivery.body)
        except ValueError:
            log.error("destination %s: a queued delivery does not open with the storage key", delivery.destination)
            return
        async with self._slots:
            try:
                await forwarder.deliver(delivery.id, body)
            except DeliveryError as exc:
                await anyio.to_thread.run_sync(self._failed, delivery, exc)
                return
        await anyio.to_thread.run_sync(self.storage.complete_delivery, delivery.id)

    def _failed(self, delivery: Delivery, error: DeliveryError) -> None:
        name = delivery.destination
        if error.permanent:
            self.storage.disable_destination(name, error.message)
            self.storage.retry_delivery(delivery.id, 0.0, error.message)
            log.warning("destination %s disabled: %s", name, error.message)
            return
        if delivery.attempts + 1 >= self._retry.max_attempts:
            self.storage.kill_delivery(delivery.id, error.message)
            log.warning("destination %s: delivery moved to dead letters (%s)", name, error.message)
            return
        wait = self._retry.delay(delivery.attempts, self._rng, error.retry_after)
        self.storage.retry_delivery(delivery.id, self._clock().timestamp() + wait, error.message)
        log.warning("destination %s: %s; retrying in %.0f s", name, error.message, wait)
