"""The index's fields: what the indexer writes and the search side reads."""

from __future__ import annotations

from whoosh.columns import BitColumn, FixedBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from vietnamese.analysis import compound_analyzer, pair_analyzer, syllable_analyzer

# Bump when the schema or the analysis chain changes: an index of another
# version is rebuilt from scratch instead of being mixed with new documents.
SCHEMA_VERSION = 4
DIGEST_BYTES = 32


def make_schema() -> Schema:
    return Schema(
        # id, source and digest are also columns: an incremental run reads them for every
        # document, and a column reads without unpickling each document's stored text.
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(analyzer=syllable_analyzer(), stored=True, phrase=True),
        body=TEXT(analyzer=syllable_analyzer(), stored=True, phrase=True),
        # pyvi compounds of title and body: ranking only, never shown.
        words=TEXT(analyzer=compound_analyzer(), phrase=False),
        # Consecutive syllable pairs of title and body (folded): ranking only.
        pairs=TEXT(analyzer=pair_analyzer(), phrase=False),
        date=DATETIME(stored=True, sortable=True),
        districts=KEYWORD(stored=True, commas=True, scorable=False),
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
INDEX_NAME = f"vnsearch-v{SCHEMA_VERSION}"
