"""Benchmark: alignment panels on the full UNGDC (issue 6).

Target: per-year tf-idf cosine panels for all sessions from a cached matrix within 2x of
the 0.85 s reference (point estimates). Every stage starts from matrices already in memory
(the corpus table and the paragraph-level matrix come from the cache; the first run builds
them). Times are the best and median of ``--repeat`` runs in this process:

- floor: for each year, scikit-learn ``TfidfTransformer`` on the actor rows of the year and
  ``cosine_similarity`` (square matrices only: no labels, no tidy table, no counts);
- ``similarity_panel`` on the document-level matrix (tidy dyad table, all years);
- ``similarity_panel`` on the paragraph-level matrix (same numbers, rows summed first);
- the paragraph bootstrap (200 replicates, BCa intervals with the closed-form jackknife) for
  the four dyads of the research question, all years, and for every dyad of one year (2014),
  with the percentile interval beside it (the jackknife's cost is the difference);
- ``wordscores_by_period`` (RUS = -1, USA = +1, every year) on the fixed scale with its
  bootstrap over paragraphs (200 replicates), and the former per-year fit without intervals;
- ``cluster_blocs`` (number of blocs chosen by silhouette) and ``map_positions``, all actors;
- ``validate_against`` with UN voting agreement by session and with ideal-point distance
  (when FPTK_EXTERNAL_HOME is set).

Run: ``FPTK_DATA_HOME=../shared/corpora FPTK_EXTERNAL_HOME=../shared/external
python benchmarks/bench_alignment.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any


def _time(fn: Callable[[], Any], repeat: int) -> tuple[dict[str, float], Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return {"best_s": min(times), "median_s": statistics.median(times)}, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not os.environ.get("FPTK_DATA_HOME"):
        print("Set FPTK_DATA_HOME to the folder holding ungdc/ (e.g. ../shared/corpora).")
        return 2
    warnings.simplefilter("ignore")
    import numpy as np
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.metrics.pairwise import cosine_similarity

    from toolkit import alignment as al
    from toolkit import corpora, features

    t = time.perf_counter()
    corpus = corpora.load_ungdc(progress=False)
    t_split = time.perf_counter()
    passages = al.split_passages(corpus, unit="paragraph")
    print(f"split_passages without cache: {time.perf_counter() - t_split:.1f} s")
    al.split_passages(corpus, unit="paragraph", use_cache=True)
    t_split = time.perf_counter()
    al.split_passages(corpus, unit="paragraph", use_cache=True)
    print(f"split_passages from the cache: {time.perf_counter() - t_split:.1f} s")
    pdtm = features.build_dtm(passages, min_df=5, progress=False)
    ddtm = pdtm.group_sum(passages.set_index("doc_id")["parent_doc_id"])
    print(
        f"setup (cached corpus + paragraph split + cached matrix): {time.perf_counter() - t:.1f} s"
    )
    print(f"documents {ddtm.shape}, paragraphs {pdtm.shape}")
    rows: list[tuple[str, dict[str, float]]] = []

    meta = corpus.set_index("doc_id").loc[ddtm.doc_ids]
    years = meta["year"].to_numpy()
    x = ddtm.matrix

    def floor() -> int:
        n = 0
        for y in np.unique(years):
            m = TfidfTransformer().fit_transform(x[years == y])
            n += cosine_similarity(m).size
        return n

    r, _ = _time(floor, args.repeat)
    rows.append(("floor: sklearn tf-idf + cosine per year", r))
    r, panel = _time(
        lambda: al.similarity_panel(ddtm, corpus, n_boot=0, progress=False), args.repeat
    )
    rows.append((f"similarity_panel, documents ({len(panel)} dyads)", r))
    r, _ = _time(lambda: al.similarity_panel(pdtm, passages, n_boot=0, progress=False), args.repeat)
    rows.append(("similarity_panel, paragraphs (point est.)", r))
    four = ["CHN", "DEU", "RUS", "USA"]
    r, _ = _time(
        lambda: al.similarity_panel(
            pdtm, passages, actors=four, n_boot=200, random_state=0, progress=False
        ),
        1,
    )
    rows.append(("bootstrap 200, 4 actors, all years", r))
    r, _ = _time(
        lambda: al.similarity_panel(
            pdtm, passages, periods=[2014], n_boot=200, random_state=0, progress=False
        ),
        1,
    )
    rows.append(("bootstrap 200 BCa, all dyads of 2014", r))
    r, _ = _time(
        lambda: al.similarity_panel(
            pdtm, passages, periods=[2014], n_boot=200, interval="percentile",
            random_state=0, progress=False,
        ),
        1,
    )
    rows.append(("bootstrap 200 percentile, all dyads of 2014", r))
    refs = {"RUS": -1.0, "USA": 1.0}  # the UNGDC authors' reference speeches
    r, _ = _time(
        lambda: al.wordscores_by_period(pdtm, passages, references=refs, random_state=0,
                                        progress=False), 1
    )
    rows.append(("wordscores_by_period, fixed scale, 200 boot", r))
    r, _ = _time(
        lambda: al.wordscores_by_period(ddtm, corpus, references=refs, scale="per_period",
                                        n_boot=0, progress=False), 1
    )
    rows.append(("wordscores_by_period, per year, analytic", r))
    r, _ = _time(lambda: al.cluster_blocs(panel), 1)
    rows.append(("cluster_blocs, silhouette k=2..8, all years", r))
    r, _ = _time(lambda: al.map_positions(panel), 1)
    rows.append(("map_positions, all actors, all years", r))
    if os.environ.get("FPTK_EXTERNAL_HOME"):
        from toolkit import external

        t = time.perf_counter()
        agree = external.voting_agreement(external.load_unvotes(unknown="ignore"))
        print(f"(voting agreement prepared in {time.perf_counter() - t:.1f} s, not timed below)")
        r, _ = _time(lambda: al.validate_against(panel, agree, n_boot=1000, random_state=0), 1)
        rows.append(("validate_against (join + 1000 boot/decade)", r))
        dist = external.idealpoint_distance(external.load_idealpoints(), period="session")
        r, _ = _time(
            lambda: al.validate_against(panel, dist, value="distance", n_boot=1000,
                                        random_state=0), 1)
        rows.append(("validate_against ideal points (1000 boot)", r))
    base = rows[0][1]["best_s"]
    print(f"{'stage':<46}{'best s':>9}{'median s':>10}{'x floor':>9}")
    for name, r in rows:
        print(f"{name:<46}{r['best_s']:>9.3f}{r['median_s']:>10.3f}{r['best_s'] / base:>9.2f}")
    print(f"(load average at end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
