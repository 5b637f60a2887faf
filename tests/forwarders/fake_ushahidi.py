"""A local stand-in for an Ushahidi platform deployment (v5 API), built from the
request and response shapes in Ushahidi's API docs and its own feature tests
(``tests/Integration/oauth.feature``, ``v5/forms/forms.v5.feature``,
``v5/posts/posts.v5.feature``): ``POST /oauth/token`` (form-encoded password or
client_credentials grant), ``GET /api/v5/surveys/<id>`` (``result.tasks[].fields[]``),
``POST /api/v5/posts`` (201 with ``result``; 401 without a valid token; 422 with
``errors.failed_validations`` for fields the survey does not have)."""

from __future__ import annotations

import json
import secrets
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.helpers import serve_in_thread, stop_server

CLIENT_ID, CLIENT_SECRET = "ushahidiui", "35e7f0bca957836d05ca0492211b0ac707671261"
USERNAME, PASSWORD = "relay@ngo.example", "correct horse"
SURVEY: dict[str, Any] = {
    "id": 3, "name": "Alertas", "type": "report", "everyone_can_create": True,
    "tasks": [
        {"id": 7, "type": "post", "label": "Post", "fields": [
            {"id": 70, "key": "title", "label": "Title", "input": "text", "type": "title", "required": True},
            {"id": 71, "key": "description", "label": "Description", "input": "text", "type": "description"},
            {"id": 72, "key": "location", "label": "Location", "input": "location", "type": "point"},
            {"id": 73, "key": "when", "label": "When", "input": "date", "type": "datetime"},
        ]},
        {"id": 8, "type": "task", "label": "Verification", "fields": [
            {"id": 80, "key": "verified", "label": "Verified", "input": "checkbox", "type": "varchar"},
        ]},
    ],
}


@dataclass
class FakeUshahidi:
    posts: list[dict[str, Any]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    survey_requests: int = 0
    tokens: set[str] = field(default_factory=set)
    fail_posts: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # answered first, in order
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def start(self) -> FakeUshahidi:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, document: Any, headers: dict[str, str] | None = None) -> None:
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _authorized(self) -> bool:
                scheme, _, token = self.headers.get("authorization", "").partition(" ")
                return scheme == "Bearer" and token in fake.tokens

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("content-length", 0)))

            def do_POST(self) -> None:  # noqa: N802
                if self.path == "/oauth/token":
                    return self._token(dict(urllib.parse.parse_qsl(self._body().decode())))
                if self.path == "/api/v5/posts":
                    return self._post(json.loads(self._body()))
                self._answer(404, {"errors": [{"status": 404, "message": "Not found"}]})

            def do_GET(self) -> None:  # noqa: N802
                if self.path == f"/api/v5/surveys/{SURVEY['id']}":
                    fake.survey_requests += 1
                    if not self._authorized():
                        return self._answer(401, {"errors": [{"status": 401, "message": "Unauthenticated."}]})
                    return self._answer(200, {"result": SURVEY})
                self._answer(404, {"errors": [{"status": 404, "message": "Survey not found"}]})

            def _token(self, form: dict[str, str]) -> None:
                fake.token_requests.append(form)
                good_client = form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET
                grant = form.get("grant_type")
                good_user = grant == "client_credentials" or (
                    grant == "password" and form.get("username") == USERNAME and form.get("password") == PASSWORD)
                if not (good_client and good_user):
                    return self._answer(400, {"error": "invalid_grant", "message": "The user credentials were incorrect."})
                token = secrets.token_hex(16)
                fake.tokens.add(token)
                self._answer(200, {"token_type": "Bearer", "expires_in": 3600, "access_token": token})

            def _post(self, post: dict[str, Any]) -> None:
                if not self._authorized():
                    return self._answer(401, {"errors": [{"status": 401, "message": "Unauthenticated."}]},
                                        {"WWW-Authenticate": "Bearer"})
                if fake.fail_posts:
                    status, headers = fake.fail_posts.pop(0)
                    return self._answer(status, {"errors": [{"status": status}]}, headers)
                problems = _validate(post)
                if problems:
                    return self._answer(422, {"errors": {"failed_validations": problems}})
                result = {**post, "id": len(fake.posts) + 1, "status": "draft"}
                fake.posts.append(result)
                self._answer(201, {"result": result})

            def log_message(self, *args: Any) -> None:
                pass

        self._server = serve_in_thread(Handler, self.port)
        self.port = self._server.server_address[1]
        return self

    def stop(self) -> None:
        stop_server(self._server)
        self._server = None


def _validate(post: dict[str, Any]) -> list[dict[str, Any]]:
    """What the platform checks (a subset): the survey, a title, and fields that belong to it."""
    problems = []
    if post.get("form_id") != SURVEY["id"]:
        problems.append({"field": "form_id", "error_messages": ["The selected form id is invalid."]})
    if not post.get("title"):
        problems.append({"field": "title", "error_messages": ["The title field is required."]})
    known = {(t["id"], f["id"], f["type"]) for t in SURVEY["tasks"] for f in t["fields"]}
    for task in post.get("post_content", []):
        for value in task.get("fields", []):
            if (task.get("id"), value.get("id"), value.get("type")) not in known:
                problems.append({"field": f"post_content.{value.get('id')}", "error_messages": ["Unknown field."]})
            if value.get("type") == "point":
                point = value["value"]["value"]
                if not (-90 <= point["lat"] <= 90 and -180 <= point["lon"] <= 180):
                    problems.append({"field": "point", "error_messages": ["Invalid coordinates."]})
    return problems
