"""Tiny helpers shared by the benchmark scripts: run a stage in a fresh process, time it,
and read its peak resident memory. Benchmarks are scripts, never timed tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

__all__ = ["print_table", "run_stage"]


def run_stage(code: str, *, repeat: int = 3, env: dict[str, str] | None = None) -> dict:
    """Run ``code`` in a fresh Python ``repeat`` times; return best/median seconds and peak RSS.

    ``code`` must assign the elapsed seconds of the measured part to ``elapsed``; it may
    assign a JSON-able ``info``.
    """
    wrapper = textwrap.dedent(
        """
        import json, resource, time, warnings
        warnings.simplefilter("ignore")
        info = None
        {code}
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("@@" + json.dumps({{"elapsed": elapsed, "rss_mb": rss, "info": info}}))
        """
    ).format(code=textwrap.indent(textwrap.dedent(code), ""))
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", wrapper], capture_output=True, text=True,
            env={**os.environ, **(env or {})}, check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-2000:])
        line = next(x for x in out.stdout.splitlines() if x.startswith("@@"))
        runs.append(json.loads(line[2:]))
    times = sorted(r["elapsed"] for r in runs)
    return {"best_s": times[0], "median_s": times[len(times) // 2],
            "peak_rss_mb": max(r["rss_mb"] for r in runs), "info": runs[-1]["info"]}


def print_table(rows: list[tuple[str, dict]], *, floor: str) -> None:
    """Print stages with their time, ratio to the floor stage and peak memory."""
    base = dict(rows)[floor]["best_s"]
    print(f"{'stage':<44}{'best s':>9}{'median s':>10}{'x floor':>9}{'peak MB':>9}")
    for name, r in rows:
        print(f"{name:<44}{r['best_s']:>9.3f}{r['median_s']:>10.3f}"
              f"{r['best_s'] / base:>9.2f}{r['peak_rss_mb']:>9.0f}")
    print(f"(load average at end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
