"""Text in, tokens out: normalisation, tokens and lemmas, stopwords and phrases, passages.

The pipeline (one function per stage, each switchable) is::

    text -> normalize -> tokens (spaCy tokenizer rules) -> forms (lookup lemma, lowercased,
    hyphen compounds joined) -> phrases joined -> stopwords removed -> n-grams (features.py)

The modules, by job:

``normalization``
    :func:`make_normalizer`, :class:`Normalizer`, :func:`normalize` (textacy's steps).
``lexicon``
    Stopwords (:func:`get_stopwords`, :func:`resolve_stopwords`), phrases
    (:func:`get_phrases`, :func:`detect_phrases`) and :data:`LEMMA_OVERRIDES`.
``engines``
    The two tokenisation engines, :func:`load_spacy` and phrase joining.
``tokens``
    :class:`TokenizerOptions`, :class:`Tokens`, :func:`tokenize`, :func:`tokenize_texts`
    and :func:`tokenize_corpus` (cached).
``passages``
    The one sentence and paragraph splitter: :func:`passage_spans`,
    :func:`split_sentences`, :func:`split_passages`.

The options of tokenisation travel together as one frozen :class:`TokenizerOptions`
(``tokenizer=``); every function also takes its fields as keywords.

Two engines give the same tokens:

``engine="spacy"``
    Runs a spaCy pipeline over every document: by default a *blank* English pipeline with
    lookup lemmas (``spacy-lookups-data``) and a sentencizer, so it runs offline on a fresh
    machine. ``model="en_core_web_sm"`` (or any installed trained pipeline) uses that
    pipeline instead (POS-aware lemmas; see :func:`load_spacy` for POS/NER).
``engine="fast"`` (default)
    Splits each normalised text on whitespace and tokenises each *unique* whitespace-free
    chunk once (pure-letter chunks are one token; the rest go through spaCy's own tokenizer
    in one batch), then lemmatises each unique token once with the same lookup table. Since
    spaCy's tokenizer works chunk by chunk, the tokens are the same as spaCy's; the test
    suite checks this on a sample. This is what makes 32 M tokens take seconds.

A token is kept when its form starts with a letter and has at least ``min_chars``
characters (punctuation, numbers, "'s" and "n't" are dropped). A final period of an
abbreviation is dropped ("Mr." -> "mr", "U.S." -> "u.s").
"""

from __future__ import annotations

from toolkit.exceptions import EmptyDocumentsWarning
from toolkit.text.engines import load_spacy
from toolkit.text.lexicon import (
    DOMAIN_STOPWORDS_VERSION,
    LEMMA_OVERRIDES,
    PHRASES_VERSION,
    detect_phrases,
    get_phrases,
    get_stopwords,
    resolve_stopwords,
    stopwords_key,
)
from toolkit.text.normalization import Normalizer, make_normalizer, normalize
from toolkit.text.passages import passage_spans, split_passages, split_sentences
from toolkit.text.tokens import (
    TokenizerOptions,
    Tokens,
    corpus_fingerprint,
    tokenize,
    tokenize_corpus,
    tokenize_texts,
    tokens_params,
)

__all__ = [
    "DOMAIN_STOPWORDS_VERSION",
    "LEMMA_OVERRIDES",
    "PHRASES_VERSION",
    "EmptyDocumentsWarning",
    "Normalizer",
    "TokenizerOptions",
    "Tokens",
    "corpus_fingerprint",
    "detect_phrases",
    "get_phrases",
    "get_stopwords",
    "load_spacy",
    "make_normalizer",
    "normalize",
    "passage_spans",
    "resolve_stopwords",
    "split_passages",
    "split_sentences",
    "stopwords_key",
    "tokenize",
    "tokenize_corpus",
    "tokenize_texts",
    "tokens_params",
]
