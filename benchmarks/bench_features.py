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

Memory (issue 14): the cold build of the notebooks' matrix (``build_dtm(corpus, min_df=20,
max_df=0.5, max_terms=20000)``, as notebooks 01 and 02 call it; the tokens and the matrix are
built and written to a fresh cache, the corpus table is read from the cache) runs in a fresh
process whose proportional set size (PSS, ``/proc/<pid>/smaps_rollup``, summed over the process
and its descendants) is sampled every 0.1 s; the peak is printed beside the time and the
target of 1.5 GB (``--only memory`` runs just this stage). The peak includes the corpus table.

Run: ``FPTK_DATA_HOME=... python benchmarks/bench_features.py`` (``make bench``).
Without FPTK_DATA_HOME it uses the small SOTU corpus (``load_corpus("sotu")``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
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


#: Issue 14: the cold DTM build of the notebooks stays within this summed PSS.
PSS_TARGET_MB = 1536
MEMORY_STAGE = "memory: cold notebook DTM (min_df 20, 20k terms)"
MEMORY_CODE = """
import json, tempfile, time, warnings
warnings.simplefilter("ignore")

def pss_mb():
    with open("/proc/self/smaps_rollup") as fh:
        return next(int(x.split()[1]) for x in fh if x.startswith("Pss:")) / 1024

from toolkit.corpora import load_corpus, default_corpus_name
from toolkit.features import build_dtm
corpus = load_corpus(default_corpus_name(), progress=False) \\
    if default_corpus_name() == "ungdc" else load_corpus("sotu")
loaded = pss_mb()
t, c0 = time.perf_counter(), time.process_time()
d = build_dtm(corpus, min_df=20, max_df=0.5, max_terms=20000, progress=False,
              cache_home=tempfile.mkdtemp(prefix="fptk-bench-dtm-"))
elapsed, cpu = time.perf_counter() - t, time.process_time() - c0
hwm = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM"))
print("@@" + json.dumps({"elapsed": elapsed, "cpu_s": cpu, "pss_after_load_mb": loaded,
                         "vmhwm_mb": hwm / 1024, "shape": list(d.shape),
                         "nnz": int(d.matrix.nnz)}))
"""


def _tree_pss_mb(pid: int) -> float:
    """Summed PSS (MB) of ``pid`` and its descendants, from ``/proc/*/smaps_rollup``."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next(int(x.split()[1]) for x in fh if x.startswith("Pss:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, StopIteration):
            continue  # the process ended between two reads
    return total / 1024


def run_pss(code: str, *, env: dict[str, str], interval: float = 0.1) -> dict:
    """Run ``code`` in a fresh Python, sampling its summed PSS; return its ``@@`` JSON line
    with ``pss_peak_mb`` added."""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _tree_pss_mb(proc.pid))
        time.sleep(interval)
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(err[-2000:])
    line = next(x for x in out.splitlines() if x.startswith("@@"))
    return {**json.loads(line[2:]), "pss_peak_mb": peak}


def memory_stage(env: dict[str, str]) -> dict:
    """The cold notebook DTM build, measured by :func:`run_pss`; prints one line."""
    r = run_pss(MEMORY_CODE, env=env)
    ok = "meets" if r["pss_peak_mb"] <= PSS_TARGET_MB else "MISSES"
    print(f"{MEMORY_STAGE}: peak summed PSS {r['pss_peak_mb']:,.0f} MB (target <= "
          f"{PSS_TARGET_MB:,} MB: {ok}; {r['pss_after_load_mb']:,.0f} MB once the corpus "
          f"was loaded), VmHWM {r['vmhwm_mb']:,.0f} MB, {r['elapsed']:.1f} s wall, "
          f"{r['cpu_s']:.1f} s CPU; shape {tuple(r['shape'])}, nnz {r['nnz']:,}", flush=True)
    return r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", nargs="*", help="substrings of stage names to run")
    args = parser.parse_args(argv)
    # a fresh cache so "cold" is cold (the first stage parses the corpus table into it,
    # outside the timed part; later stages reuse that table)
    env = {"FPTK_CACHE_HOME": tempfile.mkdtemp(prefix="fptk-bench-features-")}
    rows = []
    memory = None
    if not args.only or any(x in MEMORY_STAGE for x in args.only):
        # the corpus table is cached first, so the stage measures the DTM build
        run_stage("from toolkit.corpora import load_corpus, default_corpus_name\n"
                  "load_corpus(default_corpus_name(), progress=False)\nelapsed = 0",
                  repeat=1, env=env)
        memory = memory_stage(env)
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
    if memory is not None:
        print(f"{MEMORY_STAGE:<50}{memory['elapsed']:>8.2f}{memory['cpu_s']:>8.2f}"
              f"  peak summed PSS {memory['pss_peak_mb']:,.0f} MB (target <= {PSS_TARGET_MB:,} MB)")
    print(f"(load average at end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          "wall times on a shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
