"""Every private internal of Whoosh-Reloaded and pyvi that vnsearch relies on, in one place.

vnsearch reads Whoosh's files faster than Whoosh's public interface allows (posting lists,
columns and field lengths as arrays), writes its own posting format through Whoosh's
codec, guards Whoosh's multi-process writer, and tags with pyvi's CRF model directly.
None of that is a promise either library makes, so pyproject.toml pins the versions
tested, the rest of the code reaches those internals only through the functions here,
and this module checks when it is imported (pyvi's: when pyvi is first loaded) that
each one is still there: a changed library fails at once with :class:`IncompatibleDependency`
naming what is missing, not with an AttributeError in the middle of a search.

The hooks vnsearch overrides in Whoosh's writers (``_commit_toc``, ``_new_task``,
``_process_file``, ``_finalize_segment``) are in :data:`WHOOSH_NEEDS` too.
"""

from __future__ import annotations

import inspect
import re
from functools import lru_cache
from importlib import import_module, metadata

import numpy as np

TESTED = {"whoosh-reloaded": "2.7.5", "pyvi": "0.1.1"}

# (module, class path or "", attribute): class attributes and methods are looked up; an attribute
# that instances get in __init__ is looked for as an assignment in the class's source.
WHOOSH_NEEDS: tuple[tuple[str, str, str], ...] = (
    ("whoosh.codec.whoosh3", "", "_lenfield"),
    ("whoosh.codec.whoosh3", "", "LENGTHS_COLUMN"),
    ("whoosh.codec.whoosh3", "W3FieldWriter", "_postfile"),
    ("whoosh.codec.whoosh3", "W3FieldWriter", "_tindex"),
    ("whoosh.codec.whoosh3", "W3FieldWriter", "_fieldid"),
    ("whoosh.codec.whoosh3", "W3TermInfo", "_minlength"),
    ("whoosh.codec.whoosh3", "W3TermInfo", "_maxlength"),
    ("whoosh.columns", "NumericColumn.Reader", "_dbfile"),
    ("whoosh.columns", "NumericColumn.Reader", "_basepos"),
    ("whoosh.columns", "NumericColumn.Reader", "_count"),
    ("whoosh.columns", "NumericColumn.Reader", "_fixedlen"),
    ("whoosh.columns", "NumericColumn.Reader", "_typecode"),
    ("whoosh.columns", "NumericColumn.Reader", "_default"),
    ("whoosh.index", "FileIndex", "_read_toc"),
    ("whoosh.index", "TOC", "write"),  # given indexer/integrity.py's sealing storage (create_file, rename_file)
    ("whoosh.index", "", "clean_files"),
    ("whoosh.reading", "SegmentReader", "_perdoc"),
    ("whoosh.reading", "SegmentReader", "deleted_docs_set"),
    ("whoosh.query", "Or", "_matcher"),
    ("whoosh.query", "And", "_matcher"),
    ("whoosh.scoring", "BM25F", "_field_B"),
    ("whoosh.system", "", "_INT_SIZE"),
    ("whoosh.writing", "SegmentWriter", "_tempstorage"),
    ("whoosh.writing", "SegmentWriter", "_finalize_segment"),
    ("whoosh.writing", "SegmentWriter", "_commit_toc"),
    ("whoosh.multiproc", "MpWriter", "_new_task"),
    ("whoosh.multiproc", "MpWriter", "tasks"),
    ("whoosh.multiproc", "MpWriter", "subargs"),
    ("whoosh.multiproc", "MpWriter", "multisegment"),
    ("whoosh.multiproc", "MpWriter", "jobqueue"),
    ("whoosh.multiproc", "MpWriter", "resultqueue"),
    ("whoosh.multiproc", "SubWriterTask", "_process_file"),
    ("whoosh.multiproc", "SubWriterTask", "storage"),
    ("whoosh.multiproc", "SubWriterTask", "indexname"),
    ("whoosh.multiproc", "SubWriterTask", "kwargs"),
)
PYVI_NEEDS: tuple[tuple[str, str, str], ...] = (
    ("pyvi.ViTokenizer", "ViTokenizer", "model"),
    ("pyvi.ViTokenizer", "ViTokenizer", "bi_grams"),
    ("pyvi.ViTokenizer", "ViTokenizer", "tri_grams"),
    ("pyvi.ViTokenizer", "ViTokenizer", "sylabelize"),
)


class IncompatibleDependency(ImportError):
    """An installed Whoosh-Reloaded or pyvi lacks an internal vnsearch relies on."""


def _installed(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


@lru_cache(maxsize=None)
def _source(module: str) -> str:
    try:
        return inspect.getsource(import_module(module))
    except (OSError, TypeError):  # source not shipped
        return ""


def _assigned_in_source(cls: type, name: str) -> bool:
    """Whether ``cls`` or a class it inherits from sets ``self.<name>`` (found in its module's source)."""
    pattern = re.compile(rf"\bself\.{re.escape(name)}\s*(=|,[^=\n]*=)")
    return any(pattern.search(_source(klass.__module__)) for klass in cls.__mro__ if klass.__module__ != "builtins")


def _has(module: str, owner: str, name: str) -> bool:
    try:
        found: object = import_module(module)
    except ImportError:
        return False
    for part in filter(None, owner.split(".")):
        found = getattr(found, part, None)
        if found is None:
            return False
    return hasattr(found, name) or (isinstance(found, type) and _assigned_in_source(found, name))


def check(distribution: str, needs: tuple[tuple[str, str, str], ...]) -> None:
    """Raise :class:`IncompatibleDependency` naming every internal of ``needs`` that is missing."""
    missing = [".".join(filter(None, (m, o, n))) for m, o, n in needs if not _has(m, o, n)]
    if missing:
        tested = TESTED[distribution]
        raise IncompatibleDependency(
            f"vnsearch needs {distribution} {tested}, the version it was tested with; the installed one "
            f"({_installed(distribution)}) lacks {', '.join(missing)}. "
            f"Install the tested version: pip install '{distribution}=={tested}'."
        )


check("whoosh-reloaded", WHOOSH_NEEDS)

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield  # noqa: E402  (checked just above)
from whoosh.columns import NumericColumn  # noqa: E402
from whoosh.system import _INT_SIZE, pack_ushort  # noqa: E402

INT_SIZE = _INT_SIZE  # bytes of Whoosh's packed unsigned int


# -- reading ---------------------------------------------------------------------------------


def deleted_docnums(segment) -> frozenset[int]:
    """The deleted documents of one segment reader (segment-local docnums)."""
    return segment.deleted_docs_set


def length_column(segment, fieldname: str):
    """The column reader of a field's per-document lengths in one segment, or None when it has none."""
    perdoc = segment._perdoc
    lenfield = _lenfield(fieldname)
    return perdoc.column_reader(lenfield, LENGTHS_COLUMN) if perdoc.has_column(lenfield) else None


def numeric_column(creader, doccount: int) -> np.ndarray:
    """A column's values as uint64, read in one piece when Whoosh stores them as fixed-size numbers."""
    if isinstance(creader, NumericColumn.Reader):
        raw = creader._dbfile.get(creader._basepos, creader._count * creader._fixedlen)
        values = np.frombuffer(raw, dtype=np.dtype(">" + creader._typecode)).astype(np.uint64)
        if len(values) < doccount:  # Whoosh leaves trailing defaults unwritten
            values = np.concatenate([values, np.full(doccount - len(values), creader._default, dtype=np.uint64)])
        return values
    return np.fromiter((creader[d] for d in range(doccount)), dtype=np.uint64, count=doccount)


def is_plain(q, kind: type) -> bool:
    """``q`` is a ``kind`` (Whoosh's Or or And) or a subclass that matches as it does."""
    return isinstance(q, kind) and type(q)._matcher is kind._matcher


def field_b(weighting, fieldname: str) -> float:
    """BM25F's length normalisation for one field (its per-field B, else the default)."""
    return weighting._field_B.get(fieldname, weighting.B)


# -- writing ---------------------------------------------------------------------------------


def read_toc(ix):
    """A file index's table of contents (its schema, segments and generation), read afresh."""
    return ix._read_toc()


def postings_file(field_writer):
    """The postings file a W3 field writer writes to."""
    return field_writer._postfile


def add_term(field_writer, btext: bytes, terminfo) -> None:
    """Record a term of the field being written, with its term info, in the W3 term index."""
    field_writer._tindex.add(pack_ushort(field_writer._fieldid) + btext, terminfo.to_bytes())


def set_length_bounds(terminfo, shortest: int | None, longest: int) -> None:
    """The shortest and longest field length among a term's documents, kept for Whoosh's skipping."""
    terminfo._minlength, terminfo._maxlength = shortest, longest


def temp_storage(writer):
    """A segment writer's storage for temporary files (where its posting pool spills)."""
    return writer._tempstorage


def finalize_segment(writer):
    """Write a segment writer's files and return its segment, without committing it."""
    return writer._finalize_segment()


# -- pyvi ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def pyvi_tokenizer():
    """pyvi's ViTokenizer class, checked (loading it loads pyvi's CRF model: only where it is used)."""
    check("pyvi", PYVI_NEEDS)
    from pyvi.ViTokenizer import ViTokenizer

    if not hasattr(ViTokenizer.model, "tagger_"):
        raise IncompatibleDependency(
            f"vnsearch needs pyvi {TESTED['pyvi']}, the version it was tested with; the installed one "
            f"({_installed('pyvi')}) has a model without 'tagger_'. Install the tested version: pip install 'pyvi=={TESTED['pyvi']}'."
        )
    _forget_model_file(ViTokenizer.model)
    return ViTokenizer


def _forget_model_file(model) -> None:
    """Delete the temporary file sklearn-crfsuite unpickled pyvi's model into, once crfsuite has read it.

    sklearn-crfsuite deletes it only when the model object is collected: never, for pyvi's class
    attribute, in a process that is killed or leaves by ``os._exit`` (worker processes do), so each
    such process left 640 KB in the temporary folder, which filled up over a server's restarts."""
    modelfile = getattr(model, "modelfile", None)
    if modelfile is None or getattr(modelfile, "name", None) is None:
        return
    model.tagger_  # opens the file (crfsuite reads the model into memory), so it may go
    modelfile.cleanup()


def crf_tag(attributes: list[list[str]]) -> list[str]:
    """pyvi's CRF model's labels for each syllable's crfsuite attributes."""
    return pyvi_tokenizer().model.tagger_.tag(attributes)
