"""Home addresses: a street with a house number, a manzana and lote, or a US
street address. A street name or an intersection alone is where the incident
happened and stays; the house number is what makes it someone's home.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence

from scrubber.text.gazetteer import STOPWORDS
from scrubber.text.tokens import Redaction, Token, fold

_STREET_TYPES = frozenset(
    "calle c av ave avenida blvd bulevar boulevard calzada calz privada priv andador cerrada "
    "callejon prolongacion prol circuito retorno camino paseo cda".split()
)
# Words that may sit inside a street's name although they are stopwords.
_NAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "el", "y"})
_LEADING_ARTICLES = frozenset({"de", "del", "la", "el", "y"})
_MAX_NAME_WORDS = 6
_UNIT = r"(?:,?\s*(?i:int(?:erior)?\.?|depto\.?|dpto\.?|departamento|casa|apt\.?)\s*#?\s*\w{1,4}\b)?"
_HOUSE_NUMBER = re.compile(
    r"\s*,?\s*(?P<marker>#|n[oº°]\.?|n[uú]m\.?|n[uú]mero|numero)?\s*(?P<number>\d{1,5})(?:\s?-?\s?[A-Z]\b)?"
    + _UNIT,
    re.IGNORECASE,
)
# After a bare number these words make it a count, a time or a distance.
_NOT_HOUSE = re.compile(
    r"\s*(?:[:.]\d|de\s+(?:la\s+)?(?:ma[nñ]ana|tarde|noche|madrugada|enero|febrero|marzo|abril|mayo|junio|"
    r"julio|agosto|septiembre|octubre|noviembre|diciembre)|hrs?\b|horas?\b|pm\b|am\b|a\.m|p\.m|km\b|"
    r"kil[oó]metros?|metros?\b|m\b|cuadras?\b|minutos?\b|min\b|hombres|mujeres|personas|sujetos|"
    r"camionetas?|veh[ií]culos|autos?\b|carros|patrullas?|disparos|balazos|muertos|heridos|"
    r"armados|encapuchados|de\s+\w+\s+(?:y|esquina)|y\s|esquina)",
    re.IGNORECASE,
)
_MANZANA_LOTE = re.compile(
    r"\b(?:mz|mza|manzana)\.?\s*\d{1,4}[A-Z]?\s*,?\s*(?:lt|lote)\.?\s*\d{1,4}[A-Z]?\b", re.IGNORECASE
)
# "Hidalgo #45", "Morelos No. 12": a marker makes a number a house number
# even without a street type, unless the words before it name a school, a
# patrol car or a file ("Secundaria No. 12", "patrulla #345", "folio No. 88").
_MARKED_NUMBER = re.compile(
    r"(?:#|\b(?i:n[oº°]\.|n[úu]m\.?|n[úu]mero))\s*\d{1,5}\b(?:\s?-?\s?[A-Z]\b)?" + _UNIT
)
_NOT_HOMES = frozenset(
    "folio unidad patrulla ruta expediente carpeta oficio salida puerta caseta km camion linea "
    "autobus escuela primaria secundaria tecnica tecnico preparatoria cbtis conalep cetis jardin "
    "kinder zona sector cuartel batallon regimiento torre caso averiguacion denuncia reporte "
    "carril anden muelle bodega nave hangar estacion grupo vuelo lote".split()
)
_MAX_MARKED_WORDS = 3
_NOT_STREET_WORDS = frozenset(
    "a an the of on at in by near and or to from with men people guys gunmen armed trucks cars "
    "vehicles police soldiers shots dead hombres personas camionetas trocas patrullas armados "
    "sujetos bloqueando en y de la el con".split()
)
# "Blvd." and "Dr." are left out: Spanish writes them before street names
# ("Blvd. Morelos", "Dr. Coss"), so "12 ... Blvd." would swallow counts.
_US_ADDRESS = re.compile(
    r"\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?P<name>(?:[A-Za-z]+\s+){1,3})"
    r"(?:street|st|avenue|ave|road|rd|drive|lane|ln|way|court|ct|place|pl|terrace|circle)\b\.?"
    r"(?:,?\s*(?:apt|apartment|unit|suite|#)\.?\s*#?\w{1,5})?",
    re.IGNORECASE,
)


def _street_spans(text: str, tokens: Sequence[Token]) -> Iterator[Redaction]:
    for i, token in enumerate(tokens):
        if token.folded not in _STREET_TYPES or (len(token.raw) == 1 and not token.dotted):
            continue
        last = i
        for j in range(i + 1, min(len(tokens), i + 1 + _MAX_NAME_WORDS)):
            between = text[tokens[j - 1].end : tokens[j].start]
            between = between.lstrip(".")
            gap_ok = not between.strip() or re.fullmatch(r"\s*\d{1,2}\s+", between) is not None
            if not gap_ok or (tokens[j].folded in STOPWORDS and tokens[j].folded not in _NAME_PARTICLES):
                break
            last = j
            house = _house_number(text, tokens[j].end)
            if house:
                yield Redaction("address", token.start, house)
                break


def _house_number(text: str, position: int) -> int | None:
    m = _HOUSE_NUMBER.match(text, position)
    if not m:
        return None
    if not m["marker"] and _NOT_HOUSE.match(text, m.end("number")):
        return None
    return m.end()


def _words_before(text: str, tokens: Sequence[Token], index: int, position: int) -> list[Token]:
    """Up to three words right before ``position``, not across punctuation."""
    words: list[Token] = []
    for token in reversed(tokens[max(0, index - _MAX_MARKED_WORDS) : index]):
        gap = text[token.end + token.dotted : words[0].start if words else position]
        if gap.strip() or (token.folded in STOPWORDS and token.folded not in _NAME_PARTICLES):
            break
        words.insert(0, token)
    while words and words[0].folded in _LEADING_ARTICLES and not words[0].capitalised:
        words.pop(0)
    return words


def _marked_spans(text: str, tokens: Sequence[Token]) -> Iterator[Redaction]:
    starts = [t.start for t in tokens]
    for m in _MARKED_NUMBER.finditer(text):
        words = _words_before(text, tokens, bisect.bisect_left(starts, m.start()), m.start())
        if words and not any(t.folded in _NOT_HOMES for t in words):
            yield Redaction("address", words[0].start, m.end())


def find_addresses(text: str, tokens: Sequence[Token]) -> Iterator[Redaction]:
    """Spans of home addresses.

    Guarantee: a street or intersection named without a house number, a km
    marker and a count after a street ("calle Juárez 4 camionetas") are not
    returned.
    """
    yield from _street_spans(text, tokens)
    yield from _marked_spans(text, tokens)
    for m in _MANZANA_LOTE.finditer(text):
        yield Redaction("address", m.start(), m.end())
    for m in _US_ADDRESS.finditer(text):
        # "3 men on Main St" is a count, not an address.
        name = m["name"].split()
        if any(fold(w) in _NOT_STREET_WORDS or fold(w) in STOPWORDS for w in name):
            continue
        if all(w[0].isupper() for w in name) or text == text.lower() or text == text.upper():
            yield Redaction("address", m.start(), m.end())
