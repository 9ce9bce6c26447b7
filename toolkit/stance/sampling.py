"""Drawing stance units for people to label: an oversampled stratum of likely stances.

A random sample of arms-supply sentences holds few ``supply``, ``refuse`` and ``request``
sentences (12, 7 and 3 of the 407 in ``arms_stance_v1.csv``), too few to train or to score a
classifier on those labels. :func:`oversample_units` draws a second, *oversampled* batch:
sentences selected by surface cues that make those stances likely (the speaker's side named
beside a supply verb or a negation; an appeal for aid or arms). The cues only select which
sentences are read; the labels are assigned by reading each sentence against the codebook.
Because the selection depends on the text, scores on this stratum are not representative of
the corpus: :func:`toolkit.stance.evaluate_by_design` reports them apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit._validation import check_int, require_columns
from toolkit.stance._common import _self_terms

__all__ = ["OVERSAMPLE_RULES", "oversample_units"]

_SUPPLY = (r"provid\w*|suppl(?:y|ies|ied|ying)|sell\w*|sold|deliver\w*|send\w*|sent|ship\w*|"
           r"export\w*|transfer\w*|giv\w+|gave|grant\w*|furnish\w*|arm(?:ed|ing)?")
_NEG = r"not|n't|never|no|neither|nor|refus\w*"
_AID = r"assistance|aid|arms|weapons?|equipment|support|supplies|materiel|ammunition"
_ASK = (r"appeal\w*|call(?:s|ed|ing)? (?:up)?on|request\w*|ask\w*|urg\w+|need\w*|plead\w*|"
        r"implor\w*|look(?:s|ing)? to")

#: The selection rules of the oversampled strata, in the order they are tried (a sentence
#: goes to the first stratum whose rule it meets). ``{self}`` stands for the words that name
#: the speaker's side (first-person pronouns and the words of the row's ``actor_name``).
OVERSAMPLE_RULES: dict[str, str] = {
    "request_cue": rf"\b(?:{_ASK})\b.{{0,80}}\b(?:{_AID})\b",
    "agent_cue": rf"\b(?:{{self}})\b.{{0,60}}\b(?:{_SUPPLY}|{_NEG})\b",
}


def _matches(text: str, actor_name: Any, rule: str) -> bool:
    words = sorted(_self_terms(actor_name), key=len, reverse=True)
    pattern = rule.replace("{self}", "|".join(map(re.escape, words)))
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def oversample_units(
    units: pd.DataFrame,
    *,
    n_per_stratum: dict[str, int],
    random_state: int,
    exclude: Sequence[str] = (),
) -> pd.DataFrame:
    """Draw stance units whose wording makes a supply, refuse or request stance likely.

    Each unit goes to the first stratum of :data:`OVERSAMPLE_RULES` whose regular expression
    matches its text (case-insensitive); units that match none are not drawn. Within a
    stratum, ``n_per_stratum[name]`` units are drawn without replacement by a generator
    seeded with ``random_state`` and the stratum's position, so the same seed gives the same
    draw.

    Parameters
    ----------
    units : DataFrame
        Stance units (:func:`toolkit.stance.stance_sentences`): ``doc_id``, ``text`` and
        ``actor_name``.
    n_per_stratum : dict of str to int
        Units to draw per stratum (keys of :data:`OVERSAMPLE_RULES`); a stratum with fewer
        units gives them all.
    random_state : int
        Seed.
    exclude : sequence of str, default=()
        ``doc_id`` values never drawn (e.g. the sentences already labelled).

    Returns
    -------
    DataFrame of shape (n_drawn, n_columns + 2)
        The drawn units in a seeded random order, with ``stratum`` (the rule's name) and
        ``stratum_n`` (units of the stratum in the population, for weighting).
    """
    require_columns(units, ["doc_id", "text", "actor_name"], what="oversample_units",
                    noun="unit table")
    unknown = sorted(set(n_per_stratum) - set(OVERSAMPLE_RULES))
    if unknown:
        raise ValueError(f"n_per_stratum names unknown strata {unknown}; use "
                         f"{list(OVERSAMPLE_RULES)}.")
    pool = units[~units["doc_id"].isin(set(exclude))].reset_index(drop=True)
    stratum = pd.Series(None, index=pool.index, dtype=object)
    for name, rule in OVERSAMPLE_RULES.items():
        free = stratum.isna()
        hit = [_matches(t, a, rule) for t, a in zip(pool.loc[free, "text"],
                                                    pool.loc[free, "actor_name"])]
        stratum[free[free].index[np.asarray(hit, dtype=bool)]] = name
    parts = []
    for k, name in enumerate(OVERSAMPLE_RULES):
        if name not in n_per_stratum:
            continue
        n = check_int(f"n_per_stratum[{name!r}]", n_per_stratum[name], min_value=0)
        members = pool[stratum == name]
        rng = np.random.default_rng([random_state, k])
        take = rng.choice(len(members), size=min(n, len(members)), replace=False)
        drawn = members.iloc[np.sort(take)].copy()
        drawn["stratum"], drawn["stratum_n"] = name, len(members)
        parts.append(drawn)
    out = pd.concat(parts, ignore_index=True) if parts else pool.iloc[:0].assign(
        stratum=[], stratum_n=[])
    order = np.random.default_rng(random_state).permutation(len(out))
    return out.iloc[order].reset_index(drop=True)
