"""Benchmark topic models on the full UNGDC: speed and coherence against scikit-learn's floor.

Run (takes a few minutes; the machine is shared, so say so when quoting times)::

    FPTK_DATA_HOME=../shared/corpora .venv/bin/python benchmarks/bench_topics.py
    .venv/bin/python benchmarks/bench_topics.py --dtm toolkit --ks 10,15,20,25,30

What it prints, every line measured in the same run:

1. the floor: scikit-learn ``NMF(20)`` with its defaults on float64 tf-idf, and
   ``MiniBatchNMF(20)`` -- wall and CPU seconds, relative reconstruction error and mean
   NPMI coherence of the top 10 terms (:func:`toolkit.topics.npmi_coherence`);
2. ``TopicModel(20)`` with the toolkit's defaults, same measures;
3. ``sweep_k`` over ``--ks`` x ``--seeds`` (two processes) with its wall time and table;
4. with ``--findings``: the top terms (weight and FREX) of every topic of the model at
   ``--k`` whose top terms touch arms, weapons or security.

``--dtm sklearn`` (default) builds the matrix the issue was measured on:
``CountVectorizer(min_df=5, stop_words="english")`` (10,952 x 29,252).
``--dtm toolkit`` uses :func:`toolkit.features.build_dtm` (lemmas, phrases, cached).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

ARMS_WORDS = {"arms", "weapon", "weapons", "nuclear", "disarmament", "missile", "missiles",
              "military", "armament", "armaments", "proliferation", "treaty", "security",
              "terrorism", "war", "conflict", "arms_race", "nuclear_weapon",
              "non_proliferation", "nonproliferation", "weapon_mass_destruction"}


def _timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def _load_dtm(kind: str):
    from toolkit.corpora import load_ungdc
    from toolkit.features import DocTermMatrix

    corpus = load_ungdc(progress=False)
    if kind == "toolkit":
        from toolkit.features import build_dtm

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dtm = build_dtm(corpus, min_df=5, progress=True)
    else:
        from sklearn.feature_extraction.text import CountVectorizer

        cv = CountVectorizer(min_df=5, stop_words="english")
        X = cv.fit_transform(corpus["text"].tolist())
        dtm = DocTermMatrix.from_unsorted(X, corpus["doc_id"].astype(str).tolist(),
                                          cv.get_feature_names_out().tolist())
    return corpus, dtm


def _floor(dtm, k: int) -> None:
    from sklearn.decomposition import NMF, MiniBatchNMF

    from toolkit.topics import npmi_coherence, tfidf_weights

    X64, _ = tfidf_weights(dtm.matrix)
    norm = float(sp.linalg.norm(X64))
    for name, est, X in [
        (f"sklearn NMF({k}) defaults, float64", NMF(k, random_state=0), X64),
        (f"sklearn MiniBatchNMF({k}), float32", MiniBatchNMF(k, random_state=0),
         X64.astype(np.float32)),
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, wall, cpu = _timed(lambda est=est, X=X: est.fit(X))
        terms = [dtm.vocab[np.argsort(r)[:-11:-1]].tolist() for r in est.components_]
        coh = npmi_coherence(terms, dtm).mean()
        err = getattr(est, "reconstruction_err_", np.nan) / norm
        print(f"  {name:42s} wall {wall:6.1f} s  cpu {cpu:6.1f} s  n_iter {est.n_iter_:4d}  "
              f"rel.err {err:.4f}  NPMI {coh:.4f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtm", choices=["sklearn", "toolkit"], default="sklearn")
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--ks", default="10,15,20,25,30")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--skip-floor", action="store_true")
    ap.add_argument("--skip-sweep", action="store_true")
    ap.add_argument("--findings", action="store_true")
    ap.add_argument("--out", default=None, help="write the sweep table to this CSV")
    args = ap.parse_args(argv)
    if not os.environ.get("FPTK_DATA_HOME"):
        print("Set FPTK_DATA_HOME to the folder holding ungdc/ (e.g. ../shared/corpora).")
        return 2

    from toolkit.topics import (
        TopicModel,
        npmi_coherence,
        prevalence,
        representative_docs,
        sweep_k,
    )

    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()}", flush=True)
    (corpus, dtm), wall, _ = _timed(lambda: _load_dtm(args.dtm))
    print(f"matrix ({args.dtm}): {dtm}  built/loaded in {wall:.1f} s", flush=True)

    if not args.skip_floor:
        print("floor (same run):", flush=True)
        _floor(dtm, args.k)
    tm, wall, cpu = _timed(lambda: TopicModel(args.k, random_state=0).fit(dtm))
    coh = npmi_coherence(tm, dtm).mean()
    print(f"  {'toolkit TopicModel(' + str(args.k) + ') defaults':42s} wall {wall:6.1f} s  "
          f"cpu {cpu:6.1f} s  n_iter {tm.n_iter_:4d}  rel.err {tm.relative_err_:.4f}  "
          f"NPMI {coh:.4f}   (fit only: {tm.fit_seconds_:.1f} s)", flush=True)

    if not args.skip_sweep:
        ks = [int(x) for x in args.ks.split(",")]
        seeds = [int(x) for x in args.seeds.split(",")]
        sweep, wall, _ = _timed(lambda: sweep_k(dtm, ks, seeds=seeds, n_jobs=args.n_jobs,
                                                use_cache=False))
        timings = pd.DataFrame(sweep.attrs["timings"])
        sweep = sweep.merge(timings, on=["k", "seed"], how="left")
        print(f"sweep_k: {len(ks)} k x {len(seeds)} seeds, n_jobs={args.n_jobs}: "
              f"wall {wall:.1f} s", flush=True)
        cols = ["k", "seed", "coherence", "coherence_min", "stability", "heldout",
                "n_iter", "fit_seconds"]
        print(sweep[cols].round(4).to_string(index=False))
        summary = sweep.groupby("k")[["coherence", "stability", "heldout"]].agg(["mean", "std"])
        print(summary.round(4).to_string())
        if args.out:
            sweep.to_csv(args.out, index=False)

    if args.findings:
        top = tm.top_term_lists(12)
        frex = tm.top_term_lists(12, scheme="frex")
        share = tm.doc_topic_.mean(axis=0)
        arms = [t for t, terms in enumerate(top) if ARMS_WORDS & set(terms)]
        print(f"topics of TopicModel({args.k}) touching arms/security (mean share):")
        for t in arms:
            print(f"  T{t:02d} ({share[t]:.3f}) weight: {', '.join(top[t])}")
            print(f"        frex:  {', '.join(frex[t])}")
        if arms:
            rep = representative_docs(tm, corpus, n=3, topics=arms, window=60)
            for r in rep.itertuples():
                print(f"  T{r.topic:02d} {r.doc_id:14s} {r.share:.2f}  ...{r.left} "
                      f"[{r.match}] {r.right}...")
            prev = prevalence(tm, corpus, period="decade", n_boot=200, random_state=0)
            prev = prev[prev["topic"].isin(arms)]
            print(prev.pivot(index="period", columns="topic", values="share").round(3)
                  .to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
