"""The OpenSearch/Elasticsearch index settings and mapping that reproduce vnsearch's analysis.

Written from vnsearch's own rules and data, so the two cannot drift: the tone-placement
char filters from :func:`vietnamese.text.normalize_word`, the abbreviation synonyms from
vietnamese/data/abbreviations.tsv, the field weights from search/match.py. Untested against
a server (none can be installed here): docs/scaling.md says what was and was not checked.

    .venv/bin/python -m bench.opensearch_mapping > docs/opensearch-index.json
"""

from __future__ import annotations

import json
import sys
import unicodedata

from search.match import FIELDS
from vietnamese.abbreviations import DATA_FILE
from vietnamese.text import fold, normalize_word

TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng
# The word-final vowel pairs whose tone the two styles place differently (hoà / hòa, thuý / thúy).
PAIRS = ("oa", "oe", "uy")
LETTER_AFTER = r"(?![\p{L}\p{N}])"


def tone_rules() -> list[tuple[str, str, str]]:
    """``(name, pattern, replacement)``: each pair with its tone on the second vowel, at a word's end,
    rewritten as vnsearch spells it (after lowercasing; ``qu`` is a consonant, so ``quý`` stays)."""
    rules = []
    for pair in PAIRS:
        for k, tone in enumerate(TONES):
            new_style = unicodedata.normalize("NFC", pair + tone)
            canonical = normalize_word("h" + new_style)[1:]  # as a syllable: h + pair
            if canonical != new_style:
                rules.append((f"tone_{pair}_{k}", f"(?<!q){new_style}{LETTER_AFTER}", canonical))
    return rules


def synonyms() -> list[str]:
    """One rule per abbreviation, folded: ``mttq, mat tran to quoc``."""
    from importlib.resources import files

    lines = files("vietnamese").joinpath("data", DATA_FILE).read_text(encoding="utf-8").splitlines()
    pairs = [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
    return [f"{fold(short).replace('.', ' ')}, {fold(long)}" for short, long in pairs]


def index_body() -> dict:
    rules = tone_rules()
    char_filters = {"vn_casefold_nfc": {"type": "icu_normalizer", "name": "nfkc_cf"}}
    char_filters.update({name: {"type": "pattern_replace", "pattern": p, "replacement": r} for name, p, r in rules})
    chain = ["vn_casefold_nfc", *(name for name, _, _ in rules)]
    tokenizer = {"vn_syllables": {"type": "pattern", "pattern": r"[^\p{L}\p{N}]+"}}
    analyzers = {
        "vn_exact": {"type": "custom", "char_filter": chain, "tokenizer": "vn_syllables"},
        "vn_folded": {"type": "custom", "char_filter": chain, "tokenizer": "vn_syllables", "filter": ["icu_folding"]},
        "vn_folded_search": {
            "type": "custom", "char_filter": chain, "tokenizer": "vn_syllables", "filter": ["icu_folding", "vn_abbreviations"],
        },
        "vn_pairs": {"type": "custom", "char_filter": chain, "tokenizer": "vn_syllables", "filter": ["icu_folding", "vn_pairs"]},
    }
    filters = {
        "vn_pairs": {"type": "shingle", "min_shingle_size": 2, "max_shingle_size": 2, "output_unigrams": False, "token_separator": "_"},
        "vn_abbreviations": {"type": "synonym_graph", "synonyms": synonyms()},
    }

    def text_field() -> dict:
        return {
            "type": "text",
            "analyzer": "vn_exact",
            "fields": {
                "folded": {"type": "text", "analyzer": "vn_folded", "search_analyzer": "vn_folded_search"},
                "pairs": {"type": "text", "analyzer": "vn_pairs"},
            },
        }

    return {
        "settings": {
            "analysis": {"char_filter": char_filters, "tokenizer": tokenizer, "filter": filters, "analyzer": analyzers},
            "similarity": {"default": {"type": "BM25", "k1": 1.2, "b": 0.75}},
        },
        "mappings": {
            "_meta": {"field_boosts": FIELDS, "made_by": "python -m bench.opensearch_mapping"},
            "properties": {
                "id": {"type": "keyword"},
                "title": text_field(),
                "body": text_field(),
                "date": {"type": "date", "format": "strict_date"},
                "districts": {"type": "keyword"},
                "url": {"type": "keyword", "index": False},
                "author": {"type": "keyword", "index": False},
            },
        },
    }


def main() -> int:
    json.dump(index_body(), sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
