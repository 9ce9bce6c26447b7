"""Benchmark: keyword trends and the DTM on a Dask cluster at 1x, 2x, 5x and 10x UNGDC (issue 14).

The synthetic corpus: K copies of the real UNGDC speeches, each speech's sentences shuffled
(seeded by the copy number), ids made unique (``<doc_id>_x<copy>``); copy k is one Parquet
file of the standard schema with row groups of 500 speeches (22 per copy). 10x is about
2 GB of text in 110k speeches, written to a temporary folder that is removed at the end.

Measured, each in a fresh driver process:

- ``single``: the single-machine pandas path on the 1x table (copy 0): ``keyword_trends``
  (``"arms"``, by actor and decade, ``use_cache=False``) and ``build_dtm`` (unigrams,
  ``min_df=5``, a fresh cache: the tokens and the matrix are written).
- ``dask Kx``: a ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
  memory_limit=2e9)`` (the nanny restarts a worker at 95% of 2e9 bytes, so no worker can pass
  2 GB); ``load_corpus(files, engine="dask")`` then the same two calls with ``client=``, on a
  fresh cache per scale (the tokens are cached per partition by pass 1 and read by pass 2).

Every 0.5 s a sampler reads the RSS and PSS (``/proc/<pid>/smaps_rollup``) of the driver and
of every worker and nanny process; the table prints each process group's peak, the time of
each step and the ratio of the Kx time to the single-machine 1x time (target: 10x within
12x, i.e. linear in size on the same 2 cores). At 1x the Dask results are checked to be
identical to the single-machine ones (trends table equal, matrix checksum equal).

Run: ``FPTK_DATA_HOME=... python benchmarks/bench_dask.py [--scales 1 2 5 10]``.
The machine is shared: times taken while others run are inflated; memory is not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROW_GROUP = 500
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def make_copies(folder: Path, n_copies: int) -> list[Path]:
    """Write copies 0..n_copies-1 of UNGDC with shuffled sentences; return the files."""
    from toolkit.corpora import load_corpus

    corpus = load_corpus("ungdc", progress=False)
    files = []
    for k in range(n_copies):
        rng = np.random.default_rng(k)
        texts = []
        for text in corpus["text"].tolist():
            parts = _SENTENCE.split(text)
            rng.shuffle(parts)
            texts.append(" ".join(parts))
        copy = corpus.assign(text=texts, doc_id=corpus["doc_id"] + f"_x{k:02d}")
        copy["text"] = copy["text"].astype("string[pyarrow]")
        path = folder / f"part-{k:05d}.parquet"
        copy.to_parquet(path, index=False, row_group_size=ROW_GROUP)
        files.append(path)
        del copy, texts
    return files


# ---------------------------------------------------------------------- memory sampling
def _smaps(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss // 1024, pss // 1024


class Sampler(threading.Thread):
    """Peak RSS/PSS (MB) of this process and each descendant, every 0.5 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, dict] = {}
        self.stop = threading.Event()
        self.cpu = 0.0  # CPU seconds of this sampling thread (left out of the figures)

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self.stop.is_set():
            self.cpu = time.thread_time()
            procs = [me, *me.children(recursive=True)]
            total = 0
            for p in procs:
                rss, pss = _smaps(p.pid)
                total += pss
                try:
                    name = " ".join(p.cmdline()[1:3])[-60:]
                except Exception:
                    name = "?"
                peak = self.peaks.setdefault(p.pid, {"rss": 0, "pss": 0, "name": name})
                peak["rss"] = max(peak["rss"], rss)
                peak["pss"] = max(peak["pss"], pss)
            tot = self.peaks.setdefault(-1, {"rss": 0, "pss": 0, "name": "all"})
            tot["pss"] = max(tot["pss"], total)
            self.stop.wait(0.5)


def _own_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _cpu(client, sampler: Sampler) -> tuple[float, float]:
    """CPU seconds (user + system) so far: this process (less the sampler), the workers."""
    workers = sum(client.run(_own_cpu).values()) if client is not None else 0.0
    return _own_cpu() - sampler.cpu, workers


def _dtm_digest(dtm) -> str:
    h = hashlib.sha256()
    for a in (dtm.matrix.data, dtm.matrix.indices, dtm.matrix.indptr):
        # Widened to int64 one block at a time: the same digest for int32 and int64
        # arrays, without a second copy of a 72M-entry matrix in the driver.
        for lo in range(0, len(a), 1 << 22):
            h.update(np.asarray(a[lo:lo + (1 << 22)], dtype=np.int64).tobytes())
    h.update("\n".join(map(str, dtm.vocab)).encode())
    h.update("\n".join(map(str, dtm.doc_ids)).encode())
    return h.hexdigest()


# ---------------------------------------------------------------------- one run (child)
def run_child(mode: str, files: list[str], out: str) -> None:
    import warnings

    warnings.simplefilter("ignore")
    sampler = Sampler()
    sampler.start()
    from toolkit.corpora import load_corpus
    from toolkit.features import build_dtm
    from toolkit.keywords import keyword_trends

    result: dict = {"mode": mode, "n_files": len(files)}
    cluster = client = None
    if mode == "single":
        corpus = load_corpus(files)
        kw: dict = {}
    else:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               memory_limit=2e9, dashboard_address=None)
        client = Client(cluster)
        corpus = load_corpus(files, engine="dask")
        kw = {"client": client}
        result["npartitions"] = corpus.npartitions
    c0 = _cpu(client, sampler)
    t0 = time.perf_counter()
    trends = keyword_trends(corpus, "arms", by="actor", period="decade", random_state=0,
                            use_cache=False, progress=False, **kw)
    t1 = time.perf_counter()
    c1 = _cpu(client, sampler)
    dtm = build_dtm(corpus, min_df=5, progress=False, **kw)
    t2 = time.perf_counter()
    c2 = _cpu(client, sampler)
    result.update(trends_cpu=sum(c1) - sum(c0), dtm_cpu=sum(c2) - sum(c1),
                  driver_cpu=c2[0] - c0[0], workers_cpu=c2[1] - c0[1], sampler_cpu=sampler.cpu)
    result.update(trends_s=t1 - t0, dtm_s=t2 - t1, n_docs=int(dtm.n_docs),
                  n_terms=int(dtm.n_terms), nnz=int(dtm.matrix.nnz),
                  dtm_sha=_dtm_digest(dtm))
    trends.to_parquet(out + ".trends.parquet")
    del dtm, trends
    if client is not None:
        client.close()
        cluster.close()
    sampler.stop.set()
    sampler.join()
    driver = sampler.peaks.get(os.getpid(), {"rss": 0, "pss": 0})
    others = {pid: p for pid, p in sampler.peaks.items() if pid not in (-1, os.getpid())}
    workers = [p for p in others.values() if "spawn" in p["name"] or "multiprocessing" in
               p["name"]]
    result.update(driver_rss=driver["rss"], driver_pss=driver["pss"],
                  max_child_rss=max((p["rss"] for p in others.values()), default=0),
                  max_child_pss=max((p["pss"] for p in others.values()), default=0),
                  n_children=len(others), n_worker_like=len(workers),
                  total_pss=sampler.peaks[-1]["pss"])
    with open(f"/proc/{os.getpid()}/status") as fh:
        result["driver_vmhwm"] = next(int(x.split()[1]) // 1024 for x in fh
                                      if x.startswith("VmHWM"))
    Path(out).write_text(json.dumps(result))


def _child(mode: str, files: list[Path], tmp: Path) -> dict:
    out = tmp / f"result-{mode}-{len(files)}.json"
    cache = tmp / f"cache-{mode}-{len(files)}"
    env = {**os.environ, "FPTK_CACHE_HOME": str(cache)}
    env.pop("FPTK_DASK_SCHEDULER", None)
    cmd = [sys.executable, __file__, "--child", mode, "--out", str(out),
           "--files", *map(str, files)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    shutil.rmtree(cache, ignore_errors=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} x{len(files)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 2, 5, 10])
    parser.add_argument("--tmp", help="folder for the synthetic corpus (default: a temp dir)")
    parser.add_argument("--reuse-log", help="take the runs already printed in this log")
    parser.add_argument("--child")
    parser.add_argument("--out")
    parser.add_argument("--files", nargs="*")
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.files, args.out)
        return
    tmp = Path(tempfile.mkdtemp(prefix="fptk_bench_dask_", dir=args.tmp))
    try:
        t = time.perf_counter()
        files = make_copies(tmp, max(args.scales))
        size = sum(f.stat().st_size for f in files) / 2**20
        print(f"synthetic corpus: {len(files)} copies, {size:.0f} MB of Parquet "
              f"in {time.perf_counter() - t:.0f} s", flush=True)
        done = _read_log(args.reuse_log)
        single = done.pop("single", None) or _child("single", files[:1], tmp)
        print("single:", json.dumps(single), flush=True)
        rows = []
        for k in args.scales:
            r = done.get(f"dask {k}x") or _child("dask", files[:k], tmp)
            print(f"dask {k}x:", json.dumps(r), flush=True)
            rows.append((k, r))
        _report(single, rows, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _read_log(path: str | None) -> dict[str, dict]:
    """Runs printed by an earlier invocation (``single: {...}``, ``dask 5x: {...}``)."""
    out: dict[str, dict] = {}
    if path and Path(path).is_file():
        for line in Path(path).read_text().splitlines():
            name, sep, rest = line.partition(": {")
            if sep and (name == "single" or name.startswith("dask ")):
                out[name] = {**json.loads("{" + rest), "reused": True}
    return out


def _report(single: dict, rows: list[tuple[int, dict]], tmp: Path) -> None:
    import pandas as pd

    base = single["trends_s"] + single["dtm_s"]
    base_cpu = single.get("trends_cpu", np.nan) + single.get("dtm_cpu", np.nan)
    print()
    print(f"{'run':<10}{'docs':>7}{'parts':>6}{'trends s':>9}{'dtm s':>8}{'total s':>8}"
          f"{'x 1x':>6}{'CPU s':>8}{'x 1x':>6}{'driver MB':>10}{'worker MB':>10}"
          f"{'sum PSS':>8}")
    for name, k, r in [("single 1x", 0, single), *((f"dask {k}x", k, r) for k, r in rows)]:
        total = r["trends_s"] + r["dtm_s"]
        cpu = r.get("trends_cpu", np.nan) + r.get("dtm_cpu", np.nan)
        parts = r.get("npartitions", "-")
        worker = r["max_child_rss"] if k else "-"
        print(f"{name:<10}{r['n_docs']:>7}{parts:>6}{r['trends_s']:>9.0f}{r['dtm_s']:>8.0f}"
              f"{total:>8.0f}{total / base:>6.1f}{cpu:>8.0f}{cpu / base_cpu:>6.1f}"
              f"{r['driver_rss']:>10}{worker:>10}{r['total_pss']:>8}")
    print("(x 1x: ratio to the single-machine 1x run; CPU s: user + system seconds of the "
          "driver and the workers, which the machine's load does not inflate; MB: peak RSS "
          "per process, sampled every 0.5 s; sum PSS: peak of the summed PSS of the driver, "
          "the workers and the nannies)")
    one = dict(rows).get(1)
    if one is not None:
        a, b = (tmp / f"result-{m}-1.json.trends.parquet" for m in ("single", "dask"))
        same_trends = (pd.read_parquet(a).equals(pd.read_parquet(b))
                       if a.is_file() and b.is_file() else "not compared (reused run)")
        print(f"1x identical to single-machine: trends {same_trends}, "
              f"DTM {one['dtm_sha'] == single['dtm_sha']}")
    print(f"(load average at end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
