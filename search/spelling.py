"""What a query word meant when the corpus does not have it as typed.

Checked against the index's own vocabulary, in this order: the word as typed;
Telex or VNI typed with the input method off (``Haf`` → ``hà``), kept only when
the decoded syllable exists; a typo, corrected to the corpus's syllables one
edit away (words of four letters or more), which then match below exact ones.
"""

from __future__ import annotations

import string
from dataclasses import replace

from whoosh.reading import IndexReader

from search.query import Either, ParsedQuery, Part, Phrase, Run
from vietnamese.analysis import QueryWord
from vietnamese.text import fold_word
from vietnamese.typing import decode_telex, decode_vni

TEXT_FIELDS = ("title", "body")
MIN_TYPO_LENGTH = 4
MAX_CORRECTIONS = 3
_LETTERS = string.ascii_lowercase + string.digits


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

    def corrections(self, folded: str) -> tuple[str, ...]:
        """The most frequent folded corpus terms one edit (incl. a swap of neighbours) away from ``folded``."""
        if len(folded) < MIN_TYPO_LENGTH or not folded.isascii():
            return ()
        splits = [(folded[:i], folded[i:]) for i in range(len(folded) + 1)]
        edits = {a + b[1:] for a, b in splits if b}
        edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
        edits |= {a + c + b for a, b in splits for c in _LETTERS}
        edits.discard(folded)
        found = [e for e in edits if e in self.frequency]
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


def respell(parsed: ParsedQuery, vocabulary: Vocabulary) -> ParsedQuery:
    """``parsed`` with each word it requires read as the person meant it; exclusions stay as typed."""

    def part(p: Part) -> Part:
        if isinstance(p, Either):
            return Either(tuple(part(sub) for sub in p.parts))
        return type(p)(tuple(respell_word(w, vocabulary) for w in p.words))

    return replace(parsed, required=tuple(part(p) for p in parsed.required))
