"""What a notebook records and shows: prose, findings, tables and figures.

* :func:`prose` renders computed numbers into Markdown with corpus strings escaped;
* :class:`Findings` records the key sentences, tables and figures of a notebook next to
  its HTML (``findings.json``, read by the index page);
* :func:`save_table` writes a table as CSV (deterministically) and as a booktabs LaTeX
  table (:mod:`toolkit.report.paper`);
* :func:`figure` shows a figure with its caption and, in a report run, saves it as
  ``figures/figure-NN-<slug>.png|.svg|.pdf``.

Re-exported by :mod:`toolkit.report.notebook` and :mod:`toolkit.report`.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.cache import atomic_path
from toolkit.exceptions import FigureLabelWarning
from toolkit.report import paper

__all__ = ["Findings", "figure", "prose", "record_source", "save_table"]


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
    df: pd.DataFrame,
    name: str,
    *,
    output_dir: str | os.PathLike | None,
    caption: str | None = None,
) -> Path | None:
    """Write a table as ``<output_dir>/tables/<name>.csv`` and ``.tex``, deterministically.

    The CSV has floats with 10 significant digits and ``\\n`` line ends, so that two
    runs with the same inputs give byte-identical files. The ``.tex`` beside it is a
    booktabs LaTeX table for a paper (:func:`toolkit.report.paper.latex_table`): numbers
    rounded as the HTML report shows them, ``\\caption{caption}`` and
    ``\\label{tab:<notebook>-<name>}`` (the notebook is ``output_dir``'s folder name).

    Parameters
    ----------
    df : DataFrame
        The table (its index is written only when it is not a default RangeIndex).
    name : str
        File stem: letters, digits, ``-`` and ``_``.
    output_dir : str or path-like or None
        The notebook's side folder; None writes nothing and returns None.
    caption : str or None, default=None
        The LaTeX caption; None uses the name ("trends by actor").

    Returns
    -------
    Path or None
        The CSV file written, or None when ``output_dir`` is None.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"Table name {name!r} must use only letters, digits, '-' and '_'.")
    if output_dir is None:
        return None
    target = Path(output_dir) / "tables" / f"{name}.csv"
    keep_index = not isinstance(df.index, pd.RangeIndex)
    with atomic_path(target) as tmp:
        df.to_csv(tmp, index=keep_index, float_format="%.10g", lineterminator="\n")
    notebook = Path(output_dir).name
    paper.write_latex(
        df, target.with_suffix(".tex"),
        caption=caption or name.replace("_", " ").replace("-", " ").capitalize() + ".",
        label=paper.table_label(notebook, name),
        comment=f"fptk: {notebook}/tables/{name}.csv; needs \\usepackage{{booktabs}} "
                f"(and longtable when over 40 rows).",
    )
    return target


#: The Findings last created in this kernel (the running notebook's, when it has a folder):
#: :func:`figure` saves its figures there.
_ACTIVE: list[Findings] = []


class Findings:
    """Record a notebook's key sentences, tables and figures for the index page.

    The last Findings created is the notebook's: :func:`figure` saves the figures in
    its folder (``figures/figure-01-<slug>.png|.svg|.pdf``) and it lists them.

    Parameters
    ----------
    output_dir : str or path-like or None
        The notebook's side folder (``reports/<notebook>``); None records in memory
        only (an interactive session) and saves no figure.
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
        self.latex: dict[str, str] = {}
        self.figures: dict[str, dict[str, str]] = {}
        self.sources: list[str] = []
        _ACTIVE[:] = [self] if self.output_dir is not None else []

    def add(self, key: str, template: str, **values: Any):
        """Record a finding and return it as Markdown for display.

        The recorded text keeps values unescaped (the index escapes it); the
        displayed Markdown escapes corpus strings as :func:`prose` does. Adding a key
        again replaces it, so re-running a cell does not duplicate it.

        Parameters
        ----------
        key : str
            A stable name of the finding.
        template : str
            A :func:`prose` template.
        **values
            Values for the template.

        Returns
        -------
        IPython.display.Markdown
            The finding as displayed in the notebook.
        """
        self.items[key] = _format(template, values, escape=False)
        self.save()
        return prose(template, **values)

    def table(self, df: pd.DataFrame, name: str, *, caption: str | None = None) -> pd.DataFrame:
        """Save ``df`` as ``tables/<name>.csv`` and ``.tex`` (:func:`save_table`); return it.

        Parameters
        ----------
        df : DataFrame
            The table.
        name : str
            File stem: letters, digits, ``-`` and ``_``.
        caption : str or None, default=None
            The LaTeX caption; None: "<title>: <name>." ("Topics: top terms.").

        Returns
        -------
        DataFrame
            ``df`` itself, so that a notebook can save and use a table in one line.
        """
        label = name.replace("_", " ")
        caption = caption or (f"{self.title}: {label}." if self.title else f"{label.capitalize()}.")
        path = save_table(df, name, output_dir=self.output_dir, caption=caption)
        if path is not None:
            self.tables[name] = f"tables/{name}.csv"
            self.latex[name] = f"tables/{name}.tex"
            self.save()
        return df

    def add_figure(self, fig, caption: str, *, slug: str | None = None,
                   png: bytes | None = None) -> dict[str, str]:
        """Save a figure as ``figures/figure-NN-<slug>.png|.svg|.pdf`` and list it.

        ``NN`` counts the figures of the notebook in order; the same slug and caption
        again (a re-run cell) keep their number.

        Parameters
        ----------
        fig : matplotlib.figure.Figure
            The figure.
        caption : str
            The caption as text (values filled in).
        slug : str or None, default=None
            A name for the file; None takes the first words of the caption.
        png : bytes or None, default=None
            The PNG already rendered (see :func:`toolkit.report.paper.save_figure`).

        Returns
        -------
        dict of str to str
            ``caption`` and the paths of ``png``, ``svg``, ``pdf`` relative to the
            folder; empty when there is no folder.
        """
        if self.output_dir is None:
            return {}
        key = paper.slugify(slug or caption)
        stem = next((k for k, v in self.figures.items()
                     if v["slug"] == key and v["caption"] == caption),
                    f"figure-{len(self.figures) + 1:02d}-{key}")
        files = paper.save_figure(fig, self.output_dir / "figures", stem, png=png)
        self.figures[stem] = {"slug": key, "caption": caption, **{
            fmt: f"figures/{path.name}" for fmt, path in files.items()}}
        self.save()
        return self.figures[stem]

    def cite(self, *names: str) -> None:
        """Record corpora or data sets the notebook used, for "How to cite" on the index.

        The main corpus is known from the provenance; :func:`~toolkit.report.optional`
        records what it loads (another corpus, UN votes, ideal points, SIPRI).

        Parameters
        ----------
        *names : str
            Names with a card (:func:`toolkit.corpora.cards.source_card`), e.g.
            ``"cmfa_ukraine"``, ``"unvotes"``, ``"sipri"``.

        Returns
        -------
        None
        """
        new = [str(n) for n in names if str(n) not in self.sources]
        if new:
            self.sources.extend(new)
            self.save()

    def save(self) -> Path | None:
        """Write ``findings.json``.

        Returns
        -------
        Path or None
            The file written; None when there is no output folder.
        """
        if self.output_dir is None:
            return None
        target = self.output_dir / "findings.json"
        payload = {
            "title": self.title,
            "findings": [{"key": k, "text": v} for k, v in self.items.items()],
            "tables": self.tables,
            "latex": self.latex,
            "figures": [{"stem": k, **v} for k, v in self.figures.items()],
            "sources": self.sources,
        }
        with atomic_path(target) as tmp:
            tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        return target


#: The ``attrs`` keys by which the readers of :mod:`toolkit.external` mark their tables.
_EXTERNAL_SOURCES = ("unvotes", "idealpoints", "sipri")


def record_source(result: Any) -> list[str]:
    """Record the corpus or data set a loaded table comes from in the notebook's Findings.

    Parameters
    ----------
    result : object
        A table returned by a loader: a corpus (``attrs["corpus"]["name"]``) or a table
        of :mod:`toolkit.external` (``attrs["unvotes"]``, ``["idealpoints"]``,
        ``["sipri"]``). Anything else records nothing.

    Returns
    -------
    list of str
        The names recorded (also when no Findings is active).
    """
    attrs = getattr(result, "attrs", None) or {}
    names = [k for k in _EXTERNAL_SOURCES if k in attrs]
    corpus = attrs.get("corpus")
    if isinstance(corpus, Mapping) and corpus.get("name"):
        names.insert(0, str(corpus["name"]))
    if names and _ACTIVE:
        _ACTIVE[0].cite(*names)
    return names


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


def figure(fig, caption: str, *, slug: str | None = None, **values: Any):
    """Show a figure with its caption (PNG embedded), save it for a paper, then close it.

    The PNG is produced here rather than by the notebook backend, so the figure is
    embedded in the report whatever ``MPLBACKEND`` says, and shown exactly once. When
    the notebook's :class:`Findings` has a folder (a report run), the figure is also
    saved there as ``figures/figure-NN-<slug>.png``, ``.svg`` and ``.pdf``
    (:meth:`Findings.add_figure`; NN = its place among the notebook's figures).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; it should have a title and labelled axes (with units). A
        :class:`FigureLabelWarning` names what is missing.
    caption : str
        A sentence saying what the figure shows; a :func:`prose` template.
    slug : str or None, default=None
        The file name's part after the number; None takes the first words of the
        caption template without its fields ("Documents per actor for the {n} actors"
        gives ``documents-per-actor-for-the-actors`` whatever ``n`` is).
    **values
        Values for the caption template.

    Returns
    -------
    IPython.display.Markdown
        The caption in italics (corpus strings escaped), to display below the figure.
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
    alt = _format(caption, values, escape=False)
    if _ACTIVE:
        _ACTIVE[0].add_figure(fig, alt, slug=slug or paper.slugify(caption),
                              png=buf.getvalue())
    plt.close(fig)
    display(Image(data=buf.getvalue(), format="png", metadata={"alt": alt}))
    return prose("*" + caption + "*", **values)
