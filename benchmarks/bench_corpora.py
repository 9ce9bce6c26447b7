"""Benchmark: loading the full UNGDC (issue 2).

Times, each in a fresh process (best and median of 3), with peak resident memory:

- floor: read the archive's bytes, then a plain loop that decompresses and reads every
  member (stdlib gzip, and ISA-L gzip as the loader uses);
- cold: ``load_ungdc(use_cache=False)`` from the archive (parse, checks, speakers join,
  names, validation);
- warm: ``load_ungdc()`` from the Parquet cache.

Targets on 2 cores: cold <= 3 s, warm <= 0.5 s. Run: ``FPTK_DATA_HOME=... python
benchmarks/bench_corpora.py`` (``make bench`` runs every benchmark).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import print_table, run_stage


def main() -> int:
    if not os.environ.get("FPTK_DATA_HOME"):
        print("Set FPTK_DATA_HOME to the folder holding ungdc/ (e.g. ../shared/corpora).")
        return 2
    from toolkit.corpora import find_ungdc_source

    archive = str(find_ungdc_source())
    env = {"FPTK_CACHE_HOME": tempfile.mkdtemp(prefix="fptk-bench-")}
    floor_stdlib = f"""
        import io, tarfile
        t = time.perf_counter()
        raw = open({archive!r}, "rb").read()
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r|gz") as tf:
            n = sum(len(tf.extractfile(m).read()) for m in tf if m.isfile())
        elapsed = time.perf_counter() - t
        info = n
    """
    floor_isal = f"""
        import io, tarfile
        from isal import igzip
        t = time.perf_counter()
        raw = igzip.decompress(open({archive!r}, "rb").read())
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tf:
            n = sum(len(tf.extractfile(m).read()) for m in tf if m.isfile())
        elapsed = time.perf_counter() - t
    """
    cold = f"""
        t = time.perf_counter()
        from toolkit.corpora import load_ungdc
        df = load_ungdc({archive!r}, use_cache=False, progress=False)
        elapsed = time.perf_counter() - t
        info = len(df)
    """
    warm = f"""
        from toolkit.corpora import load_ungdc
        t = time.perf_counter()
        df = load_ungdc({archive!r}, progress=False)
        elapsed = time.perf_counter() - t
        info = len(df)
    """
    # fill the cache once
    run_stage(warm, repeat=1, env=env)
    rows = [
        ("floor: read bytes + loop members (gzip)", run_stage(floor_stdlib)),
        ("floor: read bytes + loop members (ISA-L)", run_stage(floor_isal)),
        ("cold: load_ungdc from archive (incl import)", run_stage(cold, env=env)),
        ("warm: load_ungdc from Parquet cache", run_stage(warm, env=env)),
    ]
    print(f"UNGDC archive: {archive}; documents: {rows[2][1]['info']}")
    print_table(rows, floor="floor: read bytes + loop members (gzip)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
