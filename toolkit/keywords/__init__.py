"""Keyword dictionaries, trends with uncertainty, KWIC, keyness, collocations, change points.

The question this package answers: how often, and how, do the documents of a corpus use
the terms of a dictionary (for the built-in ``arms`` dictionary: arms transfers, military
aid, export controls...), and how does that change over time and between groups?

Modules
-------
- :mod:`~toolkit.keywords.dictionary`: :class:`Dictionary`, :func:`load_dictionary`,
  :func:`available_dictionaries`, :func:`inflections` (the matcher is compiled by the
  private ``_matcher`` module).
- :mod:`~toolkit.keywords.trends`: :func:`count_tokens`, :func:`count_matches`,
  :func:`keyword_trends`, :func:`mention_series`, :func:`top_points`,
  :func:`interval_caption`, :func:`interval_text` (what the intervals are, for prose).
- :mod:`~toolkit.keywords.kwic`: :func:`kwic`, :func:`kwic_summary`,
  :func:`extract_passages`.
- :mod:`~toolkit.keywords.contrast`: :func:`keyness`, :func:`collocations`,
  :func:`significant_terms`, :func:`describe_keyness`.
- :mod:`~toolkit.keywords.changes`: :func:`change_points`, :func:`describe_changes`.

Every name is importable from ``toolkit.keywords`` itself. Periods (``period=``) follow
:mod:`toolkit.periods`; ``period_text`` is the old name of
:func:`toolkit.periods.period_label` and ``split_passages`` that of
:func:`toolkit.text.passage_spans`, both kept for one release.

Dictionaries
------------
A :class:`Dictionary` is a named, versioned set of categories, each a list of terms plus a
note on the category's intent. Built-in dictionaries are YAML files in
``toolkit/data/dictionaries/`` (see :func:`available_dictionaries`); users pass their own
as a YAML file or a dict (:func:`load_dictionary`).

Term syntax
-----------
- Words separated by a space match across any run of *transparent* characters:
  whitespace, hyphens and dashes, quotes and apostrophes, brackets, ``/`` and ``*``
  (``"dual use"`` matches "dual-use", "dual\\nuse" and "dual (use"), but not across
  ``. , ; : ! ?``.
- A hyphen inside a word matches transparent characters or nothing
  (``"non-proliferation"`` matches "non proliferation" and "nonproliferation"); an
  apostrophe matches any transparent character (``"Russia's"`` matches "Russia’s").
- Every word also matches its inflected forms, taken from spaCy's English lemma lookup
  table (spacy-lookups-data): ``"weapon"`` matches "weapons", ``"sell"`` matches "sold",
  "sells", "selling". Words absent from the table match as written. Write the form you
  mean: ``"arms"`` matches only "arms" (``"arm"`` would also match "armed").
- ``"=word"`` matches only that spelling; ``"word*"`` is a prefix wildcard.
- ``"~N"`` between two words allows up to N arbitrary words in between
  (``"sell ~2 weapon"`` matches "sell weapons", "sold more advanced weapons").
- A word written in capitals (two or more letters, like ``ATT`` or ``NATO``) matches
  case-sensitively and exactly; all other words ignore case.
- ``"re:<pattern>"`` is a raw Python regular expression without capturing groups. It is
  matched against the prepared text: lower-cased, transparent characters replaced by
  spaces (so write ``" +"`` where words may be separated).

A match starts after a transparent character (or at the start of the text) and ends at
a word boundary, so a term glued to ``. , ; : ! ?`` on its left ("end.Arms") is missed.

How matching works, and why nested entries are counted once
-----------------------------------------------------------
All terms of a dictionary are expanded to their literal forms and compiled into **one**
regular expression, a character trie of alternatives ordered so that at every position the longest
entry is tried first. The expression runs **once** over each (lower-cased) document and
every match is tallied to the term(s) and category(ies) it belongs to. Because a regex
match consumes its text, nested or overlapping entries are counted **once, never twice**:
in "the Arms Trade Treaty" the longest entry, "Arms Trade Treaty" (arms_control), wins and
"arms trade" (arms_transfers) is not counted there. A term listed under two categories
credits one match to both (and once to ``n_matches``). Case-sensitive terms are matched
with the others and then checked against the original spelling; a failed check drops the
match. Raw ``re:`` terms are tried after all other entries at each position.

Tokens are counted as runs of ``\\w`` characters, the same definition of a word the
matcher uses for its boundaries; rates are matches per 10,000 such tokens. Per-document
counts are cached (:mod:`toolkit.cache`) under a key made of a hash of the documents' ids
and texts, the dictionary's content hash and version, and the compiled pattern.
"""

from toolkit.exceptions import LowSampleWarning
from toolkit.keywords._matcher import MATCHER_VERSION
from toolkit.keywords.audit import (
    agreement,
    audit_report,
    audit_sample,
    audit_table,
    recall_report,
    recall_sample,
)
from toolkit.keywords.changes import change_points, describe_changes
from toolkit.keywords.contrast import (
    collocations,
    describe_keyness,
    keyness,
    significant_terms,
)
from toolkit.keywords.dictionary import (
    Category,
    Dictionary,
    available_dictionaries,
    inflections,
    load_dictionary,
)
from toolkit.keywords.kwic import extract_passages, kwic, kwic_summary
from toolkit.keywords.trends import (
    count_matches,
    count_tokens,
    interval_caption,
    interval_text,
    keyword_trends,
    mention_series,
    top_points,
)
from toolkit.periods import period_label as period_text
from toolkit.text import passage_spans as split_passages

__all__ = [
    "MATCHER_VERSION",
    "Category",
    "Dictionary",
    "LowSampleWarning",
    "agreement",
    "audit_report",
    "audit_sample",
    "audit_table",
    "available_dictionaries",
    "change_points",
    "collocations",
    "count_matches",
    "count_tokens",
    "describe_changes",
    "describe_keyness",
    "extract_passages",
    "inflections",
    "interval_caption",
    "interval_text",
    "keyness",
    "keyword_trends",
    "kwic",
    "kwic_summary",
    "load_dictionary",
    "mention_series",
    "period_text",
    "recall_report",
    "recall_sample",
    "significant_terms",
    "split_passages",
    "top_points",
]
