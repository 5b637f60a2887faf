"""Public crisis maps on Ushahidi: posts created through the platform's v5 API.

Setup, once per deployment: a survey ("form") with a location field and,
optionally, a date field; an account allowed to post to it (or a client
allowed to post anonymously). The forwarder gets an OAuth token from
``/oauth/token`` (password grant when ``username`` is set, else client
credentials), discovers the survey's fields from ``/api/v5/surveys/<id>``,
and creates each report with ``POST /api/v5/posts``.

Ushahidi stores the coordinates it is given and only rounds them on display,
so the relay sends them already coarsened (and displaced, with
``location_epsilon``); it never sends the pseudonym or attachments.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

import httpx

from forwarders.base import ForwarderContext, category_label, dumps, public_view
from forwarders.webhook import DEFAULT_TIMEOUT_S, raise_for_status
from keys.secret import Secret
from relay.config import DestinationConfig
from relay.errors import ConfigError, DeliveryError

LOCALES = {"es": "es_MX", "en": "en_US"}
TOKEN_MARGIN = timedelta(seconds=60)  # renew a token this long before it expires


@dataclass(frozen=True)
class SurveyFields:
    """Where a report goes in the survey: the task holding the fields, and the
    ids of the first location and date fields (None when the survey has none)."""

    task_id: int
    location: int | None
    date: int | None


def survey_fields(document: Any, survey_id: int) -> SurveyFields:
    """Read ``GET /api/v5/surveys/<id>``: ``result.tasks[].fields[]``, each field
    with ``id``, ``type`` (``point``, ``datetime``, ``title``...) and ``input``."""
    try:
        tasks = document["result"]["tasks"]
        for task in tasks:
            if task.get("type", "post") != "post":
                continue
            fields = task.get("fields") or []
            location = next((f["id"] for f in fields if f.get("type") == "point"), None)
            date = next((f["id"] for f in fields if f.get("type") == "datetime"), None)
            return SurveyFields(int(task["id"]), location, date)
    except (KeyError, TypeError, ValueError):
        pass
    raise DeliveryError(f"survey {survey_id} did not describe its fields as Ushahidi v5 does")


def post_for(report: dict[str, Any], survey_id: int, fields: SurveyFields) -> dict[str, Any]:
    """The ``POST /api/v5/posts`` body for one delivered report."""
    values: list[dict[str, Any]] = []
    location = report.get("location")
    if location and fields.location is not None:
        values.append({"id": fields.location, "type": "point",
                       "value": {"value": {"lat": location["lat"], "lon": location["lon"]}}})
    occurred = report.get("occurred")
    if occurred and fields.date is not None:
        values.append({"id": fields.date, "type": "datetime", "value": {"value": occurred}})
    post: dict[str, Any] = {
        "form_id": survey_id,
        "type": "report",
        "title": _title(report),
        "content": _content(report),
        "locale": LOCALES.get(str(report.get("lang")), "es_MX"),
        "post_content": [{"id": fields.task_id, "type": "post", "fields": values}],
        "completed_stages": [],
        "published_to": [],
    }
    if occurred and "T" in occurred:
        post["post_date"] = occurred  # else the platform stamps its own arrival time
    return post


def _title(report: dict[str, Any]) -> str:
    label = category_label(report)
    place = report.get("place")
    return f"{label}: {place}"[:150] if place else label


def _content(report: dict[str, Any]) -> str:
    parts = [str(report.get("text") or "")]
    if report.get("place"):
        parts.append(str(report["place"]))
    return "\n\n".join(p for p in parts if p)


class UshahidiForwarder:
    type: ClassVar[str] = "ushahidi"
    public: ClassVar[bool] = True

    def __init__(self, destination: DestinationConfig, context: ForwarderContext) -> None:
        where = f"destination '{destination.name}'"
        if not destination.url or not destination.url.startswith(("https://", "http://")):
            raise ConfigError(f"{where}: ushahidi needs the deployment's API 'url'")
        if destination.age_recipient is not None:
            raise ConfigError(f"{where}: a public map cannot be encrypted")
        if destination.attachments:
            raise ConfigError(f"{where}: attachments cannot be sent to Ushahidi (media upload is not supported)")
        options = destination.options
        survey = options.get("survey_id")
        if not isinstance(survey, int) or isinstance(survey, bool) or survey < 1:
            raise ConfigError(f"{where}: 'survey_id' must be the survey's number")
        self._survey_id = survey
        self._client_id = str(options.get("client_id", "ushahidiui"))
        if destination.secret is None:
            raise ConfigError(f"{where}: 'secret' (the OAuth client secret) is required")
        self._client_secret = destination.secret
        username, password = options.get("username"), options.get("password")
        if (username is None) != (password is None):
            raise ConfigError(f"{where}: 'username' and 'password' go together")
        if password is not None and not isinstance(password, Secret):
            password = Secret(str(password))
        self._login = (str(username), password) if password is not None else None
        self._scope = str(options.get("scope", "posts forms api"))
        self.destination = destination
        self._base = destination.url.rstrip("/")
        self._context = context
        self._timeout = httpx.Timeout(float(options.get("timeout_s", DEFAULT_TIMEOUT_S)))
        self._token: tuple[str, datetime] | None = None
        self._fields: SurveyFields | None = None
        self._lock: asyncio.Lock | None = None

    def encode(self, report: dict[str, Any]) -> bytes:
        return dumps(public_view(report))

    async def deliver(self, delivery_id: str, body: bytes) -> None:
        # Ushahidi has no idempotency key: a retry after a timeout can create
        # the post twice (moderators see both). The README says so.
        report = json.loads(body)
        token, fields = await self._session()
        response = await self._request("POST", "/api/v5/posts", token, json=post_for(report, self._survey_id, fields))
        if response.status_code == 401:  # revoked or expired early: one fresh token, one more try
            self._token = None
            token, fields = await self._session()
            response = await self._request("POST", "/api/v5/posts", token,
                                           json=post_for(report, self._survey_id, fields))
        if response.status_code == 422:
            self._fields = None  # the survey may have changed: discover it again next time
            raise DeliveryError("HTTP 422: the survey refused the post (check its fields)")
        raise_for_status(response, self._context.clock())

    async def _session(self) -> tuple[str, SurveyFields]:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            now = self._context.clock()
            if self._token is None or self._token[1] <= now:
                self._token = await self._fetch_token(now)
            if self._fields is None:
                self._fields = await self._discover(self._token[0])
            return self._token[0], self._fields

    async def _fetch_token(self, now: datetime) -> tuple[str, datetime]:
        form = {"client_id": self._client_id, "client_secret": self._client_secret.reveal(),
                "scope": self._scope, "grant_type": "client_credentials"}
        if self._login is not None:
            form.update(grant_type="password", username=self._login[0], password=self._login[1].reveal())
        response = await self._request("POST", "/oauth/token", None, data=form)
        if response.status_code in (400, 401):
            raise DeliveryError(f"HTTP {response.status_code} from /oauth/token: check the credentials",
                                throttle=True)
        raise_for_status(response, now)
        try:
            token = response.json()
            lifetime = timedelta(seconds=float(token.get("expires_in", 3600)))
            return str(token["access_token"]), now + max(lifetime - TOKEN_MARGIN, timedelta(0))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise DeliveryError("/oauth/token answered without an access_token", throttle=True) from None

    async def _discover(self, token: str) -> SurveyFields:
        response = await self._request("GET", f"/api/v5/surveys/{self._survey_id}", token)
        if response.status_code == 404:
            raise DeliveryError(f"survey {self._survey_id} does not exist", throttle=True)
        raise_for_status(response, self._context.clock())
        try:
            document = response.json()
        except ValueError:
            raise DeliveryError("the survey is not JSON", throttle=True) from None
        return survey_fields(document, self._survey_id)

    async def _request(self, method: str, path: str, token: str | None, **kwargs: Any) -> httpx.Response:
        if self._context.http is None:
            raise DeliveryError("no HTTP client in this process")
        headers = {"accept": "application/json"}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        try:
            return await self._context.http.request(
                method, self._base + path, headers=headers, timeout=self._timeout, **kwargs)
        except httpx.TimeoutException:
            raise DeliveryError(f"{path} timed out", throttle=True) from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"connection failed ({type(exc).__name__})", throttle=True) from None
