"""The stance classifiers against the gold set, by sampling design (issue 12).

Prints macro-F1 with 95% percentile bootstrap intervals (1,000 resamples, seed 0) and the F1
per stance for:

- the rules (:class:`toolkit.stance.StanceRules`) on the held-out ``test`` half of the gold
  set (and, for comparison, on the ``dev`` half they were refined on);
- the model (:class:`toolkit.stance.StanceModel`) under seeded 5-fold stratified
  cross-validation, on every row and on the ``test`` half;
- the model stacked on the rules' verdicts (``rule_features=True``), on the ``test`` half
  only (the rules were refined on the ``dev`` half).

Each is reported on the ``representative`` rows (batch 1's stratified sample and the CMFA
census: the headline), on the ``oversample`` rows (the cue strata of batch 2) and on ``all``
(:func:`toolkit.stance.evaluate_by_design`). Run: ``python benchmarks/eval_stance.py``
(about 3 minutes on a shared 2-core machine; no corpus needed).
"""

from __future__ import annotations

import sys
import warnings

import pandas as pd


def main() -> int:
    warnings.simplefilter("ignore")
    from toolkit import stance

    gold = stance.load_gold()
    rules = stance.StanceRules().fit().predict(gold)
    model = stance.cross_validated_predictions(stance.StanceModel(random_state=0), gold,
                                               gold["stance"], random_state=0)
    stacked = stance.cross_validated_predictions(
        stance.StanceModel(rule_features=True, random_state=0), gold, gold["stance"],
        random_state=0)
    runs = [("rules (test half)", rules, "test"), ("rules (dev half, tuned on)", rules, "dev"),
            ("model (5-fold CV, all rows)", model, None),
            ("model (5-fold CV, test half)", model, "test"),
            ("model+rules (5-fold CV, test half)", stacked, "test")]
    out = pd.concat([stance.evaluate_by_design(gold, pred, split=split, random_state=0)
                     .assign(classifier=name) for name, pred, split in runs],
                    ignore_index=True)
    pd.set_option("display.width", 200)
    macro = out[out["label"] == "macro"]
    print(macro[["classifier", "sample", "n", "f1", "f1_ci_low", "f1_ci_high"]]
          .round(3).to_string(index=False))
    print()
    print(out[out["label"] != "macro"].pivot_table(
        index=["classifier", "sample"], columns="label", values="f1", sort=False)
        .reindex(columns=list(stance.STANCE_LABELS)).round(2).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
