from __future__ import annotations

import os

import pytest

from keys.codenames import WORDS, entropy_bits, generate_codename, wordlist
from keys.pseudonyms import normalize_codename, pseudonym, sender_key


@pytest.mark.parametrize("lang", ["es", "en"])
def test_codename_has_enough_words_and_bits(lang: str) -> None:
    codename = generate_codename(lang, os.urandom(18))
    words = codename.split()
    assert len(words) == WORDS >= 7 and entropy_bits() >= 90
    assert set(words) <= set(wordlist(lang))


def test_codenames_do_not_repeat() -> None:
    assert len({generate_codename("es", os.urandom(18)) for _ in range(1000)}) == 1000


def test_the_draw_is_uniform_over_the_list() -> None:
    # Every 11-bit value maps to its own word: the first and last words are reachable.
    words = wordlist("en")
    assert generate_codename("en", b"\x00" * 18).split() == [words[0]] * WORDS
    assert generate_codename("en", b"\xff" * 18).split() == [words[2047]] * WORDS


def test_spanish_words_stay_distinct_without_accents() -> None:
    assert len({normalize_codename(w) for w in wordlist("es")}) == 2048


def test_a_codename_typed_without_accents_or_in_capitals_is_the_same_sender() -> None:
    codename = "ábaco pingüino camión nido óvulo león árbol íntimo útil"
    epoch = os.urandom(32)
    retyped = "ABACO pinguino  camion nido ovulo leon arbol intimo util"
    assert pseudonym(epoch, "ngo", sender_key(codename), b"") == pseudonym(epoch, "ngo", sender_key(retyped), b"")


def test_too_little_randomness_is_refused() -> None:
    with pytest.raises(ValueError):
        generate_codename("es", b"\x00" * 17)
