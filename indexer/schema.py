"""The index's fields: what the indexer writes and the search side reads."""

from __future__ import annotations

import struct

import numpy as np
from whoosh.columns import BitColumn, FixedBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.system import pack_uint

from compat.internals import INT_SIZE
from vietnamese.analysis import compound_analyzer, pair_analyzer, syllable_analyzer

# Bump when the schema, the analysis chain or what the reading of a file gives changes: an index
# of another version is rebuilt from scratch instead of being mixed with new documents (a file
# already indexed is otherwise never read again until it changes).
SCHEMA_VERSION = 9
DIGEST_BYTES = 32
# Each phrase field's twin that holds its consecutive syllable pairs, folded, one term each
# (``mat_tran``): a two-syllable phrase is one term lookup, a longer one reads positions only
# where all its pairs are; a passage's rare pairs rank the article it comes from.
PAIR_FIELDS = {"title": "title_pairs", "body": "body_pairs"}


class PackedPositions(Positions):
    """Whoosh's positions, stored as little-endian uint32 after its frequency header.

    Whoosh pickles each posting's position list: a phrase over common words then
    costs one ``pickle.loads`` per candidate article. Packed, the positions of a
    whole posting list decode with one ``numpy.frombuffer`` (:func:`unpack_positions`).
    """

    def encode(self, poslist):
        return pack_uint(len(poslist)) + struct.pack(f"<{len(poslist)}I", *poslist)

    def decode_positions(self, valuestring):
        return list(struct.unpack_from(f"<{(len(valuestring) - INT_SIZE) // 4}I", valuestring, INT_SIZE))


def unpack_positions(sizes: np.ndarray, values: bytes) -> tuple[np.ndarray, np.ndarray]:
    """How many positions each of several :class:`PackedPositions` values holds, and all of them in order,
    from the values' byte sizes and the values end to end."""
    words = np.frombuffer(values, dtype="<u4")
    sizes = sizes // 4
    keep = np.ones(len(words), dtype=bool)
    keep[np.cumsum(sizes) - sizes] = False  # each value's frequency header
    return sizes - 1, words[keep].astype(np.int64)


class PositionalText(TEXT):
    """A text field whose positions are :class:`PackedPositions`."""

    def __init__(self, analyzer, stored: bool = False):
        super().__init__(analyzer=analyzer, stored=stored, phrase=True)
        self.format = PackedPositions(field_boost=self.format.field_boost)


def make_schema() -> Schema:
    return Schema(
        # id, source and digest are also columns: an incremental run reads them for every
        # document, and a column reads without unpickling each document's stored text.
        id=ID(stored=True, unique=True, sortable=True),
        title=PositionalText(syllable_analyzer(), stored=True),
        body=PositionalText(syllable_analyzer(), stored=True),
        # pyvi compounds of title and body: ranking only, never shown.
        words=TEXT(analyzer=compound_analyzer(), phrase=False),
        **{pairs: TEXT(analyzer=pair_analyzer(), phrase=False) for pairs in PAIR_FIELDS.values()},
        date=DATETIME(stored=True, sortable=True),
        # Places (indexer/districts.py): pre-2025 district labels, current provinces and unit labels,
        # and, for the ward filter only, the current units the article's units are or became part of.
        districts=KEYWORD(stored=True, commas=True, scorable=False),
        provinces=KEYWORD(stored=True, commas=True, scorable=False),
        wards=KEYWORD(stored=True, commas=True, scorable=False),
        ward_links=KEYWORD(commas=True, scorable=False),
        url=STORED(),
        author=STORED(),
        # Which file the document came from, and that file's SHA-256 (raw bytes), for incremental runs.
        source=ID(stored=True, sortable=True),
        digest=COLUMN(FixedBytesColumn(DIGEST_BYTES)),
        # The file also had problems (a broken line, an id used by another file): a run that
        # finds it unchanged reads it again, to report them again.
        flawed=COLUMN(BitColumn()),
    )

# The index's name inside its directory carries the schema version, so an index
# written by another version is simply not found and gets rebuilt.
INDEX_PREFIX = "vnsearch-v"
INDEX_NAME = f"{INDEX_PREFIX}{SCHEMA_VERSION}"
