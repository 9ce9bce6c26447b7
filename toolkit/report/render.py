"""The HTML report of one executed notebook: nbconvert with a template that loads nothing.

:func:`render_html` renders an executed notebook into one self-contained HTML file with
the Jinja2 template ``templates/fptk_report.html.j2`` (nbconvert's "lab" template without
the require.js, MathJax, Mermaid and widget loaders; images embedded as data URIs).
Before rendering, tqdm progress bars are dropped from the outputs, the kernel's temporary
file names in warnings (``/tmp/ipykernel_…/….py:3:``) become the notebook cell
(``Cell In[7], line 3:``), and every other stderr output (warnings) is folded under an
escaped "Warnings" summary; the parameters of the run are shown at the top.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from toolkit.cache import atomic_path

__all__ = ["render_html"]

#: The Jinja2 templates of the reports.
TEMPLATES = Path(__file__).resolve().parent / "templates"


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

    Returns
    -------
    Path
        ``target``.
    """
    import nbformat
    from jinja2 import FileSystemLoader
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4)
    _drop_progress_bars(nb)
    _name_cells(nb)
    _fold_warnings(nb)
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[FileSystemLoader(str(TEMPLATES))],
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


#: A cell's file name in the kernel: ``<tmp>/ipykernel_<pid>/<murmur2 hash of the source>.py``.
_CELL_FILE = re.compile(r"\S*ipykernel_\d+[\\/](\d+)\.py:(\d+):")


def _cell_hash(source: str) -> int | None:
    """The number ipykernel names a cell's code file after (None without ipykernel)."""
    try:
        from ipykernel.compiler import get_tmp_hash_seed, murmur2_x86
    except ImportError:  # pragma: no cover - ipykernel comes with the Jupyter stack
        return None
    return murmur2_x86(source, get_tmp_hash_seed())


def _name_cells(nb) -> int:
    """Replace the kernel's cell file names in stderr outputs by ``Cell In[n], line l``, in place.

    A warning raised by a cell's own code names its temporary file
    (``/tmp/ipykernel_123/456.py:3:``); the file is named after a hash of the cell's source,
    so it maps back to the cell and its execution count. An unknown file name becomes
    ``a notebook cell, line l``. Returns the number of names replaced.
    """
    counts: dict[str, Any] = {}
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            key = _cell_hash(cell.get("source", ""))
            if key is not None:
                counts[str(key)] = cell.get("execution_count")
    n = 0

    def _name(match: re.Match) -> str:
        nonlocal n
        n += 1
        count = counts.get(match.group(1))
        where = f"Cell In[{count}]" if count is not None else "A notebook cell"
        return f"{where}, line {match.group(2)}:"

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                out["text"] = _CELL_FILE.sub(_name, out.get("text", ""))
    return n


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
