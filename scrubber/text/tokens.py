"""Words with their offsets, and the folding the gazetteer lookups use."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?\.?")


@dataclass(frozen=True, slots=True)
class Redaction:
    """One span of the original text to replace; ``replacement`` overrides the
    kind's placeholder (coordinates are coarsened, not dropped)."""

    kind: str
    start: int
    end: int
    replacement: str | None = None


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    raw: str
    folded: str
    capitalised: bool
    dotted: bool


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower case without accents: 'Peña' and 'PENA' both become 'pena'."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokenize(text: str) -> list[Token]:
    tokens = []
    for m in _WORD.finditer(text):
        raw = m.group()
        dotted = raw.endswith(".")
        word = raw[:-1] if dotted else raw
        end = m.end() - 1 if dotted else m.end()
        tokens.append(Token(m.start(), end, word, fold(word), word[0].isupper(), dotted))
    return tokens


def mostly_upper(text: str) -> bool:
    """Text written in capitals, where capitalisation says nothing about names."""
    if text.isupper():
        return True
    lower = sum(1 for c in text if c.islower())
    return lower < 0.3 * len(text) and sum(1 for c in text if c.isupper()) > 3 * lower
