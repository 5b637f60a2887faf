"""Find people's names in report text.

Three kinds of evidence, from strongest to weakest:
- a trigger before the words: kinship ("mi hermano"), "se llama", titles
  ("la señora", "Sr.", "my brother"); then any capitalised word, or a word the
  gazetteer knows in any case, is a name;
- a first name from the gazetteer, then its surnames; lower case, without
  accents and ALL CAPS are folded before lookup;
- a first name that is also a common word or place ("Rosa", "Guadalupe") only
  counts beside a surname.
What blocks a name: a place word before it ("calle Morelos", "colonia
Guadalupe", "San José"), a hero's name that is an alcaldía or avenue ("Benito
Juárez") unless a trigger says it is a person, and a lone first name after
"en" ("en Santiago"). Surnames alone never start a name: they are streets.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from scrubber.text.gazetteer import (
    AMBIGUOUS_FIRST_NAMES,
    FIRST_NAMES,
    PLACE_NAMES,
    PLACE_WORDS,
    STOPWORDS,
    SURNAMES,
    TRIGGERS,
)
from scrubber.text.tokens import Redaction, Token, mostly_upper

_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y"})
_PLACE_PREPOSITIONS = frozenset({"en", "hacia", "rumbo", "in", "near", "toward", "towards"})
_MAX_NAME_WORDS = 6
_NOT_NAME_ENDINGS = ("aron", "ieron", "aba", "aban", "ando", "iendo", "mente", "ado", "ada", "ido",
                     "ida", "ar", "er", "ir", "ia")
_MAX_TRIGGER_WORDS = max(len(t) for t in TRIGGERS)
_TRIGGER_ENDS = frozenset(t[-1] for t in TRIGGERS)


class _Words:
    """The tokens of one text and the questions the finder asks about them."""

    def __init__(self, text: str, tokens: Sequence[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.caps = mostly_upper(text)
        # Where case carries no signal (all capitals, or no capitals at all),
        # gazetteer and position decide alone.
        self.caseless = self.caps or text == text.lower()

    def adjacent(self, i: int, gap: str = " \t", after_abbreviation: bool = False) -> bool:
        """Token i+1 follows token i with only spacing between (a name does
        not run across a comma or the end of a sentence)."""
        left, right = self.tokens[i], self.tokens[i + 1]
        if left.dotted and not (after_abbreviation or _is_initial(left)):
            return False
        between = self.text[left.end + left.dotted : right.start]
        return 0 < len(between) <= 3 and not between.strip(gap)

    def triggered(self, i: int) -> bool:
        if i == 0 or self.tokens[i - 1].folded not in _TRIGGER_ENDS:
            return False
        for size in range(1, min(i, _MAX_TRIGGER_WORDS) + 1):
            words = tuple(t.folded for t in self.tokens[i - size : i])
            if words in TRIGGERS and self.adjacent(i - 1, " \t:,", after_abbreviation=True):
                return True
        return False

    def known(self, i: int) -> bool:
        folded = self.tokens[i].folded
        return folded in FIRST_NAMES or folded in SURNAMES or folded in AMBIGUOUS_FIRST_NAMES

    def name_like(self, i: int) -> bool:
        token = self.tokens[i]
        if _is_initial(token):
            return not self.caps
        if token.folded in STOPWORDS or token.folded in PLACE_WORDS:
            return False
        if self.known(i):
            return True
        return not self.caps and token.capitalised and len(token.raw) > 1

    def after_place_word(self, i: int) -> bool:
        return (i > 0 and self.tokens[i - 1].folded in PLACE_WORDS
                and self.adjacent(i - 1, " \t", after_abbreviation=True))

    def followed_by_surname(self, i: int) -> bool:
        if i + 1 >= len(self.tokens) or not self.adjacent(i):
            return False
        nxt = self.tokens[i + 1]
        if nxt.folded in SURNAMES or nxt.folded in FIRST_NAMES:
            return True
        return not self.caps and self.tokens[i].capitalised and self.name_like(i + 1)

    def unknown_before_surname(self, i: int) -> bool:
        """A first name the gazetteer lacks, known by the surname after it:
        capitalised before one surname ("Abundio Torres"), or in any case
        before two ("jair mendoza tepetla")."""
        token = self.tokens[i]
        if (len(token.raw) < 3 or token.folded in STOPWORDS or token.folded in SURNAMES
                or not self._surname_at(i + 1, i)):
            return False
        if token.capitalised and not self.caps:
            return True
        return self._surname_at(i + 2, i + 1)

    def _surname_at(self, j: int, previous: int) -> bool:
        return (j < len(self.tokens) and self.tokens[j].folded in SURNAMES
                and self.tokens[j].folded not in STOPWORDS and self.adjacent(previous))


def _is_initial(token: Token) -> bool:
    return len(token.raw) == 1 and token.raw.isupper() and token.dotted


def _starts_name(words: _Words, i: int) -> tuple[bool, bool]:
    """(starts a name, by a trigger)."""
    folded = words.tokens[i].folded
    if folded in STOPWORDS:
        return False, False
    if words.triggered(i):
        return words.name_like(i) or _unlisted_name(words, i), True
    if words.after_place_word(i) or folded in PLACE_WORDS:
        return False, False
    if folded in AMBIGUOUS_FIRST_NAMES:
        return words.followed_by_surname(i), False
    if folded in FIRST_NAMES:
        return True, False
    return words.unknown_before_surname(i), False


def _extend(words: _Words, i: int) -> int:
    """Index of the last word of the name that starts at i."""
    last = i
    tokens = words.tokens
    while last + 1 < len(tokens) and last - i + 1 < _MAX_NAME_WORDS and words.adjacent(last):
        nxt = last + 1
        if tokens[nxt].folded in _PARTICLES:
            particle_end = nxt
            while particle_end + 1 < len(tokens) and tokens[particle_end + 1].folded in _PARTICLES:
                particle_end += 1
            after = particle_end + 1
            if after < len(tokens) and words.adjacent(particle_end) and tokens[after].folded in SURNAMES:
                last = after
                continue
            break
        if not words.name_like(nxt) and not _unlisted_surname(words, nxt):
            break
        last = nxt
    return last


def _unlisted_name(words: _Words, j: int) -> bool:
    """A word that may be a name the gazetteer lacks, where case says nothing."""
    token = words.tokens[j]
    folded = token.folded
    return not (
        not words.caseless or len(folded) < 3 or folded in STOPWORDS or folded in PLACE_WORDS
        or folded.endswith(_NOT_NAME_ENDINGS) or token.raw.endswith(("ó", "Ó"))
    )


def _unlisted_surname(words: _Words, j: int) -> bool:
    """In lower case or capitals, a word the gazetteer lacks after a name is a
    surname when another surname follows it ("juan quintanilla hernández") or
    when the name ends with it ("JUAN MONTEMAYOR, ..."), unless it looks like
    a verb or an adverb ("juan llegó")."""
    if not _unlisted_name(words, j):
        return False
    if j + 1 == len(words.tokens) or not words.adjacent(j):
        return True
    following = words.tokens[j + 1].folded
    return following in SURNAMES or (following in STOPWORDS and following not in _PARTICLES)


def _extend_back(words: _Words, i: int, previous_end: int) -> int:
    """One word the gazetteer lacks, right before a known first name, is a
    first name too ("Filiberto Jorge Canché", "a yaretzi patricia torres")."""
    before = i - 1
    if before <= previous_end or not words.adjacent(before):
        return i
    token = words.tokens[before]
    if words.caseless:
        return before if _unlisted_name(words, before) and not words.after_place_word(before) else i
    if (not token.capitalised or len(token.raw) < 3 or token.folded in STOPWORDS
            or token.folded in PLACE_WORDS or words.after_place_word(before) or words.triggered(before)):
        return i
    return before


def _is_place(words: _Words, first: int, last: int) -> bool:
    folded = tuple(t.folded for t in words.tokens[first : last + 1])
    if any(folded[: len(place)] == place for place in PLACE_NAMES):
        return True
    lone = first == last
    return lone and first > 0 and words.tokens[first - 1].folded in _PLACE_PREPOSITIONS


def find_names(text: str, tokens: Sequence[Token]) -> Iterator[Redaction]:
    """Spans of people's names (see the module docstring for the evidence used).

    Guarantee: only whole words are returned, and titles and kinship words
    before a name stay in the text ("mi hermano [NOMBRE]").
    """
    words = _Words(text, tokens)
    i = 0
    previous_end = -1
    while i < len(tokens):
        starts, by_trigger = _starts_name(words, i)
        if not starts:
            i += 1
            continue
        last = _extend(words, i)
        first = i if by_trigger else _extend_back(words, i, previous_end)
        if by_trigger or not _is_place(words, first, last):
            yield Redaction("name", tokens[first].start, tokens[last].end)
            previous_end = last
        i = last + 1
