"""Topical precision: is every result at the top about what was asked, however it is typed?

Queries are collocations of 2–3 words taken from titles (common noun phrases and names such as
"bệnh viện", "Hai Bà Trưng", "giá vàng") that occur as consecutive words in 5–150 articles, each
typed as written, without diacritics and with one typo, and every abbreviation of
``vietnamese/data/abbreviations.tsv``. A hit is relevant when its title or body holds the phrase
as consecutive words (:class:`Judge`); the score is precision at k = min(10, relevant articles),
per row and per engine of :mod:`bench.peers`. For vnsearch alone (peers' totals count other
things), the share of title prefixes whose total grows when the title's next word is added.

    .venv/bin/python -m bench.precision --seed 1 --seed 2 --failures 10
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import spellings
from bench.peers import ENGINES, TOP, Corpus, Engine
from bench.relevance import (
    DEFAULT_CORPORA,
    KEPT,
    RESULTS,
    Ask,
    Occurrences,
    checked_arguments,
    clip,
    load_corpus,
    run,
    timing_rows,
    write_section,
)
from indexer.article import Article
from vietnamese.text import fold_word, normalize_word, words

SECTION = "## Precision"
ABBREVIATIONS = Path(__file__).resolve().parents[1] / "vietnamese" / "data" / "abbreviations.tsv"
MIN_ARTICLES, MAX_ARTICLES = 5, 150  # a collocation's articles, as written
PHRASE_WORDS = (2, 3)
PREFIX_WORDS = range(2, 7)  # title prefixes of 2..6 words
# pyvi's tags (ViPosTagger): nouns (N, Np proper, Nc classifier, Nu unit, Ny abbreviation…),
# adjectives, verbs, numerals.
_NOUN, _ADJECTIVE, _VERB, _NUMERAL, _PROPER = "N", "A", "V", "M", "Np"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    target: str
    about: str


ROWS = (
    Row("written", "as written", "≥ 0.97", "the collocation as the title writes it; relevant: the accented phrase (canonical spelling, any case, either tone placement)."),
    Row("unaccented", "unaccented", "≥ 0.97", "no diacritics, đ as d (`bench/spellings.py` `unaccented`); relevant: the phrase in any spelling that folds to it."),
    Row("typo", "one typo", "≥ 0.90", "the written form with one typo (`bench/spellings.py` `one_typo`, on a word of 4+ letters; collocations without one are left out); relevant: the original words in any spelling that folds to them."),
    Row("abbreviation", "abbreviations", "≥ 0.95", "every abbreviation of `vietnamese/data/abbreviations.tsv` as written there (the same for every sample); relevant: the abbreviation, its expansion or another abbreviation of that expansion (GD&ĐT, GDĐT), as written, any case."),
)


@dataclass(frozen=True)
class Query:
    """A query and what makes a hit relevant to it: one of ``phrases`` as consecutive words,
    compared folded (any spelling) or in the canonical accented spelling."""

    seed: int | None  # None: the same for every sample (abbreviations)
    row: str
    text: str
    phrases: tuple[tuple[str, ...], ...]
    folded: bool


class Judge:
    """Which articles are relevant to a query (:class:`Query`), from their text as the indexer parses it."""

    def __init__(self, articles: Sequence[Article]):
        self._ids = [article.id for article in articles]
        self._exact = Occurrences(articles, normalize_word)
        self._folded = Occurrences(articles, fold_word)

    def relevant(self, query: Query) -> set[str]:
        occurrences = self._folded if query.folded else self._exact
        return {self._ids[i] for phrase in query.phrases for i in occurrences.articles(phrase)}

    def count(self, phrase: Sequence[str]) -> int:
        """The articles that hold ``phrase`` as written (canonical spelling, any case)."""
        return len(self._exact.articles(phrase))


# -- queries -----------------------------------------------------------------------------------


def collocations(title: str) -> Iterator[str]:
    """Runs of 2–3 words of a title that pyvi reads as one noun phrase or name: one compound word
    (noun, verb or adjective: "bệnh viện", "khởi tố"), or nouns followed by nouns or adjectives
    ("giá vàng"), with a numeral only inside a name ("Hai Bà Trưng"). No run holds a number,
    punctuation or a function word (preposition, conjunction, pronoun, adverb, particle)."""
    from pyvi import ViPosTagger, ViTokenizer  # loads a CRF model: only where it is used

    tokens, tags = ViPosTagger.postagging(ViTokenizer.tokenize(title))
    syllables = [token.split("_") for token in tokens]
    for i in range(len(tokens)):
        for j in range(i + 1, len(tokens) + 1):
            run_words = [s for token in syllables[i:j] for s in token]
            if len(run_words) > max(PHRASE_WORDS):
                break
            if len(run_words) < min(PHRASE_WORDS) or not all(w.isalpha() for w in run_words):
                continue
            run_tags = list(tags[i:j])
            if j - i == 1:
                fits = run_tags[0][0] in (_NOUN, _VERB, _ADJECTIVE)
            else:
                head_ok = run_tags[0].startswith(_NOUN) or (run_tags[0] == _NUMERAL and _PROPER in run_tags)
                fits = head_ok and all(t.startswith(_NOUN) or t == _ADJECTIVE for t in run_tags[1:])
            if fits:
                yield " ".join(run_words)


def topical_queries(articles: Sequence[Article], judge: Judge, sample: int, seed: int) -> list[Query]:
    """``sample`` collocations, at most one per title, from titles drawn in random order with ``seed``,
    each in the three spellings."""
    rng = random.Random(seed)
    order = sorted(articles, key=lambda a: a.id)
    rng.shuffle(order)
    seen: set[tuple[str, ...]] = set()
    queries: list[Query] = []
    drawn = 0
    for article in order:
        if drawn >= sample:
            break
        candidates = list(dict.fromkeys(collocations(article.title)))
        rng.shuffle(candidates)
        for written in candidates:
            phrase = tuple(words(written))
            key = _canonical(written)
            if key in seen:
                continue
            seen.add(key)
            if MIN_ARTICLES <= judge.count(phrase) <= MAX_ARTICLES:
                drawn += 1
                queries.append(Query(seed, "written", written, (phrase,), folded=False))
                queries.append(Query(seed, "unaccented", spellings.unaccented(written), (phrase,), folded=True))
                typed = spellings.one_typo(written, rng)
                if typed is not None:
                    queries.append(Query(seed, "typo", typed, (phrase,), folded=True))
                break
    return queries


def abbreviation_queries(path: Path = ABBREVIATIONS) -> list[Query]:
    """Every abbreviation of the data file; relevant: it, its expansion, or another abbreviation of that expansion."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            short, long = (part.strip() for part in line.split("\t", 1))
            pairs.append((short, long))
    spelled = defaultdict(set)  # expansion → every abbreviation of it
    for short, long in pairs:
        spelled[_canonical(long)].add(short)
    return [
        Query(None, "abbreviation", short, tuple(sorted({tuple(words(long)), *(tuple(words(s)) for s in spelled[_canonical(long)])})), folded=False)
        for short, long in pairs
    ]


def _canonical(text: str) -> tuple[str, ...]:
    return tuple(map(normalize_word, words(text)))


def title_prefixes(articles: Sequence[Article], sample: int, seed: int) -> list[list[str]]:
    """For ``sample`` titles drawn with ``seed``, their first 2, 3, … 6 words as successive queries."""
    order = sorted(articles, key=lambda a: a.id)
    drawn = random.Random(f"prefixes:{seed}").sample(order, min(sample, len(order)))
    chains = []
    for article in drawn:
        title = words(article.title)
        chain = [" ".join(title[:n]) for n in PREFIX_WORDS if n <= len(title)]
        if len(chain) >= 2:
            chains.append(chain)
    return chains


# -- scores --------------------------------------------------------------------------------------


def precision_at_k(ranked: list[str] | None, relevant: set[str]) -> float | None:
    """Precision in the top k = min(10, relevant articles); None when no article is relevant."""
    k = min(TOP, len(relevant))
    if not k:
        return None
    return sum(doc in relevant for doc in (ranked or [])[:k]) / k


def total(engine: Engine, text: str) -> tuple[int, bool]:
    """vnsearch's total for the query and whether it fell back to partial matches."""
    results = engine.results(text)
    return results.total, results.partial


@dataclass
class Widening:
    pairs: int = 0
    compared: int = 0  # neither query fell back to partial matches
    grew: list[tuple[str, int, str, int]] | None = None


def widenings(chains: list[list[str]], totals: dict[str, object]) -> Widening:
    found = Widening(grew=[])
    for chain in chains:
        for shorter, longer in zip(chain, chain[1:]):
            found.pairs += 1
            a, b = totals.get(shorter), totals.get(longer)
            if a is None or b is None or a[1] or b[1]:
                continue
            found.compared += 1
            if b[0] > a[0]:
                found.grew.append((shorter, a[0], longer, b[0]))
    return found


def table(queries: list[Query], relevant: dict[Query, set[str]], keys: list[str], runs, answers) -> str:
    shown = [key for key in keys if key in runs]
    lines = [
        "| sample | query | n | no relevant article | target | " + " | ".join(ENGINES[key].label for key in shown) + " |",
        "|---|---|--:|--:|---|" + "--:|" * len(shown),
    ]
    groups: dict[tuple[int | None, str], list[Query]] = defaultdict(list)
    for query in queries:
        groups[query.seed, query.row].append(query)
    seeds = sorted({q.seed for q in queries if q.seed is not None})
    for seed in [*seeds, None]:
        for row in ROWS:
            group = groups.get((seed, row.key))
            if not group:
                continue
            scored = [q for q in group if relevant[q]]
            values = [
                sum(precision_at_k(answers[key].get(q.text), relevant[q]) for q in scored) / max(len(scored), 1) for key in shown
            ]
            best = max(values)
            cells = [f"**{v:.2f}**" if len(shown) > 1 and f"{v:.2f}" == f"{best:.2f}" else f"{v:.2f}" for v in values]
            sample = f"seed {seed}" if seed is not None else "all"
            lines.append(f"| {sample} | {row.label} | {len(scored)} | {len(group) - len(scored)} | {row.target} | " + " | ".join(cells) + " |")
    lines.extend(timing_rows(shown, runs, "| | | | |"))
    return "\n".join(lines)


def widening_table(by_seed: dict[int, Widening]) -> str:
    lines = [
        "| sample | prefix pairs | compared (neither partial) | total grew | share | target |",
        "|---|--:|--:|--:|--:|---|",
    ]
    for seed, found in by_seed.items():
        share = len(found.grew) / max(found.compared, 1)
        lines.append(f"| seed {seed} | {found.pairs} | {found.compared} | {len(found.grew)} | {100 * share:.1f}% | 0 |")
    return "\n".join(lines)


def failures(queries: list[Query], relevant: dict[Query, set[str]], answers, titles: dict[str, str], k: int) -> str:
    """The ``k`` queries of each row with the lowest precision, and what the engine returned."""
    out = []
    for row in ROWS:
        scored = [(precision_at_k(answers.get(q.text), relevant[q]), q) for q in queries if q.row == row.key and relevant[q]]
        worst = [(p, q) for p, q in sorted(scored, key=lambda pair: pair[0]) if p < 1][:k]
        if not worst:
            continue
        out.append(f"\n### {row.label}")
        for p, q in worst:
            wanted = relevant[q]
            top = (answers.get(q.text) or [])[: min(TOP, len(wanted))]
            sample = f"seed {q.seed}" if q.seed is not None else "every sample"
            out.append(f"- P@{min(TOP, len(wanted))} = {p:.2f} {q.text!r} ({sample}; {len(wanted)} relevant)")
            out.extend(f"    {'+' if doc in wanted else '-'} {clip(titles[doc], 100)}" for doc in top if doc not in wanted)
    return "\n".join(out)


def section(command: str, table_text: str, widening_text: str, sample: int, prefixes: int, keys: list[str], notes: list[str], wall: float) -> str:
    rows_text = "\n".join(f"- **{row.label}**: {row.about}" for row in ROWS)
    extra = "".join(f"\n{note}\n" for note in notes)
    return f"""{SECTION}

Topical precision (issue 12): is every result at the top about what was asked? Per sample
(`--seed`), {sample} collocations of 2–3 words are drawn from titles of the corpus (`corpus/` and
`../shared/corpora/dantri-unc`), at most one per title: runs that pyvi's tagger reads as one
compound word or as nouns followed by nouns or adjectives (numerals only inside a name), with no
number, punctuation or function word, occurring as consecutive words in {MIN_ARTICLES}–{MAX_ARTICLES} articles.
Each is typed as below. A hit is relevant when its title or body, as the indexer parses it, holds
the phrase as consecutive words (a phrase doesn't run from the title into the body). Score:
precision at k = min(10, relevant articles), averaged over the row's queries; n = queries scored,
"no relevant article" = queries left out because no article holds the phrase in the row's sense
(only abbreviations the corpus never writes); bold = best engine on the row.

    {command}

Run on {time.strftime("%Y-%m-%d")} on a 2-core machine shared with other work, {wall:.0f} s in all (indexes
built one after another, then queries answered by 2 worker processes; 15-minute load average at
the end {os.getloadavg()[2]:.1f}). Times in the table are CPU time.

{table_text}
{extra}
Targets (issue 12): P@k ≥ 0.97 as written and unaccented, ≥ 0.90 with one typo, ≥ 0.95 for
abbreviations.

Rows:

{rows_text}

Engines: as in the Relevance section. A peer joining words with AND can only lose precision by
ranking a hit that holds the words apart above one that holds the phrase; one joining with OR also
by ranking hits that lack a word.

### Adding a word never widens the list

vnsearch only (peers' totals are not comparable): for {prefixes} titles drawn per sample, the first
2, 3, … 6 words of the title are successive queries; a pair (n words, n + 1 words) counts as
widened when the longer query's total is larger. Pairs where either query fell back to partial
matches (`SearchResults.partial`, announced to the user) are not compared.

{widening_text}

{KEPT}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.precision", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=150, help="collocations per seed (default 150)")
    parser.add_argument("--prefixes", type=int, default=100, help="titles per seed for the widening check (default 100)")
    parser.add_argument("--seed", type=int, action="append", help="random seed of a sample; repeat for more samples (default 1)")
    parser.add_argument("--engine", default=",".join(ENGINES), help=f"comma-separated engines (default all: {','.join(ENGINES)})")
    parser.add_argument("--failures", type=int, default=0, metavar="K", help="print the K worst queries per row for the first engine")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--write", action="store_true", help=f"replace the '{SECTION}' section of bench/RESULTS.md with the results")
    parser.add_argument("corpus", nargs="*", type=Path, default=list(DEFAULT_CORPORA), help="corpus directories (default: corpus/ and ../shared/corpora/dantri-unc)")
    args = parser.parse_args(argv)
    seeds = args.seed or [1]
    keys = checked_arguments(parser, args)
    if args.prefixes < 0:
        parser.error("--prefixes must be at least 0")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    corpus: Corpus = load_corpus(tuple(args.corpus))
    judge = Judge(corpus.articles)
    queries = [q for seed in seeds for q in topical_queries(corpus.articles, judge, args.sample, seed)] + abbreviation_queries()
    relevant = {q: judge.relevant(q) for q in queries}
    chains = {seed: title_prefixes(corpus.articles, args.prefixes, seed) for seed in seeds}
    texts = list(dict.fromkeys(q.text for q in queries))
    prefix_texts = tuple(dict.fromkeys(text for chain_list in chains.values() for chain in chain_list for text in chain))
    asks = [Ask("vnsearch", total, prefix_texts)] if "vnsearch" in keys and prefix_texts else []
    log(f"{len(corpus.articles)} articles, {len(texts)} distinct queries, {len(prefix_texts)} title prefixes, engines: {', '.join(keys)}")
    result = run(corpus, keys, texts, args.jobs, log, asks)
    wall = time.perf_counter() - started
    table_text = table(queries, relevant, keys, result.runs, result.answers)
    widening_text = widening_table({seed: widenings(chain, result.asked[asks[0]]) for seed, chain in chains.items()}) if asks else ""
    print(table_text)
    print("\n" + widening_text)
    print(f"\n{wall:.0f} s in all")
    for note in result.notes:
        print(note)
    if args.failures and keys[0] in result.runs:
        titles = {a.id: a.title for a in corpus.articles}
        print(f"\n## Worst queries for {ENGINES[keys[0]].label}")
        print(failures(queries, relevant, result.answers[keys[0]], titles, args.failures))
        if asks:
            for seed, chain in chains.items():
                for shorter, a, longer, b in widenings(chain, result.asked[asks[0]]).grew[: args.failures]:
                    print(f"- widened (seed {seed}): {shorter!r} {a} → {longer!r} {b}")
    if args.write:
        command = ".venv/bin/python -m bench.precision " + " ".join(sys.argv[1:] if argv is None else argv)
        write_section(RESULTS, section(command.strip(), table_text, widening_text, args.sample, args.prefixes, keys, result.notes, wall))
        log(f"wrote the '{SECTION}' section of {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
