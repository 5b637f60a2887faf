"""The citizen's form over real HTTP: headers, languages, preview, drafts,
accessibility basics and page weight. The browser tests are in test_browser.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from relay.drafts import DraftStore
from relay.errors import ValidationError
from relay.i18n import translations
from tests.helpers import Receiver, RelayProcess, files_under, init_data_dir, send_form, wait_for
from tests.relay.catalog import messages
from tests.scrubber.files import samples

ONION = "http://" + "a" * 56 + ".onion"
PHONE = "81 1234 5678"
MARKER = "Glorieta-Marker-7731"


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RelayProcess]:
    data = tmp_path_factory.mktemp("form") / "data"
    receiver = Receiver().start()
    init_data_dir(data, [{"name": "ngo", "type": "webhook", "url": receiver.url,
                          "secret": "whsec_" + "A" * 32, "location_precision_m": 1000}],
                  relay={"onion_location": ONION})
    server = RelayProcess(data)
    server.receiver = receiver  # type: ignore[attr-defined]
    yield server
    server.stop()
    receiver.stop()


def _review(relay: RelayProcess, lang: str = "es", files: list[tuple[str, bytes]] | None = None,
            **fields: str) -> httpx.Response:
    upload = [("files", (name, data, "application/octet-stream")) for name, data in files or []]
    return httpx.post(f"{relay.url}/submit?lang={lang}", data={"lang": lang, "action": "review", **fields},
                      files=upload or None, timeout=60)


def _hidden(page: httpx.Response) -> dict[str, str]:
    return dict(re.findall(r'name="(draft|key)" value="([^"]+)"', page.text))


def test_every_response_carries_the_security_headers(relay: RelayProcess) -> None:
    preview = _review(relay, text=f"Retén, llámenme al {PHONE}")
    responses = [httpx.get(f"{relay.url}/"), httpx.get(f"{relay.url}/static/style.css"), preview,
                 _review(relay, text=""), httpx.get(f"{relay.url}/no-such-page"),
                 httpx.post(f"{relay.url}/submit", data={"action": "send", **_hidden(preview)})]
    for response in responses:
        csp = response.headers["content-security-policy"]
        assert "form-action 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src" not in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "server" not in response.headers and "set-cookie" not in response.headers
    assert responses[0].headers["onion-location"] == ONION + "/"


def test_spanish_by_default_whatever_the_browser_says(relay: RelayProcess) -> None:
    page = httpx.get(f"{relay.url}/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="es">' in page.text and "¿Qué pasó?" in page.text
    english = httpx.get(f"{relay.url}/?lang=en")
    assert '<html lang="en">' in english.text and "What happened?" in english.text
    assert 'href="/?lang=es"' in english.text and 'href="/?lang=en"' in page.text


def test_every_string_has_a_spanish_translation() -> None:
    spanish = translations("es")
    for message in messages():
        if isinstance(message, tuple):
            assert spanish.ngettext(message[0], message[1], 1) != message[0], message
        else:
            assert spanish.gettext(message) != message or message in ("audio", "video", "scripts"), message


def test_form_page_is_small_and_loads_nothing_from_elsewhere(relay: RelayProcess) -> None:
    page = httpx.get(f"{relay.url}/")
    style = httpx.get(f"{relay.url}/static/style.css")
    assert len(page.content) + len(style.content) < 50_000
    links = re.findall(r'(?:src|href|action)="([^"]*)"', page.text)
    assert links and all(link.startswith(("/", "#")) for link in links), links
    assert "<script" not in page.text and "style=" not in page.text


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))


def _accessibility_problems(html: str) -> list[str]:
    parser = _Elements()
    parser.feed(html)
    ids = {a["id"] for _, a in parser.elements if "id" in a}
    labelled = {a["for"] for t, a in parser.elements if t == "label" and "for" in a}
    problems = []
    if not any(t == "html" and a.get("lang") for t, a in parser.elements):
        problems.append("no lang on <html>")
    for tag, attrs in parser.elements:
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            if attrs.get("id") not in labelled:
                problems.append(f"{tag} {attrs.get('name')} has no label")
        if attrs.get("aria-invalid") == "true":
            described = attrs.get("aria-describedby", "").split()
            if not described or not all(d in ids for d in described):
                problems.append(f"{tag} {attrs.get('name')}: error not tied to the field")
    return problems


def test_accessibility_basics_on_every_page(relay: RelayProcess) -> None:
    form = httpx.get(f"{relay.url}/")
    errors = _review(relay, text="", lat="norte", lon="1", when_date="2026-11-20", codename_choice="continue")
    assert errors.status_code == 422
    for field in ("text", "lat", "when", "codename"):
        assert f'id="err-{field}"' in errors.text
    preview = _review(relay, text="Retén en la carretera")
    receipt = httpx.post(f"{relay.url}/submit", data={"action": "send", **_hidden(preview)})
    for page in (form, errors, preview, receipt):
        assert _accessibility_problems(page.text) == []


def test_errors_come_back_in_the_citizens_language_with_input_kept(relay: RelayProcess) -> None:
    spanish = _review(relay, text="Balacera en el mercado", lat="norte", lon="-100.3")
    assert spanish.status_code == 422 and "La latitud debe ser un número" in spanish.text
    assert "Balacera en el mercado" in spanish.text and 'value="-100.3"' in spanish.text
    english = _review(relay, lang="en", text="Shooting at the market", files=[("x.exe", b"MZ\x90\x00")])
    assert english.status_code == 422 and "File 1 could not be used" in english.text
    assert "Shooting at the market" in english.text


def test_preview_marks_redactions_and_shows_coarsening(relay: RelayProcess, tmp_path: Path) -> None:
    page = _review(relay, text=f"Retén, llámenme al {PHONE}", lat="25.686614", lon="-100.316113",
                   when_date="2026-11-20", when_time="21:47", files=[("foto.jpg", samples.photo(tmp_path, "JPEG"))])
    assert page.status_code == 200
    assert '<mark title="phone">[TELÉFONO]</mark>' in page.text and PHONE not in page.text
    assert "a unos 1 km" in page.text and "2026-11-20 21:47 se envía como 2026-11-20 21:00" in page.text
    assert "ubicación GPS" in page.text and "datos de la cámara (EXIF)" in page.text


def test_edit_keeps_fields_and_files_without_uploading_them_again(relay: RelayProcess, tmp_path: Path) -> None:
    first = _review(relay, text="Desaparición en la colonia", files=[("foto.jpg", samples.photo(tmp_path, "JPEG"))])
    edit = httpx.post(f"{relay.url}/submit", data={"lang": "es", "action": "edit", **_hidden(first)})
    assert edit.status_code == 200 and "Desaparición en la colonia" in edit.text
    assert "Se conserva 1 archivo de tu borrador" in edit.text
    again = _review(relay, text="Desaparición en la colonia Centro", **_hidden(edit))
    assert again.status_code == 200 and "Archivo 1 (foto)" in again.text
    old = httpx.post(f"{relay.url}/submit", data={"action": "send", **_hidden(first)})
    assert old.status_code == 410  # the edited draft was replaced, not duplicated


def test_a_draft_is_sent_once_and_needs_the_pages_key(relay: RelayProcess) -> None:
    hidden = _hidden(_review(relay, text="Retén en la caseta"))
    wrong = httpx.post(f"{relay.url}/submit", data={"action": "send", "draft": hidden["draft"],
                                                    "key": "A" * 43 + "="})
    assert wrong.status_code == 410
    assert httpx.post(f"{relay.url}/submit", data={"action": "send", **hidden}).status_code == 200
    assert httpx.post(f"{relay.url}/submit", data={"action": "send", **hidden}).status_code == 410


def test_p2_a_draft_never_sent_leaves_nothing_readable(tmp_path: Path) -> None:
    data = tmp_path / "data"
    init_data_dir(data, [{"name": "map", "type": "geojson"}])
    server = RelayProcess(data)
    try:
        for _ in range(3):
            assert _review(server, text=f"Balacera {MARKER}", files=[("f.jpg", samples.photo(tmp_path, "JPEG"))]
                           ).status_code == 200
    finally:
        server.stop()
    for path in files_under(data):
        assert MARKER.encode() not in path.read_bytes(), path


def test_draft_store_keeps_only_ciphertext() -> None:
    now = [0.0]
    store = DraftStore(ttl_s=60, clock=lambda: now[0])
    draft_id, key = store.put(f"texto {MARKER}".encode())
    assert all(MARKER.encode() not in sealed for _, sealed in store._drafts.values())  # noqa: SLF001
    assert store.take(draft_id, key, keep=True) == f"texto {MARKER}".encode()
    now[0] = 61
    with pytest.raises(ValidationError):
        store.take(draft_id, key)
    assert len(store) == 0


def test_codename_is_shown_once_on_the_receipt(relay: RelayProcess) -> None:
    receipt = send_form(relay.url, {"text": "Retén en la caseta", "codename_choice": "new"})
    codes = re.findall(r"<code>([^<]+)</code>", receipt.text)
    assert len(codes) == 2 and codes[0].startswith("r_") and len(codes[1].split()) == 9
    assert "no lo guardamos" in receipt.text
    wait_for(lambda: relay.receiver.requests)  # type: ignore[attr-defined]


def test_a_post_too_big_gets_the_form_back_with_the_reason(tmp_path: Path) -> None:
    data = tmp_path / "data"
    init_data_dir(data, [{"name": "map", "type": "geojson"}], relay={"max_body_bytes": 1 << 20})
    server = RelayProcess(data)
    try:
        big = _review(server, lang="en", text="Shooting", files=[("big.jpg", b"\xff" * (2 << 20))])
    finally:
        server.stop()
    assert big.status_code == 413 and big.headers["content-type"].startswith("text/html")
    assert "too big (limit 1 MB)" in big.text and '<html lang="en">' in big.text


def test_onion_location_must_be_a_v3_onion_address(tmp_path: Path) -> None:
    from relay.config import parse_config
    from relay.errors import ConfigError

    assert parse_config({"relay": {"onion_location": ONION + "/"}}, tmp_path).onion_location == ONION
    with pytest.raises(ConfigError, match="onion_location"):
        parse_config({"relay": {"onion_location": "http://example.org"}}, tmp_path)
