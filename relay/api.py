"""The HTTP API and the wiring: ``create_app`` builds everything, routes read ``app.state``."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from forwarders.feed import FeedForwarder
from forwarders.atom import AtomForwarder
from forwarders.base import PublicFeed
from forwarders.geojson import GeoJSONForwarder
from keys.keyring import signed_keyset
from relay import form
from relay.drafts import DraftStore
from relay.config import RelayConfig
from relay.keystore import KeyStore, load_keystore, maintain_forever
from relay.errors import NotFoundError, RelayError, UnavailableError, UnsupportedMediaError
from relay.ingest import Ingestor
from relay.middleware import PrivacyMiddleware
from relay.report import parse_envelope
from relay.runtime import build_runtime
from relay.storage import Storage
from relay.storage.migrations import LATEST

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
FEED_PAGE = 100


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_http_client() -> httpx.AsyncClient:
    # No redirects (a 3xx is a failed delivery, not an invitation to send the
    # report elsewhere) and a User-Agent that says nothing about versions.
    return httpx.AsyncClient(follow_redirects=False, headers={"user-agent": "relay"})


def create_app(
    config: RelayConfig,
    *,
    storage: Storage,
    clock: Clock = utcnow,
    rng: random.Random | None = None,
    http: httpx.AsyncClient | None = None,
    keystore: KeyStore | None = None,
    run_worker: bool = True,
) -> FastAPI:
    """Build the relay: API, form and (by default) the in-process delivery worker."""
    keystore = keystore or load_keystore(config)
    rng = rng or random.SystemRandom()
    owns_http = http is None
    http_client = http or new_http_client()
    runtime = build_runtime(
        config, keystore=keystore, storage=storage, http=http_client, clock=clock, rng=rng
    )
    worker = runtime.worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(maintain_forever(keystore, clock, stop))]
        if run_worker:
            tasks.append(asyncio.create_task(worker.run(stop, app.state.wake)))
        try:
            yield
        finally:
            stop.set()
            app.state.wake.set()
            await asyncio.gather(*tasks)
            if owns_http:
                await http_client.aclose()

    app = FastAPI(
        title="relay", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.config = config
    app.state.storage = storage
    app.state.keystore = keystore
    app.state.clock = clock
    app.state.forwarders = runtime.forwarders
    app.state.ingestor = Ingestor(config, keystore, storage, clock)
    app.state.drafts = DraftStore()
    app.state.worker = worker
    app.state.wake = asyncio.Event()
    _install_error_handlers(app)
    app.include_router(router)
    app.include_router(form.router)
    app.add_middleware(PrivacyMiddleware, max_body_bytes=config.max_body_bytes,
                       html_too_large=lambda scope: form.too_large_page(scope, config))
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RelayError)
    async def relay_error(request: Request, exc: RelayError) -> Response:
        return JSONResponse(exc.to_json(), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        body = {"error": {"code": code, "message": str(exc.detail)}}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> Response:
        where = [".".join(str(p) for p in e["loc"]) for e in exc.errors()]
        body = {"error": {"code": "bad_request", "message": "invalid parameter: " + ", ".join(where)}}
        return JSONResponse(body, status_code=400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # The type only: an exception's message may quote the input it choked on.
        log.error("unhandled %s", type(exc).__name__)
        body = {"error": {"code": "internal", "message": "internal error; nothing was stored"}}
        return JSONResponse(body, status_code=500)


router = APIRouter()


@router.get("/healthz")
async def healthz(request: Request) -> dict[str, str]:
    """Liveness and the database: 503 (UnavailableError) when it cannot be used."""
    await run_in_threadpool(request.app.state.storage.check)
    return {"status": "ok", "database": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> dict[str, str | int]:
    """Readiness for a load balancer: the database answers and the schema is
    the one this code writes (a node must not take traffic mid-upgrade)."""
    storage = request.app.state.storage
    version = await run_in_threadpool(storage.schema_version)
    if version != LATEST:
        raise UnavailableError(f"database schema is version {version}; this relay needs {LATEST}")
    return {"status": "ready", "database": storage.backend, "schema": version}


@router.get("/v1/keys")
async def published_keys(request: Request) -> JSONResponse:
    state = request.app.state
    await run_in_threadpool(state.keystore.refresh)  # a rotation by another process shows at once
    document = signed_keyset(state.keystore.keyring, state.keystore.signer, state.clock())
    return JSONResponse(document, headers={"cache-control": "public, max-age=300"})


@router.post("/v1/reports", status_code=202)
async def submit_report(request: Request) -> JSONResponse:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise UnsupportedMediaError("send the envelope as application/json")
    envelope = parse_envelope(await request.body())
    receipt = await request.app.state.ingestor.accept(envelope)
    request.app.state.wake.set()
    return JSONResponse({"receipt": receipt}, status_code=202)


def _forwarder(request: Request, name: str, kind: type[Any]) -> Any:
    forwarder = request.app.state.forwarders.get(name)
    if not isinstance(forwarder, kind):
        raise NotFoundError("no such feed")
    return forwarder


@router.get("/v1/feeds/{name}")
async def pull_feed(request: Request, name: str, after: int = 0) -> JSONResponse:
    feed: FeedForwarder = _forwarder(request, name, FeedForwarder)
    feed.authorize(request.headers.get("authorization"))
    items = await run_in_threadpool(request.app.state.storage.feed_items, name, max(after, 0), FEED_PAGE)
    return JSONResponse(feed.page(items, after), headers={"cache-control": "no-store"})


async def _public_feed(request: Request, name: str, kind: type[PublicFeed]) -> Response:
    feed: PublicFeed = _forwarder(request, name, kind)
    rendered = await run_in_threadpool(feed.render)
    # Caches and feed readers may keep it a minute; a conditional GET costs a 304.
    headers = {"etag": rendered.etag, "cache-control": "public, max-age=60"}
    if rendered.last_modified is not None:
        headers["last-modified"] = email.utils.format_datetime(rendered.last_modified, usegmt=True)
    if request.headers.get("if-none-match") == rendered.etag:
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type=feed.media_type, headers=headers)


@router.get("/public/{name}.geojson")
async def public_geojson(request: Request, name: str) -> Response:
    return await _public_feed(request, name, GeoJSONForwarder)


@router.get("/public/{name}.atom")
async def public_atom(request: Request, name: str) -> Response:
    return await _public_feed(request, name, AtomForwarder)
