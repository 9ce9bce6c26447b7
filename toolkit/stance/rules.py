"""Transparent, named rules over spaCy tokens that label a sentence's stance on arms supply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from toolkit.stance._common import _FIRST_PERSON, STANCE_LABELS, _as_frame, _self_terms

# ------------------------------------------------------------------------------ cue words
# Lemmas (spaCy lookup lemmas, lower case). Each set is one kind of cue the rules name.
_SUPPLY_VERBS = frozenset(
    "supply provide sell deliver send ship give transfer export arm pour offer furnish equip "
    "donate funnel channel smuggle traffic sale".split()
)
_NEGATIONS = frozenset("not n't never no neither nor none without".split())
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


