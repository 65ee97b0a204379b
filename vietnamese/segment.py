"""pyvi's word segmentation at indexing speed: pyvi's own syllables, features, model and joining
rule, with the features of a whole text built in one pass.

``ViTokenizer.tokenize`` builds each syllable's feature dict in a Python call with several dict
updates and string joins, then has python-crfsuite convert every dict: most of the time spent
indexing a corpus. The same features are built here as crfsuite's attribute strings, for the
whole text in one pass, and tagged by pyvi's own CRF model: four times faster, the same words
(``tests/test_segment.py`` checks them against pyvi's).
"""

from __future__ import annotations

import re
import string

from pyvi.ViTokenizer import ViTokenizer

JOINER = "_"
# pyvi's syllable pattern tries an e-mail address at every token, each try scanning to the end
# of the run without a space: quadratic in the run's length (1.6 s for 40,000 characters of
# ``a.a.a.``). Runs longer than any word, number or web address are cut into pieces this long first.
MAX_RUN = 256
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN + 1},}}")


def _attributes(syllables: list[str]) -> list[list[str]]:
    """pyvi's ``sent2features(syllables, False)`` as crfsuite reads it, each syllable's values computed once.

    python-crfsuite turns pyvi's ``{"word.lower()": "hà"}`` into the attribute ``word.lower():hà`` and
    ``{"word.istitle()": True}`` into ``word.istitle()`` with weight 1 (False: weight 0, no effect on
    any score); handing it those attributes directly skips a dict per syllable and its conversion.
    """
    n = len(syllables)
    lower = [s.lower() for s in syllables]
    title = [s.istitle() for s in syllables]
    upper = [s.isupper() for s in syllables]
    digit = [s.isdigit() for s in syllables]
    bigram = [f"{syllables[i]} {syllables[i + 1]}".lower() in ViTokenizer.bi_grams for i in range(n - 1)]
    trigram = [
        f"{syllables[i]} {syllables[i + 1]} {syllables[i + 2]}".lower() in ViTokenizer.tri_grams for i in range(n - 2)
    ]
    items = []
    for i in range(n):
        item = ["bias", "word.lower():" + lower[i]]
        if upper[i]:
            item.append("word.isupper()")
        if title[i]:
            item.append("word.istitle()")
        if digit[i]:
            item.append("word.isdigit()")
        if i > 0:
            item.append("-1:word.lower():" + lower[i - 1])
            if title[i - 1]:
                item.append("-1:word.istitle()")
            if upper[i - 1]:
                item.append("-1:word.isupper()")
            if bigram[i - 1]:
                item.append("-1:word.bi_gram()")
            if i > 1 and trigram[i - 2]:
                item.append("-2:word.tri_gram()")
        if i < n - 1:
            item.append("+1:word.lower():" + lower[i + 1])
            if title[i + 1]:
                item.append("+1:word.istitle()")
            if upper[i + 1]:
                item.append("+1:word.isupper()")
            if bigram[i]:
                item.append("+1:word.bi_gram()")
            if i < n - 2 and trigram[i]:
                item.append("+2:word.tri_gram()")
        items.append(item)
    return items


def _joins(previous: str, syllable: str, label: str) -> bool:
    """pyvi's rule for gluing a syllable to the one before it."""
    return (
        label == "I_W"
        and syllable not in string.punctuation
        and previous not in string.punctuation
        and not syllable[0].isdigit()
        and not previous[0].isdigit()
        and not (syllable[0].istitle() and not previous[0].istitle())
    )


def segment(text: str) -> list[str]:
    """The words of ``text`` as ``ViTokenizer.tokenize(text).split()`` gives them (``Mặt_trận``, ``Tổ_quốc``),
    runs of more than :data:`MAX_RUN` characters without a space cut into pieces."""
    _, syllables = ViTokenizer.sylabelize(_LONG_RUN.sub(_cut, text))
    if not syllables:
        return text.split()
    labels = ViTokenizer.model.tagger_.tag(_attributes(syllables))
    pieces = [syllables[0]]
    for i in range(1, len(syllables)):
        pieces.append(JOINER if _joins(syllables[i - 1], syllables[i], labels[i]) else " ")
        pieces.append(syllables[i])
    return "".join(pieces).split()  # as pyvi's output string splits: a newline syllable is no word


def _cut(run: re.Match[str]) -> str:
    text = run.group()
    return " ".join(text[i : i + MAX_RUN] for i in range(0, len(text), MAX_RUN))
