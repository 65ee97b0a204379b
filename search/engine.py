"""The search engine: one index, searched with filters, facets, pages, snippets and suggestions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
from whoosh import index
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.schema import INDEX_NAME, PAIR_FIELDS
from search.highlight import Marker, highlight, snippet
from search.match import QueryBuilder
from search.model import MAX_PAGE, DocumentView, FacetCount, Hit, SearchError, SearchRequest, SearchResults, Ward
from search.query import ParsedQuery, parse_query, read_as
from search.rescore import RESCORE_WINDOW, phrase_tiers, preselect, rescore
from search.spelling import Vocabulary, pair_count, respell
from search.suggest import is_fragment, suggest
from search.vectorized import IndexArrays
from vietnamese.places import all_districts, district_by_label, district_label, match_filter
from vietnamese.reform import province_now, provinces_named, ward_by_label, ward_label, wards_named

DISTRICT_FACET = "districts"
PROVINCE_FACET = "provinces"
WARD_FACET = "wards"
WARD_LINKS = "ward_links"  # a document's current units and those its former units became part of
NOTHING_TO_SEARCH = "Câu tìm kiếm không có chữ hay số nào để tìm: hãy gõ một từ."
# Where the suggestion looks for the corpus's spelling: titles and the opening articles of the results.
SUGGESTION_TITLES = 10
SUGGESTION_BODIES = 3


# Whoosh stores a missing date as the largest 64-bit value, which would put undated
# articles first when sorting newest first; they go last instead.
_UNDATED = 2**64 - 1


def _newest_first(arrays: IndexArrays, searcher: Searcher) -> np.ndarray:
    days = arrays.column(searcher, "date")
    return np.where(days == _UNDATED, -1, days.astype(np.int64))


class IndexMissing(RuntimeError):
    """There is no index where one was expected."""


@lru_cache(maxsize=1)
def _known_districts() -> tuple[str, ...]:
    return tuple(map(district_label, all_districts()))


def _elapsed(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def _keywords(stored: dict, field: str) -> tuple[str, ...]:
    return tuple(v for v in (stored.get(field) or "").split(",") if v)


def _wards(stored: dict) -> tuple[Ward, ...]:
    wards = (ward_by_label(label) for label in _keywords(stored, WARD_FACET))
    return tuple(Ward(w.name, w.province) for w in wards if w is not None)


def _district_province(label: str) -> str | None:
    district = district_by_label(label)
    return province_now(district.province) if district else None


def _ward_province(label: str) -> str | None:
    ward = ward_by_label(label)
    return ward.province if ward else None


def _facet(counts: dict[str, int], province=None) -> list[FacetCount]:
    """Facet entries, most hits first; ``province`` gives each name's current province."""
    facets = (FacetCount(name, n, province(name) if province else None) for name, n in counts.items() if name)
    return sorted(facets, key=lambda f: (-f.count, f.name))


def _terms(field: str, values) -> wq.Query:
    values = list(dict.fromkeys(values))
    return wq.Or([wq.Term(field, v) for v in values]) if values else wq.NullQuery()


class SearchEngine:
    """Searches the index in ``index_dir``; safe to share between threads.

    Each thread keeps its own Whoosh searcher and refreshes it when the index
    has a new commit, so a finished re-index is picked up without a restart.
    """

    def __init__(self, index_dir: Path):
        if not index.exists_in(index_dir, indexname=INDEX_NAME):
            raise IndexMissing(f"Chưa có chỉ mục trong {index_dir}: hãy chạy 'vnsearch index' trước.")
        self._ix = index.open_dir(index_dir, indexname=INDEX_NAME)
        self._local = threading.local()
        self._vocabulary: tuple[int, Vocabulary] | None = None
        self._vocabulary_lock = threading.Lock()
        self._arrays: IndexArrays | None = None
        self._arrays_lock = threading.Lock()

    def _searcher(self) -> Searcher:
        """This thread's searcher on the latest commit: a new one rather than Whoosh's refresh(),
        which reuses old segment readers that still show replaced or deleted documents."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None or not searcher.up_to_date():
            if searcher is not None:
                searcher.close()
            searcher = self._local.searcher = self._ix.searcher()
        return searcher

    def _vocabulary_of(self, searcher: Searcher) -> Vocabulary:
        """This index generation's vocabulary, shared by all threads."""
        generation = searcher.reader().generation()
        with self._vocabulary_lock:
            if self._vocabulary is None or self._vocabulary[0] != generation:
                self._vocabulary = (generation, Vocabulary(searcher.reader()))
            return self._vocabulary[1]

    def _parse(self, searcher: Searcher, q: str, verbatim: bool = False) -> ParsedQuery:
        """The query as the person meant it, read against this index generation's vocabulary;
        ``verbatim``: every word exactly as typed."""
        parsed = parse_query(q)
        if verbatim:
            return parsed
        pairs = pair_count(searcher.reader(), tuple(PAIR_FIELDS.values()))
        return respell(parsed, self._vocabulary_of(searcher), pairs)

    def _index_arrays(self, searcher: Searcher) -> IndexArrays:
        """This index generation's arrays, shared by all threads."""
        with self._arrays_lock:
            if self._arrays is None or self._arrays.generation != searcher.reader().generation():
                self._arrays = IndexArrays(searcher, pair_fields=PAIR_FIELDS)
            return self._arrays

    def generation(self) -> str:
        return str(self._searcher().reader().generation())

    def document_count(self) -> int:
        return self._searcher().doc_count()

    # -- filters -------------------------------------------------------------------------

    def _district_filter(self, searcher: Searcher, names: tuple[str, ...]) -> wq.Query | None:
        if not names:
            return None
        present = [t.decode("utf-8") for t in searcher.lexicon(DISTRICT_FACET)]
        wanted: list[str] = []
        for name in names:
            found = match_filter(name, present)
            if not found and not match_filter(name, _known_districts()):
                raise SearchError(f"Không biết quận/huyện '{name}'. Hãy dùng tên như 'Hai Bà Trưng' hoặc 'Quận Hai Bà Trưng'.")
            wanted.extend(found)
        return _terms(DISTRICT_FACET, wanted)

    @staticmethod
    def _province_filter(names: tuple[str, ...]) -> wq.Query | None:
        """Current provinces; a former one (``Vĩnh Phúc``) means the one it is part of now (Phú Thọ)."""
        if not names:
            return None
        wanted: list[str] = []
        for name in names:
            found = provinces_named(name)
            if not found:
                raise SearchError(f"Không biết tỉnh/thành phố '{name}'. Hãy dùng tên như 'Hà Nội' hoặc 'Tỉnh Thanh Hóa'.")
            wanted.extend(found)
        return _terms(PROVINCE_FACET, wanted)

    @staticmethod
    def _ward_filter(names: tuple[str, ...]) -> wq.Query | None:
        """Current units, matched through the mapping: an article about a former ward they were formed from counts."""
        if not names:
            return None
        wanted: list[str] = []
        for name in names:
            found = wards_named(name)
            if not found:
                raise SearchError(
                    f"Không biết phường/xã '{name}'. Hãy dùng tên như 'Phường Hồng Hà' hoặc 'Hồng Hà, Hà Nội'."
                )
            wanted.extend(map(ward_label, found))
        return _terms(WARD_LINKS, wanted)

    @staticmethod
    def _date_filter(request: SearchRequest) -> wq.Query | None:
        if request.date_from is None and request.date_to is None:
            return None
        start = dt.datetime.combine(request.date_from, dt.time.min) if request.date_from else None
        end = dt.datetime.combine(request.date_to, dt.time.max) if request.date_to else None
        return wq.DateRange("date", start, end)

    # -- search --------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResults:
        started = time.perf_counter()
        searcher = self._searcher()
        parsed = self._parse(searcher, request.q, request.verbatim)
        if parsed.unsearchable:
            return SearchResults(request, 0, _elapsed(started), [], [], notice=NOTHING_TO_SEARCH)
        plan = QueryBuilder(exact=request.exact).plan(parsed)
        by_date = request.sort == "date" or parsed.is_empty
        date_filter = self._date_filter(request)
        place_filters = {
            DISTRICT_FACET: self._district_filter(searcher, request.districts),
            PROVINCE_FACET: self._province_filter(request.provinces),
            WARD_FACET: self._ward_filter(request.wards),
        }
        arrays = self._index_arrays(searcher)
        dated = arrays.matching(searcher, date_filter)
        place_masks = {field: arrays.matching(searcher, query) for field, query in place_filters.items()}
        filters = [m for m in (dated, *place_masks.values()) if m is not None]
        allowed = np.logical_and.reduce(filters) if filters else None
        wanted = request.page * request.size
        partial = False
        found = arrays.evaluate(searcher, plan.required)
        matches = found.filtered(allowed)
        if not matches.total and plan.partial is not None:
            fallback = arrays.evaluate(searcher, plan.partial)
            if fallback.filtered(allowed).total:
                found, matches, partial = fallback, fallback.filtered(allowed), True

        def counts(field: str) -> dict[str, int]:
            """A facet's counts: of the matches with every filter but its own."""
            if place_masks[field] is None:
                return arrays.keyword_counts(searcher, field, matches.mask)
            others = [m for f, m in place_masks.items() if f != field and m is not None]
            kept = [m for m in (dated, *others) if m is not None]
            return arrays.keyword_counts(searcher, field, found.filtered(np.logical_and.reduce(kept) if kept else None).mask)

        start = (request.page - 1) * request.size
        if by_date:  # ranked by date: each hit still gets its relevance score
            ranked = matches.ordered(_newest_first(arrays, searcher), wanted)
            page_docs = [docnum for _, docnum in ranked[start:wanted]]
            phase_one = [(float(matches.scores[d]), d) for d in page_docs]
            scored = {d: s for s, d in rescore(searcher, phase_one, plan.layout)}
            page = [(scored[d], d) for d in page_docs]
        else:
            tiers = phrase_tiers(arrays, searcher, plan.layout)
            ranked = preselect(matches, tiers, max(wanted, RESCORE_WINDOW))
            ranked = rescore(searcher, ranked[:RESCORE_WINDOW], plan.layout, tiers) + ranked[RESCORE_WINDOW:]
            page = ranked[start:wanted]
        hits = [self._hit(searcher.stored_fields(docnum), score, plan.marker) for score, docnum in page]
        suggestion = None
        if matches.total and not partial:
            suggestion = self._suggestion(searcher, arrays, request.q, parsed, ranked, matches.mask)
        return SearchResults(
            request=request,
            total=matches.total,
            took_ms=_elapsed(started),
            hits=hits,
            districts=_facet(counts(DISTRICT_FACET), _district_province),
            provinces=_facet(counts(PROVINCE_FACET)),
            wards=_facet(counts(WARD_FACET), _ward_province),
            suggestion=suggestion,
            partial=partial,
            readings=parsed.readings if matches.total else (),
            read_as=read_as(request.q, parsed.readings) if matches.total and parsed.readings else None,
        )

    @staticmethod
    def _hit(stored: dict, score: float | None, marker: Marker) -> Hit:
        return Hit(
            id=stored["id"],
            title=stored["title"],
            date=_date(stored.get("date")),
            districts=_keywords(stored, DISTRICT_FACET),
            provinces=_keywords(stored, PROVINCE_FACET),
            wards=_wards(stored),
            url=stored.get("url"),
            score=round(score or 0.0, 4),
            snippet=snippet(stored["body"], marker),
            title_html=highlight(stored["title"], marker)[0],
        )

    def _suggestion(
        self,
        searcher: Searcher,
        arrays: IndexArrays,
        q: str,
        parsed: ParsedQuery,
        ranked: list[tuple[float, int]],
        found: np.ndarray,
    ) -> str | None:
        """The query as the corpus writes it, for plain queries of whole words."""
        if not parsed.plain or parsed.is_empty or is_fragment(q):
            return None
        texts = []
        for n, (_, docnum) in enumerate(ranked[:SUGGESTION_TITLES]):
            stored = searcher.stored_fields(docnum)
            texts.append(stored["title"])
            if n < SUGGESTION_BODIES:
                texts.append(stored["body"])
        return suggest(parsed.positive_words(), self._vocabulary_of(searcher), searcher, arrays, found, texts)

    def hits_around(self, request: SearchRequest, rank: int) -> dict[int, Hit]:
        """The hits ranked ``rank - 1``, ``rank`` and ``rank + 1`` (1-based) by ``request``, keyed by rank, from
        the pages of ``request.size`` that show them: an article opened from a search links to its neighbours."""
        ranks = [n for n in (rank - 1, rank, rank + 1) if n >= 1]
        found: dict[int, Hit] = {}
        for page in sorted({(n - 1) // request.size + 1 for n in ranks}):
            if page <= MAX_PAGE:
                hits = self.search(dataclasses.replace(request, page=page)).hits
                found.update((n, hit) for n, hit in enumerate(hits, start=(page - 1) * request.size + 1) if n in ranks)
        return found

    # -- one document --------------------------------------------------------------------

    def document(self, doc_id: str, q: str = "", exact: bool = False, verbatim: bool = False) -> DocumentView | None:
        """The article with id ``doc_id`` (looked up in the index only), its matches of ``q`` marked."""
        searcher = self._searcher()
        stored = searcher.document(id=doc_id)
        if stored is None:
            return None
        marker = QueryBuilder(exact=exact).plan(self._parse(searcher, q, verbatim)).marker
        body_html, matches = highlight(stored["body"], marker)
        title_html, title_matches = highlight(stored["title"], marker)
        return DocumentView(
            id=stored["id"],
            title=stored["title"],
            date=_date(stored.get("date")),
            districts=_keywords(stored, DISTRICT_FACET),
            provinces=_keywords(stored, PROVINCE_FACET),
            wards=_wards(stored),
            url=stored.get("url"),
            author=stored.get("author"),
            body=stored["body"],
            body_html=body_html,
            title_html=title_html,
            matches=matches + title_matches,
        )
