"""P7: every kind of bad input gets its 4xx and a JSON error naming the problem."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from nacl.public import PrivateKey, SealedBox
from PIL import Image

from tests.helpers import RelayProcess, feed_destination, init_data_dir, seal_for

MAX_BODY = 300_000


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    data = tmp_path_factory.mktemp("bad") / "data"
    init_data_dir(data, [feed_destination()], relay={"max_body_bytes": MAX_BODY})
    server = RelayProcess(data, "--no-worker")
    yield server
    server.stop()


def post(relay: RelayProcess, body: bytes | dict[str, object], **headers: str) -> httpx.Response:
    if isinstance(body, dict):
        return httpx.post(f"{relay.url}/v1/reports", json=body, headers=headers)
    headers = {"content-type": "application/json", **headers}
    return httpx.post(f"{relay.url}/v1/reports", content=body, headers=headers)


def error_of(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message"} and error["message"]
    return error


def current_kid(relay: RelayProcess) -> str:
    return str(httpx.get(f"{relay.url}/v1/keys").json()["ingest"][0]["kid"])


def test_malformed_json(relay: RelayProcess) -> None:
    response = post(relay, b'{"v": 1, "kid": ')
    assert response.status_code == 400 and error_of(response)["code"] == "malformed_json"


def test_bad_base64(relay: RelayProcess) -> None:
    response = post(relay, {"v": 1, "kid": current_kid(relay), "sealed": "not*base64!"})
    assert response.status_code == 400 and error_of(response)["code"] == "bad_base64"


def test_wrong_envelope_version_and_shape(relay: RelayProcess) -> None:
    assert error_of(post(relay, {"v": 2, "kid": "x", "sealed": "AA=="}))["code"] == "unsupported_version"
    assert error_of(post(relay, b"[1, 2]"))["code"] == "bad_envelope"
    assert error_of(post(relay, {"v": 1, "kid": "", "sealed": "AA=="}))["code"] == "bad_envelope"


def test_unknown_key_id_names_the_current_key(relay: RelayProcess) -> None:
    envelope = seal_for(relay.url, {"text": "hola"})
    response = post(relay, {**envelope, "kid": "aaaaaaaaaaaaaaaa"})
    error = error_of(response)
    assert response.status_code == 400 and error["code"] == "unknown_key"
    assert current_kid(relay) in error["message"]


def test_box_sealed_to_another_key(relay: RelayProcess) -> None:
    stranger = PrivateKey.generate().public_key
    sealed = SealedBox(stranger).encrypt(b'{"text": "hola"}')
    body = {"v": 1, "kid": current_kid(relay), "sealed": base64.b64encode(sealed).decode()}
    response = post(relay, body)
    assert response.status_code == 400 and error_of(response)["code"] == "decryption_failed"


def test_oversized_body_declared_and_streamed(relay: RelayProcess) -> None:
    big = b"x" * (MAX_BODY + 1)
    response = post(relay, big)
    assert response.status_code == 413 and error_of(response)["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold mid-stream
        for _ in range(40):
            yield b"y" * 10_000

    streamed = httpx.post(f"{relay.url}/v1/reports", content=chunks(),
                          headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and error_of(streamed)["code"] == "payload_too_large"


@pytest.mark.parametrize("report, field", [
    ({"text": ""}, "text"),
    ({"text": "   "}, "text"),
    ({"text": "x" * 20_001}, "text"),
    ({}, "text"),
    ({"text": "hola", "location": {"lat": 123, "lon": 0}}, "location.lat"),
    ({"text": "hola", "category": "gossip"}, "category"),
    ({"text": "hola", "occurred_at": "yesterday"}, "occurred_at"),
    ({"text": "hola", "occurred_at": "2026-11-20T10:00:00"}, "occurred_at"),
    ({"text": "hola", "sender_ip": "1.2.3.4"}, "sender_ip"),
    ({"text": "hola", "lang": "fr"}, "lang"),
])
def test_report_failing_the_schema_names_the_field(relay: RelayProcess, report: dict[str, object], field: str) -> None:
    response = post(relay, seal_for(relay.url, report))
    error = error_of(response)
    assert response.status_code == 422 and error["code"] == "invalid_report"
    assert field in error["message"]
    assert "1.2.3.4" not in error["message"]  # the value is never echoed


def test_sealed_plaintext_that_is_not_json(relay: RelayProcess) -> None:
    response = post(relay, seal_for(relay.url, b"\xff\xfe not json"))
    assert response.status_code == 422 and error_of(response)["code"] == "invalid_report"


def _attachment(data: bytes, name: str = "foto.jpg") -> dict[str, object]:
    return {"text": "hola", "attachments": [
        {"filename": name, "content_type": "image/jpeg", "data": base64.b64encode(data).decode()}]}


def test_attachment_not_on_the_allow_list(relay: RelayProcess) -> None:
    response = post(relay, seal_for(relay.url, _attachment(b"MZ\x90\x00 a program", "foto.jpg")))
    assert response.status_code == 415 and error_of(response)["code"] == "unsupported_file"
    assert "accepted" in error_of(response)["message"]


def test_attachment_that_only_starts_like_a_pdf_is_refused(relay: RelayProcess) -> None:
    response = post(relay, seal_for(relay.url, _attachment(b"%PDF-1.7\n%fake pdf\n", "foto.jpg")))
    assert response.status_code == 422 and error_of(response)["code"] == "malformed_file"


def test_truncated_image_is_refused(relay: RelayProcess) -> None:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(out, "JPEG")
    response = post(relay, seal_for(relay.url, _attachment(out.getvalue()[:300])))
    assert response.status_code == 422 and error_of(response)["code"] == "malformed_file"


def test_attachment_with_bad_base64(relay: RelayProcess) -> None:
    report = {"text": "hola", "attachments": [{"data": "@@@"}]}
    response = post(relay, seal_for(relay.url, report))
    assert response.status_code == 400 and error_of(response)["code"] == "bad_base64"


def test_wrong_content_type(relay: RelayProcess) -> None:
    response = httpx.post(f"{relay.url}/v1/reports", content=b"{}", headers={"content-type": "text/plain"})
    assert response.status_code == 415 and error_of(response)["code"] == "unsupported_media_type"


def test_unknown_route_and_method_are_json(relay: RelayProcess) -> None:
    assert error_of(httpx.get(f"{relay.url}/nope"))["code"] == "not_found"
    assert error_of(httpx.get(f"{relay.url}/v1/reports"))["code"] == "method_not_allowed"


def test_feed_requires_the_bearer_token(relay: RelayProcess) -> None:
    response = httpx.get(f"{relay.url}/v1/feeds/ngo-feed", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401 and error_of(response)["code"] == "unauthorized"
    assert httpx.get(f"{relay.url}/v1/feeds/no-such").status_code == 404


def test_form_errors_keep_the_input_and_name_the_problem(relay: RelayProcess) -> None:
    response = httpx.post(f"{relay.url}/submit", data={"text": "Retén en la esquina", "lat": "norte"})
    assert response.status_code == 422
    assert "Retén en la esquina" in response.text and "latitud" in response.text.lower()
    refused = httpx.post(f"{relay.url}/submit", data={"text": "Balacera"}, files={"files": ("a.jpg", b"MZ" * 10)})
    assert refused.status_code == 422 and "No se pudo usar el archivo 1" in refused.text
    assert "Balacera" in refused.text
    garbage = httpx.post(f"{relay.url}/submit", content=b"--x\r\nnot a form",
                         headers={"content-type": "multipart/form-data; boundary=x"})
    assert garbage.status_code in (400, 422) and "<html" in garbage.text


def test_no_bad_input_crashed_the_server(relay: RelayProcess) -> None:
    log = relay.log_path.read_text()
    assert "Traceback" not in log and "unhandled" not in log
    assert httpx.get(f"{relay.url}/healthz").json()["status"] == "ok"
