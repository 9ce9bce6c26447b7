"""Benchmark: `make report` on the full UNGDC, cold and warm: time and peak memory (issue 14).

Runs, each in fresh processes writing to a temporary folder:

1. cold: ``python -m toolkit report --no-reuse`` (what ``make report`` runs) with an empty
   cache folder (corpus table, tokens, matrices, keyword counts, topic sweeps: all built);
2. warm: the same again into fresh output folders with the cache the cold run filled
   (``--no-reuse``: every notebook really executes; only the data caches are warm);
3. the cold DTM build: the document-term matrix the notebooks share (min_df, max_df and
   max_terms of ``reports.yml``), built the way the report builds it
   (:func:`toolkit.report.shared.build_shared`) in a fresh process on a cache that holds
   only the corpus table.

Memory is the peak of the summed proportional set size (PSS, from
``/proc/<pid>/smaps_rollup``) of the process and all its descendants (kernels, their
workers, the children that build shared caches), sampled every 0.5 s, as the targets of
issue 14 are stated: cold <= 3 GB, warm <= 2 GB, the cold DTM build <= 1.5 GB. The
times had targets in issue 7 (cold <= 240 s, warm <= 60 s on 2 cores). The machine is
shared: quote the times with the load average printed beside them; the memory does not
depend on the load.

Run: ``FPTK_DATA_HOME=../shared/corpora FPTK_EXTERNAL_HOME=../shared/external
python benchmarks/bench_report.py [--notebook 00 --notebook 01] [--jobs 2] [--keep]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: run -> (peak GB target, seconds target or None)
TARGETS = {"cold report": (3.0, 240.0), "warm report": (2.0, 60.0),
           "cold DTM build": (1.5, None)}
SAMPLE_SECONDS = 0.5


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc (threads are not processes here)."""
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _pss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_pss_mb(root: int) -> float:
    """Summed PSS (MB) of ``root`` and every process below it, now."""
    kids = _children()
    todo, total = [root], 0.0
    while todo:
        pid = todo.pop()
        total += _pss_mb(pid)
        todo.extend(kids.get(pid, []))
    return total


def run_measured(cmd: list[str], *, env: dict[str, str]) -> dict:
    """Run ``cmd``; return its seconds, exit code, output and the peak summed PSS (MB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = {"mb": 0.0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak["mb"] = max(peak["mb"], tree_pss_mb(proc.pid))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    return {"seconds": time.perf_counter() - t0, "peak_mb": peak["mb"],
            "returncode": proc.returncode, "stdout": out, "stderr": err,
            "load": os.getloadavg()[0]}


def _report(out: Path, cache: Path, extra: list[str]) -> dict:
    env = dict(os.environ, FPTK_CACHE_HOME=str(cache))
    cmd = [sys.executable, "-m", "toolkit", "report", "--no-reuse", "--output-dir",
           str(out / "reports"), "--build-dir", str(out / "build"), *extra]
    result = run_measured(cmd, env=env)
    manifest = out / "reports" / "manifest.json"
    if not manifest.is_file():
        sys.exit(f"report failed without a manifest:\n{result['stdout']}\n{result['stderr']}")
    result["manifest"] = json.loads(manifest.read_text())
    return result


def _dtm_build(tmp: Path, corpus_cache: Path) -> dict:
    """The shared document-term matrix, cold, on a cache holding only the corpus table."""
    from toolkit.report import load_config

    cache = tmp / "dtm-cache"
    shutil.copytree(corpus_cache / "corpus", cache / "corpus")
    if (corpus_cache / "checksums").is_dir():
        shutil.copytree(corpus_cache / "checksums", cache / "checksums")
    params = load_config()["notebooks"].get("01-keyword-trends", {})
    task = {"kind": "dtm", "corpus": load_config()["corpus"], "years": None,
            "unit": "document", **{k: params.get(k) for k in ("min_df", "max_df", "max_terms")}}
    code = "import sys; from toolkit.report.shared import _child_main; _child_main(sys.argv[1])"
    from toolkit.report.shared import ARROW_POOL_ENV

    env = dict(os.environ, FPTK_CACHE_HOME=str(cache), **ARROW_POOL_ENV)
    result = run_measured([sys.executable, "-c", code, json.dumps(task)], env=env)
    if result["returncode"] != 0:
        sys.exit(f"the DTM build failed:\n{result['stderr'][-2000:]}")
    result["info"] = json.loads(result["stdout"].strip().splitlines()[-1])
    return result


def _print_runs(label: str, result: dict) -> None:
    manifest = result["manifest"]
    print(f"\n{label}: {result['seconds']:.1f} s wall, peak {result['peak_mb'] / 1024:.2f} GB "
          f"summed PSS (build_reports total {manifest['total_seconds']:.1f} s)")
    for line in result["stdout"].splitlines():
        if line.startswith("[report]") and "ready in" in line:
            print("  " + line)
    for r in manifest["runs"]:
        print(f"  {r['notebook']:<32} {r['status']:<7} {r['seconds']:7.1f} s  "
              f"{r.get('n_figures', 0)} figures")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", action="append", help="only these notebooks (prefixes)")
    parser.add_argument("--jobs", type=int, help="notebooks at once (default: reports.yml)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if not os.environ.get("FPTK_DATA_HOME"):
        print("note: FPTK_DATA_HOME is unset, so this measures the embedded fallback corpus, "
              "not UNGDC.")
    extra = [a for nb in (args.notebook or []) for a in ("--notebook", nb)]
    if args.jobs:
        extra += ["--jobs", str(args.jobs)]
    tmp = Path(tempfile.mkdtemp(prefix="fptk-bench-report-"))
    print(f"load average before: {os.getloadavg()}; work folder {tmp}")
    cache = tmp / "cache"
    results = {"cold report": _report(tmp / "cold", cache, extra)}
    results["warm report"] = _report(tmp / "warm", cache, extra)
    results["cold DTM build"] = _dtm_build(tmp, cache)
    _print_runs("cold (empty cache)", results["cold report"])
    _print_runs("warm (cache filled; every notebook executed again)", results["warm report"])
    dtm = results["cold DTM build"]
    print(f"\ncold DTM build: matrix {dtm['info']['shape']}, {dtm['seconds']:.1f} s")
    print(f"\n{'run':<16}{'time s':>9}{'load':>7}{'peak GB':>9}{'target GB':>11}{'memory':>8}"
          f"{'target s':>10}{'time':>6}")
    failed = []
    for label, r in results.items():
        gb_target, s_target = TARGETS[label]
        peak = r["peak_mb"] / 1024
        ok_mem = peak <= gb_target
        ok_time = s_target is None or r["seconds"] <= s_target
        failed += [] if ok_mem else [label]
        print(f"{label:<16}{r['seconds']:9.1f}{r['load']:7.1f}{peak:9.2f}{gb_target:11.1f}"
              f"{'pass' if ok_mem else 'FAIL':>8}{(f'{s_target:.0f}' if s_target else '-'):>10}"
              f"{('pass' if ok_time else 'FAIL') if s_target else '-':>6}")
    print("(peak: summed PSS of every process of the run, sampled every "
          f"{SAMPLE_SECONDS} s; time: wall clock on a shared machine, see the load)")
    bad = [r["notebook"] for key in ("cold report", "warm report")
           for r in results[key]["manifest"]["runs"] if r["status"] != "ok"]
    if bad:
        print(f"FAILED notebooks: {bad}")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if bad or failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
