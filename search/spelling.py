"""What a query word meant when the corpus does not have it as typed.

Checked against the index's own vocabulary, in this order: the word as typed;
Telex or VNI typed with the input method off (``Haf`` → ``hà``), kept only when
the decoded syllable exists; a typo, corrected to the corpus's syllables one
edit away (words of four letters or more), which then match below exact ones.

A typo often makes another real syllable (``mang`` → ``nang``). Such a word is
read as a possible typo too when a correction fits more of its neighbours in
the query than it does (some article has the pair): the context a spelling
checker uses, with the corpus as its language model.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import replace

from whoosh.reading import IndexReader

from search.query import Either, ParsedQuery, Part, Phrase, Run
from vietnamese.analysis import QueryWord, compound
from vietnamese.text import fold_word
from vietnamese.typing import decode_telex, decode_vni

TEXT_FIELDS = ("title", "body")
MIN_TYPO_LENGTH = 4
MAX_CORRECTIONS = 3
_LETTERS = string.ascii_lowercase + string.digits
MIN_CONTEXT_WORDS = 3

# Whether some article has these two folded syllables one after the other.
PairCheck = Callable[[str, str], bool]


def pair_check(reader: IndexReader, field: str) -> PairCheck:
    """A :data:`PairCheck` over an index field of consecutive folded syllable pairs."""
    return lambda first, second: reader.doc_frequency(field, compound([first, second])) > 0


class Vocabulary:
    """Every term of the text fields (canonical and folded spellings) with its document frequency."""

    def __init__(self, reader: IndexReader):
        self.frequency: dict[str, int] = {}
        for field in TEXT_FIELDS:
            for term, info in reader.iter_field(field):
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                self.frequency[text] = self.frequency.get(text, 0) + info.doc_frequency()

    def __contains__(self, term: str) -> bool:
        return term in self.frequency

    def corrections(self, folded: str, accept: Callable[[str], bool] = lambda _: True) -> tuple[str, ...]:
        """The most frequent folded corpus terms one edit (incl. a swap of neighbours) away from ``folded``
        that ``accept`` accepts."""
        if len(folded) < MIN_TYPO_LENGTH or not folded.isascii():
            return ()
        splits = [(folded[:i], folded[i:]) for i in range(len(folded) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
        edits |= {a + c + b for a, b in splits for c in _LETTERS}
        edits.discard(folded)
        found = [e for e in edits if e in self.frequency and accept(e)]
        found.sort(key=lambda e: (-self.frequency[e], e))
        return tuple(found[:MAX_CORRECTIONS])


def _decoded(word: QueryWord, vocabulary: Vocabulary) -> str | None:
    """The corpus syllable that ``word`` types in Telex or VNI, if any."""
    for decode in (decode_telex, decode_vni):
        decoded = decode(word.typed)
        if decoded and decoded != word.exact and decoded in vocabulary:
            return decoded
    return None


def respell_word(word: QueryWord, vocabulary: Vocabulary) -> QueryWord:
    decoded = _decoded(word, vocabulary)
    if word.exact in vocabulary:
        # Telex keys make no Vietnamese syllable, so a word that has them and is in the
        # corpus is a foreign one ("sex", "its", "ddos"); it may still be Telex for "sẽ", "ít", "đó".
        return replace(word, alternatives=(decoded,)) if decoded else word
    if decoded:
        return QueryWord(word.typed, decoded, fold_word(decoded))
    if word.folded in vocabulary:
        return word
    return replace(word, alternatives=vocabulary.corrections(word.folded))


def _in_context(words: tuple[QueryWord, ...], vocabulary: Vocabulary, has_pair: PairCheck) -> tuple[QueryWord, ...]:
    """``words`` with corrections for each corpus word that fits fewer of its neighbours than a correction does."""
    if len(words) < MIN_CONTEXT_WORDS:
        return words
    fitted = list(words)
    for i, word in enumerate(words):
        if word.alternatives or word.exact not in vocabulary:  # already read as Telex or a typo
            continue
        before = words[i - 1].folded if i > 0 else None
        after = words[i + 1].folded if i + 1 < len(words) else None

        def fit(folded: str) -> int:
            return (before is not None and has_pair(before, folded)) + (after is not None and has_pair(folded, after))

        typed = fit(word.folded)
        if typed == (before is not None) + (after is not None):
            continue
        corrections = vocabulary.corrections(word.folded, accept=lambda c: fit(c) > typed)
        if corrections:
            fitted[i] = replace(word, alternatives=corrections)
    return tuple(fitted)


def respell(parsed: ParsedQuery, vocabulary: Vocabulary, has_pair: PairCheck) -> ParsedQuery:
    """``parsed`` with each word it requires read as the person meant it; exclusions stay as typed."""

    def part(p: Part) -> Part:
        if isinstance(p, Either):
            return Either(tuple(part(sub) for sub in p.parts))
        words = tuple(respell_word(w, vocabulary) for w in p.words)
        return type(p)(_in_context(words, vocabulary, has_pair))

    return replace(parsed, required=tuple(part(p) for p in parsed.required))
