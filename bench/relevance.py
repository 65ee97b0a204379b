"""Known-item relevance: does the article a person means come first, however they type?

From a sample of articles, a window of 5–7 consecutive words is taken from the
title and from a body sentence, and typed in each of the spellings of
:mod:`bench.spellings`. Every engine of :mod:`bench.peers` indexes the same
corpus and answers every query; the score is the mean reciprocal rank of the
wanted article in the top ten (MRR@10) per spelling. Indexes live in a
temporary directory and are gone after the run.

    .venv/bin/python -m bench.relevance --seed 1 --failures 5
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import multiprocessing
import os
import random
import re
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench import spellings
from bench.articles import read_articles
from bench.peers import ENGINES, TOP, Corpus, Engine, engine_keys
from indexer.article import Article
from vietnamese.text import words

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = (REPO / "corpus", REPO.parent / "shared" / "corpora" / "dantri-unc")
RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = "## Relevance"
WINDOW_SIZES = (5, 6, 7)
# A title shorter than a window is queried whole from this many words on; shorter ones say too little.
MIN_TITLE_WORDS = 3
CHUNK = 100  # queries per task sent to a worker
_SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+")


@dataclass(frozen=True)
class Spelling:
    key: str
    label: str
    about: str


SPELLINGS = (
    Spelling("written", "as written", "the window exactly as the article writes it (NFC)."),
    Spelling(
        "unaccented",
        "unaccented",
        "no diacritics, đ as d. For title windows, the same words of the URL's last path segment, "
        "the publisher's own unaccented title, aligned word by word with the folded title; "
        "folded by the benchmark only where the slug doesn't spell the whole window.",
    ),
    Spelling("nfd", "NFD", "decomposed Unicode (letters + combining marks), as some Mac and web forms send it."),
    Spelling("caps", "ALL CAPS", "upper case, as in a headline or with caps lock on."),
    Spelling("partly", "partly accented", "diacritics dropped from a random half (rounded up) of the accented words."),
    Spelling(
        "typo",
        "one typo",
        "one edit on one random word of 4+ letters: deletion, insertion or substitution of a neighbouring "
        "QWERTY key, or transposition of adjacent letters.",
    ),
    Spelling(
        "unaccented-typo",
        "unaccented + one typo",
        "the unaccented spelling with one typo: the phone without Vietnamese input, typed in a hurry "
        "(added: the commonest way the two happen together).",
    ),
    Spelling("telex", "Telex, input method off", "aa aw ee oo ow uw dd right after the letter, tone key at the end of the syllable: Hà Nội → Haf Nooij, người → nguwowif."),
    Spelling(
        "telex-late",
        "Telex, marks last",
        "Telex with the shape and tone keys after the syllable (người → nguoiwf, Nội → Noioj), which Unikey "
        "and EVKey accept and many people type (added: the other common Telex habit).",
    ),
    Spelling("vni", "VNI, input method off", "6 7 8 9 right after the letter, tone digit at the end of the syllable: Hà Nội → Ha2 No6i5."),
    Spelling(
        "tone-written",
        "tone windows, as written",
        "windows chosen to contain a toned oa/oe/uy syllable, as written: the baseline for the next row.",
    ),
    Spelling(
        "tone-other",
        "tone windows, other tone placement",
        "the same windows with the tone of every oa/oe/uy syllable moved to the other vowel "
        "(hòa ↔ hoà, thúy ↔ thuý, ủy ↔ uỷ), by a generator independent of the engine's normaliser.",
    ),
)
# Title windows half typed (issue 14): the last word cut after this many letters, where it has more.
CUT_LETTERS = (1, 2, 3)
SPELLINGS += tuple(
    Spelling(
        f"cut{n}{suffix}",
        f"last word cut to {n}, {label}",
        f"the title window {label}, its last word cut after {n} letter{'s' if n > 1 else ''}, as typed "
        "into a search box that updates as you type.",
    )
    for n in CUT_LETTERS
    for suffix, label in (("", "as written"), ("-unaccented", "unaccented"))
)
FIELDS = ("title", "body")
# The targets, where they apply.
TARGETS = {
    **{("title", key): "≥ 0.99" for key in ("written", "unaccented", "nfd", "caps", "partly")},
    ("title", "typo"): "≥ 0.97",
    ("title", "telex"): "≥ 0.95",
    ("body", "written"): "≥ 0.85",
    ("title", "tone-other"): "= row above",
    ("body", "tone-other"): "= row above",
    **{("title", s.key): "≥ 0.95" for s in SPELLINGS if s.key.startswith("cut")},
}


@dataclass(frozen=True)
class Query:
    wanted: str
    field: str
    spelling: str
    text: str


# -- corpus and queries ------------------------------------------------------------------------


def load_corpus(paths: tuple[Path, ...]) -> Corpus:
    """The articles exactly as the indexer reads and parses them."""
    return Corpus(paths, tuple(read_articles(paths)))


class Occurrences:
    """Finds whether a run of words occurs in any other article (then it can't name one article)."""

    def __init__(self, articles: tuple[Article, ...]):
        texts = [f" {_lower_words(a.title)} | {_lower_words(a.body)} \n" for a in articles]
        self._starts = []
        offset = 0
        for text in texts:
            self._starts.append(offset)
            offset += len(text)
        self._text = "".join(texts)

    def unique(self, window: list[str], article_index: int) -> bool:
        needle = f" {' '.join(window).lower()} "
        at = self._text.find(needle)
        while at >= 0:
            if bisect.bisect_right(self._starts, at) - 1 != article_index:
                return False
            at = self._text.find(needle, at + 1)
        return True


def _lower_words(text: str) -> str:
    return " ".join(words(text)).lower()


def _windows(runs: list[list[str]], rng: random.Random) -> list[tuple[int, int, int]]:
    """(run, start, end) of every window of 5–7 words inside the runs, in random order;
    a short run of at least MIN_TITLE_WORDS words counts whole."""
    found = [
        (r, start, start + size)
        for r, run in enumerate(runs)
        for size in WINDOW_SIZES
        for start in range(len(run) - size + 1)
    ]
    if not found:
        found = [(r, 0, len(run)) for r, run in enumerate(runs) if len(run) >= MIN_TITLE_WORDS]
    rng.shuffle(found)
    return found


def _pick(runs: list[list[str]], rng: random.Random, *keeps: Callable[[int, int, int], bool]) -> tuple[int, int, int] | None:
    """A random window that passes the first test any window passes (tests in order of preference)."""
    windows = _windows(runs, rng)
    return next((w for keep in keeps for w in windows if keep(*w)), None)


def _sentences(body: str) -> list[list[str]]:
    return [words(s) for paragraph in body.split("\n") for s in _SENTENCE_END.split(paragraph) if s.strip()]


@dataclass
class QuerySet:
    queries: list[Query]
    slug_windows: int = 0
    slug_fallbacks: int = 0


def make_queries(corpus: Corpus, sample: int, seed: int) -> QuerySet:
    """Queries for ``sample`` articles drawn at random with ``seed``; each article gets its own
    random stream, so an article's queries don't depend on which others were drawn."""
    occurrences = Occurrences(corpus.articles)
    indexed = sorted(enumerate(corpus.articles), key=lambda pair: pair[1].id)
    drawn = random.Random(seed).sample(indexed, min(sample, len(indexed)))
    result = QuerySet([])
    for index, article in drawn:
        rng = random.Random(f"{seed}:{article.id}")

        title = words(article.title)
        alignment = spellings.SlugAlignment(title, spellings.slug_words(article.url))
        for field, runs in (("title", [title]), ("body", _sentences(article.body))):

            def unique(r: int, start: int, end: int) -> bool:
                return occurrences.unique(runs[r][start:end], index)

            def slugged(r: int, start: int, end: int) -> bool:
                return field == "title" and alignment.window(start, end) is not None and unique(r, start, end)

            def movable(r: int, start: int, end: int) -> bool:
                return spellings.has_movable_tone(" ".join(runs[r][start:end])) and unique(r, start, end)

            # Title windows the publisher's slug spells are preferred, so that its unaccented title is used.
            picked = _pick(runs, rng, slugged, unique)
            if picked is not None:
                r, start, end = picked
                written = " ".join(runs[r][start:end])
                unaccented = None
                if field == "title":
                    slug = alignment.window(start, end)
                    unaccented = " ".join(slug) if slug else None
                    result.slug_windows += 1
                    result.slug_fallbacks += slug is None
                for key, text in _spelled(written, unaccented, rng):
                    result.queries.append(Query(article.id, field, key, text))
                if field == "title":
                    for key, text in _cut(written, unaccented or spellings.unaccented(written)):
                        result.queries.append(Query(article.id, field, key, text))
            toned = _pick(runs, rng, movable)
            if toned is not None:
                r, start, end = toned
                text = " ".join(runs[r][start:end])
                result.queries.append(Query(article.id, field, "tone-written", text))
                result.queries.append(Query(article.id, field, "tone-other", spellings.other_tone_placement(text)))
    return result


def _spelled(written: str, unaccented: str | None, rng: random.Random) -> Iterator[tuple[str, str]]:
    unaccented = unaccented or spellings.unaccented(written)
    yield "written", written
    yield "unaccented", unaccented
    yield "nfd", spellings.nfd(written)
    yield "caps", spellings.all_caps(written)
    yield "partly", spellings.partly_accented(written, rng)
    for key, base in (("typo", written), ("unaccented-typo", unaccented)):
        typed = spellings.one_typo(base, rng)
        if typed is not None:
            yield key, typed
    yield "telex", spellings.telex(written)
    yield "telex-late", spellings.telex_marks_last(written)
    yield "vni", spellings.vni(written)


def _cut(written: str, unaccented: str) -> Iterator[tuple[str, str]]:
    """The window half typed: its last word cut after 1, 2 or 3 letters (where it has more)."""
    for letters in CUT_LETTERS:
        for key, text in ((f"cut{letters}", written), (f"cut{letters}-unaccented", unaccented)):
            head, _, last = text.rpartition(" ")
            if len(last) > letters:
                yield key, f"{head} {last[:letters]}".lstrip()


# -- running the engines (in worker processes) -----------------------------------------------

_workdir: Path | None = None
_open: dict[str, Engine] = {}


def _init(workdir: Path) -> None:
    global _workdir
    _workdir = workdir


def _search(task: tuple[str, list[str]]) -> tuple[str, list[str], list[list[str] | None], float]:
    """Each query's ranked ids, or None where the engine rejected the query."""
    key, texts = task
    if key not in _open:
        _open[key] = ENGINES[key](_workdir / key)
    engine = _open[key]
    ranked: list[list[str] | None] = []
    started = time.process_time()  # CPU time: other work on the machine doesn't inflate it
    for text in texts:
        try:
            ranked.append(engine.search(text))
        except Exception:
            ranked.append(None)
    return key, texts, ranked, time.process_time() - started


@dataclass
class EngineRun:
    build_seconds: float
    search_seconds: float = 0.0
    searched: int = 0
    rejected: int = 0


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (an indexer's worker processes)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


def run(corpus: Corpus, keys: list[str], texts: list[str], jobs: int, log) -> tuple[dict[str, EngineRun], dict[str, dict[str, list[str] | None]], list[str]]:
    """Build every engine, one at a time (an indexer may use every core), then send
    every engine every query text from ``jobs`` worker processes."""
    runs: dict[str, EngineRun] = {}
    answers: dict[str, dict[str, list[str] | None]] = defaultdict(dict)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="vnsearch-relevance-") as workdir:
        for key in keys:
            started = _cpu_seconds()
            try:
                ENGINES[key].build(corpus, Path(workdir) / key)
            except Exception as error:  # a peer that can't be set up is reported, not fatal
                notes.append(f"{ENGINES[key].label} could not be set up and is left out: {type(error).__name__}: {error}")
                log(f"  {key}: not built ({type(error).__name__}: {error})")
                continue
            runs[key] = EngineRun(_cpu_seconds() - started)
            log(f"  {key}: index built in {runs[key].build_seconds:.1f} CPU s")
        tasks = [(key, texts[i : i + CHUNK]) for key in runs for i in range(0, len(texts), CHUNK)]
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_init, initargs=(Path(workdir),)) as pool:
            for done, (key, chunk, ranked, seconds) in enumerate(pool.imap_unordered(_search, tasks), 1):
                engine_run = runs[key]
                engine_run.search_seconds += seconds
                engine_run.searched += len(chunk)
                engine_run.rejected += sum(r is None for r in ranked)
                answers[key].update(zip(chunk, ranked))
                if done % 20 == 0 or done == len(tasks):
                    log(f"  {done}/{len(tasks)} query batches answered")
    return runs, answers, notes


# -- scores, table, failures -------------------------------------------------------------------


def reciprocal_rank(wanted: str, ranked: list[str] | None) -> float:
    if ranked and wanted in ranked[:TOP]:
        return 1 / (ranked.index(wanted) + 1)
    return 0.0


def scores(queries: list[Query], answers: dict[str, list[str] | None]) -> dict[tuple[str, str], float]:
    by_column: dict[tuple[str, str], list[float]] = defaultdict(list)
    for query in queries:
        by_column[query.field, query.spelling].append(reciprocal_rank(query.wanted, answers[query.text]))
    return {column: sum(values) / len(values) for column, values in by_column.items()}


def table(queries: list[Query], keys: list[str], runs: dict[str, EngineRun], answers) -> str:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for query in queries:
        counts[query.field, query.spelling] += 1
    mrr = {key: scores(queries, answers[key]) for key in keys if key in runs}
    shown = [key for key in keys if key in runs]
    lines = [
        "| query | n | target | " + " | ".join(ENGINES[key].label for key in shown) + " |",
        "|---|--:|---|" + "--:|" * len(shown),
    ]
    for field in FIELDS:
        for spelling in SPELLINGS:
            column = (field, spelling.key)
            if not counts[column]:
                continue
            values = [mrr[key][column] for key in shown]
            best = max(values)
            cells = [f"**{v:.2f}**" if len(shown) > 1 and f"{v:.2f}" == f"{best:.2f}" else f"{v:.2f}" for v in values]
            lines.append(f"| {field}: {spelling.label} | {counts[column]} | {TARGETS.get(column, '')} | " + " | ".join(cells) + " |")
    lines.append("| index build, CPU s | | | " + " | ".join(f"{runs[key].build_seconds:.0f}" for key in shown) + " |")
    lines.append(
        "| mean query time, CPU ms | | | "
        + " | ".join(f"{1000 * runs[key].search_seconds / max(runs[key].searched, 1):.1f}" for key in shown)
        + " |"
    )
    return "\n".join(lines)


def failures(queries: list[Query], answers, titles: dict[str, str], k: int) -> str:
    """The ``k`` worst queries per column: misses first, then the lowest-ranked hits."""
    out = []
    for field in FIELDS:
        for spelling in SPELLINGS:
            column = [q for q in queries if (q.field, q.spelling) == (field, spelling.key)]
            worst = sorted(column, key=lambda q: reciprocal_rank(q.wanted, answers[q.text]))[:k]
            worst = [q for q in worst if reciprocal_rank(q.wanted, answers[q.text]) < 1]
            if not worst:
                continue
            out.append(f"\n### {field}: {spelling.label}")
            for q in worst:
                ranked = answers[q.text]
                rank = "rejected" if ranked is None else (f"rank {ranked.index(q.wanted) + 1}" if q.wanted in ranked else "missed")
                first = titles.get(ranked[0], ranked[0]) if ranked else "(no results)"
                out.append(f"- [{rank}] {q.text!r}\n    wanted: {_clip(titles[q.wanted])}\n    first:  {_clip(first)}")
    return "\n".join(out)


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(command: str, table_text: str, query_set: QuerySet, keys: list[str], runs, notes: list[str], wall: float, sample: int) -> str:
    spellings_text = "\n".join(f"- **{s.label}**: {s.about}" for s in SPELLINGS)
    peers_text = "\n".join(f"- **{ENGINES[key].label}**: {ENGINES[key].setup}" for key in keys)
    rejected = [f"{ENGINES[k].label}: {runs[k].rejected}" for k in keys if k in runs and runs[k].rejected]
    extra = "".join(f"\n{note}\n" for note in notes)
    return f"""{SECTION}

Known-item search: for each of {sample} articles drawn at random from the corpus (`corpus/` and
`../shared/corpora/dantri-unc`), a window of 5–7 consecutive words of the title (the whole title
when it has fewer than 5 words) and of one body sentence, chosen so that it occurs in no other
article, is typed in each spelling below. A body window can be a common run of words ("chúng tôi
đang chờ kết quả") that only its exact word order makes unique: an engine finds it by ranking
phrase and proximity matches first. Score: mean reciprocal rank of the wanted article in the
top 10 (MRR@10); n = number of queries; bold = best engine on the row.

    {command}

Run on {dt.date.today().isoformat()} on a 2-core machine, {wall:.0f} s in all (indexes built one after
another, then queries answered by 2 worker processes; 15-minute load average at the end
{os.getloadavg()[2]:.1f}, other work included). Times in the table are CPU time (an indexer's worker
processes included), so other work on the machine doesn't inflate them.

{table_text}

Unaccented title windows taken from the URL slug: {query_set.slug_windows - query_set.slug_fallbacks} of
{query_set.slug_windows}; the other {query_set.slug_fallbacks} were folded by the benchmark because the slug
doesn't spell them: the seed articles have no URL, and in most dantri-unc files the line the parser
takes as the title is in fact the lead paragraph or a photo caption, which the slug doesn't spell.
Where the slug does spell the title, title windows are drawn from the part it spells.
Queries an engine rejected (counted as misses): {", ".join(rejected) or "none"}.
{extra}
Targets (issue 3): every title spelling as written, unaccented, NFD, ALL CAPS, partly accented ≥ 0.99;
one typo ≥ 0.97; Telex ≥ 0.95; body passages ≥ 0.85; the other tone placement loses nothing
against the same windows as written. Issue 14: title windows with the last word cut after 1, 2 or 3
letters ≥ 0.95 (every query is sent without a trailing space, so vnsearch reads its last word as a prefix). A separate sample (`--seed`) checks that these hold in general.

Spellings:

{spellings_text}

Engines (each indexes the same title and body text the project's parser produces):

{peers_text}

Every query is a plain run of words, as a person types it: no operators. `--failures K` prints
the K worst queries of each row for the first engine listed (vnsearch by default).
"""


def write_section(path: Path, text: str) -> None:
    """Replace this benchmark's section of ``path``, keeping every other section."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    lines = old.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == SECTION), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new = "".join(lines[:start]) + text + ("\n" + "".join(lines[end:]) if end < len(lines) else "")
    path.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=250, help="articles to draw queries from (default 250)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the sample, windows and spellings (default 1)")
    parser.add_argument("--engine", default=",".join(ENGINES), help=f"comma-separated engines (default all: {','.join(ENGINES)})")
    parser.add_argument("--failures", type=int, default=0, metavar="K", help="print the K worst queries per row for the first engine")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--write", action="store_true", help=f"replace the '{SECTION}' section of bench/RESULTS.md with the results")
    parser.add_argument("corpus", nargs="*", type=Path, default=list(DEFAULT_CORPORA), help="corpus directories (default: corpus/ and ../shared/corpora/dantri-unc)")
    args = parser.parse_args(argv)
    try:
        keys = list(engine_keys(args.engine))
    except ValueError as error:
        parser.error(str(error))
    if args.sample < 1 or args.jobs < 1:
        parser.error("--sample and --jobs must be at least 1")
    missing = [str(p) for p in args.corpus if not p.exists()]
    if missing:
        parser.error(f"corpus not found: {', '.join(missing)}")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    corpus = load_corpus(tuple(args.corpus))
    query_set = make_queries(corpus, args.sample, args.seed)
    texts = list(dict.fromkeys(q.text for q in query_set.queries))
    log(f"{len(corpus.articles)} articles, {len(query_set.queries)} queries ({len(texts)} distinct), engines: {', '.join(keys)}")
    runs, answers, notes = run(corpus, keys, texts, args.jobs, log)
    wall = time.perf_counter() - started
    table_text = table(query_set.queries, keys, runs, answers)
    print(table_text)
    print(f"\n{wall:.0f} s in all; unaccented title windows from the URL slug: "
          f"{query_set.slug_windows - query_set.slug_fallbacks}/{query_set.slug_windows}")
    for note in notes:
        print(note)
    if args.failures and keys[0] in runs:
        titles = {a.id: a.title for a in corpus.articles}
        print(f"\n## Worst queries for {ENGINES[keys[0]].label}")
        print(failures(query_set.queries, answers[keys[0]], titles, args.failures))
    if args.write:
        command = ".venv/bin/python -m bench.relevance " + " ".join(sys.argv[1:] if argv is None else argv)
        write_section(RESULTS, section(command.strip(), table_text, query_set, keys, runs, notes, wall, min(args.sample, len(corpus.articles))))
        log(f"wrote the '{SECTION}' section of {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
