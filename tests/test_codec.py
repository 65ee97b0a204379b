"""Posting lists gathered per term and stored as arrays read back exactly as Whoosh's own
pool and codec give them.

The same documents are indexed with Whoosh's writer and W3 codec, and with TermPoolWriter
(PackedCodec), once in memory and once with a memory limit so small that the pool spills
runs of terms to disk; every term must then give the same postings (docnums, weights,
values), the same term statistics and the same answers to Whoosh's matcher calls, and the
array readers the same values. Posting lists longer than W3's blocks of 128 are exercised,
as are positions, frequencies and fields without either.
"""

from __future__ import annotations

import tempfile

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.qparser import QueryParser

from indexer.pool import TermPoolWriter
from indexer.schema import PositionalText, unpack_positions
from search.vectorized import positions_of

WORDS = ["ha", "noi", "mat", "tran", "to", "quoc", "quan", "hai", "ba", "trung"]


def _schema() -> Schema:
    return Schema(
        id=ID(stored=True),
        body=PositionalText(analyzer=TEXT().analyzer),  # packed positions
        words=TEXT(phrase=False),  # frequencies, a fixed-size value
        tags=KEYWORD(scorable=False),  # no value at all
    )


def _build(directory: str, writer_of, documents: list[list[str]]) -> index.Index:
    ix = index.create_in(directory, _schema())
    with writer_of(ix) as writer:
        for n, words in enumerate(documents):
            text = " ".join(words)
            writer.add_document(id=str(n), body=text, words=text, tags=" ".join(sorted(set(words))[:2]))
    return ix


def _postings(matcher) -> list[tuple]:
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return found


def _whoosh(ix):
    return ix.writer(codec=W3Codec(), limitmb=16)


def _packed(ix):
    return TermPoolWriter(ix, limitmb=16)


def _spilling(ix):
    return TermPoolWriter(ix, limitmb=0.002)  # a run of terms to disk every 2 KB of postings


documents = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), min_size=1, max_size=300)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    documents=documents,
    targets=st.lists(st.integers(0, 320), max_size=5),
    writer_of=st.sampled_from([_packed, _spilling]),
)
def test_packed_postings_read_as_whoosh_reads_its_own(documents: list[list[str]], targets: list[int], writer_of) -> None:
    with tempfile.TemporaryDirectory() as w3_dir, tempfile.TemporaryDirectory() as packed_dir:
        w3, packed = _build(w3_dir, _whoosh, documents), _build(packed_dir, writer_of, documents)
        with w3.reader() as expected, packed.reader() as actual:
            terms = list(expected.all_terms())
            assert list(actual.all_terms()) == terms
            for fieldname, btext in terms:
                want, have = expected.term_info(fieldname, btext), actual.term_info(fieldname, btext)
                stats = ("weight", "doc_frequency", "min_length", "max_length", "max_weight", "min_id", "max_id")
                assert [getattr(have, s)() for s in stats] == [getattr(want, s)() for s in stats]

                postings = _postings(expected.postings(fieldname, btext))
                assert _postings(actual.postings(fieldname, btext)) == postings

                leaf = actual.postings(fieldname, btext)
                assert leaf.docnums().tolist() == [p[0] for p in postings]
                assert leaf.weights().tolist() == [p[1] for p in postings]
                wanted = np.array(sorted({t % len(postings) for t in targets}), dtype=np.int64)
                sizes, joined = leaf.values_at(wanted)
                assert joined == b"".join(postings[i][2] or b"" for i in wanted)
                assert sizes.tolist() == [len(postings[i][2] or b"") for i in wanted]

                for target in targets:
                    a, b = expected.postings(fieldname, btext), actual.postings(fieldname, btext)
                    a.skip_to(target)
                    b.skip_to(target)
                    assert a.is_active() == b.is_active()
                    if a.is_active():
                        assert (b.id(), b.weight(), b.value()) == (a.id(), a.weight(), a.value())


def test_positions_of_many_documents_read_from_the_whole_list() -> None:
    """Positions of many documents (gathered from one read of the list) and of a few (a slice each) agree."""
    documents = [["ha", "noi"] * (1 + n % 3) + ["mat"] * (n % 2) for n in range(400)]
    with tempfile.TemporaryDirectory() as directory:
        ix = _build(directory, _packed, documents)
        with ix.reader() as reader:
            for wanted in (np.arange(0, 400, 3), np.arange(0, 400, 97)):  # one read of the list; a slice each
                docs, at = positions_of(reader.postings("body", b"noi"), wanted)
                expected = [(d, p) for d in wanted.tolist() for p in range(1, 2 * (1 + d % 3), 2)]
                assert list(zip(docs.tolist(), at.tolist())) == expected


def test_unpack_positions_splits_values_by_their_sizes() -> None:
    values = [PositionalText(analyzer=TEXT().analyzer).format.encode(p) for p in ([3], [0, 5, 9], [])]
    counts, positions = unpack_positions(np.array([len(v) for v in values]), b"".join(values))
    assert counts.tolist() == [1, 3, 0]
    assert positions.tolist() == [3, 0, 5, 9]


def test_whoosh_search_over_packed_postings_finds_phrases() -> None:
    documents = [["quan", "hai", "ba", "trung"], ["hai", "quan", "trung", "ba"], ["ba", "trung"] * 70]
    with tempfile.TemporaryDirectory() as directory:
        ix = _build(directory, _packed, documents)
        with ix.searcher() as searcher:
            found = searcher.search(QueryParser("body", ix.schema).parse('"ba trung"'), limit=None)
            assert sorted(hit["id"] for hit in found) == ["0", "2"]
