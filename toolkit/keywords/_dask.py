"""Dictionary counts and trends over a Dask DataFrame (private; reached by dispatch).

:func:`toolkit.keywords.count_matches` and :func:`toolkit.keywords.keyword_trends` hand a
Dask DataFrame here. Each partition is counted by the pandas code itself
(``count_matches`` on that partition, cached per partition when ``use_cache``), on the
workers; the per-document counts, and the metadata the trends need (every column but the
text), are gathered in partition order. The rates and intervals are then computed exactly
as in the pandas path, on the reduced per-document counts, so the numbers are identical.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.distributed import compute
from toolkit.keywords._common import _dictionary_stamp
from toolkit.keywords.dictionary import Dictionary, load_dictionary

__all__ = ["count_matches_dask", "trend_inputs_dask"]


def _check_ddf(corpus: Any, need: tuple[str, ...] = ("doc_id", "text")) -> None:
    missing = [c for c in need if c not in corpus.columns]
    if missing:
        raise ValueError(
            f"The Dask corpus lacks the column(s) {missing}; it has {list(corpus.columns)}."
        )


def _count_part(part: pd.DataFrame, d: Dictionary, *, level: str, use_cache: bool,
                cache_home: str | None, keep: list[str] | None) -> tuple[Any, Any]:
    """One partition's counts (the pandas ``count_matches``) and, on request, its metadata."""
    from toolkit.keywords.trends import count_matches

    if len(part) == 0:
        return None, None
    counts = count_matches(part, d, level=level, use_cache=use_cache, progress=False,
                           cache_home=cache_home)
    counts.attrs = {}
    meta = None if keep is None else part[keep].reset_index(drop=True)
    return counts, meta


def _gather(corpus: Any, d: Dictionary, *, level: str, use_cache: bool,
            cache_home: str | None, keep: list[str] | None,
            client: Any) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    import dask

    d.matcher  # noqa: B018 - compile once here, not once per partition
    d_task = dask.delayed(d)  # one copy per worker, not one per partition
    task = dask.delayed(_count_part, pure=True)
    parts = [task(p, d_task, level=level, use_cache=use_cache, cache_home=cache_home,
                  keep=keep) for p in corpus.to_delayed()]
    results = [r for r in compute(*parts, client=client) if r[0] is not None]
    if not results:
        raise ValueError("The corpus has no documents.")
    counts = pd.concat([r[0] for r in results], ignore_index=True)
    from toolkit.corpora._dask import check_unique_ids

    check_unique_ids(counts["doc_id"], what="the Dask corpus")
    meta = None if keep is None else pd.concat([r[1] for r in results], ignore_index=True)
    return counts, meta


def count_matches_dask(
    corpus: Any,
    dictionary: str | Path | Mapping | Dictionary,
    *,
    level: str = "category",
    use_cache: bool = True,
    cache_home: str | None = None,
    client: Any = None,
) -> pd.DataFrame:
    """:func:`~toolkit.keywords.count_matches` on a Dask DataFrame, partition by partition.

    Parameters
    ----------
    corpus : dask.dataframe.DataFrame
        A corpus table with ``doc_id`` and ``text`` (ids unique across partitions).
    dictionary : str, path, dict or Dictionary
        Anything :func:`~toolkit.keywords.load_dictionary` accepts.
    level : {"category", "term"}, default="category"
        As in ``count_matches``.
    use_cache : bool, default=True
        Cache each partition's counts (kind ``keyword_counts``, keyed by the partition's
        ids and texts) in the workers' cache home, written atomically.
    cache_home : str or None, default=None
        Override of the cache folder on the workers (None: their ``FPTK_CACHE_HOME``).
    client : dask.distributed.Client, str or None, default=None
        Where to run (see :func:`toolkit.distributed.get_client`).

    Returns
    -------
    DataFrame of shape (n_docs, 3 + n_categories [+ n_terms])
        Identical to ``count_matches(corpus.compute(), ...)``: same columns, dtypes and
        rows, in partition order, with a fresh RangeIndex and the same ``attrs``.
    """
    if level not in {"category", "term"}:
        raise ValueError(f"level must be 'category' or 'term', got {level!r}.")
    _check_ddf(corpus)
    d = load_dictionary(dictionary)
    counts, _ = _gather(corpus, d, level=level, use_cache=use_cache, cache_home=cache_home,
                        keep=None, client=client)
    counts.attrs = {"dictionary": _dictionary_stamp(d), "labels": d.labels,
                    "methods": ["dictionary_count"]}
    return counts


def trend_inputs_dask(
    corpus: Any,
    dictionary: str | Path | Mapping | Dictionary,
    *,
    use_cache: bool = True,
    client: Any = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reduced inputs of ``keyword_trends``: metadata and per-document counts.

    Parameters
    ----------
    corpus : dask.dataframe.DataFrame
        A corpus table with ``doc_id`` and ``text``.
    dictionary : str, path, dict or Dictionary
        Anything :func:`~toolkit.keywords.load_dictionary` accepts.
    use_cache : bool, default=True
        Cache each partition's counts on the workers.
    client : dask.distributed.Client, str or None, default=None
        Where to run.

    Returns
    -------
    meta : DataFrame of shape (n_docs, n_columns)
        Every column of ``corpus`` in partition order, ``text`` replaced by ``""`` (the
        counts carry what the trends need from it), fresh RangeIndex.
    counts : DataFrame of shape (n_docs, 3 + n_categories)
        As :func:`count_matches_dask`.
    """
    _check_ddf(corpus)
    d = load_dictionary(dictionary)
    keep = [c for c in corpus.columns if c != "text"]
    counts, meta = _gather(corpus, d, level="category", use_cache=use_cache, cache_home=None,
                           keep=keep, client=client)
    meta.insert(list(corpus.columns).index("text"), "text", "")
    counts.attrs = {"dictionary": _dictionary_stamp(d), "labels": d.labels,
                    "methods": ["dictionary_count"]}
    return meta, counts
