"""The form in a real browser with JavaScript disabled (as Tor Browser on
"Safest"): Debian's Chromium driven by Playwright. A citizen writes a phone
number, attaches a photo with GPS, reviews, sees the redaction, sends, and
gets the receipt; the NGO's receiver gets no phone and no GPS. Screenshots of
every page go to tests/artifacts/screenshots/ for review."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Receiver, RelayProcess, init_data_dir, wait_for
from tests.scrubber.files import samples
from tests.scrubber.files.leaks import leaks
from tests.tools import require

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
PHONE = "81 1234 5678"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = require("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: the tests may run as root in CI containers.
        launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def relay(tmp_path: Path, receiver: Receiver) -> Iterator[RelayProcess]:
    init_data_dir(tmp_path / "data", [{"name": "ngo", "type": "webhook", "url": receiver.url,
                                       "secret": "whsec_" + "B" * 32, "location_precision_m": 1000}])
    server = RelayProcess(tmp_path / "data")
    yield server
    server.stop()


def _page(browser: object, relay: RelayProcess) -> tuple[object, list[str]]:
    # Tor Browser reports en-US to everyone: so does this context.
    context = browser.new_context(java_script_enabled=False, locale="en-US",  # type: ignore[attr-defined]
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    return page, requested


def _shot(page: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_citizen_reports_with_a_photo_and_javascript_off(lang: str, browser: object, relay: RelayProcess,
                                                         receiver: Receiver, tmp_path: Path) -> None:
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(samples.photo(tmp_path, "JPEG"))
    page, requested = _page(browser, relay)
    page.goto(relay.url + "/")  # type: ignore[attr-defined]
    assert page.locator("html").get_attribute("lang") == "es"  # type: ignore[attr-defined]
    if lang == "en":
        page.click("text=English")  # type: ignore[attr-defined]
        assert page.locator("html").get_attribute("lang") == "en"  # type: ignore[attr-defined]
    labels = {"es": ("¿Qué pasó?", "Revisar antes de enviar", "Enviar el reporte", "Reporte recibido",
                     "[TELÉFONO]", "ubicación GPS"),
              "en": ("What happened?", "Review before sending", "Send the report", "Report received",
                     "[PHONE]", "GPS location")}[lang]
    text = {"es": f"Retén en la carretera a Saltillo, llámenme al {PHONE}",
            "en": f"Checkpoint on the Saltillo road, call me at {PHONE}"}[lang]
    page.get_by_label(labels[0]).fill(text)  # type: ignore[attr-defined]
    page.set_input_files("#files", str(photo))  # type: ignore[attr-defined]
    _shot(page, f"{lang}-1-form")
    page.get_by_role("button", name=labels[1]).click()  # type: ignore[attr-defined]

    mark = page.locator("mark[title=phone]")  # type: ignore[attr-defined]
    assert mark.inner_text() == labels[4] and PHONE not in page.content()  # type: ignore[attr-defined]
    assert labels[5] in page.content()  # type: ignore[attr-defined]
    _shot(page, f"{lang}-2-preview")
    page.get_by_role("button", name=labels[2]).click()  # type: ignore[attr-defined]

    assert page.locator("h1").inner_text() == labels[3]  # type: ignore[attr-defined]
    _shot(page, f"{lang}-3-receipt")
    assert all(url.startswith(relay.url) for url in requested), requested  # nothing from elsewhere
    assert page.context.cookies() == []  # type: ignore[attr-defined]

    wait_for(lambda: receiver.requests, timeout=60)
    report = json.loads(receiver.requests[0].body)
    assert PHONE not in json.dumps(report) and labels[4] in report["text"]
    (attachment,) = report["attachments"]
    assert leaks(base64.b64decode(attachment["data"]), tmp_path) == []
    assert "gps" in attachment["removed"]


def test_errors_show_on_the_same_page_in_the_browser(browser: object, relay: RelayProcess) -> None:
    page, _ = _page(browser, relay)
    page.goto(relay.url + "/?lang=en")  # type: ignore[attr-defined]
    page.get_by_label("What happened?").fill("Shooting near the market")  # type: ignore[attr-defined]
    page.get_by_label("Latitude", exact=True).fill("north")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Review before sending").click()  # type: ignore[attr-defined]
    assert "Latitude must be a number" in page.content()  # type: ignore[attr-defined]
    field = page.get_by_label("Latitude", exact=True)  # type: ignore[attr-defined]
    assert field.get_attribute("aria-invalid") == "true"
    assert page.get_by_label("What happened?").input_value() == "Shooting near the market"  # type: ignore[attr-defined]
    _shot(page, "en-4-error")
