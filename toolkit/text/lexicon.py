"""Word lists: stopwords, curated phrases, lemma corrections, and phrase detection.

The lists are versioned files under ``toolkit/data/`` (``stopwords/un_diplomatic_v{N}.txt``,
``phrases/un_security_v{N}.txt``, each with a README); their content enters every cache
key through :func:`stopwords_key` and :func:`get_phrases`.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotation only: tokens.py imports this module
    from toolkit.text.tokens import Tokens

__all__ = [
    "DOMAIN_STOPWORDS_VERSION",
    "LEMMA_OVERRIDES",
    "PHRASES_VERSION",
    "detect_phrases",
    "get_phrases",
    "get_stopwords",
    "resolve_stopwords",
    "stopwords_key",
]

DOMAIN_STOPWORDS_VERSION = 1
PHRASES_VERSION = 1

#: Lookup-lemma corrections applied to spaCy's table (both engines). spaCy maps "arms" to
#: "arm", which would merge weapons with limbs in an arms-trade corpus.
LEMMA_OVERRIDES: dict[str, str] = {"arms": "arms", "Arms": "Arms", "data": "data"}

_DATA = resources.files("toolkit") / "data"

#: The named stopword lists a ``stopwords=`` argument may give.
_STOPWORD_LISTS = ("default", "spacy", "domain")


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
        The version of the domain list.

    Returns
    -------
    frozenset of str
        The lowercase stopwords.
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

    Parameters
    ----------
    stopwords : "default", "spacy", "domain", bool, None or iterable of str
        ``"default"`` or True: spaCy + domain; ``"spacy"``; ``"domain"``; None/False:
        none; an iterable of str: exactly those words (lowercased).

    Returns
    -------
    frozenset of str
        The lowercase stopwords.

    Raises
    ------
    ValueError
        For a string that names no list.
    """
    if stopwords is None or stopwords is False:
        return frozenset()
    if stopwords is True or stopwords == "default":
        return get_stopwords()
    if stopwords == "spacy":
        return get_stopwords(domain=False)
    if stopwords == "domain":
        return get_stopwords(spacy=False)
    _check_stopwords_name(stopwords)
    return frozenset(str(w).lower() for w in stopwords)


def stopwords_key(stopwords: Any) -> Any:
    """What identifies a ``stopwords=`` argument in a cache key, without importing spaCy.

    Parameters
    ----------
    stopwords : "default", "spacy", "domain", bool, None or iterable of str
        As for :func:`resolve_stopwords` (and validated the same way).

    Returns
    -------
    dict, list of str or None
        Named lists: their name, the domain list's SHA-256 and the spaCy version; explicit
        word sets: their sorted lowercase words; None for no stopwords.
    """
    import hashlib
    from importlib.metadata import version

    if stopwords is None or stopwords is False:
        return None
    if stopwords is True or stopwords in _STOPWORD_LISTS:
        name = "default" if stopwords is True else stopwords
        path = Path(str(_DATA / "stopwords" / f"un_diplomatic_v{DOMAIN_STOPWORDS_VERSION}.txt"))
        return {"name": name, "spacy": version("spacy"),
                "domain_sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    return sorted(resolve_stopwords(stopwords))


def _check_stopwords_name(stopwords: Any) -> None:
    """Raise ``ValueError`` when ``stopwords`` is a string that names no list."""
    if isinstance(stopwords, str) and stopwords not in _STOPWORD_LISTS:
        raise ValueError(
            f"stopwords={stopwords!r}; use 'default', 'spacy', 'domain', None or a set of words."
        )


def _read_list(path: Any) -> list[str]:
    """The non-blank lines of a word-list file, without ``#`` comments."""
    out = []
    for line in Path(str(path)).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def get_phrases(spec: Any = True) -> tuple[str, ...]:
    """Return the phrase list for a ``phrases=`` argument.

    Parameters
    ----------
    spec : bool, None, str, Path or iterable of str, default=True
        True: the curated list ``toolkit/data/phrases/un_security_v{PHRASES_VERSION}.txt``;
        False/None: none; a path (str/Path to an existing file): one phrase per line;
        an iterable of str: those phrases.

    Returns
    -------
    tuple of str
        The phrases, words separated by spaces, in the order given.

    Raises
    ------
    FileNotFoundError
        If a path is not a file.
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
    lists = docs.to_lists() if hasattr(docs, "to_lists") else docs  # Tokens or lists
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

