"""Alignment between actors: who speaks alike, how that changes, and where they stand.

The building blocks, in pipeline order, by module:

- :func:`split_passages` (from :mod:`toolkit.text`) turns a corpus into a passage table
  (paragraphs or sentences, ``parent_doc_id`` kept) so that confidence intervals can resample
  passages *within* one speech: the UNGDC has one speech per actor and year.
- :mod:`~toolkit.alignment.panel`: :func:`similarity_panel` gives, for every period, the
  actor x actor similarity as a tidy dyad table: tf-idf cosine of actor-period term vectors
  (``measure="cosine"``) or 1 - Jensen-Shannon divergence of actor-period topic profiles
  (``measure="js"``), with BCa bootstrap intervals over passages (NaN below 5 passages).
  :func:`issue_similarity_panel` does the same on passages matching a dictionary category
  (e.g. arms transfers); :func:`dyad_series`, :func:`dyad_summary` and
  :func:`actors_in_period` read a panel.
- :mod:`~toolkit.alignment.blocs`: :func:`similarity_matrix`, :func:`centered_similarity`,
  :func:`cluster_blocs`, :func:`bloc_summary` and :func:`map_positions` (classical MDS with
  Procrustes-stable orientation) read a panel one period at a time.
- :mod:`~toolkit.alignment.scaling`: :class:`Wordscores` (Laver, Benoit & Garry 2003) and
  :class:`Wordfish` (Slapin & Proksch 2008) scale texts on one dimension;
  :func:`wordscores_by_period` scores every actor-period on one fixed scale (word scores
  from the pooled reference actors' texts), with bootstrap intervals over passages.
- :mod:`~toolkit.alignment.validation`: :func:`join_dyads` and :func:`validate_against` join
  a panel with an external dyadic measure (UN voting agreement) and report correlations by
  decade with bootstrap intervals, plus what did not match and why.

``period=`` means what it means everywhere (:func:`toolkit.periods.assign_period`):
``"year"``, ``"decade"``, an int N, a column, a pandas frequency or a callable.

All functions take labelled inputs (:class:`~toolkit.features.DocTermMatrix` plus a corpus
table) and return new DataFrames; nothing mutates the caller's objects. Which dyads,
dictionaries and actors to study is the caller's choice: the library has no default pairs.
"""

from toolkit.alignment.blocs import (
    bloc_summary,
    centered_similarity,
    cluster_blocs,
    map_positions,
    similarity_matrix,
)
from toolkit.alignment.panel import (
    PANEL_COLUMNS,
    actors_in_period,
    dyad_series,
    dyad_summary,
    issue_similarity_panel,
    similarity_panel,
)
from toolkit.alignment.scaling import Wordfish, Wordscores, wordscores_by_period
from toolkit.alignment.validation import join_dyads, summarize_validation, validate_against
from toolkit.text import split_passages

__all__ = [
    "PANEL_COLUMNS",
    "Wordfish",
    "Wordscores",
    "actors_in_period",
    "bloc_summary",
    "centered_similarity",
    "cluster_blocs",
    "dyad_series",
    "dyad_summary",
    "issue_similarity_panel",
    "join_dyads",
    "map_positions",
    "similarity_matrix",
    "similarity_panel",
    "split_passages",
    "summarize_validation",
    "validate_against",
    "wordscores_by_period",
]
