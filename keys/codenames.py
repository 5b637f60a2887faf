"""Codenames: the continuity secret a citizen keeps and the relay never stores.

Words come from the BIP39 lists shipped by the ``mnemonic`` package (MIT):
2048 words each in Spanish and English, so every word carries exactly 11
bits and nine words carry 99. The Spanish words stay distinct with their
accents removed, which ``normalize_codename`` relies on.
"""

from __future__ import annotations

import functools
import math

from mnemonic import Mnemonic

WORDS = 9
_LISTS = {"es": "spanish", "en": "english"}


@functools.cache
def wordlist(lang: str) -> tuple[str, ...]:
    if lang not in _LISTS:
        raise ValueError(f"codenames exist in {', '.join(_LISTS)}")
    words = tuple(Mnemonic(_LISTS[lang]).wordlist)
    if len(words) != 2048:  # the 11-bit arithmetic below depends on it
        raise ValueError("unexpected word list size")
    return words


def entropy_bits(words: int = WORDS) -> float:
    return words * math.log2(2048)


def generate_codename(lang: str, random_bytes: bytes) -> str:
    """Nine words chosen uniformly from the language's list with the caller's randomness.

    Guarantee: 99 bits of entropy when ``random_bytes`` is uniformly random
    (two bytes per word, 11 bits used: 2048 divides 65536, so no bias).
    """
    if len(random_bytes) < 2 * WORDS:
        raise ValueError(f"need {2 * WORDS} random bytes")
    words = wordlist(lang)
    picks = (int.from_bytes(random_bytes[2 * i : 2 * i + 2], "big") & 0x7FF for i in range(WORDS))
    return " ".join(words[p] for p in picks)
