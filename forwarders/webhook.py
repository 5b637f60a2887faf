"""Webhook destinations: Standard Webhooks over HTTPS, age-encrypted body when configured."""

from __future__ import annotations

import base64
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
        schemes = destination.options.get("signatures", ["v1"])
        if not isinstance(schemes, list) or not schemes or not set(schemes) <= {"v1", "v1a"}:
            raise ConfigError(f"{where}: 'signatures' must be a list of \"v1\" and/or \"v1a\"")
        self._hmac = self._hmac_signer(destination, where) if "v1" in schemes else None
        if "v1a" in schemes and context.signer is None:
            raise ConfigError(f"{where}: v1a signatures need the relay's signing key")
        self._ed25519 = context.signer if "v1a" in schemes else None
        self.destination = destination
        self._url: str = destination.url
        self._recipient = age_recipient(destination)
        self._context = context
        timeout = destination.options.get("timeout_s", DEFAULT_TIMEOUT_S)
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
            raise ConfigError(f"{where}: 'timeout_s' must be a positive number")
        self._timeout = httpx.Timeout(float(timeout))

    @staticmethod
    def _hmac_signer(destination: DestinationConfig, where: str) -> standardwebhooks.Webhook:
        if destination.secret is None or not destination.secret.reveal().startswith("whsec_"):
            raise ConfigError(f"{where}: webhook needs a 'secret' starting with whsec_ (or signatures = [\"v1a\"])")
        try:
            return standardwebhooks.Webhook(destination.secret.reveal())
        except Exception:  # the package raises several types for a bad secret
            raise ConfigError(f"{where}: 'secret' is not valid base64 after whsec_") from None

    def _signatures(self, delivery_id: str, now: datetime, body: bytes) -> str:
        """Standard Webhooks: space-separated ``v1,<HMAC>`` and/or ``v1a,<Ed25519>``,
        both over ``{id}.{timestamp}.{body}``."""
        signatures = []
        if self._hmac is not None:
            signatures.append(self._hmac.sign(delivery_id, now, body.decode()))
        if self._ed25519 is not None:
            signed = f"{delivery_id}.{int(now.timestamp())}.".encode() + body
            signatures.append("v1a," + base64.b64encode(self._ed25519.sign(signed)).decode())
        return " ".join(signatures)

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
            "webhook-signature": self._signatures(delivery_id, now, body),
        }
        try:
            response = await self._context.http.post(
                self._url, content=body, headers=headers, timeout=self._timeout
            )
        except httpx.TimeoutException:
            raise DeliveryError("timed out", throttle=True) from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"connection failed ({type(exc).__name__})", throttle=True) from None
        raise_for_status(response, now)


# The destination as a whole is overloaded or down: slow every delivery to it.
THROTTLING = frozenset({429, 502, 503, 504})


def raise_for_status(response: httpx.Response, now: datetime) -> None:
    """Only 2xx is success (a 3xx is not followed: the report must not go elsewhere)."""
    if 200 <= response.status_code < 300:
        return
    if response.status_code == 410:
        raise DeliveryError("HTTP 410 Gone: destination disabled", permanent=True)
    retry_after = parse_retry_after(response.headers.get("retry-after"), now)
    raise DeliveryError(f"HTTP {response.status_code}", retry_after=retry_after,
                        throttle=response.status_code in THROTTLING or retry_after is not None)
