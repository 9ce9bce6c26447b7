"""Benchmark: stance labelling of every arms-supply sentence in UNGDC (issue 12).

Stages (one process, the corpus loaded once; the machine is shared, so every number is
printed with the load average):

- find the stance units: :func:`toolkit.stance.stance_sentences`, the sentences with a match
  in arms_transfers, military_aid or export_controls (dictionary ``arms``), cold;
- label them with :class:`toolkit.stance.StanceRules` (``explain``: label, rule and cues),
  spaCy blank pipeline with lookup lemmas;
- both together (:func:`toolkit.stance.label_stance`), as the reports call it;
- for comparison, the supervised :class:`toolkit.stance.StanceModel`: fit on the gold set and
  predict every sentence.

Target (issue 12): stance labelling of every arms sentence in UNGDC <= 20 s on 2 cores (the
labelling stage; the full ``label_stance`` is printed too).

Run: ``FPTK_DATA_HOME=... python benchmarks/bench_stance.py`` (``--years 2000`` to time a
subset). Without FPTK_DATA_HOME it uses the small SOTU corpus.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=None, help="only speeches from this year on")
    args = parser.parse_args(argv)
    os.environ.setdefault("FPTK_CACHE_HOME", tempfile.mkdtemp(prefix="fptk-bench-stance-"))
    warnings.simplefilter("ignore")

    from toolkit import stance
    from toolkit.corpora import default_corpus_name, load_corpus

    name = default_corpus_name()
    corpus = load_corpus(name, progress=False) if name == "ungdc" else load_corpus("sotu")
    if args.years is not None:
        corpus = corpus[corpus["year"] >= args.years].reset_index(drop=True)
    print(f"corpus {name}: {len(corpus)} documents, "
          f"{corpus['text'].str.len().sum() / 1e6:.0f} M chars", flush=True)
    rows: list[tuple[str, float, str]] = []
    state: dict = {}

    def stage(label: str, fn) -> None:
        t = time.perf_counter()
        info = fn()
        dt = time.perf_counter() - t
        rows.append((label, dt, info))
        print(f"  done: {label}: {dt:.2f} s  {info}", flush=True)

    def sentences() -> str:
        state["s"] = stance.stance_sentences(corpus, "arms")
        return f"{len(state['s'])} arms-supply sentences"

    def rules() -> str:
        out = stance.StanceRules().fit().explain(state["s"])
        counts = out["stance"].value_counts()
        return ", ".join(f"{k} {v}" for k, v in counts.items())

    def both() -> str:
        return f"{len(stance.label_stance(corpus, 'arms'))} sentences labelled"

    def model() -> str:
        gold = stance.load_gold()
        fitted = stance.StanceModel(random_state=0).fit(gold, gold["stance"])
        return f"{len(fitted.predict(state['s']))} sentences predicted"

    stage("find arms-supply sentences (stance_sentences)", sentences)
    stage("label them: StanceRules.explain", rules)
    stage("label_stance (find + rules)", both)
    stage("StanceModel: fit on gold + predict all", model)

    print()
    print(f"{'stage':<50}{'wall s':>8}")
    for label, dt, _ in rows:
        print(f"{label:<50}{dt:>8.2f}")
    print(f"(target: labelling <= 20 s on 2 cores; load average at end: "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; wall times on a shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
