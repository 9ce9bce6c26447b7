"""Tokens: the tokeniser options, the compact table of tokenised documents, and its cache.

:class:`TokenizerOptions` bundles the options that decide how texts become tokens, so
:func:`tokenize`, :func:`tokenize_texts`, :func:`tokenize_corpus` and
:func:`toolkit.features.build_dtm` take one ``tokenizer=`` argument (or its fields as
keywords) and every cache key names the options the same way.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit._validation import check_int
from toolkit.cache import cache_key, cached, frame_fingerprint
from toolkit.text.engines import _blocks, _FormRules, _new_offsets, _token_arrays
from toolkit.text.lexicon import (
    LEMMA_OVERRIDES,
    _check_stopwords_name,
    get_phrases,
    resolve_stopwords,
    stopwords_key,
)
from toolkit.text.normalization import _normalizer_from

__all__ = [
    "TokenizerOptions",
    "Tokens",
    "corpus_fingerprint",
    "tokenize",
    "tokenize_corpus",
    "tokenize_texts",
    "tokens_params",
]


# ============================================================================ options
@dataclass(frozen=True)
class TokenizerOptions:
    """How texts become tokens: the options every tokenising function shares.

    One frozen bundle instead of the same keywords in every signature (as scikit-learn's
    ``CountVectorizer`` bundles its tokenisation). Pass it as ``tokenizer=`` to
    :func:`tokenize`, :func:`tokenize_texts`, :func:`tokenize_corpus` and
    :func:`toolkit.features.build_dtm`, or pass its fields as keywords to those functions
    (they build one). :meth:`cache_key` is what identifies it in the caches.

    Parameters
    ----------
    normalize : bool, dict, Normalizer or callable, default=True
        True (or None): the default :func:`~toolkit.text.make_normalizer` pipeline; a
        dict: its options; a :class:`~toolkit.text.Normalizer` or any ``str -> str``
        callable; False: no normalisation.
    lemmatize : bool, default=True
        Replace each token by its lookup lemma (spaCy's table, see
        :data:`~toolkit.text.LEMMA_OVERRIDES`). The lookup is case-sensitive, as in spaCy:
        "States" stays "states", "states" -> "state".
    lowercase : bool, default=True
        Lowercase every form.
    join_hyphens : bool, default=True
        Join hyphenated compounds inside a word with ``_`` ("dual-use" -> "dual_use").
    min_chars : int, default=2
        Shorter forms are dropped; so are forms that do not start with a letter.
    phrases : bool, path or iterable of str, default=True
        Multi-word expressions joined into one token ``"arms_trade_treaty"`` (see
        :func:`~toolkit.text.get_phrases` and ``toolkit/data/phrases/README.md``).
    stopwords : "default", "spacy", "domain", None or iterable of str, default="default"
        Removed after phrase joining by :func:`tokenize` and ``build_dtm`` (see
        :func:`~toolkit.text.resolve_stopwords`). A :class:`Tokens` table keeps them
        (:func:`tokenize_texts`, :func:`tokenize_corpus`), so one cached table serves
        every stopword setting.
    engine : {"fast", "spacy"}, default="fast"
        See :mod:`toolkit.text`; both give the same tokens with ``model="blank"``.
    model : str, default="blank"
        spaCy pipeline for ``engine="spacy"`` (see :func:`~toolkit.text.load_spacy`).

    Raises
    ------
    ValueError
        For an unknown engine, a trained model with the fast engine, ``min_chars < 1``
        or a ``stopwords`` string that names no list.
    TypeError
        If ``min_chars`` is not an integer.

    Notes
    -----
    Iterables given as ``phrases`` or ``stopwords`` are stored as tuples, so the options
    stay immutable. Change one option with ``dataclasses.replace(options, min_chars=3)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from toolkit import features
    >>> corpus = pd.DataFrame({"doc_id": ["a", "b"],
    ...                        "text": ["Arms sales rose.", "The arms sales fell."]})
    >>> opts = TokenizerOptions(lemmatize=False, stopwords=None)
    >>> list(features.build_dtm(corpus, tokenizer=opts, min_df=2, use_cache=False).vocab)
    ['arms_sales']
    >>> plain = TokenizerOptions(lemmatize=False, stopwords=None, phrases=None)
    >>> list(features.build_dtm(corpus, tokenizer=plain, use_cache=False).vocab)
    ['arms', 'fell', 'rose', 'sales', 'the']
    """

    normalize: Any = True
    lemmatize: bool = True
    lowercase: bool = True
    join_hyphens: bool = True
    min_chars: int = 2
    phrases: Any = True
    stopwords: Any = "default"
    engine: str = "fast"
    model: str = "blank"

    def __post_init__(self) -> None:
        if not isinstance(self.phrases, (bool, str, Path)) and self.phrases is not None:
            object.__setattr__(self, "phrases", tuple(self.phrases))
        if not isinstance(self.stopwords, (bool, str)) and self.stopwords is not None:
            object.__setattr__(self, "stopwords", tuple(self.stopwords))
        check_int("min_chars", self.min_chars, min_value=1)
        if self.engine not in ("fast", "spacy"):
            raise ValueError(f"engine={self.engine!r}; use 'fast' or 'spacy'.")
        if self.engine == "fast" and self.model != "blank":
            raise ValueError(
                f"engine='fast' uses the blank pipeline's tokenizer and lookup lemmas; pass "
                f"engine='spacy' to use model={self.model!r}."
            )
        _check_stopwords_name(self.stopwords)

    @classmethod
    def resolve(
        cls,
        tokenizer: TokenizerOptions | None,
        options: Mapping[str, Any],
        *,
        caller: str,
        exclude: Sequence[str] = (),
    ) -> TokenizerOptions:
        """The options of a call that takes ``tokenizer=`` or loose keywords.

        Parameters
        ----------
        tokenizer : TokenizerOptions or None
            The ``tokenizer=`` argument.
        options : mapping of str to object
            The loose keywords (fields of this class).
        caller : str
            The function's name, for the messages.
        exclude : sequence of str, default=()
            Fields the caller does not take as loose keywords.

        Returns
        -------
        TokenizerOptions
            ``tokenizer``, or one built from ``options`` (defaults for the rest).

        Raises
        ------
        TypeError
            For a keyword that is no option, a ``tokenizer`` of another type, or both
            ``tokenizer`` and loose options (the message names both).
        """
        names = [f.name for f in dataclasses.fields(cls) if f.name not in exclude]
        for name in options:
            if name not in names:
                raise TypeError(f"{caller}() got an unexpected keyword argument {name!r}")
        if tokenizer is None:
            return cls(**options)
        if not isinstance(tokenizer, cls):
            raise TypeError(
                f"tokenizer must be a TokenizerOptions or None, got {type(tokenizer).__name__}."
            )
        if options:
            loose = ", ".join(f"{k}=" for k in options)
            first = next(iter(options))
            raise TypeError(
                f"{caller}() got both tokenizer= and {loose}; pass one of them, e.g. "
                f"tokenizer=dataclasses.replace(tokenizer, {first}=...)."
            )
        return tokenizer

    def tokens_key(self) -> dict[str, Any]:
        """What determines a :class:`Tokens` table: every option but ``stopwords``.

        Returns
        -------
        dict
            JSON-able values (the normaliser's configuration, the phrase list, the lemma
            overrides...), part of the ``"tokens"`` and ``"dtm"`` cache keys.
        """
        norm = _normalizer_from(self.normalize)
        return {
            "normalize": norm.config if norm is not None else None,
            "lemmatize": bool(self.lemmatize),
            "lemma_overrides": sorted(LEMMA_OVERRIDES.items()),
            "lowercase": bool(self.lowercase),
            "join_hyphens": bool(self.join_hyphens),
            "min_chars": int(self.min_chars),
            "phrases": list(get_phrases(self.phrases)),
            "engine": self.engine,
            "model": self.model,
        }

    def cache_key(self) -> dict[str, Any]:
        """What identifies these options in a cache key: :meth:`tokens_key` and stopwords.

        Returns
        -------
        dict
            :meth:`tokens_key` plus ``"stopwords"`` (:func:`~toolkit.text.stopwords_key`:
            a named list by name and content, a word set by its sorted words).
        """
        return {**self.tokens_key(), "stopwords": stopwords_key(self.stopwords)}

    def _form_rules(self) -> _FormRules:
        return _FormRules(bool(self.lemmatize), bool(self.lowercase), bool(self.join_hyphens),
                          int(self.min_chars))


#: The options that determine a :class:`Tokens` table (all but ``stopwords``).
_NOT_IN_TOKENS = ("stopwords",)


def tokens_params(**kw: Any) -> dict[str, Any]:
    """The parameters that determine a :class:`Tokens` table (used in cache keys).

    Parameters
    ----------
    **kw
        Fields of :class:`TokenizerOptions`; others (such as ``stopwords``) are ignored.

    Returns
    -------
    dict
        ``TokenizerOptions(**kw).tokens_key()``.
    """
    names = {f.name for f in dataclasses.fields(TokenizerOptions)} - set(_NOT_IN_TOKENS)
    return TokenizerOptions(**{k: v for k, v in kw.items() if k in names}).tokens_key()


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
        """The number of documents."""
        return len(self.doc_ids)

    def lengths(self) -> np.ndarray:
        """Tokens per document.

        Returns
        -------
        ndarray of int64 of shape (n_docs,)
        """
        return np.diff(self.offsets)

    def to_lists(self) -> list[list[str]]:
        """Token strings per document.

        Returns
        -------
        list of list of str
            One list per document, in order.
        """
        strings = self.forms[self.ids].tolist()
        return [strings[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:])]

    def remove(self, words: Iterable[str]) -> Tokens:
        """Drop every token whose form is in ``words`` (e.g. stopwords).

        Parameters
        ----------
        words : iterable of str
            The forms to drop.

        Returns
        -------
        Tokens
            A new table (``self`` when nothing is dropped); ``n_raw`` is unchanged.
        """
        words = set(words)
        drop = np.fromiter((f in words for f in self.forms), dtype=bool, count=len(self.forms))
        if not drop.any():
            return self
        keep = ~drop[self.ids]
        return Tokens(self.doc_ids, self.forms, self.ids[keep], _new_offsets(self.offsets, keep),
                      self.n_raw)


def _check_texts(texts: Sequence[Any], doc_ids: Sequence[Any] | None) -> None:
    """Raise ``TypeError`` naming the documents whose text is not a string."""
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        where = [(doc_ids[i] if doc_ids is not None else i) for i in bad[:5]]
        kinds = sorted({type(texts[i]).__name__ for i in bad})
        raise TypeError(
            f"{len(bad)} texts are not strings ({', '.join(kinds)}), e.g. "
            f"{'doc_ids' if doc_ids is not None else 'positions'} {where}. Drop missing texts "
            "(corpus.dropna(subset=['text'])) or convert them with .astype(str)."
        )


class _ColumnTexts(Sequence):
    """The texts of a string-typed column, made Python strings one slice at a time.

    An Arrow-backed column (``string[pyarrow]``, what the loaders return) holds its text in
    Arrow buffers; ``tolist()`` would copy the whole corpus into Python strings at once.
    The engines read it slice by slice (:data:`toolkit.text.engines._BLOCK_DOCS`
    documents), so only one block's strings are alive at a time.
    """

    def __init__(self, column: Any) -> None:
        self._array = column.array

    def __len__(self) -> int:
        return len(self._array)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, slice):
            return self._array[item].tolist()
        return self._array[item]

    def __iter__(self) -> Iterator[str]:
        for a, b in _blocks(len(self)):
            yield from self[a:b]


def _corpus_texts(corpus: Any, text_column: str) -> tuple[Sequence[Any], list[str]]:
    """The texts and doc_ids of a corpus table, after checking columns and text types.

    The texts of a string-typed column without missing values come as a lazy sequence
    (:class:`_ColumnTexts`); other columns as a list.
    """
    for col in ("doc_id", text_column):
        if col not in corpus.columns:
            raise ValueError(f"corpus has no {col!r} column; columns are {list(corpus.columns)}.")
    column = corpus[text_column]
    doc_ids = corpus["doc_id"].astype(str).tolist()
    if isinstance(column.dtype, pd.StringDtype) and not column.isna().any():
        return _ColumnTexts(column), doc_ids
    texts = column.tolist()
    _check_texts(texts, doc_ids)
    return texts, doc_ids


def tokenize_texts(
    texts: Sequence[str],
    *,
    doc_ids: Sequence[str] | None = None,
    tokenizer: TokenizerOptions | None = None,
    progress: bool = False,
    **options: Any,
) -> Tokens:
    """Tokenise texts into a compact :class:`Tokens` table (stopwords not yet removed).

    Parameters
    ----------
    texts : sequence of str
        The documents.
    doc_ids : sequence of str or None, default=None
        Labels of the rows; None numbers them "0", "1", ...
    tokenizer : TokenizerOptions or None, default=None
        How to tokenise; its ``stopwords`` are not applied here (use :meth:`Tokens.remove`
        with :func:`~toolkit.text.resolve_stopwords`).
    progress : bool, default=False
        Show a progress bar.
    **options
        Fields of :class:`TokenizerOptions` except ``stopwords``, instead of
        ``tokenizer`` (defaults for the rest).

    Returns
    -------
    Tokens
        One row per text, in order.

    Raises
    ------
    TypeError
        If a text is not a string (the rows are named), or for both ``tokenizer`` and
        loose options.
    ValueError
        If ``doc_ids`` and ``texts`` differ in length, or for a bad option.
    """
    opts = TokenizerOptions.resolve(tokenizer, options, caller="tokenize_texts",
                                    exclude=_NOT_IN_TOKENS)
    texts = list(texts)
    _check_texts(texts, doc_ids)
    if doc_ids is None:
        doc_ids = [str(i) for i in range(len(texts))]
    return _tokens_table(texts, doc_ids, opts, progress)


def _tokens_table(texts: Sequence[str], doc_ids: Sequence[str], opts: TokenizerOptions,
                  progress: bool) -> Tokens:
    """:func:`tokenize_texts` on checked texts (a list, or a lazy :class:`_ColumnTexts`)."""
    if len(doc_ids) != len(texts):
        raise ValueError(f"{len(doc_ids)} doc_ids for {len(texts)} texts.")
    forms, ids, offsets, n_raw = _token_arrays(
        texts, normalizer=_normalizer_from(opts.normalize), rules=opts._form_rules(),
        phrases=get_phrases(opts.phrases), engine=opts.engine, model=opts.model,
        progress=progress,
    )
    dids = np.empty(len(doc_ids), dtype=object)
    dids[:] = [str(d) for d in doc_ids]
    return Tokens(dids, forms, ids, offsets, np.asarray(n_raw, dtype=np.int64))


def tokenize(
    texts: Sequence[str] | str,
    *,
    tokenizer: TokenizerOptions | None = None,
    progress: bool = False,
    **options: Any,
) -> list[list[str]]:
    """Tokenise texts into lists of token forms.

    Parameters
    ----------
    texts : sequence of str or str
        The documents (one string is one document).
    tokenizer : TokenizerOptions or None, default=None
        How to tokenise, stopwords included (see :class:`TokenizerOptions` for every
        option and its default).
    progress : bool, default=False
        Show a progress bar.
    **options
        Fields of :class:`TokenizerOptions` (``lemmatize``, ``stopwords``, ``phrases``,
        ``lowercase``, ``normalize``, ``join_hyphens``, ``min_chars``, ``engine``,
        ``model``), instead of ``tokenizer``.

    Returns
    -------
    list of list of str
        One list per text.

    Raises
    ------
    TypeError
        If a text is not a string, or for both ``tokenizer`` and loose options.
    ValueError
        For a bad option.
    """
    opts = TokenizerOptions.resolve(tokenizer, options, caller="tokenize")
    if isinstance(texts, str):
        texts = [texts]
    toks = tokenize_texts(texts, tokenizer=opts, progress=progress)
    return toks.remove(resolve_stopwords(opts.stopwords)).to_lists()


# ============================================================================ corpus level
def corpus_fingerprint(corpus: Any, *, text_column: str = "text") -> str:
    """A checksum of a corpus table's doc_ids and texts, for cache keys.

    Every byte of every id and text counts (see :func:`toolkit.cache.frame_fingerprint`),
    so an edited table, even one that kept its loader's ``attrs``, never shares a key with
    its source.

    Parameters
    ----------
    corpus : DataFrame
        With ``doc_id`` and ``text_column``.
    text_column : str, default="text"
        The column of texts.

    Returns
    -------
    str
        The checksum.
    """
    return frame_fingerprint(corpus, columns=("doc_id", text_column))


def _blob(strings: Iterable[str]) -> np.ndarray:
    return np.frombuffer(json.dumps(list(strings), ensure_ascii=False).encode("utf-8"),
                         dtype=np.uint8)


def _unblob(arr: np.ndarray) -> np.ndarray:
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


def tokenize_corpus(
    corpus: Any,
    *,
    text_column: str = "text",
    tokenizer: TokenizerOptions | None = None,
    use_cache: bool = True,
    progress: bool = True,
    cache_home: str | None = None,
    **options: Any,
) -> Tokens:
    """Tokenise a corpus table (cached): :func:`tokenize_texts` on ``corpus[text_column]``.

    The cache entry (kind ``"tokens"``) is keyed by :func:`corpus_fingerprint`,
    :meth:`TokenizerOptions.tokens_key` and the toolkit version. Stopwords are not removed
    here, so one entry serves every stopword setting.

    Parameters
    ----------
    corpus : DataFrame
        With ``doc_id`` and ``text_column``. Not modified.
    text_column : str, default="text"
        The column of texts.
    tokenizer : TokenizerOptions or None, default=None
        How to tokenise (its ``stopwords`` are not applied here).
    use_cache : bool, default=True
        Read and write the cache.
    progress : bool, default=True
        Show a progress bar.
    cache_home : str or None, default=None
        Override of the cache folder.
    **options
        Fields of :class:`TokenizerOptions` except ``stopwords``, instead of ``tokenizer``.

    Returns
    -------
    Tokens
        One row per document, in corpus order.

    Raises
    ------
    TypeError
        If a text is not a string (missing or numeric); the doc_ids are named.
    ValueError
        If a column is missing, or for a bad option.
    """
    opts = TokenizerOptions.resolve(tokenizer, options, caller="tokenize_corpus",
                                    exclude=_NOT_IN_TOKENS)
    texts, doc_ids = _corpus_texts(corpus, text_column)
    key = cache_key(kind="tokens", corpus=corpus_fingerprint(corpus, text_column=text_column),
                    **opts.tokens_key())
    return cached(
        "tokens", key, suffix=".npz",
        build=lambda: _tokens_table(texts, doc_ids, opts, progress),
        write=_write_tokens, read=_read_tokens, cache_home=cache_home, use_cache=use_cache,
    )
