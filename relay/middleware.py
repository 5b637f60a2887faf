"""ASGI middleware that keeps request identifiers out of the application (P1)
and bounds request bodies (P7)."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from relay.errors import PayloadTooLargeError

# Only these request headers reach the application. Everything else (User-Agent,
# Cookie, X-Forwarded-For, Forwarded, X-Real-IP, Referer, Accept-Language, ...)
# is dropped before any route, handler or log can see it.
ALLOWED_HEADERS = frozenset({
    b"host", b"content-type", b"content-length", b"transfer-encoding", b"authorization",
    b"if-none-match", b"accept",
})

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'",
    ),
]


class PrivacyMiddleware:
    """The outermost layer, one pass per request:

    * drops the peer address and every header not on the allow-list, before
      any route, handler or log can see them (P1);
    * answers 413 before reading when Content-Length is too big, and stops a
      body that grows past the limit mid-stream (P7);
    * adds the security headers to every response.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int,
                 html_too_large: Callable[[Scope], bytes] | None = None) -> None:
        self.app = app
        self.max = max_body_bytes
        # The citizen's form answers a too-big post with its own page, in
        # their language, rather than the API's JSON error.
        self.html_too_large = html_too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k in ALLOWED_HEADERS]
        scope = {**scope, "client": None, "headers": headers}
        declared = dict(headers).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max):
            page = self.html_too_large(scope) if self.html_too_large and scope["path"] == "/submit" else None
            await _send_error(send, PayloadTooLargeError(self._too_large()), page)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max:
                raise PayloadTooLargeError(self._too_large())
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, limited, with_headers)

    def _too_large(self) -> str:
        return f"request body is larger than {self.max} bytes"


async def _send_error(send: Send, error: PayloadTooLargeError, page: bytes | None = None) -> None:
    body = page if page is not None else json.dumps(error.to_json()).encode()
    content_type = b"text/html; charset=utf-8" if page is not None else b"application/json"
    await send({
        "type": "http.response.start",
        "status": error.status,
        "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"), *SECURITY_HEADERS],
    })
    await send({"type": "http.response.body", "body": body})
