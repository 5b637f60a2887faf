"""Webhook destinations: Standard Webhooks over HTTPS, age-encrypted body when configured."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
import standardwebhooks

from forwarders.base import ForwarderContext, age_recipient, encode_private
from relay.config import DestinationConfig
from relay.errors import ConfigError, DeliveryError

DEFAULT_TIMEOUT_S = 30.0


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


class WebhookForwarder:
    type: ClassVar[str] = "webhook"
    public: ClassVar[bool] = False

    def __init__(self, destination: DestinationConfig, context: ForwarderContext) -> None:
        where = f"destination '{destination.name}'"
        if not destination.url or not destination.url.startswith(("https://", "http://")):
            raise ConfigError(f"{where}: webhook needs an http(s) 'url'")
        if destination.secret is None or not destination.secret.reveal().startswith("whsec_"):
            raise ConfigError(f"{where}: webhook needs a 'secret' starting with whsec_")
        try:
            self._signer = standardwebhooks.Webhook(destination.secret.reveal())
        except Exception:  # the package raises several types for a bad secret
            raise ConfigError(f"{where}: 'secret' is not valid base64 after whsec_") from None
        self.destination = destination
        self._url: str = destination.url
        self._recipient = age_recipient(destination)
        self._context = context
        timeout = destination.options.get("timeout_s", DEFAULT_TIMEOUT_S)
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
            raise ConfigError(f"{where}: 'timeout_s' must be a positive number")
        self._timeout = httpx.Timeout(float(timeout))

    @property
    def wants_attachments(self) -> bool:
        return self.destination.attachments is not False

    def encode(self, report: dict[str, Any]) -> bytes:
        return encode_private(report, self._recipient)

    async def deliver(self, delivery_id: str, body: bytes) -> None:
        if self._context.http is None:
            raise DeliveryError("no HTTP client in this process")
        now = self._context.clock().astimezone(UTC)
        headers = {
            "content-type": "application/json",
            "user-agent": "relay",  # no version: it would help fingerprint the relay
            "webhook-id": delivery_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self._signer.sign(delivery_id, now, body.decode()),
        }
        try:
            response = await self._context.http.post(
                self._url, content=body, headers=headers, timeout=self._timeout
            )
        except httpx.TimeoutException:
            raise DeliveryError("timed out") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"connection failed ({type(exc).__name__})") from None
        self._raise_for(response, now)

    @staticmethod
    def _raise_for(response: httpx.Response, now: datetime) -> None:
        if 200 <= response.status_code < 300:
            return
        if response.status_code == 410:
            raise DeliveryError("HTTP 410 Gone: destination disabled", permanent=True)
        retry_after = parse_retry_after(response.headers.get("retry-after"), now)
        raise DeliveryError(f"HTTP {response.status_code}", retry_after=retry_after)
