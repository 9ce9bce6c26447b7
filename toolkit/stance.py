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
(``corpora/annotations/arms_stance_v1.csv``):

- :class:`StanceRules`: transparent rules over spaCy tokens (lookup lemmas, offline). Each
  prediction names the rule that fired and the cue words, so every label can be checked.
  The rules were written from the codebook before the gold labels were read.
- :class:`StanceModel`: logistic regression on word and character n-grams (scikit-learn),
  seeded, evaluated by stratified cross-validation (:func:`cross_validated_predictions`).

:func:`evaluate_stance` gives precision, recall and F1 per label with bootstrap intervals and
the confusion matrix; :func:`label_stance` finds the stance units of a corpus
(:func:`stance_sentences`) and labels them with either classifier; :func:`stance_series`
counts labels per group and period with Wilson intervals for the shares.

References
----------
Grimmer, J. & Stewart, B. M. (2013). Text as data. *Political Analysis* 21(3), 267-297.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from toolkit._validation import check_ci_level, check_int, require_columns
from toolkit.periods import Period, assign_period
from toolkit.uncertainty import wilson_interval

__all__ = [
    "STANCE_CATEGORIES",
    "STANCE_LABELS",
    "StanceModel",
    "StanceRules",
    "confusion_table",
    "cross_validated_predictions",
    "cv_folds",
    "evaluate_rules",
    "evaluate_stance",
    "label_stance",
    "load_gold",
    "stance_sentences",
    "stance_series",
]

#: The labels, in the codebook's order of precedence.
STANCE_LABELS: tuple[str, ...] = ("refuse", "supply", "request", "control", "restrain", "none")

#: Dictionary categories whose matches make a sentence a stance unit (arms dictionary).
STANCE_CATEGORIES: tuple[str, ...] = ("arms_transfers", "military_aid", "export_controls")

# ------------------------------------------------------------------------------ cue words
# Lemmas (spaCy lookup lemmas, lower case). Each set is one kind of cue the rules name.
_SUPPLY_VERBS = frozenset(
    "supply provide sell deliver send ship give transfer export arm pour offer furnish equip "
    "donate funnel channel smuggle traffic sale".split()
)
_NEGATIONS = frozenset("not n't never no neither nor none without".split())
_FIRST_PERSON = frozenset("we our us i my ours".split())
_CALL_VERBS = frozenset(
    "call urge appeal ask request demand invite encourage hope want need plead".split()
)
_STOP_CUES = frozenset(
    "stop halt cease refrain curb limit reduce condemn deplore denounce oppose "
    "criticize criticise fuel flame excessive illicit illegal destabilize destabilise "
    "escalate escalation prolong aggravate flood profit merchant irresponsible "
    "instead pour smear flow traffic trafficking trafficker smuggle smuggling".split()
)
_CONTROL_CUES = frozenset(
    "embargo treaty register regulate regulation licence license licensing "
    "legislation law dual end-use end-user wassenaar mtcr prudent responsible "
    "norm rule control controls ban prohibit prohibition forbid transparency transparent "
    "reporting criteria convention code sanction moratorium oversight accordance".split()
)
_OTHER_AGENTS = frozenset(
    "they them their some certain other others country countries state states power powers "
    "nato west side sides party parties government governments".split()
)
#: Words that deny a claim: "falsely claiming that China might offer weapons".
_DENIAL_CUES = frozenset(
    "disinformation falsely false smear smearing groundless fabricate fabricated rumour rumor "
    "lie lies baseless slander".split()
)
_AID_NOUNS = frozenset("aid assistance support".split())
_AID_MODIFIERS = frozenset("military security lethal defence defense".split())
_CLAUSE_BREAKS = frozenset({",", ";", ":", "but", "while", "whereas", "and", "."})
_NEG_SCOPE = 6  # tokens between a negation and the supply verb it scopes over


@dataclass(frozen=True)
class _Tok:
    text: str
    lower: str
    lemma: str


def _tokens(text: str) -> list[_Tok]:
    from toolkit.text import load_spacy

    nlp = load_spacy("blank")
    doc = nlp.get_pipe("lemmatizer")(nlp.make_doc(text))
    return [_Tok(t.text, t.lower_, (t.lemma_ or t.lower_).lower()) for t in doc]


def _clauses(toks: list[_Tok]) -> list[list[int]]:
    """Token positions per clause (split at , ; : and "but"/"while"/"and")."""
    out, cur = [], []
    for i, t in enumerate(toks):
        if t.lower in _CLAUSE_BREAKS:
            if cur:
                out.append(cur)
            cur = []
        else:
            cur.append(i)
    if cur:
        out.append(cur)
    return out


def _self_terms(actor_name: Any) -> frozenset[str]:
    """Words that name the speaker's side: first person, the actor's name and "chinese"-like
    adjectives (the name's first word with "-ese"/"-an"/"-ian" is not guessed; pass it)."""
    words = set(_FIRST_PERSON)
    if isinstance(actor_name, str) and actor_name.strip():
        words.update(w.lower() for w in re.findall(r"[A-Za-z]+", actor_name) if len(w) > 2)
    return frozenset(words)


_DETERMINERS = frozenset("the a an of its their his her this that these those".split())


def _is_supply_verb(toks: list[_Tok], i: int) -> bool:
    """A supply verb, not the noun of the same spelling ("the export of", "an arms sale")."""
    t = toks[i]
    if not (t.lemma in _SUPPLY_VERBS or t.lower in _SUPPLY_VERBS):
        return False
    if i > 0 and toks[i - 1].lower in _DETERMINERS:
        return False
    return not (i + 1 < len(toks) and toks[i + 1].lower == "of")


@dataclass(frozen=True)
class _Decision:
    label: str
    rule: str
    cues: str


def _decide(text: str, self_terms: frozenset[str], is_question: bool) -> _Decision:
    """Apply the rules in the codebook's order; the first that fires decides."""
    toks = _tokens(text)
    lemmas = [t.lemma for t in toks]
    if is_question:  # a journalist's question; a rhetorical question in a statement is not
        return _Decision("none", "question", "?")
    rules = (_rule_refuse, _rule_denied_claim, _rule_supply, _rule_self_aid, _rule_request,
             _rule_control, _rule_restrain, _rule_other_supplies)
    for rule in rules:
        found = rule(toks, lemmas, self_terms)
        if found is not None:
            return found
    return _Decision("none", "no_cue", "")


def _agent_before(toks: list[_Tok], clause: list[int], pos: int,
                  self_terms: frozenset[str]) -> tuple[str | None, int]:
    """The nearest agent word before ``pos`` in the clause: ("self" | "other" | None, index)."""
    for j in reversed([i for i in clause if i < pos]):
        t = toks[j]
        if t.lower in _FIRST_PERSON and t.text.isupper() and len(t.text) > 1:
            return "other", j  # "US" is the United States, not "us"
        if t.lower in self_terms:
            return "self", j
        if t.lower in _OTHER_AGENTS or (t.text[:1].isupper() and j > 0 and t.lower not in
                                        self_terms and t.lower not in _FIRST_PERSON):
            return "other", j
    return None, -1


def _rule_refuse(toks, lemmas, self_terms) -> _Decision | None:
    """self_negated_supply: a negation scopes over a supply verb whose agent is the speaker."""
    for clause in _clauses(toks):
        for pos in clause:
            if not _is_supply_verb(toks, pos):
                continue
            window = [i for i in clause if pos - _NEG_SCOPE <= i < pos]
            neg = [i for i in window if toks[i].lower in _NEGATIONS]
            after = [i for i in clause if pos < i <= pos + 2 and toks[i].lower == "no"]
            if not neg and not after:
                continue
            agent, _ = _agent_before(toks, clause, (neg or after)[0], self_terms)
            if agent == "self" or (agent is None and _sentence_agent(toks, self_terms) == "self"):
                cue = toks[(neg or after)[0]].lower + " " + toks[pos].lower
                return _Decision("refuse", "self_negated_supply", cue)
    return None


def _sentence_agent(toks: list[_Tok], self_terms: frozenset[str]) -> str | None:
    """The first agent word of the sentence (the subject of a clause without one)."""
    agent, _ = _agent_before(toks, list(range(len(toks))), len(toks), self_terms)
    for t in toks:
        if t.lower in self_terms:
            return "self"
        if t.lower in _OTHER_AGENTS:
            return "other"
    return agent


def _rule_supply(toks, lemmas, self_terms) -> _Decision | None:
    """self_supply: the speaker is the agent of a supply verb, with no call verb between."""
    for clause in _clauses(toks):
        for pos in clause:
            if not _is_supply_verb(toks, pos):
                continue
            agent, j = _agent_before(toks, clause, pos, self_terms)
            between = {lemmas[i] for i in clause if j < i < pos}
            blockers = _CALL_VERBS | _STOP_CUES | _NEGATIONS | _CONTROL_CUES
            if agent == "self" and not between & blockers:
                return _Decision("supply", "self_supply", f"{toks[j].lower} {toks[pos].lower}")
    return None


def _rule_denied_claim(toks, lemmas, self_terms) -> _Decision | None:
    """denied_claim: the speaker's supply is called a false claim ("falsely claiming that China
    might offer weapons"), or the speaker's side is set against the supplier ("the US, not
    China, has been sending weapons")."""
    has_supply = any(_is_supply_verb(toks, i) for i in range(len(toks)))
    if not has_supply:
        return None
    selfs = [i for i, t in enumerate(toks) if t.lower in self_terms and not (
        t.lower in _FIRST_PERSON and t.text.isupper() and len(t.text) > 1)]
    for i in selfs:
        if i > 0 and toks[i - 1].lower in {"not", "never"}:
            return _Decision("refuse", "denied_claim", f"not {toks[i].lower}")
    denial = [t.lower for t in toks if t.lemma in _DENIAL_CUES or t.lower in _DENIAL_CUES]
    if denial and selfs:
        return _Decision("refuse", "denied_claim", denial[0])
    return None


def _rule_self_aid(toks, lemmas, self_terms) -> _Decision | None:
    """self_aid: the sentence's first agent is the speaker and it names military or security
    aid it gives ("we are supporting Ukraine, including through military aid"), with no call,
    stop or negation word."""
    if set(lemmas) & (_CALL_VERBS | _STOP_CUES | _NEGATIONS):
        return None
    if _sentence_agent(toks, self_terms) != "self":
        return None
    for i in range(1, len(toks)):
        if lemmas[i] in _AID_NOUNS and toks[i - 1].lower in _AID_MODIFIERS:
            return _Decision("supply", "self_aid", f"{toks[i - 1].lower} {toks[i].lower}")
    return None


def _rule_other_supplies(toks, lemmas, self_terms) -> _Decision | None:
    """other_supplies: another party is the agent of a supply verb, or the sentence speaks of
    supplies (a supply verb or noun, "sale") without naming the speaker's side at all. In a
    statement, reporting others' supplies is criticising them (the codebook's "condemns
    others' supplies")."""
    for clause in _clauses(toks):
        for pos in clause:
            if _is_supply_verb(toks, pos):
                agent, j = _agent_before(toks, clause, pos, self_terms)
                if agent == "other":
                    return _Decision("restrain", "other_supplies",
                                     f"{toks[j].lower} {toks[pos].lower}")
    speaker = any(t.lower in self_terms for t in toks)
    words = [t.lower for i, t in enumerate(toks)
             if t.lemma in _SUPPLY_VERBS or t.lower in _SUPPLY_VERBS
             or t.lemma in ("sale", "delivery")]
    if words and not speaker:
        return _Decision("restrain", "other_supplies", words[0])
    return None


def _rule_request(toks, lemmas, self_terms) -> _Decision | None:
    """call_for_supply: a call verb followed by a supply verb or aid noun, with no stop cue;
    or a supply verb whose recipient is the speaker ("provide us")."""
    for i, lem in enumerate(lemmas):
        if lem in _CALL_VERBS:
            rest = lemmas[i + 1:]
            if set(rest) & (_STOP_CUES | _NEGATIONS | _CONTROL_CUES):
                return None
            hit = next((w for w in rest if w in _SUPPLY_VERBS or w in {"aid", "assistance"}),
                       None)
            if hit is not None:
                return _Decision("request", "call_for_supply", f"{toks[i].lower} … {hit}")
    for i, t in enumerate(toks):
        if _is_supply_verb(toks, i) and any(toks[k].lower in {"us", "me"}
                                      for k in range(i + 1, min(i + 3, len(toks)))):
            return _Decision("request", "supply_to_speaker", f"{t.lower} us")
    return None


def _cue_rule(toks, lemmas, cues: frozenset[str], label: str, rule: str) -> _Decision | None:
    """Fire ``rule`` with ``label`` when a token or its lemma is one of ``cues``."""
    hits = [toks[i].lower for i, lem in enumerate(lemmas)
            if lem in cues or toks[i].lower in cues]
    if hits:
        return _Decision(label, rule, " ".join(dict.fromkeys(hits)))
    return None


def _rule_control(toks, lemmas, self_terms) -> _Decision | None:
    """instrument: the sentence names an instrument that rules supply."""
    return _cue_rule(toks, lemmas, _CONTROL_CUES, "control", "instrument")


def _rule_restrain(toks, lemmas, self_terms) -> _Decision | None:
    """stop_or_condemn: a call to stop or limit, or a condemning word about supplies."""
    return _cue_rule(toks, lemmas, _STOP_CUES, "restrain", "stop_or_condemn")


def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        require_columns(X, ["text"], what="stance", noun="sentence table")
        return X
    if isinstance(X, str):
        raise TypeError("Pass a list of sentences or a table with a 'text' column, not a str.")
    return pd.DataFrame({"text": list(X)})


class StanceRules(ClassifierMixin, BaseEstimator):
    """Named rules that label a sentence's stance on arms supply.

    The rules, tried in order (the first that fires decides):

    ``question``
        The sentence is a journalist's question (its ``part`` is "question") -> none. A
        rhetorical question inside a statement goes on to the other rules.
    ``self_negated_supply``
        A negation (not, never, no, neither, nor) within 6 tokens before a supply verb
        (supply, provide, sell, deliver, send, ship, transfer, export, pour, offer...), in the
        same clause, whose nearest agent is the speaker's side (we, our, my, or a word of the
        speaker's ``actor_name``) -> refuse.
    ``self_supply``
        The speaker's side is the nearest agent of a supply verb, with no call, stop or
        negation word between -> supply.
    ``call_for_supply`` / ``supply_to_speaker``
        A call verb (call, urge, appeal, ask, need...) followed by a supply verb or
        aid/assistance with no stop, negation or instrument word; or "provide us" -> request.
    ``instrument``
        An instrument that rules supply (embargo, treaty, register, regulate, licence,
        dual, end-use, control, legislation, prudent, responsible...) -> control.
    ``stop_or_condemn``
        A stop or condemnation cue (stop, halt, cease, refrain, curb, condemn, fuel, flame,
        excessive, illicit, escalate...) -> restrain.
    ``no_cue``
        Otherwise -> none.

    Nothing is learned: :meth:`fit` only records the labels. Tokens come from spaCy's blank
    English pipeline with lookup lemmas (:func:`toolkit.text.load_spacy`), so the rules run
    offline; clauses are split at , ; : "and" "but" "while".

    Parameters
    ----------
    self_terms : sequence of str or None, default=None
        Extra words naming the speaker's side for every sentence (e.g. ``["chinese"]``),
        added to first-person words and the words of each row's ``actor_name``.
    """

    def __init__(self, *, self_terms: Sequence[str] | None = None):
        self.self_terms = self_terms

    def fit(self, X: Any = None, y: Any = None) -> StanceRules:
        """Record the label set (nothing is learned).

        Parameters
        ----------
        X : ignored
            Present for the scikit-learn API.
        y : ignored
            Present for the scikit-learn API.

        Returns
        -------
        StanceRules
            ``self``, with ``classes_``.
        """
        self.classes_ = np.array(STANCE_LABELS, dtype=object)
        return self

    def explain(self, X: Any) -> pd.DataFrame:
        """Label each sentence and say which rule fired on which cue words.

        Parameters
        ----------
        X : sequence of str or DataFrame
            Sentences, or a table with ``text`` and optionally ``actor_name`` (the speaker's
            side) and ``part`` ("question" rows are questions).

        Returns
        -------
        DataFrame of shape (n_sentences, 3)
            ``stance``, ``rule`` and ``cues``, indexed like ``X``.
        """
        check_is_fitted(self, "classes_")
        frame = _as_frame(X)
        extra = frozenset(w.lower() for w in (self.self_terms or ()))
        names = frame["actor_name"] if "actor_name" in frame.columns else pd.Series(
            None, index=frame.index, dtype=object)
        parts = frame["part"] if "part" in frame.columns else pd.Series(
            "", index=frame.index, dtype=object)
        rows = [_decide(str(t), _self_terms(n) | extra, p == "question")
                for t, n, p in zip(frame["text"], names, parts)]
        return pd.DataFrame([(r.label, r.rule, r.cues) for r in rows],
                            columns=["stance", "rule", "cues"], index=frame.index)

    def predict(self, X: Any) -> np.ndarray:
        """Label each sentence.

        Parameters
        ----------
        X : sequence of str or DataFrame
            As in :meth:`explain`.

        Returns
        -------
        ndarray of shape (n_sentences,)
            One label of :data:`STANCE_LABELS` per sentence.
        """
        return self.explain(X)["stance"].to_numpy(dtype=object)


class StanceModel(ClassifierMixin, BaseEstimator):
    """Logistic regression on word and character n-grams of a sentence.

    Word 1-2-grams and character 2-5-grams (within word boundaries), tf-idf weighted with
    sublinear term frequency, feed a multinomial logistic regression with balanced class
    weights.

    Parameters
    ----------
    mark_self : bool, default=True
        Replace the words that name the speaker's side (first-person pronouns and the words
        of each row's ``actor_name``) by one token, ``selfref``, before the n-grams are
        built, so that "China will not sell" and "we will not sell" look alike and the model
        can learn who supplies (the codebook's stances turn on the agent).
    C : float, default=4.0
        Inverse regularisation strength.
    min_df : int, default=1
        Minimum document frequency of an n-gram.
    random_state : int or None, default=None
        Seed of the solver's shuffling (the lbfgs solver is deterministic; kept for the
        toolkit's convention and for other solvers).
    """

    def __init__(self, *, mark_self: bool = True, C: float = 4.0, min_df: int = 1,
                 random_state: int | None = None):
        self.mark_self = mark_self
        self.C = C
        self.min_df = min_df
        self.random_state = random_state

    def _pipeline(self) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        features = FeatureUnion([
            ("word", TfidfVectorizer(ngram_range=(1, 2), min_df=self.min_df, sublinear_tf=True,
                                     lowercase=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                     min_df=self.min_df, sublinear_tf=True)),
        ])
        clf = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000,
                                 random_state=self.random_state)
        return make_pipeline(features, clf)

    def fit(self, X: Any, y: Sequence[str]) -> StanceModel:
        """Fit on labelled sentences.

        Parameters
        ----------
        X : sequence of str or DataFrame with ``text``
            Sentences.
        y : sequence of str of length n_sentences
            Their stance labels.

        Returns
        -------
        StanceModel
            ``self``, with ``pipeline_`` and ``classes_``.
        """
        texts = self._texts(X)
        y = np.asarray(y, dtype=object)
        if len(texts) != len(y):
            raise ValueError(f"X has {len(texts)} sentences but y has {len(y)} labels.")
        unknown = sorted(set(y) - set(STANCE_LABELS))
        if unknown:
            raise ValueError(f"Unknown stance labels {unknown}; use {STANCE_LABELS}.")
        self.pipeline_ = self._pipeline().fit(texts, y)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Label sentences.

        Parameters
        ----------
        X : sequence of str or DataFrame with ``text``
            Sentences.

        Returns
        -------
        ndarray of shape (n_sentences,)
            Predicted labels.
        """
        check_is_fitted(self, "pipeline_")
        texts = self._texts(X)
        if not texts:
            return np.array([], dtype=object)
        return self.pipeline_.predict(texts)

    def _texts(self, X: Any) -> list[str]:
        """The sentences, with the speaker's side marked when ``mark_self``."""
        frame = _as_frame(X)
        texts = frame["text"].astype(str).tolist()
        if not self.mark_self:
            return texts
        names = (frame["actor_name"].tolist() if "actor_name" in frame.columns
                 else [None] * len(texts))
        return [_mark_self(t, n) for t, n in zip(texts, names)]


def _mark_self(text: str, actor_name: Any) -> str:
    """Replace first-person pronouns and the actor's name words by ``selfref``."""
    words = sorted(_self_terms(actor_name), key=len, reverse=True)
    pattern = r"\b(?:" + "|".join(map(re.escape, words)) + r")\b"
    # "US" in capitals is the United States, not the pronoun
    return re.sub(pattern, lambda m: m.group(0) if m.group(0) == "US" else "selfref", text,
                  flags=re.IGNORECASE)


def cv_folds(y: Sequence[str], *, n_splits: int = 5) -> int:
    """The folds :func:`cross_validated_predictions` uses for these labels.

    Stratified k-fold needs every label in every fold, so a label with fewer sentences than
    ``n_splits`` lowers the number of folds to its count (never below 2).

    Parameters
    ----------
    y : sequence of str
        Gold labels.
    n_splits : int, default=5
        Folds asked for.

    Returns
    -------
    int
        ``max(2, min(n_splits, count of the rarest label))``.
    """
    n_splits = check_int("n_splits", n_splits, min_value=2)
    counts = pd.Series(np.asarray(y, dtype=object)).value_counts()
    smallest = int(counts.min()) if len(counts) else n_splits
    return max(2, min(n_splits, smallest))


def cross_validated_predictions(
    model: Any, X: Any, y: Sequence[str], *, n_splits: int = 5, random_state: int
) -> np.ndarray:
    """Out-of-fold predictions of ``model`` under stratified k-fold cross-validation.

    Parameters
    ----------
    model : estimator
        A :class:`StanceModel` (or any classifier taking sentences).
    X : sequence of str or DataFrame with ``text``
        Sentences.
    y : sequence of str
        Gold labels.
    n_splits : int, default=5
        Folds (each label needs at least this many sentences for stratification; rarer
        labels make the split fall back to as many folds as the rarest label allows, >= 2).
    random_state : int
        Seed of the fold assignment.

    Returns
    -------
    ndarray of shape (n_sentences,)
        Each sentence's label predicted by the model fitted without its fold.
    """
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y, dtype=object)
    frame = _as_frame(X).reset_index(drop=True)
    folds = cv_folds(y, n_splits=n_splits)
    out = np.empty(len(y), dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    for train, test in splitter.split(np.zeros(len(y)), y):
        fitted = clone(model).fit(frame.iloc[train], y[train])
        out[test] = fitted.predict(frame.iloc[test])
    return out


def _prf(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Precision, recall, F1 per label (rows) -> array of shape (n_labels, 3); 0/0 -> NaN."""
    out = np.full((len(labels), 3), np.nan)
    for i, lab in enumerate(labels):
        tp = np.sum((y_pred == lab) & (y_true == lab))
        n_pred, n_true = np.sum(y_pred == lab), np.sum(y_true == lab)
        p = tp / n_pred if n_pred else np.nan
        r = tp / n_true if n_true else np.nan
        if n_pred and n_true and (p + r) > 0:
            f = 2 * p * r / (p + r)
        else:
            f = 0.0 if n_true else np.nan
        out[i] = (p, r, f)
    return out


def evaluate_stance(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    *,
    labels: Sequence[str] = STANCE_LABELS,
    n_boot: int = 1000,
    ci_level: float = 0.95,
    random_state: int,
) -> pd.DataFrame:
    """Precision, recall and F1 per label and macro-averaged, with bootstrap intervals.

    Parameters
    ----------
    y_true, y_pred : sequence of str of length n_sentences
        Gold and predicted labels.
    labels : sequence of str, default=STANCE_LABELS
        Labels reported (in this order), then the ``macro`` row (the mean over labels that
        occur in the gold set).
    n_boot : int, default=1000
        Bootstrap resamples of sentences (percentile intervals).
    ci_level : float, default=0.95
        Confidence level.
    random_state : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        One row per label plus ``macro``: ``support`` (gold count), ``precision``,
        ``recall``, ``f1`` and ``*_ci_low`` / ``*_ci_high`` for each.
    """
    ci_level = check_ci_level(ci_level)
    yt, yp = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    if len(yt) != len(yp):
        raise ValueError(f"y_true has {len(yt)} labels but y_pred has {len(yp)}.")
    labels = list(labels)
    point = _prf(yt, yp, labels)
    present = np.array([np.any(yt == lab) for lab in labels])
    rng = np.random.default_rng(random_state)
    boots = np.empty((n_boot, len(labels) + 1, 3))
    for b in range(n_boot):
        idx = rng.integers(0, len(yt), size=len(yt))
        m = _prf(yt[idx], yp[idx], labels)
        boots[b, :-1] = m
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            boots[b, -1] = np.nanmean(m[present], axis=0)
    a = (1 - ci_level) / 2
    table = np.vstack([point, np.nanmean(point[present], axis=0)])
    with warnings.catch_warnings():  # a label never predicted in a resample: NaN precision
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanquantile(boots, a, axis=0), np.nanquantile(boots, 1 - a, axis=0)
    out = pd.DataFrame({"label": [*labels, "macro"],
                        "support": [int(np.sum(yt == lab)) for lab in labels] + [len(yt)]})
    for k, name in enumerate(("precision", "recall", "f1")):
        out[name] = table[:, k]
        out[f"{name}_ci_low"] = lo[:, k]
        out[f"{name}_ci_high"] = hi[:, k]
    return out


def evaluate_rules(
    gold: pd.DataFrame | None = None,
    *,
    split: str | None = "test",
    self_terms: Sequence[str] | None = None,
    n_boot: int = 1000,
    ci_level: float = 0.95,
    random_state: int,
) -> pd.DataFrame:
    """Scores of :class:`StanceRules` on the gold set, by default on its held-out half.

    The rules were refined on the ``dev`` half of the gold set (its ``rules_split``
    column), so their honest scores are those on the ``test`` half; reports that use the
    rules' labels quote these.

    Parameters
    ----------
    gold : DataFrame or None, default=None
        A gold set (``text``, ``stance``, ``actor_name``, ``rules_split``); None reads the
        committed one (:func:`load_gold`).
    split : str or None, default="test"
        The rows of ``rules_split`` scored; None scores every row.
    self_terms : sequence of str or None, default=None
        Passed to :class:`StanceRules`.
    n_boot : int, default=1000
        Bootstrap resamples (see :func:`evaluate_stance`).
    ci_level : float, default=0.95
        Confidence level.
    random_state : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        :func:`evaluate_stance`'s table (one row per label plus ``macro``);
        ``attrs["evaluate_rules"]`` holds ``split`` and ``n`` (sentences scored).
    """
    gold = load_gold() if gold is None else gold
    if split is not None:
        require_columns(gold, ["rules_split"], what="evaluate_rules", noun="gold set")
        gold = gold[gold["rules_split"] == split]
        if gold.empty:
            raise ValueError(f"No gold sentence has rules_split == {split!r}; use 'dev', "
                             "'test' or split=None.")
    predicted = StanceRules(self_terms=self_terms).fit().predict(gold)
    out = evaluate_stance(gold["stance"], predicted, n_boot=n_boot, ci_level=ci_level,
                          random_state=random_state)
    out.attrs["evaluate_rules"] = {"split": split, "n": len(gold)}
    out.attrs["methods"] = ["stance_rules", "percentile"]
    return out


def confusion_table(
    y_true: Sequence[str], y_pred: Sequence[str], *, labels: Sequence[str] = STANCE_LABELS
) -> pd.DataFrame:
    """Counts of gold (rows) by predicted (columns) labels.

    Parameters
    ----------
    y_true, y_pred : sequence of str
        Gold and predicted labels.
    labels : sequence of str, default=STANCE_LABELS
        Row and column order.

    Returns
    -------
    DataFrame of shape (n_labels, n_labels)
        Index ``gold``, columns ``predicted``.
    """
    from sklearn.metrics import confusion_matrix

    m = confusion_matrix(np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object),
                         labels=list(labels))
    return pd.DataFrame(m, index=pd.Index(labels, name="gold"),
                        columns=pd.Index(labels, name="predicted"))


def load_gold(path: str | Path | None = None) -> pd.DataFrame:
    """The hand-labelled stance sentences (the gold set), ready for evaluation.

    Parameters
    ----------
    path : str or path or None, default=None
        A labelled sheet; None reads ``corpora/annotations/arms_stance_v1.csv`` of the
        checkout.

    Returns
    -------
    DataFrame of shape (n_sentences, n_columns)
        The sheet as strings, with ``stance`` (the first reader's gold label),
        ``stance_b`` (the second reader's, on the double-read rows), ``actor_name`` (the
        speaker's side), ``part`` and ``text``; ``year`` as int.

    Raises
    ------
    FileNotFoundError
        When the sheet is not there (an installed package has no ``corpora/`` folder).
    """
    from toolkit.config import project_root

    if path is None:
        root = project_root()
        if root is None:
            raise FileNotFoundError(
                "The stance gold set lives in corpora/annotations/ of the fptk checkout; "
                "pass path= to a labelled sheet."
            )
        path = root / "corpora" / "annotations" / "arms_stance_v1.csv"
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No stance sheet at {path}; pass path= to a labelled sheet.")
    gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    require_columns(gold, ["text", "stance"], what="load_gold", noun="sheet")
    bad = sorted(set(gold["stance"]) - set(STANCE_LABELS))
    if bad:
        raise ValueError(f"{path}: stance labels {bad} are not among {STANCE_LABELS}.")
    gold["year"] = pd.to_numeric(gold["year"]).astype("int64")
    return gold


def stance_sentences(
    corpus: pd.DataFrame,
    dictionary: Any,
    *,
    categories: Sequence[str] = STANCE_CATEGORIES,
    progress: bool = False,
) -> pd.DataFrame:
    """The stance units of a corpus: sentences with a match in the arms-supply categories.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table.
    dictionary : str, path, mapping or Dictionary
        The dictionary whose ``categories`` define arms-supply talk.
    categories : sequence of str, default=STANCE_CATEGORIES
        The categories that make a sentence a unit.
    progress : bool, default=False
        Show a progress bar.

    Returns
    -------
    DataFrame
        :func:`toolkit.keywords.extract_passages` at sentence level: one row per sentence,
        with the parent's metadata, ``parent_doc_id`` and the matched ``categories``.
    """
    from toolkit.keywords import extract_passages

    return extract_passages(corpus, dictionary, categories=list(categories), unit="sentence",
                            progress=progress)


def label_stance(
    corpus: pd.DataFrame,
    dictionary: Any,
    *,
    classifier: Any = None,
    categories: Sequence[str] = STANCE_CATEGORIES,
    progress: bool = False,
) -> pd.DataFrame:
    """The stance units of a corpus, each labelled by a classifier.

    :func:`stance_sentences`, then the classifier's labels; the speaker's side of each
    sentence is its document's ``actor_name``. A corpus without arms-supply sentences gives
    an empty table with the same columns.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table (``actor_name`` names the speaker's side).
    dictionary : str, path, mapping or Dictionary
        The dictionary whose ``categories`` define arms-supply talk.
    classifier : estimator or None, default=None
        A fitted classifier taking a sentence table (:class:`StanceRules` or a fitted
        :class:`StanceModel`); None uses ``StanceRules().fit()``.
    categories : sequence of str, default=STANCE_CATEGORIES
        The categories that make a sentence a unit.
    progress : bool, default=False
        Show a progress bar while sentences are matched.

    Returns
    -------
    DataFrame
        The sentences of :func:`stance_sentences` plus ``stance``, and, for a classifier
        with ``explain`` (the rules), ``rule`` and ``cues``. ``attrs["stance"]`` names the
        ``classifier`` (class name), its ``params``, the ``dictionary`` (name and version),
        the ``categories`` and ``n_sentences``.
    """
    from toolkit.keywords import load_dictionary

    d = load_dictionary(dictionary)
    clf = StanceRules().fit() if classifier is None else classifier
    sentences = stance_sentences(corpus, d, categories=categories, progress=progress)
    sentences = sentences.reset_index(drop=True)
    if hasattr(clf, "explain"):
        labels = clf.explain(sentences)
    else:
        labels = pd.DataFrame({"stance": np.asarray(clf.predict(sentences), dtype=object)},
                              index=sentences.index)
    out = pd.concat([sentences, labels.astype(object)], axis=1)
    out.attrs = dict(sentences.attrs)
    out.attrs["stance"] = {
        "classifier": type(clf).__name__,
        "params": {k: v for k, v in clf.get_params().items()
                   if isinstance(v, (str, int, float, bool, type(None)))},
        "dictionary": {"name": d.name, "version": d.version},
        "categories": list(categories), "n_sentences": len(out),
    }
    return out


def stance_series(
    labelled: pd.DataFrame,
    *,
    by: str | None = "actor",
    period: Period = "year",
    stance: str = "stance",
    ci_level: float = 0.95,
) -> pd.DataFrame:
    """Counts and shares of each stance per group and period, with Wilson intervals.

    Parameters
    ----------
    labelled : DataFrame
        Sentences with a stance column (e.g. :func:`stance_sentences` plus
        ``StanceRules().fit().predict(...)``) and the ``by`` / period columns.
    by : str or None, default="actor"
        Grouping column; None pools every sentence.
    period : str or int or callable or None, default="year"
        Periods, in the vocabulary of :func:`toolkit.periods.assign_period` ("M" for months).
    stance : str, default="stance"
        The label column.
    ci_level : float, default=0.95
        Confidence level of the share intervals.

    Returns
    -------
    DataFrame
        One row per group, period and label (every label, zeros included): ``group``,
        ``period``, ``stance``, ``n`` (sentences with that label), ``n_total`` (sentences in
        the cell), ``share`` with Wilson ``ci_low`` / ``ci_high`` (Wilson 1927). Sorted by
        group, period and the order of :data:`STANCE_LABELS`.
    """
    ci_level = check_ci_level(ci_level)
    require_columns(labelled, [stance, *([by] if by else [])], what="stance_series",
                    noun="sentence table")
    cells = pd.DataFrame({
        "group": labelled[by].astype(str).to_numpy() if by else "all",
        "period": assign_period(labelled, period).to_numpy(),
        "stance": labelled[stance].astype(str).to_numpy(),
    })
    counts = cells.groupby(["group", "period", "stance"]).size()
    index = pd.MultiIndex.from_product(
        [sorted(cells["group"].unique()), sorted(cells["period"].dropna().unique()),
         list(STANCE_LABELS)], names=["group", "period", "stance"])
    out = counts.reindex(index, fill_value=0).rename("n").reset_index()
    out["n_total"] = out.groupby(["group", "period"])["n"].transform("sum")
    out = out[out["n_total"] > 0].reset_index(drop=True)
    lo, hi = wilson_interval(out["n"].to_numpy(), out["n_total"].to_numpy(), ci_level=ci_level)
    out["share"] = out["n"] / out["n_total"]
    out["ci_low"], out["ci_high"] = lo, hi
    out.attrs["stance_series"] = {"by": by, "period": period, "ci_level": ci_level,
                                  "method": "wilson"}
    out.attrs["methods"] = ["wilson"]
    return out
