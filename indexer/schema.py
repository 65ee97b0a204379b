"""The index's fields: what the indexer writes and the search side reads."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from vietnamese.analysis import compound_analyzer, syllable_analyzer

# Bump when the schema or the analysis chain changes: an index of another
# version is rebuilt from scratch instead of being mixed with new documents.
SCHEMA_VERSION = 1


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=syllable_analyzer(), stored=True, phrase=True),
        body=TEXT(analyzer=syllable_analyzer(), stored=True, phrase=True),
        # pyvi compounds of title and body: ranking only, never shown.
        words=TEXT(analyzer=compound_analyzer(), phrase=False),
        date=DATETIME(stored=True, sortable=True),
        districts=KEYWORD(stored=True, commas=True, scorable=False),
        url=STORED(),
        author=STORED(),
        # Which file the document came from, and that file's content hash, for incremental runs.
        source=ID(stored=True),
        digest=STORED(),
    )

# The index's name inside its directory carries the schema version, so an index
# written by another version is simply not found and gets rebuilt.
INDEX_NAME = f"vnsearch-v{SCHEMA_VERSION}"
