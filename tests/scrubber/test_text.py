from __future__ import annotations

import pytest

from scrubber.text import detect_language, scrub_text


@pytest.mark.parametrize("phone", [
    "8112345678", "81 1234 5678", "81-1234-5678", "81.1234.5678", "(81) 1234 5678",
    "+52 81 1234 5678", "+52 1 81 1234 5678", "+5218112345678", "044 81 1234 5678",
    "045 (55) 1234-5678", "+1 (956) 555-0123",
])
def test_phone_forms_are_replaced(phone: str) -> None:
    result = scrub_text(f"Llámenme al {phone} por favor", "es")
    assert result.text == "Llámenme al [TELÉFONO] por favor", phone
    assert [r.kind for r in result.redactions] == ["phone"]


@pytest.mark.parametrize("text, kind, placeholder", [
    ("escriban a maria.lopez@example.com ya", "email", "[CORREO]"),
    ("ver https://facebook.com/maria.lopez.77 ya", "url", "[ENLACE]"),
    ("ver facebook.com/maria.lopez.77 ya", "url", "[ENLACE]"),
    ("mándame wa.me/5218112345678 ya", "url", "[ENLACE]"),
    ("pregunten a @maria_lopez ya", "handle", "[USUARIO]"),
])
def test_identifiers_get_typed_spanish_placeholders(text: str, kind: str, placeholder: str) -> None:
    result = scrub_text(text, "es")
    assert placeholder in result.text and result.text.endswith(" ya")
    assert result.redactions[0].kind == kind


def test_english_placeholders() -> None:
    result = scrub_text("Armed men at the bridge, call me at (956) 555-0123 or mail a@b.org", "en")
    assert result.text == "Armed men at the bridge, call me at [PHONE] or mail [EMAIL]"


@pytest.mark.parametrize("text", [
    "Retén en el km 45 de la carretera 57 a las 14:30 #AlertaMty",
    "12 hombres armados en 3 camionetas el 2026-11-20",
    "Balacera en Av. Constitución y Zaragoza, Monterrey",
    "Folio 1234 5678 de la Fiscalía",
])
def test_incident_facts_survive(text: str) -> None:
    assert scrub_text(text, "es").text == text


def test_redaction_offsets_point_into_the_original() -> None:
    text = "Tel 81 1234 5678 y correo ana@example.com"
    result = scrub_text(text)
    assert [text[r.start:r.end] for r in result.redactions] == ["81 1234 5678", "ana@example.com"]


def test_language_detection() -> None:
    assert detect_language("Hay hombres armados en la calle") == "es"
    assert detect_language("There are armed men on the street") == "en"
    assert scrub_text("call me at 956 555 0123 they are near the bridge").lang == "en"
