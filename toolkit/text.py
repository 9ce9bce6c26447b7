"""Text in, tokens out: normalisation, tokens and lemmas, stopwords and phrases.

The pipeline (one function per stage, each switchable) is::

    text -> normalize -> tokens (spaCy tokenizer rules) -> forms (lookup lemma, lowercased,
    hyphen compounds joined) -> phrases joined -> stopwords removed -> n-grams (features.py)

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

import functools
import itertools
import math
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from toolkit._validation import require_columns
from toolkit.cache import cache_key, cached, frame_fingerprint
from toolkit.exceptions import EmptyDocumentsWarning

__all__ = [
    "DOMAIN_STOPWORDS_VERSION",
    "LEMMA_OVERRIDES",
    "PHRASES_VERSION",
    "EmptyDocumentsWarning",
    "Tokens",
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
    "tokenize",
    "tokenize_texts",
]

DOMAIN_STOPWORDS_VERSION = 1
PHRASES_VERSION = 1

#: Lookup-lemma corrections applied to spaCy's table (both engines). spaCy maps "arms" to
#: "arm", which would merge weapons with limbs in an arms-trade corpus.
LEMMA_OVERRIDES: dict[str, str] = {"arms": "arms", "Arms": "Arms", "data": "data"}

_DATA = resources.files("toolkit") / "data"




# ============================================================================ normalisation
# textacy is imported on first use: importing it costs ~3 s of CPU (it loads spaCy), which
# a matrix served from the cache never needs.
@functools.lru_cache(maxsize=1)
def _tp() -> Any:
    from textacy import preprocessing

    return preprocessing


@functools.lru_cache(maxsize=1)
def _quotes() -> tuple[dict[int, int], re.Pattern[str]]:
    table = _tp().resources.QUOTE_TRANSLATION_TABLE
    return table, re.compile("[" + re.escape("".join(chr(k) for k in table)) + "]")


_RE_ZWSP = re.compile(r"[\u200B\u2060\uFEFF]+")  # as textacy's resources.RE_ZWSP
_RE_HYPHEN_GUARD = re.compile(r"-\s")
_RE_WS_GUARD = re.compile(r"[\u200B\u2060\uFEFF\r\v]|[^\S\n ]|  |\n\n|^\s|\s$")


def _quotation_marks(text: str) -> str:
    # Same output as textacy.preprocessing.normalize.quotation_marks (str.translate with
    # textacy's table), but only touches the characters that change: translate's slow path
    # on non-ASCII text took ~40 s on UNGDC.
    table, pattern = _quotes()
    if not pattern.search(text):
        return text
    return pattern.sub(lambda m: chr(table[ord(m.group())]), text)


def _hyphenated_words(text: str) -> str:
    # textacy's hyphenated_words, applied only where it can match. A match consists of word
    # characters, "-" and whitespace only, so pieces split at "." are independent and the
    # result equals the function applied to the whole text.
    if "-" not in text or not _RE_HYPHEN_GUARD.search(text):
        return text
    return ".".join(
        _tp().normalize.hyphenated_words(p) if _RE_HYPHEN_GUARD.search(p) else p
        for p in text.split(".")
    )


def _unicode(form: str) -> Callable[[str], str]:
    def step(text: str) -> str:
        if unicodedata.is_normalized(form, text):
            return text
        return _tp().normalize.unicode(text, form=form)

    step.__name__ = f"unicode_{form}"
    return step


def _whitespace(text: str) -> str:
    # textacy's whitespace(), skipped when a cheap check shows it would change nothing.
    if not _RE_WS_GUARD.search(text):
        return text
    return _tp().normalize.whitespace(text)


def _zero_width(text: str) -> str:
    if not _RE_ZWSP.search(text):
        return text
    return _RE_ZWSP.sub("", text)


def _replacer(fn_name: str, mode: str, name: str) -> Callable[[str], str] | None:
    if mode == "keep":
        return None
    if mode not in ("replace", "remove"):
        raise ValueError(f"{name}={mode!r}; use 'keep', 'replace' or 'remove'.")
    fn = getattr(_tp().replace, fn_name)
    if mode == "replace":
        step = functools.partial(fn)
    elif mode == "remove":
        step = functools.partial(fn, repl=" ")
    else:
        raise ValueError(f"{name}={mode!r}; use 'keep', 'replace' or 'remove'.")
    return step


@dataclass(frozen=True)
class Normalizer:
    """A composed normalisation pipeline (callable: ``str -> str``).

    Build it with :func:`make_normalizer`; ``config`` records the options (it is part of
    every cache key) and ``steps`` the functions applied, in order.
    """

    config: tuple[tuple[str, Any], ...]
    steps: tuple[Callable[[str], str], ...]

    def __call__(self, text: str) -> str:
        for step in self.steps:
            text = step(text)
        return text

    @property
    def step_names(self) -> list[str]:
        return [getattr(s, "__name__", repr(s)) for s in self.steps]

    def for_tokens(self) -> Normalizer:
        """The same pipeline with ``whitespace`` reduced to what can change tokens.

        The fast engine splits on every whitespace character, so textacy's whitespace
        step (collapse runs, unify line breaks, NBSP -> space, strip) cannot change its
        tokens; only the removal of zero-width spaces can. This keeps tokens identical
        and saves the slowest step (~25 s of CPU on UNGDC).
        """
        steps = tuple(_zero_width if s is _whitespace else s for s in self.steps)
        return Normalizer(config=self.config, steps=steps)


def make_normalizer(
    *,
    unicode_form: str | None = "NFC",
    quotes: bool = True,
    hyphenated_words: bool = True,
    bullet_points: bool = False,
    urls: str = "keep",
    emails: str = "keep",
    numbers: str = "keep",
    accents: bool = False,
    whitespace: bool = True,
    extra: Sequence[Callable[[str], str]] = (),
) -> Normalizer:
    """Compose a normalisation pipeline from :mod:`textacy.preprocessing`.

    The default pipeline is, in order: unicode NFC
    (``normalize.unicode``), fancy quotes and apostrophes to ASCII
    (``normalize.quotation_marks``), words hyphenated across line breaks joined
    (``normalize.hyphenated_words``), whitespace tidied (``normalize.whitespace``).
    Steps are skipped when a cheap check proves they would change nothing, so the output
    equals textacy's functions applied in turn.

    Parameters
    ----------
    unicode_form : {"NFC", "NFKC", "NFD", "NFKD"} or None, default="NFC"
    quotes, hyphenated_words, whitespace : bool, default=True
    bullet_points : bool, default=False
        ``normalize.bullet_points``.
    urls, emails, numbers : {"keep", "replace", "remove"}, default="keep"
        ``replace`` uses textacy's placeholders (``_URL_``, ``_EMAIL_``, ``_NUMBER_``),
        which the tokenizer then drops; ``remove`` replaces with a space.
    accents : bool, default=False
        ``remove.accents`` (e.g. "Côte" -> "Cote").
    extra : sequence of callables ``str -> str``, default=()
        Appended last. Their names enter cache keys: rename a function when you change it.

    Returns
    -------
    Normalizer
        Callable ``str -> str``.
    """
    steps: list[Callable[[str], str]] = []
    if unicode_form is not None:
        if unicode_form not in ("NFC", "NFKC", "NFD", "NFKD"):
            raise ValueError(f"unicode_form={unicode_form!r}; use NFC, NFKC, NFD, NFKD or None.")
        steps.append(_unicode(unicode_form))
    if quotes:
        steps.append(_quotation_marks)
    if bullet_points:
        steps.append(_tp().normalize.bullet_points)
    for fn_name, mode, name in (
        ("urls", urls, "urls"),
        ("emails", emails, "emails"),
        ("numbers", numbers, "numbers"),
    ):
        step = _replacer(fn_name, mode, name)
        if step is not None:
            steps.append(step)
    if hyphenated_words:
        steps.append(_hyphenated_words)
    if accents:
        steps.append(_tp().remove.accents)
    steps.extend(extra)
    if whitespace:
        steps.append(_whitespace)
    config = (
        ("unicode_form", unicode_form),
        ("quotes", quotes),
        ("hyphenated_words", hyphenated_words),
        ("bullet_points", bullet_points),
        ("urls", urls),
        ("emails", emails),
        ("numbers", numbers),
        ("accents", accents),
        ("whitespace", whitespace),
        ("extra", tuple(getattr(f, "__qualname__", repr(f)) for f in extra)),
    )
    return Normalizer(config=config, steps=tuple(steps))


def normalize(text: str, **options: Any) -> str:
    """Normalise one text with :func:`make_normalizer` ``(**options)`` (default pipeline)."""
    if not isinstance(text, str):
        raise TypeError(f"normalize expects a str, got {type(text).__name__}.")
    return _normalizer_from(options or True)(text)


def _normalizer_from(spec: Any) -> Normalizer | None:
    if spec is True or spec is None or spec == "default":
        return _default_normalizer()
    if spec is False:
        return None
    if isinstance(spec, Normalizer):
        return spec
    if isinstance(spec, dict):
        return make_normalizer(**spec)
    if callable(spec):
        return Normalizer(config=(("callable", getattr(spec, "__qualname__", repr(spec))),),
                          steps=(spec,))
    raise TypeError(
        "normalize must be True, False, a dict of make_normalizer options, a Normalizer or a "
        f"callable, got {type(spec).__name__}."
    )


@functools.lru_cache(maxsize=1)
def _default_normalizer() -> Normalizer:
    return make_normalizer()


# ============================================================================ spaCy
@functools.lru_cache(maxsize=4)
def load_spacy(model: str = "blank", *, lemmatize: bool = True) -> Any:
    """Return a spaCy pipeline (cached per process).

    Parameters
    ----------
    model : str, default="blank"
        ``"blank"``: ``spacy.blank("en")`` + lookup ``lemmatizer`` (tables from
        ``spacy-lookups-data``, with :data:`LEMMA_OVERRIDES`) + ``sentencizer``. Offline.
        Otherwise the name of an installed trained pipeline such as ``"en_core_web_sm"``,
        which brings POS tags, rule-based lemmas and NER.
    lemmatize : bool, default=True
        Add the lookup lemmatizer to the blank pipeline.
    """
    import spacy

    if model == "blank":
        nlp = spacy.blank("en")
        if lemmatize:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.add_pipe("sentencizer")
        try:
            nlp.initialize()
        except (ValueError, OSError) as exc:  # pragma: no cover - depends on install
            raise ImportError(
                "spaCy's lookup lemmas need the package 'spacy-lookups-data': "
                "pip install spacy-lookups-data"
            ) from exc
        if lemmatize:
            table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
            for key, value in LEMMA_OVERRIDES.items():
                table[key] = value
        return nlp
    try:
        return spacy.load(model)
    except OSError as exc:
        raise ImportError(
            f"spaCy pipeline {model!r} is not installed. Install it with pip (e.g. "
            f"`pip install {model}` from a wheel) or use model='blank' (offline default)."
        ) from exc


@functools.lru_cache(maxsize=1)
def _lemma_table() -> dict[str, str]:
    table = load_spacy("blank").get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    return table


@functools.lru_cache(maxsize=1)
def _special_cases() -> frozenset[str]:
    return frozenset(load_spacy("blank").tokenizer.rules)




# ============================================================================ stopwords
def get_stopwords(
    *,
    spacy: bool = True,
    domain: bool = True,
    extra: Iterable[str] = (),
    version: int = DOMAIN_STOPWORDS_VERSION,
) -> frozenset[str]:
    """Return a stopword set (lowercase).

    Parameters
    ----------
    spacy : bool, default=True
        spaCy's English list (326 words).
    domain : bool, default=True
        The versioned fptk list for diplomatic/UN speech
        (``toolkit/data/stopwords/un_diplomatic_v{version}.txt``; see its README).
    extra : iterable of str, default=()
        More words (lowercased).
    version : int, default=DOMAIN_STOPWORDS_VERSION
    """
    words: set[str] = set()
    if spacy:
        from spacy.lang.en.stop_words import STOP_WORDS

        words |= {w.lower() for w in STOP_WORDS}
    if domain:
        words |= set(_read_list(_DATA / "stopwords" / f"un_diplomatic_v{version}.txt"))
    words |= {str(w).lower() for w in extra}
    return frozenset(words)


def resolve_stopwords(stopwords: Any) -> frozenset[str]:
    """Turn a ``stopwords=`` argument into a set.

    ``"default"`` or True: spaCy + domain; ``"spacy"``; ``"domain"``; None/False: none;
    an iterable of str: exactly those words.
    """
    if stopwords is None or stopwords is False:
        return frozenset()
    if stopwords is True or stopwords == "default":
        return get_stopwords()
    if stopwords == "spacy":
        return get_stopwords(domain=False)
    if stopwords == "domain":
        return get_stopwords(spacy=False)
    if isinstance(stopwords, str):
        raise ValueError(
            f"stopwords={stopwords!r}; use 'default', 'spacy', 'domain', None or a set of words."
        )
    return frozenset(str(w).lower() for w in stopwords)


def stopwords_key(stopwords: Any) -> Any:
    """What identifies a ``stopwords=`` argument in a cache key, without importing spaCy.

    Named lists are identified by name, the domain list's file content and the spaCy
    version; explicit word sets by their sorted words.
    """
    import hashlib
    from importlib.metadata import version

    if stopwords is None or stopwords is False:
        return None
    if stopwords is True or stopwords in ("default", "spacy", "domain"):
        name = "default" if stopwords is True else stopwords
        path = Path(str(_DATA / "stopwords" / f"un_diplomatic_v{DOMAIN_STOPWORDS_VERSION}.txt"))
        return {"name": name, "spacy": version("spacy"),
                "domain_sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    return sorted(resolve_stopwords(stopwords))


def _read_list(path: Any) -> list[str]:
    out = []
    for line in Path(str(path)).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


# ============================================================================ phrases
def get_phrases(spec: Any = True) -> tuple[str, ...]:
    """Return the phrase list for a ``phrases=`` argument.

    True: the curated list ``toolkit/data/phrases/un_security_v{PHRASES_VERSION}.txt``;
    False/None: none; a path (str/Path to an existing file): one phrase per line;
    an iterable of str: those phrases.
    """
    if spec is None or spec is False:
        return ()
    if spec is True:
        return tuple(_read_list(_DATA / "phrases" / f"un_security_v{PHRASES_VERSION}.txt"))
    if isinstance(spec, (str, Path)):
        path = Path(spec)
        if not path.is_file():
            raise FileNotFoundError(
                f"phrases={spec!r} is not a file; pass True, False, a file path or a list."
            )
        return tuple(_read_list(path))
    return tuple(str(p) for p in spec)


# ============================================================================ tokens
@dataclass(frozen=True, eq=False)
class Tokens:
    """Tokenised documents as one integer sequence (compact; what the caches store).

    Attributes
    ----------
    doc_ids : ndarray of object, shape (n_docs,)
        In corpus order.
    forms : ndarray of object, shape (n_forms,)
        Token strings; ``ids`` index into it.
    ids : ndarray of int32, shape (n_tokens,)
        All documents' tokens, concatenated.
    offsets : ndarray of int64, shape (n_docs + 1,)
        Document ``i`` is ``ids[offsets[i]:offsets[i + 1]]``.
    n_raw : ndarray of int64, shape (n_docs,)
        Word tokens per document before stopwords and phrase joining.
    """

    doc_ids: np.ndarray
    forms: np.ndarray
    ids: np.ndarray
    offsets: np.ndarray
    n_raw: np.ndarray

    @property
    def n_docs(self) -> int:
        return len(self.doc_ids)

    def lengths(self) -> np.ndarray:
        """Tokens per document, shape (n_docs,)."""
        return np.diff(self.offsets)

    def to_lists(self) -> list[list[str]]:
        """Token strings per document."""
        strings = self.forms[self.ids].tolist()
        return [strings[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:])]

    def remove(self, words: Iterable[str]) -> Tokens:
        """Drop every token whose form is in ``words`` (e.g. stopwords)."""
        words = set(words)
        drop = np.fromiter((f in words for f in self.forms), dtype=bool, count=len(self.forms))
        if not drop.any():
            return self
        keep = ~drop[self.ids]
        return Tokens(self.doc_ids, self.forms, self.ids[keep], _new_offsets(self.offsets, keep),
                      self.n_raw)


def _new_offsets(offsets: np.ndarray, keep: np.ndarray) -> np.ndarray:
    csum = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
    return csum[offsets]


class _AutoIndex(dict):
    """dict that numbers unseen keys on lookup (``d[k]`` -> 0, 1, 2, ...)."""

    def __missing__(self, key: str) -> int:
        value = len(self)
        self[key] = value
        return value


@dataclass(frozen=True)
class _FormRules:
    lemmatize: bool
    lowercase: bool
    join_hyphens: bool
    min_chars: int

    def word(self, text: str, lemma: str | None) -> str:
        form = lemma if (self.lemmatize and lemma) else text
        if len(form) > 2 and form[-1] == ".":
            form = form[:-1]  # abbreviations: "Mr." -> "mr", "U.S." -> "u.s"
        return form.lower() if self.lowercase else form

    def keep(self, form: str) -> bool:
        return len(form) >= self.min_chars and form[:1].isalpha()

    def group(self, texts: list[str], lemmas: list[str | None]) -> list[str]:
        """Forms of the tokens of one whitespace-free chunk."""
        out: list[str] = []
        n = len(texts)
        i = 0
        while i < n:
            t = texts[i]
            if (
                self.join_hyphens
                and i + 2 < n
                and texts[i + 1] == "-"
                and t.isalpha()
                and texts[i + 2].isalpha()
            ):
                parts = [t]
                j = i + 1
                while j + 1 < n and texts[j] == "-" and texts[j + 1].isalpha():
                    parts.append(texts[j + 1])
                    j += 2
                form = "_".join(p.lower() if self.lowercase else p for p in parts)
                i = j
            else:
                form = self.word(t, lemmas[i])
                i += 1
            if self.keep(form):
                out.append(form)
        return out


def _forms_spacy(texts: Sequence[str], rules: _FormRules, model: str, progress: bool,
                 batch_size: int = 64) -> tuple[list[list[str]], list[int]]:
    nlp = load_spacy(model, lemmatize=rules.lemmatize)
    disable = [p for p in nlp.pipe_names if p in ("ner", "parser", "sentencizer")]
    out, n_raw = [], []
    docs = nlp.pipe(texts, batch_size=batch_size, disable=disable)
    for doc in tqdm(docs, total=len(texts), desc="spaCy", disable=not progress):
        forms: list[str] = []
        ts: list[str] = []
        ls: list[str | None] = []
        for tok in doc:
            if tok.is_space:
                forms.extend(rules.group(ts, ls)) if ts else None
                ts, ls = [], []
                continue
            ts.append(tok.text)
            ls.append(tok.lemma_)
            if tok.whitespace_:
                forms.extend(rules.group(ts, ls))
                ts, ls = [], []
        if ts:
            forms.extend(rules.group(ts, ls))
        out.append(forms)
        n_raw.append(len(forms))
    return out, n_raw


def _chunk_forms(chunks: list[str], rules: _FormRules) -> list[list[str]]:
    """Forms of each whitespace-free chunk, tokenised as spaCy's tokenizer would."""
    specials = _special_cases()
    table = _lemma_table() if rules.lemmatize else {}
    lemma_cache: dict[str, str] = {}

    def lemma(t: str) -> str:
        v = lemma_cache.get(t)
        if v is None:
            v = table.get(t, t) if rules.lemmatize else t
            lemma_cache[t] = v
        return v

    out: list[list[str] | None] = [None] * len(chunks)
    hard: list[int] = []
    for i, c in enumerate(chunks):
        if c.isalpha() and c not in specials:
            form = rules.word(c, lemma(c))
            out[i] = [form] if rules.keep(form) else []
        else:
            hard.append(i)
    if hard:
        tokenizer = load_spacy("blank").tokenizer
        # Tokenise the hard chunks in batches joined by single spaces; a token followed by a
        # space closes its chunk (spaCy splits on spaces first, so chunks are independent).
        step = 20000
        for start in range(0, len(hard), step):
            idx = hard[start : start + step]
            doc = tokenizer(" ".join(chunks[i] for i in idx))
            k = 0
            ts: list[str] = []
            for tok in doc:
                ts.append(tok.text)
                if tok.whitespace_ or tok.i == len(doc) - 1:
                    out[idx[k]] = _group_with_spaces(ts, rules, lemma)
                    k += 1
                    ts = []
            if k != len(idx):  # pragma: no cover - would be a tokenizer surprise
                raise RuntimeError("chunk/token alignment failed in the fast tokenizer")
    return out  # type: ignore[return-value]


def _group_with_spaces(ts: list[str], rules: _FormRules, lemma: Callable[[str], str]
                       ) -> list[str]:
    # Inside one chunk spaCy may emit whitespace tokens (e.g. "\n" from a normaliser that
    # kept it); those break hyphen compounds exactly as in the spaCy engine.
    out: list[str] = []
    cur: list[str] = []
    for t in ts:
        if t.isspace():
            if cur:
                out.extend(rules.group(cur, [lemma(x) for x in cur]))
            cur = []
        else:
            cur.append(t)
    if cur:
        out.extend(rules.group(cur, [lemma(x) for x in cur]))
    return out


def _check_texts(texts: Sequence[Any], doc_ids: Sequence[Any] | None) -> None:
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        where = [(doc_ids[i] if doc_ids is not None else i) for i in bad[:5]]
        kinds = sorted({type(texts[i]).__name__ for i in bad})
        raise TypeError(
            f"{len(bad)} texts are not strings ({', '.join(kinds)}), e.g. "
            f"{'doc_ids' if doc_ids is not None else 'positions'} {where}. Drop missing texts "
            "(corpus.dropna(subset=['text'])) or convert them with .astype(str)."
        )


def _tokens_fast(texts: Sequence[str], normalizer: Normalizer | None, rules: _FormRules,
                 progress: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    index = _AutoIndex()
    get = index.__getitem__
    codes: list[np.ndarray] = []
    for text in tqdm(texts, desc="tokenise", disable=not progress, unit="doc"):
        if normalizer is not None:
            text = normalizer(text)
        codes.append(np.fromiter(map(get, text.split()), dtype=np.int32))
    chunk_forms = _chunk_forms(list(index), rules)
    forms_index = _AutoIndex()
    flat = [forms_index[f] for fs in chunk_forms for f in fs]
    lens = np.fromiter((len(fs) for fs in chunk_forms), dtype=np.int64, count=len(chunk_forms))
    chunk_ptr = np.concatenate([[0], np.cumsum(lens)])
    chunk_terms = np.asarray(flat, dtype=np.int32)
    doc_chunks = np.fromiter((len(c) for c in codes), dtype=np.int64, count=len(codes))
    all_codes = np.concatenate(codes) if codes else np.zeros(0, np.int32)
    del codes
    tl = lens[all_codes]
    total = int(tl.sum())
    starts = chunk_ptr[:-1][all_codes]
    out_off = np.cumsum(tl) - tl
    gather = np.arange(total, dtype=np.int64) - np.repeat(out_off - starts, tl)
    ids = chunk_terms[gather] if total else np.zeros(0, np.int32)
    cl = np.concatenate([[0], np.cumsum(tl)])
    chunk_off = np.concatenate([[0], np.cumsum(doc_chunks)])
    offsets = cl[chunk_off].astype(np.int64)
    forms = np.empty(len(forms_index), dtype=object)
    forms[:] = list(forms_index)
    return forms, ids.astype(np.int32), offsets, np.diff(offsets)


def _phrase_variants(phrases: Sequence[str], forms_index: dict[str, int], rules: _FormRules,
                     ) -> list[tuple[tuple[int, ...], str]]:
    """Token-id sequences that spell each phrase, with the phrase's feature name."""
    table = _lemma_table() if rules.lemmatize else {}
    out: list[tuple[tuple[int, ...], str]] = []
    for phrase in phrases:
        words = phrase.replace("-", " ").split()
        if not words:
            continue
        name = "_".join(w.lower() if rules.lowercase else w for w in words)
        # every way of grouping adjacent words into hyphen compounds ("non_proliferation")
        n = len(words)
        seqs: set[tuple[int, ...]] = set()
        for mask in range(2 ** (n - 1)):
            segs, cur = [], [words[0]]
            for k in range(1, n):
                if mask >> (k - 1) & 1:
                    cur.append(words[k])
                else:
                    segs.append(cur)
                    cur = [words[k]]
            segs.append(cur)
            if len(segs) < 2:
                continue  # one token (e.g. "dual_use" already joined): nothing to join
            options: list[list[int]] = []
            for seg in segs:
                if len(seg) > 1:
                    cands = {"_".join(s.lower() if rules.lowercase else s for s in seg)}
                else:
                    w = seg[0]
                    cands = {rules.word(v, table.get(v, v))
                             for v in {w, w.lower(), w.capitalize(), w.upper()}}
                    cands.add(w.lower() if rules.lowercase else w)
                ids = sorted(forms_index[c] for c in cands if c in forms_index)
                if not ids:
                    break
                options.append(ids)
            if len(options) < len(segs):
                continue  # some word never occurs: the phrase cannot match
            stack: list[tuple[int, ...]] = [()]
            for opt in options:
                stack = [(*s, o) for s in stack for o in opt]
                if len(stack) > 5000:
                    break
            seqs.update(stack)
        out.extend((s, name) for s in sorted(seqs) if len(s) > 1)
    return out


def _apply_phrases(forms: np.ndarray, ids: np.ndarray, offsets: np.ndarray,
                   phrases: Sequence[str], rules: _FormRules
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not phrases or len(ids) == 0:
        return forms, ids, offsets
    forms_index = {f: i for i, f in enumerate(forms)}
    variants = _phrase_variants(phrases, forms_index, rules)
    if not variants:
        return forms, ids, offsets
    names = sorted({name for _, name in variants})
    name_id = {}
    new_forms = list(forms)
    for name in names:
        if name not in forms_index:
            forms_index[name] = len(new_forms)
            new_forms.append(name)
        name_id[name] = forms_index[name]
    n = len(ids)
    doc_of = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    firsts = np.array(sorted({s[0] for s, _ in variants}), dtype=np.int64)
    is_first = np.zeros(len(forms), dtype=bool)
    is_first[firsts] = True
    cand = np.flatnonzero(is_first[ids])
    cand_tok = ids[cand]
    order = np.argsort(cand_tok, kind="stable")
    cand, cand_tok = cand[order], cand_tok[order]
    starts_l, lens_l, pid_l = [], [], []
    for seq, name in variants:
        lo, hi = np.searchsorted(cand_tok, seq[0]), np.searchsorted(cand_tok, seq[0], "right")
        pos = cand[lo:hi]
        L = len(seq)
        pos = pos[pos + L <= n]
        for k in range(1, L):
            if len(pos) == 0:
                break
            pos = pos[ids[pos + k] == seq[k]]
        pos = pos[doc_of[pos] == doc_of[pos + L - 1]] if len(pos) else pos
        if len(pos):
            starts_l.append(pos)
            lens_l.append(np.full(len(pos), L))
            pid_l.append(np.full(len(pos), name_id[name]))
    if not starts_l:
        return forms, ids, offsets
    st = np.concatenate(starts_l)
    ln = np.concatenate(lens_l)
    pid = np.concatenate(pid_l)
    order = np.lexsort((-ln, st))  # by start, longest first
    st, ln, pid = st[order], ln[order], pid[order]
    accept = np.zeros(len(st), dtype=bool)
    last_end = -1
    for i, (s, L) in enumerate(zip(st.tolist(), ln.tolist())):
        if s >= last_end:
            accept[i] = True
            last_end = s + L
    st, ln, pid = st[accept], ln[accept], pid[accept]
    out = ids.copy()
    out[st] = pid
    keep = np.ones(n, dtype=bool)
    drop = np.repeat(st, ln - 1) + (np.arange(int((ln - 1).sum())) -
                                    np.repeat(np.cumsum(ln - 1) - (ln - 1), ln - 1)) + 1
    keep[drop] = False
    new = np.empty(len(new_forms), dtype=object)
    new[:] = new_forms
    return new, out[keep].astype(np.int32), _new_offsets(offsets, keep)


def tokenize_texts(
    texts: Sequence[str],
    *,
    doc_ids: Sequence[str] | None = None,
    normalize: Any = True,
    lemmatize: bool = True,
    lowercase: bool = True,
    join_hyphens: bool = True,
    min_chars: int = 2,
    phrases: Any = True,
    engine: str = "fast",
    model: str = "blank",
    progress: bool = False,
) -> Tokens:
    """Tokenise texts into a compact :class:`Tokens` table (stopwords not yet removed).

    Parameters are those of :func:`tokenize`; ``doc_ids`` label the rows (default: "0",
    "1", ...). Use :meth:`Tokens.remove` with :func:`get_stopwords` to drop stopwords.
    """
    texts = list(texts)
    _check_texts(texts, doc_ids)
    if doc_ids is None:
        doc_ids = [str(i) for i in range(len(texts))]
    if len(doc_ids) != len(texts):
        raise ValueError(f"{len(doc_ids)} doc_ids for {len(texts)} texts.")
    if int(min_chars) < 1:
        raise ValueError(f"min_chars must be >= 1, got {min_chars}.")
    rules = _FormRules(bool(lemmatize), bool(lowercase), bool(join_hyphens), int(min_chars))
    normalizer = _normalizer_from(normalize)
    if engine == "fast":
        if model != "blank":
            raise ValueError(
                f"engine='fast' uses the blank pipeline's tokenizer and lookup lemmas; pass "
                f"engine='spacy' to use model={model!r}."
            )
        fast_norm = normalizer.for_tokens() if normalizer is not None else None
        forms, ids, offsets, n_raw = _tokens_fast(texts, fast_norm, rules, progress)
    elif engine == "spacy":
        if normalizer is not None:
            texts = [normalizer(t) for t in texts]
        lists, n_raw_l = _forms_spacy(texts, rules, model, progress)
        index = _AutoIndex()
        ids = np.fromiter((index[f] for fs in lists for f in fs), dtype=np.int32)
        offsets = np.concatenate([[0], np.cumsum([len(fs) for fs in lists])]).astype(np.int64)
        forms = np.empty(len(index), dtype=object)
        forms[:] = list(index)
        n_raw = np.asarray(n_raw_l, dtype=np.int64)
    else:
        raise ValueError(f"engine={engine!r}; use 'fast' or 'spacy'.")
    forms, ids, offsets = _apply_phrases(forms, ids, offsets, get_phrases(phrases), rules)
    dids = np.empty(len(doc_ids), dtype=object)
    dids[:] = [str(d) for d in doc_ids]
    return Tokens(dids, forms, ids, offsets, np.asarray(n_raw, dtype=np.int64))


def tokenize(
    texts: Sequence[str] | str,
    *,
    lemmatize: bool = True,
    stopwords: Any = "default",
    phrases: Any = True,
    lowercase: bool = True,
    normalize: Any = True,
    join_hyphens: bool = True,
    min_chars: int = 2,
    engine: str = "fast",
    model: str = "blank",
    progress: bool = False,
) -> list[list[str]]:
    """Tokenise texts into lists of token forms.

    Parameters
    ----------
    texts : sequence of str (or one str)
    lemmatize : bool, default=True
        Replace each token by its lookup lemma (spaCy's table, see :data:`LEMMA_OVERRIDES`).
        The lookup is case-sensitive, as in spaCy: "States" stays "states", "states" -> "state".
    stopwords : "default", "spacy", "domain", None or iterable of str, default="default"
        Removed after phrase joining (see :func:`resolve_stopwords`).
    phrases : bool, path or iterable of str, default=True
        Multi-word expressions joined into one token ``"arms_trade_treaty"``
        (see :func:`get_phrases` and ``toolkit/data/phrases/README.md``).
    lowercase : bool, default=True
    normalize : bool, dict, Normalizer or callable, default=True
        True: the default :func:`make_normalizer` pipeline; a dict: its options.
    join_hyphens : bool, default=True
        Join hyphenated compounds inside a word with ``_`` ("dual-use" -> "dual_use").
    min_chars : int, default=2
        Shorter forms are dropped; so are forms that do not start with a letter.
    engine : {"fast", "spacy"}, default="fast"
        See the module docstring; both give the same tokens with ``model="blank"``.
    model : str, default="blank"
        spaCy pipeline for ``engine="spacy"`` (see :func:`load_spacy`).
    progress : bool, default=False

    Returns
    -------
    list of list of str
        One list per text.
    """
    if isinstance(texts, str):
        texts = [texts]
    toks = tokenize_texts(texts, normalize=normalize, lemmatize=lemmatize, lowercase=lowercase,
                          join_hyphens=join_hyphens, min_chars=min_chars, phrases=phrases,
                          engine=engine, model=model, progress=progress)
    return toks.remove(resolve_stopwords(stopwords)).to_lists()


def detect_phrases(
    docs: Sequence[Sequence[str]] | Tokens,
    *,
    min_count: int = 20,
    threshold: float = 0.5,
    stopwords: Any = "default",
    max_phrases: int | None = 500,
) -> list[str]:
    """Find collocations (bigrams) by normalised PMI, to add to a phrase list.

    Parameters
    ----------
    docs : list of token lists or Tokens
        Tokens *before* stopword removal (e.g. ``tokenize(..., stopwords=None)``).
    min_count : int, default=20
        Minimum bigram frequency.
    threshold : float, default=0.5
        Minimum NPMI in [-1, 1].
    stopwords : see :func:`resolve_stopwords`, default="default"
        Bigrams containing a stopword are not proposed.
    max_phrases : int or None, default=500
        Keep the highest-scoring ones.

    Returns
    -------
    list of str
        Phrases such as ``"arms embargo"`` (space-separated), best first (ties by text).
        Pass them (plus :func:`get_phrases`) as ``phrases=`` to :func:`tokenize`.
    """
    lists = docs.to_lists() if isinstance(docs, Tokens) else docs
    stop = resolve_stopwords(stopwords)
    uni: Counter[str] = Counter()
    bi: Counter[tuple[str, str]] = Counter()
    for toks in lists:
        uni.update(toks)
        bi.update(itertools.pairwise(toks))
    n = sum(uni.values())
    if n == 0:
        return []
    scored = []
    for (a, b), c in bi.items():
        if c < min_count or a in stop or b in stop:
            continue
        p_ab = c / n
        npmi = math.log(p_ab / ((uni[a] / n) * (uni[b] / n))) / -math.log(p_ab)
        if npmi >= threshold:
            scored.append((-npmi, f"{a} {b}".replace("_", " ")))
    scored.sort()
    out = [p for _, p in scored]
    return out[:max_phrases] if max_phrases else out


def _warn_empty(tokens: Tokens, raw_empty: np.ndarray, stacklevel: int = 3) -> int:
    lengths = tokens.lengths()
    empty = np.flatnonzero(lengths == 0)
    if len(empty) == 0:
        return 0
    n_blank = int(raw_empty[empty].sum())
    ids = tokens.doc_ids[empty][:5].tolist()
    warnings.warn(
        f"{len(empty)} of {tokens.n_docs} documents have no tokens left ({n_blank} empty or "
        f"without words, {len(empty) - n_blank} only stopwords/punctuation), e.g. {ids}; "
        "they are kept as all-zero rows.",
        EmptyDocumentsWarning,
        stacklevel=stacklevel,
    )
    return len(empty)


# ============================================================================ corpus level
def corpus_fingerprint(corpus: Any, *, text_column: str = "text") -> str:
    """A checksum of a corpus table's doc_ids and texts, for cache keys.

    Every byte of every id and text counts (see :func:`toolkit.cache.frame_fingerprint`),
    so an edited table, even one that kept its loader's ``attrs``, never shares a key with
    its source.
    """
    return frame_fingerprint(corpus, columns=("doc_id", text_column))


def _blob(strings: Iterable[str]) -> np.ndarray:
    import json

    return np.frombuffer(json.dumps(list(strings), ensure_ascii=False).encode("utf-8"),
                         dtype=np.uint8)


def _unblob(arr: np.ndarray) -> np.ndarray:
    import json

    items = json.loads(arr.tobytes().decode("utf-8"))
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _write_tokens(tokens: Tokens, path: Path) -> None:
    with open(path, "wb") as fh:
        np.savez(fh, format=np.array([1]), doc_ids=_blob(tokens.doc_ids),
                 forms=_blob(tokens.forms), ids=tokens.ids, offsets=tokens.offsets,
                 n_raw=tokens.n_raw)


def _read_tokens(path: Path) -> Tokens:
    with np.load(path, allow_pickle=False) as z:
        tokens = Tokens(_unblob(z["doc_ids"]), _unblob(z["forms"]), z["ids"], z["offsets"],
                        z["n_raw"])
    if len(tokens.offsets) != tokens.n_docs + 1 or tokens.offsets[-1] != len(tokens.ids):
        raise ValueError("tokens cache entry is inconsistent")
    return tokens


def tokens_params(**kw: Any) -> dict[str, Any]:
    """The parameters that determine a :class:`Tokens` table (used in cache keys)."""
    norm = _normalizer_from(kw.get("normalize", True))
    return {
        "normalize": norm.config if norm is not None else None,
        "lemmatize": bool(kw.get("lemmatize", True)),
        "lemma_overrides": sorted(LEMMA_OVERRIDES.items()),
        "lowercase": bool(kw.get("lowercase", True)),
        "join_hyphens": bool(kw.get("join_hyphens", True)),
        "min_chars": int(kw.get("min_chars", 2)),
        "phrases": list(get_phrases(kw.get("phrases", True))),
        "engine": kw.get("engine", "fast"),
        "model": kw.get("model", "blank"),
    }


def tokenize_corpus(
    corpus: Any,
    *,
    text_column: str = "text",
    normalize: Any = True,
    lemmatize: bool = True,
    lowercase: bool = True,
    join_hyphens: bool = True,
    min_chars: int = 2,
    phrases: Any = True,
    engine: str = "fast",
    model: str = "blank",
    use_cache: bool = True,
    progress: bool = True,
    cache_home: str | None = None,
) -> Tokens:
    """Tokenise a corpus table (cached): :func:`tokenize_texts` on ``corpus[text_column]``.

    The cache entry (kind ``"tokens"``) is keyed by :func:`corpus_fingerprint`, every
    parameter and the toolkit version. Stopwords are not removed here, so one entry
    serves every stopword setting. Parameters as in :func:`tokenize`.

    Raises
    ------
    TypeError
        If a text is not a string (missing or numeric); the doc_ids are named.
    """
    from toolkit.cache import cache_key, cached

    for col in ("doc_id", text_column):
        if col not in corpus.columns:
            raise ValueError(f"corpus has no {col!r} column; columns are {list(corpus.columns)}.")
    texts = corpus[text_column].tolist()
    doc_ids = corpus["doc_id"].astype(str).tolist()
    _check_texts(texts, doc_ids)
    opts = dict(normalize=normalize, lemmatize=lemmatize, lowercase=lowercase,
                join_hyphens=join_hyphens, min_chars=min_chars, phrases=phrases,
                engine=engine, model=model)
    key = cache_key(kind="tokens", corpus=corpus_fingerprint(corpus, text_column=text_column),
                    **tokens_params(**opts))
    return cached(
        "tokens", key, suffix=".npz",
        build=lambda: tokenize_texts(texts, doc_ids=doc_ids, progress=progress, **opts),
        write=_write_tokens, read=_read_tokens, cache_home=cache_home, use_cache=use_cache,
    )


# ============================================================================ passages
_ABBREV = frozenset(
    "mr mrs ms dr st no nos art arts para paras prof gen lt col sr jr vs etc e.g i.e u.s "
    "u.k u.n h.e rev hon gov pres sen rep dept fig jan feb mar apr jun jul aug sep sept oct "
    "nov dec co corp inc ltd op cf al".split()
)
_SENT_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
_BLANK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE_END = re.compile(r"(?<=[.!?:\"\u201d])[ \t]*\n\s*")


def _paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """Paragraphs: blank-line separated blocks; without blank lines, lines ending a sentence.

    Hard-wrapped texts (lines broken mid-sentence) are thus kept together.
    """
    rx = _BLANK if _BLANK.search(text) else _LINE_END
    bounds, pos = [], 0
    for m in rx.finditer(text):
        bounds.append((pos, m.start()))
        pos = m.end()
    bounds.append((pos, len(text)))
    return [(s, e) for s, e in bounds if text[s:e].strip()]


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Sentences: split at . ! ? followed by space and a capital/digit, inside paragraphs.

    Common abbreviations (Mr., U.S., Art., No.) and single-letter initials do not end a
    sentence.
    """
    out = []
    for ps, pe in _paragraph_bounds(text):
        pos = ps
        for m in _SENT_END.finditer(text, ps, pe):
            before = text[pos : m.start()].rsplit(None, 1)
            last = before[-1].lower().rstrip(".") if before else ""
            last = last.lstrip("(\"'\u201c")
            if last in _ABBREV or (len(last) == 1 and last.isalpha()):
                continue
            out.append((pos, m.start() + 1))
            pos = m.end()
        out.append((pos, pe))
    return [(s, e) for s, e in out if text[s:e].strip()]


def passage_spans(text: str, *, unit: str = "sentence") -> list[tuple[int, int]]:
    """Character spans of the sentences or paragraphs of one text.

    The one sentence and paragraph splitter of the toolkit: :func:`split_sentences`,
    :func:`split_passages` and :func:`toolkit.keywords.extract_passages` all use it.

    Parameters
    ----------
    text : str
        One document.
    unit : {"sentence", "paragraph"}, default="sentence"
        The passage unit.

    Returns
    -------
    list of (int, int)
        ``(start, end)`` offsets into ``text``, in order; blank passages are dropped.

    Notes
    -----
    Paragraphs are blocks separated by blank lines; a text without blank lines is split
    at line breaks that follow ., !, ?, : or a closing quote (so hard-wrapped lines stay
    together). Sentences are split inside paragraphs at ., ! or ? followed by whitespace
    and a capital letter or digit, except after common abbreviations (Mr., U.S., Art.,
    No.) and single-letter initials.
    """
    if unit == "sentence":
        return _sentence_bounds(text)
    if unit == "paragraph":
        return _paragraph_bounds(text)
    raise ValueError(f"unit must be 'sentence' or 'paragraph', got {unit!r}.")


def split_sentences(text: str) -> list[str]:
    """Split one text into sentences, with the toolkit's one splitter (:func:`passage_spans`).

    Parameters
    ----------
    text : str
        One document.

    Returns
    -------
    list of str
        The sentences, stripped, in order.
    """
    return [text[s:e].strip() for s, e in passage_spans(text, unit="sentence")]


#: Bump when the passage boundaries change, so cached passage tables are rebuilt.
_PASSAGES_VERSION = 1

_COLUMNS_HINT = "Rename or add them (see toolkit.corpora.schema.STANDARD_COLUMNS)."


def split_passages(
    corpus: pd.DataFrame,
    *,
    unit: str = "paragraph",
    progress: bool = False,
    use_cache: bool = False,
    cache_home: str | None = None,
) -> pd.DataFrame:
    """Split every document into passages, keeping its metadata and its id.

    Passage boundaries are those of :func:`passage_spans` (paragraphs are
    blank-line separated blocks, or lines ending a sentence when a text has no blank lines;
    sentences split at end punctuation followed by a capital, except after abbreviations), and
    passage ids are those of :func:`toolkit.keywords.extract_passages`
    (``<doc_id>#p<i>`` / ``<doc_id>#s<i>``). So a matrix built once on all passages also has
    a row for every passage that ``extract_passages`` returns (see
    :func:`issue_similarity_panel`).

    Parameters
    ----------
    corpus : DataFrame
        A corpus table with at least ``doc_id`` and ``text``. Not modified.
    unit : {"paragraph", "sentence"}, default="paragraph"
        The passage unit.
    progress : bool, default=False
        Show a progress bar over documents.
    use_cache : bool, default=False
        Keep the passage texts in the toolkit cache (kind ``"passages"``), keyed by an exact
        fingerprint of ``doc_id`` and ``text`` and by ``unit``; the metadata columns are
        attached afresh, so other columns may differ between calls (the full UNGDC: about
        11 s to split, about 1 s to read back).
    cache_home : str or None, default=None
        Override of the cache folder.

    Returns
    -------
    DataFrame
        One row per passage: ``doc_id`` (passage id), ``text`` (the passage), the corpus's
        other columns, ``parent_doc_id`` and ``passage_index``. ``attrs["passages"]`` counts
        documents and passages.
    """
    if unit not in {"paragraph", "sentence"}:
        raise ValueError(f"unit={unit!r} is not supported; use 'paragraph' or 'sentence'.")
    require_columns(
        corpus, ["doc_id", "text"], what="corpus",
        hint="Rename or add them (see toolkit.corpora.schema.STANDARD_COLUMNS).",
    )

    def build() -> pd.DataFrame:
        texts = corpus["text"].fillna("").astype(str).tolist()
        if progress and len(texts) > 1000:
            from tqdm.auto import tqdm

            texts_iter: Iterable[str] = tqdm(texts, desc=f"split {unit}s", unit="doc")
        else:
            texts_iter = texts
        pieces = [[t[s:e].strip() for s, e in passage_spans(t, unit=unit)] for t in texts_iter]
        lengths = np.array([len(p) for p in pieces], dtype=np.int64)
        return pd.DataFrame(
            {
                "doc_index": np.repeat(np.arange(len(pieces), dtype=np.int64), lengths),
                "text": [p for ps in pieces for p in ps],
            }
        )

    if use_cache:
        key = cache_key(
            kind="passages", corpus=frame_fingerprint(corpus), unit=unit, version=_PASSAGES_VERSION
        )
        table = cached(
            "passages", key, suffix=".parquet", build=build,
            write=lambda v, path: v.to_parquet(path, index=False),
            read=pd.read_parquet, cache_home=cache_home,
        )
    else:
        table = build()
    counts = np.bincount(table["doc_index"].to_numpy(), minlength=len(corpus)).astype(np.int64)
    meta = corpus.drop(columns=["text"]).reset_index(drop=True)
    out = meta.loc[np.repeat(np.arange(len(meta)), counts)].reset_index(drop=True)
    parent = out["doc_id"].astype(str)
    index = np.concatenate([np.arange(c) for c in counts]) if len(counts) else np.zeros(0, np.int64)
    tag = "p" if unit == "paragraph" else "s"
    out["doc_id"] = (parent + f"#{tag}" + pd.Series(index, dtype="int64").astype(str)).to_numpy()
    out.insert(1, "text", table["text"].to_numpy(dtype=object))
    out["parent_doc_id"] = parent.to_numpy()
    out["passage_index"] = index.astype(np.int64)
    out.attrs = {
        **corpus.attrs,
        "passages": {
            "unit": unit,
            "n_docs": len(corpus),
            "n_passages": int(counts.sum()),
            "n_docs_without_text": int((counts == 0).sum()),
        },
    }
    return out
