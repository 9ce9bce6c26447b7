"""Tests of toolkit.stance.sampling: the oversampled stratum of likely stances."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.stance import OVERSAMPLE_RULES, oversample_units


def _units():
    return pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(8)],
        "actor_name": ["Ghana", "Ghana", "Japan", "Peru", "Peru", "Chad", "Chad", "Chad"],
        "text": [
            "We appeal for military assistance to defend our borders.",  # request_cue
            "The Council needs to send arms to the force at once.",  # request_cue
            "Japan does not export weapons to areas of conflict.",  # agent_cue (name + neg)
            "We will never sell arms to either side.",  # agent_cue
            "Arms sales fuel the war.",  # neither
            "The arms trade is a large market.",  # neither
            "Our country provides training to the army.",  # agent_cue
            "They call on donors for support and weapons.",  # request_cue
        ],
    })


def test_each_unit_goes_to_the_first_stratum_whose_rule_matches():
    got = oversample_units(_units(), n_per_stratum={"request_cue": 10, "agent_cue": 10},
                           random_state=1)
    strata = dict(zip(got["doc_id"], got["stratum"]))
    assert strata == {"d0": "request_cue", "d1": "request_cue", "d7": "request_cue",
                      "d2": "agent_cue", "d3": "agent_cue", "d6": "agent_cue"}
    assert set(got.loc[got["stratum"] == "request_cue", "stratum_n"]) == {3}
    assert set(got.loc[got["stratum"] == "agent_cue", "stratum_n"]) == {3}
    assert list(OVERSAMPLE_RULES) == ["request_cue", "agent_cue"]


def test_the_draw_is_seeded_excludes_and_counts_the_population():
    a = oversample_units(_units(), n_per_stratum={"agent_cue": 2}, random_state=7)
    b = oversample_units(_units(), n_per_stratum={"agent_cue": 2}, random_state=7)
    assert a["doc_id"].tolist() == b["doc_id"].tolist() and len(a) == 2
    assert set(a["doc_id"]) <= {"d2", "d3", "d6"} and (a["stratum_n"] == 3).all()
    ex = oversample_units(_units(), n_per_stratum={"agent_cue": 5}, random_state=7,
                          exclude=["d3"])
    assert set(ex["doc_id"]) == {"d2", "d6"} and (ex["stratum_n"] == 2).all()
    with pytest.raises(ValueError, match="unknown strata"):
        oversample_units(_units(), n_per_stratum={"refuse_cue": 1}, random_state=0)


def test_the_committed_batch_2_is_the_census_of_both_cue_strata():
    """arms_stance_v2.json records the strata sizes; the sheet holds every member."""
    from toolkit.stance import load_gold

    gold = load_gold()
    two = gold[gold["batch"] == "2"]
    sizes = two.groupby("stratum").size().to_dict()
    assert sizes == {"cmfa_census_v14": 11, "ungdc_agent_cue": 156, "ungdc_request_cue": 98}
    assert (two.groupby("stratum")["stratum_n"].first().astype(int) == pd.Series(sizes)).all()
    assert set(two["design"]) == {"census", "oversample"}
