"""The object graph shared by ``relay serve`` and ``relay worker``: built in one place."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from forwarders import Forwarder, ForwarderContext, build_forwarders
from relay.config import RelayConfig
from relay.keystore import KeyStore
from relay.pipeline import Pipeline
from relay.storage import Storage
from relay.worker import RetryPolicy, Worker


@dataclass(frozen=True)
class Runtime:
    forwarders: dict[str, Forwarder]
    pipeline: Pipeline
    worker: Worker


def build_runtime(
    config: RelayConfig,
    *,
    keystore: KeyStore,
    storage: Storage,
    http: httpx.AsyncClient,
    clock: Callable[[], datetime],
    rng: random.Random,
) -> Runtime:
    """Forwarders (``ConfigError`` on a bad destination), the pipeline and the worker."""
    context = ForwarderContext(
        storage=storage, at_rest=keystore.at_rest, clock=clock, http=http, signer=keystore.signer
    )
    forwarders = build_forwarders(config.destinations, context)
    pipeline = Pipeline(config, keystore, forwarders, clock=clock, random_bytes=os.urandom, rng=rng)
    worker = Worker(
        storage, pipeline, forwarders, clock=clock, rng=rng, lease=config.lease,
        retry=RetryPolicy(base_s=config.retry_first.total_seconds(), deadline=config.delivery_deadline),
    )
    return Runtime(forwarders, pipeline, worker)
