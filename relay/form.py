"""The citizen's form: ``GET /`` and ``POST /submit``, server-rendered, no JavaScript.

This is the skeleton's minimal form (text, category, place, coordinates);
the complete form with preview, files and codenames builds on it.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from relay.errors import RelayError
from relay.report import CATEGORIES

router = APIRouter()
_templates = Environment(loader=PackageLoader("relay", "templates"), autoescape=select_autoescape())
_STYLE = files("relay").joinpath("static/style.css").read_bytes()
_FIELDS = ("text", "category", "place", "lat", "lon")

TEXTS: dict[str, dict[str, Any]] = {
    "es": {
        "title": "Reportar un incidente", "switch": "English", "switch_lang": "en",
        "intro": "Tu reporte se envía sin tu nombre, número, ubicación exacta ni la hora exacta.",
        "text": "¿Qué pasó?", "category": "Tipo", "place": "¿Dónde? (calle, colonia, ciudad)",
        "lat": "Latitud (opcional)", "lon": "Longitud (opcional)", "send": "Enviar",
        "categories": {"checkpoint": "Retén", "shooting": "Balacera", "disappearance": "Desaparición",
                       "extortion": "Extorsión", "other": "Otro"},
        "received": "Reporte recibido", "receipt": "Comprobante",
        "next": "Tu reporte se limpiará de datos personales y se enviará a las organizaciones aliadas.",
        "advice": "Borra las fotos de tu galería y usa Tor Browser para reportar.",
        "error": "No se pudo enviar el reporte", "again": "Enviar otro reporte",
        "bad_number": "La latitud y la longitud deben ser números.",
    },
    "en": {
        "title": "Report an incident", "switch": "Español", "switch_lang": "es",
        "intro": "Your report is sent without your name, number, exact location or exact time.",
        "text": "What happened?", "category": "Type", "place": "Where? (street, neighbourhood, city)",
        "lat": "Latitude (optional)", "lon": "Longitude (optional)", "send": "Send",
        "categories": {"checkpoint": "Checkpoint", "shooting": "Shooting", "disappearance": "Disappearance",
                       "extortion": "Extortion", "other": "Other"},
        "received": "Report received", "receipt": "Receipt",
        "next": "Your report will be cleaned of personal data and sent to partner organisations.",
        "advice": "Delete the photos from your gallery and use Tor Browser to report.",
        "error": "The report could not be sent", "again": "Send another report",
        "bad_number": "Latitude and longitude must be numbers.",
    },
}


def _lang(value: str | None) -> str:
    # An explicit switch only: Tor Browser sends en-US for everyone.
    return value if value in TEXTS else "es"


def _page(name: str, lang: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = _templates.get_template(name).render(t=TEXTS[lang], lang=lang, categories=CATEGORIES, **values)
    return HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})


@router.get("/", response_class=HTMLResponse)
async def form_page(lang: str | None = None) -> HTMLResponse:
    return _page("form.html", _lang(lang), values={})


@router.get("/static/style.css")
async def stylesheet() -> Response:
    return Response(_STYLE, media_type="text/css", headers={"cache-control": "public, max-age=3600"})


def _report(values: dict[str, str], lang: str) -> dict[str, Any]:
    report: dict[str, Any] = {"text": values.get("text", ""), "lang": lang}
    if values.get("category"):
        report["category"] = values["category"]
    if values.get("place", "").strip():
        report["place"] = values["place"]
    if values.get("lat") or values.get("lon"):
        try:
            report["location"] = {"lat": float(values.get("lat", "")), "lon": float(values.get("lon", ""))}
        except ValueError:
            raise ValueError(TEXTS[lang]["bad_number"]) from None
    return report


@router.post("/submit", response_class=HTMLResponse)
async def submit_form(request: Request) -> HTMLResponse:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    lang = _lang(request.query_params.get("lang"))
    if media != "application/x-www-form-urlencoded":
        # Refusing multipart here also keeps Starlette from spooling uploads to temp files.
        return _page("form.html", lang, 415, values={}, error=TEXTS[lang]["error"])
    form = await request.form(max_files=0, max_fields=len(_FIELDS) + 2)
    values = {k: str(form.get(k, "")) for k in _FIELDS}
    lang = _lang(str(form.get("lang", lang)))
    try:
        receipt = await request.app.state.ingestor.accept_plain(_report(values, lang))
    except (RelayError, ValueError) as exc:
        message = exc.message if isinstance(exc, RelayError) else str(exc)
        status = exc.status if isinstance(exc, RelayError) else 422
        return _page("form.html", lang, status, values=values, error=TEXTS[lang]["error"], detail=message)
    request.app.state.wake.set()
    return _page("receipt.html", lang, receipt=receipt)
