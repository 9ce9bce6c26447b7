"""Memory profile of a report run: the summed PSS over time, and the peak during each cell.

Runs ``python -m toolkit report --no-reuse`` (any further arguments are passed on, e.g.
``--notebook 05 --jobs 1``) into a temporary folder, samples the summed proportional set
size of the report process and every process below it (kernels, the children that build
shared caches) every 0.5 s, and lines the samples up with the start and end time papermill
writes into each executed notebook's cells. It prints, per notebook, each cell's seconds
and the peak of the summed PSS while it ran (with two kernels at once, that peak includes
the other kernel), then the timeline in 5-second windows.

This is how the warm report's peak was traced to 02 (``passage_topics``) beside 05
(``label_stance``), each holding every speech as a Python string (issue 14).

Run: ``FPTK_DATA_HOME=../shared/corpora FPTK_EXTERNAL_HOME=../shared/external
python benchmarks/profile_report_memory.py [--keep] [report arguments...]``. The cache is
``FPTK_CACHE_HOME`` as set (warm or cold, as you choose).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_report import ROOT, SAMPLE_SECONDS, tree_pss_mb


def sample_run(cmd: list[str]) -> tuple[list[tuple[float, float]], str]:
    """Run ``cmd`` from the project root; return ``[(unix time, summed PSS MB)]`` and output."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    samples: list[tuple[float, float]] = []

    def sample() -> None:
        while proc.poll() is None:
            samples.append((time.time(), tree_pss_mb(proc.pid)))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.stdout.read() if proc.stdout else ""
    proc.wait()
    sampler.join()
    return samples, output


def _when(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def cell_peaks(notebook: Path, samples: list[tuple[float, float]]) -> list[dict]:
    """Per executed code cell: index, seconds, the peak summed PSS while it ran, its start."""
    rows = []
    for i, cell in enumerate(json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
        meta = cell.get("metadata", {}).get("papermill", {})
        if cell["cell_type"] != "code" or not meta.get("start_time"):
            continue
        a, b = _when(meta["start_time"]), _when(meta["end_time"])
        inside = [mb for t, mb in samples if a <= t <= b + SAMPLE_SECONDS]
        rows.append({"cell": i, "seconds": b - a, "peak_mb": max(inside, default=float("nan")),
                     "source": "".join(cell["source"])[:60].replace("\n", " ")})
    return rows


def main() -> None:
    keep = "--keep" in sys.argv[1:]
    extra = [a for a in sys.argv[1:] if a != "--keep"]
    tmp = Path(tempfile.mkdtemp(prefix="fptk-profile-report-"))
    try:
        cmd = [sys.executable, "-m", "toolkit", "report", "--no-reuse", "--output-dir",
               str(tmp / "reports"), "--build-dir", str(tmp / "build"), *extra]
        samples, output = sample_run(cmd)
        print(output.rstrip().splitlines()[-1] if output.strip() else "(no output)")
        if not samples:
            sys.exit("the run ended before the first sample")
        t0, (t_peak, peak) = samples[0][0], max(samples, key=lambda s: s[1])
        print(f"peak {peak:,.0f} MB summed PSS at +{t_peak - t0:.0f} s")
        for nb in sorted((tmp / "build").glob("*.ipynb")):
            print(f"== {nb.stem}")
            for r in cell_peaks(nb, samples):
                print(f"  cell {r['cell']:2d} {r['seconds']:6.1f} s  peak {r['peak_mb']:7,.0f} MB"
                      f"  {r['source']}")
        windows: dict[int, float] = {}
        for t, mb in samples:
            k = int((t - t0) // 5)
            windows[k] = max(windows.get(k, 0.0), mb)
        print("timeline (start s: peak MB per 5 s):",
              " ".join(f"{5 * k}:{mb:.0f}" for k, mb in sorted(windows.items())))
    finally:
        if keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
