"""What a statement says about arms supply: supply, refuse, restrain, control, request or none.

A keyword count says that a state talks about arms transfers; it does not say what the state
says. "China will not provide weapons to any party", "the US keeps pouring weapons into
Ukraine" and "we will regulate exports of dual-use items" are three different positions. This
module labels each sentence that contains an arms-supply match with one stance, by the rules
of ``corpora/annotations/CODEBOOK.md`` (Part 3):

==========  ==============================================================================
label       the sentence ...
==========  ==============================================================================
refuse      says the speaker's side does not, will not or has never supplied
supply      says the speaker's side supplies, will supply, or defends its supplies
request     asks others to supply (to the speaker or to a third party)
control     is about the rules of supply: export controls, licensing, dual use, embargoes,
            treaties (the ATT), the Register
restrain    calls on others to stop or limit supplies, or condemns others' supplies
none        a mention without a stance: a question, a report of events
==========  ==============================================================================

When several apply, the first in this order wins (the codebook's precedence).

Two classifiers, evaluated on the same hand-labelled gold set
(``corpora/annotations/arms_stance_v2.csv``, :func:`load_gold`):

- :class:`StanceRules` (``toolkit.stance.rules``): transparent rules over spaCy tokens
  (lookup lemmas, offline). Each prediction names the rule that fired and the cue words, so
  every label can be checked. The rules were written from the codebook and refined on the
  ``dev`` half of the gold set only; their honest scores are on the ``test`` half.
- :class:`StanceModel` (``toolkit.stance.model``): logistic regression on word and
  character n-grams (scikit-learn), seeded, evaluated by stratified cross-validation
  (:func:`cross_validated_predictions`); optionally stacked on the rules' verdicts.

:func:`evaluate_stance` gives precision, recall and F1 per label with bootstrap intervals and
the confusion matrix; :func:`evaluate_by_design` reports them on the representative rows and
on the oversampled stratum apart (``toolkit.stance.sampling`` draws that stratum,
:func:`oversample_units`); :func:`label_stance` finds the stance units of a corpus
(:func:`stance_sentences`) and labels them with either classifier; :func:`stance_series`
counts labels per group and period with Wilson intervals for the shares.

References
----------
Grimmer, J. & Stewart, B. M. (2013). Text as data. *Political Analysis* 21(3), 267-297.
"""

from __future__ import annotations

from toolkit.stance._common import (  # noqa: F401 (private helpers the tests use)
    STANCE_CATEGORIES,
    STANCE_LABELS,
    _mark_self,
    _self_terms,
)
from toolkit.stance.evaluation import (
    DESIGNS,
    GOLD_SHEET,
    confusion_table,
    cross_validated_predictions,
    cv_folds,
    evaluate_by_design,
    evaluate_rules,
    evaluate_stance,
    load_gold,
)
from toolkit.stance.model import StanceModel
from toolkit.stance.rules import StanceRules
from toolkit.stance.sampling import OVERSAMPLE_RULES, oversample_units
from toolkit.stance.series import label_stance, stance_sentences, stance_series

__all__ = [
    "DESIGNS",
    "GOLD_SHEET",
    "OVERSAMPLE_RULES",
    "STANCE_CATEGORIES",
    "STANCE_LABELS",
    "StanceModel",
    "StanceRules",
    "confusion_table",
    "cross_validated_predictions",
    "cv_folds",
    "evaluate_by_design",
    "evaluate_rules",
    "evaluate_stance",
    "label_stance",
    "load_gold",
    "oversample_units",
    "stance_sentences",
    "stance_series",
]
