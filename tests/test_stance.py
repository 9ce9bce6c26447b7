"""Tests of toolkit.stance: named rules, the supervised model, evaluation and series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import stance

# The 14 April 2023 statement, in the words of the seed report (shared/seeds/).
SEED_REFUSE = "China won't sell weapons to either side in the war in Ukraine."
SEED_CONTROL = "China would also regulate the export of items with dual civilian and military use."
SEED_QUOTE = ("Regarding the export of military items, China adopts a prudent and responsible "
              "attitude.")


@pytest.fixture(scope="module")
def rules():
    return stance.StanceRules().fit()


def test_seed_statement_is_refuse_and_control(rules):
    X = pd.DataFrame({"text": [SEED_REFUSE, SEED_CONTROL, SEED_QUOTE], "actor_name": "China"})
    got = rules.explain(X)
    assert got["stance"].tolist() == ["refuse", "control", "control"]
    assert got.loc[0, "rule"] == "self_negated_supply"
    assert got.loc[1, "rule"] == "instrument"


@pytest.mark.parametrize("text, actor, label, rule", [
    ("China has never provided lethal weapons to any party.", "China", "refuse",
     "self_negated_supply"),
    ("The US keeps pouring weapons into Ukraine, adding fuel to the fire.", "China", "restrain",
     "stop_or_condemn"),
    ("We will continue to provide Ukraine with the military assistance it needs.", "Germany",
     "supply", "self_supply"),
    ("We appeal to the international community to provide us with arms.", "Ukraine", "request",
     "call_for_supply"),
    ("We call for an arms embargo against the regime.", "Ghana", "control", "instrument"),
    ("We urge all States to stop sending arms to the region.", "Ghana", "restrain",
     "stop_or_condemn"),
    ("Does that mean pouring weapons into the conflict should be seen as impartial?", "China",
     "restrain", "stop_or_condemn"),
    ("It is the US, not China, that has been sending weapons to the battlefield.", "China",
     "refuse", "denied_claim"),
    ("The US keeps falsely claiming that China might offer weapons to Russia.", "China",
     "refuse", "denied_claim"),
    ("We are supporting Ukraine, including through military aid.", "Slovakia", "supply",
     "self_aid"),
    ("The supplying of arms to the rebels by the neighbouring regime is obvious.", "Laos",
     "restrain", "stop_or_condemn"),
    ("The neighbouring regime is supplying arms to the insurgents.", "Laos",
     "restrain", "other_supplies"),
    ("The country received military assistance last year.", "Ghana", "none", "no_cue"),
    # v2 rules
    ("Finland for its own part has already many years ago banned arms exports to South Africa.",
     "Finland", "refuse", "own_ban"),
    ("My Government forbids the export of weapons to areas in conflict.", "Japan", "refuse",
     "own_ban"),
    ("Our country is neither a producer nor a supplier of weapons.", "Malta",
     "refuse", "not_a_supplier"),
    ("I recall the unfounded accusation against my Government concerning an alleged shipment "
     "of arms.", "Poland", "refuse", "denied_claim"),
    ("The proportion of our arms exports to the third world is 0.2 per cent.", "Germany",
     "supply", "own_supplies"),
    ("Norway answered the call of the Government by sending military advisers.",
     "Norway", "supply", "answered_call"),
    ("We still need weapons and ammunition to defend our cities.", "Ukraine",
     "request", "call_for_supply"),
    ("The regime remains in power thanks only to United States military support.", "Romania",
     "restrain", "other_aid"),
    ("The enlarged Group could ascertain the veracity of allegations that Pakistan is providing "
     "military assistance.", "Pakistan", "none", "no_cue"),
    ("We call for an arms embargo against the regime.", "Finland", "control", "instrument"),
    ("We provide food and shelter to the refugees of the war.", "Chad", "none", "no_cue"),
])
def test_named_rules(rules, text, actor, label, rule):
    got = rules.explain(pd.DataFrame({"text": [text], "actor_name": [actor]}))
    assert (got.loc[0, "stance"], got.loc[0, "rule"]) == (label, rule)


def test_a_question_that_quotes_the_speakers_refusal_is_refuse(rules):
    X = pd.DataFrame({
        "text": ["However, China has repeatedly stated that it will not sell military equipment "
                 "to the parties.", "Will China sell weapons to Russia?"],
        "actor_name": "China", "part": "question"})
    got = rules.explain(X)
    assert got["stance"].tolist() == ["refuse", "none"]
    assert got["rule"].tolist() == ["quoted_refusal", "question"]


def test_questions_by_part_and_plain_lists(rules):
    X = pd.DataFrame({"text": ["China sells no weapons.", "Will China provide weapons?"],
                      "actor_name": ["China", "China"], "part": ["question", "question"]})
    assert rules.predict(X).tolist() == ["none", "none"]
    assert rules.predict(["We will not sell arms to any party."]).tolist() == ["refuse"]
    with pytest.raises(TypeError, match="not a str"):
        rules.predict("one sentence")


def _toy():
    texts = (["we will not sell weapons to anyone"] * 6 + ["they must stop pouring arms in"] * 6
             + ["export controls on dual use items"] * 6 + ["the ministry held a briefing"] * 6)
    labels = ["refuse"] * 6 + ["restrain"] * 6 + ["control"] * 6 + ["none"] * 6
    return texts, np.array(labels, dtype=object)


def test_model_learns_and_cross_validates_reproducibly():
    texts, y = _toy()
    model = stance.StanceModel(random_state=0).fit(texts, y)
    assert set(model.classes_) == {"refuse", "restrain", "control", "none"}
    assert model.predict(["we will not sell weapons"]).tolist() == ["refuse"]
    a = stance.cross_validated_predictions(stance.StanceModel(), texts, y, random_state=3)
    b = stance.cross_validated_predictions(stance.StanceModel(), texts, y, random_state=3)
    assert a.tolist() == b.tolist() and (a == y).mean() == 1.0
    with pytest.raises(ValueError, match="Unknown stance labels"):
        stance.StanceModel().fit(["x"], ["maybe"])


def test_evaluate_by_hand():
    y_true = ["refuse", "refuse", "none", "none", "control"]
    y_pred = ["refuse", "none", "none", "none", "refuse"]
    got = stance.evaluate_stance(y_true, y_pred, labels=["refuse", "none", "control"],
                                 n_boot=200, random_state=0).set_index("label")
    # refuse: tp 1, predicted 2, gold 2 -> P .5 R .5 F .5; none: tp 2, pred 3, gold 2
    assert got.loc["refuse", ["precision", "recall", "f1"]].tolist() == [0.5, 0.5, 0.5]
    assert got.loc["none", "precision"] == pytest.approx(2 / 3)
    assert got.loc["none", "recall"] == 1.0 and got.loc["none", "f1"] == pytest.approx(0.8)
    assert got.loc["control", "f1"] == 0.0 and np.isnan(got.loc["control", "precision"])
    assert got.loc["macro", "f1"] == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert got.loc["refuse", "f1_ci_low"] <= 0.5 <= got.loc["refuse", "f1_ci_high"]
    conf = stance.confusion_table(y_true, y_pred, labels=["refuse", "none", "control"])
    assert conf.loc["control", "refuse"] == 1 and conf.to_numpy().sum() == 5


def test_stance_series_counts_every_label_with_wilson():
    df = pd.DataFrame({"actor": ["CHN"] * 4 + ["USA"],
                       "date": pd.to_datetime(["2023-01-05", "2023-01-20", "2023-02-01",
                                               "2023-02-02", "2023-01-09"]),
                       "stance": ["refuse", "restrain", "refuse", "refuse", "supply"]})
    out = stance.stance_series(df, by="actor", period="M")
    jan = out[(out["group"] == "CHN") & (out["period"] == pd.Timestamp("2023-01-01"))]
    assert len(jan) == len(stance.STANCE_LABELS)
    assert jan.set_index("stance").loc["refuse", ["n", "n_total", "share"]].tolist() == [1, 2, 0.5]
    assert (out["ci_low"] <= out["share"]).all() and (out["share"] <= out["ci_high"]).all()


def test_gold_set_is_complete_and_the_model_marks_the_speaker():
    gold = stance.load_gold()
    assert len(gold) == 672 and set(gold["stance"]) <= set(stance.STANCE_LABELS)
    assert gold["batch"].value_counts().to_dict() == {"1": 407, "2": 265}
    assert set(gold["design"]) == set(stance.DESIGNS)
    assert (gold["actor_name"] != "").all()
    assert stance._mark_self("We will not sell; China never did. The US did.", "China") == (
        "selfref will not sell; selfref never did. The US did.")
    with pytest.raises(FileNotFoundError, match="No stance sheet"):
        stance.load_gold("/nonexistent.csv")


def _corpus():
    from toolkit.corpora.schema import standardize_columns

    return standardize_columns(pd.DataFrame({
        "doc_id": ["CHN_1", "USA_1", "CHN_2"], "actor": ["CHN", "USA", "CHN"],
        "actor_name": ["China", "United States", "China"], "year": [2023, 2023, 2022],
        "text": ["China will not sell weapons to either side. Peace matters.",
                 "We call for strict export controls on dual-use items.",
                 "Development is our priority."],
    }))


def test_label_stance_labels_each_arms_sentence_with_the_speakers_side():
    got = stance.label_stance(_corpus(), "arms")
    assert got["doc_id"].tolist() == ["CHN_1#s0", "USA_1#s0"]
    assert got[["stance", "rule"]].values.tolist() == [
        ["refuse", "self_negated_supply"], ["control", "instrument"]]
    info = got.attrs["stance"]
    assert info["classifier"] == "StanceRules" and info["n_sentences"] == 2
    assert info["dictionary"]["name"] == "arms"


def test_label_stance_with_a_model_and_on_a_corpus_without_arms_talk():
    texts, y = _toy()
    model = stance.StanceModel(random_state=0).fit(texts, y)
    got = stance.label_stance(_corpus(), "arms", classifier=model)
    assert "rule" not in got.columns and set(got["stance"]) <= set(y)
    assert got.attrs["stance"]["params"]["random_state"] == 0
    empty = stance.label_stance(_corpus().iloc[[2]], "arms")
    assert empty.empty and {"doc_id", "actor", "stance", "rule"} <= set(empty.columns)
    assert stance.stance_series(empty, by="actor", period="decade").empty
    assert stance.label_stance(_corpus().iloc[[2]], "arms", classifier=model).empty


def test_cv_folds_follow_the_rarest_label_and_an_empty_predict_is_empty():
    assert stance.cv_folds(["a"] * 9 + ["b"] * 3, n_splits=5) == 3
    assert stance.cv_folds(["a"] * 9 + ["b"] * 1, n_splits=5) == 2
    assert stance.cv_folds(["a"] * 9 + ["b"] * 9, n_splits=5) == 5
    texts, y = _toy()
    model = stance.StanceModel(random_state=0).fit(texts, y)
    assert model.predict([]).tolist() == []


def test_evaluate_rules_scores_the_held_out_half():
    gold = pd.DataFrame({
        "text": ["We will not sell weapons to anyone.", "We call for an arms embargo.",
                 "They keep pouring weapons in, adding fuel to the fire.",
                 "The ministry held a briefing on arms."],
        "actor_name": "Ghana", "stance": ["refuse", "control", "restrain", "control"],
        "rules_split": ["test", "test", "dev", "test"]})
    got = stance.evaluate_rules(gold, n_boot=20, random_state=0).set_index("label")
    assert got.attrs["evaluate_rules"] == {"split": "test", "sample": "representative", "n": 3}
    assert got.loc["refuse", "f1"] == 1.0 and got.loc["control", "recall"] == 0.5
    assert got.loc["macro", "support"] == 3
    every = stance.evaluate_rules(gold, split=None, n_boot=20, random_state=0)
    assert every.attrs["evaluate_rules"]["n"] == 4
    with pytest.raises(ValueError, match="rules_split == 'held'"):
        stance.evaluate_rules(gold, split="held", n_boot=20, random_state=0)
    over = gold.assign(design=["oversample", "stratified", "stratified", "stratified"])
    rep = stance.evaluate_rules(over, n_boot=20, random_state=0)
    assert rep.attrs["evaluate_rules"]["n"] == 2
    assert stance.evaluate_rules(over, sample="oversample", n_boot=20,
                                 random_state=0).attrs["evaluate_rules"]["n"] == 1
    assert stance.evaluate_rules(over, sample=None, n_boot=20,
                                 random_state=0).attrs["evaluate_rules"]["n"] == 3


def test_gold_v2_keeps_v1s_rows_unchanged():
    from toolkit.config import project_root

    v1 = pd.read_csv(project_root() / "corpora" / "annotations" / "arms_stance_v1.csv",
                     dtype=str, keep_default_na=False)
    v2 = pd.read_csv(project_root() / "corpora" / "annotations" / stance.GOLD_SHEET,
                     dtype=str, keep_default_na=False)
    first = v2[v2["batch"] == "1"][v1.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, v1)
    assert not set(v2.loc[v2["batch"] == "2", "text"]) & set(v1["text"])
    old = stance.load_gold(project_root() / "corpora" / "annotations" / "arms_stance_v1.csv")
    assert set(old["batch"]) == {"1"} and set(old["design"]) == {"stratified"}


def test_evaluate_by_design_keeps_the_oversampled_rows_apart():
    gold = pd.DataFrame({
        "stance": ["refuse", "none", "none", "supply", "supply", "refuse"],
        "design": ["stratified", "stratified", "census", "oversample", "oversample",
                   "oversample"],
        "rules_split": ["test", "test", "dev", "test", "test", "dev"]})
    pred = ["refuse", "refuse", "none", "supply", "none", "refuse"]
    got = stance.evaluate_by_design(gold, pred, n_boot=20, random_state=0)
    macro = got[got["label"] == "macro"].set_index("sample")
    assert macro["n"].to_dict() == {"representative": 3, "oversample": 3, "all": 6}
    # representative: refuse P 1/2 R 1 F 2/3; none P 1 R 1/2 F 2/3 -> macro 2/3
    assert macro.loc["representative", "f1"] == pytest.approx(2 / 3)
    # oversample: supply P 1 R 1/2 F 2/3; refuse F 1 -> macro 5/6
    assert macro.loc["oversample", "f1"] == pytest.approx(5 / 6)
    test = stance.evaluate_by_design(gold, pred, split="test", n_boot=20, random_state=0)
    assert test.attrs["evaluate_by_design"] == {
        "split": "test", "n": {"representative": 2, "oversample": 2, "all": 4}}
    with pytest.raises(ValueError, match="aligned with the gold rows"):
        stance.evaluate_by_design(gold, pred[:3], n_boot=5, random_state=0)


def test_model_with_rule_features_sees_the_rules_verdict():
    texts, y = _toy()
    model = stance.StanceModel(rule_features=True, random_state=0)
    marked = model._texts(pd.DataFrame({"text": ["We will not sell weapons to anyone."],
                                        "actor_name": "Ghana"}))
    assert marked == ["selfref will not sell weapons to anyone. rule_self_negated_supply "
                      "label_refuse"]
    fitted = model.fit(texts, y)
    assert fitted.predict(["we will not sell weapons"]).tolist() == ["refuse"]
    assert stance.StanceModel().C == 0.25
