"""Outputs a researcher pastes into a paper: vector figures, LaTeX tables, citations.

* :func:`save_figure` writes one figure as PNG, SVG and PDF with one stem
  (``figures/figure-01-<slug>.png|.svg|.pdf``, numbered by :class:`~toolkit.report.Findings`
  in the order of the notebook, the slug from the caption, :func:`slugify`). The PDF embeds
  its fonts as TrueType and the SVG draws text as paths (see :mod:`toolkit.plots.style`);
  both are byte-identical from run to run.
* :func:`latex_table` and :func:`write_latex` write a table as a booktabs LaTeX table
  (``\\toprule``/``\\midrule``/``\\bottomrule``, ``\\caption{}``, ``\\label{}``), a
  ``longtable`` when it has more than ``max_rows_float`` rows. Numbers are formatted by
  :func:`table_cells` with the rule of the HTML reports: pandas' own display formatter
  (``display.precision`` digits, trailing zeros trimmed per column, scientific notation when
  a column holds very small or large values), so a number reads the same in the report and
  in the paper. The writer is a plain loop rather than ``Styler.to_latex``: the largest
  tables of a full report have ~18,000 rows, which ``Styler`` renders an order of magnitude
  more slowly.
* :func:`toolkit_citation` reads ``CITATION.cff``; :func:`corpus_citation` reads the
  ``citation`` of a corpus card (:func:`toolkit.corpora.corpus_card`). The index page shows
  both under "How to cite".
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.cache import atomic_path
from toolkit.config import project_root
from toolkit.corpora.cards import source_card

__all__ = [
    "FIGURE_FORMATS",
    "corpus_citation",
    "latex_escape",
    "latex_table",
    "save_figure",
    "slugify",
    "table_cells",
    "table_label",
    "toolkit_citation",
    "write_latex",
]

#: The files one figure is saved as, in this order.
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")

#: Metadata that would make two runs' files differ (dates) is left out.
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}

_FIGURE_PREFIX = re.compile(r"^\W*(?:figure|fig\.?)\s*\d+\s*[.:]\s*", re.I)
#: A format field of a caption template: ``{n}``, ``{share:.0%}``, ``{date:%d %B %Y}``.
_FIELD = re.compile(r"\{[^{}]*\}")


def slugify(text: str, *, max_words: int = 6, max_chars: int = 40) -> str:
    """A short, stable file-name part from a caption or a name.

    A leading "Figure 3." and the format fields of a template (``{n:,}``) are dropped,
    letters are folded to ASCII and lower case, and the first ``max_words`` words are
    joined with ``-`` (cut at a word within ``max_chars``). Given a caption template, the
    slug does not change with the numbers filled in, so a figure keeps its file name
    across corpora and runs.

    Parameters
    ----------
    text : str
        A caption template ("Figure 2. Documents per actor for the {n} actors ...") or a
        name.
    max_words : int, default=6
        Words kept.
    max_chars : int, default=40
        Longest slug; words that would pass it are dropped (a first word is cut).

    Returns
    -------
    str
        E.g. ``"documents-bars-and-distinct-actors-line"``; ``"figure"`` when the text
        has no letter or digit.

    Examples
    --------
    >>> slugify("Figure 2. Mentions per 10,000 tokens of *arms* — all actors")
    'mentions-per-10-000-tokens-of'
    >>> slugify("Figure 3. Documents per actor for the {n} actors with the most documents.")
    'documents-per-actor-for-the-actors'
    """
    text = _FIELD.sub(" ", _FIGURE_PREFIX.sub("", str(text)))
    # accents dropped (é -> e); any other non-ASCII character (a dash) separates words
    ascii_text = "".join(c if c.isascii() else ("" if unicodedata.combining(c) else " ")
                         for c in unicodedata.normalize("NFKD", text))
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())[:max_words]
    slug = ""
    for w in words:
        candidate = f"{slug}-{w}" if slug else w
        if len(candidate) > max_chars:
            slug = slug or w[:max_chars]
            break
        slug = candidate
    return slug or "figure"


def save_figure(
    fig, folder: str | os.PathLike, stem: str, *, png: bytes | None = None
) -> dict[str, Path]:
    """Save a figure as PNG, SVG and PDF: ``<folder>/<stem>.png|.svg|.pdf``.

    Saved in the fptk style (:func:`toolkit.plots.style.style_context`: TrueType fonts
    embedded in the PDF, text as paths in the SVG), with ``bbox_inches="tight"`` and no
    dates in the metadata, so two runs write identical files. Each file is written
    atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (not closed here).
    folder : str or path-like
        Where the files go (created when missing).
    stem : str
        The file name without suffix, e.g. ``"figure-01-documents-per-year"``.
    png : bytes or None, default=None
        The PNG already rendered (the one embedded in the report, at 100 dpi), written as
        it is; None renders it at 100 dpi.

    Returns
    -------
    dict of str to Path
        ``{"png": ..., "svg": ..., "pdf": ...}``.
    """
    from toolkit.plots.style import style_context

    folder = Path(folder)
    out = {}
    with style_context():
        for fmt in FIGURE_FORMATS:
            target = folder / f"{stem}.{fmt}"
            with atomic_path(target) as tmp:
                if fmt == "png" and png is not None:
                    tmp.write_bytes(png)
                else:
                    fig.savefig(tmp, format=fmt, dpi=100, bbox_inches="tight",
                                metadata=_METADATA[fmt])
            out[fmt] = target
    return out


# --------------------------------------------------------------------------- tables


def _formatted(values: pd.Series) -> list[str]:
    """The cells of one column as the HTML report shows them (pandas' display formatter)."""
    from pandas.io.formats.format import format_array

    kind = values.dtype
    if (pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_bool_dtype(kind)
            or pd.api.types.is_datetime64_any_dtype(kind)
            or pd.api.types.is_timedelta64_dtype(kind)):
        cells = format_array(values._values, None, float_format=pd.get_option(
            "display.float_format"), digits=pd.get_option("display.precision"),
            na_rep="NaN", leading_space=False)
        cells = [c.strip() for c in cells]
    else:  # text is never cut (the HTML cuts at display.max_colwidth; a paper should not)
        cells = ["" if v is None else str(v) for v in values.astype(object)]
    missing = values.isna().to_numpy()
    return ["--" if m else c for c, m in zip(cells, missing)]


def table_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell of ``df`` as text, numbers rounded by the rule of the HTML reports.

    The HTML of a report shows a table through pandas' display formatter: floats with
    ``pd.get_option("display.precision")`` decimals (6 unless changed), trailing zeros
    trimmed alike across a column, scientific notation for a column with values below
    ``10**-precision`` or above 1e6. This function calls the same formatter per column,
    so a number reads the same in the report and in its LaTeX table. Text is not cut
    (the HTML cuts it at ``display.max_colwidth``), and a missing value is ``--``.

    Parameters
    ----------
    df : DataFrame
        The table; a non-default index becomes leading columns (as in the CSV).

    Returns
    -------
    DataFrame of str
        Same shape as ``df`` (plus the index columns), column names as text.

    Examples
    --------
    >>> table_cells(pd.DataFrame({"share": [0.5, 0.25], "n": [3, 4]})).to_dict("list")
    {'share': ['0.50', '0.25'], 'n': ['3', '4']}
    """
    if not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index()
    names = [" ".join(str(p) for p in c if str(p)) if isinstance(c, tuple) else str(c)
             for c in df.columns]
    return pd.DataFrame({i: _formatted(df.iloc[:, i]) for i in range(df.shape[1])},
                        index=range(len(df))).set_axis(names, axis=1)


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}",
}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX_SPECIAL))


def latex_escape(text: Any) -> str:
    """Escape the LaTeX special characters of a text (and fold line breaks to spaces).

    Parameters
    ----------
    text : object
        Converted with ``str``.

    Returns
    -------
    str
        ``& % $ # _ { } ~ ^ \\ < >`` replaced by their LaTeX commands.

    Examples
    --------
    >>> print(latex_escape("R&D: 5% of $GDP_t"))
    R\\&D: 5\\% of \\$GDP\\_t
    """
    flat = " ".join(str(text).split())
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIAL[m.group(0)], flat)


def table_label(notebook: str, name: str) -> str:
    r"""The ``\label`` of a saved table: ``tab:<notebook>-<name>`` in LaTeX-safe characters.

    Parameters
    ----------
    notebook : str
        The notebook (its side folder's name), e.g. ``"01-keyword-trends"``.
    name : str
        The table's name, e.g. ``"trends_pooled"``.

    Returns
    -------
    str
        E.g. ``"tab:01-keyword-trends-trends-pooled"``.
    """
    clean = [re.sub(r"[^a-z0-9]+", "-", str(p).lower()).strip("-") for p in (notebook, name)]
    return "tab:" + "-".join(p for p in clean if p)


def latex_table(
    df: pd.DataFrame, *, caption: str, label: str, max_rows_float: int = 40,
    comment: str | None = None,
) -> str:
    """A booktabs LaTeX table of ``df``, numbers rounded as in the HTML reports.

    Parameters
    ----------
    df : DataFrame
        The table (cells formatted by :func:`table_cells`).
    caption : str
        Plain text; escaped.
    label : str
        The ``\\label`` key (see :func:`table_label`).
    max_rows_float : int, default=40
        Up to this many rows the table is a ``table`` float with a ``tabular``; a longer
        one is a ``longtable`` (needs ``\\usepackage{longtable}``) that breaks across pages
        and repeats its header.
    comment : str or None, default=None
        A ``%`` comment line at the top (e.g. where the table comes from).

    Returns
    -------
    str
        The LaTeX source; needs ``\\usepackage{booktabs}``. Numeric columns are
        right-aligned, others left-aligned.
    """
    cells = table_cells(df)
    src = df if isinstance(df.index, pd.RangeIndex) else df.reset_index()
    align = "".join(
        "r" if pd.api.types.is_numeric_dtype(src.iloc[:, i].dtype)
        and not pd.api.types.is_bool_dtype(src.iloc[:, i].dtype) else "l"
        for i in range(src.shape[1])
    ) or "l"
    head = " & ".join(latex_escape(c) for c in cells.columns) + r" \\"
    body = [" & ".join(latex_escape(v) for v in row) + r" \\"
            for row in cells.itertuples(index=False, name=None)]
    cap = rf"\caption{{{latex_escape(caption)}}}"
    lab = rf"\label{{{label}}}"
    lines = [f"% {_one_line(comment)}"] if comment else []
    if len(cells) <= max_rows_float:
        lines += [r"\begin{table}[htbp]", r"\centering", cap, lab,
                  rf"\begin{{tabular}}{{{align}}}", r"\toprule", head, r"\midrule", *body,
                  r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    else:
        lines += [rf"\begin{{longtable}}{{{align}}}", cap + lab + r" \\",
                  r"\toprule", head, r"\midrule", r"\endfirsthead",
                  r"\toprule", head, r"\midrule", r"\endhead",
                  r"\bottomrule", r"\endlastfoot", *body, r"\end{longtable}"]
    return "\n".join(lines) + "\n"


def write_latex(
    df: pd.DataFrame, path: str | os.PathLike, *, caption: str, label: str,
    comment: str | None = None,
) -> Path:
    """Write :func:`latex_table` of ``df`` to ``path`` (atomically, ``\\n`` line ends).

    Parameters
    ----------
    df : DataFrame
        The table.
    path : str or path-like
        The ``.tex`` file.
    caption, label, comment : str
        As in :func:`latex_table`.

    Returns
    -------
    Path
        ``path``.
    """
    target = Path(path)
    text = latex_table(df, caption=caption, label=label, comment=comment)
    with atomic_path(target) as tmp:
        tmp.write_bytes(text.encode("utf-8"))
    return target


# --------------------------------------------------------------------------- citations


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def toolkit_citation(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """How to cite fptk, from ``CITATION.cff``.

    Parameters
    ----------
    path : str or path-like or None, default=None
        The file; None reads ``CITATION.cff`` at the project root.

    Returns
    -------
    dict
        ``title``, ``version``, ``authors`` (text), ``license``, ``doi``/``url`` (or ""),
        and ``text``: one line, "fptk developers. fptk: ... (version 0.1.0) [Computer
        software]." When there is no CITATION.cff (an installed package) the text names
        the installed version.
    """
    import yaml

    from toolkit import __version__

    if path is None:
        root = project_root()
        path = root / "CITATION.cff" if root is not None else None
    data: dict[str, Any] = {}
    if path is not None and Path(path).is_file():
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    authors = ", ".join(
        a.get("name") or " ".join(p for p in (a.get("given-names"), a.get("family-names")) if p)
        for a in data.get("authors") or [] if isinstance(a, Mapping)
    ) or "fptk developers"
    title = _one_line(data.get("title") or "fptk")
    version = str(data.get("version") or __version__)
    doi = str(data.get("doi") or "").removeprefix("doi:")
    where = (f"https://doi.org/{doi}" if doi
             else data.get("repository-code") or data.get("url") or "")
    text = f"{authors}. {title} (version {version}) [Computer software]."
    if data.get("date-released"):
        text = f"{authors} ({str(data['date-released'])[:4]}). {title} (version {version}) " \
               "[Computer software]."
    if where:
        text += f" {where}"
    return {"title": title, "version": version, "authors": authors,
            "license": str(data.get("license") or ""), "where": str(where), "text": text}


def corpus_citation(name: str) -> dict[str, Any]:
    """How to cite a corpus or data set, from its card (:func:`toolkit.corpora.cards.source_card`).

    Parameters
    ----------
    name : str
        A corpus name (``"ungdc"``, ``"cmfa_ukraine"``, ``"sotu"``) or an external data
        set (``"unvotes"``, ``"idealpoints"``, ``"sipri"``).

    Returns
    -------
    dict
        ``name``, ``title``, ``source`` (DOI or URL, or ""), ``licence`` and
        ``citations`` (list of one-line references, as the card gives them). A corpus
        without a card (a folder or table of the user's own) gets ``citations=[]`` and a
        ``note`` saying so.
    """
    try:
        card = source_card(name)
    except (ValueError, FileNotFoundError):
        return {"name": name, "title": name, "source": "", "licence": "", "citations": [],
                "note": "No corpus card: cite the source of these files as its authors ask."}
    cites = card.get("citation") or []
    cites = [cites] if isinstance(cites, str) else list(cites)
    src = card.get("source") or {}
    return {"name": name, "title": _one_line(card.get("title") or name),
            "source": str(src.get("doi") or src.get("url") or ""),
            "licence": _one_line(card.get("licence") or ""),
            "citations": [_one_line(c) for c in cites], "note": ""}
