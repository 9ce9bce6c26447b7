"""Benchmark: `make report` on the full UNGDC, cold (empty cache) and warm (cache filled).

Runs ``python -m toolkit report`` (what ``make report`` runs) three times in fresh
processes, each writing to a temporary folder:

1. the floor: the same machinery (papermill, a kernel, nbconvert, the index) on as many
   trivial notebooks (``import toolkit``) as there are real ones;
2. cold: every notebook with an empty cache folder (corpus table, tokens, matrices and
   keyword counts are all rebuilt);
3. warm: the same again with the cache the cold run filled.

It prints the time of every notebook and the totals beside the targets of issue 7
(cold <= 240 s, warm <= 60 s on 2 cores). The machine is shared: quote the numbers with
the load average it prints.

Run: ``FPTK_DATA_HOME=../shared/corpora FPTK_EXTERNAL_HOME=../shared/external
python benchmarks/bench_report.py [--notebook 00 --notebook 01]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"cold": 240.0, "warm": 60.0, "warm, rerun": 60.0}
CPU: dict[str, float] = {}


def _cpu() -> float:
    """CPU seconds (user + system) of every finished child process so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _run(out: Path, cache: Path, extra: list[str], label: str) -> tuple[float, dict]:
    env = dict(os.environ, FPTK_CACHE_HOME=str(cache))
    cmd = [sys.executable, "-m", "toolkit", "report", "--output-dir", str(out / "reports"),
           "--build-dir", str(out / "build"), *extra]
    t0, c0 = time.perf_counter(), _cpu()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    CPU[label] = _cpu() - c0
    manifest_path = out / "reports" / "manifest.json"
    if not manifest_path.is_file():
        sys.exit(f"report failed without a manifest:\n{proc.stdout}\n{proc.stderr}")
    return seconds, json.loads(manifest_path.read_text())


def _floor(tmp: Path, n: int) -> tuple[float, dict]:
    """Time the machinery alone on ``n`` trivial notebooks."""
    nb_dir = tmp / "floor-notebooks"
    nb_dir.mkdir()
    for i in range(n):
        nb = new_notebook()
        params = new_code_cell('corpus = "auto"\nseed = 0\noutput_dir = None')
        params.metadata["tags"] = ["parameters"]
        nb.cells = [params, new_code_cell("import toolkit\ntoolkit.__version__")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, nb_dir / f"{i:02d}-floor.ipynb")
    code = (
        "from toolkit import report; import sys; "
        f"report.build_reports(config={{}}, notebooks_dir={str(nb_dir)!r}, "
        f"output_dir={str(tmp / 'floor' / 'reports')!r}, "
        f"build_dir={str(tmp / 'floor' / 'build')!r}, echo=False)"
    )
    t0, c0 = time.perf_counter(), _cpu()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)
    seconds = time.perf_counter() - t0
    CPU["floor"] = _cpu() - c0
    manifest = json.loads((tmp / "floor" / "reports" / "manifest.json").read_text())
    return seconds, manifest


def _print_runs(label: str, seconds: float, manifest: dict) -> None:
    total = manifest["total_seconds"]
    print(f"\n{label}: {seconds:.1f} s wall (build_reports total {total:.1f} s)")
    for r in manifest["runs"]:
        print(f"  {r['notebook']:<32} {r['status']:<7} {r['seconds']:7.1f} s  "
              f"{r.get('n_figures', 0)} figures")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", action="append", help="only these notebooks (prefixes)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if not os.environ.get("FPTK_DATA_HOME"):
        print("note: FPTK_DATA_HOME is unset, so this times the embedded fallback corpus, "
              "not UNGDC.")
    extra = [a for nb in (args.notebook or []) for a in ("--notebook", nb)]
    tmp = Path(tempfile.mkdtemp(prefix="fptk-bench-report-"))
    print(f"load average before: {os.getloadavg()}; work folder {tmp}")
    cache = tmp / "cache"
    cold_s, cold = _run(tmp / "cold", cache, extra, "cold")
    # Same output folders as the cold run: unchanged notebooks are reused (render.reuse).
    warm_s, warm = _run(tmp / "cold", cache, extra, "warm")
    # Fresh output folders: every notebook executes again, reading the filled data caches.
    rerun_s, rerun = _run(tmp / "rerun", cache, extra, "warm, rerun")
    floor_s, floor = _floor(tmp, len(cold["runs"]))
    _print_runs("floor (trivial notebooks, same machinery)", floor_s, floor)
    _print_runs("cold (empty cache)", cold_s, cold)
    _print_runs("warm (cache filled; unchanged reports reused)", warm_s, warm)
    _print_runs("warm, rerun (cache filled; every notebook executed again)", rerun_s, rerun)
    print(f"\nload average after: {os.getloadavg()}")
    print(f"{'':<12}{'wall s':>9}{'CPU s':>9}{'target':>9}{'x floor':>9}")
    rows = (("floor", floor_s), ("cold", cold_s), ("warm", warm_s), ("warm, rerun", rerun_s))
    for label, secs in rows:
        target = TARGETS.get(label)
        cpu = CPU.get(label)
        print(f"{label:<12}{secs:9.1f}{(f'{cpu:.1f}' if cpu is not None else '-'):>9}"
              f"{(f'{target:.0f}' if target else '-'):>9}{secs / floor_s:9.1f}")
    failed = [r["notebook"] for m in (cold, warm, rerun) for r in m["runs"]
              if r["status"] != "ok"]
    if failed:
        print(f"FAILED notebooks: {failed}")
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
