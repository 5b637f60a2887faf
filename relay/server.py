"""Running the relay: ``relay serve`` (API, form and worker) and ``relay worker``."""

from __future__ import annotations

import asyncio
import random
import signal

import uvicorn

from relay.api import create_app, new_http_client, utcnow
from relay.config import RelayConfig
from relay.keystore import KeyStore, maintain_forever
from relay.logs import configure_logging
from relay.runtime import build_runtime
from relay.storage import Storage
from relay.storage.sqlite import SQLiteStorage


def open_storage(config: RelayConfig) -> Storage:
    """The configured backend, migrated to the latest schema."""
    if config.database_url is not None:
        from relay.storage.postgres import PostgresStorage

        return PostgresStorage(config.database_url.reveal())
    return SQLiteStorage(config.database_path)


def serve(config: RelayConfig, keystore: KeyStore, host: str, port: int, *, with_worker: bool = True) -> None:
    configure_logging()
    app = create_app(config, storage=open_storage(config), keystore=keystore, run_worker=with_worker)
    server = uvicorn.Server(uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,  # P1: no access log, ever
        proxy_headers=False,  # P1: X-Forwarded-For and friends are not trusted or read
        server_header=False,  # no version banner
        log_config=None,  # keep our logging configuration
        limit_concurrency=1024,  # past this, 503 at once rather than piling up (P7)
        timeout_graceful_shutdown=10,
    ))
    server.run()


def run_worker(config: RelayConfig, keystore: KeyStore) -> None:
    """A worker process without the HTTP server, for scale-out."""
    configure_logging()
    asyncio.run(_worker_main(config, keystore))


async def _worker_main(config: RelayConfig, keystore: KeyStore) -> None:
    storage = open_storage(config)
    async with new_http_client() as http:
        runtime = build_runtime(
            config, keystore=keystore, storage=storage, http=http,
            clock=utcnow, rng=random.SystemRandom(),
        )
        stop, wake = asyncio.Event(), asyncio.Event()
        loop = asyncio.get_running_loop()

        def shut_down() -> None:
            stop.set()
            wake.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, shut_down)
        await asyncio.gather(runtime.worker.run(stop, wake), maintain_forever(keystore, utcnow, stop))
    storage.close()
