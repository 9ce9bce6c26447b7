"""Benchmark: the voting-agreement side of the validation join (issue 6).

Target: a full join of text alignment with UN voting agreement for all dyads and
sessions in <= 30 s. Times, each in a fresh process (best and median of 3), with peak
resident memory:

- floor: ``pandas.read_csv`` of the three unvotes CSVs (no code mapping, no merge);
- ``load_unvotes()``: read, merge roll calls and issues, ISO2 -> ISO3, historical recodes;
- ``voting_agreement()`` for all dyads and all sessions, each measure (votes preloaded);
- the full validation join (one run: the longest stage): ``load_unvotes`` +
  ``voting_agreement`` + ``toolkit.alignment.validate_against`` with a text panel of
  every UN-voting dyad and year (synthetic similarities, seeded: the text side is
  benchmarked by the alignment benchmark; here only its size matters).

Run: ``FPTK_EXTERNAL_HOME=../shared/external python benchmarks/bench_external.py``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import print_table, run_stage


def main() -> int:
    home = os.environ.get("FPTK_EXTERNAL_HOME")
    if not home:
        print("Set FPTK_EXTERNAL_HOME to the folder holding unvotes/ (e.g. ../shared/external).")
        return 2
    folder = Path(home) / "unvotes"
    floor = f"""
        import pandas as pd
        t = time.perf_counter()
        v = pd.read_csv({str(folder / "un_votes.csv")!r}, keep_default_na=False)
        c = pd.read_csv({str(folder / "un_roll_calls.csv")!r})
        i = pd.read_csv({str(folder / "un_roll_call_issues.csv")!r})
        elapsed = time.perf_counter() - t
        info = len(v)
    """
    load = """
        from toolkit.external import load_unvotes
        t = time.perf_counter()
        v = load_unvotes(unknown="ignore")
        elapsed = time.perf_counter() - t
        info = len(v)
    """

    def agree(measure: str, period: str) -> str:
        return f"""
        from toolkit.external import load_unvotes, voting_agreement
        v = load_unvotes(unknown="ignore")
        t = time.perf_counter()
        a = voting_agreement(v, period={period!r}, measure={measure!r})
        elapsed = time.perf_counter() - t
        info = len(a)
        """

    join = """
        import numpy as np
        from toolkit.external import load_unvotes, voting_agreement
        from toolkit.alignment import validate_against
        probe = voting_agreement(load_unvotes(unknown="ignore"), period="year")
        rng = np.random.default_rng(0)
        panel = probe[["actor_a", "actor_b", "year"]].rename(columns={"year": "period"})
        panel = panel.assign(similarity=rng.random(len(panel)))
        t = time.perf_counter()
        v = load_unvotes(unknown="ignore")
        a = voting_agreement(v, period="session")
        res = validate_against(panel, a, random_state=0)
        elapsed = time.perf_counter() - t
        info = {"panel_rows": len(panel), "agreement_rows": len(a),
                "n_joined": int(res.attrs.get("n_joined", 0))}
    """
    rows = [
        ("floor: read_csv of the unvotes CSVs", run_stage(floor)),
        ("load_unvotes", run_stage(load)),
    ]
    for measure in ("identical", "abstain_half", "s_score"):
        rows.append((f"voting_agreement session {measure}", run_stage(agree(measure, "session"))))
    rows.append(("voting_agreement year identical", run_stage(agree("identical", "year"))))
    try:
        import toolkit.alignment as al

        has_validate = hasattr(al, "validate_against")
    except ImportError:
        has_validate = False
    if has_validate:
        rows.append(("full validation join (target <= 30 s)", run_stage(join, repeat=1)))
    else:
        print("toolkit.alignment.validate_against is not available: join stage skipped")
    print_table(rows, floor="floor: read_csv of the unvotes CSVs")
    for name, r in rows:
        if r["info"] is not None:
            print(f"  {name}: {r['info']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
