"""Benchmark: keyword counts and trends on the full UNGDC (issue 4), beside the one-regex floor.

Stages (one process, the corpus loaded once; the machine is shared, so every number is
printed with the load average):

- floor: one compiled alternation regex of the 30 benchmark terms (``\\b(?:...)\\b``,
  longest first), ``findall`` over every lower-cased text (faster than IGNORECASE): the
  plainest way to count a 30-term dictionary, without inflections or token counts;
- optional (``--pandas``): pandas ``str.count`` per term (the slow baseline, about 14x);
- fptk ``count_matches`` of the same 30 terms (inflections, nesting, tokens), cold (no
  cache), and of the full built-in ``arms`` dictionary (about 200 entries), cold;
- fptk ``keyword_trends`` of the 30-term dictionary by actor x year with the default
  intervals (``interval="auto"``: exact Poisson below 20 matches, else quasi-Poisson for
  one actor), warm (per-document counts from the cache: includes hashing the corpus) and
  from precomputed counts (the intervals alone); the same by actor x decade; all states
  pooled per year and per decade, where "auto" runs the cluster bootstrap over states
  (1,000 replicates, BCa); and, for comparison, the document bootstrap of before issue 11
  (``interval="bootstrap"``) by actor x decade.

Target (issue 4): 30-term trends by actor x year with 1,000 replicates <= 5 s on 2 cores.

Run: ``FPTK_DATA_HOME=... python benchmarks/bench_keywords.py`` (``--years 2000`` to time
a subset). Without FPTK_DATA_HOME it uses the small SOTU corpus.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
import warnings

TERMS_30 = {
    "transfers": ["arms export", "arms sale", "arms transfer", "arms trade", "arms supply",
                  "arms delivery", "weapon supply", "weapon delivery", "sell weapon",
                  "military equipment"],
    "aid": ["military aid", "military assistance", "lethal aid", "security assistance",
            "military support"],
    "controls": ["export control", "dual use", "end user", "Wassenaar Arrangement",
                 "Nuclear Suppliers Group"],
    "sanctions": ["embargo", "arms embargo", "sanction", "unilateral coercive measure",
                  "blockade"],
    "control": ["disarmament", "arms control", "Arms Trade Treaty", "small arms",
                "non-proliferation"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=None, help="only speeches from this year on")
    parser.add_argument("--pandas", action="store_true", help="also time pandas str.count")
    args = parser.parse_args(argv)
    os.environ["FPTK_CACHE_HOME"] = tempfile.mkdtemp(prefix="fptk-bench-keywords-")
    warnings.simplefilter("ignore")

    import pandas as pd

    from toolkit import keywords as kw
    from toolkit.corpora import default_corpus_name, load_corpus

    name = default_corpus_name()
    corpus = load_corpus(name, progress=False) if name == "ungdc" else load_corpus("sotu")
    if args.years is not None:
        corpus = corpus[corpus["year"] >= args.years].reset_index(drop=True)
    texts = corpus["text"].astype(str).tolist()
    d30 = kw.load_dictionary({"name": "bench30", "version": "1", "categories": TERMS_30})
    n_terms = sum(len(v) for v in TERMS_30.values())
    print(f"corpus {name}: {len(corpus)} documents, {sum(map(len, texts)) / 1e6:.0f} M chars; "
          f"{n_terms} benchmark terms", flush=True)
    rows: list[tuple[str, float, str]] = []

    def stage(label: str, fn):
        t = time.perf_counter()
        info = fn()
        dt = time.perf_counter() - t
        rows.append((label, dt, info))
        print(f"  done: {label}: {dt:.2f} s  {info}", flush=True)
        return info

    literal = [t.lower() for ts in TERMS_30.values() for t in ts]
    alternation = "|".join(re.escape(t) for t in sorted(literal, key=len, reverse=True))
    floor_rx = re.compile(r"\b(?:" + alternation + r")\b")
    stage("floor: one alternation regex, 30 terms",
          lambda: f"{sum(len(floor_rx.findall(x.lower())) for x in texts)} matches")
    if args.pandas:
        s = pd.Series(texts).str.lower()

        def per_term() -> str:
            n = sum(int(s.str.count(r"\\b" + re.escape(t) + r"\\b").sum()) for t in literal)
            return f"{n} matches"

        stage("pandas str.count per term, 30 terms", per_term)
    counts = {}

    def cold30():
        counts["c"] = kw.count_matches(corpus, d30, progress=False)
        return f"{int(counts['c']['n_matches'].sum())} matches, tokens counted too"

    stage("fptk count_matches 30 terms, cold", cold30)
    def cold_arms() -> str:
        c = kw.count_matches(corpus, "arms", use_cache=False, progress=False)
        return f"{len(kw.load_dictionary('arms'))} entries, {int(c['n_matches'].sum())} matches"

    stage("fptk count_matches arms dict, cold", cold_arms)

    def trends(period, use_counts, by="actor", interval="auto"):
        tr = kw.keyword_trends(corpus, d30, by=by, period=period, n_boot=1000,
                               interval=interval, random_state=0, progress=False,
                               counts=counts["c"] if use_counts else None)
        methods = ", ".join(f"{k} {v}" for k, v in tr.attrs["ci_methods"].items())
        return f"{len(tr)} rows ({methods})"

    stage("trends actor x year, auto, warm cache", lambda: trends("year", False))
    stage("trends actor x year, auto, from counts", lambda: trends("year", True))
    stage("trends actor x decade, auto, warm cache", lambda: trends("decade", False))
    stage("trends actor x decade, auto, from counts", lambda: trends("decade", True))
    stage("trends pooled x year, auto (cluster), counts", lambda: trends("year", True, None))
    stage("trends pooled x decade, auto (cluster), counts",
          lambda: trends("decade", True, None))
    stage("trends actor x decade, old doc bootstrap, counts",
          lambda: trends("decade", True, interval="bootstrap"))

    base = rows[0][1]
    print()
    print(f"{'stage':<50}{'wall s':>8}{'x floor':>9}")
    for label, dt, _ in rows:
        print(f"{label:<50}{dt:>8.2f}{dt / base:>9.2f}")
    print(f"(load average at end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          "wall times on a shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
