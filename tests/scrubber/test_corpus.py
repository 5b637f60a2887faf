"""The labelled corpus (tests/scrubber/corpus.jsonl, made by corpus.py) must
meet the issue's quality targets; bench/scrubbers.py runs a larger one beside
Presidio and scrubadub."""

from __future__ import annotations

from pathlib import Path

from scrubber.text import find_identifiers
from tests.scrubber.corpus import STRUCTURED, Sample, generate, score

CORPUS = Path(__file__).with_name("corpus.jsonl")


def _load() -> list[Sample]:
    return [Sample.from_json(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


def test_committed_corpus_is_what_the_generator_makes() -> None:
    assert [s.to_json() for s in generate(800, 2026)] == [s.to_json() for s in _load()]


def test_quality_targets_on_the_labelled_corpus() -> None:
    samples = _load()
    scores = score(samples, [[(r.start, r.end) for r in find_identifiers(s.text)] for s in samples])
    assert sum(scores.total.values()) > 1000 and scores.facts_total > 1500
    assert scores.recall(STRUCTURED) >= 0.99, scores.misses
    for kind in STRUCTURED:
        assert scores.recall((kind,)) >= 0.97, (kind, [m for m in scores.misses if m[0] == kind])
    assert scores.recall(("name",)) >= 0.95, [m for m in scores.misses if m[0] == "name"]
    assert scores.keep_rate() >= 0.97, scores.destroyed


def test_scoring_can_fail() -> None:
    samples = _load()[:50]
    nothing = score(samples, [[] for _ in samples])
    everything = score(samples, [[(0, len(s.text))] for s in samples])
    assert nothing.recall() == 0.0 and nothing.keep_rate() == 1.0
    assert everything.recall() == 1.0 and everything.keep_rate() == 0.0
