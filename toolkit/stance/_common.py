"""Shared pieces of the stance stage: the labels, the unit categories, the speaker's words."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from toolkit._validation import require_columns

#: The labels, in the codebook's order of precedence.
STANCE_LABELS: tuple[str, ...] = ("refuse", "supply", "request", "control", "restrain", "none")

#: Dictionary categories whose matches make a sentence a stance unit (arms dictionary).
STANCE_CATEGORIES: tuple[str, ...] = ("arms_transfers", "military_aid", "export_controls")

_FIRST_PERSON = frozenset("we our us i my ours".split())


def _self_terms(actor_name: Any) -> frozenset[str]:
    """Words that name the speaker's side: first person, the actor's name and "chinese"-like
    adjectives (the name's first word with "-ese"/"-an"/"-ian" is not guessed; pass it)."""
    words = set(_FIRST_PERSON)
    if isinstance(actor_name, str) and actor_name.strip():
        words.update(w.lower() for w in re.findall(r"[A-Za-z]+", actor_name) if len(w) > 2)
    return frozenset(words)



def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        require_columns(X, ["text"], what="stance", noun="sentence table")
        return X
    if isinstance(X, str):
        raise TypeError("Pass a list of sentences or a table with a 'text' column, not a str.")
    return pd.DataFrame({"text": list(X)})



def _mark_self(text: str, actor_name: Any) -> str:
    """Replace first-person pronouns and the actor's name words by ``selfref``."""
    words = sorted(_self_terms(actor_name), key=len, reverse=True)
    pattern = r"\b(?:" + "|".join(map(re.escape, words)) + r")\b"
    # "US" in capitals is the United States, not the pronoun
    return re.sub(pattern, lambda m: m.group(0) if m.group(0) == "US" else "selfref", text,
                  flags=re.IGNORECASE)


