"""Structured identifiers: phones, e-mails, links, handles, Mexican ID numbers,
bank and card numbers, IMEI, plates, IP addresses and exact coordinates.

Regular expressions only propose candidates; a checksum or a numbering plan
decides where one exists (phonenumbers for phones, python-stdnum for CURP,
RFC, Luhn and IMEI, the 3-7-1 weights for CLABE), so that dates, folio numbers
and km markers stay in the report. Where no checksum exists (plates, INE
claves, short local phone numbers) a nearby keyword is required or the format
must be one that ordinary prose never produces.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator

import phonenumbers
from stdnum import luhn
from stdnum.mx import curp, rfc

from scrubber.location import coarsen_location
from scrubber.text.tokens import Redaction

TEXT_COORDINATE_PRECISION_M = 1000

_TLDS = r"(?:com|mx|net|org|edu|gob|info|me|io|us|ly|gl|ee|tv|app|co)"
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_AT = r"(?:\s*@\s*|\s*[(\[]\s*(?:at|arroba)\s*[)\]]\s*|\s+(?:at|arroba)\s+)"
_DOT = r"(?:\s*\.\s*|\s*[(\[]\s*(?:dot|punto)\s*[)\]]\s*|\s+(?:dot|punto)\s+)"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TLDS}\b", re.IGNORECASE
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    r"|\b(?:[a-z0-9-]+\.)+" + _TLDS + r"(?:\.mx)?/[^\s<>\"']*"
    r"|\b(?:facebook|fb|instagram|twitter|x|tiktok|wa|t|youtube|threads)\.(?:com|me|net)/[^\s<>\"']+"
    r"|\b(?:bit\.ly|youtu\.be|linktr\.ee|wa\.link)/[^\s<>\"']+",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
_TRAILING_PUNCT = ".,;:!?)]}»\"'"

_PHONE_CANDIDATE = re.compile(
    r"(?<![\w+/@.,:-])(?:\+\s?)?(?:\(\s?\d{1,3}\s?\)[\s.-]*)?\d(?:[\s.-]{0,2}\(?\d\)?){6,16}(?![\w])"
)
_DIGIT_RUN = re.compile(r"(?<![\w.+-])\d(?:[ -]?\d){8,18}(?![\w-])")
_CURP = re.compile(r"\b[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{5}[A-Z\d]\d\b", re.IGNORECASE)
_RFC = re.compile(r"\b[A-ZÑ&]{3,4}-?\d{6}-?[A-Z\d]{3}\b", re.IGNORECASE)
_INE = re.compile(r"\b[A-Z]{6}\d{8}[HM]\d{3}\b", re.IGNORECASE)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_PLATE = re.compile(
    r"(?<![\w-])(?:[A-Z]{3}-?\d{3}-?[A-Z]|[A-Z]{3}-\d{2}-\d{2}|[A-Z]{2}-\d{4}-[A-Z]"
    r"|[A-Z]-\d{2}-[A-Z]{3}|\d{2}-[A-Z]{3}-\d|[A-Z]{3}-\d{4})(?![\w-])"
)
_PLATE_CONTEXT = re.compile(r"\b(?:placas?|matr[ií]culas?|plates?|license|tag)\b", re.IGNORECASE)
_NO_PLATES = re.compile(r"\b(?:sin|no|without)\s+$", re.IGNORECASE)
_NOT_PLATE_LETTERS = frozenset("km kms no num mz lt int col av de el la las los con por sin en y a al hwy".split())
_PLATE_WORD = re.compile(r"(?<![\w-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w-])")
_NUMBER = r"[-−]?\d{1,3}\.\d{3,}(?!\d|\.\d)"
_COORDINATES = re.compile(
    r"(?<![\w.])(?i:lat(?:itud|itude)?\.?:?\s*)?(?P<lat>" + _NUMBER + r")(?:\s*°)?(?:\s*(?P<ns>[NSns]\b))?"
    r"(?:\s*[,;/]\s*|\s+)(?i:(?:lon|lng|long|longitud|longitude)\.?:?\s*)?"
    r"(?P<lon>" + _NUMBER + r")(?:\s*°)?(?:\s*(?P<ew>[EWOewo]\b))?"
)
_DMS = re.compile(
    r"(?P<lad>\d{1,2})\s*°\s*(?P<lam>\d{1,2})\s*['′]\s*(?:(?P<las>\d{1,2}(?:\.\d+)?)\s*[\"″])?\s*(?P<ns>[NS])"
    r"[,\s]+(?P<lod>\d{1,3})\s*°\s*(?P<lom>\d{1,2})\s*['′]\s*(?:(?P<los>\d{1,2}(?:\.\d+)?)\s*[\"″])?\s*(?P<ew>[EWO])"
)

_PHONE_WORDS = re.compile(
    r"\b(?:tel|tel[eé]fono|cel|celular|whats(?:app)?|wa|ll[aá]m(?:e|en|enme|ame)|marca|marquen|"
    r"call|text|phone|cell)\b", re.IGNORECASE,
)
_ID_CONTEXT = {
    "nss": re.compile(r"\b(?:nss|seguro social|imss)\b", re.IGNORECASE),
    "imei": re.compile(r"\bimei\b", re.IGNORECASE),
    "clabe": re.compile(r"\bclabe\b", re.IGNORECASE),
    "card": re.compile(r"\b(?:tarjeta|card|visa|mastercard|d[eé]bito|cr[eé]dito)\b", re.IGNORECASE),
    "ine": re.compile(r"\b(?:ine|ife|credencial|ocr|cic|elector)\b", re.IGNORECASE),
    "curp": re.compile(r"\bcurp\b", re.IGNORECASE),
    "rfc": re.compile(r"\brfc\b", re.IGNORECASE),
}
_DATE = re.compile(r"(?:19|20)\d\d[-/.]\d\d?[-/.]\d\d?|\d\d?[-/.]\d\d?[-/.](?:19|20)\d\d")
_CONTEXT_WINDOW = 40


def _near(kind_or_pattern: str | re.Pattern[str], text: str, start: int) -> bool:
    pattern = _ID_CONTEXT[kind_or_pattern] if isinstance(kind_or_pattern, str) else kind_or_pattern
    return pattern.search(text, max(0, start - _CONTEXT_WINDOW), start) is not None


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def _valid_in(number: str, region: str | None) -> bool:
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(number, region)))
    except phonenumbers.NumberParseException:
        return False


def _is_phone(candidate: str, text: str, start: int) -> bool:
    digits = _digits(candidate)
    if candidate.lstrip().startswith("+"):
        if digits.startswith("521") and len(digits) == 13:
            return _valid_in(digits[3:], "MX")
        return _valid_in("+" + digits, None)
    if len(digits) == 10:
        return _valid_in(digits, "MX") or _valid_in(digits, "US")
    if len(digits) == 11 and digits[0] == "1" and (candidate != digits or not _near("nss", text, start)):
        return _valid_in(digits[1:], "US") or _valid_in(digits[1:], "MX")
    if len(digits) in (12, 13) and digits[:2] in ("01", "52", "04"):
        national = digits[-10:]
        prefix = digits[:-10]
        return prefix in ("01", "52", "521", "044", "045") and _valid_in(national, "MX")
    return len(digits) in (7, 8) and not _DATE.fullmatch(candidate) and _near(_PHONE_WORDS, text, start)


def _subranges(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Whitespace-separated groups of a candidate, longest runs first, so that
    '14 30 81 1234 5678' still yields the phone inside it."""
    groups = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    for size in range(len(groups), 0, -1):
        for first in range(len(groups) - size + 1):
            yield groups[first][0], groups[first + size - 1][1]


def _validated(
    pattern: re.Pattern[str], text: str, accept: Callable[[str, int], str | None]
) -> Iterator[Redaction]:
    for m in pattern.finditer(text):
        for s, e in _subranges(text, m.start(), m.end()):
            kind = accept(text[s:e], s)
            if kind:
                yield Redaction(kind, s, e)
                break


def _phones(text: str) -> Iterator[Redaction]:
    def accept(candidate: str, start: int) -> str | None:
        return "phone" if _is_phone(candidate, text, start) else None

    return _validated(_PHONE_CANDIDATE, text, accept)


def _clabe_valid(digits: str) -> bool:
    weights = (3, 7, 1) * 6
    total = sum(int(d) * w % 10 for d, w in zip(digits[:17], weights))
    return (10 - total % 10) % 10 == int(digits[17])


def _classify_digits(candidate: str, text: str, start: int) -> str | None:
    digits = _digits(candidate)
    n = len(digits)
    if n == 18 and (_clabe_valid(digits) or _near("clabe", text, start)):
        return "clabe"
    if n == 15 and (_near("imei", text, start) or (luhn.is_valid(digits) and digits[:2] not in ("34", "37"))):
        return "imei"
    if 13 <= n <= 19 and (luhn.is_valid(digits) or _near("card", text, start)):
        return "card"
    if n == 11 and (luhn.is_valid(digits) or _near("nss", text, start)):
        return "nss"
    if n in (9, 13) and _near("ine", text, start):
        return "ine"
    return None


def _id_numbers(text: str) -> Iterator[Redaction]:
    return _validated(_DIGIT_RUN, text, lambda c, s: _classify_digits(c, text, s))


def _checked(pattern: re.Pattern[str], kind: str, text: str, valid: Callable[[str], bool]) -> Iterator[Redaction]:
    for m in pattern.finditer(text):
        if valid(m.group().upper().replace("-", "")) or _near(kind, text, m.start()):
            yield Redaction(kind, m.start(), m.end())


def _ine_valid(value: str) -> bool:
    month, day, state = int(value[8:10]), int(value[10:12]), int(value[12:14])
    return 1 <= month <= 12 and 1 <= day <= 31 and 1 <= state <= 32


def _plates(text: str) -> Iterator[Redaction]:
    for m in _PLATE.finditer(text):
        yield Redaction("plate", m.start(), m.end())
    for context in _PLATE_CONTEXT.finditer(text):
        if _NO_PLATES.search(text, max(0, context.start() - 5), context.start()):
            continue
        window_end = min(len(text), context.end() + _CONTEXT_WINDOW)
        words = list(_PLATE_WORD.finditer(text, context.end(), window_end))
        for i, word in enumerate(words):
            value = word.group()
            has_digit, has_alpha = any(c.isdigit() for c in value), any(c.isalpha() for c in value)
            if has_digit and has_alpha and 5 <= len(value.replace("-", "")) <= 9:
                yield Redaction("plate", word.start(), word.end())
                break
            nxt = words[i + 1] if i + 1 < len(words) else None
            if (nxt and value.isalpha() and len(value) <= 3 and value.casefold() not in _NOT_PLATE_LETTERS
                    and nxt.group().isdigit()
                    and 3 <= len(nxt.group()) <= 4 and text[word.end():nxt.start()] == " "):
                yield Redaction("plate", word.start(), nxt.end())
                break


def _ips(text: str) -> Iterator[Redaction]:
    for pattern in (_IPV4, _IPV6):
        for m in pattern.finditer(text):
            try:
                ipaddress.ip_address(m.group())
            except ValueError:
                continue
            yield Redaction("ip", m.start(), m.end())


def _coarse(lat: float, lon: float) -> str | None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    cell = coarsen_location(lat, lon, TEXT_COORDINATE_PRECISION_M)
    return f"{cell.lat}, {cell.lon}"


def _signed(value: str, hemisphere: str, negative: str) -> float:
    number = float(value.replace("−", "-"))
    return -abs(number) if hemisphere and hemisphere in negative else number


def _coordinates(text: str) -> Iterator[Redaction]:
    for m in _COORDINATES.finditer(text):
        lat = _signed(m["lat"], (m["ns"] or "").upper(), "S")
        lon = _signed(m["lon"], (m["ew"] or "").upper(), "WO")
        replacement = _coarse(lat, lon)
        if replacement:
            yield Redaction("coordinates", m.start(), m.end(), replacement)
    for m in _DMS.finditer(text):
        lat = int(m["lad"]) + int(m["lam"]) / 60 + float(m["las"] or 0) / 3600
        lon = int(m["lod"]) + int(m["lom"]) / 60 + float(m["los"] or 0) / 3600
        replacement = _coarse(-lat if m["ns"] == "S" else lat, -lon if m["ew"] in "WO" else lon)
        if replacement:
            yield Redaction("coordinates", m.start(), m.end(), replacement)


def _simple(pattern: re.Pattern[str], kind: str, text: str) -> Iterator[Redaction]:
    for m in pattern.finditer(text):
        value = m.group()
        end = m.start() + len(value.rstrip(_TRAILING_PUNCT)) if kind == "url" else m.end()
        yield Redaction(kind, m.start(), end)


_HINT_COORDINATES = re.compile(r"\d\.\d{3}")
_HINT_DIGITS = re.compile(r"\d[\s.-]?\d[\s.-]?\d")
_HINT_SIX_DIGITS = re.compile(r"\d{6}")
_HINT_AT = re.compile(r"@|arroba|\bat\b", re.IGNORECASE)


def find_structured(text: str) -> Iterator[Redaction]:
    """Every structured identifier found in ``text``; spans may overlap (the
    caller keeps the earliest, then the longest).

    Cheap substring tests skip the finders that cannot match: most reports
    have no '@', no '/' and no long digit runs, and the scrubber must keep up
    with a crisis (thousands of texts a second on one core).
    """
    if "/" in text or "www." in text.casefold():
        yield from _simple(_URL, "url", text)
    if _HINT_AT.search(text):
        yield from _simple(_EMAIL, "email", text)
        yield from _simple(_OBFUSCATED_EMAIL, "email", text)
        yield from _simple(_HANDLE, "handle", text)
    if "°" in text or _HINT_COORDINATES.search(text):
        yield from _coordinates(text)
    if text.count(".") >= 3 or text.count(":") >= 2:
        yield from _ips(text)
    if _HINT_DIGITS.search(text):
        yield from _phones(text)
        yield from _id_numbers(text)
    if _HINT_SIX_DIGITS.search(text):
        yield from _checked(_CURP, "curp", text, curp.is_valid)
        yield from _checked(_RFC, "rfc", text, rfc.is_valid)
        yield from _checked(_INE, "ine", text, _ine_valid)
    yield from _plates(text)
