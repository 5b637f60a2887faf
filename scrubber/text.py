"""Find and replace what identifies a person in report text.

Pure functions: a string in, the scrubbed string and the list of redactions
(kind, start, end in the original) out, so the form can show the citizen what
will be removed. Placeholders are typed and in the report's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers

PLACEHOLDERS: dict[str, dict[str, str]] = {
    "es": {"phone": "[TELÉFONO]", "email": "[CORREO]", "url": "[ENLACE]", "handle": "[USUARIO]"},
    "en": {"phone": "[PHONE]", "email": "[EMAIL]", "url": "[URL]", "handle": "[HANDLE]"},
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    r"|\b(?:facebook|fb|instagram|twitter|x|tiktok|wa|t)\.(?:com|me)/[^\s<>\"']+",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
# Mexican forms the phonenumbers matcher does not take: the pre-2019 mobile
# "+52 1" and the "044"/"045" prefixes, still written and still identifying.
_MX_PHONE = re.compile(
    r"(?<![\w+])(?:\+\s*52[\s.-]*(?:1[\s.-]*)?|0?4[45][\s.-]*)?"
    r"\(?\d{2,3}\)?[\s.-]*\d{3,4}[\s.-]*\d{4}(?!\w)"
)
_TRAILING_PUNCT = ".,;:!?)]}»\"'"

_ES_WORDS = frozenset(
    "el la los las de del que en un una por con para se no es hay están son fue "
    "pero como más muy calle colonia ayer hoy señor señora hombres armados".split()
)
_EN_WORDS = frozenset(
    "the of and to in is are was were there on at with for by from near men armed "
    "street today yesterday they this that".split()
)


@dataclass(frozen=True)
class Redaction:
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class ScrubbedText:
    text: str
    redactions: tuple[Redaction, ...]
    lang: str

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.redactions:
            counts[r.kind] = counts.get(r.kind, 0) + 1
        return counts


def detect_language(text: str) -> str:
    """'es' or 'en' by function-word counts; Spanish wins ties (our users write Spanish first)."""
    words = re.findall(r"[a-záéíóúñü]+", text.casefold())
    es = sum(w in _ES_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    return "en" if en > es else "es"


def _strip_trailing(match_text: str) -> int:
    return len(match_text.rstrip(_TRAILING_PUNCT))


def _regex_spans(pattern: re.Pattern[str], kind: str, text: str) -> Iterator[Redaction]:
    for m in pattern.finditer(text):
        length = _strip_trailing(m.group()) if kind == "url" else len(m.group())
        yield Redaction(kind, m.start(), m.start() + length)


def _phone_spans(text: str) -> Iterator[Redaction]:
    # VALID, not POSSIBLE: POSSIBLE takes dates ("2026-11-20") and folio numbers
    # for phones and would destroy incident facts; the Mexican forms VALID
    # misses are caught by _MX_PHONE.
    for region in ("MX", "US"):
        matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
        for match in matcher:
            yield Redaction("phone", match.start, match.end)


def find_identifiers(text: str) -> list[Redaction]:
    """All detected spans, overlaps resolved: the earliest, then the longest, wins."""
    found = [
        *_regex_spans(_URL, "url", text),
        *_regex_spans(_EMAIL, "email", text),
        *_regex_spans(_HANDLE, "handle", text),
        *_phone_spans(text),
        *_regex_spans(_MX_PHONE, "phone", text),
    ]
    found.sort(key=lambda r: (r.start, -(r.end - r.start)))
    kept: list[Redaction] = []
    for r in found:
        if not kept or r.start >= kept[-1].end:
            kept.append(r)
    return kept


def scrub_text(text: str, lang: str | None = None) -> ScrubbedText:
    """Replace every detected identifier with a typed placeholder.

    Guarantee: no span reported in ``redactions`` survives in the output text,
    and text outside those spans is returned unchanged.
    """
    language = lang if lang in PLACEHOLDERS else detect_language(text)
    redactions = find_identifiers(text)
    labels = PLACEHOLDERS[language]
    parts: list[str] = []
    cursor = 0
    for r in redactions:
        parts.append(text[cursor : r.start])
        parts.append(labels[r.kind])
        cursor = r.end
    parts.append(text[cursor:])
    return ScrubbedText("".join(parts), tuple(redactions), language)
