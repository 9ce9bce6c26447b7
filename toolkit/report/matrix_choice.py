"""How large a report's document-term matrix may be, chosen from the corpus's size.

``reports.yml`` sets one ``min_df`` for every corpus (20 documents on the UN General Debate
Corpus). On a small corpus of the user's own, 40 press releases say, a term in 20 of them
and in at most half of them leaves a vocabulary of a handful of terms, and the keyness,
topic and similarity sections fail. :func:`choose_min_df` keeps the parameter where the
corpus is large enough and lowers it, with a sentence for the report, where it is not.
"""

from __future__ import annotations

import math

from toolkit._validation import check_int

__all__ = ["choose_min_df"]


def choose_min_df(
    min_df: int | float, n_docs: int, *, max_share: float = 0.1, unit: str = "documents",
) -> tuple[int | float, str]:
    """Return the minimum document frequency to use on a corpus of ``n_docs`` documents.

    Parameters
    ----------
    min_df : int or float
        The parameter: a count of documents (int), or a proportion of them (float in
        (0, 1), returned as it is, since it scales with the corpus already).
    n_docs : int
        Rows of the matrix to be built (documents, paragraphs or passages).
    max_share : float, default=0.1
        The largest share of the rows a count may demand: a count above
        ``floor(max_share * n_docs)`` is lowered to it (at least 1).
    unit : str, default="documents"
        What a row is, for the sentence.

    Returns
    -------
    min_df : int or float
        ``min_df`` itself, or the lowered count.
    note : str
        ``""`` when unchanged, else a sentence for the report saying what was lowered and
        why.

    Examples
    --------
    >>> choose_min_df(20, 10_952)
    (20, '')
    >>> choose_min_df(20, 40)[0]
    4
    """
    check_int("n_docs", n_docs, min_value=0)
    if isinstance(min_df, float) and not float(min_df).is_integer():
        return min_df, ""
    count = int(min_df)
    cap = max(1, math.floor(max_share * n_docs))
    if count <= cap:
        return count, ""
    note = (f"A term must occur in at least {cap:,} {unit} instead of the {count:,} of the "
            f"parameters: the matrix has only {n_docs:,} {unit}, and a term is not required "
            f"to occur in more than {max_share:.0%} of them.")
    return cap, note
