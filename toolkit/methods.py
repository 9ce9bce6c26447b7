"""The methods a result was made with, and their references: the "Methods" paragraph of a report.

Functions that compute a reported number record the methods they used as keys in the
``attrs["methods"]`` of the table they return (for example ``["poisson_exact",
"cluster_bootstrap"]`` for keyword rates). :func:`methods_paragraph` collects those keys from
the tables a report shows and writes one sentence per method with its reference, from the
registry below, so that the text a reader sees is generated from what the code did, never
typed into a notebook.

The registry joins the interval methods of :data:`toolkit.uncertainty.METHODS` with the
analysis methods of the other stages. Cross-cutting: imports no stage.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from toolkit.uncertainty import METHODS as INTERVAL_METHODS

__all__ = ["ANALYSIS_METHODS", "describe", "methods_of", "methods_paragraph", "registry"]

#: Analysis methods (not intervals): key -> (what it does, reference).
ANALYSIS_METHODS: dict[str, tuple[str, str]] = {
    "dictionary_count": (
        "dictionary matches counted with the toolkit's matcher (longest entry wins, inflections "
        "from spaCy's lemma table), as rates per 10,000 word tokens",
        "Grimmer & Stewart (2013), Political Analysis 21, 267-297",
    ),
    "dictionary_audit": (
        "dictionary precision and recall from stratified samples of matches read against a "
        "codebook",
        "Grimmer & Stewart (2013), Political Analysis 21, 267-297",
    ),
    "keyness_g2": (
        "keyness by the log-likelihood ratio G2 with a Bonferroni correction",
        "Dunning (1993), Computational Linguistics 19, 61-74",
    ),
    "collocation_pmi": (
        "collocations by pointwise mutual information and G2 within a token window",
        "Church & Hanks (1990), Computational Linguistics 16, 22-29",
    ),
    "nmf": (
        "topics by non-negative matrix factorisation of tf-idf weights; a topic's share of a "
        "document is its part of the document's reconstructed weight",
        "Lee & Seung (1999), Nature 401, 788-791",
    ),
    "lda": (
        "topics by latent Dirichlet allocation (variational Bayes)",
        "Blei, Ng & Jordan (2003), JMLR 3, 993-1022",
    ),
    "npmi_coherence": (
        "topic coherence by normalised pointwise mutual information of top terms",
        "Bouma (2009), Proceedings of GSCL; Roder, Both & Hinneburg (2015), WSDM",
    ),
    "frex": (
        "topic labels by FREX, the harmonic mean of frequency and exclusivity ranks",
        "Roberts, Stewart & Airoldi (2016), JASA 111, 988-1003",
    ),
    "cosine_similarity": (
        "similarity of actors as the cosine of their tf-idf weighted term profiles within a "
        "period",
        "Salton & McGill (1983), Introduction to Modern Information Retrieval",
    ),
    "wordscores": (
        "positions by Wordscores on a fixed scale from reference texts",
        "Laver, Benoit & Garry (2003), APSR 97, 311-331",
    ),
    "wordfish": (
        "positions by Wordfish (a Poisson scaling model), identified with mean 0 and sd 1",
        "Slapin & Proksch (2008), AJPS 52, 705-722",
    ),
    "qap": (
        "significance of dyadic correlations by the quadratic assignment procedure",
        "Krackhardt (1988), Social Networks 10, 359-381",
    ),
    "vote_kappa": (
        "voting agreement corrected for chance (Cohen's kappa per dyad)",
        "Hage (2011), Political Analysis 19, 287-305",
    ),
    "stance_rules": (
        "stance on arms supply by named rules over spaCy tokens",
        "this toolkit; evaluated on the gold set in corpora/annotations",
    ),
    "stance_model": (
        "stance on arms supply by logistic regression on word and character n-grams, "
        "evaluated by stratified cross-validation",
        "Pedregosa et al. (2011), JMLR 12, 2825-2830",
    ),
    "cohen_kappa": (
        "agreement between two readers by Cohen's kappa",
        "Cohen (1960), Educational and Psychological Measurement 20, 37-46",
    ),
}


def registry() -> dict[str, tuple[str, str]]:
    """Every known method: the analysis methods and the interval methods.

    Returns
    -------
    dict of str to (str, str)
        Method key -> (description, reference).
    """
    return {**ANALYSIS_METHODS, **INTERVAL_METHODS}


def describe(key: str) -> tuple[str, str]:
    """The description and reference of one method.

    Parameters
    ----------
    key : str
        A key of :func:`registry`.

    Returns
    -------
    (str, str)
        Description and reference.

    Raises
    ------
    KeyError
        For an unknown key, naming the known ones.
    """
    known = registry()
    if key not in known:
        raise KeyError(f"Unknown method {key!r}; known methods: {sorted(known)}.")
    return known[key]


def methods_of(*results: Any) -> list[str]:
    """The method keys recorded by results, in first-seen order.

    Parameters
    ----------
    *results : DataFrame or mapping or str or iterable of str
        Tables (their ``attrs["methods"]``), mappings with a ``"methods"`` entry, method
        keys, or lists of keys.

    Returns
    -------
    list of str
        Each key once.
    """
    keys: list[str] = []
    for res in results:
        if isinstance(res, str):
            found: Iterable[str] = [res]
        elif isinstance(res, Mapping):
            found = res.get("methods", [])
        elif hasattr(res, "attrs"):
            found = res.attrs.get("methods", [])
        else:
            found = list(res)
        keys.extend(k for k in found if k not in keys)
    return keys


def methods_paragraph(*results: Any, html_out: bool = False) -> str:
    """One sentence per method the results used, each with its reference.

    Parameters
    ----------
    *results : DataFrame or mapping or str or iterable of str
        As in :func:`methods_of`.
    html_out : bool, default=False
        Escape the text for HTML.

    Returns
    -------
    str
        "Methods: <description> (<reference>); ..." or "" when no method was recorded.
    """
    keys = methods_of(*results)
    if not keys:
        return ""
    parts = [f"{desc} ({ref})" for desc, ref in (describe(k) for k in keys)]
    text = "Methods: " + "; ".join(parts) + "."
    return html.escape(text) if html_out else text
