"""Find and replace what identifies a person in report text.

Pure functions: a string in, the scrubbed string and the list of redactions
(kind, start, end in the original) out, so the form can show the citizen what
will be removed. Placeholders are typed and in the report's language.
Finders: ``patterns`` (phones, e-mails, links, handles, IDs, cards, plates,
IPs, coordinates), ``addresses`` (house numbers) and ``names`` (people).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrubber.text.addresses import find_addresses
from scrubber.text.names import find_names
from scrubber.text.patterns import find_structured
from scrubber.text.tokens import Redaction, tokenize

__all__ = ["PLACEHOLDERS", "Redaction", "ScrubbedText", "detect_language", "find_identifiers", "scrub_text"]

PLACEHOLDERS: dict[str, dict[str, str]] = {
    "es": {
        "phone": "[TELÉFONO]", "email": "[CORREO]", "url": "[ENLACE]", "handle": "[USUARIO]",
        "name": "[NOMBRE]", "address": "[DIRECCIÓN]", "curp": "[CURP]", "rfc": "[RFC]",
        "ine": "[CLAVE DE ELECTOR]", "nss": "[NSS]", "clabe": "[CLABE]", "card": "[TARJETA]",
        "imei": "[IMEI]", "plate": "[PLACA]", "ip": "[IP]", "coordinates": "[COORDENADAS]",
    },
    "en": {
        "phone": "[PHONE]", "email": "[EMAIL]", "url": "[URL]", "handle": "[HANDLE]",
        "name": "[NAME]", "address": "[ADDRESS]", "curp": "[CURP]", "rfc": "[RFC]",
        "ine": "[VOTER ID]", "nss": "[NSS]", "clabe": "[CLABE]", "card": "[CARD]",
        "imei": "[IMEI]", "plate": "[PLATE]", "ip": "[IP]", "coordinates": "[COORDINATES]",
    },
}

_ES_WORDS = frozenset(
    "el la los las de del que en un una por con para se no es hay están son fue fueron "
    "pero como más muy calle colonia ayer hoy señor señora hombres armados cerca esquina "
    "llevaron mi su sus al y".split()
)
_EN_WORDS = frozenset(
    "the of and to in is are was were there on at with for by from near men armed "
    "street today yesterday they this that my his her took call".split()
)
_LETTERS = re.compile(r"[a-záéíóúñü]+")


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
    """'es' or 'en' by function-word counts; Spanish wins ties (our users write
    Spanish first, and mixed text is usually Spanish with English borrowings)."""
    words = _LETTERS.findall(text.casefold())
    es = sum(w in _ES_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    return "en" if en > es else "es"


def find_identifiers(text: str) -> list[Redaction]:
    """All detected spans, overlaps resolved: structured identifiers, then
    addresses, then names; within each, the earliest, then the longest, wins.

    Guarantee: the spans are sorted and disjoint.
    """
    tokens = tokenize(text)
    kept: list[Redaction] = []
    # Structured identifiers first: a name inside an e-mail or a link must not
    # win the span and leave the rest of the address behind.
    for finder in (find_structured(text), find_addresses(text, tokens), find_names(text, tokens)):
        for r in sorted(finder, key=lambda r: (r.start, -(r.end - r.start))):
            if not any(r.start < k.end and k.start < r.end for k in kept):
                kept.append(r)
    kept.sort(key=lambda r: r.start)
    return kept


def scrub_text(text: str, lang: str | None = None) -> ScrubbedText:
    """Replace every detected identifier with a typed placeholder (coordinates
    with their coarsened value).

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
        parts.append(r.replacement if r.replacement is not None else labels[r.kind])
        cursor = r.end
    parts.append(text[cursor:])
    return ScrubbedText("".join(parts), tuple(redactions), language)
