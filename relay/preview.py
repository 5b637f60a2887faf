"""What the form's preview shows: the report as it will be forwarded.

``build_report`` checks the citizen's input field by field (errors in their
language, tied to the field) and cleans every file in memory;
``preview_of`` scrubs the text exactly as the pipeline will, marks each
redaction, and shows the location and time as the most precise destination
will receive them.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from relay.config import RelayConfig
from relay.errors import RelayError
from relay.i18n import translations
from relay.report import parse_report
from scrubber.files import FileCleaner, clean_file
from scrubber.location import coarsen_location
from scrubber.text import PLACEHOLDERS, ScrubbedText, scrub_text
from scrubber.timestamps import coarsen_time


def N_(message: str) -> str:
    """Marks a string for the catalogue; translated where it is shown."""
    return message


CATEGORY_LABELS = {"checkpoint": N_("Checkpoint"), "shooting": N_("Shooting"),
                   "disappearance": N_("Disappearance"), "extortion": N_("Extortion"), "other": N_("Other")}
_TIME_ORDER = ("minute", "hour", "day")
_DAY = timedelta(days=1)
FILE_TYPES = {"image": N_("photo"), "application/pdf": N_("PDF document"), "audio": N_("audio"),
              "video": N_("video"), "application/vnd": N_("document")}
REMOVED_LABELS = {
    "exif": N_("camera data (EXIF)"), "gps": N_("GPS location"), "xmp": N_("XMP metadata"),
    "iptc": N_("IPTC metadata"), "icc_profile": N_("colour profile"), "comment": N_("comments"),
    "text": N_("text notes"), "document_info": N_("document properties"), "javascript": N_("scripts"),
    "actions": N_("actions and links that run on opening"), "embedded_files": N_("attached files"),
    "annotation_authors": N_("names of comment authors"), "dates": N_("dates"),
    "image_metadata": N_("metadata of the images inside"), "previous_revisions": N_("earlier versions"),
    "xfa_forms": N_("form data"), "application_data": N_("application data"), "thumbnails": N_("thumbnails"),
    "tags": N_("tags"), "location": N_("location"), "stream_tags": N_("track tags"),
    "cover_art": N_("cover picture"), "data_streams": N_("extra tracks (subtitles, GPS)"),
    "chapters": N_("chapters"), "comments": N_("comments"), "document_properties": N_("document properties"),
    "thumbnail": N_("thumbnail"), "revisions": N_("tracked changes"),
    "edit_session_ids": N_("editing session identifiers"), "template_path": N_("template path"),
    "custom_xml": N_("custom data"), "printer_settings": N_("printer settings"), "signatures": N_("signatures"),
    "external_links": N_("links to outside files"), "author": N_("author"), "author_fields": N_("author fields"),
    "editor_settings": N_("editor settings"), "templates": N_("templates"),
}


@dataclass
class FormInput:
    text: str = ""
    category: str = ""
    place: str = ""
    lat: str = ""
    lon: str = ""
    when_date: str = ""
    when_time: str = ""
    tz: str = "-06:00"
    codename_choice: str = "none"
    codename: str = ""

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> FormInput:
        known = {k: fields[k].strip() if k != "text" else fields[k] for k in cls.__dataclass_fields__ if k in fields}
        return cls(**known)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class BuildResult:
    report: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    files: list[dict[str, str]] = field(default_factory=list)


def build_report(values: FormInput, uploads: list[bytes], lang: str, cleaners: dict[str, FileCleaner],
                 max_files: int) -> BuildResult:
    """The report the form describes, or the errors per field (translated)."""
    gettext = translations(lang).gettext
    result = BuildResult(report={"text": values.text, "lang": lang})
    if not values.text.strip():
        result.errors["text"] = gettext(N_("Please say what happened."))
    if values.category:
        result.report["category"] = values.category
    if values.place:
        result.report["place"] = values.place
    _location(values, result, gettext)
    _when(values, result, gettext)
    if values.codename_choice == "continue":
        if not values.codename:
            result.errors["codename"] = gettext(N_("Write your codename, or choose another option."))
        else:
            result.report["codename"] = values.codename
    _files(uploads, result, gettext, cleaners, max_files)
    if not result.errors:
        try:
            parse_report(json.dumps(result.report, ensure_ascii=False).encode())
        except RelayError:
            result.errors["text"] = gettext(N_("The report is too long or has a value we cannot accept."))
    return result


def _location(values: FormInput, result: BuildResult, gettext: Any) -> None:
    if not (values.lat or values.lon):
        return
    point = {}
    for name, limit, message in (("lat", 90, N_("Latitude must be a number between -90 and 90.")),
                                 ("lon", 180, N_("Longitude must be a number between -180 and 180."))):
        try:
            number = float(getattr(values, name).replace(",", "."))
            if not -limit <= number <= limit:
                raise ValueError(name)
            point[name] = number
        except ValueError:
            result.errors[name] = gettext(message)
    if len(point) == 2:
        result.report["location"] = point


def _when(values: FormInput, result: BuildResult, gettext: Any) -> None:
    if not (values.when_date or values.when_time):
        return
    if not (values.when_date and values.when_time):
        result.errors["when"] = gettext(N_("Give both the date and the time, or neither."))
        return
    try:
        moment = datetime.fromisoformat(f"{values.when_date}T{values.when_time}{values.tz}")
    except ValueError:
        result.errors["when"] = gettext(N_("The date or the time is not valid."))
        return
    if moment.tzinfo is None or moment > datetime.now(moment.tzinfo) + _DAY:
        result.errors["when"] = gettext(N_("The date is in the future."))
        return
    result.report["occurred_at"] = moment.isoformat()


def _files(uploads: list[bytes], result: BuildResult, gettext: Any, cleaners: dict[str, FileCleaner],
           max_files: int) -> None:
    if len(uploads) > max_files:
        result.errors["files"] = gettext(N_("At most %(num)d files can be sent.")) % {"num": max_files}
        return
    attachments = []
    for number, data in enumerate(uploads, start=1):
        try:
            cleaned = clean_file(data, cleaners)
        except RelayError as exc:
            reason = (N_("this type of file is not accepted (photos, PDF, audio, video, DOCX and ODT are)")
                      if exc.code == "unsupported_file" else
                      N_("the file is damaged, protected by a password, or too complex to clean"))
            result.errors["files"] = gettext(N_("File %(num)d could not be used: %(reason)s.")) % {
                "num": number, "reason": gettext(reason)}
            return
        # The draft keeps the file as sent (encrypted under the page's key),
        # so that the pipeline cleans it again and the delivery can say what
        # it removed, exactly as for a report from a partner app.
        attachments.append({"content_type": cleaned.content_type, "data": base64.b64encode(data).decode()})
        kind = next((label for prefix, label in FILE_TYPES.items() if cleaned.content_type.startswith(prefix)),
                    N_("file"))
        removed = ", ".join(gettext(REMOVED_LABELS.get(k, k)) for k in cleaned.removed)
        result.files.append({"type": gettext(kind), "removed": removed})
    if attachments:
        result.report["attachments"] = attachments


@dataclass
class Preview:
    text_pieces: list[tuple[str, str | None]]
    removed_text: str
    place_pieces: list[tuple[str, str | None]]
    category: str | None
    location: dict[str, str] | None
    when: dict[str, str] | None
    files: list[dict[str, str]]
    codename_note: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def preview_of(result: BuildResult, config: RelayConfig, lang: str, *, new_codename: bool) -> Preview:
    """The forwarded report as the citizen will see it before sending."""
    gettext = translations(lang).gettext
    report = result.report
    text = scrub_text(report["text"], lang)
    place = scrub_text(report["place"], lang) if report.get("place") else None
    counts = text.counts() if place is None else _merge(text.counts(), place.counts())
    labels = PLACEHOLDERS[lang]
    removed_text = ", ".join(f"{n} × {labels.get(kind, kind)}" for kind, n in sorted(counts.items()))
    category = report.get("category")
    choice = report.get("codename") and (N_("You will get a codename on the next page, shown only once.")
                                         if new_codename else
                                         N_("Your codename links this report to your earlier ones, at each "
                                            "organisation, for one week."))
    return Preview(
        text_pieces=_pieces(report["text"], text), removed_text=removed_text,
        place_pieces=_pieces(report["place"], place) if place else [],
        category=gettext(CATEGORY_LABELS[category]) if category in CATEGORY_LABELS else None,
        location=_coarse_location(report.get("location"), config),
        when=_coarse_time(report.get("occurred_at"), config),
        files=result.files, codename_note=gettext(choice) if choice else None)


def _merge(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in a.keys() | b.keys()}


def _pieces(original: str, scrubbed: ScrubbedText) -> list[tuple[str, str | None]]:
    """The scrubbed text as runs: (kept text, None) and (placeholder, kind)."""
    labels = PLACEHOLDERS[scrubbed.lang]
    pieces: list[tuple[str, str | None]] = []
    cursor = 0
    for r in scrubbed.redactions:
        if r.start > cursor:
            pieces.append((original[cursor:r.start], None))
        pieces.append((r.replacement if r.replacement is not None else labels[r.kind], r.kind))
        cursor = r.end
    if cursor < len(original):
        pieces.append((original[cursor:], None))
    return pieces


def _coarse_location(point: dict[str, float] | None, config: RelayConfig) -> dict[str, str] | None:
    if point is None or not config.destinations:
        return None
    precision = min(d.location_precision_m for d in config.destinations)
    coarse = coarsen_location(point["lat"], point["lon"], precision)
    label = f"{precision} m" if precision < 1000 else f"{precision / 1000:g} km"
    return {"lat": f"{point['lat']:.6f}", "lon": f"{point['lon']:.6f}",
            "rounded_lat": f"{coarse.lat:.5f}", "rounded_lon": f"{coarse.lon:.5f}", "precision": label}


def _coarse_time(moment: str | None, config: RelayConfig) -> dict[str, str] | None:
    if moment is None or not config.destinations:
        return None
    finest = min((d.time_precision for d in config.destinations), key=_TIME_ORDER.index)
    parsed = datetime.fromisoformat(moment)
    return {"original": parsed.strftime("%Y-%m-%d %H:%M"),
            "coarse": datetime.fromisoformat(coarsen_time(parsed, finest)).strftime("%Y-%m-%d %H:%M")}

