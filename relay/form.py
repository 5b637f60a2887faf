"""The citizen's form: ``GET /`` and ``POST /submit``, server-rendered, no JavaScript.

One endpoint, three steps chosen by the button pressed (``action``):

* ``review`` (the form, multipart): fields checked, files cleaned in memory,
  the text scrubbed; the whole draft is encrypted under a key that only the
  preview page holds (``drafts.py``) and the preview shows exactly what will
  be forwarded, redactions marked;
* ``send`` (the preview): the draft is opened with the page's key, deleted,
  and ingested like any report (sealed at once); the receipt page follows;
* ``edit`` (the preview): back to the form with everything kept, files too.

Errors come back as the same form, input kept, each message tied to its
field. No cookie is set and no request header beyond the allow-list is read.
"""

from __future__ import annotations

import base64
import json
import os
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from keys.codenames import generate_codename
from relay.config import RelayConfig
from relay.drafts import DraftStore
from relay.errors import RelayError
from relay.i18n import LANGUAGES, choose, translations
from relay.multipart import parse_form
from relay.preview import CATEGORY_LABELS, N_, FormInput, Preview, build_report, preview_of

router = APIRouter()
_STYLE = files("relay").joinpath("static/style.css").read_bytes()
_LANGUAGE_NAMES = {"es": "Español", "en": "English"}
ZONES = [("-06:00", N_("Central Mexico (UTC−6)")), ("-07:00", N_("Pacific: Sonora, Sinaloa, Nayarit (UTC−7)")),
         ("-08:00", N_("Northwest: Baja California (UTC−8)")), ("-05:00", N_("Southeast: Quintana Roo (UTC−5)"))]


def _environment(lang: str) -> Environment:
    env = Environment(loader=PackageLoader("relay", "templates"), autoescape=select_autoescape(),
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


_ENVIRONMENTS = {lang: _environment(lang) for lang in LANGUAGES}


def _render(name: str, lang: str, **values: Any) -> str:
    gettext = translations(lang).gettext
    other = "en" if lang == "es" else "es"
    return _ENVIRONMENTS[lang].get_template(name).render(
        lang=lang, other_lang=other, other_lang_name=_LANGUAGE_NAMES[other], errors=values.pop("errors", {}),
        categories=[(c, gettext(label)) for c, label in CATEGORY_LABELS.items()],
        zones=[(offset, gettext(label)) for offset, label in ZONES], **values)


def _page(request: Request, name: str, lang: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = _render(name, lang, **values)
    headers = {"cache-control": "no-store"}
    onion = request.app.state.config.onion_location
    if onion:  # Tor Browser offers the onion address when it sees this
        headers["onion-location"] = onion + request.url.path
    return HTMLResponse(html, status_code=status, headers=headers)


def too_large_page(scope: Scope, config: RelayConfig) -> bytes:
    """The form, with the "too big" error, for a post refused unread (P7:
    the body is never read, so the input cannot be kept; the page says so)."""
    lang = choose(dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"))).get("lang"))
    gettext = translations(lang).gettext
    message = gettext(N_("Everything together is too big (limit %(mb)d MB): nothing was received. Send fewer "
                         "or smaller files, and write the text again.")) % {"mb": config.max_body_bytes >> 20}
    return _render("form.html", lang, errors={"files": message}, values={}).encode()


@router.get("/", response_class=HTMLResponse)
async def form_page(request: Request, lang: str | None = None) -> HTMLResponse:
    return _page(request, "form.html", choose(lang), values={})


@router.get("/static/style.css")
async def stylesheet() -> Response:
    return Response(_STYLE, media_type="text/css", headers={"cache-control": "public, max-age=3600"})


@router.post("/submit", response_class=HTMLResponse)
async def submit_form(request: Request) -> HTMLResponse:
    lang = choose(request.query_params.get("lang"))
    content_type = request.headers.get("content-type", "")
    body = await request.body()  # bounded by max_body_bytes; held in memory only
    try:
        if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
            fields, uploads = dict(parse_qsl(body.decode("utf-8", "replace"))), []
        else:
            form = parse_form(body, content_type, max_files=request.app.state.config.max_attachments)
            fields, uploads = form.fields, [content for _, content in form.files]
    except RelayError as exc:
        message = translations(lang).gettext(N_("The form could not be read. Please try again."))
        return _page(request, "form.html", lang, exc.status, values={}, errors={"text": message})
    lang = choose(fields.get("lang", lang))
    action = fields.get("action", "review")
    if action == "send":
        return await _send(request, fields, lang)
    if action == "edit":
        return _edit(request, fields, lang)
    return await _review(request, fields, uploads, lang)


async def _review(request: Request, fields: dict[str, str], uploads: list[bytes], lang: str) -> HTMLResponse:
    state = request.app.state
    values = FormInput.from_fields(fields)
    kept = _kept_files(state.drafts, fields)
    result = await run_in_threadpool(build_report, values, kept + uploads, lang, state.ingestor.cleaners,
                                     state.config.max_attachments)
    if result.errors:
        return _page(request, "form.html", lang, 422, values=values.as_dict(), errors=result.errors,
                     kept_files=len(kept), draft=fields.get("draft", ""), key=fields.get("key", ""))
    report = result.report
    if values.codename_choice == "new":
        report["codename"] = generate_codename(lang, os.urandom(18))
    draft = {"report": report, "values": values.as_dict(), "new_codename": values.codename_choice == "new"}
    draft_id, key = state.drafts.put(json.dumps(draft, ensure_ascii=False).encode())
    if fields.get("draft"):
        state.drafts.discard(fields["draft"])  # the edited draft is replaced, not kept twice
    preview: Preview = preview_of(result, state.config, lang, new_codename=values.codename_choice == "new")
    return _page(request, "preview.html", lang, draft=draft_id, key=key, **preview.as_dict())


async def _send(request: Request, fields: dict[str, str], lang: str) -> HTMLResponse:
    state = request.app.state
    try:
        draft = json.loads(state.drafts.take(fields.get("draft", ""), fields.get("key", "")))
    except RelayError:
        return _expired(request, lang)
    try:
        receipt = await state.ingestor.accept_plain(draft["report"], files_checked=True)
    except RelayError:
        message = translations(lang).gettext(N_("The report could not be sent. Please try again."))
        return _page(request, "form.html", lang, 503, values=draft["values"], errors={"text": message})
    state.wake.set()
    codename = draft["report"].get("codename") if draft.get("new_codename") else None
    return _page(request, "receipt.html", lang, receipt=receipt, codename=codename)


def _edit(request: Request, fields: dict[str, str], lang: str) -> HTMLResponse:
    try:
        draft = json.loads(request.app.state.drafts.take(fields.get("draft", ""), fields.get("key", ""), keep=True))
    except RelayError:
        return _expired(request, lang)
    kept = len(draft["report"].get("attachments", []))
    return _page(request, "form.html", lang, values=draft["values"], kept_files=kept,
                 draft=fields["draft"], key=fields["key"])


def _kept_files(drafts: DraftStore, fields: dict[str, str]) -> list[bytes]:
    """Files of the draft being edited (uploaded once, kept unless dropped)."""
    if not (fields.get("draft") and fields.get("key")) or fields.get("drop_kept"):
        return []
    try:
        report = json.loads(drafts.take(fields["draft"], fields["key"], keep=True))["report"]
    except RelayError:
        return []
    return [base64.b64decode(a["data"]) for a in report.get("attachments", [])]


def _expired(request: Request, lang: str) -> HTMLResponse:
    message = translations(lang).gettext(N_("This draft has expired or was already sent. "
                                            "Please fill in the form again."))
    return _page(request, "form.html", lang, 410, values={}, errors={"text": message})
