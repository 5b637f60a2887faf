"""The partner-app client behind ``relay submit``: verify keys, seal, post."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import httpx
from nacl.public import PublicKey, SealedBox

from keys.keyring import verify_keyset
from relay.errors import RemoteError


@dataclass(frozen=True)
class Submission:
    receipt: str
    kid: str
    signing_key: str


def _error_message(response: httpx.Response) -> str:
    try:
        error = response.json()["error"]
        return f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return "no error details"


def seal_report(report: dict[str, Any], keyset: dict[str, Any], pinned: bytes | None) -> tuple[str, bytes]:
    """Verify the key set's signature, then seal to its newest ingest key."""
    try:
        ingest = verify_keyset(keyset, pinned)
        key = ingest[0]
        public = PublicKey(base64.b64decode(key["public_key"], validate=True))
    except (ValueError, KeyError, TypeError) as exc:
        raise RemoteError(f"the relay's key set does not verify: {exc}") from None
    plaintext = json.dumps(report, ensure_ascii=False).encode()
    return str(key["kid"]), bytes(SealedBox(public).encrypt(plaintext))


def submit_report(
    base_url: str, report: dict[str, Any], *, pinned_signing_key: bytes | None = None,
    timeout: float = 60.0,
) -> Submission:
    """Fetch and verify ``/v1/keys``, seal, ``POST /v1/reports``; ``RemoteError`` on refusal."""
    base = base_url.rstrip("/")
    with httpx.Client(timeout=timeout, follow_redirects=False, headers={"user-agent": "relay"}) as http:
        try:
            keys_response = http.get(f"{base}/v1/keys")
            if keys_response.status_code != 200:
                raise RemoteError(f"GET /v1/keys answered HTTP {keys_response.status_code}")
            keyset = keys_response.json()
            kid, sealed = seal_report(report, keyset, pinned_signing_key)
            envelope = {"v": 1, "kid": kid, "sealed": base64.b64encode(sealed).decode()}
            response = http.post(f"{base}/v1/reports", json=envelope)
        except httpx.HTTPError as exc:
            raise RemoteError(f"cannot reach the relay ({type(exc).__name__})") from None
        except ValueError:
            raise RemoteError("GET /v1/keys did not return JSON") from None
    if response.status_code != 202:
        raise RemoteError(f"the relay refused the report (HTTP {response.status_code}) {_error_message(response)}")
    return Submission(response.json()["receipt"], kid, keyset["signing"]["public_key"])
