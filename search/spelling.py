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
from collections.abc import Callable, Sequence
from dataclasses import replace

from whoosh.reading import IndexReader

from search.query import Either, ParsedQuery, Part
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


def pair_check(reader: IndexReader, fields: Sequence[str]) -> PairCheck:
    """A :data:`PairCheck` over index fields of consecutive folded syllable pairs."""
    return lambda first, second: any(reader.doc_frequency(f, compound([first, second])) > 0 for f in fields)


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

    def corrections(
        self, folded: str, accept: Callable[[str], bool] = lambda _: True, rank: Callable[[str], int] = lambda _: 0
    ) -> tuple[str, ...]:
        """Folded corpus terms one edit (incl. a swap of neighbours) away from ``folded`` that ``accept``
        accepts, highest ``rank`` first, then most frequent. The longer of the two has four letters or
        more (``ong`` → ``vong``): shorter syllables are too alike for one edit to tell which was meant."""
        if len(folded) < MIN_TYPO_LENGTH - 1 or not folded.isascii():
            return ()
        splits = [(folded[:i], folded[i:]) for i in range(len(folded) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
        edits |= {a + c + b for a, b in splits for c in _LETTERS}
        edits.discard(folded)
        long_enough = len(folded) >= MIN_TYPO_LENGTH
        found = [e for e in edits if (long_enough or len(e) >= MIN_TYPO_LENGTH) and e in self.frequency and accept(e)]
        found.sort(key=lambda e: (-rank(e), -self.frequency[e], e))
        return tuple(found[:MAX_CORRECTIONS])


def _decoded(word: QueryWord, vocabulary: Vocabulary) -> str | None:
    """The corpus syllable that ``word`` types in Telex or VNI, if any."""
    for decode in (decode_telex, decode_vni):
        decoded = decode(word.typed)
        if decoded and decoded != word.exact and decoded in vocabulary:
            return decoded
    return None


def _as_typed(word: QueryWord, vocabulary: Vocabulary) -> QueryWord:
    """The word as typed, or the corpus syllable it types in Telex or VNI."""
    decoded = _decoded(word, vocabulary)
    if word.exact in vocabulary:
        # Telex keys make no Vietnamese syllable, so a word that has them and is in the
        # corpus is a foreign one ("sex", "its", "ddos"); it may still be Telex for "sẽ", "ít", "đó".
        return replace(word, alternatives=(decoded,)) if decoded else word
    if decoded:
        return QueryWord(word.typed, decoded, fold_word(decoded))
    return word


def _fit(words: Sequence[QueryWord], i: int, has_pair: PairCheck) -> tuple[Callable[[str], int], int]:
    """How many neighbours of word ``i`` a folded syllable in its place would follow or precede in some
    article, and how many neighbours there are."""
    before = words[i - 1].folded if i > 0 else None
    after = words[i + 1].folded if i + 1 < len(words) else None

    def fit(folded: str) -> int:
        return (before is not None and has_pair(before, folded)) + (after is not None and has_pair(folded, after))

    return fit, (before is not None) + (after is not None)


def _corrected(word: QueryWord, vocabulary: Vocabulary, fit: Callable[[str], int], sides: int) -> QueryWord:
    """A word the corpus lacks, with the corrections that fit its neighbours best; a corpus word that
    fits them less well than a correction does, with those corrections."""
    if word.alternatives:  # read as Telex already
        return word
    if word.folded not in vocabulary:
        return replace(word, alternatives=vocabulary.corrections(word.folded, rank=fit))
    if sides == 0:
        return word
    typed = fit(word.folded)
    if typed == sides:
        return word
    corrections = vocabulary.corrections(word.folded, accept=lambda c: fit(c) > typed)
    return replace(word, alternatives=corrections) if corrections else word


def respell(parsed: ParsedQuery, vocabulary: Vocabulary, has_pair: PairCheck) -> ParsedQuery:
    """``parsed`` with each word it requires read as the person meant it; exclusions stay as typed."""

    def part(p: Part) -> Part:
        if isinstance(p, Either):
            return Either(tuple(part(sub) for sub in p.parts))
        words = [_as_typed(w, vocabulary) for w in p.words]
        context = len(words) >= MIN_CONTEXT_WORDS
        corrected = []
        for i, word in enumerate(words):
            fit, sides = _fit(words, i, has_pair) if context else ((lambda _: 0), 0)
            corrected.append(_corrected(word, vocabulary, fit, sides))
        return type(p)(tuple(corrected))

    return replace(parsed, required=tuple(part(p) for p in parsed.required))
