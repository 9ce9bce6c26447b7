"""What is in a corpus table, and what is missing: tidy summaries for the overview report.

Every function takes a corpus table (see :mod:`toolkit.corpora.schema`), never changes
it, and returns a tidy DataFrame that :mod:`toolkit.plots.corpus` draws.
Lengths are counted in words: runs of non-whitespace characters (Unicode whitespace).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit._validation import require_columns

__all__ = [
    "coverage_gaps",
    "coverage_matrix",
    "docs_by_actor",
    "docs_by_year",
    "format_years",
    "length_extremes",
    "posts",
    "skipped_files",
    "speaker_coverage",
    "word_counts",
    "years_without_documents",
]


_CORPUS_HINT = "Load it with a toolkit.corpora loader or standardize_columns() first."


#: Documents whose words are split at once by :func:`word_counts`.
_WORD_BLOCK = 512


def word_counts(corpus: pd.DataFrame) -> pd.Series:
    """Return the number of words of each document.

    Parameters
    ----------
    corpus : DataFrame
        A corpus table with ``doc_id`` and ``text``.

    Returns
    -------
    Series of shape (n_docs,)
        int64 word counts indexed by ``doc_id`` (0 for a missing text).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    require_columns(corpus, ["doc_id", "text"], what="word_counts", hint=_CORPUS_HINT,
                    noun="corpus table")
    texts = corpus["text"]
    counts = np.zeros(len(texts), dtype=np.int64)
    # In blocks of documents: the split of a whole corpus into word lists held ~1.2 GB at once
    # on UNGDC; block by block the counts are the same.
    for start in range(0, len(texts), _WORD_BLOCK):
        block = texts.iloc[start:start + _WORD_BLOCK].astype("string").fillna("")
        arr = pa.array(block, type=pa.large_string())
        counts[start:start + len(block)] = pc.list_value_length(
            pc.utf8_split_whitespace(arr)).to_numpy(zero_copy_only=False)
    return pd.Series(counts, index=pd.Index(corpus["doc_id"].astype(str), name="doc_id"),
                     name="words")


def _with_words(corpus: pd.DataFrame, words: pd.Series | None) -> pd.DataFrame:
    w = word_counts(corpus) if words is None else words
    out = corpus[[c for c in ("doc_id", "actor", "actor_name", "year") if c in corpus]].copy()
    out["words"] = w.reindex(corpus["doc_id"].astype(str)).to_numpy()
    return out


def docs_by_year(corpus: pd.DataFrame, *, words: pd.Series | None = None) -> pd.DataFrame:
    """Documents, actors and words per year.

    Parameters
    ----------
    corpus : DataFrame
        A corpus table with ``doc_id``, ``text``, ``actor`` and ``year``.
    words : Series or None, default=None
        Precomputed :func:`word_counts` (saves a pass over the texts).

    Returns
    -------
    DataFrame of shape (n_years, 7)
        ``year``, ``n_docs``, ``n_actors``, ``words_total``, ``words_median``,
        ``words_q25``, ``words_q75``; one row per year that has documents, sorted.
    """
    require_columns(
        corpus, ["doc_id", "text", "actor", "year"],
        what="docs_by_year", hint=_CORPUS_HINT, noun="corpus table",
    )
    d = _with_words(corpus, words).dropna(subset=["year"])
    g = d.groupby("year", sort=True)
    out = pd.DataFrame({
        "n_docs": g.size(),
        "n_actors": g["actor"].nunique(),
        "words_total": g["words"].sum(),
        "words_median": g["words"].median(),
        "words_q25": g["words"].quantile(0.25),
        "words_q75": g["words"].quantile(0.75),
    }).reset_index()
    out["year"] = out["year"].astype("int64")
    return out


def docs_by_actor(corpus: pd.DataFrame, *, words: pd.Series | None = None) -> pd.DataFrame:
    """Documents per actor, with the years each actor covers.

    Parameters
    ----------
    corpus : DataFrame
        A corpus table with ``doc_id``, ``text``, ``actor`` and ``year`` (``actor_name``
        is used where present). Documents without an actor are left out.
    words : Series or None, default=None
        Precomputed :func:`word_counts` (saves a pass over the texts).

    Returns
    -------
    DataFrame of shape (n_actors, 8)
        ``actor``, ``actor_name``, ``n_docs``, ``first_year``, ``last_year``,
        ``n_years``, ``n_missing_years`` (years between first and last without a
        document) and ``words_median``; sorted by ``n_docs`` descending, then actor.
    """
    require_columns(
        corpus, ["doc_id", "text", "actor", "year"],
        what="docs_by_actor", hint=_CORPUS_HINT, noun="corpus table",
    )
    d = _with_words(corpus, words)
    if "actor_name" not in d:
        d["actor_name"] = pd.NA
    d = d.dropna(subset=["actor"])
    g = d.groupby("actor", sort=True)
    out = pd.DataFrame({
        "actor_name": g["actor_name"].first(),
        "n_docs": g.size(),
        "first_year": g["year"].min(),
        "last_year": g["year"].max(),
        "n_years": g["year"].nunique(),
        "words_median": g["words"].median(),
    }).reset_index()
    span = (out["last_year"] - out["first_year"] + 1).astype("Int64")
    out.insert(6, "n_missing_years", (span - out["n_years"]).astype("Int64"))
    out = out.sort_values(["n_docs", "actor"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def format_years(years: Sequence[int]) -> str:
    """Write years compactly: ``[1971, 1972, 1973, 1980]`` -> ``"1971–1973, 1980"``.

    Parameters
    ----------
    years : sequence of int
        Years in any order (values are converted with ``int``); duplicates are allowed.

    Returns
    -------
    str
        Runs of consecutive years as ``"first–last"`` (en dash), single years alone,
        joined by ``", "`` in ascending order; ``""`` for no years.
    """
    ys = sorted(int(y) for y in years)
    if not ys:
        return ""
    runs, start, prev = [], ys[0], ys[0]
    for y in ys[1:]:
        if y != prev + 1:
            runs.append((start, prev))
            start = y
        prev = y
    runs.append((start, prev))
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def coverage_gaps(corpus: pd.DataFrame) -> pd.DataFrame:
    """Actors with years missing between their first and last document.

    Parameters
    ----------
    corpus : DataFrame
        A corpus table with ``actor`` and ``year`` (``actor_name`` is used where present).
        Rows without an actor or a year are left out.

    Returns
    -------
    DataFrame of shape (n_actors_with_gaps, 6)
        ``actor``, ``actor_name``, ``first_year``, ``last_year``, ``n_missing``,
        ``missing`` (compact ranges, see :func:`format_years`); sorted by
        ``n_missing`` descending, then actor.
    """
    require_columns(corpus, ["actor", "year"], what="coverage_gaps", hint=_CORPUS_HINT,
                    noun="corpus table")
    d = corpus[["actor", "year"]].dropna()
    names = (corpus.dropna(subset=["actor"]).groupby("actor")["actor_name"].first()
             if "actor_name" in corpus else pd.Series(dtype="string"))
    rows = []
    for actor, years in d.groupby("actor", sort=True)["year"]:
        have = set(int(y) for y in years)
        lo, hi = min(have), max(have)
        missing = [y for y in range(lo, hi + 1) if y not in have]
        if missing:
            rows.append({
                "actor": actor, "actor_name": names.get(actor, pd.NA), "first_year": lo,
                "last_year": hi, "n_missing": len(missing), "missing": format_years(missing),
            })
    out = pd.DataFrame(rows, columns=["actor", "actor_name", "first_year", "last_year",
                                      "n_missing", "missing"])
    out = out.sort_values(["n_missing", "actor"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


def years_without_documents(corpus: pd.DataFrame) -> list[int]:
    """Years between the first and the last year of the corpus with no document.

    Parameters
    ----------
    corpus : DataFrame
        A corpus table with ``year``.

    Returns
    -------
    list of int
        The missing years, ascending; empty when none is missing or no row has a year.
    """
    require_columns(corpus, ["year"], what="years_without_documents", hint=_CORPUS_HINT,
                    noun="corpus table")
    have = set(int(y) for y in corpus["year"].dropna())
    if not have:
        return []
    return [y for y in range(min(have), max(have) + 1) if y not in have]


def coverage_matrix(corpus: pd.DataFrame, actors: Sequence[str] | None = None) -> pd.DataFrame:
    """Documents per actor and year, every year of the corpus as a column.

    Parameters
    ----------
    corpus : DataFrame
        A corpus table with ``actor`` and ``year``.
    actors : sequence of str or None, default=None
        Rows to keep, in this order (unknown codes raise). None keeps all, sorted.

    Returns
    -------
    DataFrame of shape (n_actors, n_years)
        Counts (int64); index ``actor``, columns the years from first to last.
    """
    require_columns(corpus, ["actor", "year"], what="coverage_matrix", hint=_CORPUS_HINT,
                    noun="corpus table")
    d = corpus[["actor", "year"]].dropna()
    if d.empty:
        raise ValueError("coverage_matrix: the corpus has no document with both actor and year.")
    counts = pd.crosstab(d["actor"].astype(str), d["year"].astype("int64"))
    years = range(int(d["year"].min()), int(d["year"].max()) + 1)
    counts = counts.reindex(columns=list(years), fill_value=0)
    if actors is not None:
        unknown = [a for a in actors if a not in counts.index]
        if unknown:
            raise ValueError(
                f"coverage_matrix: actor(s) {unknown} have no document; known actors include "
                f"{sorted(counts.index)[:20]}."
            )
        counts = counts.loc[list(actors)]
    counts.index.name = "actor"
    counts.columns.name = "year"
    return counts.astype("int64")


def speaker_coverage(corpus: pd.DataFrame) -> pd.DataFrame:
    """Share of documents per year whose speaker and post are known.

    Parameters
    ----------
    corpus : DataFrame
        A corpus table with ``year``; ``speaker`` and ``post`` where present (a missing
        column counts as unknown everywhere). Rows without a year are left out.

    Returns
    -------
    DataFrame of shape (n_years, 4)
        ``year``, ``n_docs``, ``share_speaker``, ``share_post`` (0–1).
    """
    require_columns(corpus, ["year"], what="speaker_coverage", hint=_CORPUS_HINT,
                    noun="corpus table")
    d = pd.DataFrame({
        "year": corpus["year"],
        "speaker": corpus["speaker"].notna() if "speaker" in corpus else False,
        "post": corpus["post"].notna() if "post" in corpus else False,
    }).dropna(subset=["year"])
    g = d.groupby("year", sort=True)
    out = pd.DataFrame({
        "n_docs": g.size(),
        "share_speaker": g["speaker"].mean(),
        "share_post": g["post"].mean(),
    }).reset_index()
    out["year"] = out["year"].astype("int64")
    return out


def posts(corpus: pd.DataFrame, *, n: int = 10) -> pd.DataFrame:
    """The most frequent posts (offices) of speakers, case- and space-normalised.

    Parameters
    ----------
    corpus : DataFrame
        A corpus table; without a ``post`` column every document is ``"(unknown)"``.
    n : int, default=10
        How many posts are listed by name; the rest are summed in ``"(other)"``.

    Returns
    -------
    DataFrame of shape (<= n + 1, 3)
        ``post``, ``n_docs``, ``share`` (of all documents); a last row ``"(other)"``
        sums the rest and ``"(unknown)"`` counts documents without a post.
    """
    if "post" not in corpus:
        return pd.DataFrame({"post": ["(unknown)"], "n_docs": [len(corpus)], "share": [1.0]})
    p = corpus["post"].astype("string").str.strip().str.replace(r"\s+", " ", regex=True)
    p = p.str.lower().fillna("(unknown)").replace("", "(unknown)")
    counts = p.value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    top = counts.iloc[:n]
    rest = counts.iloc[n:].sum()
    out = pd.DataFrame({"post": top.index.astype(str), "n_docs": top.to_numpy(dtype="int64")})
    if rest:
        out = pd.concat([out, pd.DataFrame({"post": ["(other)"], "n_docs": [int(rest)]})],
                        ignore_index=True)
    out["share"] = out["n_docs"] / max(len(corpus), 1)
    return out


def skipped_files(corpus: pd.DataFrame) -> pd.DataFrame:
    """Files the loader skipped, from ``corpus.attrs["corpus"]["skipped"]``.

    Parameters
    ----------
    corpus : DataFrame
        A corpus table as a loader returns it (empty result without provenance).

    Returns
    -------
    DataFrame of shape (n_skipped, 2)
        ``file``, ``reason``.
    """
    skipped = (corpus.attrs.get("corpus") or {}).get("skipped") or []
    return pd.DataFrame(
        [{"file": s.get("file"), "reason": s.get("reason")} for s in skipped],
        columns=["file", "reason"],
    )


def length_extremes(
    corpus: pd.DataFrame, *, n: int = 3, excerpt: int = 160, words: pd.Series | None = None
) -> pd.DataFrame:
    """The shortest and the longest documents, with the start of their text.

    The excerpt is raw corpus text: display it only through pandas' HTML (which
    escapes it) or :func:`toolkit.report.prose`.

    Parameters
    ----------
    corpus : DataFrame
        A corpus table with ``doc_id`` and ``text`` (``actor`` and ``year`` where present).
    n : int, default=3
        How many documents at each end; ties in length are broken by ``doc_id``.
    excerpt : int, default=160
        Characters of text kept, whitespace runs then folded to one space.
    words : Series or None, default=None
        Precomputed :func:`word_counts` (saves a pass over the texts).

    Returns
    -------
    DataFrame of shape (<= 2 * n, 6)
        ``which`` ("shortest"/"longest"), ``doc_id``, ``actor``, ``year``, ``words``,
        ``excerpt``.
    """
    d = _with_words(corpus, words)
    d["excerpt"] = (
        corpus["text"].astype("string").fillna("").str.slice(0, excerpt)
        .str.replace(r"\s+", " ", regex=True).to_numpy()
    )
    d = d.sort_values(["words", "doc_id"], kind="stable")
    short = d.head(n).assign(which="shortest")
    long_ = d.tail(n).iloc[::-1].assign(which="longest")
    cols = ["which", "doc_id", "actor", "year", "words", "excerpt"]
    out = pd.concat([short, long_], ignore_index=True)
    for c in cols:
        if c not in out:
            out[c] = pd.NA
    out = out[cols]
    out["words"] = out["words"].astype(np.int64)
    return out
