"""Every error the relay raises on purpose, and the HTTP status each maps to.

One FastAPI handler renders any of these as ``{"error": {"code", "message"}}``,
so promise P7 (a clear 4xx, never a 500) lives in one place.

    RelayError (500, internal)
    ├── BadRequestError (400)
    │   ├── MalformedJSONError        malformed_json
    │   ├── EnvelopeError             bad_envelope, bad_base64, unsupported_version
    │   ├── UnknownKeyError           unknown_key   (names the current key id)
    │   ├── KeyExpiredError           key_expired   (names the current key id)
    │   └── DecryptionError           decryption_failed
    ├── UnauthorizedError (401)       unauthorized
    ├── NotFoundError (404)           not_found
    ├── PayloadTooLargeError (413)    payload_too_large
    ├── UnsupportedMediaError (415)   unsupported_media_type
    │   └── UnsupportedFileError      unsupported_file
    ├── ValidationError (422)         invalid_report
    │   └── MalformedFileError        malformed_file
    ├── UnavailableError (503)        unavailable
    ├── ConfigError                   bad configuration: stops start-up, never a response
    ├── RemoteError                   `relay submit`: the relay refused, or keys did not verify
    └── DeliveryError                 a destination refused or failed; retried by the worker

Messages never contain request data or report text: they name the field or
the rule, not the value (an attacker-controlled value in a log line is a
request identifier by another name).
"""

from __future__ import annotations


class RelayError(Exception):
    """Base class: carries a stable machine ``code`` and an HTTP ``status``."""

    code: str = "internal"
    status: int = 500

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def to_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


class BadRequestError(RelayError):
    code = "bad_request"
    status = 400


class MalformedJSONError(BadRequestError):
    code = "malformed_json"


class EnvelopeError(BadRequestError):
    code = "bad_envelope"


class UnknownKeyError(BadRequestError):
    code = "unknown_key"


class KeyExpiredError(BadRequestError):
    code = "key_expired"


class DecryptionError(BadRequestError):
    code = "decryption_failed"


class UnauthorizedError(RelayError):
    code = "unauthorized"
    status = 401


class NotFoundError(RelayError):
    code = "not_found"
    status = 404


class PayloadTooLargeError(RelayError):
    code = "payload_too_large"
    status = 413


class UnsupportedMediaError(RelayError):
    code = "unsupported_media_type"
    status = 415


class UnsupportedFileError(UnsupportedMediaError):
    code = "unsupported_file"


class ValidationError(RelayError):
    code = "invalid_report"
    status = 422


class MalformedFileError(ValidationError):
    code = "malformed_file"


class UnavailableError(RelayError):
    code = "unavailable"
    status = 503


class ConfigError(RelayError):
    code = "config"


class RemoteError(RelayError):
    code = "remote"


class DeliveryError(RelayError):
    """A destination did not accept a delivery.

    ``permanent``: the destination is gone (HTTP 410): disable it.
    ``throttle``: the destination as a whole is down or asks us to slow down
    (unreachable, timed out, 429, 502-504): pause every delivery to it, not
    just this one. ``retry_after`` is the destination's hint in seconds.
    """

    code = "delivery_failed"

    def __init__(
        self, message: str, *, retry_after: float | None = None, permanent: bool = False,
        throttle: bool = False,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent
        self.throttle = throttle
