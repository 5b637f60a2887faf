from __future__ import annotations

import pytest

from scrubber.location import coarsen_location
from scrubber.text import detect_language, scrub_text
from scrubber.text.patterns import TEXT_COORDINATE_PRECISION_M


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


@pytest.mark.parametrize("text, kind, value", [
    ("Mi CURP es BOXW310820HNERXN09 por si acaso", "curp", "BOXW310820HNERXN09"),
    ("rfc gode561231gr8 del patrón", "rfc", "gode561231gr8"),
    ("Su clave de elector GMVLMR80070501M100 está en la INE", "ine", "GMVLMR80070501M100"),
    ("NSS 72 89 73 1234 1 del IMSS", "nss", "72 89 73 1234 1"),
    ("Depositen a la CLABE 032180000118359719 ya", "clabe", "032180000118359719"),
    ("tarjeta 4152 3137 1234 5670 de débito", "card", "4152 3137 1234 5670"),
    ("el IMEI 35-209900-176148-1 del celular", "imei", "35-209900-176148-1"),
    ("una Lobo con placas XYZ-123-A del estado", "plate", "XYZ-123-A"),
    ("placas de Texas 7abc123 por la carretera", "plate", "7abc123"),
    ("me escribe desde 189.203.45.12 cada noche", "ip", "189.203.45.12"),
    ("y desde 2806:2f0:9020:8f1::1 también", "ip", "2806:2f0:9020:8f1::1"),
    ("escríbanme a juan.perez arroba gmail punto com ya", "email", "juan.perez arroba gmail punto com"),
    ("mail juanp [at] yahoo [dot] com [dot] mx now", "email", "juanp [at] yahoo [dot] com [dot] mx"),
    ("vive en calle Hidalgo 123 int. 4, colonia Centro", "address", "calle Hidalgo 123 int. 4"),
    ("la casa está en Morelos No. 45 frente al parque", "address", "Morelos No. 45"),
    ("viven en Mz 12 Lt 3 de la colonia", "address", "Mz 12 Lt 3"),
    ("she lives at 1423 Oak Street Apt 4 in Laredo", "address", "1423 Oak Street Apt 4"),
    ("ver tiktok.com/@juanp_mty ya", "url", "tiktok.com/@juanp_mty"),
])
def test_identifier_kinds(text: str, kind: str, value: str) -> None:
    result = scrub_text(text, "es")
    assert [(r.kind, text[r.start:r.end]) for r in result.redactions] == [(kind, value)]
    assert value not in result.text


@pytest.mark.parametrize("text, name", [
    ("Se llevaron a mi hermano Juan Carlos Pérez López ayer", "Juan Carlos Pérez López"),
    ("se llevaron a mi hermano juan carlos perez lopez ayer", "juan carlos perez lopez"),
    ("SE LLEVARON A MI HERMANO JUAN CARLOS PÉREZ LÓPEZ AYER", "JUAN CARLOS PÉREZ LÓPEZ"),
    ("La señora Xóchitl Tzompaxtle vio todo", "Xóchitl Tzompaxtle"),
    ("nadie ha visto a Guadalupe Reyes desde el lunes", "Guadalupe Reyes"),
    ("my brother Tyler Perkins was taken", "Tyler Perkins"),
    ("Abundio Torres fue detenido", "Abundio Torres"),
    ("se busca a yaretzi patricia torres, trabajaba", "yaretzi patricia torres"),
    ("Jorge A. Treviño no aparece", "Jorge A. Treviño"),
])
def test_names_in_every_case(text: str, name: str) -> None:
    result = scrub_text(text, None)
    assert [text[r.start:r.end] for r in result.redactions if r.kind == "name"] == [name]


@pytest.mark.parametrize("text", [
    "Balacera en Av. Benito Juárez y Morelos, colonia Guadalupe",
    "Bloqueo en calle Zaragoza esquina con Pino Suárez, San Pedro Garza García",
    "Retén de la Guardia Nacional en Ciudad Victoria, cerca del Hospital San José",
    "Llegó la Cruz Roja a Santa Catarina y a la Escuela Primaria Benito Juárez",
    "Hay 4 camionetas en calle Juárez 4 cuadras antes del puente",
    "Calle 5 de Mayo a las 3 de la tarde, km 45 de la carretera federal 57",
    "La Secundaria Técnica No. 12 y la patrulla #345 están en el folio No. 88",
    "moto sin placas quemada en el km 148 #SDRMonterrey",
    "3 men on Main Street near the bridge at 2:30 pm",
    "el 2026-11-20 y el 20/11/2026, se llama la operación Fuerza Civil",
    "Ojo: se quemó el Tsuru rojo en Río Bravo",
])
def test_hard_negatives_survive(text: str) -> None:
    result = scrub_text(text, None)
    assert result.text == text, [(r.kind, text[r.start:r.end]) for r in result.redactions]


@pytest.mark.parametrize("text, lat, lon", [
    ("nos tienen en 25.686614, -100.316113 ayúdenme", 25.686614, -100.316113),
    ("lat 19.432608 lon -99.133209 urge", 19.432608, -99.133209),
    ("at 19.4326° N, 99.1332° W now", 19.4326, -99.1332),
    ("en 19°25'57.4\"N 99°07'59.5\"W ya", 19 + 25 / 60 + 57.4 / 3600, -(99 + 7 / 60 + 59.5 / 3600)),
])
def test_exact_coordinates_are_coarsened_not_dropped(text: str, lat: float, lon: float) -> None:
    cell = coarsen_location(lat, lon, TEXT_COORDINATE_PRECISION_M)
    coarse = f"{cell.lat}, {cell.lon}"
    result = scrub_text(text, "es")
    assert [r.kind for r in result.redactions] == ["coordinates"]
    assert coarse in result.text
    exact = text[result.redactions[0].start:result.redactions[0].end]
    assert exact not in result.text


def test_every_kind_has_a_placeholder_in_both_languages() -> None:
    from scrubber.text import PLACEHOLDERS

    assert PLACEHOLDERS["es"].keys() == PLACEHOLDERS["en"].keys()
    result = scrub_text("CURP BOXW310820HNERXN09, placas XYZ-123-A, mi hermano Juan Pérez", "en")
    assert result.text == "CURP [CURP], placas [PLATE], mi hermano [NAME]"


def test_redactions_are_sorted_and_disjoint() -> None:
    text = "Juan Pérez, juan.perez@gmail.com, facebook.com/juan.perez, calle Juárez 12, 81 1234 5678"
    spans = [(r.start, r.end) for r in scrub_text(text).redactions]
    assert spans == sorted(spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    assert [r.kind for r in scrub_text(text).redactions] == ["name", "email", "url", "address", "phone"]
